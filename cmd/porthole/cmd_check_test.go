package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/collector"
	"github.com/porthole-dev/porthole/internal/childtest"
	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/mlog"
	"github.com/porthole-dev/porthole/shmstat"
)

var (
	builtOnce sync.Once
	builtPath string
	builtErr  error
)

// builtPorthole builds the porthole binary once per test run: the exit
// codes checked are those a monitoring system would see.
func builtPorthole(t *testing.T) string {
	t.Helper()
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "porthole-bin-")
		if err != nil {
			builtErr = err
			return
		}
		builtPath = filepath.Join(dir, "porthole")
		out, err := exec.Command("go", "build", "-o", builtPath, ".").CombinedOutput()
		if err != nil {
			builtErr = errors.New(string(out))
		}
	})
	if builtErr != nil {
		t.Fatalf("go build: %v", builtErr)
	}
	return builtPath
}

// runBuilt runs the built binary and returns its stdout and exit code.
func runBuilt(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(builtPorthole(t), args...)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

func TestCheckSegmentExitCodes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seg")
	seg, err := shmstat.Create("svc", &shmstat.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	seg.Gauge("queue_length", "queue length").Set(1200)
	seg.Counter("requests", "requests served").Add(10)
	task := seg.Task("checkpoint", time.Hour)
	task.Start()
	task.DoneNote("12 pages")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"ok", []string{"svc"}, 0, "PORTHOLE OK - svc: owner "},
		{"warn", []string{"svc", "--warn", "queue_length>1000", "--crit", "queue_length>5000"}, 1,
			"PORTHOLE WARNING - svc: queue_length = 1200 (queue_length>1000) | 'tasks_failed'=0 'tasks_overdue'=0 'queue_length'=1200;~:1000;~:5000"},
		{"crit", []string{"svc", "--crit", "queue_length>1000"}, 2, "PORTHOLE CRITICAL - svc: queue_length = 1200"},
		{"rate", []string{"svc", "--warn", "requests/s>=0", "--window", "100ms"}, 1, "'requests_per_second'=0;~:0"},
		{"unknown metric", []string{"svc", "--crit", "nope>1"}, 3, `PORTHOLE UNKNOWN - svc: svc has no gauge or counter "nope"`},
		{"missing", []string{"other"}, 2, "PORTHOLE CRITICAL - other: no segment: not running"},
		{"bad arguments", []string{"svc", "--crit", "nope"}, 3, "PORTHOLE UNKNOWN - bad arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, code := runBuilt(t, append([]string{"check", "--dir", dir}, tc.args...)...)
			if code != tc.code || !strings.HasPrefix(out, tc.want) && !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, %q; want %d and %q", code, out, tc.code, tc.want)
			}
			if strings.Count(out, "\n") != 1 {
				t.Errorf("%d lines, want one: %q", strings.Count(out, "\n"), out)
			}
		})
	}
	task.Start()
	task.Done(errors.New("disk full"))
	if out, code := runBuilt(t, "check", "--dir", dir, "svc"); code != 2 || !strings.Contains(out, "task checkpoint failed: disk full") {
		t.Errorf("failed task: exit %d, %q", code, out)
	}
}

// TestCheckDeadOwner kills a real owner (muxd) with SIGKILL, which
// leaves its segment behind, and checks that check pages.
func TestCheckDeadOwner(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	t.Setenv("PORTHOLE_DIR", filepath.Join(t.TempDir(), "seg"))
	childtest.SetRole(t, rolePorthole)
	muxd := childtest.Command(rolePorthole, "example", "muxd", "--streams", "1")
	muxd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := muxd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { syscall.Kill(-muxd.Process.Pid, syscall.SIGKILL); muxd.Wait() }()
	flowing(t, "muxd", 1)
	if out, code := runBuilt(t, "check", "muxd"); code != 0 {
		t.Fatalf("running: exit %d, %q", code, out)
	}
	syscall.Kill(-muxd.Process.Pid, syscall.SIGKILL)
	muxd.Wait()
	out, code := runBuilt(t, "check", "muxd")
	if code != 2 || !strings.Contains(out, "is dead") {
		t.Errorf("dead owner: exit %d, %q; want 2 and is dead", code, out)
	}
}

func TestCheckScoreboardExitCodes(t *testing.T) {
	now := time.Now()
	board := func(servers ...collector.Server) []byte {
		b, err := json.Marshal(collector.Scoreboard{Version: collector.ScoreboardVersion, Time: now, Servers: servers})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	up := collector.Server{Host: "vm", Program: "queued", Sender: "1", State: collector.StateUp, LastSeen: now}
	stale, gone := up, up
	stale.State, gone.State = collector.StateStale, collector.StateGone
	failed := up
	failed.Program, failed.Sender = "replicate", "2"
	failed.Tasks = []mlog.TaskStat{{Name: "replication", Result: "failed", Message: "checksum mismatch"}}
	tests := []struct {
		name  string
		board []byte
		code  int
		want  string
	}{
		{"up", board(up), 0, "PORTHOLE OK - "},
		{"stale", board(stale), 1, "vm/queued stale"},
		{"gone", board(gone), 2, "vm/queued gone"},
		{"task failed", board(up, failed), 2, "vm/replicate task replication failed: checksum mismatch"},
		{"not a scoreboard", []byte("{"), 3, "PORTHOLE UNKNOWN - "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/scoreboard.json" {
					http.NotFound(w, r)
					return
				}
				w.Write(tc.board)
			}))
			defer srv.Close()
			out, code := runBuilt(t, "check", "--http", srv.URL, "--window", "0")
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("--http: exit %d, %q; want %d and %q", code, out, tc.code, tc.want)
			}
			file := filepath.Join(t.TempDir(), "scoreboard.json")
			if err := os.WriteFile(file, tc.board, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, code := runBuilt(t, "check", "--file", file); code != tc.code {
				t.Errorf("--file: exit %d, want %d", code, tc.code)
			}
		})
	}
}
