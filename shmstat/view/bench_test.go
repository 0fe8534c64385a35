package view

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/porthole-dev/porthole/shmstat"
)

// benchSnapshots returns two snapshots of a real segment of n counters,
// every counter increased in between.
func benchSnapshots(b *testing.B, n int) (seg *shmstat.Segment, cur, prev *shmstat.Snapshot) {
	seg, err := shmstat.Create("bench", &shmstat.Options{Dir: filepath.Join(b.TempDir(), "seg"),
		MaxValues: n + 16, ValueBytes: 8*n + 4096, NoHeartbeat: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { seg.Close() })
	cs := make([]*shmstat.Counter, n)
	for i := range cs {
		cs[i] = seg.Counter(fmt.Sprintf("counter_%05d", i), "")
	}
	if prev, err = seg.Snapshot(); err != nil {
		b.Fatal(err)
	}
	for _, c := range cs {
		c.Add(7)
	}
	if cur, err = seg.Snapshot(); err != nil {
		b.Fatal(err)
	}
	return seg, cur, prev
}

// BenchmarkRatePass: the rates of n values from two snapshots. "view" is
// New (matching by index); "view-map" is New when the previous snapshot's
// descriptors do not line up (the map fallback); "scan" is the way it was
// done before, Snapshot.Metric per value (O(n²)); "snapshot" is taking
// one snapshot of the same segment, the baseline a reader pays anyway.
func BenchmarkRatePass(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		seg, cur, prev := benchSnapshots(b, n)
		shuffled := *prev
		shuffled.Metrics = append([]shmstat.Metric(nil), prev.Metrics...)
		for i, j := 0, len(shuffled.Metrics)-1; i < j; i, j = i+1, j-1 {
			shuffled.Metrics[i], shuffled.Metrics[j] = shuffled.Metrics[j], shuffled.Metrics[i]
		}
		b.Run(fmt.Sprintf("snapshot/%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := seg.Snapshot(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("view/%d", n), func(b *testing.B) {
			for b.Loop() {
				if v := New(cur, prev, nil); !v.Values[n-1].HasRate {
					b.Fatal("no rate")
				}
			}
		})
		b.Run(fmt.Sprintf("view-map/%d", n), func(b *testing.B) {
			for b.Loop() {
				if v := New(cur, &shuffled, nil); !v.Values[n-1].HasRate {
					b.Fatal("no rate")
				}
			}
		})
		b.Run(fmt.Sprintf("scan/%d", n), func(b *testing.B) {
			secs := float64(cur.Mono-prev.Mono) / 1e9
			rates := make([]float64, len(cur.Metrics))
			for b.Loop() {
				for i, m := range cur.Metrics {
					if pm := prev.Metric(m.Kind, m.Name); pm != nil {
						rates[i] = float64(m.Value-pm.Value) / secs
					}
				}
			}
		})
	}
}
