package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/childtest"
	"github.com/porthole-dev/porthole/internal/netns"
	"golang.org/x/sys/unix"
)

// demoExamples are the programs the demo's scoreboard must show up.
var demoExamples = []string{"queued", "queued-client", "muxd", "muxd-producer-0", "replicate", "replicate-stuck"}

func TestDemoNoTUI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo until every example is up")
	}
	if !netns.Run(t) {
		return
	}
	// Until every example is up on the scoreboard it prints, and the
	// cron example's job has ended a run (its command, replicate --once,
	// which logs on the bus, has been heard by then).
	got, e := runDemoUntil(t, []string{"demo", "--no-tui"}, "every example up and a job run ended", func(out string) bool {
		last := lastScoreboard(out)
		return len(notUp(last)) == 0 && jobEnded(last, "replicate-cron")
	})
	// The cron example's command is a job's, not a server: no row of
	// its own, whose restarts would count its runs.
	last := lastScoreboard(got)
	if i := strings.Index(last, "\nHOST  JOB"); i >= 0 {
		for _, line := range strings.Split(last[:i], "\n") {
			if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(f[1], "replicate-cron") {
				t.Errorf("a job's command is on the scoreboard as a server: %q", line)
			}
		}
	}
	if strings.ContainsAny(got, "\x1b\r") { // stdout is no terminal here
		t.Errorf("demo --no-tui wrote terminal codes to a non-terminal: %q", got[:min(len(got), 200)])
	}
	// The temporary directory is gone at exit.
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

// lastScoreboard returns the last scoreboard the demo printed (maybe
// still being written).
func lastScoreboard(out string) string {
	i := strings.LastIndex(out, "collector ")
	if i < 0 {
		return ""
	}
	return out[i:]
}

// notUp returns the demo's examples that scoreboard does not list up.
func notUp(scoreboard string) []string {
	var missing []string
	for _, prog := range demoExamples {
		found := false
		for _, line := range strings.Split(scoreboard, "\n") {
			f := strings.Fields(line)
			if len(f) > 3 && f[1] == prog && f[3] == "UP" {
				found = true
			}
		}
		if !found {
			missing = append(missing, prog)
		}
	}
	return missing
}

// jobEnded reports whether scoreboard's job table shows a result of
// job's last run (ok or failed).
func jobEnded(scoreboard, job string) bool {
	i := strings.Index(scoreboard, "\nHOST  JOB")
	if i < 0 {
		return false
	}
	for _, line := range strings.Split(scoreboard[i:], "\n") {
		if f := strings.Fields(line); len(f) > 3 && f[1] == job && (f[3] == "ok" || f[3] == "failed") {
			return true
		}
	}
	return false
}

// TestDemoWithoutTerminal: the README's first command run where there is
// no terminal (a CI job, a background shell job) prints the scoreboard,
// as --no-tui does, and says why, instead of failing.
func TestDemoWithoutTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo until it prints a scoreboard")
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
	got, e := runDemoUntil(t, []string{"demo"}, "a scoreboard", func(out string) bool { return strings.Contains(out, "collector ") })
	if !strings.Contains(e, "no terminal") || !strings.Contains(e, "printing the scoreboard every second instead") {
		t.Errorf("demo without a terminal did not say so: %q", e)
	}
	if strings.ContainsAny(got, "\x1b") {
		t.Errorf("demo without a terminal wrote terminal codes: %q", got[:min(len(got), 300)])
	}
}

// runDemoUntil runs porthole with args (a demo) in this process, in the
// porthole role, until what it printed satisfies ready, then interrupts
// it as ^C does and returns its stdout and stderr; it fails the test if
// the demo exits first or does not exit 0 on the interrupt. How long
// start-up takes depends on the machine's load (a race-built binary on a
// busy machine took over 8 s): --duration only bounds a demo that never
// gets ready.
func runDemoUntil(t *testing.T, args []string, what string, ready func(stdout string) bool) (stdout, stderr string) {
	t.Helper()
	childtest.SetRole(t, rolePorthole)
	var out, errs syncBuffer
	exit := make(chan int, 1)
	go func() { exit <- run(append(args, "--duration", "2m"), &out, &errs) }()
	for !ready(out.String()) {
		select {
		case code := <-exit:
			t.Fatalf("demo exited (%d) before %s; last scoreboard:\n%s\nstderr: %s", code, what, lastScoreboard(out.String()), errs.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	// A scoreboard is printed only once the demo handles interrupts.
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("demo: exit %d on interrupt: %s", code, errs.String())
		}
	case <-time.After(time.Minute):
		t.Fatalf("demo still running a minute after an interrupt: %s", errs.String())
	}
	return out.String(), errs.String()
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
