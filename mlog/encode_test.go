package mlog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// The handler's fast path (a prebuilt identity prefix, patched) writes
// the same bytes as appendMessage for the same record.
func TestAppendRecordMatchesAppendMessage(t *testing.T) {
	const sender, pid, limit = 0xfeedface, 4242, DefaultMaxSize - trailerLen
	head := appendIdentity(nil, sender, pid, "db1", "queued")
	attrs := []slog.Attr{slog.String("table", "orders"), slog.Int("depth", -3), slog.Time("since", time.Time{})}
	tests := []struct {
		name  string
		time  time.Time
		level slog.Level
		msg   string
		attrs []slog.Attr
	}{
		{"plain", time.Unix(1700000000, 5), slog.LevelInfo, "queue high", attrs},
		{"zero time", time.Time{}, slog.LevelWarn, "no time", nil},
		{"level out of a byte's range", time.Unix(1, 0), 1000, "loud", attrs},
		{"negative level", time.Unix(1, 0), -200, "quiet", nil},
		{"text cut to fit", time.Unix(2, 0), slog.LevelError, strings.Repeat("é", 2000), attrs},
		{"attributes cut to fit", time.Unix(3, 0), slog.LevelInfo, "many", []slog.Attr{slog.String("a", strings.Repeat("x", 700)), slog.String("b", strings.Repeat("y", 700))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Message{Kind: KindLog, Sender: sender, PID: pid, Host: "db1", Program: "queued", Time: tt.time, Level: tt.level, Msg: tt.msg}
			want := appendMessage([]byte("prefix"), &m, tt.attrs, nil, "", limit)
			got := appendRecord([]byte("prefix"), head, tt.time, tt.level, tt.msg, tt.attrs, nil, "", limit)
			if !bytes.Equal(got, want) {
				t.Fatalf("appendRecord:\n%x\nappendMessage:\n%x", got, want)
			}
			if _, err := Decode(got[len("prefix"):], nil); err != nil {
				t.Fatalf("decode: %v", err)
			}
		})
	}
}
