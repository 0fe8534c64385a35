package shmstat

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzDecode feeds arbitrary bytes to the reader: it must return a
// snapshot or an error, never panic or read out of bounds. The seed corpus
// (testdata/fuzz/FuzzDecode) holds a real segment, cut and damaged.
func FuzzDecode(f *testing.F) {
	f.Add(sampleSegment(f))
	f.Add(make([]byte, headerSize))
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Decode(b)
		if err == nil && s == nil {
			t.Fatal("nil snapshot without an error")
		}
	})
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

// TestFuzzSeeds keeps the committed corpus in testdata/fuzz/FuzzDecode:
// it checks the files exist and decode without panicking; with
// -update-seeds it writes them from a freshly made segment.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	if *updateSeeds {
		good := sampleSegment(t)
		seeds := map[string][]byte{
			"segment":         good,
			"segment-cut":     good[:headerSize+3*descSize],
			"segment-flipped": flipEvery(good, 97),
		}
		must(t, os.MkdirAll(dir, 0o755))
		for name, b := range seeds {
			must(t, os.WriteFile(filepath.Join(dir, name), []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)), 0o644))
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) < 3 {
		t.Fatalf("seed corpus in %s: %d files, %v (run with -update-seeds)", dir, len(ents), err)
	}
}

func flipEvery(b []byte, n int) []byte {
	c := append([]byte(nil), b...)
	for i := headerSize; i < len(c); i += n {
		c[i] ^= 0xff
	}
	return c
}
