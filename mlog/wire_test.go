package mlog

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func sampleMessage() *Message {
	return &Message{
		Kind: KindLog, Sender: 0xfeedface, Seq: 42, Time: time.Unix(1700000000, 123456789),
		Level: slog.LevelWarn, Host: "db1", Program: "queued", PID: 4242, Msg: "queue high",
		Attrs: []slog.Attr{
			slog.String("table", "orders"),
			slog.Int64("depth", -17),
			slog.Uint64("bytes", 1<<40),
			slog.Float64("ratio", 0.25),
			slog.Bool("merged", true),
			slog.Duration("wait", 1500*time.Millisecond),
			slog.Time("since", time.Unix(1600000000, 5)),
		},
	}
}

func TestEncodeDecodeEveryAttrType(t *testing.T) {
	in := sampleMessage()
	b, err := Encode(in, nil, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.Kind != in.Kind || out.Sender != in.Sender || out.Seq != in.Seq || !out.Time.Equal(in.Time) ||
		out.Level != in.Level || out.Host != in.Host || out.Program != in.Program || out.PID != in.PID || out.Msg != in.Msg ||
		out.Truncated || out.Signed {
		t.Fatalf("header fields differ:\n in  %+v\n out %+v", in, out)
	}
	if len(out.Attrs) != len(in.Attrs) {
		t.Fatalf("%d attrs, want %d", len(out.Attrs), len(in.Attrs))
	}
	for i := range in.Attrs {
		if !out.Attrs[i].Equal(in.Attrs[i]) || out.Attrs[i].Value.Kind() != in.Attrs[i].Value.Kind() {
			t.Errorf("attr %d: got %v (%v), want %v (%v)", i, out.Attrs[i], out.Attrs[i].Value.Kind(), in.Attrs[i], in.Attrs[i].Value.Kind())
		}
	}
}

func TestStatsRoundTrip(t *testing.T) {
	now := time.Unix(1700000000, 0)
	in := &Message{Kind: KindStats, Sender: 1, Seq: 2, Time: now, Host: "h", Program: "p", Stats: &Stats{
		Segment: "queued", Part: 0, Parts: 1,
		Counters: []CounterStat{{"requests", "req", 99}},
		Gauges:   []GaugeStat{{"queue", "", -3}},
		Loads:    []LoadStat{{"worker", 42.5}},
		Tasks: []TaskStat{{Name: "checkpoint", Every: time.Minute, Running: true, Overdue: true, LastStart: now,
			LastSuccess: now.Add(-time.Hour), Result: "failed", Runs: 10, Failures: 2, Message: "disk full"}},
		Probes: []ProbeStat{{PID: 7, Probe: "worker", Location: "main.drain queue.go:88"}},
	}}
	b, err := Encode(in, nil, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Decode(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := out.Stats
	if s == nil || s.Segment != "queued" || s.Parts != 1 || len(s.Counters) != 1 || s.Counters[0] != in.Stats.Counters[0] ||
		s.Gauges[0] != in.Stats.Gauges[0] || s.Loads[0] != in.Stats.Loads[0] || s.Probes[0] != in.Stats.Probes[0] {
		t.Fatalf("stats differ: %+v", s)
	}
	tk := s.Tasks[0]
	if tk.Name != "checkpoint" || !tk.Running || !tk.Overdue || !tk.LastStart.Equal(now) || !tk.LastEnd.IsZero() ||
		tk.Result != "failed" || tk.Runs != 10 || tk.Failures != 2 || tk.Message != "disk full" || tk.Every != time.Minute {
		t.Fatalf("task differs: %+v", tk)
	}
}

func TestTruncation(t *testing.T) {
	m := sampleMessage()
	m.Msg = strings.Repeat("é", 2000) // 4000 bytes of two-byte runes
	for _, limit := range []int{MinMaxSize, 600, DefaultMaxSize} {
		b, err := Encode(m, []byte("0123456789abcdef"), 3, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > limit {
			t.Fatalf("limit %d: datagram of %d bytes", limit, len(b))
		}
		out, err := Decode(b, map[uint32][]byte{3: []byte("0123456789abcdef")})
		if err != nil {
			t.Fatalf("limit %d: %v", limit, err)
		}
		if !out.Truncated || !strings.HasPrefix(m.Msg, out.Msg) || len(out.Msg) == 0 || !utf8Valid(out.Msg) {
			t.Fatalf("limit %d: truncated=%v msg of %d bytes", limit, out.Truncated, len(out.Msg))
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestDecodeRejects(t *testing.T) {
	key := []byte("0123456789abcdef")
	good, _ := Encode(sampleMessage(), nil, 0, 0)
	signed, _ := Encode(sampleMessage(), key, 1, 0)
	forged, _ := Encode(sampleMessage(), []byte("fedcba9876543210"), 1, 0)
	otherID, _ := Encode(sampleMessage(), key, 9, 0)
	flipped := append([]byte(nil), signed...)
	flipped[headerLen+2] ^= 1
	badVersion := append([]byte(nil), good...)
	badVersion[offVersion] = 99
	keys := map[uint32][]byte{1: key}
	tests := []struct {
		name   string
		b      []byte
		keys   map[uint32][]byte
		reason string
	}{
		{"empty", nil, nil, "short"},
		{"short", good[:10], nil, "short"},
		{"magic", append([]byte("XXXX"), good[4:]...), nil, "bad_magic"},
		{"version", badVersion, nil, "bad_version"},
		{"cut body", good[:headerLen+3], nil, "malformed"},
		{"unsigned with key", good, keys, "unsigned"},
		{"forged", forged, keys, "bad_mac"},
		{"tampered", flipped, keys, "bad_mac"},
		{"unknown key id", otherID, keys, "unknown_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.b, tt.keys)
			if got := Reason(err); got != tt.reason {
				t.Fatalf("Reason = %q (%v), want %q", got, err, tt.reason)
			}
		})
	}
	if _, err := Decode(signed, keys); err != nil {
		t.Fatalf("good signed datagram: %v", err)
	}
	if Reason(errors.New("x")) != "other" {
		t.Error("unknown error not 'other'")
	}
}

// TestHostileFields: what one datagram carries cannot reach a consumer
// as invalid UTF-8, a NaN load or an unknown kind parsed as a log.
func TestHostileFields(t *testing.T) {
	t.Run("invalid UTF-8 replaced", func(t *testing.T) {
		m := sampleMessage()
		m.Host, m.Msg = "db\xff1", "bad \xc3\x28 text"
		m.Attrs = []slog.Attr{slog.String("k\xfe", "v\xff")}
		b, _ := Encode(m, nil, 0, 0)
		out, err := Decode(b, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{out.Host, out.Msg, out.Attrs[0].Key, out.Attrs[0].Value.String()} {
			if !utf8.ValidString(s) || !strings.Contains(s, "\uFFFD") {
				t.Errorf("%q not repaired", s)
			}
		}
	})
	for _, pct := range []float64{math.NaN(), math.Inf(1), -1, 101} {
		t.Run(fmt.Sprintf("load %v rejected", pct), func(t *testing.T) {
			m := &Message{Kind: KindStats, Sender: 1, Seq: 1, Stats: &Stats{Parts: 1, Loads: []LoadStat{{Name: "worker", Percent: pct}}}}
			b, _ := Encode(m, nil, 0, 0)
			if _, err := Decode(b, nil); Reason(err) != "bad_value" {
				t.Fatalf("err %v, want bad_value", err)
			}
		})
	}
	t.Run("unknown kind skipped", func(t *testing.T) {
		b, _ := Encode(sampleMessage(), nil, 0, 0)
		b[offKind] = 9
		if _, err := DecodeAll(b, nil); Reason(err) != "unknown_kind" {
			t.Fatalf("err %v, want unknown_kind", err)
		}
	})
	t.Run("one-off flag", func(t *testing.T) {
		m := sampleMessage()
		m.OneOff = true
		b, _ := Encode(m, nil, 0, 0)
		if out, _ := Decode(b, nil); !out.OneOff {
			t.Fatal("one-off flag lost")
		}
	})
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("0123456789abcdef-key\n"), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		return p
	}
	if k, err := LoadKeyFile(write("ok", 0o600)); err != nil || string(k) != "0123456789abcdef-key" {
		t.Fatalf("0600 key file: %q, %v", k, err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o660} {
		if _, err := LoadKeyFile(write(fmt.Sprintf("m%o", mode), mode)); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %04o: err %v, want a refusal", mode, err)
		}
	}
	if KeyIDOf([]byte("a")) == KeyIDOf([]byte("b")) || KeyIDOf([]byte("a")) != KeyIDOf([]byte("a")) {
		t.Error("KeyIDOf not a function of the key")
	}
	c, _ := Config{Key: []byte("0123456789abcdef-key")}.withDefaults()
	if c.KeyID != KeyIDOf(c.Key) {
		t.Errorf("default key id %d, want %d", c.KeyID, KeyIDOf(c.Key))
	}
}
