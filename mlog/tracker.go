package mlog

import (
	"fmt"
	"math"
	"time"
)

// Tracker follows the sequence numbers of many senders: it restores each
// sender's order within a time window, drops duplicates, declares numbers
// lost only once the window has passed, starts a new epoch when a sender's
// numbers jump farther than it could have sent, and forgets senders that
// fall silent. It is the one place where porthole decides what was lost:
// the Receiver, the collector's spool ordering and its scoreboard all
// read their numbers from a Tracker.
//
// Every sequence number of a sender ends in exactly one of: a Deliver
// event (in order), a Gap event (never arrived in time), or the Epoch
// event that abandoned it. Gap events are final: a number reported lost
// that arrives later is counted Late and not delivered.
//
// Costs: O(1) per message in order, O(log h) per message held out of
// order (h held for that sender); memory is bounded by MaxSenders and
// MaxHeld. A Tracker is not safe for concurrent use.
type Tracker[T any] struct {
	cfg     TrackerConfig
	emit    func(Event[T])
	senders map[uint64]*trackedSender[T]
	lru     trackedSender[T] // sentinel of the list by last seen, newest first
	waits   waitQueue[T]     // held messages in arrival order, for expiry
	held    int              // held messages, all senders
	peak    int              // most senders since the map was last rebuilt
	work    uint64           // messages delivered, gaps declared, senders dropped: Expire's budget
	// draining are senders whose held messages Expire left in order (its
	// work bound reached mid-drain): the next Expire, or the sender's
	// next message, delivers them first.
	draining []*trackedSender[T]
	stats    TrackerStats
}

// TrackerConfig bounds a Tracker. Zero values mean the defaults.
type TrackerConfig struct {
	// Window is how long a missing number is waited for once a later one
	// has arrived (default 200 ms).
	Window time.Duration
	// ForgetAfter drops a sender silent this long (default 1 h).
	ForgetAfter time.Duration
	// MaxSenders caps the senders tracked; beyond it the longest-silent
	// one is evicted (default 65,536).
	MaxSenders int
	// MaxHeld caps the messages held for one sender while it waits for a
	// missing number (default 65,536); MaxHeldTotal caps them for all
	// senders (default 1,048,576). Past either cap the oldest missing
	// number is declared lost at once.
	MaxHeld, MaxHeldTotal int
	// ExpireWork bounds one Expire call: messages released, gaps declared
	// and senders forgotten (default 512); the rest waits for the next
	// call. A caller that holds a lock around Expire sets it by what
	// each costs it (the collector's records cost 1-4 µs each).
	ExpireWork int
	// EpochJump and MaxRate define the sane window: a number farther from
	// the expected one than EpochJump + MaxRate x (seconds since the
	// sender was last heard) starts a new epoch instead of a gap
	// (defaults 1,048,576 and 10,000,000 per second).
	EpochJump, MaxRate uint64
}

func (c TrackerConfig) withDefaults() TrackerConfig {
	if c.Window <= 0 {
		c.Window = 200 * time.Millisecond
	}
	if c.ForgetAfter <= 0 {
		c.ForgetAfter = time.Hour
	}
	if c.MaxSenders <= 0 {
		c.MaxSenders = 65536
	}
	if c.MaxHeld <= 0 {
		c.MaxHeld = 65536
	}
	if c.ExpireWork <= 0 {
		c.ExpireWork = expireWork
	}
	if c.MaxHeldTotal <= 0 {
		c.MaxHeldTotal = 1 << 20
	}
	if c.EpochJump == 0 {
		c.EpochJump = 1 << 20
	}
	if c.MaxRate == 0 {
		c.MaxRate = 10_000_000
	}
	return c
}

// EventKind says what a tracker Event reports.
type EventKind uint8

// Kinds of Event.
const (
	// EventDeliver is a message, in its sender's order.
	EventDeliver EventKind = iota + 1
	// EventGap is a final loss: numbers First..Last (inclusive, modulo
	// 2^64) never arrived in time.
	EventGap
	// EventEpoch says the sender's numbers jumped beyond the sane window:
	// First is the number that was expected, Seq the new start (the
	// message that carried it is delivered right after). The numbers in
	// between are not counted as lost.
	EventEpoch
	// EventStart is the first message seen from a sender the tracker did
	// not know (Seq); numbers before it were not observed.
	EventStart
	// EventForget says a sender was dropped (Reason "silent" or
	// "evicted"); anything it had held was released first.
	EventForget
)

// Gap and forget reasons.
const (
	ReasonNetwork = "network" // the window passed without the number
	ReasonHeld    = "held"    // too many messages held: declared lost early
	ReasonRestart = "restart" // sent while the receiver was not running
	ReasonSilent  = "silent"
	ReasonEvicted = "evicted"
)

// Event is one outcome of a Tracker.
type Event[T any] struct {
	Kind        EventKind
	Sender      uint64
	Seq         uint64 // EventDeliver: its number; EventStart, EventEpoch: the new start
	Value       T      // EventDeliver: what Observe was given
	First, Last uint64 // EventGap: the lost numbers; EventEpoch: First is the number expected
	Reason      string // EventGap, EventForget
}

// Count returns how many numbers a gap covers.
func (e Event[T]) Count() uint64 { return e.Last - e.First + 1 }

// Verdict says what Observe did with a message.
type Verdict uint8

// Verdicts of Observe.
const (
	SeqNew   Verdict = iota + 1 // delivered at once (in order, or the first)
	SeqHeld                     // ahead of a missing number: held until it comes or the window passes
	SeqEpoch                    // started a new epoch and was delivered
	SeqDup                      // delivered or held already
	SeqLate                     // its number was already declared lost
	SeqOld                      // too far behind to tell a duplicate from a late one
)

// Accepted reports whether the message was, or will be, delivered.
func (v Verdict) Accepted() bool { return v == SeqNew || v == SeqHeld || v == SeqEpoch }

// String names the verdict.
func (v Verdict) String() string {
	switch v {
	case SeqNew:
		return "new"
	case SeqHeld:
		return "held"
	case SeqEpoch:
		return "epoch"
	case SeqDup:
		return "duplicate"
	case SeqLate:
		return "late"
	case SeqOld:
		return "old"
	}
	return fmt.Sprintf("verdict(%d)", uint8(v))
}

// SenderSeq is the sequence accounting of one sender.
type SenderSeq struct {
	Received   uint64 // accepted messages (delivered or held)
	Lost       uint64 // numbers declared lost (sum of its gaps)
	Duplicates uint64
	OutOfOrder uint64 // accepted after a higher number: filled a hole
	Late       uint64 // arrived after being declared lost
	Old        uint64 // too far behind to classify
	Epochs     uint64
	Highest    uint64 // the highest number accepted in the current epoch
	Held       int    // waiting for a missing number now
}

// TrackerStats totals a Tracker's accounting over all senders, the
// forgotten ones included.
type TrackerStats struct {
	Senders   int // tracked now
	Held      int // messages held now
	Received  uint64
	Lost      uint64
	Gaps      uint64
	Dups      uint64
	Late      uint64
	Old       uint64
	Epochs    uint64
	Evicted   uint64 // senders dropped to respect MaxSenders
	Forgotten uint64 // senders dropped after ForgetAfter of silence
}

type trackedSender[T any] struct {
	id         uint64
	next       uint64 // the number to deliver next
	lastSeen   time.Time
	gen        uint32 // bumped at each epoch: older wait entries are void
	gone       bool
	resumed    bool     // next was read from a previous run; its first gap is ReasonRestart
	draining   bool     // on Tracker.draining
	seen       seenBits // delivered numbers among the window below next
	heap       heldHeap[T]
	members    map[uint64]struct{} // the numbers in heap
	newer, old *trackedSender[T]   // lru links
	SenderSeq
}

// NewTracker returns a tracker that reports to emit. emit is called from
// within Observe, Expire and Flush, in order.
func NewTracker[T any](cfg TrackerConfig, emit func(Event[T])) *Tracker[T] {
	t := &Tracker[T]{cfg: cfg.withDefaults(), emit: emit, senders: map[uint64]*trackedSender[T]{}}
	t.lru.newer, t.lru.old = &t.lru, &t.lru
	return t
}

// Config returns the configuration in force (defaults filled in).
func (t *Tracker[T]) Config() TrackerConfig { return t.cfg }

// Observe takes message seq of sender, arrived at now, and says what it
// did with it. Deliveries and gaps it causes are emitted before it returns.
func (t *Tracker[T]) Observe(sender, seq uint64, v T, now time.Time) Verdict {
	s := t.senders[sender]
	if s == nil {
		s = t.add(sender, seq, now)
		t.emit(Event[T]{Kind: EventStart, Sender: sender, Seq: seq})
	}
	elapsed := now.Sub(s.lastSeen)
	t.touch(s, now)
	if s.inOrder() {
		t.drain(s) // what Expire left in order goes first
	}
	d := int64(seq - s.next)
	switch {
	case d == 0:
		if int64(s.Highest-seq) > 0 {
			s.OutOfOrder++
		}
		t.deliver(s, seq, v)
		t.drain(s)
		return SeqNew
	case d > 0 && uint64(d) <= t.saneJump(elapsed):
		return t.ahead(s, seq, v, now)
	case d < 0 && uint64(-d) <= seenWindow:
		if s.seen.has(seq) {
			s.Duplicates++
			t.stats.Dups++
			return SeqDup
		}
		s.Late++
		t.stats.Late++
		return SeqLate
	case d < 0 && uint64(-d) <= t.saneJump(elapsed):
		s.Old++
		t.stats.Old++
		return SeqOld
	}
	t.newEpoch(s, seq, now)
	t.deliver(s, seq, v)
	return SeqEpoch
}

// ahead handles a number beyond the next expected one.
func (t *Tracker[T]) ahead(s *trackedSender[T], seq uint64, v T, now time.Time) Verdict {
	if _, dup := s.members[seq]; dup {
		s.Duplicates++
		t.stats.Dups++
		return SeqDup
	}
	if s.resumed {
		// The first message after a restart: what came before it was sent
		// while we were not listening. Nothing in flight could still fill it.
		t.gap(s, s.next, seq-1, ReasonRestart)
		t.deliver(s, seq, v)
		t.drain(s)
		return SeqNew
	}
	for s.heap.len() >= t.cfg.MaxHeld || t.held >= t.cfg.MaxHeldTotal {
		if s.heap.len() == 0 {
			break
		}
		t.releaseTo(s, s.heap.min().seq, ReasonHeld)
		if seq == s.next {
			t.deliver(s, seq, v)
			t.drain(s)
			return SeqNew
		}
	}
	if s.members == nil {
		s.members = map[uint64]struct{}{}
	}
	s.members[seq] = struct{}{}
	s.heap.push(heldMsg[T]{seq: seq, v: v}, s.next)
	t.held++
	s.Received++
	t.stats.Received++
	if int64(seq-s.Highest) > 0 {
		s.Highest = seq
	} else {
		s.OutOfOrder++
	}
	t.waits.push(waitEntry[T]{at: now, s: s, seq: seq, gen: s.gen})
	return SeqHeld
}

// saneJump is how far a sender's numbers may move after elapsed of
// silence before it counts as a new epoch.
func (t *Tracker[T]) saneJump(elapsed time.Duration) uint64 {
	if elapsed < 0 {
		elapsed = 0
	}
	secs := elapsed.Seconds()
	extra := float64(t.cfg.MaxRate) * secs
	if extra >= float64(math.MaxUint64/4) {
		return math.MaxUint64 / 4
	}
	return t.cfg.EpochJump + uint64(extra)
}

// deliver emits seq as the next message of s.
func (t *Tracker[T]) deliver(s *trackedSender[T], seq uint64, v T) {
	t.work++
	s.seen.set(seq)
	s.next = seq + 1
	s.resumed = false
	if !(s.members != nil && hasMember(s.members, seq)) {
		// Held messages were counted as received when they came.
		s.Received++
		t.stats.Received++
	}
	if int64(seq-s.Highest) > 0 {
		s.Highest = seq
	}
	t.emit(Event[T]{Kind: EventDeliver, Sender: s.id, Seq: seq, Value: v})
}

func hasMember(m map[uint64]struct{}, seq uint64) bool { _, ok := m[seq]; return ok }

// drain delivers held messages that are now in order.
func (t *Tracker[T]) drain(s *trackedSender[T]) { t.drainTo(s, noLimit) }

// noLimit is the work ceiling of callers that finish what they start.
const noLimit = math.MaxUint64

// drainTo delivers held messages that are now in order until t.work
// reaches end; a sender left with some in order joins t.draining.
func (t *Tracker[T]) drainTo(s *trackedSender[T], end uint64) {
	for s.heap.len() > 0 && s.heap.min().seq == s.next && t.work < end {
		m := s.heap.pop(s.next)
		t.deliver(s, m.seq, m.v)
		delete(s.members, m.seq)
		t.held--
	}
	t.noteDraining(s)
}

// inOrder reports whether s holds its next number: a drain left
// unfinished.
func (s *trackedSender[T]) inOrder() bool { return s.heap.len() > 0 && s.heap.min().seq == s.next }

// noteDraining puts s on the list of senders whose drain Expire left
// unfinished, once.
func (t *Tracker[T]) noteDraining(s *trackedSender[T]) {
	if !s.draining && s.inOrder() {
		s.draining = true
		t.draining = append(t.draining, s)
	}
}

// releaseTo gives up on every missing number up to target (a held
// number): each run of missing numbers becomes one gap.
func (t *Tracker[T]) releaseTo(s *trackedSender[T], target uint64, reason string) {
	t.releaseToBefore(s, target, reason, noLimit)
}

// releaseToBefore is releaseTo stopping when t.work reaches end (an
// unfinished drain is noted); it reports whether it reached target.
func (t *Tracker[T]) releaseToBefore(s *trackedSender[T], target uint64, reason string, end uint64) (done bool) {
	for s.heap.len() > 0 && int64(s.heap.min().seq-target) <= 0 && t.work < end {
		m := s.heap.pop(s.next)
		if m.seq != s.next {
			t.gap(s, s.next, m.seq-1, reason)
		}
		t.deliver(s, m.seq, m.v)
		delete(s.members, m.seq)
		t.held--
		t.drainTo(s, end)
	}
	t.noteDraining(s)
	return s.heap.len() == 0 || int64(s.heap.min().seq-target) > 0
}

// gap declares first..last of s lost.
func (t *Tracker[T]) gap(s *trackedSender[T], first, last uint64, reason string) {
	t.work++
	n := last - first + 1
	s.seen.clear(first, last)
	s.next = last + 1
	s.resumed = false
	s.Lost += n
	t.stats.Lost += n
	t.stats.Gaps++
	t.emit(Event[T]{Kind: EventGap, Sender: s.id, First: first, Last: last, Reason: reason})
}

// newEpoch releases what s held and restarts its numbering at seq.
func (t *Tracker[T]) newEpoch(s *trackedSender[T], seq uint64, now time.Time) {
	t.flushSender(s)
	expected := s.next
	s.gen++
	s.seen = seenBits{}
	s.next = seq
	s.Highest = seq
	s.resumed = false
	s.Epochs++
	t.stats.Epochs++
	t.emit(Event[T]{Kind: EventEpoch, Sender: s.id, Seq: seq, First: expected})
}

// flushSender releases everything s holds, with gaps for what is missing.
func (t *Tracker[T]) flushSender(s *trackedSender[T]) {
	if s.heap.len() == 0 {
		return
	}
	t.releaseTo(s, s.heap.max(s.next), ReasonNetwork)
}

// Bounds on one Expire call (expireWork: the default of
// TrackerConfig.ExpireWork), so that a caller holding a lock for it (the
// collector holds its ingest lock) never holds it long; what is left is
// done by the next call (the collector calls again at once, releasing
// its lock in between, while Due says more is due). expireWork counts
// what costs: messages released, gaps declared and senders forgotten
// (300-500 ns each with the collector's spool records and 100,000
// servers, so ~0.25 ms per call); expireEntries bounds the wait entries
// looked at, most of them already settled (a pop each).
const (
	expireWork    = 512
	expireEntries = 2048
)

// shrinkMax is the largest sender map shrink rebuilds: rebuilding costs
// ~50-100 ns per sender, so a map of 25,000 (a quarter of a 100,000 peak)
// held a caller's lock for 1.6-2 ms. A larger map keeps
// its peak's memory (bounded by MaxSenders) until it falls below this.
const shrinkMax = 4096

// Expire declares lost every missing number that a later one has waited
// for longer than the window, and forgets senders silent past
// ForgetAfter. Call it regularly (a few times per window); one call does
// a bounded amount of work (ExpireWork events, even amid one sender's
// long run of held messages) and leaves the rest for the next (Due says
// whether some is left).
func (t *Tracker[T]) Expire(now time.Time) {
	end := t.work + uint64(t.cfg.ExpireWork)
	t.shrink()
	for len(t.draining) > 0 && t.work < end { // drains the last call left
		s := t.draining[len(t.draining)-1]
		if !s.gone {
			t.drainTo(s, end)
		}
		if s.gone || !s.inOrder() {
			s.draining = false
			t.draining[len(t.draining)-1] = nil
			t.draining = t.draining[:len(t.draining)-1]
		}
	}
	for n := 0; n < expireEntries && t.work < end && t.waits.len() > 0; n++ {
		e := t.waits.peek()
		if now.Sub(e.at) < t.cfg.Window {
			break
		}
		s := e.s
		if !(s.gone || e.gen != s.gen || int64(e.seq-s.next) < 0) && // not delivered, its sender and epoch not gone
			!t.releaseToBefore(s, e.seq, ReasonNetwork, end) {
			break // the work bound came first: the entry stays for the next call
		}
		t.waits.pop()
	}
	for s := t.lru.old; t.work < end && s != &t.lru && now.Sub(s.lastSeen) >= t.cfg.ForgetAfter; s = t.lru.old {
		t.drop(s, ReasonSilent)
	}
	if len(t.senders) == 0 {
		t.waits = waitQueue[T]{} // every entry left is void
		clear(t.draining)
		t.draining = t.draining[:0]
	}
}

// Due reports whether Expire has work left at now: a wait past the
// window, or a sender silent past ForgetAfter.
func (t *Tracker[T]) Due(now time.Time) bool {
	if len(t.draining) > 0 {
		return true
	}
	if t.waits.len() > 0 && now.Sub(t.waits.peek().at) >= t.cfg.Window {
		return true
	}
	s := t.lru.old
	return s != &t.lru && now.Sub(s.lastSeen) >= t.cfg.ForgetAfter
}

// shrink rebuilds the sender map once it holds a quarter of its peak
// (and at most shrinkMax senders): Go maps never give memory back by
// themselves. Expire calls it first and counts four senders rebuilt as
// one unit of its work.
func (t *Tracker[T]) shrink() {
	if t.peak < 1024 || len(t.senders) > t.peak/4 || len(t.senders) > shrinkMax {
		return
	}
	t.work += uint64(len(t.senders) / 4)
	// From the list, not the map: ranging over a map costs its peak
	// capacity (1 ms for a map that held 100,000), the list its length.
	m := make(map[uint64]*trackedSender[T], len(t.senders))
	for s := t.lru.newer; s != &t.lru; s = s.newer {
		m[s.id] = s
	}
	t.senders, t.peak = m, len(m)
}

// Flush releases everything held by every sender (at shutdown), with gaps
// for what is missing.
func (t *Tracker[T]) Flush() {
	for s := t.lru.newer; s != &t.lru; s = s.newer {
		t.flushSender(s)
	}
	t.waits = waitQueue[T]{}
}

// Resume tells the tracker where a sender stood in an earlier run (the
// last number written and when): its next message is in order if it is
// last+1, a ReasonRestart gap covers what came in between, and anything
// at or below last is a duplicate or old.
func (t *Tracker[T]) Resume(sender, last uint64, seen time.Time) {
	if t.senders[sender] != nil {
		return
	}
	s := t.add(sender, last+1, seen)
	s.seen.fill() // whatever comes from below is a replay of what was written
	s.resumed = true
}

// Known reports whether sender is tracked.
func (t *Tracker[T]) Known(sender uint64) bool { return t.senders[sender] != nil }

// Sender returns one sender's accounting.
func (t *Tracker[T]) Sender(sender uint64) (SenderSeq, bool) {
	s := t.senders[sender]
	if s == nil {
		return SenderSeq{}, false
	}
	ss := s.SenderSeq
	ss.Held = s.heap.len()
	return ss, true
}

// Each calls f for every tracked sender, newest first.
func (t *Tracker[T]) Each(f func(sender uint64, s SenderSeq)) {
	for s := t.lru.newer; s != &t.lru; s = s.newer {
		ss := s.SenderSeq
		ss.Held = s.heap.len()
		f(s.id, ss)
	}
}

// Stats returns the totals.
func (t *Tracker[T]) Stats() TrackerStats {
	st := t.stats
	st.Senders = len(t.senders)
	st.Held = t.held
	return st
}

// add starts tracking sender at next, evicting the longest-silent sender
// when the tracker is full.
func (t *Tracker[T]) add(sender, next uint64, now time.Time) *trackedSender[T] {
	for len(t.senders) >= t.cfg.MaxSenders && t.lru.old != &t.lru {
		t.drop(t.lru.old, ReasonEvicted)
	}
	s := &trackedSender[T]{id: sender, next: next, lastSeen: now}
	s.Highest = next - 1
	t.senders[sender] = s
	t.peak = max(t.peak, len(t.senders))
	s.newer, s.old = t.lru.newer, &t.lru
	t.lru.newer.old = s
	t.lru.newer = s
	return s
}

// touch marks s heard at now: it moves to the front of the list.
func (t *Tracker[T]) touch(s *trackedSender[T], now time.Time) {
	if now.After(s.lastSeen) {
		s.lastSeen = now
	}
	if t.lru.newer == s {
		return
	}
	s.old.newer, s.newer.old = s.newer, s.old
	s.newer, s.old = t.lru.newer, &t.lru
	t.lru.newer.old = s
	t.lru.newer = s
}

// drop forgets s after releasing what it held.
func (t *Tracker[T]) drop(s *trackedSender[T], reason string) {
	t.work++
	t.flushSender(s)
	s.old.newer, s.newer.old = s.newer, s.old
	s.newer, s.old = nil, nil
	s.gone = true
	s.heap, s.members = nil, nil // wait entries may still point at s until they expire
	delete(t.senders, s.id)
	if reason == ReasonEvicted {
		t.stats.Evicted++
	} else {
		t.stats.Forgotten++
	}
	t.emit(Event[T]{Kind: EventForget, Sender: s.id, Reason: reason})
}
