package check

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Status is a check's outcome; its value is the plugin exit code.
type Status int

// The four states, in increasing severity except UNKNOWN, which ranks
// between WARNING and CRITICAL when findings are combined (as Icinga
// does: not knowing is worse than a warning, better than a known outage).
const (
	OK       Status = 0
	Warning  Status = 1
	Critical Status = 2
	Unknown  Status = 3
)

func (s Status) String() string {
	switch s {
	case OK:
		return "OK"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	}
	return "UNKNOWN"
}

// rank orders states for "the worst wins".
func (s Status) rank() int {
	switch s {
	case OK:
		return 0
	case Warning:
		return 1
	case Unknown:
		return 2
	}
	return 3
}

// Finding is one problem (or, with OK, one fact) a check found.
type Finding struct {
	Status Status `json:"status"`
	Text   string `json:"text"`
}

// Perf is one performance datum.
type Perf struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
	UOM   string  `json:"uom,omitempty"` // "", s, ms, us, %, B, KB, MB, TB, c
	Warn  string  `json:"warn,omitempty"`
	Crit  string  `json:"crit,omitempty"`
}

// String formats the datum as 'label'=value[UOM];warn;crit, quoting the
// label (a quote inside doubled) and trimming empty trailing fields.
func (p Perf) String() string {
	label := strings.ReplaceAll(strings.Map(printable, p.Label), "'", "''")
	s := "'" + label + "'=" + formatValue(p.Value) + p.UOM
	if p.Warn != "" || p.Crit != "" {
		s += ";" + p.Warn
	}
	if p.Crit != "" {
		s += ";" + p.Crit
	}
	return s
}

// printable drops characters that would break the one-line format.
func printable(r rune) rune {
	if r < ' ' || r == '|' || r == '=' || r == 0x7f {
		return -1
	}
	return r
}

func formatValue(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "U" // the plugin API's "undetermined"
	}
	// Measured rates carry no meaning in their 10th decimal: three are kept.
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
}

// Report is a finished check.
type Report struct {
	Name     string    `json:"name"` // what was checked: a segment name or the collector's URL
	Findings []Finding `json:"findings"`
	Perf     []Perf    `json:"perf"`
}

// Add records a finding.
func (r *Report) Add(s Status, format string, args ...any) {
	r.Findings = append(r.Findings, Finding{Status: s, Text: fmt.Sprintf(format, args...)})
}

// Status is the worst status of the findings: OK when there are none.
func (r *Report) Status() Status {
	worst := OK
	for _, f := range r.Findings {
		if f.Status.rank() > worst.rank() {
			worst = f.Status
		}
	}
	return worst
}

// Line is the plugin output: "PORTHOLE STATUS - name: text | perfdata".
// The text lists the findings that are not OK, worst first; when all are
// OK, the OK ones.
func (r *Report) Line() string {
	st := r.Status()
	var texts []string
	for _, want := range []Status{Critical, Unknown, Warning} {
		for _, f := range r.Findings {
			if f.Status == want {
				texts = append(texts, f.Text)
			}
		}
	}
	if len(texts) == 0 {
		for _, f := range r.Findings {
			texts = append(texts, f.Text)
		}
	}
	if len(texts) == 0 {
		texts = []string{"no problem found"}
	}
	line := "PORTHOLE " + st.String() + " - " + r.Name + ": " + strings.Join(texts, "; ")
	line = strings.Map(func(c rune) rune {
		if c == '\n' || c == '\r' || c == '|' {
			return ' '
		}
		return c
	}, line)
	if len(r.Perf) > 0 {
		var ps []string
		for _, p := range r.Perf {
			ps = append(ps, p.String())
		}
		line += " | " + strings.Join(ps, " ")
	}
	return line
}

// Write prints Line and a newline.
func (r *Report) Write(w io.Writer) error {
	_, err := fmt.Fprintln(w, r.Line())
	return err
}
