package main

import (
	"strings"
	"testing"
)

func TestSig3(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {0.2449, "0.245"}, {0.0421, "0.0421"}, {1.004, "1.00"}, {5.087, "5.09"},
		{15.94, "15.9"}, {753.4, "753"}, {3420.4, "3,420"}, {1155000, "1,155,000"}, {-1234, "-1,234"},
	} {
		if got := sig3(tt.v); got != tt.want {
			t.Errorf("sig3(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
	if got := fmtValue(4330000, "ns/op"); got != "4.33 ms/op" {
		t.Errorf("fmtValue = %q", got)
	}
	if got := fmtValue(12.5, "%core"); got != "12.5 %core" {
		t.Errorf("fmtValue = %q", got)
	}
}

func TestSplice(t *testing.T) {
	doc := "# Title\nprose 1\n<!-- perfdoc:begin a -->\nold a\n<!-- perfdoc:end -->\nprose 2\n<!-- perfdoc:begin other -->\nkept\n<!-- perfdoc:end -->\nprose 3\n"
	got, missing, err := splice(doc, map[string]string{"a": "new a\n", "b": "new b"}, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	want := "# Title\nprose 1\n<!-- perfdoc:begin a -->\nnew a\n<!-- perfdoc:end -->\nprose 2\n<!-- perfdoc:begin other -->\nkept\n<!-- perfdoc:end -->\nprose 3\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if len(missing) != 1 || missing[0] != "b" {
		t.Errorf("missing = %v, want [b]", missing)
	}
	if _, _, err := splice("<!-- perfdoc:begin a -->\nno end\n", map[string]string{"a": "x"}, nil); err == nil {
		t.Error("an unterminated block is no error")
	}
}

func TestRenderTable(t *testing.T) {
	run := Run{Pkg: "p", Benchtime: "1x"}
	rs := results{}
	// Three rounds: the ratio is the median of per-round ratios (1.1, 1.2, 1.0).
	for i, pair := range [][2]float64{{10, 11}, {20, 24}, {5, 5}} {
		rs.add(run, i, map[string][]metrics{
			"B/base": {{"ns/op": pair[0]}},
			"B/x":    {{"ns/op": pair[1], "allocs/op": 1, "floor-ns/op": pair[0]}},
		})
	}
	table := []Row{
		{Label: "base", Run: run, Bench: "B/base", Base: "B/base"},
		{Label: "x", Run: run, Bench: "B/x", Base: "B/base", Target: "≤ 1.05x", Also: []string{"allocs/op"}},
		{Label: "y", Run: run, Bench: "B/x", Base: "B/base", Target: "≤ 1.2x"},
		{Label: "z", Run: run, Bench: "B/x", Base: "B/x", BaseUnit: "floor-ns/op", Target: "≤ 1.2x"},
		{Label: "f", Run: run, Bench: "B/x", Target: "≤ 2x", Ratio: func(get Series) []float64 {
			x, base := get(run, "B/x", "ns/op"), get(run, "B/base", "ns/op")
			return []float64{x[0] + base[0], x[1] + base[1]} // 21, 44
		}},
	}
	got := renderTable(rs, table)
	for _, want := range []string{
		"| base | 1 (baseline) |  |  | 10.0 ns/op |",
		"| x | **1.10x** | 1.00x – 1.20x | ≤ 1.05x (**not met**) | 11.0 ns/op; 1.00 allocs/op |",
		"| y | **1.10x** | 1.00x – 1.20x | ≤ 1.2x (met) | 11.0 ns/op |",
		"| z | **1.10x** | 1.00x – 1.20x | ≤ 1.2x (met) | 11.0 ns/op |",
		"| f | **32.5x** | 21.0x – 44.0x | ≤ 2x (**not met**) | 11.0 ns/op |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}

func TestGroups(t *testing.T) {
	a := Run{Pkg: "a"}
	b := Run{Pkg: "a", Tags: "t"}
	gs := groups([]Row{
		{Run: a, Bench: "X/one", Base: "Y/base"},
		{Run: b, Bench: "X/one"},
		{Run: a, Bench: "X/two", Base: "Y/base"},
	})
	if len(gs) != 2 {
		t.Fatalf("%d groups, want 2", len(gs))
	}
	if p := gs[0].pattern(); p != "^Benchmark(X|Y)$" {
		t.Errorf("pattern = %q", p)
	}
	if c := (group{run: Run{Pkg: "m", Benchtime: "1s", Netns: true}, benches: []string{"H"}}).command(false); c != `unshare -n sh -c 'ip link set lo up; go test -run "^$" -bench "^Benchmark(H)$" -benchtime 1s -benchmem ./m'` {
		t.Errorf("command = %s", c)
	}
}

// TestRowsWellFormed: every row names its table, label, package and
// both benchtimes, and no two rows of a table say the same thing.
func TestRowsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range rows {
		if r.Table == "" || r.Label == "" || r.Run.Pkg == "" || r.Run.Benchtime == "" || r.Run.Quick == "" || r.Bench == "" {
			t.Errorf("row %+v: table, label, package, benchmark and both benchtimes are required", r)
		}
		k := r.Table + "|" + r.Label
		if seen[k] {
			t.Errorf("table %s has two rows %q", r.Table, r.Label)
		}
		seen[k] = true
	}
}

func TestCheckTargets(t *testing.T) {
	for _, tc := range []struct {
		target string
		rr     []float64
		val    []float64
		want   string
	}{
		{"≤ 1.2x", []float64{1.1, 1.3, 1.0}, nil, "(met)"},
		{"≤ 1.2x", []float64{1.3, 1.4, 1.0}, nil, "(**not met**)"},
		{"0", nil, []float64{0, 0, 5}, "(met)"},
		{"0", nil, []float64{1, 0, 5}, "(**not met**)"},
		{"≥ 300,000/s", nil, []float64{380000, 290000, 476000}, "(met)"},
		{"≥ 300,000/s", nil, []float64{290000, 250000, 476000}, "(**not met**)"},
		{"≥ 300,000/s", nil, []float64{300000}, "(met)"},
		{"≤ 1,000 µs", nil, []float64{94, 4307, 36}, "(met)"},
		{"≤ 1,000 µs", nil, []float64{1200, 1100, 36}, "(**not met**)"},
		{"≥ lots/s", nil, []float64{1}, ""},
		{"(reference)", nil, []float64{1}, ""},
	} {
		if got := check(tc.target, tc.rr, tc.val); got != tc.want {
			t.Errorf("check(%q, %v, %v) = %q, want %q", tc.target, tc.rr, tc.val, got, tc.want)
		}
	}
}
