package shmstat

import "sync/atomic"

// Probe is one word in this process's slot that says where a worker is.
// Here stores the caller's program counter (readers resolve it to
// function, file and line); Mark stores a named site such as "waiting on
// queue". Give each worker goroutine its own probe.
//
// The word field must stay first: the assembly of Here relies on it.
type Probe struct {
	word *uint64
	seg  *Segment
}

// Mark records that the worker is at the named site. The first Mark of a
// site registers it; later ones cost a map lookup and a store.
func (p *Probe) Mark(site string) {
	if probesOff {
		return
	}
	atomic.StoreUint64(p.word, p.seg.site(site))
}

// Clear records that the worker is nowhere in particular (idle).
func (p *Probe) Clear() {
	if probesOff {
		return
	}
	atomic.StoreUint64(p.word, 0)
}
