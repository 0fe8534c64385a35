package mlog

import (
	"sync/atomic"
)

// queue is the sender's bounded multi-producer, single-consumer ring of
// encoded datagrams (D. Vyukov's bounded queue). A caller claims a slot
// and a free buffer together with one compare-and-swap, encodes its
// record straight into the buffer (or leaves it for the writer,
// pending.go) and publishes the slot with one atomic store; the writer
// goroutine reads published slots in claim order and releases them. No
// lock, no channel, no allocation per record.
//
// Buffers are not tied to slots: a ring walks all its memory, and with
// a buffer per slot a ring of 65,536 slots cycled through 32 MiB, a cache
// miss on every line of every record (twice the caller's own cost). A
// caller takes the buffer the writer freed last from a LIFO stack, so
// the few buffers in flight stay in cache; a buffer is allocated the
// first time the stack hands it out and kept for the life of the Bus.
// A record the writer encodes (pending.go) waits in the record store of
// its buffer index, allocated the same way. Memory: 52 bytes per slot
// (slot, buffer header, record pointer, stack link: 213 KB for the
// default 4,096) plus the buffers and records that were ever in flight
// at once.
//
// The next position to claim and the top of the free stack share one
// word (claim), so that claiming a slot and popping a buffer is one
// compare-and-swap, not two (4-5 ns of the caller's ~28). Positions are
// 32 bits and wrap (every 4.3 G records, 72 minutes at a million a
// second): every comparison of positions is modulo 2^32, which holds as
// long as the ring is far smaller than 2^31 slots (MaxQueueLen).
//
// Callers never wait. When every slot is claimed, claim fails and the
// record is dropped. A caller stopped between claim and publish holds up
// the writer at its slot (later slots wait behind it, in order) but no
// other caller: they go on claiming until the ring is full, then drop.
type queue struct {
	slots []slot
	mask  uint32
	bufs  [][]byte        // buffers, by index; owned by whoever popped the index
	recs  []*pending      // records waiting to be encoded, by buffer index (pending.go)
	next  []atomic.Uint32 // free stack links: index+1 of the next free buffer, 0 at the bottom
	_     [2*cacheLine - 24 - 8 - 24 - 24 - 24]byte
	claim atomic.Uint64 // next position to claim <<32 | free stack top (index+1, 0: empty)
	_     [cacheLine - 8]byte
	head  uint32 // next position to read (writer only)
}

// cacheLine keeps what different goroutines write on different lines.
const cacheLine = 64

// slot is one cell of the ring. seq says whose turn it is: pos when
// position pos may claim it, pos+1 once pos is published, pos+size (the
// ring's size) when the writer has released it for the next lap, all
// modulo 2^32.
//
// A slot is 16 bytes, its datagram lives in the buffer it names: the ring
// walks QueueLen x 16 bytes (1 MiB for 65,536 slots), four slots a line.
// The datagram's length travels in the slot (a line the caller writes
// anyway), so the buffer's slice header is written only when it grows.
type slot struct {
	seq atomic.Uint32
	bi  uint32 // index in queue.bufs of the buffer holding the datagram
	n   uint32 // the datagram's length; 0: skipped (encoding failed)
	_   uint32 // four slots a cache line
}

// newQueue returns a ring of at least n slots (rounded up to a power of
// two), at most MaxQueueLen.
func newQueue(n int) *queue { return newQueueAt(n, 0) }

// newQueueAt returns a ring whose first position is start (tests start
// it just before positions wrap).
func newQueueAt(n int, start uint32) *queue {
	size := 1
	for size < min(n, MaxQueueLen) {
		size <<= 1
	}
	q := &queue{slots: make([]slot, size), mask: uint32(size - 1), bufs: make([][]byte, size), recs: make([]*pending, size), next: make([]atomic.Uint32, size)}
	for i := range size {
		pos := start + uint32(i)
		q.slots[pos&q.mask].seq.Store(pos)
		q.next[i].Store(uint32(i + 2)) // i+1 is below i on the stack
	}
	q.next[size-1].Store(0)
	q.claim.Store(uint64(start)<<32 | 1)
	q.head = start
	return q
}

// push frees the buffer indexes in idx (writer only), with one
// compare-and-swap; the first of idx ends on top. It leaves the claim
// position alone.
func (q *queue) push(idx []uint32) {
	if len(idx) == 0 {
		return
	}
	for j := 0; j+1 < len(idx); j++ {
		q.next[idx[j]].Store(idx[j+1] + 1)
	}
	last := idx[len(idx)-1]
	for {
		w := q.claim.Load()
		q.next[last].Store(uint32(w))
		if q.claim.CompareAndSwap(w, w&^0xffffffff|uint64(idx[0]+1)) {
			return
		}
	}
}

// reserve reserves the next slot for one datagram and pops a free buffer
// index for it, with one compare-and-swap, or reports false when the
// ring is full. The caller must publish the slot it got.
//
// The compare-and-swap cannot succeed on a stale word (ABA): only claims
// pop, and every claim moves the position, so the word comes back to a
// value only after 2^32 claims while this caller was stopped between its
// load and its swap. Pushes change the top alone, never back to an index
// still on the stack. The writer frees a slot's buffer before the slot,
// so a caller that finds its slot released finds a buffer too, in a word
// loaded after the release.
func (q *queue) reserve() (s *slot, pos, bi uint32, ok bool) {
	w := q.claim.Load()
	for {
		pos, top := uint32(w>>32), uint32(w)
		s := &q.slots[pos&q.mask]
		switch d := int32(s.seq.Load() - pos); {
		case d == 0 && top != 0:
			n := q.next[top-1].Load()
			if q.claim.CompareAndSwap(w, uint64(pos+1)<<32|uint64(n)) {
				return s, pos, top - 1, true
			}
			w = q.claim.Load()
		case d < 0:
			return nil, 0, 0, false // the writer has not released this slot yet: full
		default:
			// Another caller took pos meanwhile, or the word predates
			// the push that freed this slot's buffer.
			w = q.claim.Load()
		}
	}
}

// publish hands the slot claimed at pos to the writer.
func (q *queue) publish(s *slot, pos uint32) { s.seq.Store(pos + 1) }

// peek returns the i-th slot after the read position if it is published
// (writer only).
func (q *queue) peek(i int) *slot {
	pos := q.head + uint32(i)
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
