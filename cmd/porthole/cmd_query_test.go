package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/collector"
	"github.com/porthole-dev/porthole/mlog"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func msg(kind mlog.Kind, sender, seq uint64, host, text string, level slog.Level, attrs ...slog.Attr) mlog.Received {
	return mlog.Received{Message: mlog.Message{Kind: kind, Sender: sender, Seq: seq, Time: time.Now(), Level: level,
		Host: host, Program: "queued", PID: 42, Msg: text, Attrs: attrs}, RecvTime: time.Now(), Interface: "lo"}
}

// testSpool writes a spool through a real collector: two hosts' logs,
// a hello and a stats record, and a gap (sender 1 loses 4-5).
func testSpool(t *testing.T) string {
	dir := t.TempDir()
	c, err := collector.New(collector.Config{SpoolDir: dir, Scoreboard: "-", Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	c.Ingest(msg(mlog.KindHello, 1, 1, "db1", "hello", 0))
	c.Ingest(msg(mlog.KindLog, 1, 2, "db1", "checkpoint done", slog.LevelInfo,
		slog.Uint64("pages", math.MaxUint64), slog.String("zone", "b"), slog.String("arena", "a")))
	c.Ingest(mlog.Received{Message: mlog.Message{Kind: mlog.KindStats, Sender: 1, Seq: 3, Time: time.Now(), Host: "db1", Program: "queued",
		Stats: &mlog.Stats{Segment: "queued", Parts: 1, Counters: []mlog.CounterStat{{Name: "writes", Value: 7}}}}})
	c.Ingest(msg(mlog.KindLog, 1, 6, "db1", "checkpoint failed", slog.LevelError))
	c.Ingest(msg(mlog.KindLog, 2, 1, "db2", "replica behind", slog.LevelWarn)) // before the gap: 6 is held
	if err := c.Close(); err != nil {                                          // releases the held record: gap 4-5
		t.Fatal(err)
	}
	return dir
}

func runQ(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"query"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

func TestQueryFilters(t *testing.T) {
	dir := testSpool(t)
	for _, tc := range []struct {
		args []string
		want []string // each output line contains one, in order
	}{
		{nil, []string{"INFO  db1 queued[42] checkpoint done arena=a pages=18446744073709551615 zone=b", "WARN  db2", "GAP   db1 queued: lost 4-5", "ERROR db1"}},
		{[]string{"--all"}, []string{"HELLO db1", "checkpoint done", "STATS db1 queued 1 values", "replica behind", "GAP", "checkpoint failed"}},
		{[]string{"--level", "warn"}, []string{"replica behind", "GAP", "checkpoint failed"}},
		{[]string{"--grep", "^checkpoint", "--all"}, []string{"checkpoint done", "GAP", "checkpoint failed"}},
		{[]string{"--host", "db2"}, []string{"replica behind"}},
		{[]string{"--since", "1h", "--until", "2000-01-01T00:00:00Z"}, nil},
	} {
		out, errs, code := runQ(t, append([]string{"--spool", dir}, tc.args...)...)
		if code != 0 || errs != "" {
			t.Fatalf("%v: exit %d, stderr %q", tc.args, code, errs)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if out == "" {
			lines = nil
		}
		if len(lines) != len(tc.want) {
			t.Errorf("%v: %d lines, want %d:\n%s", tc.args, len(lines), len(tc.want), out)
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("%v: line %d %q, want %q in it", tc.args, i, lines[i], w)
			}
		}
	}
}

// --json prints the spool's lines byte for byte: a u64 keeps its digits,
// attributes keep their order.
func TestQueryJSONIsTheSpool(t *testing.T) {
	dir := testSpool(t)
	out, errs, code := runQ(t, "--spool", dir, "--json", "--all")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "spool-*.jsonl"))
	var spool []byte
	for _, f := range files {
		b, _ := os.ReadFile(f)
		spool = append(spool, b...)
	}
	if out != string(spool) {
		t.Errorf("query --json:\n%s\nspool:\n%s", out, spool)
	}
	if !strings.Contains(out, `"attrs":{"pages":18446744073709551615,"zone":"b","arena":"a"}`) {
		t.Errorf("attributes changed: %s", out)
	}
}

func TestQueryMissingOrEmptySpool(t *testing.T) {
	empty := t.TempDir()
	for _, dir := range []string{filepath.Join(empty, "typo"), empty} {
		out, errs, code := runQ(t, "--spool", dir)
		if code == 0 || out != "" || !strings.Contains(errs, "no spool") || !strings.Contains(errs, dir) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want nonzero and a clear message", dir, code, out, errs)
		}
	}
}

// query -f prints every record once, in order, while the collector
// rotates its files underneath.
func TestQueryFollowAcrossRotation(t *testing.T) {
	dir := t.TempDir()
	c, err := collector.New(collector.Config{SpoolDir: dir, Scoreboard: "-", RotateSize: 4 << 10, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	var out, errb syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- query(ctx, []string{"--spool", dir, "-f", "--json"}, &out, &errb) }()
	const n = 600
	for seq := uint64(1); seq <= n; seq++ {
		c.Ingest(msg(mlog.KindLog, 7, seq, "db1", strings.Repeat("w", 60), slog.LevelInfo))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for strings.Count(out.String(), "\n") < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // the follower polls every 200 ms
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	files, _ := collector.SpoolFiles(dir)
	if len(files) < 5 {
		t.Fatalf("%d spool files: no rotation to follow across", len(files))
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != n || errb.String() != "" {
		t.Fatalf("%d lines, want %d; stderr %q", len(lines), n, errb.String())
	}
	for i, l := range lines {
		r, err := collector.ParseRecord([]byte(l))
		if err != nil || r.Seq != uint64(i+1) {
			t.Fatalf("line %d: seq %d (%v), want %d", i, r.Seq, err, i+1)
		}
	}
}

// A record without a pid (a syslog message without a PROCID) is printed
// as syslog prints it, without "[0]": no process has pid 0.
func TestRecordLineNamesTheProcess(t *testing.T) {
	at := time.Date(2026, 11, 30, 11, 47, 9, 0, time.UTC)
	tests := []struct {
		name string
		rec  collector.Record
		want string
	}{
		{"bus record", collector.Record{Type: "log", Level: "INFO", Time: at, Host: "vm", Program: "queued", PID: 4242, Msg: "hi"},
			"2026-11-30 11:47:09.000 INFO  vm queued[4242] hi"},
		{"syslog without PROCID", collector.Record{Type: "syslog", Level: "INFO", Time: at, Host: "vm", Program: "myapp", Msg: "text"},
			"2026-11-30 11:47:09.000 INFO  vm myapp text"},
		{"stats", collector.Record{Type: "stats", Time: at, Host: "vm", Program: "queued", PID: 4242},
			"2026-11-30 11:47:09 STATS vm queued[4242] 0 values"},
	}
	for _, tc := range tests {
		if got := recordLine(&tc.rec); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
