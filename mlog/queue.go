package mlog

import (
	"sync/atomic"
)

// queue is the sender's bounded multi-producer, single-consumer ring of
// encoded datagrams (D. Vyukov's bounded queue). A caller claims a slot
// with one compare-and-swap, encodes its record straight into the slot's
// own buffer and publishes it with one atomic store; the writer goroutine
// reads published slots in claim order and releases them. No lock, no
// channel, no allocation per record: each slot keeps its buffer for the
// life of the Bus (allocated the first time the slot is used).
//
// Callers never wait. When every slot is claimed, claim fails and the
// record is dropped. A caller stopped between claim and publish holds up
// the writer at its slot (later slots wait behind it, in order) but no
// other caller: they go on claiming until the ring is full, then drop.
type queue struct {
	slots []slot
	mask  uint64
	_     [cacheLine - 24 - 8]byte
	tail  atomic.Uint64 // next position to claim (callers)
	_     [cacheLine - 8]byte
	head  uint64 // next position to read (writer only)
}

// cacheLine keeps what different goroutines write on different lines.
const cacheLine = 64

// slot is one cell of the ring. seq says whose turn it is: pos when
// position pos may claim it, pos+1 once pos is published, pos+len when
// the writer has released it for the next lap.
type slot struct {
	seq atomic.Uint64
	buf []byte // the encoded datagram; empty: skip (encoding failed)
	_   [cacheLine - 8 - 24]byte
}

// newQueue returns a ring of at least n slots (rounded up to a power of two).
func newQueue(n int) *queue {
	size := 1
	for size < n {
		size <<= 1
	}
	q := &queue{slots: make([]slot, size), mask: uint64(size - 1)}
	for i := range q.slots {
		q.slots[i].seq.Store(uint64(i))
	}
	return q
}

// claim reserves the next slot for one datagram, or reports false when
// the ring is full. The caller must publish the slot it got.
func (q *queue) claim() (*slot, uint64, bool) {
	pos := q.tail.Load()
	for {
		s := &q.slots[pos&q.mask]
		switch d := int64(s.seq.Load() - pos); {
		case d == 0:
			if q.tail.CompareAndSwap(pos, pos+1) {
				return s, pos, true
			}
			pos = q.tail.Load()
		case d < 0:
			return nil, 0, false // the writer has not released this slot yet: full
		default:
			pos = q.tail.Load() // another caller took pos meanwhile
		}
	}
}

// publish hands the slot claimed at pos to the writer.
func (q *queue) publish(s *slot, pos uint64) { s.seq.Store(pos + 1) }

// peek returns the i-th slot after the read position if it is published
// (writer only).
func (q *queue) peek(i int) *slot {
	pos := q.head + uint64(i)
	s := &q.slots[pos&q.mask]
	if s.seq.Load() != pos+1 {
		return nil
	}
	return s
}

// release returns the n slots at the read position, read with peek, to
// the callers (writer only).
func (q *queue) release(n int) {
	for ; n > 0; n-- {
		q.slots[q.head&q.mask].seq.Store(q.head + q.mask + 1)
		q.head++
	}
}
