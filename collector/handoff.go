package collector

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// Ingest never waits for maintenance. When the ingest lock is held (a
// tick, a scoreboard chunk), Ingest hands its message to the holder
// instead of waiting: it appends it to the handoff, and whoever holds
// the lock ingests what was handed off before it lets go (unlock). The
// receive loop goes back to its socket at once, so a holder the machine
// takes off the CPU while it holds the lock delays the handed-off
// messages, not the receiving of the next ones.
//
// Order is kept: a message waits in the handoff only while the lock is
// held, and every holder, Ingest included, ingests the handoff first, in
// the order it was handed off, before anything of its own.
//
// No message is left behind: Ingest appends, then tries the lock once
// more; a holder lets go, then looks at the handoff again. Go's atomics
// are sequentially consistent, so either Ingest's second try finds the
// lock free, or the holder, after letting go, sees the message.
type handoff struct {
	mu    sync.Mutex    // held only to append or to swap the slices
	msgs  []handedOff   // waiting, in the order handed off
	spare []handedOff   // the other buffer, being ingested
	n     atomic.Int64  // len(msgs), read without mu
	total atomic.Uint64 // messages ever handed off
	full  atomic.Uint64 // times the handoff was full and Ingest waited for the lock
	_     [0]func()     // not comparable
}

// handedOff is a message Ingest could not ingest at once, and when it came.
type handedOff struct {
	m   mlog.Received
	now time.Time
}

// handoffMax bounds the handoff: at 500,000 messages a second, 8,192 is
// 16 ms of a holder's absence. Past it Ingest waits for the lock (and
// counts it), so the handoff's memory, and the work a holder may find
// waiting for it, stay bounded.
const handoffMax = 8192

// put appends m unless the handoff is full.
func (h *handoff) put(m *mlog.Received, now time.Time) bool {
	h.mu.Lock()
	if len(h.msgs) >= handoffMax {
		h.mu.Unlock()
		h.full.Add(1)
		return false
	}
	h.msgs = append(h.msgs, handedOff{*m, now})
	h.n.Store(int64(len(h.msgs)))
	h.mu.Unlock()
	h.total.Add(1)
	return true
}

// take returns what waits, emptying the handoff (the caller holds the
// ingest lock, so only one take runs at a time). The slice is valid until
// the next take.
func (h *handoff) take() []handedOff {
	if h.n.Load() == 0 {
		return nil
	}
	h.mu.Lock()
	got := h.msgs
	h.msgs, h.spare = h.spare[:0], got
	h.n.Store(0)
	h.mu.Unlock()
	return got
}

// ingestHandedOff ingests what waits in the handoff (c.mu held).
func (c *Collector) ingestHandedOff() {
	got := c.handoff.take()
	for i := range got {
		c.ingestLocked(&got[i].m, got[i].now)
		got[i] = handedOff{} // let go of the message's strings
	}
}

// unlock ingests what was handed off, then releases the ingest lock, and
// takes it again if more was handed off meanwhile. Every holder of c.mu
// lets go through unlock.
func (c *Collector) unlock() {
	for {
		c.ingestHandedOff()
		c.mu.Unlock()
		if c.handoff.n.Load() == 0 || !c.mu.TryLock() {
			return
		}
	}
}
