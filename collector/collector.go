package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// Config configures a Collector. Zero values mean the defaults.
type Config struct {
	SpoolDir      string        // required
	Scoreboard    string        // default SpoolDir/scoreboard.json; "-" for none
	ReorderWindow time.Duration // default 200 ms
	RotateEvery   time.Duration // default 1 h
	RotateSize    int64         // default 64 MiB
	RetainAge     time.Duration // default 7 days
	RetainBytes   int64         // default 1 GiB
	FsyncEvery    time.Duration // default 1 s; error records are synced at once
	QueueLen      int           // records held in memory while the disk fails, default 100,000
	GoneAfter     time.Duration // silent this long: gone (default 30 s)
	ForgetAfter   time.Duration // silent this long: forgotten (default 1 h)
	MaxSenders    int           // sender ids tracked at most (default 65,536); the longest-silent is evicted
	MaxServers    int           // scoreboard rows at most (default 10,000); the longest-silent is evicted
	Host          string        // this collector's host name, default os.Hostname
	Logger        *slog.Logger  // where the collector reports trouble; default slog.Default()
	Now           func() time.Time
}

func (c Config) withDefaults() (Config, error) {
	if c.SpoolDir == "" {
		return c, errors.New("collector: no spool directory")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.ReorderWindow, 200*time.Millisecond)
	def(&c.RotateEvery, time.Hour)
	def(&c.RetainAge, 7*24*time.Hour)
	def(&c.FsyncEvery, time.Second)
	def(&c.GoneAfter, 30*time.Second)
	def(&c.ForgetAfter, time.Hour)
	if c.RotateSize <= 0 {
		c.RotateSize = 64 << 20
	}
	if c.RetainBytes <= 0 {
		c.RetainBytes = 1 << 30
	}
	if c.QueueLen <= 0 {
		c.QueueLen = 100000
	}
	if c.MaxSenders <= 0 {
		c.MaxSenders = 65536
	}
	if c.MaxServers <= 0 {
		c.MaxServers = 10000
	}
	if c.Scoreboard == "" {
		c.Scoreboard = filepath.Join(c.SpoolDir, "scoreboard.json")
	}
	if c.Host == "" {
		c.Host, _ = os.Hostname()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

// Collector spools bus messages to disk in order and keeps the scoreboard.
// Ingest is the core (ordering, gaps, scoreboard); Run feeds it from a
// Receiver. Writing happens on its own goroutine, so a slow or full disk
// never stops receiving.
type Collector struct {
	cfg     Config
	started time.Time

	mu      sync.Mutex // guards seq, board, rcv stats
	copyMu  sync.Mutex // one scoreboard copy at a time (servers)
	seq     *sequencer
	board   *board
	rcvStat mlog.ReceiverStats

	queue chan Record
	sp    *spool

	received     atomic.Uint64
	written      atomic.Uint64
	writeErrors  atomic.Uint64
	spoolDropped atomic.Uint64
	spoolBytes   atomic.Uint64
	metricErrors atomic.Uint64 // series left out of /metrics
	lastWriteErr atomic.Pointer[string]
	urgentSync   atomic.Bool

	sgaps spoolGaps // records the queue could not take, as gap records

	holds   holdMeter // the longest maintenance holds of mu (holds.go)
	handoff handoff   // messages Ingest handed to a holder of mu (handoff.go)

	syslog syslogStats // the syslog input (syslog.go)

	stop   chan struct{}
	wg     sync.WaitGroup
	closed atomic.Bool
}

// New opens the spool (repairing a torn last line left by a crash) and
// starts the writer and the scoreboard writer.
func New(cfg Config) (*Collector, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Collector{
		cfg:     cfg,
		started: cfg.Now(),
		board:   newBoard(cfg.MaxServers),
		queue:   make(chan Record, cfg.QueueLen),
		stop:    make(chan struct{}),
	}
	c.seq = newSequencer(mlog.TrackerConfig{Window: cfg.ReorderWindow, ForgetAfter: cfg.ForgetAfter, ExpireWork: tickWork,
		MaxSenders: cfg.MaxSenders}, c.board, c.enqueue)
	c.sp = &spool{dir: cfg.SpoolDir, rotateEvery: cfg.RotateEvery, rotateSize: cfg.RotateSize,
		retainAge: cfg.RetainAge, retainBytes: cfg.RetainBytes, now: cfg.Now,
		log: func(msg string, args ...any) { cfg.Logger.Warn("collector: "+msg, args...) }}
	if err := c.sp.open(); err != nil {
		return nil, err
	}
	if n, err := c.resumeFromSpool(); err != nil {
		// Not fatal: without it, loss across this restart is "unknown".
		cfg.Logger.Warn("collector: could not resume sequence numbers from the spool", "err", err)
	} else if n > 0 {
		cfg.Logger.Info("collector: resumed from the spool", "senders", n)
	}
	c.wg.Add(2)
	go c.writer()
	go c.ticker()
	return c, nil
}

// Ingest takes one received message: it passes it to the spool in
// sender order and, unless it is a duplicate or came too late, counts it
// on the scoreboard.
func (c *Collector) Ingest(m mlog.Received) {
	c.received.Add(1)
	now := c.cfg.Now()
	if !c.mu.TryLock() {
		// Maintenance holds the lock: hand the message to it (handoff.go).
		if c.handoff.put(&m, now) {
			if c.mu.TryLock() { // it let go meanwhile
				c.unlock()
			}
			return
		}
		c.mu.Lock()
	}
	c.ingestHandedOff()
	c.ingestLocked(&m, now)
	c.unlock()
}

// ingestLocked orders and records one message (c.mu held).
func (c *Collector) ingestLocked(m *mlog.Received, now time.Time) {
	row := c.board.rowFor(m, now)
	if c.seq.add(m, now).Accepted() {
		c.board.observe(row, m, now)
	}
}

// enqueue hands a record to the writer; when the writer is behind (the
// disk fails) and the queue is full, the record is dropped and counted.
func (c *Collector) enqueue(r Record) {
	if (r.Type == "log" || r.Type == "syslog") && (r.Level == "ERROR" || r.Level == "WARN") {
		c.urgentSync.Store(true)
	}
	select {
	case c.queue <- r:
		c.sgaps.enqueued.Add(1)
	default:
		c.spoolDropped.Add(1)
		c.noteSpoolGap(r)
	}
}

// Run reads from r until ctx ends or r is closed, ingesting every message.
func (c *Collector) Run(ctx context.Context, r *mlog.Receiver) error {
	for {
		m, err := r.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		c.Ingest(m)
		if c.received.Load()%1024 == 0 {
			// Not when maintenance holds the lock: the receive loop never
			// waits for it (handoff.go); the next 1,024, or WatchReceiver,
			// bring the counts.
			c.noteReceiver(r, false)
		}
	}
}

// noteReceiver keeps r's counts for the scoreboard. Unless wait is set,
// it skips the turn when the lock is held.
func (c *Collector) noteReceiver(r *mlog.Receiver, wait bool) {
	if wait {
		c.mu.Lock()
	} else if !c.mu.TryLock() {
		return
	}
	c.rcvStat = r.Counts()
	c.unlock()
}

// WatchReceiver copies r's counts into the scoreboard once a second until
// the collector closes (Run also does so as messages arrive).
func (c *Collector) WatchReceiver(r *mlog.Receiver) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				c.noteReceiver(r, true)
			}
		}
	}()
}

// ticker expires the reorder window, refreshes server states and writes
// the scoreboard about once a second.
func (c *Collector) ticker() {
	defer c.wg.Done()
	t := time.NewTicker(c.cfg.ReorderWindow / 4)
	defer t.Stop()
	var lastBoard time.Time
	boardEvery := time.Second
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		now := c.cfg.Now()
		// Each tick is a bounded share of the work, under the lock; what
		// is due is done before the next period, ingest running between.
		for c.tick(now) {
		}
		if now.Sub(lastBoard) >= boardEvery {
			lastBoard = now
			start := time.Now()
			if err := c.writeScoreboard(); err != nil {
				c.cfg.Logger.Warn("collector: scoreboard not written", "err", err)
			}
			// Writing a large scoreboard (tens of thousands of servers)
			// takes a while: write it less often, so that it never costs
			// more than a tenth of the collector's time.
			boardEvery = max(time.Second, 10*time.Since(start))
		}
	}
}

// tickWork bounds the tracker's work in one tick (messages released,
// gaps, senders forgotten): each costs the collector 1-4 µs under the
// ingest lock (a spool record made and queued), so 128 of them stay
// well under a millisecond; ticks repeat while more is due.
const tickWork = 128

// tick settles what the reorder window has decided and forgets silent
// senders and servers, a bounded number of each, under the ingest lock;
// it reports whether more is due (for the next tick).
func (c *Collector) tick(now time.Time) (more bool) {
	h := c.lockFor()
	c.seq.expire(now, false)
	c.board.refresh(now, c.cfg.ForgetAfter)
	more = c.seq.track.Due(now) || c.board.due(now, c.cfg.ForgetAfter)
	c.unlockFor(holdTick, h)
	return more
}

// Scoreboard returns the current scoreboard.
func (c *Collector) Scoreboard() *Scoreboard {
	now := c.cfg.Now()
	for c.tick(now) { // what the window has decided, counted now: a bounded share per hold
	}
	h := c.lockFor()
	jobs := c.board.jobs.copyAt(now)
	ts := c.seq.track.Stats()
	self := Self{
		Host: c.cfg.Host, PID: os.Getpid(), Started: c.started, UptimeSeconds: now.Sub(c.started).Seconds(),
		Received: c.received.Load(), Rejected: copyMap(c.rcvStat.Rejected), KernelDrops: c.rcvStat.KernelDrops,
		Lost: ts.Lost, Duplicates: ts.Dups, Late: ts.Late, Old: ts.Old, Epochs: ts.Epochs, Unknown: c.seq.unknown,
		Senders: ts.Senders, SendersEvicted: ts.Evicted, ServersEvicted: c.board.evicted, OneOff: c.board.oneOff, IDConflicts: c.board.conflicts,
		SpoolDir: c.cfg.SpoolDir, SpoolBytes: c.spoolBytes.Load(),
		Written: c.written.Load(), WriteErrors: c.writeErrors.Load(), SpoolDropped: c.spoolDropped.Load(),
		Queued: len(c.queue), Syslog: c.syslog.self(),
	}
	if self.Rejected == nil {
		self.Rejected = map[string]uint64{}
	}
	if e := c.lastWriteErr.Load(); e != nil {
		self.LastWriteErr = *e
	}
	c.unlockFor(holdBoardHead, h)
	sortJobs(jobs)
	return &Scoreboard{Version: ScoreboardVersion, Time: now, Collector: self, Servers: c.servers(now), Jobs: jobs}
}

// serverChunk and chunkHold bound one hold of the ingest lock while the
// scoreboard copies rows: at most serverChunk rows, and no more once
// chunkHold has passed (a row of a server announcing a thousand values
// costs far more than a row of ten).
const (
	serverChunk = 256
	chunkHold   = 200 * time.Microsecond
)

// servers copies the scoreboard's rows a chunk at a time (each row is
// consistent; rows are not all of one instant) into flat buffers, then
// makes their maps and sorts them with the lock released. The board
// keeps the copy's place (board.copy), so that nothing is copied under
// the lock but the rows themselves: no list of rows (copying 100,000
// pointers, with the GC's write barriers, held the lock for 2.4 ms).
func (c *Collector) servers(now time.Time) []Server {
	c.copyMu.Lock() // one copy at a time: the board has one place
	defer c.copyMu.Unlock()
	h := c.lockFor()
	n := c.board.startCopy()
	c.unlockFor(holdBoardChunk, h)
	var f flatRows
	f.grow(n+n/8+64, 16*n, n, 0)
	for more := true; more; {
		var kvs, tasks, probes int // what the row that did not fit needs
		h := c.lockFor()
		for i := 0; i < serverChunk; i++ {
			r := c.board.peekCopy()
			if r == nil {
				more = false
				break
			}
			if !f.fits(r) {
				kvs, tasks, probes = f.need(r)
				break
			}
			c.board.nextCopy()
			f.add(r, now, c.cfg.GoneAfter)
			if i%16 == 15 && time.Since(h.wall) > chunkHold {
				break
			}
		}
		c.unlockFor(holdBoardChunk, h)
		if kvs+tasks+probes > 0 || len(f.list) == cap(f.list) {
			f.grow(serverChunk, kvs, tasks, probes) // with the lock released
		}
	}
	out := f.servers()
	sortServers(out)
	return out
}

// writeScoreboard replaces the scoreboard file atomically.
func (c *Collector) writeScoreboard() error {
	if c.cfg.Scoreboard == "-" {
		return nil
	}
	return writeJSONAtomic(c.cfg.Scoreboard, c.Scoreboard())
}

// Close releases every held message (writing gaps for what never came),
// writes what is queued, the scoreboard, and closes the spool.
func (c *Collector) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	c.mu.Lock()
	c.ingestHandedOff()
	c.seq.expire(c.cfg.Now(), true)
	c.unlock()
	close(c.stop)
	c.wg.Wait()
	err := c.writeScoreboard()
	return errors.Join(err, c.sp.close())
}

// Stats counts what the collector did (for tests and /metrics).
type Stats struct {
	Received, Written, WriteErrors, SpoolDropped, Lost, Duplicates uint64
}

// Stats returns the collector's counts.
func (c *Collector) Stats() Stats {
	c.mu.Lock()
	defer c.unlock()
	return Stats{Received: c.received.Load(), Written: c.written.Load(), WriteErrors: c.writeErrors.Load(),
		SpoolDropped: c.spoolDropped.Load(), Lost: c.seq.track.Stats().Lost, Duplicates: c.seq.track.Stats().Dups}
}

func errString(err error) *string {
	s := fmt.Sprint(err)
	return &s
}
