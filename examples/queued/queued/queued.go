package queued

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/porthole-dev/porthole/examples/internal/daemon"
	"github.com/porthole-dev/porthole/shmstat"
)

// SocketPath is where queued listens by default: beside its segment.
func SocketPath() string { return filepath.Join(shmstat.DefaultDir(), "queued.sock") }

// Main runs the daemon until ctx ends or it is signalled.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("queued", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sock := fs.String("socket", "", "unix socket for updates (default beside the segment)")
	work := fs.Duration("work", 300*time.Microsecond, "time to write one page")
	every := fs.Duration("checkpoint", 5*time.Second, "checkpoint interval")
	maxQueue := fs.Int("max-queue", 20000, "queued updates at which clients wait for the worker (flow control)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := daemon.Start("queued", "", stderr)
	if err != nil {
		return err
	}
	defer d.Close()
	if *sock == "" {
		*sock = SocketPath()
	}
	os.Remove(*sock)
	ln, err := net.Listen("unix", *sock)
	if err != nil {
		return fmt.Errorf("queued: %w", err)
	}
	defer ln.Close()
	ctx, cancel := daemon.Context(ctx)
	defer cancel()

	s := newServer(d, *work, *every)
	s.maxQueue = max(*maxQueue, 1)
	d.Seg.Info("version", "1.4.2")
	d.Seg.Info("socket", *sock)
	d.Log.Info("queued started", "socket", *sock, "work", *work)
	fmt.Fprintf(stdout, "queued: listening on %s\n", *sock)
	go func() { <-ctx.Done(); ln.Close() }()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.worker(ctx) }()
	go func() { defer wg.Done(); s.checkpoints(ctx) }()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			d.Log.Error("accept failed", "err", err)
			continue
		}
		go s.serve(ctx, c)
	}
	s.mu.Lock() // so that no waiter misses the wake-up
	s.cond.Broadcast()
	s.space.Broadcast()
	s.mu.Unlock()
	wg.Wait()
	d.Log.Info("queued stopped")
	return nil
}

type server struct {
	d     *daemon.Daemon
	work  time.Duration
	every time.Duration

	mu       sync.Mutex
	cond     *sync.Cond // signalled when an update is queued
	space    *sync.Cond // broadcast when the worker takes a page
	q        *queue
	maxQueue int

	received, writes, replaced, merged, dropped, tableDrops *shmstat.Counter
	stalls                                                  *shmstat.Counter
	queueLen, avoidedPct                                    *shmstat.Gauge
	load                                                    *shmstat.Load
	checkpoint                                              *shmstat.Task
	probe                                                   *shmstat.Probe
	conns                                                   connProbes
	mergeCat                                                interface{ On() bool }
	pagesWritten                                            uint64
}

func newServer(d *daemon.Daemon, work, every time.Duration) *server {
	seg := d.Seg
	u := shmstat.Unit("updates")
	s := &server{
		d: d, work: work, every: every, q: newQueue(),
		received:   seg.Counter("updates_received", "updates sent by clients", u),
		writes:     seg.Counter("page_writes", "pages written by the worker", shmstat.Unit("writes"), shmstat.CacheLine()),
		replaced:   seg.Counter("updates_replaced", "updates that replaced a queued update of the same record", u),
		merged:     seg.Counter("updates_merged", "updates merged into a queued write of the same page", u),
		dropped:    seg.Counter("updates_dropped", "updates to a dropped table, discarded", u),
		tableDrops: seg.Counter("tables_dropped", "drop-table requests", shmstat.Unit("tables")),
		stalls:     seg.Counter("client_stalls", "times a client's update waited for room in the queue", shmstat.Unit("stalls")),
		queueLen:   seg.Gauge("queue_length", "updates waiting for the worker", u),
		avoidedPct: seg.Gauge("writes_avoided_pct", "share of received updates that needed no write of their own", shmstat.Unit("%")),
		load:       seg.Load("worker"),
		checkpoint: seg.Task("checkpoint", every),
		probe:      seg.Probe("worker"),
		mergeCat:   d.Bus.Category("merge"),
	}
	s.conns.seg = seg
	s.cond = sync.NewCond(&s.mu)
	s.space = sync.NewCond(&s.mu)
	s.maxQueue = 20000
	seg.Sequence("ids") // clients take record ids here
	return s
}

// serve reads a client's lines: "U table record value", "D table", "C table".
func (s *server) serve(ctx context.Context, c net.Conn) {
	defer c.Close()
	p, release := s.conns.take()
	defer release()
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		p.Here()
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		s.mu.Lock()
		switch f[0] {
		case "U":
			if len(f) < 4 {
				s.mu.Unlock()
				continue
			}
			rec, _ := strconv.Atoi(f[2])
			if s.q.length >= s.maxQueue {
				// Flow control: this client waits until the worker
				// makes room.
				s.stalls.Inc()
				p.Mark("queue full: waiting for the worker")
				for s.q.length >= s.maxQueue && ctx.Err() == nil {
					s.space.Wait()
				}
				p.Here()
			}
			s.received.Inc()
			switch s.q.add(update{f[1], rec, f[3]}) {
			case replacedRecord:
				s.replaced.Inc()
				if s.mergeCat.On() {
					s.d.Log.Debug("replaced queued update", "cat", "merge", "table", f[1], "record", rec)
				}
			case mergedPage:
				s.merged.Inc()
			case droppedTable:
				s.dropped.Inc()
			}
			s.cond.Signal()
		case "D":
			n := s.q.dropTable(f[1])
			s.tableDrops.Inc()
			s.dropped.Add(uint64(n))
			s.d.Log.Warn("table dropped", "table", f[1], "discarded", n)
		case "C":
			s.q.createTable(f[1])
		}
		s.queueLen.Set(int64(s.q.length))
		s.updateAvoided()
		s.mu.Unlock()
	}
}

func (s *server) updateAvoided() {
	if r := s.received.Load(); r > 0 {
		avoided := s.replaced.Load() + s.merged.Load() + s.dropped.Load()
		s.avoidedPct.Set(int64(100 * avoided / r))
	}
}

// worker writes the oldest page, one at a time.
func (s *server) worker(ctx context.Context) {
	p := s.probe
	for ctx.Err() == nil {
		s.mu.Lock()
		p.Mark("waiting for updates")
		for s.q.length == 0 && ctx.Err() == nil {
			s.load.Idle()
			s.cond.Wait()
		}
		p.Here()
		k, recs, ok := s.q.next()
		s.queueLen.Set(int64(s.q.length))
		s.space.Broadcast()
		s.mu.Unlock()
		if !ok {
			continue
		}
		s.load.Busy()
		p.Here()
		s.writePage(k, recs)
		s.writes.Inc()
	}
	s.load.Idle()
}

// writePage stands for the disk write: it takes about work.
func (s *server) writePage(k pageKey, recs map[int]string) {
	s.probe.Here()
	deadline := time.Now().Add(s.work)
	for time.Now().Before(deadline) {
	}
	s.pagesWritten++
}

// checkpoints runs the periodic checkpoint task and records its result.
func (s *server) checkpoints(ctx context.Context) {
	t := time.NewTicker(s.every)
	defer t.Stop()
	var last uint64 // page_writes at the last checkpoint
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !s.checkpoint.Start() {
			continue
		}
		s.mu.Lock()
		pending := s.q.length
		s.mu.Unlock()
		if pending > 5000 {
			err := errors.New("checkpoint skipped: queue too long to flush (" + strconv.Itoa(pending) + " updates)")
			s.d.Log.Warn("checkpoint failed", "err", err)
			s.checkpoint.Done(err)
			continue
		}
		written := s.writes.Load()
		s.checkpoint.DoneNote(fmt.Sprintf("%d pages written since the last checkpoint, %d updates queued", written-last, pending))
		last = written
	}
}

// maxConnProbes bounds the probes given to connections: a segment has 32
// probe words per slot, and a probe name, once registered, stays.
const maxConnProbes = 16

// connProbes gives each connection a probe of its own, conn1 to conn16,
// as shmstat advises (one probe per worker goroutine), so the readers see
// where each connection is. A closed connection's probe is cleared and
// reused; connections beyond 16 share "conn-more".
type connProbes struct {
	mu   sync.Mutex
	seg  *shmstat.Segment
	busy [maxConnProbes]bool
}

// take returns a free probe and the function that gives it back.
func (c *connProbes) take() (*shmstat.Probe, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.busy {
		if !c.busy[i] {
			c.busy[i] = true
			p := c.seg.Probe("conn" + strconv.Itoa(i+1))
			return p, func() {
				p.Clear()
				c.mu.Lock()
				c.busy[i] = false
				c.mu.Unlock()
			}
		}
	}
	return c.seg.Probe("conn-more"), func() {}
}
