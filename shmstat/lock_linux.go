package shmstat

import (
	"errors"

	"golang.org/x/sys/unix"
)

// Locks. The owner holds flock(LOCK_EX) on its segment file for its whole
// life; every slot's process holds an open-file-description (OFD) record
// lock on its own byte far past the end of the file. The kernel drops both
// when the process dies, however it dies, so a reader that can take the
// lock (or finds no conflicting lock) knows the holder is gone, even across
// pid namespaces. flock and fcntl locks do not interact on Linux.

// tryFlockExclusive takes flock(LOCK_EX) without waiting. It reports false
// when another open file holds a lock.
func tryFlockExclusive(fd int) (bool, error) {
	err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// flockHeld reports whether some other open file holds flock(LOCK_EX) on
// the file behind fd. It probes with a shared lock and drops it at once.
func flockHeld(fd int) (bool, error) {
	err := unix.Flock(fd, unix.LOCK_SH|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	_ = unix.Flock(fd, unix.LOCK_UN)
	return false, nil
}

// ofdLock takes (wait) or releases an OFD write lock on one byte.
func ofdLock(fd int, off int64, typ int16, wait bool) error {
	lk := unix.Flock_t{Type: typ, Whence: 0, Start: off, Len: 1}
	cmd := unix.F_OFD_SETLK
	if wait {
		cmd = unix.F_OFD_SETLKW
	}
	for {
		err := unix.FcntlFlock(uintptr(fd), cmd, &lk)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return err
	}
}

// ofdHeld reports whether another open file holds a write lock on the byte
// at off, and the pid the kernel reports for it (-1 for OFD locks).
func ofdHeld(fd int, off int64) (bool, error) {
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: 0, Start: off, Len: 1}
	if err := unix.FcntlFlock(uintptr(fd), unix.F_OFD_GETLK, &lk); err != nil {
		return false, err
	}
	return lk.Type != unix.F_UNLCK, nil
}
