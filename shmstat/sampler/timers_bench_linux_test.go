package sampler

import (
	"runtime"
	"sort"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkTimers compares ways to wake up at 10 kHz on a locked thread:
// clock_nanosleep(TIMER_ABSTIME) (what the sampler uses), a periodic
// timerfd, and time.Ticker. Each runs 2 s: use -benchtime 1x.
//
//	go test -run XXX -bench Timers -benchtime 1x ./shmstat/sampler
func BenchmarkTimers(b *testing.B) {
	hz, run := 9973.0, 2*time.Second
	period := time.Duration(int64(float64(time.Second) / hz))
	measure := func(b *testing.B, wait func() int64) {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		setTimerSlack(time.Microsecond)
		c0 := processCPU()
		start := monoNow()
		lates := make([]int64, 0, 4*int(hz*run.Seconds()))
		ticks := 0
		for monoNow()-start < int64(run) {
			lates = append(lates, wait())
			ticks++
		}
		cpu := processCPU() - c0
		sort.Slice(lates, func(i, j int) bool { return lates[i] < lates[j] })
		b.ReportMetric(float64(ticks)/run.Seconds(), "Hz")
		b.ReportMetric(100*cpu.Seconds()/run.Seconds(), "%core")
		b.ReportMetric(float64(lates[len(lates)/2])/1e3, "p50-late-µs")
		b.ReportMetric(float64(lates[len(lates)*99/100])/1e3, "p99-late-µs")
	}
	b.Run("clock_nanosleep-abs", func(b *testing.B) {
		deadline := monoNow()
		measure(b, func() int64 {
			deadline += int64(period)
			sleepUntil(deadline)
			return monoNow() - deadline
		})
	})
	b.Run("timerfd", func(b *testing.B) {
		fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, 0)
		if err != nil {
			b.Skip(err)
		}
		defer unix.Close(fd)
		ts := unix.NsecToTimespec(int64(period))
		start := monoNow()
		if err := unix.TimerfdSettime(fd, 0, &unix.ItimerSpec{Interval: ts, Value: ts}, nil); err != nil {
			b.Fatal(err)
		}
		var buf [8]byte
		n := int64(0)
		measure(b, func() int64 {
			unix.Read(fd, buf[:])
			// The read returns how many periods expired: count them all,
			// so a coalesced wake-up shows as late, not as drift.
			n += int64(buf[0]) | int64(buf[1])<<8 | int64(buf[2])<<16
			return monoNow() - (start + n*int64(period))
		})
	})
	b.Run("time.Ticker", func(b *testing.B) {
		t := time.NewTicker(period)
		defer t.Stop()
		last := monoNow()
		measure(b, func() int64 {
			<-t.C
			now := monoNow()
			late := now - last - int64(period)
			last = now
			return late
		})
	})
}
