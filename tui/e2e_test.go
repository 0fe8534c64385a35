package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
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
			for i := 0; i < 30; i++ {
				seg.Gauge(fmt.Sprintf("zz_gauge_%02d", i), "one of many, to scroll").Set(int64(1000 * i))
			}
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
		// A segment whose counter moves (the what-if key measures it) and
		// a process attached to it that the experiment pauses.
		"ticker": func() error {
			seg, err := shmstat.Create("ticks", &shmstat.Options{Dir: os.Getenv("PORTHOLE_DIR")})
			if err != nil {
				return err
			}
			c := seg.Counter("ticks", "ticks counted")
			childtest.Ready()
			for {
				c.Inc()
				time.Sleep(time.Millisecond)
			}
		},
		"tickclient": func() error {
			if _, err := shmstat.Attach("ticks", "helper", &shmstat.Options{Dir: os.Getenv("PORTHOLE_DIR")}); err != nil {
				return err
			}
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
	owner := startChild(t, dir, "owner")
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
	tmux("new-session", "-d", "-s", "top", "-x", "100", "-y", "30", "env", "PORTHOLE_DIR="+dir, bin, "top", "--interval", "200ms", "--bus=false")
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
	for _, want := range []string{"e2e", "requests_served", "nightly_copy", "failed OVERDUE", "waiting for work", "?Help", "values 1-"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	keys := func(k ...string) { tmux(append([]string{"send-keys", "-t", "top"}, k...)...) }
	expect := func(what string, want ...string) string {
		t.Helper()
		s := screen(want[0])
		for _, w := range want {
			if !strings.Contains(s, w) {
				t.Errorf("%s: screen lacks %q:\n%s", what, w, s)
			}
		}
		return s
	}
	// Scroll: End shows the last value, Home the first again.
	keys("End")
	expect("End", "zz_gauge_29", "/31 ↑")
	keys("Home")
	expect("Home", "requests_served")
	// Sort by name, reversed: the last name comes first.
	keys("s")
	expect("sort", "sort: name ↑")
	keys("S")
	expect("reverse", "sort: name ↓", "zz_gauge_29")
	// Filter: typed at the bottom, kept in the header.
	keys("/", "g", "a", "u", "g", "e", "_", "0", "7", "Enter")
	if s := expect("filter", "filter: gauge_07", "zz_gauge_07"); strings.Contains(s, "requests_served") {
		t.Errorf("filter kept requests_served:\n%s", s)
	}
	keys("Escape")
	if s := expect("filter cleared", "/31"); strings.Contains(s, "filter:") {
		t.Errorf("filter still shown after esc:\n%s", s)
	}
	// Pause with confirmation: the owner's row is below the segment's.
	keys("Down", "z")
	expect("pause asks", fmt.Sprintf("pause pid %d", owner.Pid), "z or y")
	if st := procState(t, owner.Pid); st == "T" {
		t.Fatal("paused before the confirmation")
	}
	keys("y")
	expect("paused", "1 PAUSED")
	waitState(t, owner.Pid, "T")
	keys("Z")
	expect("resumed", fmt.Sprintf("resumed pid %d", owner.Pid))
	waitState(t, owner.Pid, "S")
	// A real terminal resize (SIGWINCH) to 200x60 and back to 80x24: the
	// layout follows, the key bar stays on the last line.
	tmux("set-option", "-t", "top", "window-size", "manual")
	for _, sz := range [][2]string{{"200", "60"}, {"80", "24"}} {
		tmux("resize-window", "-t", "top", "-x", sz[0], "-y", sz[1])
		var lines []string
		for deadline := time.Now().Add(time.Minute); ; {
			lines = strings.Split(strings.TrimRight(tmux("capture-pane", "-p", "-t", "top"), "\n"), "\n")
			// Laid out for the new size: the values pane's top right
			// corner is in the last column.
			fits := len(lines) == atoi(t, sz[1]) && len(lines) > 1 && len([]rune(lines[1])) == atoi(t, sz[0]) && strings.HasSuffix(lines[1], "┐")
			if (fits && strings.Contains(lines[len(lines)-1], "?Help")) || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		s := strings.Join(lines, "\n")
		if len(lines) != atoi(t, sz[1]) || !strings.HasSuffix(lines[1], "┐") || !strings.Contains(lines[len(lines)-1], "?Help") || !strings.Contains(s, "/31") {
			t.Errorf("at %sx%s: %d lines:\n%s", sz[0], sz[1], len(lines), s)
		}
		if sz[0] == "200" && !strings.Contains(s, "zz_gauge_29") {
			t.Errorf("at 200x60 not every value shows:\n%s", s)
		}
	}
	// The cluster view says where it looked for the collector (or shows
	// the one that answered there).
	keys("Tab")
	s = screen("9477")
	if !strings.Contains(s, "no collector answered at http://127.0.0.1:9477") && !strings.Contains(s, "scoreboard: collector") {
		t.Errorf("cluster view:\n%s", s)
	}
	keys("Tab")
	tmux("send-keys", "-t", "top", "?")
	// Wait for the line near the overlay's end: tmux may capture a frame
	// the terminal has only half drawn.
	if s = screen("pause (SIGSTOP)"); !strings.Contains(s, "show or hide this help") {
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

// procState is the state letter of a process in /proc/<pid>/stat.
func procState(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+3 > len(s) {
		t.Fatalf("/proc/%d/stat: %q", pid, s)
	}
	return s[i+2 : i+3]
}

// waitState waits until the kernel shows pid in state st ("T" stopped,
// "S" sleeping). The stop is another process's doing (porthole top's),
// so there is no event to wait on here: poll, with a generous deadline.
func waitState(t *testing.T, pid int, st string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for procState(t, pid) != st {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d: state %s, want %s", pid, procState(t, pid), st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
