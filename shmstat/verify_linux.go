package shmstat

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// VerifySlotProcess checks that the process of slot (Slot.Index) in s is
// the one running under its pid now: alive, started at the slot's start
// time (so not a reused pid), and running as the user that owns the
// segment file. Call it before signalling a process a segment names (the
// dashboard's pause key): the pid in a segment is just a number its
// writer claimed. SignalSlotProcess checks and signals without a window
// for the pid to be reused in between.
func VerifySlotProcess(s *Snapshot, slot int) error {
	_, err := verifySlot(s, slot)
	return err
}

// SignalSlotProcess sends sig to the process of slot in s after the
// checks of VerifySlotProcess, through a pidfd opened before checking, so
// the signal reaches the process that was checked or nobody.
func SignalSlotProcess(s *Snapshot, slot int, sig syscall.Signal) error {
	sl, err := verifySlot(s, slot)
	if err != nil {
		return err
	}
	fd, err := unix.PidfdOpen(sl.PID, 0)
	if err != nil {
		return fmt.Errorf("shmstat: signal slot %d (pid %d): %w", slot, sl.PID, err)
	}
	defer unix.Close(fd)
	// The pidfd names one process for good: check it again through it.
	if _, err := verifySlot(s, slot); err != nil {
		return err
	}
	if err := unix.PidfdSendSignal(fd, sig, nil, 0); err != nil {
		return fmt.Errorf("shmstat: signal slot %d (pid %d): %w", slot, sl.PID, err)
	}
	return nil
}

// verifySlot returns the slot when its process passes the checks.
func verifySlot(s *Snapshot, slot int) (Slot, error) {
	var sl *Slot
	for i := range s.Slots {
		if s.Slots[i].Index == slot {
			sl = &s.Slots[i]
		}
	}
	fail := func(format string, args ...any) (Slot, error) {
		return Slot{}, fmt.Errorf("shmstat: %s slot %d: %s: %w", s.Name, slot, fmt.Sprintf(format, args...), ErrNotSlotProcess)
	}
	switch {
	case sl == nil || sl.State != SlotActive:
		return fail("no active process")
	case sl.PID <= 0 || sl.StartTime == 0:
		return fail("pid %d, start time %d: not a process to signal", sl.PID, sl.StartTime)
	case sl.PID == os.Getpid():
		return fail("pid %d is this process", sl.PID)
	case s.UID < 0:
		return fail("the segment file's owner is unknown")
	}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(sl.PID) + "/status")
	if err != nil {
		return fail("pid %d is not running", sl.PID)
	}
	st, err := procStartTime(sl.PID)
	if err != nil || st != sl.StartTime {
		return fail("pid %d started at %d, the slot says %d: another process", sl.PID, st, sl.StartTime)
	}
	ruid, euid, ok := statusUIDs(status)
	if !ok {
		return fail("pid %d: no Uid line in /proc/%d/status", sl.PID, sl.PID)
	}
	if ruid != s.UID && euid != s.UID {
		return fail("pid %d runs as uid %d (effective %d), the segment belongs to uid %d", sl.PID, ruid, euid, s.UID)
	}
	return *sl, nil
}

// statusUIDs reads the real and effective uid from the contents of
// /proc/PID/status ("Uid:\treal\teffective\tsaved\tfs").
func statusUIDs(b []byte) (ruid, euid int, ok bool) {
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "Uid:" {
			r, err1 := strconv.Atoi(f[1])
			e, err2 := strconv.Atoi(f[2])
			return r, e, err1 == nil && err2 == nil
		}
	}
	return 0, 0, false
}
