package tui

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/childtest"
	"github.com/porthole-dev/porthole/shmstat"
)

// Helper processes: the test binary re-executed in a role owns or
// attaches to a segment and waits.
func TestMain(m *testing.M) {
	childtest.Main(m, childtest.Roles{
		"owner": func() error {
			seg, err := shmstat.Create("e2e", &shmstat.Options{Dir: os.Getenv("PORTHOLE_DIR")})
			if err != nil {
				return err
			}
			seg.Counter("requests_served", "requests served").Add(12345)
			tk := seg.Task("nightly_copy", time.Millisecond)
			tk.Start()
			tk.Done(errors.New("checksum mismatch"))
			seg.Probe("worker").Mark("waiting for work")
			childtest.Ready()
			time.Sleep(time.Hour) // until killed
			return nil
		},
		"client": func() error {
			seg, err := shmstat.Attach("e2e", "doomed", &shmstat.Options{Dir: os.Getenv("PORTHOLE_DIR")})
			if err != nil {
				return err
			}
			_ = seg
			childtest.Ready()
			time.Sleep(time.Hour) // until killed
			return nil
		},
	})
}

func startChild(t *testing.T, dir, role string) *childtest.Child {
	t.Helper()
	c := childtest.Start(t, role, "PORTHOLE_DIR="+dir)
	c.WaitReady(t)
	return c
}

func TestModelBuildsFromRealSegments(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seg")
	owner := startChild(t, dir, "owner")
	client := startChild(t, dir, "client")
	client.Kill()
	m := NewModel(Config{Dir: dir})
	defer m.Close()
	snap := m.Build(context.Background())
	if len(snap.Segments) != 1 {
		t.Fatalf("segments: %+v", snap.Segments)
	}
	seg := snap.Segments[0]
	var owned, dead bool
	for _, sl := range seg.Slots {
		if sl.PID == owner.Pid && sl.Alive {
			owned = true
		}
		if sl.Role == "doomed" && !sl.Alive {
			dead = true
		}
	}
	if !owned || !dead {
		t.Errorf("slots %+v: want the owner alive and the killed client dead", seg.Slots)
	}
	if len(seg.Tasks) != 1 || !seg.Tasks[0].Overdue || !seg.Tasks[0].Failed || seg.Tasks[0].Message != "checksum mismatch" {
		t.Errorf("tasks %+v", seg.Tasks)
	}
	if len(seg.Probes) != 1 || seg.Probes[0].Location != "waiting for work" {
		t.Errorf("probes %+v", seg.Probes)
	}
	// A second build has rates: over an interval (a time span to divide
	// by, not a wait for an event), the unchanged counter's is 0/s.
	time.Sleep(50 * time.Millisecond)
	snap = m.Build(context.Background())
	var row *MetricView
	for i, mv := range snap.Segments[0].Metrics {
		if mv.Name == "requests_served" {
			row = &snap.Segments[0].Metrics[i]
		}
	}
	if row == nil || row.Total != "12,345" || row.Rate != "0/s" {
		t.Errorf("requests_served row %+v, want total 12,345 at 0/s; metrics %+v", row, snap.Segments[0].Metrics)
	}
}

// TestTopInTmux runs the real binary in a real terminal (tmux), reads the
// screen with capture-pane and types keys with send-keys.
func TestTopInTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and drives tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux missing in CI (.ci/run installs it)")
		}
		t.Skip("tmux not installed")
	}
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "seg")
	startChild(t, dir, "owner")
	bin := filepath.Join(tmp, "porthole")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "../cmd/porthole")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sock := filepath.Join(tmp, "tmux.sock")
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tmux("new-session", "-d", "-s", "top", "-x", "100", "-y", "30", "env", "PORTHOLE_DIR="+dir, bin, "top", "--interval", "200ms")
	t.Cleanup(func() { exec.Command("tmux", "-S", sock, "kill-server").Run() })
	// A terminal gives no event when it has drawn: poll its screen, with
	// a deadline that holds on a loaded machine.
	screen := func(want string) string {
		deadline := time.Now().Add(30 * time.Second)
		for {
			s := tmux("capture-pane", "-p", "-t", "top")
			if strings.Contains(s, want) || time.Now().After(deadline) {
				return s
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	s := screen("nightly_copy")
	for _, want := range []string{"e2e", "requests_served", "nightly_copy", "failed OVERDUE", "waiting for work"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	tmux("send-keys", "-t", "top", "?")
	if s = screen("show or hide this help"); !strings.Contains(s, "pause (SIGSTOP)") {
		t.Errorf("help overlay missing:\n%s", s)
	}
	tmux("send-keys", "-t", "top", "?")
	tmux("send-keys", "-t", "top", "q")
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if exec.Command("tmux", "-S", sock, "has-session", "-t", "top").Run() != nil {
			return // porthole top quit and the session ended
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Error("q did not quit porthole top")
}
