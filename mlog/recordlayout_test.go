package mlog

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"testing"
	"time"
)

// TestRecordLayoutKnown: on this Go release the queued path reads
// slog.Record and slog.Value in place. When it fails, a Go release
// changed their fields: every record is then encoded by its caller
// (correct, but slower), and recordlayout.go needs a look.
func TestRecordLayoutKnown(t *testing.T) {
	if !slogRecord.known {
		t.Error("slog.Record's layout is unknown: records are no longer queued unencoded")
	}
	if !slogValue.known {
		t.Error("slog.Value's layout is unknown: every attribute goes through Value.Kind")
	}
}

// TestInlineAttrsOfAgreesWithAttrs: for records of 0 to 8 attributes,
// built at once or in steps, and clones of them, inlineAttrsOf returns
// exactly what Record.Attrs yields when there are at most inlineAttrs of
// them, and declines otherwise.
func TestInlineAttrsOfAgreesWithAttrs(t *testing.T) {
	for n := 0; n <= 8; n++ {
		for _, steps := range []bool{false, true} {
			r := slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)
			for i := 0; i < n; i++ {
				a := slog.Int(fmt.Sprint("k", i), i)
				if steps {
					r.AddAttrs(a)
				} else {
					r.Add(a.Key, a.Value) // as slog.Logger does
				}
			}
			for _, rec := range []slog.Record{r, r.Clone()} {
				var want []slog.Attr
				rec.Attrs(func(a slog.Attr) bool { want = append(want, a); return true })
				got, ok := inlineAttrsOf(&rec)
				if ok != (n <= inlineAttrs) {
					t.Fatalf("%d attributes (steps %v): ok = %v", n, steps, ok)
				}
				if ok && !slices.EqualFunc(got, want, slog.Attr.Equal) {
					t.Errorf("%d attributes (steps %v): got %v, want %v", n, steps, got, want)
				}
			}
		}
	}
}

// TestPlainValueAgreesWithKind: plainValue, which compares type words,
// says what plainKind(v.Kind()) says, for values of every kind and the
// edge cases of each representation.
func TestPlainValueAgreesWithKind(t *testing.T) {
	var n int
	values := []slog.Value{
		{},
		slog.BoolValue(false), slog.BoolValue(true),
		slog.IntValue(0), slog.Int64Value(math.MinInt64), slog.Uint64Value(math.MaxUint64),
		slog.Float64Value(math.NaN()), slog.Float64Value(-0.5),
		slog.DurationValue(0), slog.DurationValue(-time.Hour),
		slog.StringValue(""), slog.StringValue("orders"),
		slog.TimeValue(time.Time{}), slog.TimeValue(time.Unix(0, 1)),
		slog.TimeValue(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)),                  // outside UnixNano: held as a time.Time
		slog.TimeValue(time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))), // another location
		slog.AnyValue(nil), slog.AnyValue(&n), slog.AnyValue(errors.New("e")),
		slog.AnyValue(slog.KindInt64),                                    // a Kind as an any value, not a number
		slog.AnyValue(3), slog.AnyValue("s"), slog.AnyValue(time.Second), // AnyValue unwraps these
		slog.GroupValue(), slog.GroupValue(slog.Int("a", 1)),
		slog.AnyValue(valuer{new(int)}),
	}
	for _, v := range values {
		if got, want := plainValue(&v), plainKind(v.Kind()); got != want {
			t.Errorf("plainValue(%v, kind %v) = %v, want %v", v, v.Kind(), got, want)
		}
	}
}

// withUnknownLayout runs f as a Go release would where slog's layouts are
// not the ones recordlayout.go knows.
func withUnknownLayout(f func()) {
	r, v := slogRecord, slogValue
	slogRecord, slogValue = recordLayout{}, valueLayout{}
	defer func() { slogRecord, slogValue = r, v }()
	f()
}
