package collector

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/collector/scoreboard"
	"github.com/porthole-dev/porthole/mlog"
)

// get fetches path from srv and returns the status, content type and body.
func get(t *testing.T, srv *httptest.Server, path string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

// TestScoreboardJSONServesTheScoreboard: /scoreboard.json is the
// collector's scoreboard as JSON, the same document Scoreboard returns,
// and the documented reader (collector/scoreboard) reads it.
func TestScoreboardJSONServesTheScoreboard(t *testing.T) {
	c, err := New(Config{SpoolDir: t.TempDir(), Scoreboard: "-", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	now := time.Now()
	c.Ingest(recv(mlog.Message{Kind: mlog.KindStats, Sender: 7, Seq: 1, Host: "web1", Program: "queued", PID: 4242,
		Stats: &mlog.Stats{Parts: 1, Counters: []mlog.CounterStat{{Name: "requests", Value: 99}}}}, now))
	c.Ingest(recv(mlog.Message{Kind: mlog.KindLog, Sender: 7, Seq: 2, Host: "web1", Program: "queued", PID: 4242,
		Level: slog.LevelError, Msg: "disk slow"}, now))
	srv := httptest.NewServer(c.Handler())
	defer srv.Close()

	code, ctype, body := get(t, srv, "/scoreboard.json")
	if code != http.StatusOK || ctype != "application/json" {
		t.Fatalf("/scoreboard.json: %d %q\n%s", code, ctype, body)
	}
	var sb Scoreboard
	if err := json.Unmarshal([]byte(body), &sb); err != nil {
		t.Fatalf("/scoreboard.json is not a scoreboard: %v\n%s", err, body)
	}
	if sb.Version != ScoreboardVersion || sb.Collector.PID != os.Getpid() || sb.Collector.Received != 2 {
		t.Errorf("collector part %+v (version %d), want this process, 2 received", sb.Collector, sb.Version)
	}
	if len(sb.Servers) != 1 {
		t.Fatalf("servers %+v, want web1/queued", sb.Servers)
	}
	sv := sb.Servers[0]
	if sv.Host != "web1" || sv.Program != "queued" || sv.PID != 4242 || sv.State != StateUp ||
		sv.Counters["requests"] != 99 || sv.Levels["ERROR"] != 1 || !strings.Contains(sv.LastProblem, "disk slow") {
		t.Errorf("server %+v, want web1 queued 4242 up, requests 99, one error 'disk slow'", sv)
	}

	// The reader other programs use agrees.
	b, err := scoreboard.Fetch(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Servers) != 1 || b.Servers[0].Program != "queued" || b.Servers[0].PID != 4242 || b.Collector.Received != 2 {
		t.Errorf("scoreboard.Fetch read %+v", b)
	}
}

// TestHealthzReportsAnUnwritableSpool: /healthz says ok while the spool
// takes records, 503 with the write error while records wait in memory
// for a full disk, and ok again once they are written.
func TestHealthzReportsAnUnwritableSpool(t *testing.T) {
	c, err := New(Config{SpoolDir: t.TempDir(), Scoreboard: "-", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c.Handler())
	defer srv.Close()
	if code, _, body := get(t, srv, "/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("healthy collector: /healthz %d %q", code, body)
	}
	c.Close()

	// About 50 kB free. The writer holds up to 4096 records while it
	// retries; the queue holds what comes after them.
	dir := mountTmpfs(t, "2m")
	ballast := filepath.Join(dir, "ballast")
	if err := os.WriteFile(ballast, make([]byte, 2<<20-50<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = New(Config{SpoolDir: filepath.Join(dir, "spool"), Scoreboard: "-", QueueLen: 1000, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv = httptest.NewServer(c.Handler())
	defer srv.Close()
	// Feed records until the writer holds all it takes while it retries
	// (4096) and more wait in the queue: however fast or slow the writer
	// runs here, the state /healthz reports comes.
	text := strings.Repeat("z", 20)
	seq := uint64(0)
	waitFor(t, "a write error with records queued", func() bool {
		sb := c.Scoreboard()
		if sb.Collector.LastWriteErr != "" && sb.Collector.Queued > 0 {
			return true
		}
		for i := 0; i < 200; i++ {
			seq++
			c.Ingest(recv(mlog.Message{Kind: mlog.KindLog, Sender: 5, Seq: seq, Host: "h", Program: "p", Msg: text}, time.Now()))
		}
		return false
	})
	code, _, body := get(t, srv, "/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "spool not writable") || !strings.Contains(body, "no space") {
		t.Errorf("full disk: /healthz %d %q, want 503 spool not writable: no space", code, body)
	}
	os.Remove(ballast)
	waitFor(t, "the queue to drain", func() bool { return c.Scoreboard().Collector.Queued == 0 })
	if code, _, body := get(t, srv, "/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("after space returned: /healthz %d %q", code, body)
	}
}
