package shmstat

import (
	"errors"
	"fmt"
	"time"
)

// ErrFull is wrapped by Segment.Err when a registration did not fit.
var ErrFull = errors.New("segment full")

// desc is a registration request or a found descriptor.
type desc struct {
	kind  Kind
	name  string
	unit  string
	help  string
	aux   uint64
	flags uint16
	value uint64 // absolute offset of the value record, 0 if none
	index uint64 // descriptor index
}

// register finds or creates the descriptor of (kind, name). It returns
// the descriptor, or ok=false when the segment is full (s.err says so).
// The caller holds s.mu.
func (s *Segment) register(kind Kind, name, help string, ro regOpts, aux func(count uint64) (uint64, error)) (d desc, ok bool) {
	err := s.withRegisterLock(func() error {
		if found, ok := s.find(kind, name); ok {
			d = found
			return nil
		}
		l, m := s.l, s.m
		n := uint64(m.load32(hOffDescCount))
		if n >= l.descCap {
			return fmt.Errorf("shmstat: %s: register %s %q: %w: all %d descriptors used", s.path, kind, name, ErrFull, l.descCap)
		}
		d = desc{kind: kind, name: name, unit: ro.unit, help: help, index: n}
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
		m.store64(do+dOffValue, d.value)
		m.store64(do+dOffAux, d.aux)
		m.putString(do+dOffName, nameLen, name)
		m.putString(do+dOffUnit, unitLen, ro.unit)
		m.putString(do+dOffHelp, helpLen, help)
		m.store32(hOffDescCount, uint32(n+1)) // publish: the entry is complete
		return nil
	})
	if err != nil {
		if s.err == nil {
			s.err = err
		}
		return d, false
	}
	return d, true
}

// find scans the published descriptors for (kind, name).
func (s *Segment) find(kind Kind, name string) (desc, bool) {
	l, m := s.l, s.m
	n := l.descCount(m)
	for i := uint64(0); i < n; i++ {
		do := l.descAt(i)
		if Kind(m.load32(do+dOffKind)&0xffff) != kind {
			continue
		}
		if m.getString(do+dOffName, nameLen) != truncName(name) {
			continue
		}
		return desc{kind: kind, name: name, index: i, value: m.load64(do + dOffValue), aux: m.load64(do + dOffAux)}, true
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

func truncName(name string) string {
	if len(name) > nameLen-1 {
		return name[:nameLen-1]
	}
	return name
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
func lookup[T any](s *Segment, kind Kind, name string, mk func() T) T {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := regKey{kind, name}
	if v, ok := s.known[k]; ok {
		return v.(T)
	}
	v := mk()
	s.known[k] = v
	return v
}

// privateWords returns n words of private memory for a value that did not
// fit in the segment: it works, readers just do not see it.
func privateWords(n int) mem {
	w := make([]uint64, (n+7)/8)
	return mem(bytesOfWords(w))
}

// Counter registers (or finds) a monotonic counter.
func (s *Segment) Counter(name, help string, opts ...Opt) *Counter {
	return lookup(s, KindCounter, name, func() *Counter {
		d, ok := s.register(KindCounter, name, help, buildOpts(opts), nil)
		if !ok {
			return &Counter{p: privateWords(8).u64p(0)}
		}
		return &Counter{p: s.m.u64p(d.value)}
	})
}

// Gauge registers (or finds) a gauge: a value that goes up and down, such
// as a queue length.
func (s *Segment) Gauge(name, help string, opts ...Opt) *Gauge {
	return lookup(s, KindGauge, name, func() *Gauge {
		d, ok := s.register(KindGauge, name, help, buildOpts(opts), nil)
		if !ok {
			return &Gauge{p: privateWords(8).u64p(0)}
		}
		return &Gauge{p: s.m.u64p(d.value)}
	})
}

// Sequence registers (or finds) a sequence shared by every process
// attached to the segment: Next returns unique, increasing numbers.
func (s *Segment) Sequence(name string, opts ...Opt) *Sequence {
	return lookup(s, KindSequence, name, func() *Sequence {
		d, ok := s.register(KindSequence, name, "", buildOpts(opts), nil)
		if !ok {
			return &Sequence{p: privateWords(8).u64p(0)}
		}
		return &Sequence{p: s.m.u64p(d.value)}
	})
}

// Load registers (or finds) a busy/idle meter for one worker. Only one
// goroutine should drive a Load.
func (s *Segment) Load(name string, opts ...Opt) *Load {
	return lookup(s, KindLoad, name, func() *Load {
		d, ok := s.register(KindLoad, name, "share of time busy", buildOpts(opts),
			func(uint64) (uint64, error) { return s.slot, nil })
		if !ok {
			return &Load{m: privateWords(loadSize)}
		}
		return &Load{m: s.m, off: d.value}
	})
}

// Task registers (or finds) a periodic task expected to start every
// interval. Only one process should run a given task at a time.
func (s *Segment) Task(name string, every time.Duration, opts ...Opt) *Task {
	return lookup(s, KindTask, name, func() *Task {
		d, ok := s.register(KindTask, name, "periodic task", buildOpts(opts),
			func(uint64) (uint64, error) { return uint64(every), nil })
		if !ok {
			return &Task{m: privateWords(taskSize)}
		}
		return &Task{m: s.m, off: d.value}
	})
}

// Info publishes a short string, such as a version or a configuration
// value. Setting the same name again replaces the text.
func (s *Segment) Info(name, value string) {
	t := lookup(s, KindInfo, name, func() *text {
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
	return lookup(s, KindFlag, name, func() Flag {
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
	return lookup(s, KindProbe, name, func() *Probe {
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
