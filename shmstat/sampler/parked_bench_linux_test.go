package sampler

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// BenchmarkParked compares, at porthole top's rates, the process CPU per
// tick of a sampler on a locked thread (as top ran it before) with a
// parked one refreshed by hand (Config.Parked and ManualRefresh, as top
// runs it now), one segment with one marked probe. The two alternate in
// 2 s slices, two each, so a change of load hits both alike; one
// iteration takes 8 s: use -benchtime 1x. CPU time is the sum of the
// threads' run time in /proc/self/task/*/schedstat (ns), not getrusage,
// whose user/system split is sampled at the kernel's tick (4 ms here: as
// much as a slice's whole cost at these rates). The parked/locked ratio is the
// figure; the absolute ones depend on the machine's load.
//
//	go test -run XXX -bench Parked -benchtime 1x ./shmstat/sampler
func BenchmarkParked(b *testing.B) {
	const slice, slices = 2 * time.Second, 2
	for _, hz := range []float64{47, 97} {
		b.Run(fmt.Sprintf("%.0fHz", hz), func(b *testing.B) {
			dir := b.TempDir()
			seg, err := shmstat.Create("top", &shmstat.Options{Dir: dir})
			if err != nil {
				b.Fatal(err)
			}
			defer seg.Close()
			seg.Probe("worker").Mark("working")
			run := func(parked bool) (time.Duration, uint64) {
				s, err := New(Config{Segments: []string{"top"}, Options: &shmstat.Options{Dir: dir}, Hz: hz, Parked: parked, ManualRefresh: parked})
				if err != nil {
					b.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), slice)
				defer cancel()
				c0 := threadsCPU(b)
				if err := s.Run(ctx); err != nil {
					b.Fatal(err)
				}
				return threadsCPU(b) - c0, s.Stats().Ticks
			}
			for i := 0; i < b.N; i++ {
				var cpu [2]time.Duration
				var ticks [2]uint64
				for r := 0; r < slices; r++ {
					for k, parked := range []bool{false, true} {
						c, n := run(parked)
						cpu[k] += c
						ticks[k] += n
					}
				}
				if ticks[0] == 0 || ticks[1] == 0 {
					b.Fatalf("ticks: locked %d, parked %d", ticks[0], ticks[1])
				}
				locked := float64(cpu[0].Microseconds()) / float64(ticks[0])
				parked := float64(cpu[1].Microseconds()) / float64(ticks[1])
				b.ReportMetric(locked, "locked-cpu-µs/tick")
				b.ReportMetric(parked, "parked-cpu-µs/tick")
				b.ReportMetric(parked/locked, "parked/locked")
			}
		})
	}
}

// threadsCPU returns the time the process's threads have run, in ns,
// from /proc/self/task/*/schedstat.
func threadsCPU(b *testing.B) time.Duration {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		b.Fatal(err)
	}
	var sum time.Duration
	for _, t := range tasks {
		raw, err := os.ReadFile("/proc/self/task/" + t.Name() + "/schedstat")
		if err != nil {
			continue // the thread exited
		}
		f := strings.Fields(string(raw))
		if len(f) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			b.Fatalf("schedstat %q: %v", raw, err)
		}
		sum += time.Duration(ns)
	}
	return sum
}
