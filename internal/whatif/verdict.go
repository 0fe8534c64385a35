package whatif

import (
	"fmt"
	"strconv"
	"strings"
)

// factor is the change a verdict calls an effect: 2x up or down. The
// effects the experiment is for are larger (the multiplexer's is 1000x);
// a busy 2-core machine's noise in a CPU-bound rate reaches 1.5x.
const factor = 2.0

// Verdict is one line that says what the rows show, judged by the
// largest effect: processes that go faster alone than together
// interfere; a pause that lowers the rate means the others wait on that
// process; one that raises it means the process holds the others back.
func Verdict(r *Result) string {
	if r.Baseline == 0 {
		return fmt.Sprintf("%s did not move before the experiment: nothing to compare", r.Counter)
	}
	var alone, up, down *Row
	pauses, lowering := 0, 0
	worstDown := 0.0 // the largest ratio among the pauses that lower the rate
	for _, row := range r.Rows {
		if row.Experiment == "pause" {
			pauses++
			if x := ratio(row); x <= 1/factor {
				lowering++
				worstDown = max(worstDown, x)
			}
		}
	}
	for i := range r.Rows {
		row := &r.Rows[i]
		switch {
		case row.Experiment == "alone" && (alone == nil || ratio(*row) > ratio(*alone)):
			alone = row
		case row.Experiment == "pause" && (up == nil || ratio(*row) > ratio(*up)):
			up = row
		}
		if row.Experiment == "pause" && (down == nil || ratio(*row) < ratio(*down)) {
			down = row
		}
	}
	var v string
	switch {
	case alone != nil && ratio(*alone) >= factor:
		v = fmt.Sprintf("pausing %s raises %s %s: the processes interfere, %s alone goes faster than all together",
			roles(alone.Paused), r.Counter, times(ratio(*alone)), alone.Target.Role)
	case pauses > 1 && lowering == pauses:
		v = fmt.Sprintf("pausing any one process lowers %s to %s of its rate or less: the others wait on each of them", r.Counter, percent(worstDown))
	case down != nil && ratio(*down) <= 1/factor:
		v = fmt.Sprintf("pausing %s lowers %s to %s of its rate: the others wait on it", down.Target.Role, r.Counter, percent(ratio(*down)))
	case up != nil && ratio(*up) >= factor:
		v = fmt.Sprintf("pausing %s raises %s %s: it holds the others back", up.Target.Role, r.Counter, times(ratio(*up)))
	default:
		v = fmt.Sprintf("no pause changes %s by %gx or more: the processes do not hold each other back", r.Counter, factor)
	}
	// A rate that had not come back: below half of the rate before the
	// experiment in its window after and in every later one (a single slow
	// window is the machine's noise, not a process left behind).
	var slow []string
	for i, row := range r.Rows {
		later := 0.0
		for _, next := range r.Rows[i:] {
			later = max(later, next.After)
		}
		if row.Before > 0 && later < row.Before/factor {
			slow = append(slow, roles(row.Paused))
		}
	}
	if len(slow) > 0 {
		v += "; the rate had not come back after resuming " + strings.Join(slow, "; ")
	}
	return v
}

// ratio is the rate while paused over the row's Base; 0 when that is 0.
func ratio(r Row) float64 {
	if r.Base() == 0 {
		return 0
	}
	return r.During / r.Base()
}

func times(x float64) string {
	if x >= 100 {
		return fmt.Sprintf("%.0fx", x)
	}
	return fmt.Sprintf("%.1fx", x)
}

func roles(ts []Target) string {
	var b []string
	for _, t := range ts {
		b = append(b, t.Role)
	}
	switch len(b) {
	case 0:
		return ""
	case 1:
		return b[0]
	}
	return strings.Join(b[:len(b)-1], ", ") + " and " + b[len(b)-1]
}

// percent formats a ratio as a percentage with two significant digits
// below 10 % (0.15 %, 2.3 %), whole numbers above.
func percent(x float64) string {
	if p := 100 * x; p < 10 {
		return strconv.FormatFloat(p, 'g', 2, 64) + "%"
	}
	return fmt.Sprintf("%.0f%%", 100*x)
}
