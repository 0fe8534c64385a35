package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// cDaemon is c/example built with the system C compiler and running.
type cDaemon struct {
	cmd   *exec.Cmd
	path  string      // its segment file
	lines chan string // what it prints after "ready"
}

// buildCExample compiles c/example/example.c (and so c/porthole.h) with
// the system C compiler, warnings as errors.
func buildCExample(t *testing.T) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) on this machine: c/porthole.h cannot be tested here")
	}
	bin := filepath.Join(t.TempDir(), "c-example")
	out, err := exec.Command(cc, "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic",
		"-o", bin, "../../c/example/example.c").CombinedOutput()
	if err != nil {
		t.Fatalf("cc c/example/example.c: %v\n%s", err, out)
	}
	return bin
}

// startCDaemon starts the C example on segDir and waits for its "ready"
// line: by then every value is registered and set.
func startCDaemon(t *testing.T, bin, segDir string) *cDaemon {
	t.Helper()
	return startCDaemonEnv(t, bin, "PORTHOLE_DIR="+segDir)
}

// startCDaemonEnv starts the C example with env added to this process's
// environment and waits for its "ready" line.
func startCDaemonEnv(t *testing.T, bin string, env ...string) *cDaemon {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	l := nextLine(t, lines)
	path, ok := strings.CutPrefix(l, "ready ")
	if !ok {
		t.Fatalf("c-example said %q, want ready PATH", l)
	}
	return &cDaemon{cmd: cmd, path: path, lines: lines}
}

// nextLine returns the daemon's next line of output.
func nextLine(t *testing.T, lines <-chan string) string {
	t.Helper()
	select {
	case l, ok := <-lines:
		if !ok {
			t.Fatal("c-example exited")
		}
		return l
	case <-time.After(30 * time.Second):
		t.Fatal("c-example said nothing in 30 s")
	}
	return ""
}

// cStat is the part of `stat --json` the C test checks.
type cStat struct {
	Generation string `json:"generation"`
	Owner      struct {
		PID       int    `json:"pid"`
		StartTime uint64 `json:"start_time"`
		Alive     bool   `json:"alive"`
	} `json:"owner"`
	Metrics []struct {
		Name        string   `json:"name"`
		Kind        string   `json:"kind"`
		Slot        *int     `json:"slot"`
		Unit        string   `json:"unit"`
		Help        string   `json:"help"`
		Value       any      `json:"value"`
		LoadPercent *float64 `json:"load_percent"`
		Task        *struct {
			EverySeconds float64 `json:"every_seconds"`
			Result       string  `json:"result"`
			Message      string  `json:"message"`
			Runs         uint64  `json:"runs"`
			Failures     uint64  `json:"failures"`
		} `json:"task"`
	} `json:"metrics"`
	Processes []struct {
		PID    int    `json:"pid"`
		Role   string `json:"role"`
		Alive  bool   `json:"alive"`
		Probes []struct {
			Name     string `json:"name"`
			Location string `json:"location"`
		} `json:"probes"`
	} `json:"processes"`
}

func statJSON(t *testing.T, segDir string) cStat {
	t.Helper()
	out, errs, code := runCmd(t, "stat", "c-example", "--dir", segDir, "--json")
	if code != 0 {
		t.Fatalf("stat --json: exit %d: %s", code, errs)
	}
	var s cStat
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("stat --json: %v\n%s", err, out)
	}
	return s
}

// procStart reads field 22 of /proc/PID/stat.
func procStart(t *testing.T, pid int) uint64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	v, err := strconv.ParseUint(f[22-3], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCHeaderDaemon(t *testing.T) {
	bin := buildCExample(t)
	segDir := filepath.Join(t.TempDir(), "seg")
	d := startCDaemon(t, bin, segDir)

	out, errs, code := runCmd(t, "ls", "--dir", segDir)
	if code != 0 || !strings.Contains(out, "c-example") || !strings.Contains(out, "alive") {
		t.Fatalf("ls: exit %d: %s%s", code, out, errs)
	}
	out, errs, code = runCmd(t, "stat", "c-example", "--dir", segDir)
	if code != 0 {
		t.Fatalf("stat: exit %d: %s", code, errs)
	}
	// The example tries one name over 63 bytes: refused and counted.
	for _, want := range []string{"requests", "req", "requests served", "queue", "-7", "worker", "version", "1.0-c",
		"checkpoint", "failed", "disk full", "c-worker", "alive", "1 registrations failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("stat lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "a-counter-name") {
		t.Errorf("stat shows (a cut version of) the refused name:\n%s", out)
	}
	s := statJSON(t, segDir)
	checkCValues(t, s)
	if s.Owner.PID != d.cmd.Process.Pid || !s.Owner.Alive || s.Owner.StartTime != procStart(t, d.cmd.Process.Pid) {
		t.Errorf("owner = %+v, want pid %d alive with /proc's start time %d", s.Owner, d.cmd.Process.Pid, procStart(t, d.cmd.Process.Pid))
	}
	if len(s.Processes) != 1 || s.Processes[0].Role != "c-worker" || !s.Processes[0].Alive ||
		len(s.Processes[0].Probes) != 1 || s.Processes[0].Probes[0].Name != "worker" ||
		(s.Processes[0].Probes[0].Location != "working" && s.Processes[0].Probes[0].Location != "waiting for requests") {
		t.Errorf("processes = %+v", s.Processes)
	}
	checkCTags(t, segDir)
	checkGoAttachesToC(t, segDir)

	// porthole debug reaches the C daemon's flag.
	if _, errs, code := runCmd(t, "debug", "c-example", "--dir", segDir, "+verbose"); code != 0 {
		t.Fatalf("debug +verbose: exit %d: %s", code, errs)
	}
	if l := nextLine(t, d.lines); l != "verbose on" {
		t.Errorf("after debug +verbose c-example said %q", l)
	}
	runCmd(t, "debug", "c-example", "--dir", segDir, "-verbose")
	if l := nextLine(t, d.lines); l != "verbose off" {
		t.Errorf("after debug -verbose c-example said %q", l)
	}

	// A reader holds every lock it can take on the segment file; the
	// liveness lock still tells the truth and the restart still works.
	checkLockFile(t, segDir)
	holdReaderLocks(t, d.path, 1<<40) // flock, and the old register byte
	if !ownerLockHeld(t, d.path) {
		t.Fatal("the live C daemon holds no write lock on slot 0's byte (2^40+4096)")
	}
	if seg, err := shmstat.Create("c-example", &shmstat.Options{Dir: segDir}); !errors.Is(err, shmstat.ErrRunning) {
		if seg != nil {
			seg.Close()
		}
		t.Fatalf("a Go creator beside the live C daemon: %v, want ErrRunning", err)
	}

	// kill -9: the kernel drops its locks, and every reader says dead.
	d.cmd.Process.Kill()
	d.cmd.Wait()
	if ownerLockHeld(t, d.path) {
		t.Error("slot 0's byte still write-locked after kill -9")
	}
	holdReaderLocks(t, d.path, ownerLiveByte) // now free to read-lock
	if ownerLockHeld(t, d.path) {
		t.Error("a reader's read lock on slot 0's byte reads as a live owner")
	}
	out, _, _ = runCmd(t, "ls", "--dir", segDir)
	if !strings.Contains(out, "dead") || strings.Contains(out, "alive") {
		t.Errorf("ls after kill -9:\n%s", out)
	}
	dead := statJSON(t, segDir)
	if dead.Owner.Alive || len(dead.Processes) != 1 || dead.Processes[0].Alive {
		t.Errorf("stat after kill -9: owner %+v, processes %+v; want dead", dead.Owner, dead.Processes)
	}

	// A restart, while a Go reader polls, replaces the dead segment with
	// a new generation; SIGINT removes it.
	d2 := restartWhilePolled(t, bin, segDir, s.Generation)
	again := statJSON(t, segDir)
	if !again.Owner.Alive || again.Generation == s.Generation || again.Owner.PID != d2.cmd.Process.Pid {
		t.Errorf("after restart: generation %s (was %s), owner %+v", again.Generation, s.Generation, again.Owner)
	}
	d2.cmd.Process.Signal(os.Interrupt)
	if err := d2.cmd.Wait(); err != nil {
		t.Errorf("c-example on SIGINT: %v", err)
	}
	if _, err := os.Stat(d2.path); !os.IsNotExist(err) {
		t.Errorf("segment %s still there after a clean exit: %v", d2.path, err)
	}
}

// checkCValues checks every value c/example publishes.
func checkCValues(t *testing.T, s cStat) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range s.Metrics {
		seen[m.Kind+" "+m.Name] = true
		switch m.Kind + " " + m.Name {
		case "counter requests":
			if v, _ := m.Value.(float64); v < 1000 || m.Unit != "req" || m.Help != "requests served" {
				t.Errorf("requests = %+v, want >= 1000 req", m)
			}
		case "gauge queue":
			if v, _ := m.Value.(float64); v != -7 {
				t.Errorf("queue = %v, want -7", m.Value)
			}
		case "load worker":
			if m.LoadPercent == nil || *m.LoadPercent <= 0 || *m.LoadPercent >= 100 {
				t.Errorf("worker load = %v, want between 0 and 100 %%", m.LoadPercent)
			}
			if m.Slot == nil || *m.Slot != 0 {
				t.Errorf("worker load in slot %v, want the C daemon's slot 0", m.Slot)
			}
		case "task checkpoint":
			if tk := m.Task; tk == nil || tk.Result != "failed" || tk.Message != "disk full" || tk.Runs != 1 || tk.Failures != 1 || tk.EverySeconds != 3600 {
				t.Errorf("checkpoint = %+v", m.Task)
			}
		case "info version":
			if m.Value != "1.0-c" {
				t.Errorf("version = %v", m.Value)
			}
		}
	}
	for _, want := range []string{"counter requests", "gauge queue", "load worker", "task checkpoint", "info version",
		"probe worker", "site working", "site waiting for requests", "flag verbose"} {
		if !seen[want] {
			t.Errorf("stat --json lacks %s: %v", want, seen)
		}
	}
}

// TestCHeaderIsCxx compiles the header's implementation as C++ too.
func TestCHeaderIsCxx(t *testing.T) {
	cxx, err := exec.LookPath("c++")
	if err != nil {
		t.Skip("no C++ compiler (c++) on this machine")
	}
	src := filepath.Join(t.TempDir(), "x.cc")
	abs, _ := filepath.Abs("../../c/porthole.h")
	code := "#define PORTHOLE_IMPLEMENTATION\n#include \"" + abs + "\"\nint main() { ph_segment *s = ph_create(\"x\", nullptr, nullptr, 0); ph_counter_add(ph_counter_new(s, \"a\", \"\", \"\"), 1); ph_close(s); }\n"
	if err := os.WriteFile(src, []byte(code), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cxx, "-std=c++11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-c", "-o", os.DevNull, src).CombinedOutput(); err != nil {
		t.Fatalf("c++: %v\n%s", err, out)
	}
}

// TestCHeaderDefaultDir checks that the C writer picks the directory the
// Go side picks (shmstat.DefaultDir) when only $XDG_RUNTIME_DIR is set,
// and creates a missing $PORTHOLE_DIR with its parents.
func TestCHeaderDefaultDir(t *testing.T) {
	bin := buildCExample(t)
	t.Setenv("PORTHOLE_DIR", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	d := startCDaemonEnv(t, bin)
	if want := filepath.Join(shmstat.DefaultDir(), "c-example.shm"); d.path != want {
		t.Errorf("C segment at %s, want %s (shmstat.DefaultDir)", d.path, want)
	}
	deep := filepath.Join(t.TempDir(), "a", "b", "seg")
	d2 := startCDaemonEnv(t, bin, "PORTHOLE_DIR="+deep)
	if want := filepath.Join(deep, "c-example.shm"); d2.path != want {
		t.Errorf("C segment at %s, want %s", d2.path, want)
	}
	if fi, err := os.Stat(deep); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("segment directory: %v, %v; want mode 0700", fi, err)
	}
}
