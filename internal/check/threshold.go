package check

import (
	"fmt"
	"strconv"
	"strings"
)

// Threshold is a condition on a value of a segment, such as
// queue_length>1000: a gauge, a counter, or with the suffix /s a
// counter's rate per second (bytes_total/s<1000).
type Threshold struct {
	Metric string  // a gauge or counter name
	Rate   bool    // the counter's rate per second
	Op     string  // >, >=, <, <=
	Value  float64 // the limit
}

// ParseThreshold parses NAME[/s]OP VALUE, OP one of > >= < <=.
func ParseThreshold(s string) (Threshold, error) {
	i := strings.IndexAny(s, "<>")
	if i <= 0 {
		return Threshold{}, fmt.Errorf("check: threshold %q: want NAME>VALUE, NAME<VALUE, NAME>=VALUE or NAME<=VALUE", s)
	}
	t := Threshold{Metric: strings.TrimSpace(s[:i]), Op: s[i : i+1]}
	rest := s[i+1:]
	if strings.HasPrefix(rest, "=") {
		t.Op += "="
		rest = rest[1:]
	}
	if name, ok := strings.CutSuffix(t.Metric, "/s"); ok {
		t.Metric, t.Rate = name, true
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
	if err != nil || t.Metric == "" || strings.ContainsAny(t.Metric, " \t") {
		return Threshold{}, fmt.Errorf("check: threshold %q: want NAME>VALUE with a number", s)
	}
	t.Value = v
	return t, nil
}

// Label names the value in perfdata: the metric, with _per_second for a rate.
func (t Threshold) Label() string {
	if t.Rate {
		return t.Metric + "_per_second"
	}
	return t.Metric
}

// String is the threshold as it was written.
func (t Threshold) String() string {
	name := t.Metric
	if t.Rate {
		name += "/s"
	}
	return name + t.Op + formatValue(t.Value)
}

// Exceeded reports whether v crosses the threshold.
func (t Threshold) Exceeded(v float64) bool {
	switch t.Op {
	case ">":
		return v > t.Value
	case ">=":
		return v >= t.Value
	case "<":
		return v < t.Value
	}
	return v <= t.Value
}

// Range is the threshold in the plugin API's range syntax for perfdata:
// "~:X" alerts above X, "X:" below X. The range syntax cannot say
// whether the limit itself alerts, so >= and <= print as > and <.
func (t Threshold) Range() string {
	if t.Op[0] == '>' {
		return "~:" + formatValue(t.Value)
	}
	return formatValue(t.Value) + ":"
}
