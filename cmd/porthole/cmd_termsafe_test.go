package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/shmstat"
)

// evil writes the clipboard (OSC 52), then clears the screen.
const evil = "\x1b]52;c;cm0gLXJmIH4=\a\x1b[H\x1b[2J"

// evilShown is how evil must appear on a terminal.
const evilShown = `\x1b]52;c;cm0gLXJmIH4=\a\x1b[H\x1b[2J`

// checkEscaped fails t unless out shows evil escaped and holds no
// control character but newlines and tabs.
func checkEscaped(t *testing.T, what, out string) {
	t.Helper()
	if !strings.Contains(out, evilShown) {
		t.Errorf("%s does not show the name escaped (%s):\n%s", what, evilShown, out)
	}
	if i := strings.IndexFunc(out, func(r rune) bool { return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f }); i >= 0 {
		t.Errorf("%s holds control character %q at %d:\n%q", what, out[i], i, out)
	}
}

// newEvilSegment makes a segment whose every writer-chosen text is evil.
func newEvilSegment(t *testing.T) (*shmstat.Segment, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "seg")
	seg, err := shmstat.Create("svc", &shmstat.Options{Dir: dir, Role: "role" + evil})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seg.Close() })
	seg.Counter("requests"+evil, "help"+evil, shmstat.Unit("u\x1b[2J")).Add(3) // units are short: at most 15 bytes
	seg.Info("version", "v"+evil)
	tk := seg.Task("task"+evil, time.Hour)
	tk.Start()
	tk.Done(nil)
	seg.Flag("flag" + evil)
	seg.Probe("probe" + evil).Mark("site" + evil)
	return seg, dir
}

func TestStatEscapesNames(t *testing.T) {
	_, dir := newEvilSegment(t)
	out, errs, code := runCmd(t, "stat", "svc", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	checkEscaped(t, "stat", out)
	for _, want := range []string{"requests" + evilShown, "help" + evilShown, `u\x1b[2J`, "v" + evilShown, "task" + evilShown, "role" + evilShown} {
		if !strings.Contains(out, want) {
			t.Errorf("stat lacks %q:\n%s", want, out)
		}
	}
	// JSON stays exact: the texts come back byte for byte.
	out, errs, code = runCmd(t, "stat", "svc", "--dir", dir, "--json")
	if code != 0 {
		t.Fatalf("--json: exit %d: %s", code, errs)
	}
	var doc struct {
		Metrics []struct{ Name, Kind, Help string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range doc.Metrics {
		if m.Kind == "counter" {
			found = m.Name == "requests"+evil && m.Help == "help"+evil
		}
	}
	if !found {
		t.Errorf("stat --json changed the counter's name or help: %+v", doc.Metrics)
	}
}

func TestDebugEscapesNames(t *testing.T) {
	_, dir := newEvilSegment(t)
	out, errs, code := runCmd(t, "debug", "svc", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	checkEscaped(t, "debug", out)
	if !strings.Contains(out, "flag"+evilShown) || !strings.Contains(out, "role"+evilShown) {
		t.Errorf("debug lacks the flag or role:\n%s", out)
	}
}

func TestProfileEscapesNames(t *testing.T) {
	_, dir := newEvilSegment(t)
	out, errs, code := runCmd(t, "profile", "svc", "--dir", dir, "--duration", "300ms", "--hz", "97")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	checkEscaped(t, "profile", out)
	if !strings.Contains(out, "probe"+evilShown) || !strings.Contains(out, "site"+evilShown) {
		t.Errorf("profile lacks the probe or its site:\n%s", out)
	}
	// stderr is no terminal: no progress line, no carriage return, no escape code.
	if strings.ContainsAny(errs, "\r\x1b") {
		t.Errorf("profile wrote terminal codes to a non-terminal: %q", errs)
	}
}

func TestQueryEscapesRecords(t *testing.T) {
	dir := t.TempDir()
	rec := map[string]any{
		"type": "log", "sender": "00000000000000ab", "seq": 1, "time": "2026-11-23T04:00:00Z",
		"level": "INFO", "host": "h" + evil, "program": "p", "pid": 7, "msg": "m" + evil,
		"attrs": map[string]any{"k": "a" + evil},
	}
	line, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "spool-20261123T040000.000000000.jsonl"), append(line, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCmd(t, "query", "--spool", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	checkEscaped(t, "query", out)
	for _, want := range []string{"h" + evilShown, "m" + evilShown, "k=a" + evilShown} {
		if !strings.Contains(out, want) {
			t.Errorf("query lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = runCmd(t, "query", "--spool", dir, "--json")
	var back map[string]any
	if err := json.Unmarshal([]byte(out), &back); err != nil || back["msg"] != "m"+evil {
		t.Errorf("query --json changed the message: %v %q", err, out)
	}
}

func TestScoreboardEscapesNames(t *testing.T) {
	sb := map[string]any{
		"version": 1, "time": "2026-11-23T04:00:00Z",
		"collector": map[string]any{"host": "c" + evil, "pid": 1, "rejected": map[string]uint64{"bad" + evil: 1}, "last_write_error": "e" + evil},
		"servers": []map[string]any{{
			"host": "h" + evil, "program": "p\nFAKE ROW", "pid": 2, "state": "up", "last_seen": "2026-11-23T04:00:00Z",
			"tasks":        []map[string]any{{"name": "t" + evil, "result": "ok"}},
			"last_problem": "x" + evil,
		}},
	}
	b, err := json.Marshal(sb)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "scoreboard.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCmd(t, "scoreboard", "--file", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	checkEscaped(t, "scoreboard", out)
	for _, want := range []string{"c" + evilShown, "bad" + evilShown, "h" + evilShown, "t" + evilShown, "x" + evilShown, `p\nFAKE ROW`} {
		if !strings.Contains(out, want) {
			t.Errorf("scoreboard lacks %q:\n%s", want, out)
		}
	}
}

func TestTailEscapesMessages(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	var out, errs syncBuffer
	done := make(chan int)
	go func() { done <- run([]string{"tail", "--count", "1"}, &out, &errs) }()
	deadline := time.After(10 * time.Second)
	for {
		var lo, le bytes.Buffer
		if code := run([]string{"log", "--attr", "k=a" + evil, "--program", "qd", "m" + evil}, &lo, &le); code != 0 {
			t.Fatalf("log: exit %d: %s", code, le.String())
		}
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("tail: exit %d: %s", code, errs.String())
			}
			checkEscaped(t, "tail", out.String())
			if !strings.Contains(out.String(), "m"+evilShown) || !strings.Contains(out.String(), "k=a"+evilShown) {
				t.Errorf("tail lacks the message or attribute:\n%s", out.String())
			}
			return
		case <-deadline:
			t.Fatalf("tail printed nothing: %s %s", out.String(), errs.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
