package sampler

// schedule wakes a locked thread at absolute deadlines one period apart.
// A thread that falls behind by more than a period (preempted) skips the
// ticks it cannot make up instead of running them in a burst: samples
// are taken at their times or not at all, and counted as missed.
// The sampler's loop and the bare loop its cost is measured against (the
// floor) both run on it, so they differ only by the sampling.
type schedule struct {
	period   int64 // ns
	deadline int64 // of the tick last waited for, CLOCK_MONOTONIC ns
}

func newSchedule(period int64) *schedule {
	return &schedule{period: period, deadline: monoNow()}
}

// next sleeps until the next deadline and returns how late it woke (ns)
// and how many ticks it skipped first.
func (s *schedule) next() (late int64, skipped uint64) {
	s.deadline += s.period
	if now := monoNow(); now > s.deadline+s.period {
		n := (now - s.deadline) / s.period
		s.deadline += n * s.period
		skipped = uint64(n)
	}
	sleepUntil(s.deadline)
	return monoNow() - s.deadline, skipped
}
