package shmstat

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// openSegmentFile is the one way shmstat opens a file in the segment
// directory (segments, their lock files, new segments with
// O_CREATE|O_EXCL; perm applies only to those; op names the operation in
// errors): never through a symbolic link (O_NOFOLLOW), never waiting
// (O_NONBLOCK, so a FIFO named *.shm cannot hang the caller), and only a
// regular file.
func openSegmentFile(path string, flag int, perm os.FileMode, op string) (*os.File, error) {
	f, err := os.OpenFile(path, flag|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, perm)
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return nil, fmt.Errorf("shmstat: %s %s: a symbolic link stands at the segment's path: %w", op, path, ErrInsecure)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is in the message already, once
		}
		if errors.Is(err, fs.ErrNotExist) && flag&os.O_CREATE == 0 {
			return nil, fmt.Errorf("shmstat: %s %s: %w (%w)", op, path, ErrNoSegment, err)
		}
		return nil, fmt.Errorf("shmstat: %s %s: %w", op, path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("shmstat: %s %s: %w", op, path, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("shmstat: %s %s: not a regular file (%v): %w", op, path, fi.Mode().Type(), ErrInsecure)
	}
	return f, nil
}
