package scoreboard_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/collector"
	"github.com/porthole-dev/porthole/collector/scoreboard"
	"github.com/porthole-dev/porthole/mlog"
)

// newCollector runs a real collector (its spool in a temporary directory,
// its clock fixed) that has heard one server log an error and announce
// its load and tasks.
func newCollector(t *testing.T) (*collector.Collector, string) {
	t.Helper()
	dir := t.TempDir()
	now := time.Date(2026, 11, 23, 4, 10, 0, 0, time.UTC)
	c, err := collector.New(collector.Config{SpoolDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	at := now.Add(-3 * time.Second)
	hdr := mlog.Message{Sender: 7, Host: "db1", Program: "queued", PID: 4242, Time: at}
	log := hdr
	log.Kind, log.Seq, log.Level, log.Msg = mlog.KindLog, 1, slog.LevelError, "checkpoint failed"
	c.Ingest(mlog.Received{Message: log, RecvTime: at})
	stats := hdr
	stats.Kind, stats.Seq, stats.Msg = mlog.KindStats, 2, "stats"
	stats.Stats = &mlog.Stats{Segment: "queued", Parts: 1,
		Loads: []mlog.LoadStat{{Name: "worker", Percent: 40.4}, {Name: "io", Percent: 3}},
		Tasks: []mlog.TaskStat{{Name: "checkpoint", Result: "failed", Overdue: true}, {Name: "sync", Result: "ok", Running: true}}}
	c.Ingest(mlog.Received{Message: stats, RecvTime: at})
	return c, dir
}

var wantRows = []scoreboard.Row{{
	Host: "db1", Program: "queued", PID: 4242, State: "up", LastSeen: "3s ago",
	Load: "io 3%, worker 40%", Tasks: "checkpoint failed OVERDUE, sync ok (running)",
	Problem: "ERROR checkpoint failed", Attention: true,
}}

// TestReadsTheCollectorsBoard: what the collector writes (file) and
// serves (/scoreboard.json) reads back into the rows people see.
func TestReadsTheCollectorsBoard(t *testing.T) {
	c, dir := newCollector(t)
	srv := httptest.NewServer(c.Handler())
	defer srv.Close()
	for _, src := range []string{srv.URL + "/", srv.URL + "/scoreboard.json"} {
		b, err := scoreboard.Load(context.Background(), src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if got := b.Rows(); !reflect.DeepEqual(got, wantRows) {
			t.Errorf("%s: rows\n%+v\nwant\n%+v", src, got, wantRows)
		}
		if s := b.Summary(); !strings.HasPrefix(s, "collector ") || !strings.Contains(s, "received 2") || !strings.Contains(s, "rejected none") {
			t.Errorf("summary %q", s)
		}
	}
	if err := c.Close(); err != nil { // writes scoreboard.json
		t.Fatal(err)
	}
	b, err := scoreboard.Load(context.Background(), filepath.Join(dir, "scoreboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Rows(); !reflect.DeepEqual(got, wantRows) {
		t.Errorf("file: rows\n%+v\nwant\n%+v", got, wantRows)
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"another version", `{"version": 2}`, "version 2"},
		{"not JSON", `{"version": 1,`, "unexpected end"},
		{"wrong type", `{"version": 1, "servers": {}}`, "cannot unmarshal"},
		{"too large", `{"version": 1, "x": "` + strings.Repeat("a", 64<<20) + `"}`, "larger than"},
	}
	for _, tt := range tests {
		if _, err := scoreboard.Parse([]byte(tt.doc), "test"); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
		}
	}
	if _, err := scoreboard.Read(filepath.Join(t.TempDir(), "none.json")); !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing file: %v", err)
	}
	srv := httptest.NewServer(nil) // 404 for everything
	defer srv.Close()
	if _, err := scoreboard.Fetch(context.Background(), srv.URL); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

func TestRows(t *testing.T) {
	now := time.Date(2026, 11, 23, 4, 10, 0, 0, time.UTC)
	b := &scoreboard.Board{Time: now, Servers: []scoreboard.Server{
		{Host: "a", Program: "p", State: "gone", LastSeen: now.Add(-90 * time.Second)},
		{Host: "b", Program: "p", State: "up", FailedTasks: 1, Tasks: []scoreboard.Task{{Name: "t", Result: "failed"}}},
	}}
	want := []scoreboard.Row{
		{Host: "a", Program: "p", State: "gone", LastSeen: "1m30s ago"},
		{Host: "b", Program: "p", State: "up", LastSeen: "never", Tasks: "t failed", Attention: true},
	}
	if got := b.Rows(); !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n%+v\nwant\n%+v", got, want)
	}
	b.Collector = scoreboard.Collector{Host: "mon1", PID: 77, UptimeSeconds: 3600.4, Received: 1234567, Lost: 1583,
		Rejected: map[string]uint64{"bad_mac": 3, "bad_magic": 1}, SpoolBytes: 1536, WriteErrors: 2, LastWriteErr: "disk full"}
	const sum = "collector mon1 pid 77  up 1h0m0s  received 1,234,567  lost 1,583  rejected bad_mac=3 bad_magic=1  spool 1.5 KiB (2 write errors)  spool trouble: disk full"
	if got := b.Summary(); got != sum {
		t.Errorf("summary\n%s\nwant\n%s", got, sum)
	}
}
