package sampler

import (
	"time"

	"golang.org/x/sys/unix"
)

// supported: sampling works on Linux.
func supported() error { return nil }

// monoBase ties the runtime's monotonic clock (read through the vDSO by
// time.Now, no system call) to CLOCK_MONOTONIC, which clock_nanosleep
// takes: read once, so monoNow costs no system call per tick. time.Now is
// read first, so monoNow runs ahead of CLOCK_MONOTONIC by the few hundred
// ns between the two reads: lateness is never under-reported.
var monoBase = func() struct {
	t    time.Time
	mono int64
} {
	t := time.Now()
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return struct {
		t    time.Time
		mono int64
	}{t, ts.Nano()}
}()

// monoNow returns CLOCK_MONOTONIC in ns (see monoBase).
func monoNow() int64 { return monoBase.mono + int64(time.Since(monoBase.t)) }

// sleepUntil sleeps until the monotonic deadline (ns), retrying on EINTR.
func sleepUntil(deadline int64) {
	ts := unix.NsecToTimespec(deadline)
	for unix.ClockNanosleep(unix.CLOCK_MONOTONIC, unix.TIMER_ABSTIME, &ts, nil) == unix.EINTR {
	}
}

// setTimerSlack asks the kernel for a small timer slack on this thread
// (the default is 50 µs), so wake-ups come closer to their deadlines.
func setTimerSlack(d time.Duration) {
	unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(d.Nanoseconds()), 0, 0, 0)
}

// processCPU returns the CPU time (user + system) this process used.
func processCPU() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
