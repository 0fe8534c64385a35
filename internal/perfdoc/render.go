package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// results are every round's results: run and benchmark name -> one
// metrics per round (a round that did not report it has nil).
type results map[resultKey][]metrics

type resultKey struct {
	run  Run
	name string
}

// add appends one round's results of a run (each name once per round).
func (rs results) add(run Run, round int, got map[string][]metrics) {
	for name, ms := range got {
		k := resultKey{run, name}
		for len(rs[k]) < round {
			rs[k] = append(rs[k], nil)
		}
		rs[k] = append(rs[k], ms...)
	}
}

// series returns the unit's values of a benchmark of a run, round by
// round (NaN where a round has none).
func (rs results) series(run Run, name, unit string) []float64 {
	var out []float64
	for _, m := range rs[resultKey{run, name}] {
		v, ok := m.value(unit)
		if !ok {
			v = math.NaN()
		}
		out = append(out, v)
	}
	return out
}

// median of the values that are not NaN; NaN if there are none.
func median(vs []float64) float64 {
	var s []float64
	for _, v := range vs {
		if !math.IsNaN(v) {
			s = append(s, v)
		}
	}
	if len(s) == 0 {
		return math.NaN()
	}
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ratios pairs a benchmark's values with its baseline's round by round.
func ratios(v, base []float64) []float64 {
	var out []float64
	for i := range v {
		if i < len(base) && base[i] != 0 {
			out = append(out, v[i]/base[i])
		}
	}
	return out
}

// renderTable renders the rows of one table as Markdown.
func renderTable(rs results, table []Row) string {
	var b strings.Builder
	b.WriteString("| benchmark | ratio | spread over rounds | target | median on this machine |\n|---|---:|---:|---|---:|\n")
	for _, r := range table {
		unit := r.Unit
		if unit == "" {
			unit = "ns/op"
		}
		val := rs.series(r.Run, r.Bench, unit)
		var rr []float64 // per-round ratios; nil for none
		switch {
		case r.Ratio != nil:
			rr = r.Ratio(rs.series)
		case r.isBaseline(unit):
		case r.Base != "":
			rr = ratios(val, rs.series(r.Run, r.Base, r.baseUnit(unit)))
		}
		ratio, spread := "", ""
		switch {
		case r.Ratio == nil && r.isBaseline(unit):
			ratio = "1 (baseline)"
		case rr != nil:
			ratio = "**" + fmtRatio(median(rr)) + "**"
			if lo, hi := minmax(rr); len(rr) > 1 {
				spread = fmtRatio(lo) + " – " + fmtRatio(hi)
			}
		}
		target := r.Target
		if verdict := check(r.Target, rr, val); verdict != "" {
			target += " " + verdict
		}
		here := fmtValue(median(val), unit)
		for _, u := range r.Also {
			here += "; " + fmtValue(median(rs.series(r.Run, r.Bench, u)), u)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.Label, ratio, spread, target, here)
	}
	return b.String()
}

// baseUnit is the metric of the row's baseline.
func (r Row) baseUnit(unit string) string {
	if r.BaseUnit != "" {
		return r.BaseUnit
	}
	return unit
}

// isBaseline reports whether the row is its own baseline (the same
// benchmark and metric).
func (r Row) isBaseline(unit string) bool { return r.Base == r.Bench && r.baseUnit(unit) == unit }

// check tells whether a target of the form "≤ 1.2x" (on the ratios rr),
// "≤ 1,000 µs", "≥ 300,000/s" or "0" (on the values) is met; "" for targets it cannot
// read.
func check(target string, rr, val []float64) string {
	var got, limit float64
	switch {
	case strings.HasPrefix(target, "≤ ") && rr != nil:
		f := strings.Fields(strings.TrimPrefix(target, "≤ "))
		if len(f) == 0 || !strings.HasSuffix(strings.TrimSuffix(f[0], ","), "x") {
			return ""
		}
		l, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSuffix(f[0], ","), "x"), 64)
		if err != nil {
			return ""
		}
		got, limit = median(rr), l
	case strings.HasPrefix(target, "≤ ") && strings.HasSuffix(target, " µs"):
		l, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(target, "≤ "), " µs"), ",", ""), 64)
		if err != nil {
			return ""
		}
		got, limit = median(val), l
	case strings.HasPrefix(target, "≥ ") && strings.HasSuffix(target, "/s"):
		l, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(target, "≥ "), "/s"), ",", ""), 64)
		if err != nil {
			return ""
		}
		got, limit = -median(val), -l // at least l: -got at most -l
	case target == "0":
		got, limit = median(val), 0
	default:
		return ""
	}
	switch {
	case math.IsNaN(got):
		return "(no result)"
	case got <= limit:
		return "(met)"
	default:
		return "(**not met**)"
	}
}

func minmax(vs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vs {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi
}

// fmtRatio prints a ratio with three significant digits: 0.271x, 1.04x, 3,420x.
func fmtRatio(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "–"
	}
	return sig3(r) + "x"
}

// fmtValue prints a value with its unit; times per op are scaled.
func fmtValue(v float64, unit string) string {
	if math.IsNaN(v) {
		return "– " + unit
	}
	if rest, ok := strings.CutPrefix(unit, "ns/"); ok {
		for _, s := range []struct {
			div  float64
			name string
		}{{1e9, "s"}, {1e6, "ms"}, {1e3, "µs"}} {
			if v >= s.div {
				return sig3(v/s.div) + " " + s.name + "/" + rest
			}
		}
	}
	return sig3(v) + " " + unit
}

// sig3 prints v with at least three significant digits and thousands
// separators.
func sig3(v float64) string {
	a := math.Abs(v)
	dec := 0
	switch {
	case a == 0 || a >= 100:
		dec = 0
	case a >= 10:
		dec = 1
	case a >= 1:
		dec = 2
	default:
		dec = 2 - int(math.Floor(math.Log10(a)))
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	for i := len(intPart) - 3; i > 0; i -= 3 {
		intPart = intPart[:i] + "," + intPart[i:]
	}
	if neg {
		intPart = "-" + intPart
	}
	if frac != "" {
		return intPart + "." + frac
	}
	return intPart
}

// splice replaces the body of every <!-- perfdoc:begin NAME --> block of
// doc with blocks[NAME] and keeps every other line. Blocks the doc lacks
// are returned in missing, in the order of names.
func splice(doc string, blocks map[string]string, names []string) (out string, missing []string, err error) {
	var b strings.Builder
	seen := map[string]bool{}
	lines := strings.SplitAfter(doc, "\n")
	for i := 0; i < len(lines); i++ {
		b.WriteString(lines[i])
		name, ok := beginMarker(lines[i])
		if !ok {
			continue
		}
		j := i + 1
		for j < len(lines) && strings.TrimSpace(lines[j]) != endMarker {
			j++
		}
		if j == len(lines) {
			return "", nil, fmt.Errorf("perfdoc: block %q (line %d) has no %s", name, i+1, endMarker)
		}
		body, known := blocks[name]
		if !known {
			// Not ours (a table whose row was removed): keep it.
			for _, l := range lines[i+1 : j] {
				b.WriteString(l)
			}
		} else {
			b.WriteString(body)
			if !strings.HasSuffix(body, "\n") {
				b.WriteString("\n")
			}
		}
		seen[name] = true
		b.WriteString(lines[j])
		i = j
	}
	for _, n := range names {
		if !seen[n] {
			missing = append(missing, n)
		}
	}
	return b.String(), missing, nil
}

const endMarker = "<!-- perfdoc:end -->"

func beginMarker(line string) (string, bool) {
	l := strings.TrimSpace(line)
	rest, ok := strings.CutPrefix(l, "<!-- perfdoc:begin ")
	if !ok {
		return "", false
	}
	name, ok := strings.CutSuffix(rest, " -->")
	return strings.TrimSpace(name), ok
}
