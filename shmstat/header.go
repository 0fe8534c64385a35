package shmstat

import (
	"errors"
	"fmt"
	"time"
)

// ErrCorrupt is wrapped by every error about segment content that does not
// follow the format.
var ErrCorrupt = errors.New("corrupt segment")

// ErrNotReady is returned for a segment whose creator has not finished
// writing its header (or died before it did).
var ErrNotReady = errors.New("segment not ready")

// layout is a validated header: every region lies inside the mapping.
type layout struct {
	version    int
	generation uint64
	ownerPID   int
	ownerStart uint64
	created    time.Time
	total      uint64
	descOff    uint64
	descCap    uint64
	valuesOff  uint64
	valuesSize uint64
	slotsOff   uint64
	slotCount  uint64
	probes     uint64
	name       string
	failed     uint64 // registrations failed, when the header was read
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("shmstat: %w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// within reports whether [off, off+n) lies inside [0, total) without
// overflowing.
func within(off, n, total uint64) bool {
	return off <= total && n <= total-off
}

// parseHeader validates the header of m and returns its layout. It checks
// every region against len(m), so later accesses through the layout stay
// in bounds whatever the bytes are.
func parseHeader(m mem) (*layout, error) { return parseHeaderSized(m, uint64(len(m))) }

// parseHeaderSized validates the header at the start of m for a file of
// size bytes (m may hold just the header): every count and size within
// the format's limits, every region inside the claimed total and the
// total inside the file. Nothing is allocated from a claim before this.
func parseHeaderSized(m mem, size uint64) (*layout, error) {
	if len(m) < headerSize {
		return nil, corrupt("%d bytes, shorter than the %d-byte header", len(m), headerSize)
	}
	if string(m[hOffMagic:hOffMagic+8]) != magic {
		return nil, corrupt("bad magic %q", m[hOffMagic:hOffMagic+8])
	}
	if v := m.load32(hOffVersion); v != formatVersion {
		return nil, corrupt("format version %d, this reader knows %d", v, formatVersion)
	}
	if m.load32(hOffReady) != 1 {
		return nil, fmt.Errorf("shmstat: %w", ErrNotReady)
	}
	if hs := m.load32(hOffHeaderSize); hs != headerSize {
		return nil, corrupt("header size %d, want %d", hs, headerSize)
	}
	l := &layout{
		version:    formatVersion,
		generation: m.load64(hOffGeneration),
		ownerPID:   int(m.load32(hOffOwnerPID)),
		ownerStart: m.load64(hOffOwnerStart),
		created:    time.Unix(0, m.loadI64(hOffCreated)),
		total:      m.load64(hOffTotalSize),
		descOff:    m.load64(hOffDescOff),
		descCap:    uint64(m.load32(hOffDescCap)),
		valuesOff:  m.load64(hOffValuesOff),
		valuesSize: m.load64(hOffValuesSize),
		slotsOff:   m.load64(hOffSlotsOff),
		slotCount:  uint64(m.load32(hOffSlotCount)),
		probes:     uint64(m.load32(hOffProbes)),
		name:       m.getString(hOffName, segNameLen),
		failed:     m.load64(hOffRegFailed),
	}
	if l.total > maxTotal {
		return nil, corrupt("header claims %d bytes, more than the %d a segment may have", l.total, maxTotal)
	}
	if l.total > size {
		return nil, corrupt("header says %d bytes, file has %d", l.total, size)
	}
	for _, c := range []struct {
		what     string
		n, limit uint64
	}{
		{"descriptors", l.descCap, maxDescs},
		{"value bytes", l.valuesSize, maxValueBytes},
		{"slots", l.slotCount, maxSlots},
	} {
		if c.n > c.limit {
			return nil, corrupt("header claims %d %s, at most %d allowed", c.n, c.what, c.limit)
		}
	}
	if ds := m.load32(hOffDescSize); ds != descSize {
		return nil, corrupt("descriptor size %d, want %d", ds, descSize)
	}
	if ss := m.load32(hOffSlotSize); ss != slotSize {
		return nil, corrupt("slot size %d, want %d", ss, slotSize)
	}
	if l.probes > maxProbes {
		return nil, corrupt("%d probes per slot, at most %d", l.probes, maxProbes)
	}
	for _, r := range []struct {
		what   string
		off, n uint64
	}{
		{"descriptors", l.descOff, l.descCap * descSize},
		{"values", l.valuesOff, l.valuesSize},
		{"slots", l.slotsOff, l.slotCount * slotSize},
	} {
		if r.off < headerSize || r.off%cacheLine != 0 || !within(r.off, r.n, l.total) {
			return nil, corrupt("%s region [%d, +%d) outside the %d-byte segment or misaligned", r.what, r.off, r.n, l.total)
		}
	}
	return l, nil
}

// descCount returns the published number of descriptors, capped.
func (l *layout) descCount(m mem) uint64 {
	n := uint64(m.load32(hOffDescCount))
	if n > l.descCap {
		n = l.descCap
	}
	return n
}

func (l *layout) descAt(i uint64) uint64 { return l.descOff + i*descSize }
func (l *layout) slotAt(i uint64) uint64 { return l.slotsOff + i*slotSize }

// validValue reports whether a value record of size n at off lies in the
// values region and is 8-aligned.
func (l *layout) validValue(off uint64, n int) bool {
	return off%8 == 0 && off >= l.valuesOff && within(off, uint64(n), l.valuesOff+l.valuesSize)
}
