package shmstat

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// ErrFull is wrapped by Segment.Err when a registration did not fit.
var ErrFull = errors.New("segment full")

// ErrBadName is wrapped by Segment.Err when a registration's name or unit
// does not fit its descriptor field.
var ErrBadName = errors.New("invalid value name")

// desc is a registration request or a found descriptor.
type desc struct {
	kind  Kind
	name  string
	unit  string
	help  string
	aux   uint64
	flags uint16
	tag   uint32 // dOffSlot: 0 shared, slot index + 1 per process
	value uint64 // absolute offset of the value record, 0 if none
	index uint64 // descriptor index
}

// perProcess reports whether every process registering kind gets a record
// of its own: the kinds whose records have a single writer (seqlocks).
func (k Kind) perProcess() bool {
	return k == KindLoad || k == KindTask || k == KindInfo
}

// tagFor returns the descriptor slot tag of a registration by this process.
func (s *Segment) tagFor(kind Kind, ro regOpts) uint32 {
	if kind.valueSize() > 0 && (kind.perProcess() || ro.perProcess) {
		return uint32(s.slot + 1)
	}
	return 0
}

// checkNames refuses a name or unit that does not fit its field: a cut
// name could merge two values into one.
func checkNames(kind Kind, name, unit string) error {
	if name == "" || len(name) > nameLen-1 {
		return fmt.Errorf("%w: %s name %q: want 1-%d bytes", ErrBadName, kind, name, nameLen-1)
	}
	if len(unit) > unitLen-1 {
		return fmt.Errorf("%w: %s %q: unit %q longer than %d bytes", ErrBadName, kind, name, unit, unitLen-1)
	}
	return nil
}

// register finds or creates the descriptor of (kind, name) with this
// process's tag. It returns the descriptor, or ok=false when the
// registration failed: s.err says why and the segment counts it.
// The caller holds s.mu.
func (s *Segment) register(kind Kind, name, help string, ro regOpts, aux func(count uint64) (uint64, error)) (d desc, ok bool) {
	if err := checkNames(kind, name, ro.unit); err != nil {
		s.fail(fmt.Errorf("shmstat: %s: register: %w", s.path, err))
		return d, false
	}
	tag := s.tagFor(kind, ro)
	err := s.withRegisterLock(func() error {
		if found, ok := s.find(kind, name, tag); ok {
			d = found
			if tag != 0 {
				// Not in this process's cache, so an earlier process in
				// our slot left it: it is ours now, start it afresh.
				return s.reuse(&d, aux)
			}
			return nil
		}
		l, m := s.l, s.m
		n := uint64(m.load32(hOffDescCount))
		if n >= l.descCap {
			return fmt.Errorf("shmstat: %s: register %s %q: %w: all %d descriptors used", s.path, kind, name, ErrFull, l.descCap)
		}
		d = desc{kind: kind, name: name, unit: ro.unit, help: help, index: n, tag: tag}
		if aux != nil {
			var err error
			if d.aux, err = aux(n); err != nil {
				return fmt.Errorf("shmstat: %s: register %s %q: %w", s.path, kind, name, err)
			}
		}
		if size := kind.valueSize(); size > 0 {
			align, span := uint64(8), uint64(size)
			if ro.cacheLine {
				align, span = cacheLine, (span+cacheLine-1)&^(cacheLine-1)
				d.flags |= descFlagCacheLine
			}
			used := m.load64(hOffValuesUsed)
			off := (l.valuesOff + used + align - 1) &^ (align - 1)
			if off+span > l.valuesOff+l.valuesSize {
				return fmt.Errorf("shmstat: %s: register %s %q: %w: value space (%d bytes) used up", s.path, kind, name, ErrFull, l.valuesSize)
			}
			m.store64(hOffValuesUsed, off+span-l.valuesOff)
			d.value = off
		}
		do := l.descAt(n)
		m.store32(do+dOffKind, uint32(kind)|uint32(d.flags)<<16)
		m.store32(do+dOffSlot, d.tag)
		m.store64(do+dOffValue, d.value)
		m.store64(do+dOffAux, d.aux)
		m.putString(do+dOffName, nameLen, name)
		m.putString(do+dOffUnit, unitLen, ro.unit)
		m.putString(do+dOffHelp, helpLen, help)
		m.store32(hOffDescCount, uint32(n+1)) // publish: the entry is complete
		return nil
	})
	if err != nil {
		s.fail(err)
		return d, false
	}
	return d, true
}

// fail records a failed registration: the first error for Err, and one
// more in the segment's count that readers show.
func (s *Segment) fail(err error) {
	if s.err == nil {
		s.err = err
	}
	s.failures++
	atomic.AddUint64(s.m.u64p(hOffRegFailed), 1)
}

// reuse restarts a per-process record left by the slot's previous
// process: zeroed under its seqlock (readers see old or new, never a mix)
// and with this registration's aux. Called under the register lock.
func (s *Segment) reuse(d *desc, aux func(uint64) (uint64, error)) error {
	m := s.m
	if aux != nil {
		a, err := aux(d.index)
		if err != nil {
			return fmt.Errorf("shmstat: %s: register %s %q: %w", s.path, d.kind, d.name, err)
		}
		d.aux = a
		m.store64(s.l.descAt(d.index)+dOffAux, a)
	}
	size := uint64(d.kind.valueSize())
	if size == wordSize {
		m.store64(d.value, 0)
		return nil
	}
	seq := m.load64(d.value)
	m.store64(d.value, seq|1) // odd: a write is in progress
	for o := uint64(8); o < size; o += 8 {
		m.store64(d.value+o, 0)
	}
	m.store64(d.value, (seq|1)+1)
	return nil
}

// find scans the published descriptors for (kind, name, tag).
func (s *Segment) find(kind Kind, name string, tag uint32) (desc, bool) {
	l, m := s.l, s.m
	n := l.descCount(m)
	for i := uint64(0); i < n; i++ {
		do := l.descAt(i)
		if Kind(m.load32(do+dOffKind)&0xffff) != kind || m.load32(do+dOffSlot) != tag {
			continue
		}
		if m.getString(do+dOffName, nameLen) != name {
			continue
		}
		return desc{kind: kind, name: name, index: i, tag: tag, value: m.load64(do + dOffValue), aux: m.load64(do + dOffAux)}, true
	}
	return desc{}, false
}

// countKind counts published descriptors of kind: the next flag bit,
// probe index or site index.
func (s *Segment) countKind(kind Kind) uint64 {
	l, m := s.l, s.m
	n, c := l.descCount(m), uint64(0)
	for i := uint64(0); i < n; i++ {
		if Kind(m.load32(l.descAt(i)+dOffKind)&0xffff) == kind {
			c++
		}
	}
	return c
}

func buildOpts(opts []Opt) regOpts {
	var ro regOpts
	for _, o := range opts {
		o(&ro)
	}
	return ro
}

// lookup returns a registered handle from this process's cache, or
// creates it with mk. Callers pass the zero-size fallback on failure.
func lookup[T any](s *Segment, kind Kind, name string, perProcess bool, mk func() T) T {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := regKey{kind, name, perProcess}
	if v, ok := s.known[k]; ok {
		return v.(T)
	}
	v := mk()
	s.known[k] = v
	return v
}

// privateWords returns n bytes of private memory for a value whose
// registration failed: the daemon's updates stay harmless, Segment.Err
// says why, and the segment counts the failure for readers to show.
func privateWords(n int) mem {
	w := make([]uint64, (n+7)/8)
	return mem(bytesOfWords(w))
}

// Counter registers (or finds) a monotonic counter. By default every
// process attached to the segment adds to the same counter; with the
// PerProcess option each process has its own, shown in its slot.
func (s *Segment) Counter(name, help string, opts ...Opt) *Counter {
	ro := buildOpts(opts)
	return lookup(s, KindCounter, name, ro.perProcess, func() *Counter {
		d, ok := s.register(KindCounter, name, help, ro, nil)
		if !ok {
			return &Counter{p: privateWords(8).u64p(0)}
		}
		return &Counter{p: s.m.u64p(d.value)}
	})
}

// Gauge registers (or finds) a gauge: a value that goes up and down, such
// as a queue length. Shared by every process unless PerProcess is given.
func (s *Segment) Gauge(name, help string, opts ...Opt) *Gauge {
	ro := buildOpts(opts)
	return lookup(s, KindGauge, name, ro.perProcess, func() *Gauge {
		d, ok := s.register(KindGauge, name, help, ro, nil)
		if !ok {
			return &Gauge{p: privateWords(8).u64p(0)}
		}
		return &Gauge{p: s.m.u64p(d.value)}
	})
}

// Sequence registers (or finds) a sequence shared by every process
// attached to the segment: Next returns unique, increasing numbers.
// PerProcess does not apply: a sequence is always shared.
func (s *Segment) Sequence(name string, opts ...Opt) *Sequence {
	ro := buildOpts(opts)
	ro.perProcess = false
	return lookup(s, KindSequence, name, false, func() *Sequence {
		d, ok := s.register(KindSequence, name, "", ro, nil)
		if !ok {
			return &Sequence{p: privateWords(8).u64p(0)}
		}
		return &Sequence{p: s.m.u64p(d.value)}
	})
}

// Load registers (or finds) a busy/idle meter for one worker of this
// process. Each process has its own Load of a given name (shown in its
// slot), so two processes never write one record. Only one goroutine
// should drive a Load.
func (s *Segment) Load(name string, opts ...Opt) *Load {
	return lookup(s, KindLoad, name, true, func() *Load {
		d, ok := s.register(KindLoad, name, "share of time busy", buildOpts(opts),
			func(uint64) (uint64, error) { return s.slot, nil })
		if !ok {
			return &Load{m: privateWords(loadSize)}
		}
		return &Load{m: s.m, off: d.value}
	})
}

// Task registers (or finds) a periodic task of this process expected to
// start every interval. Each process has its own Task of a given name
// (shown in its slot): its record has a single writer.
func (s *Segment) Task(name string, every time.Duration, opts ...Opt) *Task {
	return lookup(s, KindTask, name, true, func() *Task {
		d, ok := s.register(KindTask, name, "periodic task", buildOpts(opts),
			func(uint64) (uint64, error) { return uint64(every), nil })
		if !ok {
			return &Task{m: privateWords(taskSize)}
		}
		return &Task{m: s.m, off: d.value}
	})
}

// Info publishes a short string of this process, such as a version or a
// configuration value. Setting the same name again replaces the text.
// Each process has its own Info of a given name (shown in its slot).
func (s *Segment) Info(name, value string) {
	t := lookup(s, KindInfo, name, true, func() *text {
		d, ok := s.register(KindInfo, name, "", regOpts{}, nil)
		if !ok {
			return &text{m: privateWords(textSize)}
		}
		return &text{m: s.m, off: d.value}
	})
	t.set(value)
}

// Flag registers (or finds) a named debug flag. Flag.On reads this
// process's flags word; `porthole debug NAME +flag` sets it from outside.
// At most 64 flags fit; more are always off.
func (s *Segment) Flag(name string) Flag {
	return lookup(s, KindFlag, name, false, func() Flag {
		d, ok := s.register(KindFlag, name, "debug flag", regOpts{}, func(uint64) (uint64, error) {
			bit := s.countKind(KindFlag)
			if bit >= maxFlags {
				return 0, fmt.Errorf("%w: all %d flag bits used", ErrFull, maxFlags)
			}
			return bit, nil
		})
		if !ok {
			return Flag{word: privateWords(8).u64p(0)}
		}
		return Flag{word: s.m.u64p(s.slotO + sOffFlags), bit: 1 << d.aux}
	})
}

// Probe registers (or finds) a named probe: one word in this process's
// slot that Here and Mark update. At most 32 probes fit per segment.
func (s *Segment) Probe(name string) *Probe {
	return lookup(s, KindProbe, name, false, func() *Probe {
		d, ok := s.register(KindProbe, name, "probe", regOpts{}, func(uint64) (uint64, error) {
			i := s.countKind(KindProbe)
			if i >= s.l.probes {
				return 0, fmt.Errorf("%w: all %d probe words used", ErrFull, s.l.probes)
			}
			return i, nil
		})
		if !ok {
			return &Probe{word: privateWords(8).u64p(0), seg: s}
		}
		return &Probe{word: s.m.u64p(s.slotO + sOffProbes + d.aux*8), seg: s}
	})
}

// site returns the probe word value of a named site, registering it once.
func (s *Segment) site(name string) uint64 {
	if m := s.sites.Load(); m != nil {
		if v, ok := (*m)[name]; ok {
			return v
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.sites.Load()
	if old != nil {
		if v, ok := (*old)[name]; ok {
			return v
		}
	}
	d, ok := s.register(KindSite, name, "probe site", regOpts{}, func(uint64) (uint64, error) {
		return s.countKind(KindSite), nil
	})
	v := uint64(0)
	if ok {
		v = siteBit | d.aux
	}
	next := make(map[string]uint64, 1)
	if old != nil {
		for k, x := range *old {
			next[k] = x
		}
	}
	next[name] = v
	s.sites.Store(&next)
	return v
}
