package collector

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// spoolGaps remembers the records the queue could not take (the writer
// was behind because the disk failed) as gap records with reason "spool",
// each placed where its first dropped record would have been in the
// queue, so the spool stays in sequence order.
//
// A segment is one sender's run of consecutive dropped sequence numbers;
// it is extended while the drops stay consecutive. Segments are bounded
// by design: a sender's next segment only starts after one of its records
// entered the queue, so there are at most QueueLen + senders of them.
type spoolGaps struct {
	mu   sync.Mutex
	segs []gapSeg           // in queue position order
	open map[string]*Record // the sender's last segment, still extendable
	// due is the position of segs[0] (math.MaxUint64 when none), read by
	// the writer for every record without taking mu.
	due atomic.Uint64
	// enqueued counts records the queue took (written by the producer only).
	enqueued atomic.Uint64
	// taken counts records the writer took from the queue; held those of
	// them not written yet (kept while the disk fails). Tests wait for
	// taken == enqueued, then held == 0 (held grows before taken).
	taken atomic.Uint64
	held  atomic.Int64
}

// settled reports whether every record queued so far was written or
// dropped (for tests; call when nothing is being enqueued).
func (g *spoolGaps) settled() bool {
	return g.taken.Load() == g.enqueued.Load() && g.held.Load() == 0
}

// gapSeg is a gap record to write before queued record number pos+1.
type gapSeg struct {
	pos uint64
	rec *Record
}

// note records that r could not be queued. Records without a sequence
// number (nothing to put in a gap) and the collector's notices (epoch,
// unknown: their numbers are not theirs) are only counted by the caller.
func (g *spoolGaps) note(r *Record, now time.Time) {
	first, last := r.Seq, r.Seq
	switch r.Type {
	case "gap":
		first, last = r.First, r.Last
	case "epoch", "unknown":
		return
	}
	if first == 0 || last < first {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if o := g.open[r.Sender]; o != nil && o.Last+1 == first {
		o.Last = last
		return
	}
	if g.open == nil {
		g.open = map[string]*Record{}
	}
	rec := &Record{Type: "gap", Sender: r.Sender, Time: now, Host: r.Host, Program: r.Program, First: first, Last: last, Reason: "spool"}
	g.open[r.Sender] = rec
	g.segs = append(g.segs, gapSeg{pos: g.enqueued.Load(), rec: rec})
	if len(g.segs) == 1 {
		g.due.Store(firstPos(g.segs))
	}
}

// firstPos is the position of the first segment, math.MaxUint64 if none.
func firstPos(segs []gapSeg) uint64 {
	if len(segs) == 0 {
		return math.MaxUint64
	}
	return segs[0].pos
}

// take appends to out the gap records due before queued record number
// taken+1 (every drop noted before that record was queued), stamped now.
func (g *spoolGaps) take(out []Record, taken uint64, now time.Time) []Record {
	if g.due.Load() > taken {
		return out
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	i := 0
	for ; i < len(g.segs) && g.segs[i].pos <= taken; i++ {
		rec := g.segs[i].rec
		if g.open[rec.Sender] == rec {
			delete(g.open, rec.Sender)
		}
		r := *rec
		r.Time = now
		out = append(out, r)
		g.segs[i].rec = nil
	}
	g.segs = g.segs[i:]
	if len(g.segs) == 0 {
		g.segs = nil // let the backing array go
	}
	g.due.Store(firstPos(g.segs))
	return out
}

// noteSpoolGap remembers a record the queue could not take; see spoolGaps.
func (c *Collector) noteSpoolGap(r Record) { c.sgaps.note(&r, c.cfg.Now()) }

// pending is what the writer took from the queue and has not written
// yet: records, their encoding, and where each record's line ends.
type pending struct {
	enc   encoder
	recs  []Record
	buf   []byte
	ends  []int
	taken uint64 // records taken from the queue so far
}

func (p *pending) add(r Record) {
	p.recs = append(p.recs, r)
	p.buf = p.enc.appendRecord(p.buf, &p.recs[len(p.recs)-1])
	p.ends = append(p.ends, len(p.buf))
}

// addQueued adds a record taken from the queue, after the gap records
// due before it.
func (p *pending) addQueued(c *Collector, r Record) {
	p.taken++
	p.addGaps(c, p.taken-1)
	p.add(r)
	c.sgaps.held.Add(1)
	c.sgaps.taken.Add(1)
}

// addGaps adds the gap records of drops noted before queued record
// number upto+1.
func (p *pending) addGaps(c *Collector, upto uint64) {
	if c.sgaps.due.Load() > upto {
		return
	}
	for _, g := range c.sgaps.take(nil, upto, c.cfg.Now()) {
		p.add(g)
	}
}

// wrote drops the first n bytes (whole lines) from p and returns how
// many records they held.
func (p *pending) wrote(n int) int {
	k := 0
	for k < len(p.ends) && p.ends[k] <= n {
		k++
	}
	clear(p.recs[:k])
	p.recs = append(p.recs[:0], p.recs[k:]...)
	p.buf = append(p.buf[:0], p.buf[n:]...)
	p.ends = append(p.ends[:0], p.ends[k:]...)
	for i := range p.ends {
		p.ends[i] -= n
	}
	return k
}

// flush writes what is pending. What reached the spool is counted and
// forgotten, even when the rest failed, so nothing is written twice.
func (c *Collector) flush(p *pending) error {
	if len(p.recs) == 0 {
		return nil
	}
	n, err := c.sp.write(p.buf)
	if n > 0 {
		c.spoolBytes.Add(uint64(n))
		c.written.Add(uint64(p.wrote(n)))
	}
	c.sgaps.held.Store(int64(len(p.recs)))
	return err
}

// writer drains the queue into the spool. On a write error (disk full,
// spool unwritable) it keeps what it could not write, reports, and
// retries every second; meanwhile the queue absorbs new records up to its
// size and what overflows becomes gap records.
func (c *Collector) writer() {
	defer c.wg.Done()
	var p pending
	lastSync := time.Now()
	failing := false
	for {
		if len(p.recs) == 0 {
			select {
			case r := <-c.queue:
				p.addQueued(c, r)
			case <-c.stop:
				c.drainAtClose(&p)
				return
			case <-time.After(c.cfg.FsyncEvery):
			}
		}
	fill:
		for len(p.recs) < 4096 {
			select {
			case r := <-c.queue:
				p.addQueued(c, r)
			default:
				// The queue is empty: every drop noted so far came
				// after what was taken.
				p.addGaps(c, p.taken)
				break fill
			}
		}
		if err := c.flush(&p); err != nil {
			c.writeFailed(err, &failing)
			select {
			case <-c.stop:
				c.drainAtClose(&p)
				return
			case <-time.After(time.Second):
			}
			continue // retry what is left
		}
		if failing {
			failing = false
			c.cfg.Logger.Warn("collector: spool writable again", "dir", c.cfg.SpoolDir)
		}
		if c.urgentSync.Swap(false) || time.Since(lastSync) >= c.cfg.FsyncEvery {
			if err := c.sp.sync(); err != nil {
				c.writeFailed(err, &failing)
			}
			lastSync = time.Now()
		}
	}
}

func (c *Collector) writeFailed(err error, failing *bool) {
	c.writeErrors.Add(1)
	c.lastWriteErr.Store(errString(err))
	if !*failing {
		*failing = true
		c.cfg.Logger.Error("collector: spool write failed; holding records in memory and retrying", "dir", c.cfg.SpoolDir, "err", err)
	}
}

// drainAtClose takes what is left in the queue and writes it, once; what
// cannot be written is counted as dropped.
func (c *Collector) drainAtClose(p *pending) {
	for {
		select {
		case r := <-c.queue:
			p.addQueued(c, r)
			continue
		default:
		}
		break
	}
	p.addGaps(c, p.taken)
	if err := c.flush(p); err != nil {
		c.writeErrors.Add(1)
		c.spoolDropped.Add(uint64(len(p.recs)))
		c.cfg.Logger.Error("collector: records lost at close: spool not writable", "records", len(p.recs), "err", err)
	}
}

// writeJSONAtomic writes v to path through a temporary file and rename.
func writeJSONAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(append(b, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
