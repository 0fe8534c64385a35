package tui

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

var currentApp atomic.Pointer[tview.Application]

// UI is the dashboard: panes that render Snapshots, and the key actions.
// Everything in it runs on the UI goroutine.
type UI struct {
	app       *tview.Application
	ownScreen bool  // NewUI was given a screen (tests); else Run needs a terminal
	keys      []key // the key table (a field: actions reach it without an initialization cycle)
	model     *Model
	pages     *layers
	root      *tview.Flex
	body      *layers
	right     *tview.Flex

	title    *tview.TextView
	procs    *sizedTable
	local    *tview.Flex
	metrics  *sizedTable
	tasks    *sizedTable
	probes   *tview.TextView
	servers  *sizedTable
	logs     *sizedText
	status   *tview.TextView
	bottom   *layers
	keyBar   *tview.TextView
	help     *sizedText
	helpBox  *tview.Flex // centres help on the screen
	helpCol  *tview.Flex
	filterIn *tview.InputField

	snap   *Snapshot
	view   string // "local" or "cluster"
	rate   bool
	frozen bool
	// frozenAt mirrors frozen for the refresh loop, which builds nothing
	// while the display is frozen.
	frozenAt atomic.Bool
	filter   string
	sortBy   int // index into sortNames
	sortRev  bool
	sel      int      // selected row of procs
	rows     []rowRef // what each procs row is
	procsW   int      // the process list's inner width, from the last draw
	message  string
	cancel   context.CancelFunc
	ctx      context.Context // Run's: ends when the dashboard does
	whatif   *tview.TextView // the what-if experiment's result
	// experiment is true while a what-if experiment runs (UI goroutine).
	experiment bool

	valuesFocus bool // arrows scroll the values, not the process list
	valOff      int  // first value row shown
	valPage     int  // value rows that fit, from the last draw

	confirm *pendingPause // a pause waiting for z or y
	paused  map[int]bool  // pids paused from here, until resumed

	logPaused bool      // the tail stays as it was when l was pressed
	logFrozen []LogLine // the lines shown while paused
	logBack   int       // lines scrolled back from the newest
	logPage   int       // log lines that fit, from the last draw
	logRate   float64   // lines per second between the last two snapshots
	logNew    uint64    // lines received between the last two snapshots
	logPrev   struct {
		seen uint64
		at   time.Time
	}
}

type rowRef struct {
	seg  int
	slot int // -1: the segment's header row
}

// NewUI builds the widgets. screen may be a tcell.SimulationScreen in tests.
func NewUI(m *Model, screen tcell.Screen) *UI {
	u := &UI{app: tview.NewApplication(), model: m, view: "local", rate: true, paused: map[int]bool{}}
	if screen != nil {
		u.app.SetScreen(screen)
		u.ownScreen = true
	}
	u.title = tview.NewTextView().SetDynamicColors(true).SetWrap(false)
	u.status = tview.NewTextView().SetDynamicColors(true).SetWrap(false)
	u.keyBar = tview.NewTextView().SetDynamicColors(true).SetWrap(false)
	u.keyBar.SetText(keyBarText(keys, u.view))
	u.keys = keys
	u.procs = newSizedTable(" processes ", func(w, _ int) { u.renderProcs(w) })
	u.procs.SetSelectable(true, false)
	u.metrics = newSizedTable(" values ", u.fillValues)
	u.tasks = newSizedTable(" tasks ", u.fillTasks)
	u.probes = tview.NewTextView().SetDynamicColors(true)
	u.probes.SetBorder(true).SetTitle(" probes ")
	u.servers = newSizedTable(" scoreboard ", u.fillServers)
	u.logs = newSizedText(" log ", u.fillLogs)
	u.whatif = tview.NewTextView().SetDynamicColors(true)
	u.whatif.SetBorder(true).SetTitle(" what-if (esc closes) ")
	u.help = newSizedText(" keys (? or esc closes) ", func(w, _ int) { u.help.SetText(helpText(keys, w)) })
	u.helpCol = tview.NewFlex().SetDirection(tview.FlexRow).AddItem(nil, 0, 1, false).AddItem(u.help, len(keys)+6, 0, true).AddItem(nil, 0, 1, false)
	u.helpBox = tview.NewFlex().AddItem(nil, 0, 1, false).AddItem(u.helpCol, 96, 0, true).AddItem(nil, 0, 1, false)
	u.filterIn = tview.NewInputField().SetLabel("filter: ").SetFieldBackgroundColor(tcell.ColorDefault)
	u.filterIn.SetChangedFunc(func(text string) { u.setFilter(text) })
	u.filterIn.SetDoneFunc(func(k tcell.Key) {
		if k == tcell.KeyEscape {
			u.setFilter("")
		}
		u.bottom.SwitchToPage("keys")
		u.focusPane()
	})
	u.bottom = newLayers(tview.NewPages().AddPage("keys", u.keyBar, true, true).AddPage("filter", u.filterIn, true, false))

	u.right = tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(u.metrics, 0, 3, false).
		AddItem(u.tasks, 4, 0, false).
		AddItem(u.probes, 0, 2, false)
	u.local = tview.NewFlex().AddItem(u.procs, 30, 0, true).AddItem(u.right, 0, 1, false)
	cluster := tview.NewFlex().SetDirection(tview.FlexRow).AddItem(u.servers, 0, 1, false).AddItem(u.logs, 0, 1, false)
	u.body = newLayers(tview.NewPages().AddPage("local", u.local, true, true).AddPage("cluster", cluster, true, false))
	u.root = tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(u.title, 1, 0, false).AddItem(u.body, 0, 1, true).
		AddItem(u.status, 0, 0, false).AddItem(u.bottom, 1, 0, false)
	u.pages = newLayers(tview.NewPages().
		AddPage("main", u.root, true, true).
		AddPage("help", u.helpBox, true, false).
		AddPage("whatif", u.whatif, true, false))
	u.procs.SetSelectionChangedFunc(func(row, _ int) {
		if row == u.sel {
			return
		}
		u.sel = row
		u.valOff = 0
		if seg, _ := u.selected(); seg != nil {
			u.model.SetFocus(seg.Name)
		}
		u.renderProbes()
	})
	u.app.SetBeforeDrawFunc(func(screen tcell.Screen) bool {
		w, h := screen.Size()
		u.local.ResizeItem(u.procs, procsWidth(w), 0)
		// The help fits the screen, however small, and leaves the key
		// bar's line.
		u.helpBox.ResizeItem(u.helpCol, min(w, 96), 0)
		u.helpCol.ResizeItem(u.help, min(max(h-1, 3), len(keys)+6), 0)
		return false
	})
	u.app.SetRoot(u.pages, true).SetFocus(u.procs)
	u.app.SetInputCapture(u.onKey)
	return u
}

func center(p tview.Primitive, w, h int) tview.Primitive {
	return tview.NewFlex().AddItem(nil, 0, 1, false).
		AddItem(tview.NewFlex().SetDirection(tview.FlexRow).AddItem(nil, 0, 1, false).AddItem(p, h, 0, true).AddItem(nil, 0, 1, false), w, 0, true).
		AddItem(nil, 0, 1, false)
}

// selected returns the selected segment and slot.
func (u *UI) selected() (*SegmentView, *SlotView) {
	if u.snap == nil || u.sel < 0 || u.sel >= len(u.rows) {
		return nil, nil
	}
	r := u.rows[u.sel]
	if r.seg >= len(u.snap.Segments) {
		return nil, nil
	}
	seg := &u.snap.Segments[r.seg]
	if r.slot < 0 || r.slot >= len(seg.Slots) {
		return seg, nil
	}
	return seg, &seg.Slots[r.slot]
}

// Update shows a new snapshot (on the UI goroutine), unless frozen; it
// reports whether the screen needs drawing.
func (u *UI) Update(s *Snapshot) bool {
	if u.frozen && u.snap != nil {
		return false
	}
	if !u.logPrev.at.IsZero() && s.Taken.After(u.logPrev.at) && s.Cluster.LogsSeen >= u.logPrev.seen {
		u.logNew = s.Cluster.LogsSeen - u.logPrev.seen
		u.logRate = float64(u.logNew) / s.Taken.Sub(u.logPrev.at).Seconds()
	}
	u.logPrev.seen, u.logPrev.at = s.Cluster.LogsSeen, s.Taken
	u.snap = s
	u.render()
	return true
}

func (u *UI) render() {
	if u.snap == nil {
		return
	}
	u.title.SetText(u.header())
	st := u.message
	if len(u.snap.Errors) > 0 {
		st = "[red]" + tview.Escape(strings.Join(u.snap.Errors, "; ")) + "[-] " + st
	}
	u.status.SetText(st)
	u.root.ResizeItem(u.status, min(1, len(st)), 0)
	u.body.SwitchToPage(u.view)
	u.keyBar.SetText(keyBarText(u.keys, u.view))
	u.renderProcs(u.procsW)
	// The selected row can move to another segment without a selection
	// change (segments appear and the list re-sorts): the model must read
	// in full the one shown selected.
	if seg, _ := u.selected(); seg != nil {
		u.model.SetFocus(seg.Name)
	}
	u.renderProbes()
}

// procsWidth is the process list's width on a screen w wide: narrow
// screens keep most of it for the values.
func procsWidth(w int) int {
	if w < 120 {
		return 30
	}
	return 36
}

// header is the title line: where and when, and every mode in force.
func (u *UI) header() string {
	mode := "rates"
	if !u.rate {
		mode = "totals"
	}
	dir := "↑"
	if u.sortRev {
		dir = "↓"
	}
	order := sortNames[u.sortBy]
	if u.view == "cluster" {
		order = serverSortNames[u.sortBy]
	}
	h := fmt.Sprintf("[::b]porthole top[::-] %s %s  sort: %s %s  %s", u.view, u.snap.Taken.Format("15:04:05"), order, dir, mode)
	if u.snap.Warming {
		h += "  [black:yellow] warming up [-:-]"
	}
	if u.filter != "" {
		h += "  [black:yellow] filter: " + tview.Escape(u.filter) + " [-:-]"
	}
	if u.frozen {
		h += "  [black:yellow] FROZEN [-:-]"
	}
	if n := len(u.paused); n > 0 {
		h += fmt.Sprintf("  [white:red] %d PAUSED [-:-]", n)
	}
	return h
}
