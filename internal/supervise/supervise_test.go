package supervise

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/childtest"
	"golang.org/x/sys/unix"
)

// The children are this test binary in the role "proc"; os.Args[1] says
// how it behaves.
func TestMain(m *testing.M) {
	childtest.Main(m, childtest.Roles{"proc": proc})
}

func proc() error {
	switch os.Args[1] {
	case "wait": // until SIGTERM, then exit 0
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM)
		fmt.Println("ready")
		<-ch
		return nil
	case "stubborn": // ignores SIGTERM
		signal.Ignore(syscall.SIGTERM)
		fmt.Println("ready")
		time.Sleep(time.Hour) // until killed (select {} would be a deadlock error)
		return nil
	case "fail":
		os.Exit(3)
	case "parent": // a grandchild in its process group, then wait
		gc := exec.Command("sleep", "300")
		if err := gc.Start(); err != nil {
			return err
		}
		fmt.Println("grandchild", gc.Process.Pid)
		fmt.Println("ready")
		time.Sleep(time.Hour) // until killed
		return nil
	}
	return fmt.Errorf("unknown behaviour %q", os.Args[1])
}

// newGroup returns a group of this test binary as "proc", its children
// writing to a pipe, and the pipe's lines.
func newGroup(t *testing.T) (*Group, *bufio.Scanner) {
	t.Helper()
	childtest.SetRole(t, "proc")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	g := New(os.Args[0], w)
	t.Cleanup(func() { g.Stop(time.Second); w.Close(); r.Close() })
	return g, bufio.NewScanner(r)
}

// waitReady reads lines until n children said "ready" and returns them.
func waitReady(t *testing.T, lines *bufio.Scanner, n int) []string {
	t.Helper()
	var got []string
	for n > 0 && lines.Scan() {
		got = append(got, lines.Text())
		if lines.Text() == "ready" {
			n--
		}
	}
	if n > 0 {
		t.Fatalf("children ended their output before ready: %q", got)
	}
	return got
}

// waitExit waits until the process of pidfd exits (the pidfd becomes
// readable then), for at most a minute.
func waitExit(t *testing.T, pidfd int) {
	t.Helper()
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, 60_000)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n != 1 {
			t.Fatalf("process did not exit: poll %d, %v", n, err)
		}
		return
	}
}

func TestSettle(t *testing.T) {
	g, lines := newGroup(t)
	fail, err := g.Start("fail")
	if err != nil {
		t.Fatal(err)
	}
	err = fail.Settle(context.Background(), time.Minute) // returns when it exits
	var ee *exec.ExitError
	if err == nil || !strings.Contains(err.Error(), "exited at once") || !errors.As(fail.Err(), &ee) || ee.ExitCode() != 3 {
		t.Fatalf("Settle of a failing child: %v (status %v)", err, fail.Err())
	}
	wait, err := g.Start("wait")
	if err != nil {
		t.Fatal(err)
	}
	waitReady(t, lines, 1)
	if err := wait.Settle(context.Background(), 10*time.Millisecond); err != nil || wait.Exited() {
		t.Fatalf("Settle of a running child: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := wait.Settle(ctx, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("Settle on a cancelled context: %v", err)
	}
	if u := g.Unexpected(); len(u) != 0 {
		t.Errorf("Unexpected = %v: the failure Settle reported counts as reported", u)
	}
}

// TestStopEndsEveryGroup: Stop ends a child that obeys SIGTERM, one that
// ignores it (after the grace period, with SIGKILL) and a child's own
// child; it counts them, and none is reported as ending by itself.
func TestStopEndsEveryGroup(t *testing.T) {
	g, lines := newGroup(t)
	var procs []*Proc
	for _, b := range []string{"wait", "stubborn", "parent"} {
		p, err := g.Start(b)
		if err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	grandchild := 0
	for _, l := range waitReady(t, lines, 3) {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "grandchild" {
			grandchild, _ = strconv.Atoi(f[1])
		}
	}
	pidfd, err := unix.PidfdOpen(grandchild, 0)
	if err != nil {
		t.Fatalf("grandchild %d: %v", grandchild, err)
	}
	defer unix.Close(pidfd)
	// A grace period the obedient child meets on a loaded machine.
	const grace = 5 * time.Second
	start := time.Now()
	if n := g.Stop(grace); n != 3 {
		t.Errorf("Stop: %d were running, want 3", n)
	}
	if took := time.Since(start); took < grace {
		t.Errorf("Stop took %v: the stubborn child got no grace period", took)
	}
	for _, p := range procs {
		if !p.Exited() {
			t.Errorf("%s still running after Stop", p)
		}
	}
	if err := procs[0].Err(); err != nil {
		t.Errorf("the child that obeys SIGTERM: %v, want exit 0", err)
	}
	if err := procs[1].Err(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("the stubborn child: %v, want killed", err)
	}
	waitExit(t, pidfd) // the grandchild, in its parent's group
	if u := g.Unexpected(); len(u) != 0 {
		t.Errorf("Unexpected after Stop = %v", u)
	}
}

// TestUnexpected lists a child that ended by itself until its exit is
// acknowledged.
func TestUnexpected(t *testing.T) {
	g, lines := newGroup(t)
	fail, err := g.Start("fail")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Start("wait"); err != nil {
		t.Fatal(err)
	}
	<-fail.Done()
	waitReady(t, lines, 1)
	if u := g.Unexpected(); len(u) != 1 || u[0] != fail {
		t.Fatalf("Unexpected = %v, want [%v]", u, fail)
	}
	if n := g.Stop(time.Minute); n != 1 {
		t.Errorf("Stop: %d running, want 1", n)
	}
	if u := g.Unexpected(); len(u) != 1 || u[0] != fail || !strings.HasSuffix(u[0].String(), " fail") {
		t.Fatalf("after Stop: Unexpected = %v, want [%v]", u, fail)
	}
	fail.Acknowledge()
	if u := g.Unexpected(); len(u) != 0 {
		t.Fatalf("after Acknowledge: Unexpected = %v", u)
	}
	if len(g.Procs()) != 2 || g.Procs()[0] != fail {
		t.Errorf("Procs = %v", g.Procs())
	}
}

func TestStartError(t *testing.T) {
	g := New(filepath.Join(t.TempDir(), "missing"), os.Stderr)
	if _, err := g.Start("x"); err == nil || !strings.Contains(err.Error(), "supervise: start missing x") {
		t.Fatalf("Start of a missing program: %v", err)
	}
	if n := g.Stop(time.Second); n != 0 || len(g.Procs()) != 0 {
		t.Fatalf("Stop of an empty group: %d, %v", n, g.Procs())
	}
}
