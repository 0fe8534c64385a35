package collector

import (
	"runtime"
	"sync/atomic"
	"time"
)

// The ingest lock (Collector.mu) is taken by Ingest for one message and
// by maintenance for a bounded piece of work at a time. holdMeter keeps
// the longest time each maintenance operation held it, so that "no
// ingest waits longer than one piece of maintenance" is a measured claim:
// as wall time, and as the CPU time of the holding thread, which is the
// work the operation did (wall time less what the machine took away:
// the thread descheduled while it held the lock).
type holdMeter struct {
	wall, cpu [numHoldOps]atomic.Int64 // the longest so far, ns
}

// holdOp is a maintenance operation that takes the ingest lock.
type holdOp int

const (
	holdTick       holdOp = iota // the ticker: reorder window settled, silent senders and servers forgotten
	holdBoardHead                // Scoreboard: the totals and the jobs
	holdBoardChunk               // Scoreboard: one chunk of serverChunk rows copied
	numHoldOps
)

var holdOpNames = [numHoldOps]string{"tick", "board-head", "board-chunk"}

func (o holdOp) String() string { return holdOpNames[o] }

// held is when a maintenance hold began.
type held struct {
	wall time.Time
	cpu  time.Duration
}

// lockFor takes the ingest lock for maintenance. It yields first, so
// that the hold starts a fresh time slice: Go preempts a goroutine that
// ran 10 ms, and a maintenance goroutine that runs chunk after chunk
// would otherwise be preempted while it holds the lock, the lock then
// held while other goroutines run. The goroutine stays on its thread
// until unlockFor, so the thread's CPU clock measures the hold.
func (c *Collector) lockFor() held {
	runtime.Gosched()
	runtime.LockOSThread()
	c.mu.Lock()
	return held{time.Now(), threadCPU()}
}

// unlockFor releases the ingest lock taken by lockFor and notes how long
// op held it.
func (c *Collector) unlockFor(op holdOp, h held) {
	cpu := threadCPU() - h.cpu
	wall := time.Since(h.wall)
	c.unlock()
	runtime.UnlockOSThread()
	c.holds.note(op, wall, cpu)
}

func (m *holdMeter) note(op holdOp, wall, cpu time.Duration) {
	storeMax(&m.wall[op], int64(wall))
	storeMax(&m.cpu[op], int64(cpu))
}

// max returns the longest hold of op so far: wall time and the thread's
// CPU time (0 where the platform has no thread clock).
func (m *holdMeter) max(op holdOp) (wall, cpu time.Duration) {
	return time.Duration(m.wall[op].Load()), time.Duration(m.cpu[op].Load())
}

// reset forgets the maxima (benchmarks measure phase by phase).
func (m *holdMeter) reset() {
	for i := range m.wall {
		m.wall[i].Store(0)
		m.cpu[i].Store(0)
	}
}

func storeMax(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}
