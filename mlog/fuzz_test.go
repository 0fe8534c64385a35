package mlog

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzDecode: any bytes decode to a message or an error, never a panic;
// a message that decodes re-encodes to the same kind and text.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	keys := map[uint32][]byte{1: []byte("0123456789abcdef")}
	f.Fuzz(func(t *testing.T, b []byte) {
		Decode(b, keys)
		DecodeAll(b, keys)
		if all, err := DecodeAll(b, nil); err == nil && len(all) == 0 && Kind(b[offKind]) != KindBatch {
			t.Fatal("a plain datagram decoded to no message")
		}
		m, err := Decode(b, nil)
		if err != nil {
			return
		}
		// What decodes re-encodes to the same message.
		again, err := Encode(&m, nil, 0, 1<<20)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		m2, err := Decode(again, nil)
		if err != nil {
			t.Fatalf("decode of re-encoded: %v", err)
		}
		if m2.Kind != m.Kind || m2.Seq != m.Seq || m2.Sender != m.Sender || m2.Msg != m.Msg || m2.Host != m.Host ||
			m2.Program != m.Program || len(m2.Attrs) != len(m.Attrs) || (m.Stats == nil) != (m2.Stats == nil) {
			t.Fatalf("round trip changed the message:\n%+v\n%+v", m, m2)
		}
	})
}

func fuzzSeeds() [][]byte {
	key := []byte("0123456789abcdef")
	plain, _ := Encode(sampleMessage(), nil, 0, 0)
	signed, _ := Encode(sampleMessage(), key, 1, 0)
	stats, _ := Encode(&Message{Kind: KindStats, Sender: 1, Seq: 1, Time: time.Unix(1, 0), Stats: &Stats{
		Segment: "s", Parts: 1, Counters: []CounterStat{{"c", "u", 1}}, Gauges: []GaugeStat{{"g", "", -1}},
		Loads: []LoadStat{{"l", 50}}, Tasks: []TaskStat{{Name: "t", Result: "ok"}}, Probes: []ProbeStat{{1, "p", "x"}},
	}}, nil, 0, 0)
	batch := appendBatchHeader(nil, 1, 7)
	batch = addToBatch(batch, plain)
	batch = addToBatch(batch, stats)
	signedBatch := sign(append([]byte(nil), batch...), key, 1)
	return [][]byte{plain, signed, stats, plain[:headerLen], []byte(wireMagic), batch, signedBatch}
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the committed FuzzDecode seed corpus")

// TestFuzzSeeds keeps testdata/fuzz/FuzzDecode: with -update-seeds it
// writes the seeds there; always it checks they are committed.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	if *updateSeeds {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, s := range fuzzSeeds() {
			var b bytes.Buffer
			fmt.Fprintf(&b, "go test fuzz v1\n[]byte(%q)\n", s)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) < len(fuzzSeeds()) {
		t.Fatalf("seed corpus %s: %d files, %v (run with -update-seeds)", dir, len(ents), err)
	}
}
