package whatif

import (
	"strings"
	"testing"
)

func TestVerdict(t *testing.T) {
	a, b, c := Target{1, "producer-0"}, Target{2, "producer-1"}, Target{3, "producer-2"}
	tests := []struct {
		name string
		rows []Row
		base float64
		want string
	}{
		{"interference", []Row{
			{Experiment: "pause", Target: a, Paused: []Target{a}, Before: 300, During: 310, After: 300},
			{Experiment: "alone", Target: a, Paused: []Target{b, c}, Before: 300, During: 1830, After: 300},
			{Experiment: "alone", Target: b, Paused: []Target{a, c}, Before: 300, During: 900, After: 300},
		}, 300, "pausing producer-1 and producer-2 raises x 6.1x: the processes interfere, producer-0 alone goes faster than all together"},
		{"the others wait on one", []Row{
			{Experiment: "pause", Target: a, Paused: []Target{a}, Before: 1000, During: 10, After: 1000},
			{Experiment: "pause", Target: b, Paused: []Target{b}, Before: 1000, During: 990, After: 1000},
		}, 1000, "pausing producer-0 lowers x to 1% of its rate: the others wait on it"},
		{"every pause lowers it", []Row{
			{Experiment: "pause", Target: a, Paused: []Target{a}, Before: 1000, During: 2, After: 1000},
			{Experiment: "pause", Target: b, Paused: []Target{b}, Before: 1000, During: 3, After: 1000},
		}, 1000, "pausing any one process lowers x to 0.3% of its rate or less: the others wait on each of them"},
		{"one holds the others back", []Row{
			{Experiment: "pause", Target: b, Paused: []Target{b}, Before: 100, During: 250, After: 100},
		}, 100, "pausing producer-1 raises x 2.5x: it holds the others back"},
		{"nothing", []Row{
			{Experiment: "pause", Target: b, Paused: []Target{b}, Before: 100, During: 180, After: 100},
		}, 100, "no pause changes x by 2x or more"},
		{"one slow window is no effect", []Row{
			{Experiment: "alone", Target: b, Paused: []Target{a, c}, Before: 435, During: 674, After: 603},
		}, 600, "no pause changes x by 2x or more"},
		{"no recovery", []Row{
			{Experiment: "pause", Target: b, Paused: []Target{b}, Before: 100, During: 100, After: 10},
		}, 100, "; the rate had not come back after resuming producer-1"},
		{"one slow window after is noise", []Row{
			{Experiment: "pause", Target: a, Paused: []Target{a}, Before: 100, During: 100, After: 40},
			{Experiment: "pause", Target: b, Paused: []Target{b}, Before: 40, During: 100, After: 100},
		}, 100, "no pause changes x by 2x or more: the processes do not hold each other back"},
		{"still counter", nil, 0, "x did not move before the experiment"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Verdict(&Result{Counter: "x", Baseline: tc.base, Rows: tc.rows})
			if !strings.Contains(got, tc.want) || (strings.HasSuffix(tc.name, "noise") && strings.Contains(got, "come back")) {
				t.Errorf("Verdict = %q, want it to contain %q", got, tc.want)
			}
		})
	}
}

func TestChangeColumn(t *testing.T) {
	for _, tc := range []struct {
		before, during float64
		want           string
	}{
		{100, 250, "2.5x"}, {100, 99.8, "0%"}, {100, 120, "+20%"}, {100, 40, "-60%"}, {1000, 1.5, "-99.8%"}, {0, 5, "0%"},
	} {
		if got := change(Row{Before: tc.before, During: tc.during, After: tc.before}); got != tc.want {
			t.Errorf("%v -> %v: %q, want %q", tc.before, tc.during, got, tc.want)
		}
	}
	if got := percent(0.0015); got != "0.15%" {
		t.Errorf("percent(0.0015) = %q", got)
	}
}

func TestRate(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		unit string
		want string
	}{
		{321400, "bytes", "321.4 kB/s"}, {4.2e8, "bytes", "420.00 MB/s"}, {12, "bytes", "12 B/s"},
		{3.5, "requests", "3.5 requests/s"}, {7, "", "7.0/s"},
	} {
		if got := Rate(tc.v, tc.unit); got != tc.want {
			t.Errorf("Rate(%v, %q) = %q, want %q", tc.v, tc.unit, got, tc.want)
		}
	}
}
