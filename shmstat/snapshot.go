package shmstat

import (
	"strconv"
	"time"
)

// Snapshot is a consistent copy of a segment at one moment.
type Snapshot struct {
	Version    int    // format version of the segment
	Name       string // service name
	Path       string
	Generation uint64 // random per creation: a new value means a new segment
	Owner      Process
	OwnerAlive bool
	Created    time.Time
	Taken      time.Time // wall clock when the snapshot was taken
	Mono       int64     // CLOCK_MONOTONIC ns when the snapshot was taken
	Metrics    []Metric  // every descriptor, in registration order
	Slots      []Slot    // every slot that is not free
	Sites      []string  // named probe sites, by index
	// FailedRegistrations counts registrations by any process of the
	// segment that were refused (segment full, name too long): values the
	// daemon updates but readers cannot see.
	FailedRegistrations uint64
	// UID owns the segment file (-1 when unknown, as for Decode): the
	// user whose processes may be named in its slots.
	UID int
}

// Process identifies a process across pid reuse.
type Process struct {
	PID       int
	StartTime uint64 // clock ticks since boot, /proc/PID/stat field 22
}

// Metric is one registered value.
type Metric struct {
	Kind  Kind
	Name  string
	Unit  string
	Help  string
	Value uint64    // counter, sequence
	Int   int64     // gauge
	Text  string    // info
	Load  LoadValue // load
	Task  TaskValue // task
	Bit   int       // flag: bit in each slot's flags word
	Index int       // probe: word index in each slot; site: site index
	// PerProcess is true for a record of one process (load, task, info,
	// and counters or gauges registered with PerProcess): Slot is then
	// the index of that process's slot. Shared values have Slot 0.
	PerProcess bool
	Slot       int
}

// LoadValue is the state of a busy/idle meter.
type LoadValue struct {
	BusyNanos uint64 // busy time accumulated by finished busy periods
	BusySince int64  // CLOCK_MONOTONIC ns when the current busy period began; 0 when idle
}

// BusyAt returns the total busy time up to the monotonic time mono.
func (l LoadValue) BusyAt(mono int64) uint64 {
	if l.BusySince != 0 && mono > l.BusySince {
		return l.BusyNanos + uint64(mono-l.BusySince)
	}
	return l.BusyNanos
}

// LoadPercent returns the share of time busy between two readings, 0-100.
func LoadPercent(prev, cur LoadValue, prevMono, curMono int64) float64 {
	if curMono <= prevMono {
		return 0
	}
	b0, b1 := prev.BusyAt(prevMono), cur.BusyAt(curMono)
	if b1 < b0 {
		return 0
	}
	p := 100 * float64(b1-b0) / float64(curMono-prevMono)
	if p > 100 {
		p = 100
	}
	return p
}

// TaskValue is the record of a periodic task.
type TaskValue struct {
	Every       time.Duration // expected interval between starts
	Running     bool
	LastStart   time.Time
	LastEnd     time.Time
	LastSuccess time.Time
	Result      TaskResult
	Message     string // the last error text, or a note on success
	Runs        uint64
	Failures    uint64
}

// Overdue reports whether the task should have started again by now:
// more than 1.5 intervals have passed since its last start (or since
// creation when it never started), or a run has lasted longer than one
// interval.
func (t TaskValue) Overdue(now time.Time) bool {
	if t.Every <= 0 || t.LastStart.IsZero() {
		return false
	}
	if t.Running {
		return now.Sub(t.LastStart) > t.Every
	}
	return now.Sub(t.LastStart) > t.Every+t.Every/2
}

// Slot is one process slot.
type Slot struct {
	Index     int
	State     SlotState
	PID       int
	StartTime uint64
	Claim     uint64 // changes every time a new process claims the slot
	Role      string
	Alive     bool // the process still runs (lock held, or pid + start time)
	Heartbeat time.Time
	Flags     uint64   // debug flags word
	Probes    []uint64 // raw probe words, by probe index
}

// ProbeKind says what a probe word holds.
type ProbeKind int

// Kinds of probe word.
const (
	ProbeEmpty ProbeKind = iota // nothing recorded (0)
	ProbePC                     // a return PC inside the target process
	ProbeSite                   // a named site index
)

// DecodeProbe splits a raw probe word into a PC or a site index.
func DecodeProbe(raw uint64) (pc uint64, site int, kind ProbeKind) {
	switch {
	case raw == 0:
		return 0, 0, ProbeEmpty
	case raw&siteBit != 0:
		return 0, int(raw &^ siteBit), ProbeSite
	}
	return raw, 0, ProbePC
}

// Metric returns the metric with the given name and kind, or nil. A
// per-process name (load, task, info, PerProcess values) may have one
// metric per process: Metric returns the first registered, usually the
// owner's; SlotMetric picks a given process's.
func (s *Snapshot) Metric(kind Kind, name string) *Metric {
	for i := range s.Metrics {
		if s.Metrics[i].Kind == kind && s.Metrics[i].Name == name {
			return &s.Metrics[i]
		}
	}
	return nil
}

// SlotMetric returns the per-process metric of the given kind and name
// that the process in slot writes, or nil.
func (s *Snapshot) SlotMetric(kind Kind, name string, slot int) *Metric {
	for i := range s.Metrics {
		m := &s.Metrics[i]
		if m.Kind == kind && m.Name == name && m.PerProcess && m.Slot == slot {
			return m
		}
	}
	return nil
}

// ProbeName returns the name of probe word index, or "probe<N>".
func (s *Snapshot) ProbeName(index int) string {
	for _, m := range s.Metrics {
		if m.Kind == KindProbe && m.Index == index {
			return m.Name
		}
	}
	return "probe" + strconv.Itoa(index)
}

// FlagNames returns the names of the flags set in word.
func (s *Snapshot) FlagNames(word uint64) []string {
	var names []string
	for _, m := range s.Metrics {
		if m.Kind == KindFlag && m.Bit < maxFlags && word&(1<<uint(m.Bit)) != 0 {
			names = append(names, m.Name)
		}
	}
	return names
}

// PCResolver turns a program counter stored by Probe.Here in process pid
// (start: its start time) into a source location. *Resolver reads the
// process's binary; a process can resolve its own PCs from the runtime
// (package shmstat/view's Self).
type PCResolver interface {
	Resolve(pid int, start uint64, pc uint64) (Location, error)
}

// ProbeLocation describes probe word index of a slot: a site name, a
// resolved "func file:line", a raw PC when r is nil or cannot resolve it,
// or "-".
func (s *Snapshot) ProbeLocation(r PCResolver, slot Slot, index int) string {
	if index < 0 || index >= len(slot.Probes) {
		return "-"
	}
	pc, site, kind := DecodeProbe(slot.Probes[index])
	switch kind {
	case ProbeSite:
		if site < len(s.Sites) {
			return s.Sites[site]
		}
		return "site" + strconv.Itoa(site)
	case ProbePC:
		if r != nil {
			if loc, err := r.Resolve(slot.PID, slot.StartTime, pc); err == nil {
				return loc.String()
			}
		}
		return "pc 0x" + strconv.FormatUint(pc, 16)
	}
	return "-"
}
