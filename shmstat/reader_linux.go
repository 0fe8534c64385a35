package shmstat

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Reader is a read-only view of a segment, for tools. It maps the file
// read-only: nothing a reader does can change the daemon's values.
type Reader struct {
	path string
	f    *os.File
	m    mem
	l    *layout
	ino  uint64
	uid  int // the file's owner

	faulted atomic.Bool // a read hit a truncated page
}

// Open maps the segment nameOrPath read-only. A bare name is looked up in
// opts.Dir (default DefaultDir()). The file must be a regular file, not a
// symbolic link, and not writable by group or others.
func Open(nameOrPath string, opts *Options) (*Reader, error) {
	path := resolvePath(nameOrPath, opts)
	f, err := openSegmentFile(path, os.O_RDONLY, 0, "open")
	if err != nil {
		return nil, err
	}
	r, err := openFile(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

func openFile(path string, f *os.File) (*Reader, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("shmstat: open %s: %w", path, err)
	}
	if err := checkFile(path, fi, -1); err != nil {
		return nil, err
	}
	l, err := readLayout(f, fi)
	if err != nil {
		return nil, wrapRead(path, err)
	}
	b, err := unix.Mmap(int(f.Fd()), 0, int(l.total), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("shmstat: open %s: map: %w", path, err)
	}
	if l, err = parseHeader(mem(b)); err != nil {
		unix.Munmap(b)
		return nil, fmt.Errorf("shmstat: open %s: %w", path, err)
	}
	ids, _ := statIDs(fi)
	return &Reader{path: path, f: f, m: mem(b), l: l, ino: ids.ino, uid: fileOwner(fi)}, nil
}

// readLayout reads the header of segment file f with pread and checks it
// against the file's real size and allocation before anything is mapped:
// a small sparse file claiming a huge layout fails here, at once.
func readLayout(f *os.File, fi os.FileInfo) (*layout, error) {
	if fi.Size() < headerSize {
		return nil, corrupt("%d bytes, shorter than the %d-byte header", fi.Size(), headerSize)
	}
	hdr := mem(bytesOfWords(make([]uint64, headerSize/8)))
	if _, err := f.ReadAt(hdr, 0); err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	l, err := parseHeaderSized(hdr, uint64(fi.Size()))
	if err != nil {
		return nil, err
	}
	if alloc, ok := allocatedBytes(fi); ok && alloc < l.total {
		return nil, corrupt("sparse file: %d of the %d bytes its header claims are allocated (segments are preallocated)", alloc, l.total)
	}
	return l, nil
}

// Close unmaps the segment.
func (r *Reader) Close() error {
	err := unix.Munmap(r.m)
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Path returns the segment's file.
func (r *Reader) Path() string { return r.path }

// Generation returns the random id of this segment's creation.
func (r *Reader) Generation() uint64 { return r.l.generation }

// Snapshot takes a consistent copy of every descriptor, value, task
// record and process slot. A file truncated under the mapping yields an
// error wrapping ErrTruncated, never a crash.
func (r *Reader) Snapshot() (*Snapshot, error) {
	s, err := r.SnapshotSegment()
	if err != nil {
		return nil, err
	}
	for i := range s.Slots {
		if sl := &s.Slots[i]; sl.Alive {
			if ps, err := ReadProcStat(sl.PID); err == nil && (sl.StartTime == 0 || ps.StartTime == sl.StartTime) {
				sl.Proc = ps
			}
		}
	}
	return s, nil
}

// SnapshotSegment is Snapshot without Slot.Proc: only what the segment
// holds, with no file of /proc read (Snapshot reads /proc/PID/stat of
// every live slot, ~10 µs each). For callers that re-read a segment
// often and need no kernel state, such as the sampler's refresh.
func (r *Reader) SnapshotSegment() (*Snapshot, error) {
	if err := r.Err(); err != nil {
		return nil, err
	}
	return r.decodeGuarded()
}

// decodeGuarded decodes with memory faults turned into ErrTruncated: the
// file may shrink between the size check and the reads.
func (r *Reader) decodeGuarded() (s *Snapshot, err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if p := recover(); p != nil {
			if !isFault(p) {
				panic(p)
			}
			r.faulted.Store(true)
			s, err = nil, r.truncated()
		}
	}()
	s, err = decode(r.m, r.path, r)
	if err != nil {
		return nil, fmt.Errorf("shmstat: read %s: %w", r.path, err)
	}
	s.UID = r.uid
	return s, nil
}

// Err reports whether the segment can still be read: an error wrapping
// ErrTruncated when the file is now shorter than its header says or a
// read hit a missing page. ReadProbes and ReadValues, which return no
// error, return nothing then; callers polling them check Err.
func (r *Reader) Err() error {
	if r.faulted.Load() {
		return r.truncated()
	}
	fi, err := r.f.Stat()
	if err != nil {
		return fmt.Errorf("shmstat: read %s: %w", r.path, err)
	}
	if uint64(fi.Size()) < r.l.total {
		r.faulted.Store(true)
		return r.truncated()
	}
	return nil
}

// wrapRead names the file in an error from reading its header.
func wrapRead(path string, err error) error {
	return fmt.Errorf("shmstat: open %s: %w", path, err)
}

func (r *Reader) truncated() error {
	return fmt.Errorf("shmstat: read %s: %w (the header says %d bytes)", r.path, ErrTruncated, r.l.total)
}

// endRead ends a guarded read: it restores the fault setting and turns a
// memory fault into r.faulted, reporting whether one happened.
func (r *Reader) endRead(old bool, p any) bool {
	debug.SetPanicOnFault(old)
	if p == nil {
		return false
	}
	if !isFault(p) {
		panic(p)
	}
	r.faulted.Store(true)
	return true
}

// OwnerAlive reports whether the owner still runs: it holds the write
// lock on slot 0's lock byte. The pid and start time are the fallback
// when locks cannot be tested. Asking takes no lock.
func (r *Reader) OwnerAlive() bool { return r.ownerAlive(r.l) }

func (r *Reader) ownerAlive(l *layout) bool {
	return liveByLock(int(r.f.Fd()), 0, l.ownerPID, l.ownerStart)
}

func (r *Reader) slotAlive(i int, pid int, start uint64) bool {
	return liveByLock(int(r.f.Fd()), uint64(i), pid, start)
}

// Replaced reports whether the segment's path no longer holds this
// segment: it was removed, or a new owner created a fresh one.
func (r *Reader) Replaced() bool {
	fi, err := os.Lstat(r.path)
	if err != nil {
		return true
	}
	ids, ok := statIDs(fi)
	return ok && ids.ino != r.ino
}

// NumSlots returns the number of process slots.
func (r *Reader) NumSlots() int { return int(r.l.slotCount) }

// ProbesPerSlot returns the number of probe words in each slot.
func (r *Reader) ProbesPerSlot() int { return int(r.l.probes) }

// SlotIdentity returns who holds slot i. claim changes whenever a new
// process takes the slot. active is false for a free slot.
func (r *Reader) SlotIdentity(i int) (pid int, start uint64, claim uint64, active bool) {
	if i < 0 || uint64(i) >= r.l.slotCount {
		return 0, 0, 0, false
	}
	old := debug.SetPanicOnFault(true)
	defer func() {
		if r.endRead(old, recover()) {
			pid, start, claim, active = 0, 0, 0, false
		}
	}()
	off := r.l.slotAt(uint64(i))
	st := SlotState(r.m.load32(off + sOffState))
	return int(r.m.load32(off + sOffPID)), r.m.load64(off + sOffStart), r.m.load64(off + sOffClaim), st == SlotActive
}

// SlotAlive reports whether the process in slot i still runs.
func (r *Reader) SlotAlive(i int) bool {
	pid, start, _, active := r.SlotIdentity(i)
	return active && r.slotAlive(i, pid, start)
}

// ReadProbes appends the probe words of slot i to dst[:0] with one atomic
// load each: the sampler's fast path.
// After a fault (the file was truncated) it returns nothing; see Err.
func (r *Reader) ReadProbes(i int, dst []uint64) (out []uint64) {
	dst = dst[:0]
	if i < 0 || uint64(i) >= r.l.slotCount {
		return dst
	}
	return r.readProbes(uint64(i), 1, r.l.probes, dst)
}

// ReadAllProbes appends the first n probe words of every slot to dst[:0],
// slot after slot (NumSlots()*n words; n is cut to ProbesPerSlot()), with
// one atomic load each and one fault guard for them all: what a sampler
// reads per tick. Probe words are given out in order, so n = 1 + the
// highest probe index in use reads every word that can be set.
// After a fault (the file was truncated) it returns nothing; see Err.
func (r *Reader) ReadAllProbes(n int, dst []uint64) []uint64 {
	if n < 0 {
		n = 0
	}
	return r.readProbes(0, r.l.slotCount, min(uint64(n), r.l.probes), dst[:0])
}

// readProbes appends the first perSlot probe words of the slots from
// first to first+slots-1, guarded.
func (r *Reader) readProbes(first, slots, perSlot uint64, dst []uint64) (out []uint64) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		if r.endRead(old, recover()) {
			out = dst[:0]
		}
	}()
	for i := first; i < first+slots; i++ {
		off := r.l.slotAt(i) + sOffProbes
		for p := uint64(0); p < perSlot; p++ {
			dst = append(dst, r.m.load64(off+p*8))
		}
	}
	return dst
}

// ValueRefs returns, for the metrics of a snapshot taken from this reader,
// the offsets of their single-word values (counters, gauges, sequences;
// 0 for other kinds), for ReadValues.
func (r *Reader) ValueRefs(s *Snapshot) (refs []uint64) {
	refs = make([]uint64, len(s.Metrics))
	old := debug.SetPanicOnFault(true)
	defer func() {
		if r.endRead(old, recover()) {
			clear(refs)
		}
	}()
	n := r.l.descCount(r.m)
	for i := range s.Metrics {
		if uint64(i) >= n {
			break
		}
		switch s.Metrics[i].Kind {
		case KindCounter, KindGauge, KindSequence:
			off := r.m.load64(r.l.descAt(uint64(i)) + dOffValue)
			if r.l.validValue(off, wordSize) {
				refs[i] = off
			}
		}
	}
	return refs
}

// ReadValues loads the words at refs (from ValueRefs) into dst, one atomic
// load each; a zero ref yields 0. It is how a watcher polls 1,000 counters
// in a few microseconds without decoding descriptors again. After a
// fault (the file was truncated) it returns nothing; see Err.
func (r *Reader) ReadValues(refs []uint64, dst []uint64) (out []uint64) {
	dst = dst[:0]
	old := debug.SetPanicOnFault(true)
	defer func() {
		if r.endRead(old, recover()) {
			out = dst[:0]
		}
	}()
	for _, off := range refs {
		if off == 0 {
			dst = append(dst, 0)
			continue
		}
		dst = append(dst, r.m.load64(off))
	}
	return dst
}
