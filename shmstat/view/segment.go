package view

import (
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// Options tune New. A nil *Options means the zero value.
type Options struct {
	// Resolver turns probe PCs into locations; nil shows them raw.
	Resolver Resolver
	// Probes selects the slots whose probe locations are worked out
	// (resolving a PC may read a binary); nil means every slot.
	Probes func(shmstat.Slot) bool
}

// Segment is what a reader shows of one segment at one moment.
type Segment struct {
	Snap   *shmstat.Snapshot // the current snapshot
	Window time.Duration     // between the previous snapshot and Snap; 0 without one
	Values []Value           // one per Snap.Metrics, in the same order
	Slots  []Process         // one per Snap.Slots, in the same order
}

// Value is one registered value and what is computed from it.
type Value struct {
	Metric *shmstat.Metric // in Segment.Snap.Metrics

	// Rate is the counter's or sequence's increase per second over the
	// window; HasRate says whether there was a window (a previous
	// snapshot of the same generation that had this value, a counter
	// that did not go backwards).
	Rate    float64
	HasRate bool
	// Load is a load meter's busy share of the window, 0-100; HasLoad as
	// for HasRate.
	Load    float64
	HasLoad bool
	// Task is the state of a periodic task; nil for other kinds.
	Task *Task
}

// Process is one process slot and what is computed from it.
type Process struct {
	Slot *shmstat.Slot // in Segment.Snap.Slots
	// Flags are the names of the debug flags set in its flags word.
	Flags []string
	// Load is the highest load percentage of the meters it registered;
	// HasLoad says whether it has one with a window.
	Load    float64
	HasLoad bool
	// State is the kernel's word for the process (running, sleeping,
	// disk wait, stopped...), "" when unknown: a paused process reads
	// "stopped" whatever its probes last said. CPU is its share of one
	// core over the window (HasCPU without a window is false).
	State  string
	CPU    float64
	HasCPU bool
	// Probes are its probe words, in registration order of the probes
	// (empty when Options.Probes left the slot out).
	Probes []Probe
}

// Probe is one probe word of one process.
type Probe struct {
	Name     string
	Index    int    // word index in the slot
	Raw      uint64 // the word as read; 0 when nothing was recorded
	Location string // see shmstat.Snapshot.ProbeLocation
}

// New computes the view of cur; prev (may be nil) is an earlier snapshot
// of the same segment, the window for rates and load. A prev of another
// generation (the owner restarted) is ignored. New costs O(values +
// slots x probes) plus what the resolver spends on new PCs.
func New(cur, prev *shmstat.Snapshot, opts *Options) *Segment {
	if opts == nil {
		opts = &Options{}
	}
	if prev != nil && (prev.Generation != cur.Generation || cur.Mono <= prev.Mono) {
		prev = nil
	}
	seg := &Segment{Snap: cur, Values: make([]Value, len(cur.Metrics)), Slots: make([]Process, len(cur.Slots))}
	var secs float64
	if prev != nil {
		seg.Window = time.Duration(cur.Mono - prev.Mono)
		secs = seg.Window.Seconds()
	}
	mt := matcher{prev: prev}
	var probes []*shmstat.Metric
	slotLoad := map[int]float64{}
	for i := range cur.Metrics {
		m := &cur.Metrics[i]
		v := &seg.Values[i]
		v.Metric = m
		switch m.Kind {
		case shmstat.KindCounter, shmstat.KindSequence:
			if pm := mt.find(i, m); pm != nil && m.Value >= pm.Value {
				v.Rate, v.HasRate = float64(m.Value-pm.Value)/secs, true
			}
		case shmstat.KindLoad:
			if pm := mt.find(i, m); pm != nil {
				v.Load, v.HasLoad = shmstat.LoadPercent(pm.Load, m.Load, prev.Mono, cur.Mono), true
				if l, ok := slotLoad[m.Slot]; !ok || v.Load > l {
					slotLoad[m.Slot] = v.Load
				}
			}
		case shmstat.KindTask:
			t := taskOf(m.Task, cur.Taken)
			v.Task = &t
		case shmstat.KindProbe:
			probes = append(probes, m)
		}
	}
	for i := range cur.Slots {
		sl := &cur.Slots[i]
		p := &seg.Slots[i]
		p.Slot = sl
		if sl.Flags != 0 { // FlagNames scans every value: only when a flag is set
			p.Flags = cur.FlagNames(sl.Flags)
		}
		p.Load, p.HasLoad = slotLoad[sl.Index]
		if sl.Proc.PID != 0 {
			p.State = sl.Proc.StateName()
			if ps := prevSlot(prev, sl); ps != nil && ps.Proc.PID != 0 {
				p.CPU, p.HasCPU = shmstat.CPUPercent(ps.Proc, sl.Proc, seg.Window), true
			}
		}
		if opts.Probes != nil && !opts.Probes(*sl) {
			continue
		}
		for _, m := range probes {
			if m.Index < 0 || m.Index >= len(sl.Probes) {
				continue
			}
			p.Probes = append(p.Probes, Probe{Name: m.Name, Index: m.Index, Raw: sl.Probes[m.Index],
				Location: cur.ProbeLocation(opts.Resolver, *sl, m.Index)})
		}
	}
	return seg
}

// NeedsWindow reports whether a view of s would show more with a second,
// later snapshot: s has a load meter (a counter's rate alone is no reason
// for a one-shot reader to wait).
func NeedsWindow(s *shmstat.Snapshot) bool {
	for i := range s.Metrics {
		if s.Metrics[i].Kind == shmstat.KindLoad {
			return true
		}
	}
	return false
}

// prevSlot is sl's slot in prev when the same process still holds it.
func prevSlot(prev *shmstat.Snapshot, sl *shmstat.Slot) *shmstat.Slot {
	if prev == nil {
		return nil
	}
	for i := range prev.Slots {
		if ps := &prev.Slots[i]; ps.Index == sl.Index {
			if ps.Claim == sl.Claim {
				return ps
			}
			return nil
		}
	}
	return nil
}
