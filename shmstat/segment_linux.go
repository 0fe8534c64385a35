package shmstat

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Close releases this process's slot and unmaps the segment. The owner's
// Close also removes the file unless Options.Keep is set; clients' slots
// become free for others.
func (s *Segment) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(s.stop)
	s.wg.Wait()
	var errs []error
	if s.owner && !s.keep {
		// Remove only if the path still names our file.
		if fi, err := os.Lstat(s.path); err == nil {
			if own, err2 := s.f.Stat(); err2 == nil && os.SameFile(fi, own) {
				if err := os.Remove(s.path); err != nil {
					errs = append(errs, fmt.Errorf("shmstat: remove %s: %w", s.path, err))
				}
			}
		}
	} else {
		s.m.store32(s.slotO+sOffState, uint32(SlotFree))
	}
	// Values handed out keep pointing into the mapping, and a worker may
	// still update one after Close: swap the shared mapping for private
	// anonymous memory at the same address instead of unmapping it, so a
	// late update is harmless and never reaches the file.
	if _, err := unix.MmapPtr(-1, 0, unsafe.Pointer(&s.m[0]), uintptr(len(s.m)),
		unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED); err != nil {
		errs = append(errs, fmt.Errorf("shmstat: detach %s: %w", s.path, err))
	}
	if err := s.f.Close(); err != nil {
		errs = append(errs, fmt.Errorf("shmstat: close %s: %w", s.path, err))
	}
	if s.lockf != nil {
		s.lockf.Close()
	}
	return errors.Join(errs...)
}
