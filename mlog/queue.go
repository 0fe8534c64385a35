package mlog

import (
	"sync/atomic"
)

// queue is the sender's bounded multi-producer, single-consumer ring of
// encoded datagrams (D. Vyukov's bounded queue). A caller claims a slot
// with one compare-and-swap, encodes its record straight into a buffer
// the slot names and publishes it with one atomic store; the writer goroutine
// reads published slots in claim order and releases them. No lock, no
// channel, no allocation per record.
//
// Buffers are not tied to slots: a ring walks all its memory, and with
// a buffer per slot a ring of 65,536 slots cycled through 32 MiB, a cache
// miss on every line of every record (twice the caller's own cost). A
// caller takes the buffer the writer freed last from a LIFO stack (free),
// so the few buffers in flight stay in cache; a buffer is allocated the
// first time the stack hands it out and kept for the life of the Bus.
// A record the writer encodes (pending.go) waits in the record store of
// its buffer index, allocated the same way. Memory: 52 bytes per slot
// (slot, buffer header, record pointer, stack link: 213 KB for the
// default 4,096) plus the buffers and records that were ever in flight
// at once.
//
// Callers never wait. When every slot is claimed, claim fails and the
// record is dropped. A caller stopped between claim and publish holds up
// the writer at its slot (later slots wait behind it, in order) but no
// other caller: they go on claiming until the ring is full, then drop.
type queue struct {
	slots []slot
	mask  uint64
	bufs  [][]byte        // buffers, by index; owned by whoever popped the index
	recs  []*pending      // records waiting to be encoded, by buffer index (pending.go)
	next  []atomic.Uint32 // free stack links: index+1 of the next free buffer, 0 at the bottom
	_     [2*cacheLine - 24 - 8 - 24 - 24 - 24]byte
	tail  atomic.Uint64 // next position to claim (callers)
	_     [cacheLine - 8]byte
	free  atomic.Uint64 // free stack top: version<<32 | index+1 (0: empty)
	_     [cacheLine - 8]byte
	head  uint64 // next position to read (writer only)
}

// cacheLine keeps what different goroutines write on different lines.
const cacheLine = 64

// slot is one cell of the ring. seq says whose turn it is: pos when
// position pos may claim it, pos+1 once pos is published, pos+size (the
// ring's size) when the writer has released it for the next lap.
//
// A slot is 16 bytes, its datagram lives in the buffer it names: the ring
// walks QueueLen x 16 bytes (1 MiB for 65,536 slots), four slots a line.
// The datagram's length travels in the slot (a line the caller writes
// anyway), so the buffer's slice header is written only when it grows.
type slot struct {
	seq atomic.Uint64
	bi  uint32 // index in queue.bufs of the buffer holding the datagram
	n   uint32 // the datagram's length; 0: skipped (encoding failed)
}

// newQueue returns a ring of at least n slots (rounded up to a power of two).
func newQueue(n int) *queue {
	size := 1
	for size < n {
		size <<= 1
	}
	q := &queue{slots: make([]slot, size), mask: uint64(size - 1), bufs: make([][]byte, size), recs: make([]*pending, size), next: make([]atomic.Uint32, size)}
	for i := range q.slots {
		q.slots[i].seq.Store(uint64(i))
		q.next[i].Store(uint32(i + 2)) // i+1 is below i on the stack
	}
	q.next[size-1].Store(0)
	q.free.Store(1)
	return q
}

// pop takes a free buffer index. There are as many buffers as slots and
// the writer frees a slot's buffer before the slot, so a caller holding
// a claimed slot always finds one. The version in the top word makes a
// stale compare-and-swap fail (ABA) unless exactly 2^32 pops and pushes
// happened while one caller was stopped between its load and its CAS.
func (q *queue) pop() uint32 {
	for {
		h := q.free.Load()
		i := uint32(h)
		if i == 0 {
			panic("mlog: queue: no free buffer for a claimed slot")
		}
		n := q.next[i-1].Load()
		if q.free.CompareAndSwap(h, (h>>32+1)<<32|uint64(n)) {
			return i - 1
		}
	}
}

// push frees the buffer indexes in idx (writer only), with one
// compare-and-swap; the first of idx ends on top.
func (q *queue) push(idx []uint32) {
	if len(idx) == 0 {
		return
	}
	for j := 0; j+1 < len(idx); j++ {
		q.next[idx[j]].Store(idx[j+1] + 1)
	}
	last := idx[len(idx)-1]
	for {
		h := q.free.Load()
		q.next[last].Store(uint32(h))
		if q.free.CompareAndSwap(h, (h>>32+1)<<32|uint64(idx[0]+1)) {
			return
		}
	}
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
