package collector

import (
	"log/slog"
	"regexp"
	"testing"
	"time"
)

func TestFilterMatch(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)
	info := Record{Type: "log", Time: t0, Level: "INFO", Host: "db1", Program: "queued", Msg: "checkpoint done"}
	errRec := Record{Type: "log", Time: t0.Add(time.Minute), Level: "ERROR", Host: "db2", Program: "queued", Msg: "checkpoint failed"}
	gap := Record{Type: "gap", Time: t0.Add(2 * time.Minute), Host: "db1", Program: "queued", First: 3, Last: 4}
	stats := Record{Type: "stats", Time: t0, Host: "db1", Program: "queued"}
	hello := Record{Type: "hello", Time: t0, Host: "db1", Program: "queued"}
	recs := []Record{info, errRec, gap, stats, hello}
	for _, tc := range []struct {
		name string
		f    Filter
		want string // one letter per record passing: i, e, g, s, h
	}{
		{"zero hides stats and hello", Filter{}, "ieg"},
		{"all", Filter{All: true}, "iegsh"},
		{"host", Filter{Host: "db1", All: true}, "igsh"},
		{"program", Filter{Program: "other"}, ""},
		{"since", Filter{Since: t0.Add(time.Minute)}, "eg"},
		{"until is exclusive", Filter{Until: t0.Add(time.Minute)}, "i"},
		{"level keeps gaps", Filter{HasLevel: true, MinLevel: slog.LevelWarn, All: true}, "eg"},
		{"level debug", Filter{HasLevel: true, MinLevel: slog.LevelDebug}, "ieg"},
		{"grep keeps gaps", Filter{Grep: regexp.MustCompile("fail"), All: true}, "eg"},
		{"grep and host", Filter{Grep: regexp.MustCompile("checkpoint"), Host: "db2"}, "e"},
	} {
		got := ""
		for i := range recs {
			if tc.f.Match(&recs[i]) {
				got += string("iegsh"[i])
			}
		}
		if got != tc.want {
			t.Errorf("%s: %q pass, want %q", tc.name, got, tc.want)
		}
	}
}
