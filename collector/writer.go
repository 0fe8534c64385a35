package collector

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"
)

// noteSpoolGap remembers, per sender, the sequence numbers received but
// not written because the queue overflowed; they become gap records with
// reason "spool" once writing works again.
func (c *Collector) noteSpoolGap(r Record) {
	if r.Type == "gap" || r.Seq == 0 {
		return
	}
	c.sgapMu.Lock()
	defer c.sgapMu.Unlock()
	if c.sgaps == nil {
		c.sgaps = map[string]*Record{}
	}
	g := c.sgaps[r.Sender]
	if g == nil {
		c.sgaps[r.Sender] = &Record{Type: "gap", Sender: r.Sender, Host: r.Host, Program: r.Program, First: r.Seq, Last: r.Seq, Reason: "spool"}
		return
	}
	g.First, g.Last = min(g.First, r.Seq), max(g.Last, r.Seq)
}

func (c *Collector) takeSpoolGaps() []Record {
	c.sgapMu.Lock()
	defer c.sgapMu.Unlock()
	var out []Record
	for _, g := range c.sgaps {
		g.Time = c.cfg.Now()
		out = append(out, *g)
	}
	c.sgaps = nil
	return out
}

// writer drains the queue into the spool. On a write error (disk full,
// spool unwritable) it keeps the batch, reports, and retries every
// second; meanwhile the queue absorbs new records up to its size.
func (c *Collector) writer() {
	defer c.wg.Done()
	var buf []byte
	var batch []Record
	lastSync := time.Now()
	failing := false
	for {
		if len(batch) == 0 {
			select {
			case r := <-c.queue:
				batch = append(batch, r)
			case <-c.stop:
				c.drainAtClose(&batch)
				return
			case <-time.After(c.cfg.FsyncEvery):
			}
		}
	fill:
		for len(batch) < 4096 {
			select {
			case r := <-c.queue:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		if len(batch) > 0 {
			if gaps := c.takeSpoolGaps(); len(gaps) > 0 {
				batch = append(gaps, batch...)
			}
			buf = buf[:0]
			for i := range batch {
				buf = appendRecord(buf, &batch[i])
			}
			if err := c.sp.write(buf); err != nil {
				c.writeFailed(err, &failing)
				select {
				case <-c.stop:
					c.spoolDropped.Add(uint64(len(batch)))
					return
				case <-time.After(time.Second):
				}
				continue // retry the same batch
			}
			if failing {
				failing = false
				c.cfg.Logger.Warn("collector: spool writable again", "dir", c.cfg.SpoolDir)
			}
			c.written.Add(uint64(len(batch)))
			c.spoolBytes.Add(uint64(len(buf)))
			batch = batch[:0]
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

// drainAtClose writes what is left, once.
func (c *Collector) drainAtClose(batch *[]Record) {
	for {
		select {
		case r := <-c.queue:
			*batch = append(*batch, r)
			continue
		default:
		}
		break
	}
	*batch = append(c.takeSpoolGaps(), *batch...)
	var buf []byte
	for i := range *batch {
		if line, err := encodeLine(&(*batch)[i]); err == nil {
			buf = append(buf, line...)
		}
	}
	if len(buf) == 0 {
		return
	}
	if err := c.sp.write(buf); err != nil {
		c.writeErrors.Add(1)
		c.spoolDropped.Add(uint64(len(*batch)))
		c.cfg.Logger.Error("collector: records lost at close: spool not writable", "records", len(*batch), "err", err)
		return
	}
	c.written.Add(uint64(len(*batch)))
	c.spoolBytes.Add(uint64(len(buf)))
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
