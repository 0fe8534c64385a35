package mlog

import "time"

// seenWindow is how far below the next expected number a tracker still
// tells a duplicate from a late arrival.
const seenWindow = 1024

// seenBits remembers, for the seenWindow numbers below a sender's next
// expected one, which were delivered (set) and which declared lost.
type seenBits [seenWindow / 64]uint64

func (b *seenBits) set(n uint64)      { b[n%seenWindow/64] |= 1 << (n % 64) }
func (b *seenBits) has(n uint64) bool { return b[n%seenWindow/64]&(1<<(n%64)) != 0 }
func (b *seenBits) fill() {
	for i := range b {
		b[i] = ^uint64(0)
	}
}

// clear marks first..last (modulo 2^64) as not delivered.
func (b *seenBits) clear(first, last uint64) {
	if last-first+1 >= seenWindow || last-first+1 == 0 {
		*b = seenBits{}
		return
	}
	for n := first; ; n++ {
		b[n%seenWindow/64] &^= 1 << (n % 64)
		if n == last {
			return
		}
	}
}

// heldMsg is a message waiting for an earlier number.
type heldMsg[T any] struct {
	seq uint64
	v   T
}

// heldHeap is a binary min-heap of held messages ordered by distance
// from base (the sender's next number), so that numbering wrap-around
// keeps the order.
type heldHeap[T any] []heldMsg[T]

func (h heldHeap[T]) len() int        { return len(h) }
func (h heldHeap[T]) min() heldMsg[T] { return h[0] }
func less(a, b, base uint64) bool     { return a-base < b-base }
func (h *heldHeap[T]) push(m heldMsg[T], base uint64) {
	*h = append(*h, m)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if !less(a[i].seq, a[p].seq, base) {
			break
		}
		a[i], a[p] = a[p], a[i]
		i = p
	}
}

func (h *heldHeap[T]) pop(base uint64) heldMsg[T] {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	var zero heldMsg[T]
	a[last] = zero
	a = a[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(a) && less(a[l].seq, a[m].seq, base) {
			m = l
		}
		if r < len(a) && less(a[r].seq, a[m].seq, base) {
			m = r
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	if len(a) == 0 {
		a = nil // give the memory back once a burst is over
	}
	*h = a
	return top
}

// max returns the farthest held number from base (a scan; rare).
func (h heldHeap[T]) max(base uint64) uint64 {
	m := h[0].seq
	for _, x := range h {
		if less(m, x.seq, base) {
			m = x.seq
		}
	}
	return m
}

// waitEntry is a held message's place in the expiry queue.
type waitEntry[T any] struct {
	at  time.Time
	s   *trackedSender[T]
	seq uint64
	gen uint32
}

// waitQueue is a FIFO of wait entries; arrival times only grow, so the
// head is always the oldest.
type waitQueue[T any] struct {
	q    []waitEntry[T]
	head int
}

func (w *waitQueue[T]) len() int            { return len(w.q) - w.head }
func (w *waitQueue[T]) peek() waitEntry[T]  { return w.q[w.head] }
func (w *waitQueue[T]) push(e waitEntry[T]) { w.q = append(w.q, e) }
func (w *waitQueue[T]) pop() {
	w.q[w.head] = waitEntry[T]{}
	w.head++
	switch {
	case w.head == len(w.q):
		w.q, w.head = w.q[:0], 0
		if cap(w.q) > 4096 {
			w.q = nil
		}
	case w.head > 1024 && w.head*2 > len(w.q):
		n := copy(w.q, w.q[w.head:])
		w.q, w.head = w.q[:n], 0
	}
}
