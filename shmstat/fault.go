package shmstat

import (
	"errors"
	"runtime"
	"strings"
)

// ErrTruncated is wrapped by errors about a segment file that became
// shorter than its header says while it was mapped: reads past the new
// end would fault (SIGBUS); readers report this error instead.
var ErrTruncated = errors.New("segment truncated")

// isFault reports whether a recovered panic value is a memory fault that
// debug.SetPanicOnFault turned into a panic: an error with the faulting
// address, or (when the kernel or an emulator such as qemu-user reports
// the fault at address 0) the runtime's invalid-memory-address error. The
// guarded reads only index a non-nil mapping, so that error cannot come
// from a nil pointer there. Any other panic is not ours to swallow.
func isFault(p any) bool {
	if _, ok := p.(interface{ Addr() uintptr }); ok {
		return true
	}
	e, ok := p.(runtime.Error)
	return ok && strings.HasPrefix(e.Error(), "runtime error: invalid memory address")
}
