package view

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/porthole-dev/porthole/shmstat"
)

// DefaultSelfPCs is how many distinct PCs a Self keeps resolved.
const DefaultSelfPCs = 4096

// Self resolves program counters of the calling process from the
// runtime's own tables (runtime.CallersFrames), without reading the
// executable: what a daemon uses to describe its own probes. Each
// distinct PC is resolved once and kept, up to a bound; past it the
// cache starts afresh. PCs of other processes are an error. A Self is
// safe for concurrent use.
type Self struct {
	pid int
	max int

	mu  sync.Mutex
	pcs map[uint64]shmstat.Location
}

// NewSelf returns a Self that keeps at most max PCs (DefaultSelfPCs when
// max <= 0).
func NewSelf(max int) *Self {
	if max <= 0 {
		max = DefaultSelfPCs
	}
	return &Self{pid: os.Getpid(), max: max, pcs: map[uint64]shmstat.Location{}}
}

// Resolve returns the location of pc, a return address stored by
// Probe.Here in this process. When Here was inlined, the PC lies inside
// its inlined body: the location is that of its caller, the line that
// called Here.
func (s *Self) Resolve(pid int, start uint64, pc uint64) (shmstat.Location, error) {
	if pid != s.pid {
		return shmstat.Location{}, fmt.Errorf("view: resolve pc %#x: pid %d is not this process (%d)", pc, pid, s.pid)
	}
	s.mu.Lock()
	loc, ok := s.pcs[pc]
	s.mu.Unlock()
	if ok {
		return loc, nil
	}
	loc, err := resolveOwn(pc)
	if err != nil {
		return loc, err
	}
	s.mu.Lock()
	if len(s.pcs) >= s.max {
		clear(s.pcs)
	}
	s.pcs[pc] = loc
	s.mu.Unlock()
	return loc, nil
}

// Len returns how many PCs are cached.
func (s *Self) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pcs)
}

// resolveOwn finds the line of a return address of this process. The
// function is the real (outermost) function holding pc, as
// shmstat.Resolver reports it. When Probe.Here was inlined, the PC lies in
// its inlined body, whose line is Here's own: the caller's instructions
// just before it carry the line of the call, so walk back to them.
func resolveOwn(pc uint64) (shmstat.Location, error) {
	if pc < 2 {
		return shmstat.Location{}, fmt.Errorf("view: resolve pc %#x: not in this program's text", pc)
	}
	at := uintptr(pc - 1) // the call instruction ends just before a return address
	f := runtime.FuncForPC(at)
	if f == nil {
		return shmstat.Location{}, fmt.Errorf("view: resolve pc %#x: not in this program's text", pc)
	}
	// For an inlined PC, f describes the inlined function; the real
	// function starts at its Entry and gives the lines of any PC in it.
	entry := f.Entry()
	if outer := runtime.FuncForPC(entry); outer != nil {
		f = outer
	}
	fn := f.Name()
	file, line := f.FileLine(at)
	if isProbeFile(file) {
		for back := at - 1; back >= entry && at-back < 256; back-- {
			if f2, l2 := f.FileLine(back); !isProbeFile(f2) {
				file, line = f2, l2
				break
			}
		}
	}
	return shmstat.Location{Func: fn, File: file, Line: line}, nil
}

// isProbeFile reports whether file holds the body of Probe.Here.
func isProbeFile(file string) bool {
	return strings.HasSuffix(file, "/shmstat/probe_asm.go")
}
