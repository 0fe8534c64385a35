package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
	"github.com/porthole-dev/porthole/shmstat/view"
)

// newTestSegment creates a segment with every kind of value in a fresh
// directory and returns it and the directory.
func newTestSegment(t *testing.T) (*shmstat.Segment, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "seg")
	seg, err := shmstat.Create("svc", &shmstat.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seg.Close() })
	seg.Counter("requests", "requests served", shmstat.Unit("req")).Add(1234)
	seg.Gauge("queue", "queue length").Set(5)
	seg.Load("worker").Busy()
	tk := seg.Task("checkpoint", time.Millisecond)
	tk.Start()
	tk.Done(errors.New("disk full"))
	seg.Info("version", "9.9")
	seg.Flag("merge")
	seg.Flag("trace")
	seg.Probe("main").Mark("draining")
	return seg, dir
}

func runCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestLs(t *testing.T) {
	_, dir := newTestSegment(t)
	out, errs, code := runCmd(t, "ls", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "svc") || !strings.Contains(out, "alive") || !strings.Contains(out, dir) {
		t.Fatalf("ls output lacks the live segment and its directory:\n%s", out)
	}
	_, errs, code = runCmd(t, "ls", "--dir", dir+"-typo")
	if code == 0 || !strings.Contains(errs, "no such file or directory") {
		t.Fatalf("ls --dir of a missing directory: exit %d, %q; want nonzero and the reason", code, errs)
	}
}

func TestStatText(t *testing.T) {
	_, dir := newTestSegment(t)
	time.Sleep(5 * time.Millisecond) // let the 1 ms task become overdue
	out, errs, code := runCmd(t, "stat", "svc", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"requests", "1,234", "req", "queue", "checkpoint", "failed", "disk full", "OVERDUE", "9.9", "main=draining", "100.0%"} {
		if !strings.Contains(out, want) {
			t.Errorf("stat output lacks %q:\n%s", want, out)
		}
	}
}

func TestStatJSON(t *testing.T) {
	seg, dir := newTestSegment(t)
	c := seg.Counter("requests", "")
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			default:
				c.Inc()
				time.Sleep(time.Millisecond)
			}
		}
	}()
	out, errs, code := runCmd(t, "stat", "svc", "--dir", dir, "--json", "--interval", "100ms", "--count", "2")
	close(done)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d JSON documents, want 2:\n%s", len(lines), out)
	}
	var doc view.Doc
	if err := json.Unmarshal([]byte(lines[1]), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != view.DocVersion || doc.Segment != "svc" || !doc.Owner.Alive {
		t.Errorf("header fields: %+v", doc)
	}
	var rate *float64
	var task *view.DocTask
	for _, m := range doc.Metrics {
		if m.Name == "requests" {
			rate = m.Rate
		}
		if m.Kind == "task" {
			task = m.Task
		}
	}
	if rate == nil || *rate <= 0 {
		t.Errorf("requests rate = %v, want > 0 in the second sample", rate)
	}
	if task == nil || task.Result != "failed" || task.Message != "disk full" {
		t.Errorf("task = %+v", task)
	}
	if len(doc.Processes) != 1 || doc.Processes[0].Probes[0].Location != "draining" {
		t.Errorf("processes = %+v", doc.Processes)
	}
}

func TestDebugSetsAndClearsFlags(t *testing.T) {
	seg, dir := newTestSegment(t)
	merge, trace := seg.Flag("merge"), seg.Flag("trace")
	out, errs, code := runCmd(t, "debug", "svc", "--dir", dir, "+merge", "+trace")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !merge.On() || !trace.On() {
		t.Fatalf("flags not on after +merge +trace:\n%s", out)
	}
	if _, errs, code = runCmd(t, "debug", "svc", "--dir", dir, "-trace"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !merge.On() || trace.On() {
		t.Fatal("-trace did not clear only trace")
	}
	// The listing: every flag, then the owner's row says only merge is on
	// (read by columns, whatever their spacing).
	out, _, _ = runCmd(t, "debug", "svc", "--dir", dir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || lines[0] != "flags of svc: merge trace" || strings.Join(strings.Fields(lines[1]), " ") != "SLOT PID ROLE ON" {
		t.Fatalf("listing, want the flags, a header and the owner's row:\n%s", out)
	}
	if f := strings.Fields(lines[2]); len(f) < 4 || f[1] != strconv.Itoa(os.Getpid()) || f[2] != "owner" || strings.Join(f[3:], " ") != "merge" {
		t.Errorf("owner row %q: want pid %d, role owner, on: merge", lines[2], os.Getpid())
	}
	if _, errs, code = runCmd(t, "debug", "svc", "--dir", dir, "+nosuch"); code == 0 || !strings.Contains(errs, "unknown flag") {
		t.Errorf("+nosuch: exit %d, %q", code, errs)
	}
}

// TestStatOneShotWindow: a one-shot stat takes a window (two readings)
// only when the segment has a load meter to measure over it.
func TestStatOneShotWindow(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seg")
	seg, err := shmstat.Create("plain", &shmstat.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	seg.Counter("requests", "").Add(3)
	window := func() float64 {
		t.Helper()
		out, errs, code := runCmd(t, "stat", "plain", "--dir", dir, "--json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var doc view.Doc
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Interval
	}
	if w := window(); w != 0 {
		t.Errorf("counters only: a %.3f s window, want none", w)
	}
	seg.Load("worker")
	if w := window(); w < 0.2 {
		t.Errorf("with a load meter: a %.3f s window, want the 250 ms one", w)
	}
}
