package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
)

// sizes are the terminal sizes every golden screen is checked at.
var sizes = [][2]int{{80, 24}, {140, 45}}

// TestGoldenScreens checks each fix of issue 16 on the simulation screen
// at 80x24 and 140x45 against testdata/<name>-<w>x<h>.txt (-update
// rewrites them), plus what the golden text must show at any size.
func TestGoldenScreens(t *testing.T) {
	warming := sampleSnapshot()
	warming.Warming = true
	warming.Segments[0].Sampling = true
	warming.Segments[0].Probes[0].Hist = nil
	for i := range warming.Segments[0].Metrics {
		if warming.Segments[0].Metrics[i].Kind == "counter" {
			warming.Segments[0].Metrics[i].Rate = "-"
		}
	}
	many := sampleSnapshot()
	for i := 17; i < 60; i++ {
		many.Segments[0].Metrics = append(many.Segments[0].Metrics, MetricView{Name: fmt.Sprintf("extra_%02d", i), Kind: "gauge", Value: fmt.Sprint(i), Total: fmt.Sprint(i),
			Num: float64(i), HasNum: true, Order: i, Help: "one more"})
	}
	noSegments := &Snapshot{Taken: time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC), Dir: "/run/user/1000/porthole"}
	crowd := sampleSnapshot()
	for i := 0; i < 40; i++ {
		crowd.Cluster.Servers = append(crowd.Cluster.Servers, ServerView{Host: fmt.Sprintf("web%02d", i), Program: "nginx", PID: 1000 + i, State: "up", LastSeen: "1s ago"})
	}
	noCollector := sampleSnapshot()
	noCollector.Cluster = ClusterView{Source: "http://127.0.0.1:9477", Err: `Get "http://127.0.0.1:9477/scoreboard.json": dial tcp 127.0.0.1:9477: connect: connection refused`}
	tests := []struct {
		name string
		snap *Snapshot
		keys []any
		want []string // on the screen, at every size
		not  []string // not on the screen
	}{
		// The values open at the top, with the header row and where they are.
		{name: "local", want: []string{"NAME", "requests", "queued values 1-", "/17", "?Help", "tab Cluster", "Quit"}, not: []string{"RUNN…"}},
		// Scrolling: PgDn pages, End shows the last (updates_received), Home the first.
		{name: "end-17", keys: []any{tcell.KeyEnd}, want: []string{"updates_received", "-17/17"}},
		{name: "pgdn", snap: many, keys: []any{tcell.KeyPgDn}, want: []string{"↑↓"}, not: []string{"requests served"}},
		{name: "end", snap: many, keys: []any{tcell.KeyEnd}, want: []string{"extra_59", "-60/60 ↑"}},
		{name: "home", snap: many, keys: []any{tcell.KeyEnd, tcell.KeyHome}, want: []string{"requests", "queued values 1-", "↓"}},
		{name: "arrows", snap: many, keys: []any{tcell.KeyRight, tcell.KeyDown, tcell.KeyDown, tcell.KeyUp}, want: []string{"values 2-"}},
		// The rate column says RATE/S and shows rates; after r, TOTAL and no rates.
		{name: "rates", want: []string{"VALUE", "TOTAL", "56/s", "1.5 KiB/s", "1,234"}, not: []string{"RATE/S"}},
		{name: "totals", keys: []any{"r"}, want: []string{"RATE/S", "totals", "56/s", "1,234"}, not: []string{"TOTAL"}},
		// Sorting, shown in the header.
		{name: "sort-name", keys: []any{"s"}, want: []string{"sort: name ↑", "bytes_written"}},
		{name: "sort-rate-reversed", keys: []any{"sss", "S"}, want: []string{"sort: rate ↓", "updates_received"}},
		// The filter stays visible while active, and while typed.
		{name: "filter", keys: []any{"/", "bytes", tcell.KeyEnter}, want: []string{"filter: bytes", "bytes_written", "filtered"}, not: []string{"queue_length"}},
		{name: "filter-typing", keys: []any{"/", "QUE"}, want: []string{"filter: QUE", "queue_length"}}, // case does not matter
		// z asks first; any other key cancels.
		{name: "pause-confirm", keys: []any{tcell.KeyDown, "z"}, want: []string{"pause pid 100 (owner) with SIGSTOP? z or y"}},
		{name: "pause-cancelled", keys: []any{tcell.KeyDown, "z", "n"}, want: []string{"pid 100 not paused"}, not: []string{"PAUSED"}},
		// The first frame is complete, its rates marked.
		{name: "warming", snap: warming, want: []string{"warming up", "warming", "requests", "checkpoint", "queue_length", "sampling…"}},
		// Key bar and full help from one table.
		{name: "help", keys: []any{"?"}, want: []string{"reverse the sort order", "resume (SIGCONT) every process", "?Help"}},
		// The cluster view: columns keep their minimum, the problem is cut.
		{name: "cluster", keys: []any{tcell.KeyTab}, want: []string{"HOST", "GONE", "12,345", "replicati", "…", "?Help", "tab Local", "following"}},
		{name: "cluster-sorted", keys: []any{tcell.KeyTab, "ss"}, want: []string{"sort: state ↑"}},
		{name: "cluster-crowded", snap: crowd, keys: []any{tcell.KeyTab}, want: []string{"/43 ↓", "db1"}},
		{name: "no-segments", snap: noSegments, want: []string{"no segments in", "/run/user/100", "PORTHOLE_DIR"}},
		{name: "no-collector", snap: noCollector, keys: []any{tcell.KeyTab}, want: []string{"no collector answered at http://127.0.0.1:9477", "connection refused", "porthole collect"}},
	}
	for _, tt := range tests {
		for _, sz := range sizes {
			t.Run(fmt.Sprintf("%s-%dx%d", tt.name, sz[0], sz[1]), func(t *testing.T) {
				snap := tt.snap
				if snap == nil {
					snap = sampleSnapshot()
				}
				s := startUI(t, sz[0], sz[1], snap)
				s.press(tt.keys...)
				text := s.text()
				golden(t, fmt.Sprintf("%s-%dx%d.txt", tt.name, sz[0], sz[1]), text)
				for _, w := range tt.want {
					if !strings.Contains(text, w) {
						t.Errorf("screen lacks %q", w)
					}
				}
				for _, w := range tt.not {
					if strings.Contains(text, w) {
						t.Errorf("screen shows %q", w)
					}
				}
			})
		}
	}
}

// TestRateColumnLabel: in rates mode the column headed TOTAL holds the
// total; after r the one headed RATE/S holds the rate (the labels were
// swapped).
func TestRateColumnLabel(t *testing.T) {
	s := startUI(t, 140, 45, sampleSnapshot())
	column := func(head, value string) {
		t.Helper()
		lines := strings.Split(s.text(), "\n")
		for i, l := range lines {
			if h := strings.Index(l, head); h >= 0 {
				for _, next := range lines[i+1:] {
					if v := strings.Index(next, value); v >= 0 {
						hc, vc := len([]rune(l[:h])), len([]rune(next[:v]))
						// Right-aligned under a header that starts at hc.
						if vc+len([]rune(value)) < hc || vc > hc+len([]rune(head)) {
							t.Errorf("%q at column %d, not under %q at %d:\n%s", value, vc, head, hc, strings.Join(lines, "\n"))
						}
						return
					}
				}
			}
		}
		t.Errorf("no %q under %q", value, head)
	}
	column("TOTAL", "1,234")
	column("VALUE", "56/s")
	s.press("r")
	column("RATE/S", "56/s")
	column("VALUE", "1,234")
}

// TestStyles: overdue tasks and dead processes are red, gone servers too.
func TestStyles(t *testing.T) {
	s := startUI(t, 80, 24, sampleSnapshot())
	for _, text := range []string{"checkpoint", "200"} {
		st, ok := s.style(text)
		if fg, _, _ := st.Decompose(); !ok || fg != tcell.ColorRed {
			t.Errorf("%s not in red (found %v, fg %v)", text, ok, fg)
		}
	}
	s.press(tcell.KeyTab)
	st, ok := s.style("db2")
	if fg, _, _ := st.Decompose(); !ok || fg != tcell.ColorRed {
		t.Errorf("gone server not in red")
	}
}

// TestFreeze: a frozen display ignores new snapshots.
func TestFreeze(t *testing.T) {
	s := startUI(t, 80, 24, sampleSnapshot())
	s.press("p")
	changed := sampleSnapshot()
	changed.Segments[0].Metrics[1].Value = "99999"
	s.update(changed)
	if text := s.text(); strings.Contains(text, "99999") || !strings.Contains(text, "FROZEN") {
		t.Fatalf("frozen display changed:\n%s", text)
	}
}

// TestResizeKeepsLayout: 80x24 -> 200x60 -> 80x24 gives the same screen
// as at first, and the big one shows every value.
func TestResizeKeepsLayout(t *testing.T) {
	s := startUI(t, 80, 24, sampleSnapshot())
	small := s.text()
	golden(t, "resize-80x24.txt", small)
	s.resize(200, 60)
	big := s.text()
	golden(t, "resize-200x60.txt", big)
	for _, want := range []string{"updates_received", "values 1-17/17", "checkpoint", "75.0%", "?Help"} {
		if !strings.Contains(big, want) {
			t.Errorf("200x60 lacks %q", want)
		}
	}
	s.resize(80, 24)
	if back := s.text(); back != small {
		t.Errorf("back at 80x24 the screen differs:\n%s\nfirst:\n%s", back, small)
	}
}

// TestLogFlood: 500 lines in a second show the newest, the rate and how
// many were not shown; l stops the tail from moving.
func TestLogFlood(t *testing.T) {
	at := time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)
	flood := func(n int, seen uint64, taken time.Time) *Snapshot {
		snap := sampleSnapshot()
		snap.Taken = taken
		snap.Cluster.Logs = nil
		for i := 0; i < n; i++ {
			snap.Cluster.Logs = append(snap.Cluster.Logs, LogLine{Time: at, Level: "DEBUG", Host: "db1", Program: "queued", Text: fmt.Sprintf("merge record %d", i)})
		}
		snap.Cluster.LogsSeen = seen
		return snap
	}
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			s := startUI(t, sz[0], sz[1], flood(88, 88, at))
			s.update(flood(500, 500, at.Add(time.Second)))
			s.press(tcell.KeyTab)
			text := s.text()
			golden(t, fmt.Sprintf("log-flood-%dx%d.txt", sz[0], sz[1]), text)
			shown := strings.Count(text, "merge record")
			want := fmt.Sprintf("412 lines/s, %d not shown", 412-shown)
			if !strings.Contains(text, want) || !strings.Contains(text, "merge record 499") || strings.Contains(text, "merge record 0\n") {
				t.Errorf("want the newest lines and %q:\n%s", want, text)
			}
			s.press("l")
			s.update(flood(500, 900, at.Add(2*time.Second)))
			if text := s.text(); !strings.Contains(text, "merge record 499") || !strings.Contains(text, "paused") || !strings.Contains(text, "400 lines/s") {
				t.Errorf("paused tail:\n%s", text)
			}
		})
	}
}

// TestHelpListsEveryKey: the overlay comes from the key table, and so
// does the key bar.
func TestHelpListsEveryKey(t *testing.T) {
	s := startUI(t, 140, 45, sampleSnapshot())
	bar := s.text()
	if !strings.Contains(bar, "tab Cluster") {
		t.Error("key bar does not name the cluster view")
	}
	s.press("?")
	text := s.text()
	for _, k := range keys {
		if !strings.Contains(text, k.help[:min(len(k.help), 40)]) {
			t.Errorf("help lacks %q", k.help)
		}
		if k.bar != "" && k.name != "tab" && !strings.Contains(bar, k.bar) {
			t.Errorf("key bar lacks %q", k.bar)
		}
	}
	s.press("?")
	if strings.Contains(s.text(), keys[0].help) {
		t.Error("help still shown after a second ?")
	}
}

// TestPauseConfirmAndResumeAll pauses a real process through its
// segment: z asks, y stops it (the kernel says so), it stays PAUSED across
// refreshes, Z continues it.
func TestPauseConfirmAndResumeAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seg")
	owner := startChild(t, dir, "owner")
	pid := owner.Pid
	m := NewModel(Config{Dir: dir})
	defer m.Close()
	ctx := context.Background()
	// wait blocks until the child stops (or continues): the kernel's
	// event, no polling.
	wait := func(flag int, stopped bool) {
		t.Helper()
		var ws syscall.WaitStatus
		if _, err := syscall.Wait4(pid, &ws, flag, nil); err != nil {
			t.Fatal(err)
		}
		if ws.Stopped() != stopped || (!stopped && !ws.Continued()) {
			t.Fatalf("wait status %#x, want stopped=%v", ws, stopped)
		}
	}
	s := startUIModel(t, 80, 24, m, m.Build(ctx))
	s.press(tcell.KeyDown, "z")
	if text := s.text(); !strings.Contains(text, fmt.Sprintf("pause pid %d (owner) with SIGSTOP? z or y", pid)) || strings.Contains(text, "PAUSED") {
		t.Fatalf("z did not ask first:\n%s", text)
	}
	s.press("y")
	wait(syscall.WUNTRACED, true)
	s.update(m.Build(ctx))
	text := s.text()
	if !strings.Contains(text, fmt.Sprintf(" %-7d owner", pid)) || !strings.Contains(text, "PAUSED") || !strings.Contains(text, "1 PAUSED") {
		t.Fatalf("paused process not shown as paused:\n%s", text)
	}
	s.press("Z")
	wait(syscall.WCONTINUED, false)
	if text := s.text(); strings.Contains(text, "PAUSED") || !strings.Contains(text, fmt.Sprintf("resumed pid %d", pid)) {
		t.Fatalf("Z did not resume:\n%s", text)
	}
}

// TestPauseRefusesUnverified: a slot whose process cannot be checked
// against a segment read from disk (here: a snapshot the model never
// read) is not signalled.
func TestPauseRefusesUnverified(t *testing.T) {
	s := startUI(t, 80, 24, sampleSnapshot())
	s.press(tcell.KeyDown, "z", "y")
	if text := s.text(); !strings.Contains(text, "pause") || !strings.Contains(text, "not read yet") || strings.Contains(text, "PAUSED") {
		t.Fatalf("pause of an unverified pid:\n%s", text)
	}
}

// TestStoppedByOthersShowsStop: a process stopped by someone else (kill
// -STOP, porthole whatif) reads STOP in the process list, not alive, and
// a running one shows the kernel's word and its CPU column.
func TestStoppedByOthersShowsStop(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seg")
	owner := startChild(t, dir, "owner")
	pid := owner.Pid
	m := NewModel(Config{Dir: dir})
	defer m.Close()
	ctx := context.Background()
	m.Build(ctx) // a first reading, so the next has a CPU window
	s := startUIModel(t, 140, 45, m, m.Build(ctx))
	row := func(text string) string {
		for _, l := range strings.Split(text, "\n") {
			if strings.Contains(l, fmt.Sprintf(" %-7d owner", pid)) {
				return l
			}
		}
		t.Fatalf("no row of pid %d:\n%s", pid, text)
		return ""
	}
	if r := row(s.text()); !strings.Contains(r, "sleep") && !strings.Contains(r, "run") {
		t.Fatalf("running owner's row: %q", r)
	}
	syscall.Kill(pid, syscall.SIGSTOP)
	defer syscall.Kill(pid, syscall.SIGCONT)
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, syscall.WUNTRACED, nil); err != nil || !ws.Stopped() {
		t.Fatalf("child not stopped: %v %#x", err, ws)
	}
	s.update(m.Build(ctx))
	if r := row(s.text()); !strings.Contains(r, "STOP") || strings.Contains(r, "PAUSED") {
		t.Fatalf("stopped owner's row: %q", r)
	}
}

// TestWhatIfKey runs the pause experiment from the dashboard on real
// processes: w on a segment pauses its client in turn, shows the table
// in a pane, and leaves nothing stopped.
func TestWhatIfKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seg")
	startChild(t, dir, "ticker")
	client := startChild(t, dir, "tickclient")
	m := NewModel(Config{Dir: dir, WhatIfPause: 200 * time.Millisecond})
	defer m.Close()
	ctx := context.Background()
	m.Build(ctx)
	s := startUIModel(t, 140, 45, m, m.Build(ctx))
	s.press("w")
	var text string
	for deadline := time.Now().Add(time.Minute); !strings.Contains(text, "what-if (esc closes)"); text = s.text() {
		if time.Now().After(deadline) { // the experiment's windows, then the UI's redraw
			t.Fatalf("no result within a minute:\n%s", text)
		}
		runtime.Gosched()
	}
	if !strings.Contains(text, fmt.Sprint(client.Pid)) || !strings.Contains(text, "ticks") {
		t.Fatalf("result pane lacks the paused client %d:\n%s", client.Pid, text)
	}
	if st := procState(t, client.Pid); st == "T" {
		t.Fatalf("client left stopped (state %s)", st)
	}
	s.press(tcell.KeyEscape)
	if text := s.text(); strings.Contains(text, "what-if (esc closes)") {
		t.Fatalf("esc did not close the result:\n%s", text)
	}
}
