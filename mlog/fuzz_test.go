package mlog

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	sender := sampleMessage().Sender
	stats, _ := Encode(&Message{Kind: KindStats, Sender: sender, Seq: 1, Time: time.Unix(1, 0), Stats: &Stats{
		Segment: "s", Parts: 1, Counters: []CounterStat{{"c", "u", 1}}, Gauges: []GaugeStat{{"g", "", -1}},
		Loads: []LoadStat{{"l", 50}}, Tasks: []TaskStat{{Name: "t", Result: "ok"}}, Probes: []ProbeStat{{1, "p", "x"}},
	}}, nil, 0, 0)
	batch := appendBatchHeader(nil, sender, 7) // one sender's datagrams, as a batch must hold
	batch = addToBatch(batch, plain)
	batch = addToBatch(batch, stats)
	signedBatch := sign(append([]byte(nil), batch...), key, 1)
	return [][]byte{plain, signed, stats, plain[:headerLen], []byte(wireMagic), batch, signedBatch}
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the committed FuzzDecode seed corpus")

// TestFuzzSeeds keeps testdata/fuzz/FuzzDecode: with -update-seeds it
// writes the seeds there. Always it reads each committed seed, checks it
// is the datagram fuzzSeeds builds today (so the corpus follows format
// changes) and decodes it: each seed must decode to the messages, or fail
// with the error, it was made for.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	seeds := fuzzSeeds()
	if *updateSeeds {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, s := range seeds {
			var b bytes.Buffer
			fmt.Fprintf(&b, "go test fuzz v1\n[]byte(%q)\n", s)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	keys := map[uint32][]byte{1: []byte("0123456789abcdef")}
	want := sampleMessage()
	tests := []struct {
		name  string
		keys  map[uint32][]byte
		kinds []Kind // kinds of the decoded messages, in order
		err   error  // or the error it must fail with
		check func(t *testing.T, ms []Message)
	}{
		{name: "plain", kinds: []Kind{KindLog}, check: func(t *testing.T, ms []Message) {
			m := ms[0]
			if m.Msg != want.Msg || m.Seq != want.Seq || m.Sender != want.Sender || !m.Time.Equal(want.Time) || len(m.Attrs) != len(want.Attrs) || m.Signed {
				t.Errorf("decoded %+v, want %+v", m, *want)
			}
		}},
		{name: "signed", keys: keys, kinds: []Kind{KindLog}, check: func(t *testing.T, ms []Message) {
			if !ms[0].Signed || ms[0].KeyID != 1 || ms[0].Msg != want.Msg {
				t.Errorf("decoded %+v, want signed with key 1", ms[0])
			}
		}},
		{name: "stats", kinds: []Kind{KindStats}, check: func(t *testing.T, ms []Message) {
			s := ms[0].Stats
			if s == nil || s.Segment != "s" || len(s.Counters) != 1 || s.Counters[0].Value != 1 || len(s.Gauges) != 1 || s.Gauges[0].Value != -1 ||
				len(s.Loads) != 1 || len(s.Tasks) != 1 || s.Tasks[0].Result != "ok" || len(s.Probes) != 1 {
				t.Errorf("stats %+v", s)
			}
		}},
		{name: "header only", err: ErrMalformed},
		{name: "magic only", err: ErrShort},
		{name: "batch", kinds: []Kind{KindLog, KindStats}, check: func(t *testing.T, ms []Message) {
			if ms[0].Msg != want.Msg || ms[1].Stats == nil || ms[0].Signed {
				t.Errorf("batch decoded to %+v", ms)
			}
		}},
		{name: "signed batch", keys: keys, kinds: []Kind{KindLog, KindStats}, check: func(t *testing.T, ms []Message) {
			if !ms[0].Signed || !ms[1].Signed || ms[1].KeyID != 1 {
				t.Errorf("signed batch decoded to %+v", ms)
			}
		}},
	}
	if len(tests) != len(seeds) {
		t.Fatalf("%d seeds, %d expectations", len(seeds), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, fmt.Sprintf("seed-%d", i))
			b, err := readSeed(file)
			if err != nil {
				t.Fatalf("%v (run with -update-seeds)", err)
			}
			if !bytes.Equal(b, seeds[i]) {
				t.Fatalf("%s is not today's seed (run with -update-seeds)", file)
			}
			ms, err := DecodeAll(b, tt.keys)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("decode: %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if len(ms) != len(tt.kinds) {
				t.Fatalf("%d messages, want %d", len(ms), len(tt.kinds))
			}
			for j, k := range tt.kinds {
				if ms[j].Kind != k {
					t.Errorf("message %d is %v, want %v", j, ms[j].Kind, k)
				}
			}
			tt.check(t, ms)
		})
	}
}

// readSeed reads a corpus file of one []byte value, as go test writes them.
func readSeed(file string) ([]byte, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	head, val, ok := strings.Cut(string(raw), "\n")
	if !ok || head != "go test fuzz v1" {
		return nil, fmt.Errorf("%s: not a fuzz corpus file", file)
	}
	val = strings.TrimSpace(val)
	if !strings.HasPrefix(val, "[]byte(") || !strings.HasSuffix(val, ")") {
		return nil, fmt.Errorf("%s: want one []byte value, have %.40q", file, val)
	}
	s, err := strconv.Unquote(val[len("[]byte(") : len(val)-1])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return []byte(s), nil
}
