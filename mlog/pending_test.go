package mlog

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// newQueueBus returns a Bus with a queue and no socket or writer: the
// test (or benchmark) drains the queue itself with drainQueue.
func newQueueBus(tb testing.TB, cfg Config) *Bus {
	tb.Helper()
	cfg, err := cfg.withDefaults()
	if err != nil {
		tb.Fatal(err)
	}
	b := &Bus{cfg: cfg, queue: newQueue(cfg.QueueLen), wake: make(chan struct{}, 1), sender: 1, pid: 42}
	b.head = appendIdentity(nil, b.sender, b.pid, cfg.Host, cfg.Program)
	b.setLevel(cfg.Level)
	return b
}

// drainQueue takes every published datagram off b's queue, as the writer
// does (encoding pending records), and returns copies of them.
func drainQueue(b *Bus) [][]byte {
	var out [][]byte
	bufs := make([][]byte, 0, batchMax)
	for n := b.take(&bufs); n > 0; n = b.take(&bufs) {
		for _, d := range bufs {
			out = append(out, bytes.Clone(d))
		}
		b.release(n)
	}
	return out
}

// TestPlainKinds: the kinds a record may wait in the queue with are
// exactly slog's immutable ones; a slog release that renumbered its kinds
// would fail here, not send a mutable value late.
func TestPlainKinds(t *testing.T) {
	plain := map[slog.Kind]bool{slog.KindBool: true, slog.KindDuration: true, slog.KindFloat64: true,
		slog.KindInt64: true, slog.KindString: true, slog.KindTime: true, slog.KindUint64: true}
	for k := slog.KindAny; k <= slog.KindLogValuer; k++ {
		if got := plainKind(k); got != plain[k] {
			t.Errorf("plainKind(%v) = %v, want %v", k, got, plain[k])
		}
	}
}

type mutable struct{ N int }

type valuer struct{ calls *int }

func (v valuer) LogValue() slog.Value { *v.calls++; return slog.IntValue(*v.calls) }

// TestQueuedRecordsEncodeAsTheCallerWould: whether a record waits in the
// queue for the writer to encode it (plain attributes) or the caller
// encodes it (anything else), the datagram is the one the caller would
// have encoded at the time of the call, byte for byte.
func TestQueuedRecordsEncodeAsTheCallerWould(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 123456789, time.UTC)
	long := strings.Repeat("x", 2000)
	tests := []struct {
		name     string
		handler  func(h slog.Handler) slog.Handler
		attrs    []slog.Attr
		deferred bool // waits in the queue unencoded
	}{
		{"plain", nil, []slog.Attr{slog.String("table", "orders"), slog.Int("record", 5), slog.Duration("wait", time.Millisecond)}, true},
		{"every plain kind", nil, []slog.Attr{slog.Bool("b", true), slog.Float64("f", 1.5), slog.Uint64("u", 7), slog.Time("t", now), slog.Int64("i", -3)}, true},
		{"no attributes", nil, nil, true},
		{"empty attribute (KindAny: the caller encodes)", nil, []slog.Attr{{}, slog.Int("n", 1)}, false},
		{"times of every representation", nil, []slog.Attr{slog.Time("zero", time.Time{}), slog.Time("far", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)),
			slog.Time("zone", now.In(time.FixedZone("x", 3600)))}, true},
		{"a kind as a value", nil, []slog.Attr{slog.Any("k", slog.KindInt64)}, false},
		{"cut to the size limit", nil, []slog.Attr{slog.String("big", long), slog.Int("n", 1)}, true},
		{"with attrs and group", func(h slog.Handler) slog.Handler {
			return h.WithAttrs([]slog.Attr{slog.String("conn", "c1")}).WithGroup("req")
		}, []slog.Attr{slog.Int("id", 9)}, true},
		{"six attributes", nil, []slog.Attr{slog.Int("a", 1), slog.Int("b", 2), slog.Int("c", 3), slog.Int("d", 4), slog.Int("e", 5), slog.Int("f", 6)}, false},
		{"any value", nil, []slog.Attr{slog.Any("err", errors.New("disk full"))}, false},
		{"group value", nil, []slog.Attr{slog.Group("g", slog.Int("n", 1))}, false},
		{"handler with any", func(h slog.Handler) slog.Handler {
			return h.WithAttrs([]slog.Attr{slog.Any("peer", &mutable{N: 1})})
		}, []slog.Attr{slog.Int("n", 1)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkQueuedRecord(t, now, tc.handler, tc.attrs, tc.deferred) })
		// Where slog's layout is unknown (recordlayout.go), the caller
		// encodes every record, with the same bytes.
		t.Run(tc.name+" (layout unknown)", func(t *testing.T) {
			withUnknownLayout(func() { checkQueuedRecord(t, now, tc.handler, tc.attrs, false) })
		})
	}
}

// checkQueuedRecord logs a record of attrs through the handler made by
// handler (nil: the bus's own) and checks that the datagram is the
// caller's encoding, and whether it waited in the queue unencoded.
func checkQueuedRecord(t *testing.T, now time.Time, wrap func(slog.Handler) slog.Handler, attrs []slog.Attr, deferred bool) {
	t.Helper()
	b := newQueueBus(t, Config{Host: "db1", Program: "queued"})
	h := b.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	r := slog.NewRecord(now, slog.LevelWarn, "update merged into queued record", 0)
	r.AddAttrs(attrs...)
	hh := h.(*handler)
	want := appendRecord(nil, b.head, r.Time, r.Level, r.Message, hh.attrs, &r, hh.prefix, b.cfg.MaxSize-trailerLen)
	if err := h.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	s := b.queue.peek(0)
	if s == nil {
		t.Fatal("nothing published")
	}
	if got := s.n == pendingMark; got != deferred {
		t.Errorf("record waits unencoded: %v, want %v", got, deferred)
	}
	got := drainQueue(b)
	if len(got) != 1 || !bytes.Equal(got[0], want) {
		t.Fatalf("datagram differs from the caller's encoding:\n got %x\nwant %x", got, want)
	}
	if p := b.queue.recs[s.bi]; p != nil && (p.msg != "" || p.h != nil || p.n != 0) {
		t.Errorf("the writer kept the record's references after encoding it: %+v", p)
	}
}

// TestMutableValuesAreReadAtTheCall: a value the caller can change after
// logging (a pointer in slog.Any) and a LogValuer are read while the
// caller waits, not when the writer gets to the record.
func TestMutableValuesAreReadAtTheCall(t *testing.T) {
	b := newQueueBus(t, Config{})
	log := slog.New(b.Handler())
	m := &mutable{N: 1}
	calls := 0
	log.Info("state", "m", m, "v", valuer{&calls})
	if calls != 1 {
		t.Errorf("LogValue called %d times before Info returned, want 1", calls)
	}
	m.N = 2
	got := drainQueue(b)
	if len(got) != 1 {
		t.Fatalf("%d datagrams, want 1", len(got))
	}
	msg, err := Decode(append(got[0], make([]byte, trailerLen)...), nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	var sawM, sawV bool
	for _, a := range msg.Attrs {
		switch a.Key {
		case "m":
			sawM = true
			if !strings.Contains(a.Value.String(), "1") || strings.Contains(a.Value.String(), "2") {
				t.Errorf("m = %q, want the value at the call ({N:1})", a.Value.String())
			}
		case "v":
			sawV = a.Value.String() == "1"
		}
	}
	if !sawM || !sawV || calls != 1 {
		t.Errorf("attrs %v, LogValue calls %d: want m={1} and v=1 from one call", msg.Attrs, calls)
	}
}
