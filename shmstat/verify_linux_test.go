package shmstat

import (
	"errors"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestVerifySlotProcess(t *testing.T) {
	dir := testDir(t)
	owner := startChild(t, dir, "owner")
	owner.WaitReady(t)
	r, err := Open("svc", &Options{Dir: dir})
	must(t, err)
	defer r.Close()
	s, err := r.Snapshot()
	must(t, err)
	if err := VerifySlotProcess(s, 0); err != nil {
		t.Fatalf("the live owner: %v", err)
	}
	tamper := func(f func(s *Snapshot)) *Snapshot {
		c := *s
		c.Slots = append([]Slot(nil), s.Slots...)
		f(&c)
		return &c
	}
	bad := []struct {
		name string
		s    *Snapshot
		slot int
	}{
		{"reused pid (other start time)", tamper(func(c *Snapshot) { c.Slots[0].StartTime++ }), 0},
		{"another user's process", tamper(func(c *Snapshot) { c.UID++ }), 0},
		{"unknown owner", tamper(func(c *Snapshot) { c.UID = -1 }), 0},
		{"pid 1", tamper(func(c *Snapshot) { c.Slots[0].PID = 1 }), 0},
		{"free slot", s, 5},
	}
	for _, b := range bad {
		if err := VerifySlotProcess(b.s, b.slot); !errors.Is(err, ErrNotSlotProcess) {
			t.Errorf("%s: %v, want ErrNotSlotProcess", b.name, err)
		}
		if err := SignalSlotProcess(b.s, b.slot, syscall.SIGSTOP); !errors.Is(err, ErrNotSlotProcess) {
			t.Errorf("%s: SignalSlotProcess %v, want ErrNotSlotProcess", b.name, err)
		}
	}

	// The pause key's signals reach the verified process.
	must(t, SignalSlotProcess(s, 0, syscall.SIGSTOP))
	var ws unix.WaitStatus
	if _, err := unix.Wait4(owner.Pid, &ws, unix.WUNTRACED, nil); err != nil || !ws.Stopped() {
		t.Fatalf("owner not stopped: %v, %v", ws, err)
	}
	must(t, SignalSlotProcess(s, 0, syscall.SIGCONT))
	if _, err := unix.Wait4(owner.Pid, &ws, unix.WCONTINUED, nil); err != nil || !ws.Continued() {
		t.Fatalf("owner not continued: %v, %v", ws, err)
	}

	owner.Kill()
	if err := VerifySlotProcess(s, 0); !errors.Is(err, ErrNotSlotProcess) {
		t.Errorf("a dead owner: %v, want ErrNotSlotProcess", err)
	}
}

func TestStatusUIDs(t *testing.T) {
	tests := []struct {
		in        string
		real, eff int
		ok        bool
	}{
		{"Name:\tx\nUid:\t1000\t1001\t1000\t1000\nGid:\t5\t5\t5\t5\n", 1000, 1001, true},
		{"Uid:\t0\t0\t0\t0\n", 0, 0, true},
		{"Name:\tx\n", 0, 0, false},
		{"Uid:\tx\t0\n", 0, 0, false},
	}
	for _, tt := range tests {
		r, e, ok := statusUIDs([]byte(tt.in))
		if r != tt.real || e != tt.eff || ok != tt.ok {
			t.Errorf("statusUIDs(%q) = %d, %d, %v; want %d, %d, %v", tt.in, r, e, ok, tt.real, tt.eff, tt.ok)
		}
	}
}
