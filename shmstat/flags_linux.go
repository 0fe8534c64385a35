package shmstat

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// FlagWriter sets debug flags in the process slots of a running service.
// It is what `porthole debug` uses: the only writer besides the service's
// own processes. It maps just the slots region for writing; descriptors
// and values stay read-only.
type FlagWriter struct {
	r     *Reader
	slots []byte // the slots region, mapped read-write
}

// OpenFlags opens segment nameOrPath to change debug flags.
func OpenFlags(nameOrPath string, opts *Options) (*FlagWriter, error) {
	path := resolvePath(nameOrPath, opts)
	f, err := openSegmentFile(path, os.O_RDWR, 0, "open for debug flags")
	if err != nil {
		return nil, err
	}
	r, err := openFile(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	l := r.l
	if l.slotsOff%pageSize != 0 {
		r.Close()
		return nil, fmt.Errorf("shmstat: %s: slots region at %d is not page aligned: %w", path, l.slotsOff, ErrCorrupt)
	}
	b, err := unix.Mmap(int(f.Fd()), int64(l.slotsOff), int(l.slotCount*slotSize), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("shmstat: %s: map slots for writing: %w", path, err)
	}
	return &FlagWriter{r: r, slots: b}, nil
}

// Reader returns the read-only view used to look flags and slots up.
func (w *FlagWriter) Reader() *Reader { return w.r }

// SetFlag turns flag name on or off in slot i. It returns the new flags
// word.
func (w *FlagWriter) SetFlag(slot int, name string, on bool) (word uint64, err error) {
	s, err := w.r.Snapshot()
	if err != nil {
		return 0, err
	}
	m := s.Metric(KindFlag, name)
	if m == nil {
		var known []string
		for _, x := range s.Metrics {
			if x.Kind == KindFlag {
				known = append(known, x.Name)
			}
		}
		return 0, fmt.Errorf("shmstat: %s: %w %q (known: %v)", w.r.path, ErrUnknownFlag, name, known)
	}
	if slot < 0 || uint64(slot) >= w.r.l.slotCount {
		return 0, fmt.Errorf("shmstat: %s: no slot %d", w.r.path, slot)
	}
	p := mem(w.slots).u64p(uint64(slot)*slotSize + sOffFlags)
	bit := uint64(1) << uint(m.Bit)
	old := debug.SetPanicOnFault(true)
	defer func() {
		if w.r.endRead(old, recover()) {
			word, err = 0, w.r.truncated()
		}
	}()
	for {
		old := atomic.LoadUint64(p)
		nw := old &^ bit
		if on {
			nw |= bit
		}
		if atomic.CompareAndSwapUint64(p, old, nw) {
			return nw, nil
		}
	}
}

// Close unmaps and closes the segment.
func (w *FlagWriter) Close() error {
	err := unix.Munmap(w.slots)
	if err2 := w.r.Close(); err == nil {
		err = err2
	}
	return err
}
