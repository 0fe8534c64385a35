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

// Cost of sampling, as CPU time (getrusage) per wake-up, against a bare
// clock_nanosleep loop at the same rate (the floor: what waking a thread
// costs on this machine). The two alternate in slices of 500 ms, four
// each, so a change of load on a shared machine hits both alike; one
// iteration takes 4 s: use -benchtime 1x.
//
//	go test -run XXX -bench Cost -benchtime 1x ./shmstat/sampler

// bareLoop is the sampler's schedule without the sampling: the floor.
func bareLoop(hz float64, d time.Duration) (cpu time.Duration, ticks int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	setTimerSlack(time.Microsecond)
	c0 := processCPU()
	sched := newSchedule(int64(float64(time.Second) / hz))
	end := sched.deadline + int64(d)
	for sched.deadline < end {
		sched.next()
		ticks++
	}
	return processCPU() - c0, ticks
}

// costSegment creates a segment with 64 live slots (the owner and 63
// attached clients) of 4 marked probes each, in a directory of its own.
func costSegment(b *testing.B) string {
	dir := filepath.Join(b.TempDir(), "seg")
	seg, err := shmstat.Create("cost", &shmstat.Options{Dir: dir, Slots: 64, NoHeartbeat: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { seg.Close() })
	segs := []*shmstat.Segment{seg}
	for c := 0; c < 63; c++ {
		cl, err := shmstat.Attach("cost", "w", &shmstat.Options{Dir: dir, NoHeartbeat: true})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { cl.Close() })
		segs = append(segs, cl)
	}
	for _, sg := range segs {
		for p := 0; p < 4; p++ {
			sg.Probe(fmt.Sprint("p", p)).Mark(fmt.Sprint("site", p))
		}
	}
	return dir
}

func BenchmarkCost(b *testing.B) {
	const slice, slices = 500 * time.Millisecond, 4
	for _, hz := range []float64{9973, 997} {
		b.Run(fmt.Sprintf("sampler-64slots-4probes-%.0fHz", hz), func(b *testing.B) {
			dir := costSegment(b)
			sample := func() (time.Duration, uint64, time.Duration) {
				s, err := New(Config{Segments: []string{"cost"}, Options: &shmstat.Options{Dir: dir}, Hz: hz})
				if err != nil {
					b.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), slice)
				defer cancel()
				s.Run(ctx)
				st := s.Stats()
				if len(st.Errors) > 0 {
					b.Fatal(st.Errors)
				}
				return st.CPU, st.Ticks, st.Elapsed
			}
			for i := 0; i < b.N; i++ {
				var bareCPU, cpu, elapsed time.Duration
				var bareTicks, ticks uint64
				for k := 0; k < 2*slices; k++ {
					// Alternate which goes first: bare, sampler, sampler, bare, ...
					if (k%2 == 0) == (k/2%2 == 0) {
						c, t := bareLoop(hz, slice)
						bareCPU, bareTicks = bareCPU+c, bareTicks+uint64(t)
					} else {
						c, t, el := sample()
						cpu, ticks, elapsed = cpu+c, ticks+t, elapsed+el
					}
				}
				bare := slices * slice
				b.ReportMetric(bareCPU.Seconds()*1e6/float64(bareTicks), "floor-cpu-µs/wake-up")
				b.ReportMetric(cpu.Seconds()*1e6/float64(ticks), "cpu-µs/wake-up")
				b.ReportMetric(100*bareCPU.Seconds()/bare.Seconds(), "floor-%core")
				b.ReportMetric(100*cpu.Seconds()/elapsed.Seconds(), "%core")
				b.ReportMetric(float64(ticks)/elapsed.Seconds(), "Hz")
				b.ReportMetric(100*float64(ticks)/elapsed.Seconds()/hz, "%target")
			}
		})
	}
}

// benchWork runs work b.N times on a sampler of a costSegment (after one
// refresh, holding its lock) and reports the CPU time per op: on a shared
// machine wall time per op includes time the thread waited for a CPU.
func benchWork(b *testing.B, work func(s *Sampler)) *Sampler {
	s, err := New(Config{Segments: []string{"cost"}, Options: &shmstat.Options{Dir: costSegment(b)}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.closeAll)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshTargets()
	b.ResetTimer()
	c0 := processCPU()
	for i := 0; i < b.N; i++ {
		work(s)
	}
	b.StopTimer()
	b.ReportMetric(float64((processCPU()-c0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	return s
}

// BenchmarkTick is one tick's work without the wake-up: read every probe
// word of 64 slots x 4 probes and count them (the workers do not move, as
// in BenchmarkCost). Compare its CPU time with the floor's per wake-up.
func BenchmarkTick(b *testing.B) {
	s := benchWork(b, (*Sampler).sampleProbes)
	if n := s.targets[0].slots[63].count[3]; n != uint64(b.N) {
		b.Fatalf("slot 63 probe 3 counted %d times in %d ticks", n, b.N)
	}
}

// BenchmarkRefresh is the work the sampler does every 200 ms besides its
// ticks: re-read descriptors and slot identities of 64 live slots.
func BenchmarkRefresh(b *testing.B) {
	s := benchWork(b, (*Sampler).refreshTargets)
	if !s.targets[0].slots[63].live {
		b.Fatal("slot 63 not seen live")
	}
}
