package shmstat

import (
	"runtime"
	"time"
)

// liveness tells a decoder whether the owner and each slot's process live.
type liveness interface {
	ownerAlive(l *layout) bool
	slotAlive(i int, pid int, start uint64) bool
}

// pidLiveness decides by pid and start time alone (no lock file at hand).
type pidLiveness struct{}

func (pidLiveness) ownerAlive(l *layout) bool { return processAlive(l.ownerPID, l.ownerStart) }
func (pidLiveness) slotAlive(_ int, pid int, start uint64) bool {
	return processAlive(pid, start)
}

// Decode reads a snapshot out of the bytes of a segment file (for example
// a copy taken for later study). Liveness is judged by pid and start time.
// Any content yields a snapshot or an error wrapping ErrCorrupt, never a
// panic.
func Decode(b []byte) (*Snapshot, error) {
	m := mem(b)
	if len(b) > 0 && uintptrOf(b)%8 != 0 {
		// Atomic loads need aligned words: work on an aligned copy.
		c := make([]uint64, (len(b)+7)/8)
		m = mem(bytesOfWords(c)[:len(b)])
		copy(m, b)
	}
	s, err := decode(m, "", pidLiveness{})
	if s != nil {
		s.UID = -1
	}
	return s, err
}

// decode builds a snapshot of m. Every offset taken from m is checked.
func decode(m mem, path string, live liveness) (*Snapshot, error) {
	l, err := parseHeader(m)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	s := &Snapshot{
		Version:    l.version,
		Name:       l.name,
		Path:       path,
		Generation: l.generation,
		Owner:      Process{PID: l.ownerPID, StartTime: l.ownerStart},
		Created:    l.created,
		Taken:      now,
		Mono:       nanotime(),
	}
	s.OwnerAlive = live.ownerAlive(l)
	s.FailedRegistrations = m.load64(hOffRegFailed)
	n := l.descCount(m)
	s.Metrics = make([]Metric, 0, n)
	for i := uint64(0); i < n; i++ {
		d := l.descAt(i)
		mt, err := decodeMetric(m, l, d)
		if err != nil {
			return nil, err
		}
		if mt.Kind == KindSite {
			for len(s.Sites) <= mt.Index {
				s.Sites = append(s.Sites, "")
			}
			s.Sites[mt.Index] = mt.Name
		}
		s.Metrics = append(s.Metrics, mt)
	}
	for i := uint64(0); i < l.slotCount; i++ {
		sl, ok := decodeSlot(m, l, i)
		if !ok {
			continue
		}
		sl.Alive = live.slotAlive(int(i), sl.PID, sl.StartTime)
		s.Slots = append(s.Slots, sl)
	}
	return s, nil
}

func decodeMetric(m mem, l *layout, d uint64) (Metric, error) {
	mt := Metric{
		Kind: Kind(uint16(m.load32(d+dOffKind) & 0xffff)),
		Name: m.getString(d+dOffName, nameLen),
		Unit: m.getString(d+dOffUnit, unitLen),
		Help: m.getString(d+dOffHelp, helpLen),
	}
	val := m.load64(d + dOffValue)
	aux := m.load64(d + dOffAux)
	if size := mt.Kind.valueSize(); size > 0 && !l.validValue(val, size) {
		return mt, corrupt("%s %q: value record at %d outside the values region", mt.Kind, mt.Name, val)
	}
	if tag := uint64(m.load32(d + dOffSlot)); tag != 0 {
		if tag > l.slotCount {
			return mt, corrupt("%s %q: slot %d out of range", mt.Kind, mt.Name, tag-1)
		}
		mt.PerProcess, mt.Slot = true, int(tag-1)
	} else if mt.Kind == KindLoad {
		// Written before per-process tags: aux names the slot.
		mt.PerProcess, mt.Slot = true, int(min(aux, l.slotCount))
	}
	switch mt.Kind {
	case KindCounter, KindSequence:
		mt.Value = m.load64(val)
	case KindGauge:
		mt.Int = m.loadI64(val)
	case KindLoad:
		mt.Load = readLoad(m, val)
	case KindTask:
		mt.Task = readTask(m, val)
		mt.Task.Every = time.Duration(aux)
	case KindInfo:
		mt.Text = readText(m, val)
	case KindFlag:
		if aux >= maxFlags {
			return mt, corrupt("flag %q: bit %d out of range", mt.Name, aux)
		}
		mt.Bit = int(aux)
	case KindProbe:
		if aux >= l.probes {
			return mt, corrupt("probe %q: index %d out of range", mt.Name, aux)
		}
		mt.Index = int(aux)
	case KindSite:
		if aux >= l.descCap {
			return mt, corrupt("site %q: index %d out of range", mt.Name, aux)
		}
		mt.Index = int(aux)
	default:
		// An unknown kind from a newer writer: shown by name, value skipped.
	}
	return mt, nil
}

// seqRead runs read until it sees the same even sequence number before and
// after. A writer killed inside an update leaves an odd number for good:
// after a bounded number of tries the last read is returned as it is.
func seqRead(m mem, seqOff uint64, read func()) {
	for try := 0; try < 200; try++ {
		s1 := m.load64(seqOff)
		if s1&1 == 0 {
			read()
			if m.load64(seqOff) == s1 {
				return
			}
		}
		if try > 10 {
			runtime.Gosched()
		}
	}
	read()
}

func readLoad(m mem, off uint64) (v LoadValue) {
	seqRead(m, off+lOffSeq, func() {
		v.BusyNanos = m.load64(off + lOffBusyNanos)
		v.BusySince = m.loadI64(off + lOffBusySince)
	})
	return v
}

func unixTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

func readTask(m mem, off uint64) (v TaskValue) {
	seqRead(m, off+taskOffSeq, func() {
		v.Running = m.load64(off+taskOffRunning) != 0
		v.LastStart = unixTime(m.loadI64(off + taskOffStart))
		v.LastEnd = unixTime(m.loadI64(off + taskOffEnd))
		v.LastSuccess = unixTime(m.loadI64(off + taskOffSuccess))
		v.Result = TaskResult(m.load64(off + taskOffResult))
		v.Runs = m.load64(off + taskOffRuns)
		v.Failures = m.load64(off + taskOffFails)
		n := min(m.load64(off+taskOffMsgLen), taskMsgCap)
		v.Message = string(m.loadBytes(off+taskOffMsg, int(n)))
	})
	return v
}

func readText(m mem, off uint64) (s string) {
	seqRead(m, off+tOffSeq, func() {
		n := min(m.load64(off+tOffLen), textCap)
		s = string(m.loadBytes(off+tOffText, int(n)))
	})
	return s
}

// decodeSlot reads slot i; ok is false for a free slot.
func decodeSlot(m mem, l *layout, i uint64) (Slot, bool) {
	off := l.slotAt(i)
	st := SlotState(m.load32(off + sOffState))
	if st == SlotFree {
		return Slot{}, false
	}
	sl := Slot{
		Index:     int(i),
		State:     st,
		PID:       int(m.load32(off + sOffPID)),
		StartTime: m.load64(off + sOffStart),
		Claim:     m.load64(off + sOffClaim),
		Role:      m.getString(off+sOffRole, roleLen),
		Heartbeat: unixTime(m.loadI64(off + sOffHeartbeat)),
		Flags:     m.load64(off + sOffFlags),
		Probes:    make([]uint64, l.probes),
	}
	for p := range sl.Probes {
		sl.Probes[p] = m.load64(off + sOffProbes + uint64(p)*8)
	}
	return sl, true
}
