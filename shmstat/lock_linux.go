package shmstat

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Locks. Every process in a slot, the owner in slot 0 included, holds an
// open-file-description (OFD) write lock on its slot's byte far past the
// end of the segment file; the kernel drops it when the process dies,
// however it dies. Readers never take a lock: they ask F_OFD_GETLK about
// a read lock on that byte, which only a write lock conflicts with. A
// write lock needs a file opened for writing, which only the service's
// own user can do, so nothing a reader does (read locks, flock) can make
// a live process look dead, a dead one look alive, or block the owner.
//
// Creating a segment and registering values serialise on flock of a
// separate lock file, .NAME.lock (mode 0600), that readers cannot open.

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

// ofdWriteHeld reports whether another open file holds a write lock on
// the byte at off. Read locks, which anyone who can read the file may
// take, do not count.
func ofdWriteHeld(fd int, off int64) (bool, error) {
	lk := unix.Flock_t{Type: unix.F_RDLCK, Whence: 0, Start: off, Len: 1}
	if err := unix.FcntlFlock(uintptr(fd), unix.F_OFD_GETLK, &lk); err != nil {
		return false, err
	}
	return lk.Type == unix.F_WRLCK, nil
}

// openLockFile opens, creating it if needed, the lock file of service
// name: a regular file of this user, mode 0600, not a link.
func openLockFile(dir, name string) (*os.File, error) {
	path := lockPath(dir, name)
	f, err := openSegmentFile(path, os.O_RDWR|os.O_CREATE, 0o600, "open lock file")
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkFile(path, fi, os.Geteuid())
		if err == nil && fi.Mode().Perm()&0o077 != 0 {
			err = fmt.Errorf("shmstat: lock file %s has mode %v, want 0600: %w", path, fi.Mode().Perm(), ErrInsecure)
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// flockWait takes flock(LOCK_EX) on f, waiting for it.
func flockWait(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// funlock releases flock on f.
func funlock(f *os.File) { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN) }
