package shmstat

import (
	"syscall"
	"testing"
	"time"
)

// TestSnapshotShowsKernelState: a paused process shows as stopped in the
// snapshot, whatever its probes last said.
func TestSnapshotShowsKernelState(t *testing.T) {
	dir := testDir(t)
	owner := startChild(t, dir, "owner")
	owner.WaitReady(t)
	r, err := Open("svc", &Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	state := func() ProcStat {
		s, err := r.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		for _, sl := range s.Slots {
			if sl.PID == owner.Pid {
				return sl.Proc
			}
		}
		t.Fatalf("no slot of pid %d", owner.Pid)
		return ProcStat{}
	}
	if ps := state(); ps.PID != owner.Pid || ps.Stopped() || ps.StartTime == 0 {
		t.Fatalf("running owner: %+v", ps)
	}
	// SnapshotSegment is the same copy of the segment, without /proc.
	seg, err := r.SnapshotSegment()
	if err != nil {
		t.Fatal(err)
	}
	for _, sl := range seg.Slots {
		if sl.PID == owner.Pid && (sl.Proc != ProcStat{} || !sl.Alive) {
			t.Errorf("SnapshotSegment: slot %+v: want alive, with no kernel state", sl)
		}
	}
	syscall.Kill(owner.Pid, syscall.SIGSTOP)
	defer syscall.Kill(owner.Pid, syscall.SIGCONT)
	for deadline := time.Now().Add(30 * time.Second); !state().Stopped(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) { // the kernel stops it asynchronously
			t.Fatalf("snapshot never showed the stopped process: %+v", state())
		}
	}
	if name := state().StateName(); name != "stopped" {
		t.Fatalf("state name %q", name)
	}
}
