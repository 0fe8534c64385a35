package muxd

import (
	"context"
	"io"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/childtest"
	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/shmstat"
)

// TestLoopLoadCountsWaitingAsIdle stops one producer: the single loop
// then spends nearly all its time waiting out the silent stream's read
// deadline. Its meter once said 99 % busy at a few % CPU; waiting is now
// idle (about 1 % measured); the test asks for under 50 %.
func TestLoopLoadCountsWaitingAsIdle(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	childtest.SetRole(t, "muxd") // the producers Main starts
	t.Setenv("PORTHOLE_DIR", filepath.Join(t.TempDir(), "seg"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Main(ctx, []string{"--streams", "2", "--mode", ModeSingleLoop}, io.Discard, io.Discard)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	pids := producers(t, 2)
	if err := syscall.Kill(pids[0], syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(pids[0], syscall.SIGCONT)
	drained(t, "stream_0_bytes")
	a := read(t)
	time.Sleep(time.Second)
	b := read(t)
	la, lb := a.Metric(shmstat.KindLoad, "loop"), b.Metric(shmstat.KindLoad, "loop")
	if la == nil || lb == nil {
		t.Fatal("no loop load meter")
	}
	busy := shmstat.LoadPercent(la.Load, lb.Load, a.Mono, b.Mono)
	t.Logf("loop %.1f %% busy with producer 0 stopped", busy)
	if busy > 50 {
		t.Errorf("loop %.1f %% busy while it waits on a stopped producer, want under 50 %%", busy)
	}
}
