package shmstat

import (
	"sync"
	"sync/atomic"
	"time"
)

// Counter is a monotonic count. Add is one atomic add on the shared word.
type Counter struct{ p *uint64 }

// Add adds n.
func (c *Counter) Add(n uint64) { atomic.AddUint64(c.p, n) }

// Inc adds one.
func (c *Counter) Inc() { atomic.AddUint64(c.p, 1) }

// Load returns the current count.
func (c *Counter) Load() uint64 { return atomic.LoadUint64(c.p) }

// Gauge is a value that goes up and down, such as a queue length.
type Gauge struct{ p *uint64 }

// Set sets the value.
func (g *Gauge) Set(v int64) { atomic.StoreUint64(g.p, uint64(v)) }

// Add adds d, which may be negative.
func (g *Gauge) Add(d int64) { atomic.AddUint64(g.p, uint64(d)) }

// Inc adds one.
func (g *Gauge) Inc() { atomic.AddUint64(g.p, 1) }

// Dec subtracts one.
func (g *Gauge) Dec() { atomic.AddUint64(g.p, ^uint64(0)) }

// Load returns the current value.
func (g *Gauge) Load() int64 { return int64(atomic.LoadUint64(g.p)) }

// Sequence hands out numbers unique across every process attached to the
// segment.
type Sequence struct{ p *uint64 }

// Next returns the next number, starting at 1.
func (q *Sequence) Next() uint64 { return atomic.AddUint64(q.p, 1) }

// Load is a busy/idle meter for one worker. Call Busy when work starts and
// Idle when it ends; readers compute the share of time busy over any
// window. Each call costs a clock read and a few stores. One goroutine
// should drive a given Load.
type Load struct {
	m   mem
	off uint64
}

// Busy marks the worker busy from now. Calling it while busy does nothing.
func (l *Load) Busy() {
	if l.m.loadI64(l.off+lOffBusySince) != 0 {
		return
	}
	now := nanotime()
	seq := l.m.load64(l.off + lOffSeq)
	l.m.store64(l.off+lOffSeq, seq+1)
	l.m.storeI64(l.off+lOffBusySince, now)
	l.m.store64(l.off+lOffSeq, seq+2)
}

// Idle marks the worker idle from now, adding the busy period to the total.
func (l *Load) Idle() {
	since := l.m.loadI64(l.off + lOffBusySince)
	if since == 0 {
		return
	}
	d := nanotime() - since
	if d < 0 {
		d = 0
	}
	seq := l.m.load64(l.off + lOffSeq)
	l.m.store64(l.off+lOffSeq, seq+1)
	l.m.store64(l.off+lOffBusyNanos, l.m.load64(l.off+lOffBusyNanos)+uint64(d))
	l.m.storeI64(l.off+lOffBusySince, 0)
	l.m.store64(l.off+lOffSeq, seq+2)
}

// Task records the runs of a periodic job: when it last started, how it
// last ended, and whether it is overdue. Its record is published with a
// seqlock, so readers never see half an update.
type Task struct {
	m   mem
	off uint64
}

// Start records the start of a run. It returns false, recording nothing,
// when the previous run has not finished: the caller should not start
// another (see Running).
func (t *Task) Start() bool {
	if !atomic.CompareAndSwapUint64(t.m.u64p(t.off+taskOffRunning), 0, 1) {
		return false
	}
	t.update(func() {
		t.m.storeI64(t.off+taskOffStart, time.Now().UnixNano())
	})
	return true
}

// Running reports whether a run is in progress and since when.
func (t *Task) Running() (bool, time.Time) {
	if t.m.load64(t.off+taskOffRunning) == 0 {
		return false, time.Time{}
	}
	return true, unixTime(t.m.loadI64(t.off + taskOffStart))
}

// Done records the end of a run: success when err is nil, else failure
// with err's text as the message.
func (t *Task) Done(err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	t.finish(err == nil, msg)
}

// DoneNote records a successful end with a note, such as "copied 12 blocks".
func (t *Task) DoneNote(note string) { t.finish(true, note) }

func (t *Task) finish(ok bool, msg string) {
	if len(msg) > taskMsgCap {
		msg = msg[:taskMsgCap]
	}
	now := time.Now().UnixNano()
	t.update(func() {
		m, o := t.m, t.off
		m.store64(o+taskOffRunning, 0)
		m.storeI64(o+taskOffEnd, now)
		m.store64(o+taskOffRuns, m.load64(o+taskOffRuns)+1)
		if ok {
			m.store64(o+taskOffResult, uint64(ResultOK))
			m.storeI64(o+taskOffSuccess, now)
		} else {
			m.store64(o+taskOffResult, uint64(ResultFailed))
			m.store64(o+taskOffFails, m.load64(o+taskOffFails)+1)
		}
		m.store64(o+taskOffMsgLen, uint64(len(msg)))
		m.storeBytes(o+taskOffMsg, []byte(msg))
	})
}

// update runs fn inside the task's seqlock.
func (t *Task) update(fn func()) {
	seq := t.m.load64(t.off + taskOffSeq)
	t.m.store64(t.off+taskOffSeq, seq+1)
	fn()
	t.m.store64(t.off+taskOffSeq, seq+2)
}

// text is a short string record behind a seqlock. The mutex keeps two
// goroutines of this process from writing it at once.
type text struct {
	mu  sync.Mutex
	m   mem
	off uint64
}

func (x *text) set(s string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(s) > textCap {
		s = s[:textCap]
	}
	seq := x.m.load64(x.off + tOffSeq)
	x.m.store64(x.off+tOffSeq, seq+1)
	x.m.store64(x.off+tOffLen, uint64(len(s)))
	x.m.storeBytes(x.off+tOffText, []byte(s))
	x.m.store64(x.off+tOffSeq, seq+2)
}

// Flag is a named debug category of this process. On costs one atomic load.
type Flag struct {
	word *uint64
	bit  uint64
}

// On reports whether the flag is set in this process's slot.
func (f Flag) On() bool { return f.word != nil && atomic.LoadUint64(f.word)&f.bit != 0 }

// Set turns the flag on or off in this process's slot.
func (f Flag) Set(on bool) {
	if f.word == nil {
		return
	}
	for {
		old := atomic.LoadUint64(f.word)
		nw := old &^ f.bit
		if on {
			nw |= f.bit
		}
		if atomic.CompareAndSwapUint64(f.word, old, nw) {
			return
		}
	}
}
