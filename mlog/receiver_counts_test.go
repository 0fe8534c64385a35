package mlog

import (
	"reflect"
	"testing"
	"time"
)

// Counts is Stats without the per-sender accounting: the same totals,
// rejects and kernel drops, and no Senders map.
func TestReceiverCountsAreStatsWithoutSenders(t *testing.T) {
	r := &Receiver{rejected: map[string]uint64{}, lastBy: map[string]error{}, received: 7, overflow: 3, rcvbuf: 1 << 20,
		track: NewTracker(TrackerConfig{}, func(Event[struct{}]) {})}
	r.reject(ErrOversize)
	// Heard now, not at the fixed t0 of the tracker tests: Stats settles
	// the window at the wall clock's now, and senders silent for an hour
	// are forgotten (this test failed from 13:00 UTC on the day t0 names).
	now := time.Now()
	for i := uint64(1); i <= 50; i++ {
		r.track.Observe(i, 1, struct{}{}, now)
		r.track.Observe(i, 3, struct{}{}, now) // 2 missing: held
	}
	c, s := r.Counts(), r.Stats()
	if c.Senders != nil || len(s.Senders) != 50 {
		t.Fatalf("Counts has %d senders, Stats %d", len(c.Senders), len(s.Senders))
	}
	s.Senders = nil
	c.Sequence, s.Sequence = TrackerStats{}, TrackerStats{} // Stats settles the window first
	if !reflect.DeepEqual(c, s) {
		t.Fatalf("Counts %+v\nStats  %+v", c, s)
	}
	if c.Received != 7 || c.KernelDrops != 3 || c.Rejected[Reason(ErrOversize)] != 1 {
		t.Fatalf("counts %+v", c)
	}
}
