package sampler

import (
	"time"

	"golang.org/x/sys/unix"
)

// supported: sampling works on Linux.
func supported() error { return nil }

// monoNow returns CLOCK_MONOTONIC in ns.
func monoNow() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}

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

// threadCPU returns the CPU time (user + system) this process used.
func processCPU() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
