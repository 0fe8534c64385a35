package main

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	out := `goos: linux
pkg: github.com/porthole-dev/porthole/shmstat/sampler
BenchmarkCost/baseline=bare-clock_nanosleep-997Hz-2         	       1	2000077242 ns/op	         4.076 %core	       997.0 Hz
BenchmarkCost/sampler-64slots-4probes-997Hz-2               	       1	2007514198 ns/op	         6.644 %core	        94.12 %target	       938.4 Hz
BenchmarkCost/sampler-64slots-4probes-997Hz-2               	       1	2007514198 ns/op	         5.000 %core	        94.12 %target	       1000 Hz
BenchmarkHandler/mlog.Handler-2   	 2000000	       488.0 ns/op	        34 B/op	       1 allocs/op
BenchmarkSenderThroughput	 5000	 100 ns/op	 2000000 records/s	 50 lost
--- FAIL: BenchmarkBroken
PASS
`
	got, err := parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, unit string
		i          int
		want       float64
	}{
		{"Cost/baseline=bare-clock_nanosleep-997Hz", "%core", 0, 4.076},
		{"Cost/baseline=bare-clock_nanosleep-997Hz", "iterations", 0, 1},
		{"Cost/sampler-64slots-4probes-997Hz", "Hz", 0, 938.4},
		{"Cost/sampler-64slots-4probes-997Hz", "%core", 1, 5},
		{"Handler/mlog.Handler", "allocs/op", 0, 1},
		{"Handler/mlog.Handler", "ns/op", 0, 488},
		{"SenderThroughput", "ns/record", 0, 500},
		{"SenderThroughput", "lost-%", 0, 1},
	}
	for _, tt := range tests {
		rs := got[tt.name]
		if len(rs) <= tt.i {
			t.Errorf("%s: %d results, want more than %d", tt.name, len(rs), tt.i)
			continue
		}
		v, ok := rs[tt.i].value(tt.unit)
		if !ok || v < tt.want*0.999 || v > tt.want*1.001 {
			t.Errorf("%s %s = %v, %v; want %v", tt.name, tt.unit, v, ok, tt.want)
		}
	}
	if len(got) != 4 {
		t.Errorf("%d benchmarks, want 4: %v", len(got), got)
	}
	if _, ok := got["Cost/sampler-64slots-4probes-997Hz"][0].value("no-such-unit"); ok {
		t.Error("an unknown unit has a value")
	}
}
