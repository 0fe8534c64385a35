package shmstat

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/fuzzcorpus"
)

// FuzzDecode feeds arbitrary segments to the reader: it must return a
// snapshot or an error, never panic or read out of bounds. The input is a
// compact segment (compactSegment): the first 256 bytes of the header,
// then the body that starts at offset 4096, so a whole segment with a
// few descriptors and a slot is about 1.5 KB and the fuzzer's mutations
// and minimisation stay cheap. Seeds (testdata/fuzz/FuzzDecode) are real
// segments of every kind, compacted, cut and damaged.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 4<<10 {
			return // expandSegment uses at most about 1 KB
		}
		b := expandSegment(in)
		s, err := decode(mem(b), "", noLiveness{})
		if err != nil {
			return
		}
		if s == nil {
			t.Fatal("nil snapshot without an error")
		}
		l, _ := parseHeader(mem(b))
		if uint64(len(s.Metrics)) > l.descCap || uint64(len(s.Slots)) > l.slotCount {
			t.Fatalf("%d metrics, %d slots from a header allowing %d and %d", len(s.Metrics), len(s.Slots), l.descCap, l.slotCount)
		}
		for _, m := range s.Metrics {
			if m.PerProcess && uint64(m.Slot) >= l.slotCount {
				t.Fatalf("metric %q in slot %d of %d", m.Name, m.Slot, l.slotCount)
			}
		}
	})
}

// noLiveness calls everyone dead without asking the system: the fuzzer
// tests decoding, and /proc reads would make each run 30 times slower.
type noLiveness struct{}

func (noLiveness) ownerAlive(*layout) bool         { return false }
func (noLiveness) slotAlive(int, int, uint64) bool { return false }

// A compact segment is what FuzzDecode takes: the header's fields, then
// the parts of the descriptors, values and slots that the decoder reads
// besides text padding, each placed where the (fuzzed) header says. Its
// size stays under 1 KB, so mutation and minimisation stay cheap, while
// every offset and count the decoder checks comes from the input.
const (
	compactHeader = 208 // every header field lies below
	compactDescs  = 8   // descriptors kept ...
	compactDesc   = 40  // ... of 40 bytes each: kind to aux, 16 bytes of name
	compactValues = 256 // value bytes kept
	compactSlots  = 2   // slots kept ...
	compactSlot   = 48  // ... each its first 48 bytes (state to role) ...
	compactProbes = 32  // ... and 32 bytes of probe words
	maxExpanded   = 64 << 10
)

// expandSegment turns a compact segment into the bytes of a segment file.
func expandSegment(in []byte) []byte {
	hdr := mem(bytesOfWords(make([]uint64, headerSize/8)))
	copy(hdr, in[:min(len(in), compactHeader)])
	rest := in[min(len(in), compactHeader):]
	take := func(n uint64) []byte {
		n = min(n, uint64(len(rest)))
		p := rest[:n]
		rest = rest[n:]
		return p
	}
	size := hdr.load64(hOffTotalSize)
	if size < headerSize || size > maxExpanded {
		// The decoder refuses this header: keep the rest as a body.
		b := bytesOfWords(make([]uint64, (headerSize+len(rest)+7)/8))[:headerSize+len(rest)]
		copy(b, hdr)
		copy(b[headerSize:], rest)
		return b
	}
	b := bytesOfWords(make([]uint64, (size+7)/8))[:size]
	copy(b, hdr)
	put := func(off uint64, p []byte) {
		if off < size {
			copy(b[off:], p)
		}
	}
	descOff, descCap := hdr.load64(hOffDescOff), uint64(hdr.load32(hOffDescCap))
	for i := uint64(0); i < min(descCap, compactDescs); i++ {
		put(descOff+i*descSize, take(compactDesc))
	}
	put(hdr.load64(hOffValuesOff), take(min(hdr.load64(hOffValuesSize), compactValues)))
	slotsOff, slots := hdr.load64(hOffSlotsOff), uint64(hdr.load32(hOffSlotCount))
	for i := uint64(0); i < min(slots, compactSlots); i++ {
		put(slotsOff+i*slotSize, take(compactSlot))
		put(slotsOff+i*slotSize+sOffProbes, take(compactProbes))
	}
	return b
}

// compactSegment turns a real segment file into a compact one (the
// inverse of expandSegment for segments it can hold).
func compactSegment(tb testing.TB, b []byte) []byte {
	l, err := parseHeader(mem(b))
	if err != nil {
		tb.Fatal(err)
	}
	out := append([]byte(nil), b[:compactHeader]...)
	for i := uint64(0); i < min(l.descCap, compactDescs); i++ {
		out = append(out, b[l.descAt(i):l.descAt(i)+compactDesc]...)
	}
	out = append(out, b[l.valuesOff:l.valuesOff+min(l.valuesSize, compactValues)]...)
	for i := uint64(0); i < min(l.slotCount, compactSlots); i++ {
		o := l.slotAt(i)
		out = append(out, b[o:o+compactSlot]...)
		out = append(out, b[o+sOffProbes:o+sOffProbes+compactProbes]...)
	}
	return out
}

// seedSegments returns compact segments of every kind, a few per segment
// to keep each small.
func seedSegments(tb testing.TB) map[string][]byte {
	groups := map[string]func(s *Segment){
		"ok-counters": func(s *Segment) {
			s.Counter("c", "a counter", Unit("x")).Add(3)
			s.Gauge("g", "", PerProcess()).Set(-1)
			s.Sequence("s").Next()
		},
		"ok-records": func(s *Segment) {
			s.Load("l").Busy()
			tk := s.Task("t", time.Second)
			tk.Start()
			tk.DoneNote("fine")
		},
		"ok-text": func(s *Segment) {
			s.Info("i", "text")
			s.Flag("f").Set(true)
		},
		"ok-probes": func(s *Segment) {
			s.Probe("p").Mark("site")
		},
	}
	out := map[string][]byte{}
	for name, fill := range groups {
		dir := filepath.Join(tb.TempDir(), "seg")
		seg, err := Create("fuzz", &Options{Dir: dir, MaxValues: 3, ValueBytes: compactValues, Slots: 1, Keep: true, NoHeartbeat: true})
		if err != nil {
			tb.Fatal(err)
		}
		fill(seg)
		if err := seg.Err(); err != nil {
			tb.Fatal(err)
		}
		b, err := os.ReadFile(seg.Path())
		seg.Close()
		if err != nil {
			tb.Fatal(err)
		}
		out[name] = compactSegment(tb, b)
	}
	good := out["ok-records"]
	out["cut"] = good[:compactHeader+compactDesc*3/2]
	out["flipped"] = flipEvery(good, 29)
	return out
}

// sampleSegment returns the bytes of a small segment with every kind.
func sampleSegment(tb testing.TB) []byte {
	dir := filepath.Join(tb.TempDir(), "seg")
	seg, err := Create("fuzz", &Options{Dir: dir, MaxValues: 16, ValueBytes: 1024, Slots: 2, Keep: true, NoHeartbeat: true})
	if err != nil {
		tb.Fatal(err)
	}
	seg.Counter("c", "a counter", Unit("x")).Add(3)
	seg.Gauge("g", "").Set(-1)
	seg.Sequence("s").Next()
	seg.Load("l").Busy()
	tk := seg.Task("t", time.Second)
	tk.Start()
	tk.DoneNote("fine")
	seg.Info("i", "text")
	seg.Flag("f")
	seg.Probe("p").Mark("site")
	b, err := os.ReadFile(seg.Path())
	seg.Close()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestDecodeDamaged(t *testing.T) {
	good := sampleSegment(t)
	if _, err := Decode(good); err != nil {
		t.Fatalf("good segment: %v", err)
	}
	put64 := func(b []byte, off int, v uint64) []byte {
		c := append([]byte(nil), b...)
		for i := 0; i < 8; i++ {
			c[off+i] = byte(v >> (8 * i))
		}
		return c
	}
	tests := []struct {
		name string
		b    []byte
	}{
		{"truncated to header", good[:headerSize]},
		{"truncated mid-descriptors", good[:headerSize+100]},
		{"huge total size", put64(good, hOffTotalSize, 1<<62)},
		{"descriptors past end", put64(good, hOffDescOff, uint64(len(good)))},
		{"value offset wild", put64(good, headerSize+dOffValue, 1<<63)},
		{"value offset misaligned", put64(good, headerSize+dOffValue, uint64(headerSize+16*descSize+1))},
		{"bad magic", append([]byte("XXXXXXXX"), good[8:]...)},
		{"not ready", put64(good, hOffReady, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Decode(tt.b); err == nil {
				t.Fatal("damaged segment decoded without error")
			}
		})
	}
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the committed FuzzDecode seed corpus")

// TestFuzzSeeds decodes every seed of the committed corpus
// (testdata/fuzz/FuzzDecode) as FuzzDecode does: the ok-* seeds must give
// the kinds they were made with; the damaged ones must not panic. With
// -update-seeds it writes the corpus afresh.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	if *updateSeeds {
		must(t, os.RemoveAll(dir))
		must(t, os.MkdirAll(dir, 0o755))
		for name, b := range seedSegments(t) {
			must(t, fuzzcorpus.Write(filepath.Join(dir, name), b))
		}
	}
	want := map[string][]Kind{
		"ok-counters": {KindCounter, KindGauge, KindSequence},
		"ok-records":  {KindLoad, KindTask},
		"ok-text":     {KindInfo, KindFlag},
		"ok-probes":   {KindProbe, KindSite},
	}
	ents, err := os.ReadDir(dir)
	must(t, err)
	seen := 0
	for _, e := range ents {
		in, err := fuzzcorpus.Read(filepath.Join(dir, e.Name()))
		must(t, err)
		if len(in) > 1024 {
			t.Errorf("%s: %d bytes: seeds stay small so the fuzzer runs fast", e.Name(), len(in))
		}
		s, err := Decode(expandSegment(in))
		kinds, ok := want[e.Name()]
		if !ok {
			continue // damaged: decoding it without a panic is the test
		}
		seen++
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		for i, k := range kinds {
			if i >= len(s.Metrics) || s.Metrics[i].Kind != k {
				t.Errorf("%s: metrics %+v, want kinds %v", e.Name(), s.Metrics, kinds)
				break
			}
		}
		if len(s.Slots) != 1 || s.Slots[0].Role != "owner" {
			t.Errorf("%s: slots %+v, want the owner's", e.Name(), s.Slots)
		}
	}
	if seen != len(want) {
		t.Fatalf("%d of the %d ok-* seeds in %s (run with -update-seeds)", seen, len(want), dir)
	}
}

func flipEvery(b []byte, n int) []byte {
	c := append([]byte(nil), b...)
	for i := compactHeader; i < len(c); i += n {
		c[i] ^= 0xff
	}
	return c
}
