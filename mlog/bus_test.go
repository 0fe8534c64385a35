package mlog

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/shmstat"
	"golang.org/x/net/ipv4"
)

// testGroup is used by every test; each runs in its own namespace.
const testGroup = "239.255.77.77:7777"

func listen(t *testing.T, cfg Config) *Receiver {
	t.Helper()
	r, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func newBus(t *testing.T, cfg Config) *Bus {
	t.Helper()
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// readN reads n log messages (hello and stats are skipped) or fails.
func readN(t *testing.T, r *Receiver, n int) []Received {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []Received
	for len(out) < n {
		m, err := r.Read(ctx)
		if err != nil {
			t.Fatalf("after %d of %d messages: %v (stats %+v)", len(out), n, err, r.Stats())
		}
		if m.Kind == KindLog {
			out = append(out, m)
		}
	}
	return out
}

func TestBusRoundTripEveryAttr(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	r := listen(t, Config{Group: testGroup})
	b := newBus(t, Config{Group: testGroup, Program: "tester", Host: "h1"})
	log := slog.New(b.Handler()).With("component", "queue").WithGroup("req")
	since := time.Unix(1600000000, 0)
	log.Warn("slow", "table", "orders", "depth", -3, "bytes", uint64(7), "ratio", 0.5, "ok", true,
		"wait", 2*time.Second, "since", since)
	got := readN(t, r, 1)[0]
	if got.Program != "tester" || got.Host != "h1" || got.Level != slog.LevelWarn || got.Msg != "slow" || got.Sender != b.Sender() {
		t.Fatalf("message = %+v", got.Message)
	}
	want := []slog.Attr{slog.String("component", "queue"), slog.String("req.table", "orders"), slog.Int64("req.depth", -3),
		slog.Uint64("req.bytes", 7), slog.Float64("req.ratio", 0.5), slog.Bool("req.ok", true),
		slog.Duration("req.wait", 2*time.Second), slog.Time("req.since", since)}
	if len(got.Attrs) != len(want) {
		t.Fatalf("attrs = %v", got.Attrs)
	}
	for i := range want {
		if !got.Attrs[i].Equal(want[i]) {
			t.Errorf("attr %d = %v, want %v", i, got.Attrs[i], want[i])
		}
	}
	if !got.Source.Addr().IsLoopback() || got.Interface != "lo" || got.RecvTime.IsZero() {
		t.Errorf("receiver fields: source %v interface %q", got.Source, got.Interface)
	}
}

func TestLossDetected(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	r := listen(t, Config{Group: testGroup, Tracker: TrackerConfig{Window: 20 * time.Millisecond}})
	conn := rawSender(t)
	// Send 1..100 by hand, leaving out 10, 11, 12 and 50.
	skip := map[uint64]bool{10: true, 11: true, 12: true, 50: true}
	for seq := uint64(1); seq <= 100; seq++ {
		if skip[seq] {
			continue
		}
		m := &Message{Kind: KindLog, Sender: 77, Seq: seq, Time: time.Now(), Msg: "x"}
		d, _ := Encode(m, nil, 0, 0)
		if _, err := conn.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	readN(t, r, 96)
	s := r.Stats().Senders[77]
	for deadline := time.Now().Add(time.Minute); s.Lost < 4 && time.Now().Before(deadline); s = r.Stats().Senders[77] {
		time.Sleep(5 * time.Millisecond) // loss is final once the window has passed
	}
	if s.Received != 96 || s.Lost != 4 || s.Highest != 100 || s.OutOfOrder != 0 {
		t.Fatalf("sender stats = %+v, want 96 received, 4 lost", s)
	}
}

func TestReplayAndForgeryRejected(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	key := []byte("a-sixteen-byte-key!")
	r := listen(t, Config{Group: testGroup, Key: key, KeyID: 5})
	conn := rawSender(t)
	send := func(d []byte) {
		if _, err := conn.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	msg := func(seq uint64) *Message {
		return &Message{Kind: KindLog, Sender: 9, Seq: seq, Time: time.Now(), Msg: "m"}
	}
	good1, _ := Encode(msg(1), key, 5, 0)
	good2, _ := Encode(msg(2), key, 5, 0)
	forged, _ := Encode(msg(3), []byte("not-the-right-key!!"), 5, 0)
	unknown, _ := Encode(msg(4), key, 6, 0)
	unsigned, _ := Encode(msg(5), nil, 0, 0)
	old := msg(6)
	old.Time = time.Now().Add(-10 * time.Minute) // a capture replayed after a receiver restart
	stale, _ := Encode(old, key, 5, 0)
	send(stale)
	send(good1)
	send(good1) // replay
	send(forged)
	send(unknown)
	send(unsigned)
	send(good2)
	got := readN(t, r, 2)
	if got[0].Seq != 1 || got[1].Seq != 2 || !got[0].Signed || got[0].KeyID != 5 {
		t.Fatalf("accepted %+v, %+v", got[0].Message, got[1].Message)
	}
	rej := r.Stats().Rejected
	for reason, n := range map[string]uint64{"replay": 2, "bad_mac": 1, "unknown_key": 1, "unsigned": 1} {
		if rej[reason] != n {
			t.Errorf("rejected[%s] = %d, want %d (all: %v)", reason, rej[reason], n, rej)
		}
	}
	// Each reason keeps its own detail.
	last := r.Stats().LastReject
	for reason, want := range map[string]string{"replay": "seq 1", "bad_mac": "bad MAC", "unknown_key": "6", "unsigned": "unsigned"} {
		if !strings.Contains(last[reason], want) {
			t.Errorf("last %s reject %q, want it to mention %q", reason, last[reason], want)
		}
	}
}

func TestTwoReceiversGetEverything(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	r1 := listen(t, Config{Group: testGroup})
	r2 := listen(t, Config{Group: testGroup})
	b := newBus(t, Config{Group: testGroup})
	log := slog.New(b.Handler())
	const n = 500
	for i := 0; i < n; i++ {
		log.Info("m", "i", i)
	}
	for _, r := range []*Receiver{r1, r2} {
		got := readN(t, r, n)
		for i, m := range got {
			if m.Attrs[0].Value.Int64() != int64(i) {
				t.Fatalf("message %d carries i=%v", i, m.Attrs[0].Value)
			}
		}
		if s := r.Stats().Senders[b.Sender()]; s.Lost != 0 || s.Duplicates != 0 {
			t.Fatalf("sender stats %+v", s)
		}
	}
}

func TestNeverBlocks(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	// No receiver at all, then the interface goes down: logging must go
	// on returning, with the trouble counted rather than returned.
	b := newBus(t, Config{Group: testGroup, QueueLen: 64})
	log := slog.New(b.Handler())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 20000; i++ {
			log.Info("into the void", "i", i)
		}
		if err := netns.SetLoopback(false); err != nil {
			t.Error(err)
			return
		}
		for i := 0; i < 20000; i++ {
			log.Info("interface down", "i", i)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("logging blocked")
	}
	b.Close()
	s := b.Stats()
	if s.Records+s.Dropped < 40000 || s.SendErrors == 0 {
		t.Fatalf("stats %+v: every record must be sent, dropped or counted as a send error, and the down interface must show", s)
	}
	t.Logf("stats: %+v", s)
}

func TestDebugCategoryFollowsFlag(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	seg, err := shmstat.Create("cat", &shmstat.Options{Dir: filepath.Join(t.TempDir(), "seg")})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	r := listen(t, Config{Group: testGroup})
	b := newBus(t, Config{Group: testGroup, Segment: seg})
	merge := b.Category("merge")
	log := slog.New(b.Handler())
	log.Debug("hidden", merge.Attr())
	log.Debug("hidden too") // category "debug", also off
	seg.Flag("merge").Set(true)
	log.Debug("shown", merge.Attr())
	log.Info("marker")
	got := readN(t, r, 2)
	if got[0].Msg != "shown" || got[1].Msg != "marker" {
		t.Fatalf("got %q then %q, want shown then marker", got[0].Msg, got[1].Msg)
	}
	if !merge.On() {
		t.Error("category not on")
	}
}

// rawSender sends hand-made datagrams to the test group on lo.
type rawConn struct {
	t   *testing.T
	dst *net.UDPAddr
	c   interface {
		WriteTo([]byte, *ipv4.ControlMessage, net.Addr) (int, error)
	}
}

func (r rawConn) Write(b []byte) (int, error) { return r.c.WriteTo(b, nil, r.dst) }

func rawSender(t *testing.T) rawConn {
	t.Helper()
	ifi, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	p, err := openSender(ifi, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	dst, _ := net.ResolveUDPAddr("udp4", testGroup)
	return rawConn{t: t, dst: dst, c: p}
}

// TestLogCallAllocatesNothing: the bus allocates nothing per record. Its
// buffers (and the writer's batch buffers) are allocated once each, the
// first time they are needed, so after a first 50,000 records a second
// 50,000 allocate only the queue buffers first needed in it, whatever the
// writer's pace. The attributes are of kinds slog keeps unboxed. Besides
// ours, the count may include x/net refilling its sync.Pool of sendmmsg
// headers (6 objects): once for each P the writer first runs on (a pool
// keeps one object per P that other Ps cannot take), and after a garbage
// collection emptied it (with the runtime's mark workers). Those are
// allowed per P and per collection, never per record or per batch (a
// round sends hundreds of batches).
func TestLogCallAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("counts allocations: the race detector's instrumentation allocates on its own")
	}
	if !netns.Run(t) {
		return
	}
	const queueLen, records = 64, 50000
	b := newBus(t, Config{Group: testGroup, QueueLen: queueLen})
	log := slog.New(b.Handler())
	ctx := context.Background()
	// unusedBuffers counts the queue buffers not yet allocated. Only
	// callers allocate them (slotBuf, commit), and this goroutine is the
	// only caller.
	unusedBuffers := func() (n uint64) {
		for _, buf := range b.queue.bufs {
			if buf == nil {
				n++
			}
		}
		return n
	}
	// logMany returns the allocations and garbage collections its records
	// saw.
	logMany := func() (mallocs, gcs uint64) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := 0; i < records; i++ {
			log.LogAttrs(ctx, slog.LevelInfo, "update merged", slog.String("table", "orders"), slog.Int("record", i),
				slog.Duration("wait", time.Millisecond))
		}
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs, uint64(after.NumGC - before.NumGC)
	}
	// poolRefill is what x/net allocates when its pool of sendmmsg
	// headers has none for this P; a collection also starts the
	// runtime's mark workers (one per P).
	const poolRefill, slack = 6, 4
	procs := uint64(runtime.GOMAXPROCS(0))
	perCollection := poolRefill + procs
	first, _ := logMany()
	unused := unusedBuffers()
	n, gcs := logMany()
	newBuffers := unused - unusedBuffers()
	if allowed := slack + newBuffers + poolRefill*procs + perCollection*gcs; n > allowed {
		t.Errorf("%d records after the first %d made %d allocations, more than the %d allowed for %d new queue buffers, %d Ps and %d garbage collections (the first made %d)",
			records, records, n, allowed, newBuffers, procs, gcs, first)
	}
	b.Close()
	if s := b.Stats(); s.Records+s.Dropped != 2*records+1 {
		t.Errorf("stats %+v: want %d records sent or dropped (with the hello)", s, 2*records+1)
	}
}

// TestConcurrentCallersInOrder: records logged by several goroutines at
// once all arrive, each goroutine's in its own order, under sequence
// numbers without gap, duplicate or reordering (stamped as datagrams
// leave the queue). The queue holds every record, so none may be dropped.
func TestConcurrentCallersInOrder(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	const callers, each = 4, 2000
	r := listen(t, Config{Group: testGroup})
	b := newBus(t, Config{Group: testGroup, QueueLen: callers * each})
	log := slog.New(b.Handler())
	start := make(chan struct{})
	for c := 0; c < callers; c++ {
		go func() {
			<-start
			for i := 0; i < each; i++ {
				log.Info("m", "caller", c, "i", i)
			}
		}()
	}
	close(start)
	got := readN(t, r, callers*each)
	next := make([]int64, callers)
	var lastSeq uint64
	for _, m := range got {
		c, i := m.Attrs[0].Value.Int64(), m.Attrs[1].Value.Int64()
		if i != next[c] {
			t.Fatalf("caller %d: record %d arrived when %d was due", c, i, next[c])
		}
		next[c]++
		if m.Seq <= lastSeq {
			t.Fatalf("sequence %d after %d", m.Seq, lastSeq)
		}
		lastSeq = m.Seq
	}
	s := r.Stats().Senders[b.Sender()]
	if s.Lost != 0 || s.Duplicates != 0 || s.OutOfOrder != 0 || b.Stats().Dropped != 0 {
		t.Fatalf("receiver %+v, sender %+v", s, b.Stats())
	}
}

// TestDropsCountedOnTheWire: records a full queue drops are counted, and
// the counts the datagrams carry add up to the sender's Dropped exactly;
// every record logged is either received or counted as dropped.
func TestDropsCountedOnTheWire(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	const burst = 3000
	r := listen(t, Config{Group: testGroup})
	b := newBus(t, Config{Group: testGroup, QueueLen: 8})
	log := slog.New(b.Handler())
	for i := 0; i < burst; i++ {
		log.Info("burst", "i", i)
	}
	// A last record carries what is still pending; log it until the
	// queue has room for it (the writer drains it meanwhile).
	logged := burst
	for {
		d := b.Stats().Dropped
		log.Info("marker")
		logged++
		if b.Stats().Dropped == d {
			break
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var received, carried uint64
	for {
		m, err := r.Read(ctx)
		if err != nil {
			t.Fatalf("after %d records: %v", received, err)
		}
		carried += m.Dropped
		if m.Kind != KindLog {
			continue
		}
		received++
		if m.Msg == "marker" && b.Stats().Dropped+received == uint64(logged) {
			break
		}
	}
	s := b.Stats()
	if s.Dropped == 0 {
		t.Fatal("a burst of 3,000 records into a queue of 8 dropped none: the test proves nothing")
	}
	if carried != s.Dropped {
		t.Errorf("datagrams carried %d drops, the sender counted %d", carried, s.Dropped)
	}
	if rs := r.Stats().Senders[b.Sender()]; rs.Lost != 0 {
		t.Errorf("receiver lost %d datagrams", rs.Lost)
	}
	t.Logf("logged %d, received %d, dropped %d", logged, received, s.Dropped)
}

// TestSteadyLoggingDoesNotWakeTheWriter: a process that logs steadily
// (here a record every millisecond, more often than the writer's 2 ms linger) has its
// records picked up by the writer's own timer: its log calls do not wake
// the writer one by one (before, every record found it asleep and paid a
// futex call). Every record still goes out.
func TestSteadyLoggingDoesNotWakeTheWriter(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	const records = 400
	b := newBus(t, Config{Group: testGroup})
	log := slog.New(b.Handler())
	next := time.Now()
	for i := 0; i < records; i++ {
		log.Info("steady", "i", i)
		next = next.Add(time.Millisecond)
		time.Sleep(time.Until(next)) // pacing the load, not waiting for an event
	}
	b.Close()
	s := b.Stats()
	if s.Records+s.Dropped != records+1 || s.Dropped != 0 {
		t.Errorf("stats %+v: want all %d records (and the hello) sent", s, records)
	}
	t.Logf("%d wakes for %d records", s.Wakes, records)
	// Each pause longer than the linger (the machine taking this thread
	// away) may cost one wake; a quarter of the records is far beyond
	// what scheduling does, and far below one per record.
	if s.Wakes > records/4 {
		t.Errorf("%d wakes for %d records: the log calls woke the writer", s.Wakes, records)
	}
}
