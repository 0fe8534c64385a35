package tui

import (
	"errors"
	"fmt"
	"syscall"
)

// Pause stops a process (SIGSTOP) and remembers it, so ResumeAll and
// Close continue it. start is the process start time the segment
// recorded for it.
//
// TODO(shm): check pid and start time against /proc with shmstat's
// verification before signalling, once it exists, so a reused pid is
// never stopped.
func (m *Model) Pause(pid int, start uint64) error {
	if pid <= 0 {
		return fmt.Errorf("tui: pause %d: not a process id", pid)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		return fmt.Errorf("tui: pause %d: %w", pid, err)
	}
	m.paused[pid] = true
	return nil
}

// Resume continues a process paused with Pause.
func (m *Model) Resume(pid int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.paused, pid)
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		return fmt.Errorf("tui: resume %d: %w", pid, err)
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
	for pid := range m.paused {
		pids = append(pids, pid)
		if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
			errs = append(errs, fmt.Errorf("tui: resume %d: %w", pid, err))
		}
	}
	m.paused = map[int]bool{}
	return pids, errors.Join(errs...)
}
