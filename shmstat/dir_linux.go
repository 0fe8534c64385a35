package shmstat

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// fileOwner returns the uid that owns the file, or -1 when unknown.
func fileOwner(fi os.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// statIDs returns the device and inode of a file.
func statIDs(fi os.FileInfo) (binKey, bool) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return binKey{dev: uint64(st.Dev), ino: st.Ino}, true
	}
	return binKey{}, false
}

// allocatedBytes returns the bytes the file system has allocated to the
// file (st_blocks * 512).
func allocatedBytes(fi os.FileInfo) (uint64, bool) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Blocks) * 512, true
	}
	return 0, false
}

// readableDir reports whether this process may list dir.
func readableDir(dir string) bool {
	return unix.Access(dir, unix.R_OK|unix.X_OK) == nil
}
