package tui

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/porthole-dev/porthole/shmstat"
)

// pauseRef is how a paused process was found: the segment snapshot that
// named it and its slot, so it is resumed only if it is still the same
// process (not a reused pid).
type pauseRef struct {
	snap *shmstat.Snapshot
	slot int
}

// Pause stops (SIGSTOP) the process in slot of segment, as the latest
// refresh read it, and remembers it so Resume, ResumeAll and Close
// continue it. The process is checked first (alive, the slot's start
// time, the segment owner's user: shmstat.SignalSlotProcess), so a
// reused pid is never stopped.
func (m *Model) Pause(segment string, slot int) (pid int, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	snap := m.prev[segment]
	if snap == nil {
		return 0, fmt.Errorf("tui: pause %s slot %d: segment not read yet", segment, slot)
	}
	for _, sl := range snap.Slots {
		if sl.Index == slot {
			pid = sl.PID
		}
	}
	if err := shmstat.SignalSlotProcess(snap, slot, syscall.SIGSTOP); err != nil {
		return pid, fmt.Errorf("tui: pause: %w", err)
	}
	m.paused[pid] = pauseRef{snap, slot}
	return pid, nil
}

// Resume continues a process paused with Pause.
func (m *Model) Resume(pid int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ref, ok := m.paused[pid]
	if !ok {
		return fmt.Errorf("tui: resume %d: not paused from here", pid)
	}
	delete(m.paused, pid)
	if err := shmstat.SignalSlotProcess(ref.snap, ref.slot, syscall.SIGCONT); err != nil {
		return fmt.Errorf("tui: resume: %w", err)
	}
	return nil
}

// ResumeAll continues every process paused with Pause and returns their
// pids.
func (m *Model) ResumeAll() ([]int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.resumeAllLocked()
}

func (m *Model) resumeAllLocked() ([]int, error) {
	var pids []int
	var errs []error
	for pid, ref := range m.paused {
		pids = append(pids, pid)
		if err := shmstat.SignalSlotProcess(ref.snap, ref.slot, syscall.SIGCONT); err != nil {
			errs = append(errs, fmt.Errorf("tui: resume: %w", err))
		}
	}
	m.paused = map[int]pauseRef{}
	return pids, errors.Join(errs...)
}
