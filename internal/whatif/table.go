package whatif

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable prints the result as a table and the verdict.
func (r *Result) WriteTable(w io.Writer) error {
	for _, rec := range r.Recovered {
		if rec.Resumed {
			fmt.Fprintf(w, "resumed %d (%s of %s): left stopped by an earlier whatif (pid %d)\n", rec.PID, rec.Role, rec.Segment, rec.RunPID)
		}
	}
	fmt.Fprintf(w, "%s: %s before pausing anything (windows of %v, %v settle; CHANGE: paused against the mean of before and after)\n",
		r.Counter, Rate(r.Baseline, r.Unit), r.Pause, r.Settle)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EXPERIMENT\tPROCESS\tPID\tBEFORE\tPAUSED\tAFTER\tCHANGE")
	for _, row := range r.Rows {
		what := "pause it"
		if row.Experiment == "alone" {
			what = fmt.Sprintf("pause the %d others", len(row.Paused))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", what, row.Target.Role, row.Target.PID,
			Rate(row.Before, r.Unit), Rate(row.During, r.Unit), Rate(row.After, r.Unit), change(row))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Verdict != "" {
		_, err := fmt.Fprintln(w, r.Verdict)
		return err
	}
	return nil
}

// Rate formats a per-second rate: bytes in kB/s, MB/s, GB/s (powers of
// 1000), anything else as a number with its unit.
func Rate(v float64, unit string) string {
	if unit == "bytes" {
		switch {
		case v >= 1e9:
			return fmt.Sprintf("%.2f GB/s", v/1e9)
		case v >= 1e6:
			return fmt.Sprintf("%.2f MB/s", v/1e6)
		case v >= 1e3:
			return fmt.Sprintf("%.1f kB/s", v/1e3)
		}
		return fmt.Sprintf("%.0f B/s", v)
	}
	if unit != "" {
		return fmt.Sprintf("%.1f %s/s", v, unit)
	}
	return fmt.Sprintf("%.1f/s", v)
}

// change is the CHANGE column: a percentage, or a factor from 2x up.
func change(r Row) string {
	c := r.Change()
	switch x := ratio(r); {
	case x >= 2:
		return times(x)
	case c > -0.5 && c < 0.5:
		return "0%"
	case c < -99:
		return fmt.Sprintf("%+.1f%%", c) // -99.8 %, not a rounded -100 %: the rate did not stop
	}
	return fmt.Sprintf("%+.0f%%", c)
}
