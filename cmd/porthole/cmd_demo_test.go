package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/childtest"
	"github.com/porthole-dev/porthole/internal/netns"
	"golang.org/x/sys/unix"
)

// TestDemoWithoutTerminal: the README's first command run where there is
// no terminal (a CI job, a background shell job) prints the scoreboard,
// as --no-tui does, and says why, instead of failing.
func TestDemoWithoutTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo for 2 s")
	}
	if !netns.Run(t) {
		return
	}
	// A session of its own: no controlling terminal, even when the tests
	// run in one. (This process is the namespace's child, not a process
	// group leader, so it may.)
	if _, err := unix.Setsid(); err != nil {
		t.Fatalf("setsid: %v", err)
	}
	childtest.SetRole(t, rolePorthole)
	var out, errs syncBuffer
	if code := run([]string{"demo", "--duration", "2s"}, &out, &errs); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errs.String())
	}
	if e := errs.String(); !strings.Contains(e, "no terminal") || !strings.Contains(e, "printing the scoreboard every second instead") {
		t.Errorf("demo without a terminal did not say so: %q", e)
	}
	if got := out.String(); !strings.Contains(got, "collector ") || strings.ContainsAny(got, "\x1b") {
		t.Errorf("demo without a terminal printed no plain scoreboard: %q", got[:min(len(got), 300)])
	}
}

func TestDemoNoTUI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo for 8 s")
	}
	if !netns.Run(t) {
		return
	}
	childtest.SetRole(t, rolePorthole)
	var out, errs syncBuffer
	if code := run([]string{"demo", "--no-tui", "--duration", "8s"}, &out, &errs); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errs.String())
	}
	// The last scoreboard printed lists every example, up.
	got := out.String()
	if strings.ContainsAny(got, "\x1b\r") { // stdout is no terminal here
		t.Errorf("demo --no-tui wrote terminal codes to a non-terminal: %q", got[:min(len(got), 200)])
	}
	last := got[strings.LastIndex(got, "collector "):]
	for _, prog := range []string{"queued", "queued-client", "muxd", "muxd-producer-0", "replicate", "replicate-stuck"} {
		found := false
		for _, line := range strings.Split(last, "\n") {
			f := strings.Fields(line)
			if len(f) > 3 && f[1] == prog && f[3] == "UP" {
				found = true
			}
		}
		if !found {
			t.Errorf("scoreboard lacks %s up:\n%s", prog, last)
		}
	}
	// The cron example's command (porthole run replicate-cron -- ...) is
	// a job's, not a server: no row of its own, whose restarts would
	// count its runs.
	servers := last
	if i := strings.Index(last, "\nHOST  JOB"); i >= 0 {
		servers = last[:i]
	}
	for _, line := range strings.Split(servers, "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(f[1], "replicate-cron") {
			t.Errorf("a job's command is on the scoreboard as a server: %q", line)
		}
	}
	// The temporary directory is gone at exit.
	e := errs.String()
	i := strings.Index(e, "segments in ")
	j := strings.Index(e, ", spool in")
	if i < 0 || j < i {
		t.Fatalf("demo did not say where its segments are: %q", e)
	}
	segDir := e[i+len("segments in ") : j]
	if _, err := os.Stat(filepath.Dir(segDir)); !os.IsNotExist(err) {
		t.Errorf("temporary directory %s still there: %v", filepath.Dir(segDir), err)
	}
	// Every process it started, and theirs (muxd's producers), is gone.
	if left := processesWithEnv("PORTHOLE_DIR=" + segDir); len(left) > 0 {
		t.Errorf("processes of the demo still running: %v", left)
	}
}

// processesWithEnv lists the pids of live processes whose environment
// holds entry.
func processesWithEnv(entry string) []string {
	var pids []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		for _, kv := range strings.Split(string(b), "\x00") {
			if kv == entry {
				pids = append(pids, e.Name())
			}
		}
	}
	return pids
}

// TestDemoCleansUpWhenItsReaderGoes: 'porthole demo --no-tui | head'
// once died of SIGPIPE when head exited, leaving its temporary directory
// (segments, spool, daemons.log) behind in /tmp. Now the reader going
// ends the demo as Ctrl-C does: it stops what it started and removes it.
func TestDemoCleansUpWhenItsReaderGoes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo for a few seconds")
	}
	if !netns.Run(t) {
		return
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var errs syncBuffer
	cmd := exec.Command(builtPorthole(t), "demo", "--no-tui", "--duration", "2m", "--http", "")
	cmd.Stdout, cmd.Stderr = w, &errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// The first scoreboard, as head -3 would read it; then the reader goes.
	if line, err := bufio.NewReader(r).ReadString('\n'); err != nil {
		cmd.Process.Kill()
		t.Fatalf("no output from the demo: %q, %v; stderr %q", line, err, errs.String())
	}
	r.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo whose reader went: %v (want exit 0 after cleaning up); stderr %q", err, errs.String())
		}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("the demo ran on for a minute after its reader went; stderr %q", errs.String())
	}
	e := errs.String()
	i, j := strings.Index(e, "segments in "), strings.Index(e, ", spool in")
	if i < 0 || j < i {
		t.Fatalf("demo did not say where its segments are: %q", e)
	}
	segDir := e[i+len("segments in ") : j]
	if _, err := os.Stat(filepath.Dir(segDir)); !os.IsNotExist(err) {
		t.Errorf("temporary directory %s left behind: %v", filepath.Dir(segDir), err)
	}
	if left := processesWithEnv("PORTHOLE_DIR=" + segDir); len(left) > 0 {
		t.Errorf("processes of the demo still running: %v", left)
	}
}
