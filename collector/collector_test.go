package collector

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// fakeClock is a settable clock for Config.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *fakeClock               { return &fakeClock{t: time.Unix(1700000000, 0)} }
func recv(m mlog.Message, at time.Time) mlog.Received {
	if m.Time.IsZero() {
		m.Time = at // as a sender stamps it
	}
	return mlog.Received{Message: m, RecvTime: at, Interface: "lo"}
}

func readAll(t *testing.T, dir string) []Record {
	t.Helper()
	var out []Record
	err := ReadSpool(dir, func(r Record) bool { out = append(out, r); return true },
		func(f string, n int, err error) { t.Errorf("bad line %s:%d: %v", f, n, err) })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIngestSpoolsInOrderWithGaps(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Config{SpoolDir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	// Two senders; the first loses 40-44, both arrive shuffled.
	var in []mlog.Received
	for seq := uint64(1); seq <= 100; seq++ {
		if seq < 40 || seq > 44 {
			in = append(in, recv(mlog.Message{Kind: mlog.KindLog, Sender: 1, Seq: seq, Host: "a", Program: "p", Msg: fmt.Sprint(seq)}, time.Now()))
		}
		in = append(in, recv(mlog.Message{Kind: mlog.KindLog, Sender: 2, Seq: seq, Host: "b", Program: "p", Msg: fmt.Sprint(seq)}, time.Now()))
	}
	first := []mlog.Received{in[0], in[1]} // each sender's seq 1 first
	rest := in[2:]
	rand.New(rand.NewSource(7)).Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	for _, m := range append(first, rest...) {
		c.Ingest(m)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	next := map[string]uint64{senderHex(1): 1, senderHex(2): 1}
	gaps := 0
	for _, r := range readAll(t, dir) {
		switch r.Type {
		case "gap":
			gaps++
			if r.Sender != senderHex(1) || r.First != 40 || r.Last != 44 || r.Reason != "network" {
				t.Errorf("gap record %+v, want sender 1, 40-44", r)
			}
			next[r.Sender] = r.Last + 1
		case "log":
			if r.Seq != next[r.Sender] {
				t.Fatalf("sender %s: seq %d, want %d", r.Sender, r.Seq, next[r.Sender])
			}
			if r.Recv == nil || r.Recv.Interface != "lo" {
				t.Errorf("receiver fields missing: %+v", r.Recv)
			}
			next[r.Sender]++
		}
	}
	if gaps != 1 || next[senderHex(1)] != 101 || next[senderHex(2)] != 101 {
		t.Fatalf("gaps %d, next %v", gaps, next)
	}
	if s := c.Stats(); s.Lost != 5 || s.Written != 196 {
		t.Errorf("stats %+v, want 5 lost, 196 written (195 + 1 gap)", s)
	}
}

func TestTornLastLineRepaired(t *testing.T) {
	dir := t.TempDir()
	good := `{"type":"log","sender":"0000000000000001","seq":1,"time":"2026-11-23T00:00:00Z","msg":"whole"}` + "\n"
	torn := `{"type":"log","sender":"0000000000000001","seq":2,"ti`
	path := filepath.Join(dir, "spool-20261123T000000.000000001.jsonl")
	if err := os.WriteFile(path, []byte(good+torn), 0o640); err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	c, err := New(Config{SpoolDir: dir, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	recs := readAll(t, dir)
	if len(recs) != 1 || recs[0].Msg != "whole" {
		t.Fatalf("records after repair: %+v", recs)
	}
	if !strings.Contains(logged.String(), "torn") {
		t.Errorf("repair not reported: %q", logged.String())
	}
}

func TestRotationKeepsEveryRecordAndRetentionBoundsSize(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Config{SpoolDir: dir, RotateSize: 4 << 10, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	for seq := uint64(1); seq <= n; seq++ {
		c.Ingest(recv(mlog.Message{Kind: mlog.KindLog, Sender: 3, Seq: seq, Host: "h", Program: "p", Msg: strings.Repeat("x", 100)}, time.Now()))
	}
	c.Close()
	files, _ := spoolFiles(dir)
	gz := 0
	for _, f := range files {
		if strings.HasSuffix(f, gzExt) {
			gz++
		}
	}
	if gz < 10 {
		t.Fatalf("%d compressed files after writing ~400 KB with 4 KB rotation", gz)
	}
	recs := readAll(t, dir)
	if len(recs) != n {
		t.Fatalf("%d records across rotations, want %d", len(recs), n)
	}
	for i, r := range recs {
		if r.Seq != uint64(i+1) {
			t.Fatalf("record %d has seq %d", i, r.Seq)
		}
	}

	// A collector with a 20 KB retention limit trims the oldest files.
	c2, err := New(Config{SpoolDir: dir, RotateSize: 4 << 10, RetainBytes: 20 << 10, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	for seq := uint64(1); seq <= 200; seq++ {
		c2.Ingest(recv(mlog.Message{Kind: mlog.KindLog, Sender: 4, Seq: seq, Host: "h", Program: "p", Msg: strings.Repeat("y", 100)}, time.Now()))
	}
	c2.Close()
	var total int64
	files, _ = spoolFiles(dir)
	for _, f := range files {
		fi, _ := os.Stat(f)
		total += fi.Size()
	}
	if total > 20<<10+8<<10 {
		t.Fatalf("spool holds %d bytes with a 20 KB retention", total)
	}
	last := readAll(t, dir)
	if len(last) == 0 || last[len(last)-1].Sender != senderHex(4) || last[len(last)-1].Seq != 200 {
		t.Fatal("retention removed the newest records")
	}
}

func TestScoreboardStatesAndRestart(t *testing.T) {
	clk := newClock()
	dir := t.TempDir()
	c, err := New(Config{SpoolDir: dir, Now: clk.Now, GoneAfter: 30 * time.Second, ForgetAfter: 5 * time.Minute, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stats := func(sender, seq uint64) {
		c.Ingest(recv(mlog.Message{Kind: mlog.KindStats, Sender: sender, Seq: seq, Host: "db1", Program: "queued", PID: 10,
			Stats: &mlog.Stats{Segment: "queued", Parts: 1, Counters: []mlog.CounterStat{{Name: "writes", Value: seq}},
				Tasks: []mlog.TaskStat{{Name: "checkpoint", Result: "failed", Overdue: true}}}}, clk.Now()))
	}
	state := func() Server {
		sb := c.Scoreboard()
		if len(sb.Servers) != 1 {
			t.Fatalf("%d servers: %+v", len(sb.Servers), sb.Servers)
		}
		return sb.Servers[0]
	}
	for i := uint64(1); i <= 3; i++ {
		stats(1, i)
		clk.Add(time.Second)
	}
	if s := state(); s.State != StateUp || s.Counters["writes"] != 3 || s.OverdueTasks != 1 || s.FailedTasks != 1 {
		t.Fatalf("server %+v, want up with writes=3 and the overdue, failed task", s)
	}
	clk.Add(4 * time.Second) // more than 3 missed announcements
	if s := state(); s.State != StateStale {
		t.Fatalf("state %s after 4 s of silence, want stale", s.State)
	}
	clk.Add(30 * time.Second)
	if s := state(); s.State != StateGone {
		t.Fatalf("state %s after 34 s, want gone", s.State)
	}
	// It comes back with a new sender id: a restart of the same server.
	stats(2, 1)
	if s := state(); s.State != StateUp || s.Restarts != 1 || s.Sender != senderHex(2) {
		t.Fatalf("after restart: %+v", s)
	}
	clk.Add(10 * time.Minute)
	if sb := c.Scoreboard(); len(sb.Servers) != 0 {
		t.Fatalf("server not forgotten after 10 min: %+v", sb.Servers)
	}
}

func TestMetricsPassLint(t *testing.T) {
	c, err := New(Config{SpoolDir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Ingest(recv(mlog.Message{Kind: mlog.KindStats, Sender: 1, Seq: 1, Host: "h", Program: "p",
		Stats: &mlog.Stats{Parts: 1, Counters: []mlog.CounterStat{{Name: "requests", Value: 5}},
			Gauges: []mlog.GaugeStat{{Name: "queue", Value: 2}}, Loads: []mlog.LoadStat{{Name: "w", Percent: 50}},
			Tasks: []mlog.TaskStat{{Name: "t", Result: "ok"}}}}, time.Now()))
	m := &metrics{c: c}
	problems, err := testutil.CollectAndLint(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	expected := `
# HELP porthole_server_announced_total A counter announced by a server.
# TYPE porthole_server_announced_total counter
porthole_server_announced_total{host="h",name="requests",pid="0",program="p"} 5
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(expected), "porthole_server_announced_total"); err != nil {
		t.Error(err)
	}
}

// TestMetricsSurviveOneBadServer: two processes of one program and a
// server whose name is not UTF-8 once made /metrics fail whole.
func TestMetricsSurviveOneBadServer(t *testing.T) {
	c, err := New(Config{SpoolDir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i, host := range []string{"h", "h", "bad\xffhost"} {
		c.Ingest(recv(mlog.Message{Kind: mlog.KindStats, Sender: uint64(i + 1), Seq: 1, Host: host, Program: "p", PID: 10 + i,
			Stats: &mlog.Stats{Parts: 1, Counters: []mlog.CounterStat{{Name: "requests", Value: 5}}}}, time.Now()))
	}
	srv := httptest.NewServer(c.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %s\n%s", resp.Status, body)
	}
	for _, want := range []string{`porthole_server_up{host="h",pid="10",program="p"} 1`, `porthole_server_up{host="h",pid="11",program="p"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if c.metricErrors.Load() == 0 {
		t.Error("the bad server's series were not counted as left out")
	}
}
