package tui

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sampleSnapshot is a fixed snapshot: one segment with a dead process, an
// overdue failed task and a probe histogram, and a small scoreboard.
func sampleSnapshot() *Snapshot {
	at := time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)
	return &Snapshot{
		Taken: at,
		Segments: []SegmentView{{
			Name: "queued", Alive: true, Flags: []string{"merge"},
			Slots: []SlotView{
				{Slot: 0, PID: 100, Role: "owner", Alive: true, Load: "42%"},
				{Slot: 1, PID: 200, Role: "client", Alive: false, Load: "-"},
			},
			Metrics: []MetricView{
				{Name: "requests", Kind: "counter", Value: "1234", Total: "1234", Rate: "56/s", Unit: "req", Help: "requests served", Spark: "▁▃▅█"},
				{Name: "queue_length", Kind: "gauge", Value: "7", Total: "7", Unit: "updates", Help: "updates waiting"},
			},
			Tasks: []TaskView{{Name: "checkpoint", Result: "failed", LastSuccess: "1h0m0s ago", RunningSince: "-", Message: "disk full", Overdue: true, Failed: true}},
			Probes: []ProbeView{{PID: 100, Role: "owner", Probe: "worker", Location: "waiting",
				Hist: []Bar{{Label: "waiting", Share: 0.75}, {Label: "queued.(*server).worker queued.go:220", Share: 0.25}}}},
		}},
		Cluster: ClusterView{Source: "scoreboard.json", Collector: "collector mon1: received 10",
			Servers: []ServerView{{Host: "db1", Program: "queued", PID: 100, State: "up", LastSeen: "1s ago"},
				{Host: "db2", Program: "replicate", PID: 300, State: "gone", LastSeen: "40s ago", Tasks: "replication failed OVERDUE", Overdue: true}},
			Logs: []LogLine{{Time: at, Level: "ERROR", Host: "db2", Program: "replicate", Text: "replication failed"}}},
	}
}

// simScreen is the simulation screen a test UI draws on. Reads of its
// contents run on the UI goroutine (the one that draws), and settle
// waits for what the test queued or typed to be handled and drawn.
type simScreen struct {
	tcell.SimulationScreen
	u      *UI
	synced chan struct{} // gets a value when the app handles syncKey
}

// syncKey is a key no view binds: typed after other keys, its handling
// says they were all handled (the app handles key events in order).
const syncKey = tcell.KeyF63

// startUI runs a UI on a simulation screen of w x h and shows snap.
func startUI(t *testing.T, w, h int, snap *Snapshot) (*UI, *simScreen) {
	t.Helper()
	sim := &simScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8"), synced: make(chan struct{}, 1)}
	if err := sim.Init(); err != nil {
		t.Fatal(err)
	}
	sim.SetSize(w, h)
	u := NewUI(NewModel(Config{Dir: t.TempDir()}), sim.SimulationScreen)
	sim.u = u
	onKey := u.app.GetInputCapture()
	u.app.SetInputCapture(func(ev *tcell.EventKey) *tcell.EventKey {
		if ev.Key() == syncKey {
			sim.synced <- struct{}{}
			return nil
		}
		return onKey(ev)
	})
	done := make(chan error, 1)
	go func() { done <- u.app.Run() }()
	t.Cleanup(func() {
		u.app.Stop()
		<-done
	})
	// Run initialises the screen (at 80x25): size it afterwards, as a
	// terminal resize would.
	u.app.QueueUpdate(func() {
		sim.SetSize(w, h)
		sim.PostEvent(tcell.NewEventResize(w, h))
	})
	u.app.QueueUpdateDraw(func() { u.Update(snap) })
	settle(t, sim)
	return u, sim
}

// settle waits until the app has run and drawn every update queued and
// handled every key typed so far: updates run in order, then key events
// do (the sync key last), each followed by a draw.
func settle(t *testing.T, sim *simScreen) {
	t.Helper()
	ran := make(chan struct{})
	sim.u.app.QueueUpdateDraw(func() {})
	sim.u.app.QueueUpdate(func() { close(ran) })
	for _, ch := range []chan struct{}{ran, nil} {
		if ch == nil {
			sim.InjectKey(syncKey, 0, 0)
			ch = sim.synced
		}
		select {
		case <-ch:
		case <-time.After(time.Minute):
			t.Fatal("the UI did not handle what was queued within a minute")
		}
	}
}

// contents returns a copy of the screen's cells, read on the UI goroutine
// so no draw runs meanwhile.
func (sim *simScreen) contents() ([]tcell.SimCell, int, int) {
	var cells []tcell.SimCell
	var w, h int
	read := make(chan struct{})
	sim.u.app.QueueUpdate(func() {
		var front []tcell.SimCell
		front, w, h = sim.GetContents()
		cells = make([]tcell.SimCell, len(front))
		for i, c := range front {
			cells[i] = tcell.SimCell{Style: c.Style, Runes: append([]rune(nil), c.Runes...), Bytes: append([]byte(nil), c.Bytes...)}
		}
		close(read)
	})
	<-read
	return cells, w, h
}

// screenText returns the screen as lines of text.
func screenText(sim *simScreen) string {
	cells, w, h := sim.contents()
	return cellsText(cells, w, h)
}

func cellsText(cells []tcell.SimCell, w, h int) string {
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
func findCell(sim *simScreen, text string) (tcell.Style, bool) {
	cells, w, h := sim.contents()
	lines := strings.Split(cellsText(cells, w, h), "\n")
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

func TestLocalViewGolden(t *testing.T) {
	_, sim := startUI(t, 80, 24, sampleSnapshot())
	text := screenText(sim)
	golden(t, "local-80x24.txt", text)
	for _, want := range []string{"DEAD", "failed OVERDUE", "75.0%", "requests"} {
		if !strings.Contains(text, want) {
			t.Errorf("screen lacks %q", want)
		}
	}
	st, ok := findCell(sim, "checkpoint")
	if fg, _, _ := st.Decompose(); !ok || fg != tcell.ColorRed {
		t.Errorf("overdue task not in red (found %v, fg %v)", ok, fg)
	}
	st, ok = findCell(sim, "200")
	if fg, _, _ := st.Decompose(); !ok || fg != tcell.ColorRed {
		t.Errorf("dead process not in red (found %v, fg %v)", ok, fg)
	}
}

func TestClusterViewGolden(t *testing.T) {
	_, sim := startUI(t, 100, 30, sampleSnapshot())
	sim.InjectKey(tcell.KeyTab, 0, 0)
	settle(t, sim)
	text := screenText(sim)
	golden(t, "cluster-100x30.txt", text)
	if !strings.Contains(text, "GONE") || !strings.Contains(text, "replication failed") {
		t.Errorf("cluster view:\n%s", text)
	}
	st, ok := findCell(sim, "db2")
	if fg, _, _ := st.Decompose(); !ok || fg != tcell.ColorRed {
		t.Errorf("gone server not in red")
	}
}

func TestHelpOverlayListsEveryKey(t *testing.T) {
	_, sim := startUI(t, 80, 24, sampleSnapshot())
	sim.InjectKey(tcell.KeyRune, '?', 0)
	settle(t, sim)
	text := screenText(sim)
	for _, k := range keys {
		if !strings.Contains(text, k.help[:min(len(k.help), 20)]) {
			t.Errorf("help lacks %q:\n%s", k.help, text)
		}
	}
	sim.InjectKey(tcell.KeyRune, '?', 0)
	settle(t, sim)
	if strings.Contains(screenText(sim), keys[0].help) {
		t.Error("help still shown after a second ?")
	}
}

func TestFilterAndFreeze(t *testing.T) {
	u, sim := startUI(t, 80, 24, sampleSnapshot())
	sim.InjectKey(tcell.KeyRune, '/', 0)
	settle(t, sim)
	for _, r := range "queue" {
		sim.InjectKey(tcell.KeyRune, r, 0)
	}
	sim.InjectKey(tcell.KeyEnter, 0, 0)
	settle(t, sim)
	text := screenText(sim)
	if strings.Contains(text, "requests served") || !strings.Contains(text, "queue_length") || !strings.Contains(text, "filter: queue") {
		t.Fatalf("filter not applied:\n%s", text)
	}
	sim.InjectKey(tcell.KeyRune, 'p', 0)
	settle(t, sim)
	changed := sampleSnapshot()
	changed.Segments[0].Metrics[1].Value = "99999"
	u.app.QueueUpdateDraw(func() { u.Update(changed) })
	settle(t, sim)
	if text := screenText(sim); strings.Contains(text, "99999") || !strings.Contains(text, "FROZEN") {
		t.Fatalf("frozen display changed:\n%s", text)
	}
}
