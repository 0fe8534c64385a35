package tui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/porthole-dev/porthole/internal/numfmt"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleSnapshot is a fixed snapshot: one segment with 17 values (more
// than fit at 80x24; one with a long help text, one a socket path), a
// dead process, an overdue failed task and a probe histogram; a small
// scoreboard and a log line.
func sampleSnapshot() *Snapshot {
	at := time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)
	metrics := []MetricView{
		{Name: "requests", Kind: "counter", Value: "1,234", Total: "1,234", Rate: "56/s", Unit: "req", Help: "requests served", Spark: "▁▃▅█", Num: 1234, RateNum: 56, HasNum: true, HasRate: true},
		{Name: "queue_length", Kind: "gauge", Value: "7", Total: "7", Unit: "updates", Help: "updates waiting", Num: 7, HasNum: true},
		{Name: "socket", Kind: "info", Value: "/run/porthole/queued/clients.sock", Total: "/run/porthole/queued/clients.sock", Help: "where clients connect"},
		{Name: "bytes_written", Kind: "counter", Value: "3.0 MiB", Total: "3.0 MiB", Rate: "1.5 KiB/s", Unit: "bytes", Help: "bytes written to the page files, including the index pages rewritten at every checkpoint", Num: 3 << 20, RateNum: 1536, HasNum: true, HasRate: true},
	}
	for i := len(metrics); i < 17; i++ {
		n := float64(i * i * 100)
		metrics = append(metrics, MetricView{Name: fmt.Sprintf("counter_%02d", i), Kind: "counter", Value: numfmt.Float(n), Total: numfmt.Float(n),
			Rate: numfmt.Rate(float64(20-i), ""), Unit: "things", Help: fmt.Sprintf("counter number %d", i), Num: n, RateNum: float64(20 - i), HasNum: true, HasRate: true})
	}
	metrics = append(metrics[:16], MetricView{Name: "updates_received", Kind: "counter", Value: "98,765", Total: "98,765", Rate: "412/s", Unit: "updates", Help: "updates from clients", Num: 98765, RateNum: 412, HasNum: true, HasRate: true})
	for i := range metrics {
		metrics[i].Order = i
	}
	return &Snapshot{
		Taken: at,
		Segments: []SegmentView{{
			Name: "queued", Alive: true, Detailed: true, Flags: []string{"merge"},
			Slots: []SlotView{
				{Slot: 0, PID: 100, Role: "owner", Alive: true, Load: "42%"},
				{Slot: 1, PID: 200, Role: "client", Alive: false, Load: "-"},
			},
			Metrics: metrics,
			Tasks:   []TaskView{{Name: "checkpoint", Result: "failed", LastSuccess: "1h0m0s ago", RunningSince: "-", Message: "disk full", Overdue: true, Failed: true}},
			Probes: []ProbeView{{PID: 100, Role: "owner", Probe: "worker", Location: "waiting",
				Hist: []Bar{{Label: "waiting", Share: 0.75}, {Label: "queued.(*server).worker queued.go:220", Share: 0.25}}}},
		}},
		Cluster: ClusterView{Source: "scoreboard.json", Collector: "collector mon1: received 10",
			Servers: []ServerView{{Host: "db1", Program: "queued", PID: 100, State: "up", LastSeen: "1s ago", Load: "worker 42%"},
				{Host: "db2", Program: "replicate", PID: 300, State: "gone", LastSeen: "40s ago", Tasks: "replication failed OVERDUE", Overdue: true,
					Problem: "replication to db3 failed: dial tcp 10.0.0.3:7000: connect: connection refused after 3 attempts"},
				{Host: "db3", Program: "muxd", PID: 400, State: "stale", LastSeen: "5s ago", Lost: 12345}},
			Logs: []LogLine{{Time: at, Level: "ERROR", Host: "db2", Program: "replicate", Text: "replication failed"}}},
	}
}

// screen is a UI running on a simulation screen. Every read of the
// screen happens on the UI goroutine (the app draws there), and every key
// waits until the app has taken it: no sleeps, no races.
type screen struct {
	t       *testing.T
	u       *UI
	sim     tcell.SimulationScreen
	handled chan struct{}
}

// startUI runs a UI on a simulation screen of w x h showing snap first,
// as Run does.
func startUI(t *testing.T, w, h int, snap *Snapshot) *screen {
	t.Helper()
	return startUIModel(t, w, h, NewModel(Config{Dir: t.TempDir()}), snap)
}

// startUIModel is startUI with the model m.
func startUIModel(t *testing.T, w, h int, m *Model, snap *Snapshot) *screen {
	t.Helper()
	sim := tcell.NewSimulationScreen("UTF-8")
	u := NewUI(m, sim) // initialises sim
	sim.SetSize(w, h)
	s := &screen{t: t, u: u, sim: sim, handled: make(chan struct{}, 64)}
	u.app.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		r := u.onKey(ev)
		s.handled <- struct{}{}
		return r
	})
	u.Update(snap)
	done := make(chan error, 1)
	go func() { done <- u.app.Run() }()
	t.Cleanup(func() {
		u.app.Stop()
		<-done
	})
	return s
}

// press sends keys (a rune, a string of runes or a tcell.Key) one at a
// time, each after the app has taken the one before.
func (s *screen) press(keys ...any) {
	s.t.Helper()
	send := func(ev *tcell.EventKey) {
		s.u.app.QueueEvent(ev)
		<-s.handled
	}
	for _, k := range keys {
		switch k := k.(type) {
		case rune:
			send(tcell.NewEventKey(tcell.KeyRune, k, 0))
		case string:
			for _, r := range k {
				send(tcell.NewEventKey(tcell.KeyRune, r, 0))
			}
		case tcell.Key:
			send(tcell.NewEventKey(k, 0, 0))
		default:
			s.t.Fatalf("press %T", k)
		}
	}
}

// update shows snap as the refresh loop would.
func (s *screen) update(snap *Snapshot) { s.u.app.QueueUpdateDraw(func() { s.u.Update(snap) }) }

// resize changes the terminal's size, as a terminal resize would.
func (s *screen) resize(w, h int) { s.u.app.QueueUpdateDraw(func() { s.sim.SetSize(w, h) }) }

// text returns the screen as lines of text, after a fresh draw.
func (s *screen) text() string {
	var out string
	s.u.app.QueueUpdateDraw(func() {})
	s.u.app.QueueUpdate(func() { out = screenText(s.sim) })
	return out
}

// style returns the style of the first cell of text on the screen.
func (s *screen) style(text string) (st tcell.Style, ok bool) {
	s.u.app.QueueUpdateDraw(func() {})
	s.u.app.QueueUpdate(func() { st, ok = findCell(s.sim, text) })
	return st, ok
}

// screenText returns the screen as lines of text. Call it on the UI
// goroutine.
func screenText(sim tcell.SimulationScreen) string {
	cells, w, h := sim.GetContents()
	var b strings.Builder
	for y := 0; y < h; y++ {
		var line strings.Builder
		for x := 0; x < w; x++ {
			c := cells[y*w+x]
			if len(c.Runes) == 0 {
				line.WriteByte(' ')
			} else {
				line.WriteString(string(c.Runes))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// findCell returns the style of the first cell of text on the screen.
// Call it on the UI goroutine.
func findCell(sim tcell.SimulationScreen, text string) (tcell.Style, bool) {
	cells, w, h := sim.GetContents()
	lines := strings.Split(screenText(sim), "\n")
	for y := 0; y < h && y < len(lines); y++ {
		if x := strings.Index(lines[y], text); x >= 0 {
			// Count runes, not bytes, to the column.
			col := len([]rune(lines[y][:x]))
			return cells[y*w+col].Style, true
		}
	}
	return tcell.StyleDefault, false
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got != string(want) {
		t.Errorf("screen differs from %s (run with -update to accept):\n%s", path, got)
	}
}
