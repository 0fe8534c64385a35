package mlog

import (
	"context"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/porthole-dev/porthole/internal/netns"
)

// attrMap returns a received message's attributes by key, as text.
func attrMap(m Received) map[string]string {
	out := map[string]string{}
	for _, a := range m.Attrs {
		out[a.Key] = a.Value.String()
	}
	return out
}

func TestLevelVarChangesLevelAtRunTime(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	r := listen(t, Config{Group: testGroup})
	var lv slog.LevelVar
	lv.Set(slog.LevelWarn)
	b := newBus(t, Config{Group: testGroup, Program: "lv", Level: &lv})
	log := slog.New(b.Handler())
	ctx := context.Background()
	if log.Enabled(ctx, slog.LevelInfo) {
		t.Error("info enabled at level warn")
	}
	log.Info("not sent")
	log.Warn("first")
	lv.Set(slog.LevelInfo)
	if !log.Enabled(ctx, slog.LevelInfo) {
		t.Error("info not enabled after LevelVar.Set(Info)")
	}
	log.Info("second")
	got := readN(t, r, 2) // in sender order: "not sent" would come first
	if got[0].Msg != "first" || got[1].Msg != "second" {
		t.Errorf("received %q, %q; want first, second", got[0].Msg, got[1].Msg)
	}
}

func TestLevelNilIsInfo(t *testing.T) {
	cfg, err := Config{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Level.Level() != slog.LevelInfo {
		t.Errorf("default level %v, want INFO", cfg.Level)
	}
}

func TestHandlerReplaceAttrAndAddSource(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	r := listen(t, Config{Group: testGroup})
	type call struct {
		groups string
		key    string
	}
	var calls []call
	rep := func(groups []string, a slog.Attr) slog.Attr {
		calls = append(calls, call{strings.Join(groups, "."), a.Key})
		switch a.Key {
		case "password":
			return slog.String(a.Key, "***")
		case "drop":
			return slog.Attr{}
		case slog.LevelKey:
			if a.Value.Any().(slog.Level) == slog.LevelWarn {
				return slog.Any(a.Key, slog.LevelError) // promote warnings
			}
		case slog.MessageKey:
			return slog.String(a.Key, "["+a.Value.String()+"]")
		}
		return a
	}
	b := newBus(t, Config{Group: testGroup, Program: "rep", ReplaceAttr: rep, AddSource: true})
	log := slog.New(b.Handler()).With("password", "hunter2", "keep", 1)
	_, file, line, _ := runtime.Caller(0)
	log.WithGroup("req").Warn("login", "password", "x", "drop", "y", slog.Group("inner", "password", "z", "n", 2))
	m := readN(t, r, 1)[0]
	want := map[string]string{
		"password": "***", "keep": "1", "req.password": "***", "req.inner.password": "***", "req.inner.n": "2",
		"source": file + ":" + strconv.Itoa(line+1),
	}
	got := attrMap(m)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("attribute %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if _, ok := got["req.drop"]; ok {
		t.Errorf("dropped attribute sent: %v", got)
	}
	if m.Level != slog.LevelError || m.Msg != "[login]" {
		t.Errorf("level %v msg %q, want ERROR and [login]", m.Level, m.Msg)
	}
	seen := map[call]bool{}
	for _, c := range calls {
		seen[c] = true
	}
	for _, c := range []call{{"", "password"}, {"req", "password"}, {"req.inner", "password"}, {"", slog.SourceKey}, {"", slog.TimeKey}} {
		if !seen[c] {
			t.Errorf("ReplaceAttr never saw groups %q key %q: %v", c.groups, c.key, calls)
		}
	}
}
