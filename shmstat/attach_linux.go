package shmstat

import (
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Attach joins the segment of service name as a client process and claims
// a process slot for role. Slots of dead processes are reclaimed.
func Attach(name, role string, opts *Options) (*Segment, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	dir := opts.dir()
	if err := checkDir(dir, os.Geteuid()); err != nil {
		return nil, err
	}
	path := segmentPath(dir, name)
	f, err := openSegmentFile(path, os.O_RDWR, 0, "attach")
	if err != nil {
		return nil, err
	}
	lockf, err := openLockFile(dir, name) // after: no stray lock file for a missing segment
	if err != nil {
		f.Close()
		return nil, err
	}
	seg, err := attachFile(name, path, f, lockf, role)
	if err != nil {
		f.Close()
		lockf.Close()
		return nil, err
	}
	seg.start(opts)
	return seg, nil
}

func attachFile(name, path string, f, lockf *os.File, role string) (*Segment, error) {
	if err := checkOpen(f, os.Geteuid()); err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("shmstat: attach %s: %w", path, err)
	}
	fd := int(f.Fd())
	if held, err := ofdWriteHeld(fd, lockSlotBase); err != nil || !held {
		return nil, fmt.Errorf("shmstat: attach %s: %w", path, ErrOwnerDead)
	}
	var l *layout
	// A segment is installed ready, but be patient with a slow creator.
	for try := 0; ; try++ {
		l, err = readLayout(f, fi)
		if !errors.Is(err, ErrNotReady) || try == 100 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		return nil, fmt.Errorf("shmstat: attach %s: %w", path, err)
	}
	b, err := unix.Mmap(fd, 0, int(l.total), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("shmstat: attach %s: map: %w", path, err)
	}
	m := mem(b)
	if l, err = parseHeader(m); err != nil {
		unix.Munmap(b)
		return nil, fmt.Errorf("shmstat: attach %s: %w", path, err)
	}
	seg := newSegment(name, path, f, m, false)
	seg.l = l
	seg.lockf = lockf
	if err := seg.withRegisterLock(func() error { return seg.claimFreeSlot(role) }); err != nil {
		unix.Munmap(b)
		return nil, err
	}
	return seg, nil
}

// claimFreeSlot takes the first slot whose lock byte nobody holds: a free
// slot or one whose process died. Called under the register lock.
func (s *Segment) claimFreeSlot(role string) error {
	for i := uint64(1); i < s.l.slotCount; i++ {
		err := ofdLock(s.fd, lockSlotBase+int64(i), unix.F_WRLCK, false)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES) {
			continue // a live process holds it
		}
		if err != nil {
			return fmt.Errorf("shmstat: attach %s: lock slot %d: %w", s.path, i, err)
		}
		return s.claimSlot(i, role)
	}
	return fmt.Errorf("shmstat: attach %s: %w (%d slots)", s.path, ErrNoSlot, s.l.slotCount)
}

// withRegisterLock runs fn holding the register lock shared with the
// service's other processes: flock on the lock file, which readers
// cannot open. The caller holds s.mu (or is still building s).
func (s *Segment) withRegisterLock(fn func() error) error {
	if s.lockf == nil { // being built: nobody else sees it yet
		return fn()
	}
	if err := flockWait(s.lockf); err != nil {
		return fmt.Errorf("shmstat: %s: take the register lock: %w", s.path, err)
	}
	defer funlock(s.lockf)
	return fn()
}
