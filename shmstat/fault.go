package shmstat

import "errors"

// ErrTruncated is wrapped by errors about a segment file that became
// shorter than its header says while it was mapped: reads past the new
// end would fault (SIGBUS); readers report this error instead.
var ErrTruncated = errors.New("segment truncated")

// isFault reports whether a recovered panic value is a memory fault that
// debug.SetPanicOnFault turned into a panic. Any other panic is not ours
// to swallow.
func isFault(p any) bool {
	_, ok := p.(interface{ Addr() uintptr })
	return ok
}
