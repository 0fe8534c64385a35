package mlog

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/fuzzcorpus"
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
	// The stats and the batches are of the sample's sender, as a batch
	// only carries its own sender's datagrams.
	sender := sampleMessage().Sender
	stats, _ := Encode(&Message{Kind: KindStats, Sender: sender, Seq: 43, Time: time.Unix(1, 0), Stats: &Stats{
		Segment: "s", Parts: 1, Counters: []CounterStat{{"c", "u", 1}}, Gauges: []GaugeStat{{"g", "", -1}},
		Loads: []LoadStat{{"l", 50}}, Tasks: []TaskStat{{Name: "t", Result: "ok"}}, Probes: []ProbeStat{{1, "p", "x"}},
	}}, nil, 0, 0)
	batch := appendBatchHeader(nil, sender, 42)
	batch = addToBatch(batch, plain)
	batch = addToBatch(batch, stats)
	signedBatch := sign(append([]byte(nil), batch...), key, 1)
	return [][]byte{plain, signed, stats, plain[:headerLen], []byte(wireMagic), batch, signedBatch}
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the committed FuzzDecode seed corpus")

// TestFuzzSeeds keeps testdata/fuzz/FuzzDecode: with -update-seeds it
// writes the seeds there. Always it checks each committed seed is the one
// fuzzSeeds makes today, and decodes to what it stands for.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	seeds := fuzzSeeds()
	if *updateSeeds {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, s := range seeds {
			if err := fuzzcorpus.Write(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), s); err != nil {
				t.Fatal(err)
			}
		}
	}
	key := map[uint32][]byte{1: []byte("0123456789abcdef")}
	wrongKey := map[uint32][]byte{1: []byte("fedcba9876543210")}
	want := sampleMessage()
	// What each seed (by index in fuzzSeeds) must decode to.
	checks := []func(b []byte) error{
		func(b []byte) error { return decodesTo(b, nil, KindLog, want.Msg) }, // plain
		func(b []byte) error { return decodesTo(b, key, KindLog, want.Msg) }, // signed
		func(b []byte) error { return decodesTo(b, nil, KindStats, "") },     // stats
		func(b []byte) error { return decodeFails(b, nil, ErrMalformed) },    // header only
		func(b []byte) error { return decodeFails(b, nil, ErrShort) },        // magic only
		func(b []byte) error { return batchOf(b, nil, KindLog, KindStats) },  // batch
		func(b []byte) error { return batchOf(b, key, KindLog, KindStats) },  // signed batch
	}
	if len(checks) != len(seeds) {
		t.Fatalf("%d seeds, %d checks", len(seeds), len(checks))
	}
	for i, s := range seeds {
		name := filepath.Join(dir, fmt.Sprintf("seed-%d", i))
		b, err := fuzzcorpus.Read(name)
		if err != nil {
			t.Errorf("%v (run with -update-seeds)", err)
			continue
		}
		if !bytes.Equal(b, s) {
			t.Errorf("%s is not the seed fuzzSeeds makes (run with -update-seeds)", name)
		}
		if err := checks[i](b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A signed batch under another key is refused.
	if _, err := DecodeAll(seeds[6], wrongKey); err == nil {
		t.Error("signed batch accepted under a wrong key")
	}
}

func decodesTo(b []byte, keys map[uint32][]byte, kind Kind, msg string) error {
	m, err := Decode(b, keys)
	if err != nil {
		return err
	}
	if m.Kind != kind || m.Msg != msg || (kind == KindStats) != (m.Stats != nil) {
		return fmt.Errorf("decoded %v %q (stats %v), want %v %q", m.Kind, m.Msg, m.Stats != nil, kind, msg)
	}
	return nil
}

func decodeFails(b []byte, keys map[uint32][]byte, want error) error {
	if _, err := Decode(b, keys); !errors.Is(err, want) {
		return fmt.Errorf("Decode: %v, want %v", err, want)
	}
	return nil
}

func batchOf(b []byte, keys map[uint32][]byte, kinds ...Kind) error {
	ms, err := DecodeAll(b, keys)
	if err != nil {
		return err
	}
	if len(ms) != len(kinds) {
		return fmt.Errorf("batch of %d messages, want %d", len(ms), len(kinds))
	}
	for i, m := range ms {
		if m.Kind != kinds[i] {
			return fmt.Errorf("message %d is %v, want %v", i, m.Kind, kinds[i])
		}
	}
	return nil
}
