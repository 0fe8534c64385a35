package jobrun

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/mlog"
	"github.com/porthole-dev/porthole/shmstat"
)

// task reads job name's task record from dir.
func task(t *testing.T, dir, name string) (shmstat.TaskValue, *shmstat.Snapshot) {
	t.Helper()
	r, err := shmstat.Open(name, &shmstat.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s, err := r.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	m := s.Metric(shmstat.KindTask, TaskName)
	if m == nil {
		t.Fatalf("%s has no task %q", name, TaskName)
	}
	return m.Task, s
}

func TestRunRecordsTheOutcome(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	dir := filepath.Join(t.TempDir(), "seg")
	mc, err := mlog.Config{}.WithEnv()
	if err != nil {
		t.Fatal(err)
	}
	rcv, err := mlog.Listen(mc)
	if err != nil {
		t.Fatal(err)
	}
	defer rcv.Close()
	// A file that exists but may not be executed (root may execute any
	// file with an execute bit, so it has none).
	notExecutable := filepath.Join(t.TempDir(), "backup.sh")
	if err := os.WriteFile(notExecutable, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		cmd      []string
		timeout  time.Duration
		ok       bool
		status   int
		timedOut bool
		message  string
	}{
		{"succeeds", []string{"sh", "-c", "echo copied 12 blocks >&2"}, 0, true, 0, false, "ok in "},
		{"fails", []string{"sh", "-c", "for i in 1 2 3 4 5; do echo line $i >&2; done; exit 3"}, 0, false, 3, false,
			"exit status 3: line 3 / line 4 / line 5"},
		{"hangs", []string{"sleep", "30"}, 300 * time.Millisecond, false, 124, true, "timed out after "},
		{"hangs ignoring SIGTERM", []string{"sh", "-c", "trap '' TERM; echo stuck >&2; sleep 30"}, 300 * time.Millisecond, false, 124, true, ": stuck"},
		{"killed", []string{"sh", "-c", "kill -KILL $$"}, 0, false, 137, false, "killed by SIGKILL"},
		{"no such command", []string{"/nonexistent/cmd"}, 0, false, 127, false, "no such file"},
		{"not in PATH", []string{"porthole-no-such-command"}, 0, false, 127, false, "not found"},
		{"not executable", []string{notExecutable}, 0, false, 126, false, "permission denied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			job := strings.ReplaceAll(tc.name, " ", "-")
			start := time.Now()
			res, sig, err := Run(context.Background(), Config{Name: job, Command: tc.cmd, Every: time.Hour,
				Timeout: tc.timeout, Grace: 300 * time.Millisecond, Dir: dir, Linger: -1})
			if tc.status == 127 || tc.status == 126 {
				if err == nil {
					t.Fatal("a command that cannot start: no error")
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if res.OK() != tc.ok || res.Status(sig) != tc.status || res.TimedOut != tc.timedOut || !strings.Contains(res.Message, tc.message) {
				t.Errorf("%+v (status %d); want ok %v, status %d, timed out %v, message with %q", res, res.Status(sig), tc.ok, tc.status, tc.timedOut, tc.message)
			}
			if tc.timedOut && time.Since(start) > 10*time.Second {
				t.Errorf("a 300 ms timeout took %v", time.Since(start))
			}
			// The segment stays after the run, its owner gone, the task
			// recording the outcome.
			tv, s := task(t, dir, job)
			want := shmstat.ResultFailed
			if tc.ok {
				want = shmstat.ResultOK
			}
			if s.OwnerAlive || tv.Running || tv.Result != want || tv.Runs != 1 || !strings.Contains(res.Message, tv.Message[:len(tv.Message)/2]) {
				t.Errorf("segment: owner alive %v, task %+v; want result %v", s.OwnerAlive, tv, want)
			}
			if s.Metric(shmstat.KindInfo, InfoJob) == nil {
				t.Errorf("segment not marked as a job's")
			}
			if tc.status == 127 || tc.status == 126 {
				return
			}
			// The bus heard the start and the end.
			heard := map[string]bool{}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for !heard["job ended"] {
				m, err := rcv.Read(ctx)
				if err != nil {
					t.Fatalf("bus: %v; heard %v", err, heard)
				}
				if m.Program == job {
					heard[m.Msg] = true
				}
			}
			if !heard["job started"] {
				t.Errorf("bus: no job started before job ended")
			}
		})
	}
}

// TestOverlappingRuns starts a second run while the first is running:
// flagged and allowed, then refused with Lock.
func TestOverlappingRuns(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	dir := filepath.Join(t.TempDir(), "seg")
	release := filepath.Join(t.TempDir(), "release")
	first := make(chan *Result, 1)
	go func() {
		res, _, err := Run(context.Background(), Config{Name: "backup", Dir: dir, Linger: -1,
			Command: []string{"sh", "-c", "while [ ! -e " + release + " ]; do sleep 0.05; done"}})
		if err != nil {
			t.Error(err)
		}
		first <- res
	}()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if r, err := shmstat.Open("backup", &shmstat.Options{Dir: dir}); err == nil {
			s, _ := r.Snapshot()
			r.Close()
			if m := s.Metric(shmstat.KindTask, TaskName); m != nil && m.Task.Running {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the first run did not start")
		}
	}
	res, _, err := Run(context.Background(), Config{Name: "backup", Dir: dir, Linger: -1, Command: []string{"true"}})
	if err != nil || !res.Overlap || !res.OK() {
		t.Errorf("second run: %+v, %v; want an overlap that ran", res, err)
	}
	res, _, err = Run(context.Background(), Config{Name: "backup", Dir: dir, Linger: -1, Lock: true, Command: []string{"true"}})
	if !errors.Is(err, ErrOverlap) || !res.Overlap {
		t.Errorf("locked run: %+v, %v; want ErrOverlap", res, err)
	}
	if err := os.WriteFile(release, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := <-first; !r.OK() || r.Overlap {
		t.Errorf("first run: %+v", r)
	}
	tv, s := task(t, dir, "backup")
	if m := s.Metric(shmstat.KindCounter, "overlaps"); m == nil || m.Value != 2 {
		t.Errorf("overlaps counter %+v, want 2", m)
	}
	if tv.Runs != 1 || tv.Result != shmstat.ResultOK {
		t.Errorf("task %+v: the overlapping runs must not record into the first run's task", tv)
	}
}

func TestTail(t *testing.T) {
	tl := &tail{max: 32}
	tl.Write([]byte("first line\nsecond\n"))
	tl.Write([]byte("third\x1b[0m\n\n"))
	if got := tl.lines(2); got != "second / third[0m" {
		t.Errorf("lines(2) = %q", got)
	}
	tl.Write([]byte(strings.Repeat("x", 40) + "\nend"))
	if got := tl.lines(5); got != strings.Repeat("x", 28)+" / end" {
		t.Errorf("after a long write: %q", got)
	}
}

func TestLastPart(t *testing.T) {
	long := "exit status 1: " + strings.Repeat("a", 200) + "THE END"
	got := lastPart(long)
	if len(got) != 120 || !strings.HasPrefix(got, "exit status 1: ...") || !strings.HasSuffix(got, "THE END") {
		t.Errorf("lastPart = %q (%d bytes)", got, len(got))
	}
	if lastPart("short") != "short" {
		t.Error("a short message changed")
	}
}

// TestInterruptedRunPassesTheSignalOn cancels Run (porthole run got
// SIGTERM): the command gets SIGTERM and the run is recorded as killed.
func TestInterruptedRunPassesTheSignalOn(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	dir := filepath.Join(t.TempDir(), "seg")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type out struct {
		res *Result
		sig int
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, sig, err := Run(ctx, Config{Name: "long", Dir: dir, Linger: -1, Command: []string{"sleep", "30"}})
		done <- out{res, int(sig), err}
	}()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if r, err := shmstat.Open("long", &shmstat.Options{Dir: dir}); err == nil {
			s, _ := r.Snapshot()
			r.Close()
			if m := s.Metric(shmstat.KindTask, TaskName); m != nil && m.Task.Running {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the run did not start")
		}
	}
	cancel()
	o := <-done
	if o.err != nil || o.res.Signal != "SIGTERM" || o.res.OK() || o.res.Message != "killed by SIGTERM" {
		t.Errorf("%+v, %v; want killed by SIGTERM", o.res, o.err)
	}
	if tv, _ := task(t, dir, "long"); tv.Result != shmstat.ResultFailed || tv.Running {
		t.Errorf("task %+v, want a failed run that ended", tv)
	}
}
