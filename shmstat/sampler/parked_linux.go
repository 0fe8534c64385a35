package sampler

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// parkedTimer is a periodic timerfd waited on through the Go netpoller:
// the goroutine that waits is parked, its thread and P are free, and one
// thread (the one in epoll_pwait) wakes per tick. A goroutine that
// sleeps in a system call on a locked thread never passes through the
// scheduler, so every 10 ms the runtime's sysmon preempts it (a signal)
// and takes its P away, then polls at 20 µs for a while: several
// wake-ups of other threads per tick, more than the tick itself.
type parkedTimer struct {
	f  *os.File
	rc syscall.RawConn
}

// newParkedTimer arms a timerfd firing every period ns.
func newParkedTimer(period int64) (*parkedTimer, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("sampler: timerfd_create: %w", err)
	}
	ts := unix.NsecToTimespec(period)
	if err := unix.TimerfdSettime(fd, 0, &unix.ItimerSpec{Interval: ts, Value: ts}, nil); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("sampler: timerfd_settime: %w", err)
	}
	f := os.NewFile(uintptr(fd), "sampler-timerfd")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("sampler: timerfd: %w", err)
	}
	return &parkedTimer{f: f, rc: rc}, nil
}

// wait parks until the timer fired and returns how many periods passed
// since the last wait (more than 1: ticks were missed). The read is a raw
// system call: an ordinary one would wake sysmon from its deep sleep on
// every tick (the runtime wakes it whenever a goroutine enters a system
// call while it sleeps).
func (p *parkedTimer) wait() (uint64, error) {
	var n uint64
	var rerr error
	err := p.rc.Read(func(fd uintptr) bool {
		_, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&n)), unsafe.Sizeof(n))
		switch e {
		case 0:
			return true
		case syscall.EAGAIN:
			return false // not yet: park in the netpoller
		default:
			rerr = e
			return true
		}
	})
	if err == nil {
		err = rerr
	}
	if err != nil {
		return 0, fmt.Errorf("sampler: read timerfd: %w", err)
	}
	return n, nil
}

func (p *parkedTimer) close() { p.f.Close() }

// runParked is Run's loop for Config.Parked.
func (s *Sampler) runParked(ctx context.Context) error {
	defer s.closeAll()
	start := monoNow() // the timer is armed after: lateness is never under-reported
	t, err := newParkedTimer(s.period)
	if err != nil {
		return err
	}
	defer t.close()
	s.mu.Lock()
	s.start, s.cpu0, s.running = start, processCPU(), true
	s.refreshTargets()
	s.mu.Unlock()
	deadline := s.start
	nextRefresh := s.start + refreshEvery
	for ctx.Err() == nil {
		n, err := t.wait()
		if err != nil {
			s.mu.Lock()
			s.running = false
			s.mu.Unlock()
			return err
		}
		if n == 0 {
			continue
		}
		deadline += int64(n) * s.period
		s.tick(monoNow()-deadline, n-1, deadline, &nextRefresh)
	}
	s.stop()
	return nil
}
