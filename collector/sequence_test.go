package collector

import (
	"fmt"
	"log/slog"
	"math/rand"
	"runtime"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

func logMsg(sender, seq uint64, host, program string, pid int) mlog.Message {
	return mlog.Message{Kind: mlog.KindLog, Sender: sender, Seq: seq, Host: host, Program: program, PID: pid, Msg: fmt.Sprint(seq)}
}

func newTestCollector(t *testing.T, clk *fakeClock, cfg Config) (*Collector, string) {
	t.Helper()
	dir := t.TempDir()
	cfg.SpoolDir, cfg.Now, cfg.Logger = dir, clk.Now, quietLogger()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, dir
}

// gapSums adds up the spool's gap records per sender.
func gapSums(recs []Record) map[string]uint64 {
	out := map[string]uint64{}
	for _, r := range recs {
		if r.Type == "gap" {
			out[r.Sender] += r.Last - r.First + 1
		}
	}
	return out
}

// TestReorderingIsNotLoss: 1,3,2,4 once counted Lost 1 on the scoreboard
// while the collector's own count was 0.
func TestReorderingIsNotLoss(t *testing.T) {
	clk := newClock()
	c, dir := newTestCollector(t, clk, Config{})
	for _, seq := range []uint64{1, 3, 2, 4} {
		c.Ingest(recv(logMsg(5, seq, "h", "p", 1), clk.Now()))
	}
	clk.Add(time.Second)
	sb := c.Scoreboard()
	if sb.Collector.Lost != 0 || len(sb.Servers) != 1 || sb.Servers[0].Lost != 0 {
		t.Fatalf("collector lost %d, servers %+v: reordering counted as loss", sb.Collector.Lost, sb.Servers)
	}
	if sb.Servers[0].Levels["INFO"] != 4 {
		t.Fatalf("levels %v, want 4 INFO", sb.Servers[0].Levels)
	}
	c.Close()
	if n := len(gapSums(readAll(t, dir))); n != 0 {
		t.Fatalf("%d gap records for a reordered sequence", n)
	}
}

// TestServerLostEqualsSpoolGaps: shuffled, duplicated and truly lost
// sequences of several senders; each server's lost count is the sum of
// its gap records in the spool, and so is the collector's.
func TestServerLostEqualsSpoolGaps(t *testing.T) {
	clk := newClock()
	c, dir := newTestCollector(t, clk, Config{ReorderWindow: 200 * time.Millisecond})
	rng := rand.New(rand.NewSource(3))
	truly := map[string]uint64{}
	var in []mlog.Received
	for s := uint64(1); s <= 4; s++ {
		for seq := uint64(1); seq <= 500; seq++ {
			if seq > 1 && seq < 500 && rng.Intn(10) == 0 {
				truly[senderHex(s)]++
				continue
			}
			m := recv(logMsg(s, seq, "h", fmt.Sprint("p", s), int(s)), clk.Now())
			in = append(in, m)
			if rng.Intn(10) == 0 {
				in = append(in, m) // duplicate
			}
		}
	}
	// Reorder locally, each sender's first number first.
	for i := range in {
		if j := i + rng.Intn(6); j < len(in) && in[i].Seq != 1 && in[j].Seq != 1 {
			in[i], in[j] = in[j], in[i]
		}
	}
	for _, m := range in {
		c.Ingest(m)
	}
	clk.Add(time.Second)
	sb := c.Scoreboard()
	c.Close()
	sums := gapSums(readAll(t, dir))
	var total uint64
	for _, s := range sb.Servers {
		if s.Lost != sums[s.Sender] || s.Lost != truly[s.Sender] {
			t.Errorf("server %s: lost %d, spool gaps %d, truly lost %d", s.Sender, s.Lost, sums[s.Sender], truly[s.Sender])
		}
		total += s.Lost
	}
	if c.Stats().Lost != total {
		t.Errorf("collector lost %d, servers' sum %d", c.Stats().Lost, total)
	}
}

// TestTwoLiveProcessesAreTwoServers: two clients of one program on one
// host once showed as one server with RESTARTS 1.
func TestTwoLiveProcessesAreTwoServers(t *testing.T) {
	clk := newClock()
	c, _ := newTestCollector(t, clk, Config{GoneAfter: 30 * time.Second})
	for i := uint64(1); i <= 3; i++ {
		c.Ingest(recv(logMsg(1, i, "h", "queued-client", 100), clk.Now()))
		c.Ingest(recv(logMsg(2, i, "h", "queued-client", 200), clk.Now()))
		clk.Add(time.Second)
	}
	sb := c.Scoreboard()
	if len(sb.Servers) != 2 || sb.Servers[0].Restarts != 0 || sb.Servers[1].Restarts != 0 {
		t.Fatalf("servers %+v, want two rows without restarts", sb.Servers)
	}
	// Client 1 goes silent; a third process appears: client 1 restarted.
	for i := uint64(4); i <= 8; i++ {
		c.Ingest(recv(logMsg(2, i, "h", "queued-client", 200), clk.Now()))
		clk.Add(time.Second)
	}
	c.Ingest(recv(logMsg(3, 1, "h", "queued-client", 300), clk.Now()))
	sb = c.Scoreboard()
	if len(sb.Servers) != 2 {
		t.Fatalf("%d servers after a restart, want 2: %+v", len(sb.Servers), sb.Servers)
	}
	var restarted, other Server
	for _, s := range sb.Servers {
		if s.PID == 300 {
			restarted = s
		} else {
			other = s
		}
	}
	if restarted.Restarts != 1 || restarted.PreviousPID != 100 || restarted.PreviousSender != senderHex(1) || restarted.State != StateUp {
		t.Fatalf("restarted row %+v", restarted)
	}
	if other.PID != 200 || other.Restarts != 0 {
		t.Fatalf("live row %+v", other)
	}
}

func TestOneOffSenderIsNotAServer(t *testing.T) {
	clk := newClock()
	c, dir := newTestCollector(t, clk, Config{})
	m := logMsg(9, 1, "h", "porthole", 1)
	m.OneOff = true
	c.Ingest(recv(m, clk.Now()))
	sb := c.Scoreboard()
	if len(sb.Servers) != 0 || sb.Collector.OneOff != 1 {
		t.Fatalf("one-off: servers %+v, one_off %d", sb.Servers, sb.Collector.OneOff)
	}
	c.Close()
	if recs := readAll(t, dir); len(recs) != 1 || recs[0].Msg != "1" {
		t.Fatalf("one-off message not spooled: %+v", recs)
	}
}

func TestLastProblemKeepsTheReason(t *testing.T) {
	clk := newClock()
	c, _ := newTestCollector(t, clk, Config{})
	m := logMsg(4, 1, "h", "replicate", 1)
	m.Level, m.Msg = slog.LevelError, "replication failed"
	m.Attrs = []slog.Attr{slog.String("err", "connection refused")}
	c.Ingest(recv(m, clk.Now()))
	if p := c.Scoreboard().Servers[0].LastProblem; p != "ERROR replication failed: connection refused" {
		t.Fatalf("last problem %q", p)
	}
}

func TestSequenceJumpIsAnEpochNotLoss(t *testing.T) {
	clk := newClock()
	c, dir := newTestCollector(t, clk, Config{})
	for _, seq := range []uint64{1, 2, 1<<63 + 5, 3, 4} {
		c.Ingest(recv(logMsg(6, seq, "h", "p", 1), clk.Now()))
	}
	clk.Add(time.Second)
	sb := c.Scoreboard()
	if sb.Collector.Lost != 0 || sb.Collector.Epochs != 2 || sb.Servers[0].Epochs != 2 {
		t.Fatalf("lost %d epochs %d/%d", sb.Collector.Lost, sb.Collector.Epochs, sb.Servers[0].Epochs)
	}
	c.Close()
	logs := 0
	for _, r := range readAll(t, dir) {
		if r.Type == "log" {
			logs++
		}
	}
	if logs != 5 {
		t.Fatalf("%d log records, want all 5: later records of the sender were silenced", logs)
	}
}

func TestFirstHeardLateSaysLossUnknown(t *testing.T) {
	clk := newClock()
	c, dir := newTestCollector(t, clk, Config{})
	c.Ingest(recv(logMsg(7, 40, "h", "p", 1), clk.Now()))
	c.Close()
	recs := readAll(t, dir)
	if len(recs) != 2 || recs[0].Type != "unknown" || recs[0].First != 1 || recs[0].Last != 39 {
		t.Fatalf("records %+v, want an unknown record for 1..39 first", recs)
	}
	if c.Stats().Lost != 0 {
		t.Fatal("unknown counted as lost")
	}
}

// TestSilentSendersAreForgotten: 100,000 sender ids, then silence: every
// map is empty again, memory returns near its baseline, and the cap held.
func TestSilentSendersAreForgotten(t *testing.T) {
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	clk := newClock()
	c, _ := newTestCollector(t, clk, Config{ForgetAfter: time.Minute, Scoreboard: "-", MaxServers: 1000})
	base := heap()
	for i := uint64(1); i <= 100000; i++ {
		c.Ingest(recv(logMsg(i*2654435761, 1, fmt.Sprint("host", i%5000), "p", int(i)), clk.Now()))
	}
	sb := c.Scoreboard()
	if sb.Collector.Senders != 65536 || sb.Collector.SendersEvicted != 100000-65536 || len(sb.Servers) > 1000 {
		t.Fatalf("senders %d evicted %d servers %d", sb.Collector.Senders, sb.Collector.SendersEvicted, len(sb.Servers))
	}
	full := heap()
	clk.Add(2 * time.Minute)
	for i := 0; i < 100; i++ { // each pass does a bounded share, as the ticker's do
		c.mu.Lock()
		c.seq.expire(clk.Now(), false)
		c.board.refresh(clk.Now(), time.Minute)
		c.mu.Unlock()
	}
	sb = c.Scoreboard()
	if sb.Collector.Senders != 0 || len(sb.Servers) != 0 || len(c.board.senders) != 0 || len(c.board.programs) != 0 {
		t.Fatalf("after silence: senders %d servers %d board senders %d", sb.Collector.Senders, len(sb.Servers), len(c.board.senders))
	}
	// The spool queue still holds the records; let the writer drain it.
	after := heap()
	t.Logf("heap: base %d KiB, full %d KiB, after forgetting %d KiB", base>>10, full>>10, after>>10)
}

func TestOneSenderIDTwoProcessesIsShown(t *testing.T) {
	clk := newClock()
	c, _ := newTestCollector(t, clk, Config{})
	c.Ingest(recv(logMsg(8, 1, "h", "p", 100), clk.Now()))
	c.Ingest(recv(logMsg(8, 1, "h", "p", 200), clk.Now()))
	c.Ingest(recv(logMsg(8, 2, "h", "p", 100), clk.Now()))
	sb := c.Scoreboard()
	if sb.Collector.IDConflicts != 1 || sb.Servers[0].IDConflicts != 1 {
		t.Fatalf("conflicts: collector %d server %d", sb.Collector.IDConflicts, sb.Servers[0].IDConflicts)
	}
}

// TestRestartLossIsRecorded: what a sender sent while the collector was
// down becomes a "restart" gap; what the spool already has is not
// written again.
func TestRestartLossIsRecorded(t *testing.T) {
	clk := newClock()
	dir := t.TempDir()
	open := func() *Collector {
		c, err := New(Config{SpoolDir: dir, Now: clk.Now, Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := open()
	for seq := uint64(1); seq <= 10; seq++ {
		c.Ingest(recv(logMsg(5, seq, "h", "p", 1), clk.Now()))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	clk.Add(30 * time.Second)
	c = open()
	for _, seq := range []uint64{8, 10, 15, 16} { // two replays, then 11-14 are gone
		c.Ingest(recv(logMsg(5, seq, "h", "p", 1), clk.Now()))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	var logs []uint64
	var gaps []Record
	for _, r := range readAll(t, dir) {
		switch r.Type {
		case "log":
			logs = append(logs, r.Seq)
		case "gap":
			gaps = append(gaps, r)
		case "unknown":
			t.Fatalf("a resumed sender reported as unknown: %+v", r)
		}
	}
	if fmt.Sprint(logs) != "[1 2 3 4 5 6 7 8 9 10 15 16]" {
		t.Fatalf("logs %v", logs)
	}
	if len(gaps) != 1 || gaps[0].First != 11 || gaps[0].Last != 14 || gaps[0].Reason != "restart" || gaps[0].Host != "h" {
		t.Fatalf("gaps %+v, want one restart gap 11-14", gaps)
	}
	if c.Stats().Lost != 4 || c.Stats().Duplicates != 2 {
		t.Fatalf("stats %+v", c.Stats())
	}
}
