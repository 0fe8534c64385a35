package mlog

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkReceiverCounts compares Stats (every tracked sender's
// accounting) with Counts (totals only), which a collector calls every
// 1,024 messages, at 100, 10,000 and 65,536 tracked senders.
func BenchmarkReceiverCounts(b *testing.B) {
	for _, n := range []int{100, 10000, 65536} {
		r := &Receiver{rejected: map[string]uint64{"bad": 1}, lastBy: map[string]error{"bad": ErrOversize},
			track: NewTracker(TrackerConfig{}, func(Event[struct{}]) {})}
		now := time.Now()
		for i := 0; i < n; i++ {
			r.track.Observe(uint64(i)+1, 1, struct{}{}, now)
		}
		b.Run(fmt.Sprintf("Stats/senders=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if s := r.Stats(); len(s.Senders) != n {
					b.Fatal(len(s.Senders))
				}
			}
		})
		b.Run(fmt.Sprintf("Counts/senders=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if s := r.Counts(); s.Sequence.Senders != n {
					b.Fatal(s.Sequence.Senders)
				}
			}
		})
	}
}
