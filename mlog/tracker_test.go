package mlog

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"testing"
	"time"
)

// trackLog records what a tracker emitted.
type trackLog struct {
	delivered []uint64
	gaps      []Event[uint64]
	epochs    []Event[uint64]
	starts    int
	forgotten map[string]int
}

func newTrackLog() *trackLog { return &trackLog{forgotten: map[string]int{}} }

func (l *trackLog) emit(e Event[uint64]) {
	switch e.Kind {
	case EventDeliver:
		if e.Value != e.Seq {
			panic(fmt.Sprintf("delivered value %d for seq %d", e.Value, e.Seq))
		}
		l.delivered = append(l.delivered, e.Seq)
	case EventGap:
		l.gaps = append(l.gaps, e)
	case EventEpoch:
		l.epochs = append(l.epochs, e)
	case EventStart:
		l.starts++
	case EventForget:
		l.forgotten[e.Reason]++
	}
}

func (l *trackLog) lost() (n uint64) {
	for _, g := range l.gaps {
		n += g.Count()
	}
	return n
}

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func TestTrackerSequences(t *testing.T) {
	const w = 200 * time.Millisecond
	top := uint64(math.MaxUint64)
	tests := []struct {
		name      string
		seqs      []uint64
		delivered []uint64
		lost      uint64
		verdicts  []Verdict // nil: not checked
		epochs    int
	}{
		{name: "in order", seqs: []uint64{1, 2, 3, 4}, delivered: []uint64{1, 2, 3, 4}},
		{name: "reordered is not loss", seqs: []uint64{1, 3, 2, 4}, delivered: []uint64{1, 2, 3, 4},
			verdicts: []Verdict{SeqNew, SeqHeld, SeqNew, SeqNew}},
		{name: "duplicate is not a record", seqs: []uint64{1, 2, 2, 3}, delivered: []uint64{1, 2, 3},
			verdicts: []Verdict{SeqNew, SeqNew, SeqDup, SeqNew}},
		{name: "duplicate of a held one", seqs: []uint64{1, 3, 3, 2}, delivered: []uint64{1, 2, 3},
			verdicts: []Verdict{SeqNew, SeqHeld, SeqDup, SeqNew}},
		{name: "true loss", seqs: []uint64{1, 2, 5, 6}, delivered: []uint64{1, 2, 5, 6}, lost: 2},
		{name: "forward jump of 2^63 is an epoch", seqs: []uint64{1, 2, 1<<63 + 2, 3, 4}, delivered: []uint64{1, 2, 1<<63 + 2, 3, 4},
			epochs: 2, verdicts: []Verdict{SeqNew, SeqNew, SeqEpoch, SeqEpoch, SeqNew}},
		{name: "wrap-around", seqs: []uint64{top - 2, top - 1, top, 0, 1}, delivered: []uint64{top - 2, top - 1, top, 0, 1}},
		{name: "gap across the wrap", seqs: []uint64{top - 1, 1, 2}, delivered: []uint64{top - 1, 1, 2}, lost: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTrackLog()
			tr := NewTracker(TrackerConfig{Window: w}, l.emit)
			now := t0
			for i, s := range tt.seqs {
				v := tr.Observe(7, s, s, now)
				if tt.verdicts != nil && v != tt.verdicts[i] {
					t.Errorf("seq %d: verdict %v, want %v", s, v, tt.verdicts[i])
				}
				now = now.Add(time.Millisecond)
				tr.Expire(now)
			}
			tr.Expire(now.Add(w))
			if fmt.Sprint(l.delivered) != fmt.Sprint(tt.delivered) {
				t.Errorf("delivered %v, want %v", l.delivered, tt.delivered)
			}
			if l.lost() != tt.lost || tr.Stats().Lost != tt.lost {
				t.Errorf("lost: gaps %d, stats %d, want %d (gaps %+v)", l.lost(), tr.Stats().Lost, tt.lost, l.gaps)
			}
			if len(l.epochs) != tt.epochs || tr.Stats().Epochs != uint64(tt.epochs) {
				t.Errorf("epochs %d (stats %d), want %d", len(l.epochs), tr.Stats().Epochs, tt.epochs)
			}
		})
	}
}

func TestTrackerLossIsFinalOnlyAfterTheWindow(t *testing.T) {
	const w = 200 * time.Millisecond
	l := newTrackLog()
	tr := NewTracker(TrackerConfig{Window: w}, l.emit)
	tr.Observe(1, 1, 1, t0)
	tr.Observe(1, 3, 3, t0)
	tr.Expire(t0.Add(w - time.Nanosecond))
	if len(l.gaps) != 0 || tr.Stats().Lost != 0 {
		t.Fatalf("gap declared inside the window: %+v", l.gaps)
	}
	tr.Expire(t0.Add(w))
	if len(l.gaps) != 1 || l.gaps[0].First != 2 || l.gaps[0].Last != 2 || l.gaps[0].Reason != ReasonNetwork {
		t.Fatalf("gaps %+v, want one gap 2..2", l.gaps)
	}
	if v := tr.Observe(1, 2, 2, t0.Add(w+time.Millisecond)); v != SeqLate {
		t.Fatalf("number declared lost then arriving: %v, want late", v)
	}
	if fmt.Sprint(l.delivered) != "[1 3]" {
		t.Fatalf("delivered %v", l.delivered)
	}
	if ss, _ := tr.Sender(1); ss.Lost != 1 || ss.Late != 1 {
		t.Fatalf("sender accounting %+v", ss)
	}
}

// TestTrackerInvariants feeds shuffled, duplicated and truly lost
// sequences and checks that every number ends in exactly one place.
func TestTrackerInvariants(t *testing.T) {
	const w = 200 * time.Millisecond
	for seed := int64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewSource(seed))
		n := 2000 + rng.Intn(3000)
		start := uint64(1)
		if seed%5 == 0 {
			start = math.MaxUint64 - uint64(n/2) // across the wrap
		}
		var sent []uint64
		dropped := map[uint64]bool{}
		for i := 0; i < n; i++ {
			s := start + uint64(i)
			if i > 0 && i < n-1 && rng.Intn(20) == 0 {
				dropped[s] = true
				continue
			}
			sent = append(sent, s)
			if rng.Intn(15) == 0 {
				sent = append(sent, s) // duplicate
			}
		}
		// Local reordering: swap neighbours within a small distance.
		for i := range sent {
			j := i + rng.Intn(8)
			if j < len(sent) {
				sent[i], sent[j] = sent[j], sent[i]
			}
		}
		l := newTrackLog()
		tr := NewTracker(TrackerConfig{Window: w}, l.emit)
		now := t0
		// The first message of the run must be the first number for the
		// loss count to be knowable: put it first.
		for i, s := range sent {
			if s == start {
				sent[0], sent[i] = sent[i], sent[0]
				break
			}
		}
		for _, s := range sent {
			tr.Observe(42, s, s, now)
			now = now.Add(50 * time.Microsecond) // the whole run fits one window many times over
			tr.Expire(now)
		}
		tr.Expire(now.Add(w))
		tr.Flush()

		got := map[uint64]int{}
		for i, s := range l.delivered {
			got[s]++
			if i > 0 && s-l.delivered[i-1] > 1<<32 {
				t.Fatalf("seed %d: delivery out of order: %d after %d", seed, s, l.delivered[i-1])
			}
		}
		for _, g := range l.gaps {
			for s := g.First; ; s++ {
				got[s]++
				if s == g.Last {
					break
				}
			}
		}
		for i := 0; i < n; i++ {
			s := start + uint64(i)
			if got[s] != 1 {
				t.Fatalf("seed %d: number %d accounted %d times", seed, s, got[s])
			}
			if dropped[s] == (contains(l.delivered, s)) {
				t.Fatalf("seed %d: number %d dropped=%v but delivered=%v", seed, s, dropped[s], !dropped[s])
			}
		}
		if l.lost() != uint64(len(dropped)) || tr.Stats().Lost != uint64(len(dropped)) {
			t.Fatalf("seed %d: lost %d (stats %d), truly dropped %d", seed, l.lost(), tr.Stats().Lost, len(dropped))
		}
	}
}

func contains(a []uint64, x uint64) bool {
	for _, v := range a {
		if v == x {
			return true
		}
	}
	return false
}

func TestTrackerResume(t *testing.T) {
	l := newTrackLog()
	tr := NewTracker(TrackerConfig{}, l.emit)
	tr.Resume(9, 100, t0)
	if v := tr.Observe(9, 100, 100, t0.Add(time.Second)); v != SeqDup {
		t.Fatalf("replay of the last written number: %v", v)
	}
	if v := tr.Observe(9, 50, 50, t0.Add(time.Second)); v != SeqDup {
		t.Fatalf("replay of an older number: %v", v)
	}
	if v := tr.Observe(9, 120, 120, t0.Add(time.Second)); v != SeqNew {
		t.Fatalf("first after restart: %v", v)
	}
	if len(l.gaps) != 1 || l.gaps[0].First != 101 || l.gaps[0].Last != 119 || l.gaps[0].Reason != ReasonRestart {
		t.Fatalf("restart gap %+v", l.gaps)
	}
	if l.starts != 0 {
		t.Fatal("a resumed sender reported as new")
	}
}

func TestTrackerHeldCap(t *testing.T) {
	l := newTrackLog()
	tr := NewTracker(TrackerConfig{MaxHeld: 4}, l.emit)
	tr.Observe(1, 1, 1, t0)
	for s := uint64(3); s <= 8; s++ { // 2 never comes
		tr.Observe(1, s, s, t0)
	}
	if st := tr.Stats(); st.Held > 4 || st.Lost != 1 {
		t.Fatalf("held %d lost %d, want at most 4 held and 2 declared lost", st.Held, st.Lost)
	}
	if l.gaps[0].Reason != ReasonHeld {
		t.Fatalf("gap reason %q", l.gaps[0].Reason)
	}
	if fmt.Sprint(l.delivered) != "[1 3 4 5 6 7 8]" {
		t.Fatalf("delivered %v", l.delivered)
	}
}

// TestTrackerForgetsAndCaps: 100,000 senders, then silence. The cap
// holds, evictions are counted, and memory returns to its baseline.
func TestTrackerForgetsAndCaps(t *testing.T) {
	const senders = 100000
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var evicted, gaps int
	tr := NewTracker(TrackerConfig{MaxSenders: 65536, ForgetAfter: time.Minute}, func(e Event[uint64]) {
		switch {
		case e.Kind == EventForget && e.Reason == ReasonEvicted:
			evicted++
		case e.Kind == EventGap:
			gaps++
		}
	})
	base := heap()
	for i := 0; i < senders; i++ {
		tr.Observe(uint64(i)*2654435761+1, 1, 1, t0)
		tr.Observe(uint64(i)*2654435761+1, 3, 3, t0) // one held each
	}
	st := tr.Stats()
	if st.Senders != 65536 || st.Evicted != senders-65536 || evicted != senders-65536 {
		t.Fatalf("senders %d evicted %d (events %d)", st.Senders, st.Evicted, evicted)
	}
	full := heap()
	calls := 0
	for ; tr.Stats().Senders > 0 && calls < 1000; calls++ {
		tr.Expire(t0.Add(time.Minute)) // each call does a bounded share
	}
	// Each sender costs three units of work: its gap, its held message
	// released, and itself forgotten.
	if calls > 3*65536/expireWork+2 {
		t.Errorf("%d Expire calls to forget 65,536 senders", calls)
	}
	st = tr.Stats()
	if st.Senders != 0 || st.Held != 0 || st.Forgotten != 65536 {
		t.Fatalf("after silence: %+v", st)
	}
	if st.Lost != senders || gaps != senders {
		t.Fatalf("lost %d in %d gaps, want one per sender", st.Lost, gaps)
	}
	after := heap()
	t.Logf("heap: base %d KiB, 65,536 senders %d KiB, after forgetting %d KiB", base>>10, full>>10, after>>10)
	if after > base+(full-base)/20 {
		t.Fatalf("memory not returned: base %d, full %d, after %d", base, full, after)
	}
	runtime.KeepAlive(tr)
}

func TestTrackerExpiryOrderAcrossSenders(t *testing.T) {
	l := newTrackLog()
	tr := NewTracker(TrackerConfig{Window: time.Second}, l.emit)
	tr.Observe(1, 1, 1, t0)
	tr.Observe(2, 1, 1, t0)
	tr.Observe(1, 3, 3, t0)
	tr.Observe(2, 5, 5, t0.Add(500*time.Millisecond))
	tr.Expire(t0.Add(time.Second))
	if len(l.gaps) != 1 || l.gaps[0].Sender != 1 {
		t.Fatalf("gaps %+v: only sender 1's wait is over", l.gaps)
	}
	tr.Expire(t0.Add(1500 * time.Millisecond))
	if len(l.gaps) != 2 || l.gaps[1].Sender != 2 || l.gaps[1].First != 2 || l.gaps[1].Last != 4 {
		t.Fatalf("gaps %+v", l.gaps)
	}
}

// BenchmarkTrackerEveryOtherMissing is the burst that was quadratic: at
// three sizes, the cost per datagram stays flat.
func BenchmarkTrackerEveryOtherMissing(b *testing.B) {
	for _, n := range []int{10000, 100000, 1000000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				var delivered int
				tr := NewTracker(TrackerConfig{Window: time.Millisecond}, func(e Event[struct{}]) {
					if e.Kind == EventDeliver {
						delivered++
					}
				})
				now := t0
				tr.Observe(1, 1, struct{}{}, now)
				for k := 0; k < n; k++ {
					tr.Observe(1, uint64(3+2*k), struct{}{}, now)
					if k%1000 == 0 {
						now = now.Add(time.Microsecond)
						tr.Expire(now)
					}
				}
				for tr.Stats().Held > 0 {
					tr.Expire(now.Add(time.Second)) // a bounded share per call
				}
				if delivered != n+1 {
					b.Fatalf("delivered %d", delivered)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/datagram")
		})
	}
}

// BenchmarkTrackerInOrder is the common case: one sender, in order.
func BenchmarkTrackerInOrder(b *testing.B) {
	tr := NewTracker(TrackerConfig{}, func(Event[struct{}]) {})
	now := t0
	for i := 0; i < b.N; i++ {
		tr.Observe(1, uint64(i+1), struct{}{}, now)
	}
}

// One Expire call does a bounded amount of work, whatever is due, so
// that the collector never holds its ingest lock long for it: at most
// expireWork senders forgotten per call, and the sender map rebuilt only
// when it is small (a rebuild of 25,000 senders took 1.6-2 ms).
func TestTrackerExpireBounded(t *testing.T) {
	const senders = 40000
	forgot := 0
	tr := NewTracker(TrackerConfig{MaxSenders: senders, ForgetAfter: time.Minute}, func(e Event[int]) {
		if e.Kind == EventForget {
			forgot++
		}
	})
	for i := 0; i < senders; i++ {
		tr.Observe(uint64(i)+1, 1, 0, t0)
	}
	calls := 0
	for ; tr.Stats().Senders > 0 && calls < 1000; calls++ {
		before, peak := forgot, tr.peak
		tr.Expire(t0.Add(2 * time.Minute))
		if n := forgot - before; n > expireWork {
			t.Fatalf("call %d forgot %d senders, more than %d", calls, n, expireWork)
		}
		if tr.peak != peak && len(tr.senders) > shrinkMax {
			t.Fatalf("call %d rebuilt a map of %d senders (at most %d)", calls, len(tr.senders), shrinkMax)
		}
	}
	// The rebuilt maps count against the calls' work too: a call or two more.
	if least := (senders + expireWork - 1) / expireWork; forgot != senders || calls < least || calls > least+2 {
		t.Fatalf("forgot %d senders in %d calls", forgot, calls)
	}
}

// A long run of held messages behind one missing number is released a
// bounded share per Expire call (ExpireWork), in order, with one gap;
// the sender's next message, or a duplicate, arriving mid-way finds the
// rest delivered first.
func TestTrackerExpireBoundedDrain(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after func(tr *Tracker[uint64]) // between the first and second Expire
	}{
		{"expire only", func(*Tracker[uint64]) {}},
		{"next message mid-way", func(tr *Tracker[uint64]) {
			if v := tr.Observe(1, 10003, 10003, t0.Add(time.Second)); v != SeqNew {
				t.Errorf("next message: %v, want new (in order after the rest)", v)
			}
		}},
		{"duplicate mid-way", func(tr *Tracker[uint64]) {
			if v := tr.Observe(1, 9000, 9000, t0.Add(time.Second)); v != SeqDup {
				t.Errorf("duplicate of a held number: %v", v)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []uint64
			gaps := 0
			tr := NewTracker(TrackerConfig{ExpireWork: 100, MaxHeld: 1 << 20}, func(e Event[uint64]) {
				switch e.Kind {
				case EventDeliver:
					got = append(got, e.Value)
				case EventGap:
					gaps++
					if e.First != 2 || e.Last != 2 {
						t.Errorf("gap %d-%d, want 2-2", e.First, e.Last)
					}
				}
			})
			tr.Observe(1, 1, 1, t0)
			for seq := uint64(3); seq <= 10002; seq++ { // 2 is missing
				tr.Observe(1, seq, seq, t0)
			}
			later := t0.Add(time.Second)
			before := len(got)
			tr.Expire(later)
			if n := len(got) - before; n > 100 || n == 0 {
				t.Fatalf("first call delivered %d, want 1-100", n)
			}
			tc.after(tr)
			calls := 1
			for ; tr.Due(later) && calls < 1000; calls++ {
				before := len(got)
				tr.Expire(later)
				if n := len(got) - before; n > 100 {
					t.Fatalf("call %d delivered %d, more than ExpireWork", calls, n)
				}
			}
			if tr.Due(later) {
				t.Fatal("still due after 1,000 calls")
			}
			if gaps != 1 {
				t.Errorf("%d gaps, want 1", gaps)
			}
			for i, v := range got {
				want := uint64(i) + 2 // 1, then 3 on
				if i == 0 {
					want = 1
				}
				if v != want {
					t.Fatalf("delivery %d is %d, want %d", i, v, want)
				}
			}
			if last := got[len(got)-1]; last != 10002 && !(last == 10003 && tc.name == "next message mid-way") {
				t.Fatalf("last delivered %d", last)
			}
			if st := tr.Stats(); st.Held != 0 || st.Lost != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// Held messages with gaps between them that arrived in reverse order
// (the first wait entry covers them all) are all released, a bounded share per Expire call: a
// call that stops mid-way keeps the entry it was working on, so the
// highest held number is not left behind without one.
func TestTrackerExpireBoundedReverse(t *testing.T) {
	var got []uint64
	tr := NewTracker(TrackerConfig{ExpireWork: 100}, func(e Event[uint64]) {
		if e.Kind == EventDeliver {
			got = append(got, e.Value)
		}
	})
	tr.Observe(1, 1, 1, t0)
	for seq := uint64(2001); seq >= 3; seq -= 2 { // every even number is missing
		tr.Observe(1, seq, seq, t0)
	}
	later := t0.Add(time.Second)
	calls := 0
	for ; tr.Due(later) && calls < 1000; calls++ {
		before := len(got)
		tr.Expire(later)
		if n := len(got) - before; n > 100 {
			t.Fatalf("call %d delivered %d, more than ExpireWork", calls, n)
		}
	}
	if st := tr.Stats(); st.Held != 0 || st.Lost != 1000 || len(got) != 1001 || got[len(got)-1] != 2001 {
		t.Fatalf("after %d calls: %d delivered (last %d), %d still held", calls, len(got), got[len(got)-1], st.Held)
	}
}
