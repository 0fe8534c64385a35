package sampler

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// Cost of sampling, as CPU time (getrusage) per second of wall time,
// against a bare clock_nanosleep loop at the same rate measured in the
// same run. Each iteration runs 2 s: use -benchtime 1x.
//
//	go test -run XXX -bench Cost -benchtime 1x ./shmstat/sampler

func bareLoop(hz float64, d time.Duration) (cpu time.Duration, ticks int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	setTimerSlack(time.Microsecond)
	period := int64(float64(time.Second) / hz)
	c0 := processCPU()
	start := monoNow()
	deadline := start
	for monoNow()-start < int64(d) {
		deadline += period
		sleepUntil(deadline)
		ticks++
	}
	return processCPU() - c0, ticks
}

func BenchmarkCost(b *testing.B) {
	const run = 2 * time.Second
	for _, hz := range []float64{9973, 997} {
		b.Run(fmt.Sprintf("baseline=bare-clock_nanosleep-%.0fHz", hz), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				cpu, ticks := bareLoop(hz, run)
				b.ReportMetric(100*cpu.Seconds()/run.Seconds(), "%core")
				b.ReportMetric(float64(ticks)/run.Seconds(), "Hz")
			}
		})
		b.Run(fmt.Sprintf("sampler-64slots-4probes-%.0fHz", hz), func(b *testing.B) {
			dir := filepath.Join(b.TempDir(), "seg")
			seg, err := shmstat.Create("cost", &shmstat.Options{Dir: dir, Slots: 64, NoHeartbeat: true})
			if err != nil {
				b.Fatal(err)
			}
			defer seg.Close()
			var clients []*shmstat.Segment
			for c := 0; c < 63; c++ {
				cl, err := shmstat.Attach("cost", "w", &shmstat.Options{Dir: dir, NoHeartbeat: true})
				if err != nil {
					b.Fatal(err)
				}
				clients = append(clients, cl)
			}
			for _, sg := range append(clients, seg) {
				for p := 0; p < 4; p++ {
					sg.Probe(fmt.Sprint("p", p)).Mark(fmt.Sprint("site", p))
				}
			}
			defer func() {
				for _, c := range clients {
					c.Close()
				}
			}()
			for i := 0; i < b.N; i++ {
				s, err := New(Config{Segments: []string{"cost"}, Options: &shmstat.Options{Dir: dir}, Hz: hz})
				if err != nil {
					b.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), run)
				s.Run(ctx)
				cancel()
				st := s.Stats()
				b.ReportMetric(100*st.CPU.Seconds()/st.Elapsed.Seconds(), "%core")
				b.ReportMetric(st.AchievedHz, "Hz")
				b.ReportMetric(100*st.AchievedHz/hz, "%target")
			}
		})
	}
}
