//go:build !linux

package shmstat

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// On systems other than Linux shmstat compiles, so that a daemon that
// imports it builds everywhere, but every operation that needs Linux
// (shared mappings, OFD locks, /proc) returns an error wrapping
// ErrUnsupported. Decode, Snapshot's methods and the value types work.

func unsupported(op string) error {
	return fmt.Errorf("shmstat: %s on %s: %w", op, runtime.GOOS, ErrUnsupported)
}

// Create fails on this system: see ErrUnsupported.
func Create(name string, opts *Options) (*Segment, error) { return nil, unsupported("create " + name) }

// Attach fails on this system: see ErrUnsupported.
func Attach(name, role string, opts *Options) (*Segment, error) {
	return nil, unsupported("attach " + name)
}

// Open fails on this system: see ErrUnsupported.
func Open(nameOrPath string, opts *Options) (*Reader, error) {
	return nil, unsupported("open " + nameOrPath)
}

// OpenFlags fails on this system: see ErrUnsupported.
func OpenFlags(nameOrPath string, opts *Options) (*FlagWriter, error) {
	return nil, unsupported("open " + nameOrPath)
}

// ReadHeader fails on this system: see ErrUnsupported.
func ReadHeader(path string) (SegmentInfo, error) {
	return SegmentInfo{Path: path}, unsupported("read " + path)
}

// VerifySlotProcess fails on this system: see ErrUnsupported.
func VerifySlotProcess(s *Snapshot, slot int) error { return unsupported("verify a process") }

// SignalSlotProcess fails on this system: see ErrUnsupported.
func SignalSlotProcess(s *Snapshot, slot int, sig syscall.Signal) error {
	return unsupported("signal a process")
}

// Reader is a read-only view of a segment; Open never returns one on
// this system.
type Reader struct{}

// Close does nothing.
func (r *Reader) Close() error { return nil }

// Path returns "".
func (r *Reader) Path() string { return "" }

// Generation returns 0.
func (r *Reader) Generation() uint64 { return 0 }

// Snapshot fails: see ErrUnsupported.
func (r *Reader) Snapshot() (*Snapshot, error) { return nil, unsupported("snapshot") }

// SnapshotSegment fails: see ErrUnsupported.
func (r *Reader) SnapshotSegment() (*Snapshot, error) { return nil, unsupported("snapshot") }

// Err returns ErrUnsupported.
func (r *Reader) Err() error { return unsupported("read") }

// OwnerAlive returns false.
func (r *Reader) OwnerAlive() bool { return false }

// Replaced returns true.
func (r *Reader) Replaced() bool { return true }

// NumSlots returns 0.
func (r *Reader) NumSlots() int { return 0 }

// ProbesPerSlot returns 0.
func (r *Reader) ProbesPerSlot() int { return 0 }

// SlotIdentity returns nothing.
func (r *Reader) SlotIdentity(i int) (pid int, start uint64, claim uint64, active bool) {
	return 0, 0, 0, false
}

// SlotAlive returns false.
func (r *Reader) SlotAlive(i int) bool { return false }

// ReadProbes returns dst[:0].
func (r *Reader) ReadProbes(i int, dst []uint64) []uint64 { return dst[:0] }

// ReadAllProbes returns dst[:0].
func (r *Reader) ReadAllProbes(n int, dst []uint64) []uint64 { return dst[:0] }

// ValueRefs returns nil.
func (r *Reader) ValueRefs(s *Snapshot) []uint64 { return nil }

// ReadValues returns dst[:0].
func (r *Reader) ReadValues(refs []uint64, dst []uint64) []uint64 { return dst[:0] }

// FlagWriter sets debug flags; OpenFlags never returns one on this
// system.
type FlagWriter struct{}

// Reader returns nil.
func (w *FlagWriter) Reader() *Reader { return nil }

// SetFlag fails: see ErrUnsupported.
func (w *FlagWriter) SetFlag(slot int, name string, on bool) (uint64, error) {
	return 0, unsupported("set a flag")
}

// Close does nothing.
func (w *FlagWriter) Close() error { return nil }

// Close does nothing: no Segment exists on this system.
func (s *Segment) Close() error { return nil }

func (s *Segment) withRegisterLock(fn func() error) error { return unsupported("register") }

func processAlive(pid int, start uint64) bool                 { return false }
func procStartTime(pid int) (uint64, error)                   { return 0, unsupported("read /proc") }
func fileOwner(fi os.FileInfo) int                            { return -1 }
func statIDs(fi os.FileInfo) (binKey, bool)                   { return binKey{}, false }
func readableDir(dir string) bool                             { return false }
func liveByLock(fd int, i uint64, pid int, start uint64) bool { return false }
