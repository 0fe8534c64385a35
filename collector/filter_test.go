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
	epoch := Record{Type: "epoch", Time: t0, Host: "db1", Program: "queued", First: 9, Seq: 1 << 40}
	unknown := Record{Type: "unknown", Time: t0, Host: "db2", Program: "queued", First: 1, Last: 6}
	recs := []Record{info, errRec, gap, stats, hello, epoch, unknown}
	for _, tc := range []struct {
		name string
		f    Filter
		want string // one letter per record passing: i, e, g, s, h, p (epoch), u (unknown)
	}{
		{"zero hides stats and hello", Filter{}, "iegpu"},
		{"all", Filter{All: true}, "iegshpu"},
		{"host", Filter{Host: "db1", All: true}, "igshp"},
		{"program", Filter{Program: "other"}, ""},
		{"since", Filter{Since: t0.Add(time.Minute)}, "eg"},
		{"until is exclusive", Filter{Until: t0.Add(time.Minute)}, "ipu"},
		{"level keeps accounting", Filter{HasLevel: true, MinLevel: slog.LevelWarn, All: true}, "egpu"},
		{"level debug", Filter{HasLevel: true, MinLevel: slog.LevelDebug}, "iegpu"},
		{"grep keeps accounting", Filter{Grep: regexp.MustCompile("fail"), All: true}, "egpu"},
		{"grep and host", Filter{Grep: regexp.MustCompile("checkpoint"), Host: "db2"}, "eu"},
	} {
		got := ""
		for i := range recs {
			if tc.f.Match(&recs[i]) {
				got += string("iegshpu"[i])
			}
		}
		if got != tc.want {
			t.Errorf("%s: %q pass, want %q", tc.name, got, tc.want)
		}
	}
}
