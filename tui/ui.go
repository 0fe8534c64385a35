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
	app   *tview.Application
	keys  []key // the key table (a field: actions reach it without an initialization cycle)
	model *Model
	pages *tview.Pages
	root  *tview.Flex
	body  *tview.Pages
	right *tview.Flex

	title    *tview.TextView
	procs    *sizedTable
	local    *tview.Flex
	metrics  *sizedTable
	tasks    *sizedTable
	probes   *tview.TextView
	servers  *sizedTable
	logs     *sizedText
	status   *tview.TextView
	bottom   *tview.Pages
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
	u.bottom = tview.NewPages().AddPage("keys", u.keyBar, true, true).AddPage("filter", u.filterIn, true, false)

	u.right = tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(u.metrics, 0, 3, false).
		AddItem(u.tasks, 4, 0, false).
		AddItem(u.probes, 0, 2, false)
	u.local = tview.NewFlex().AddItem(u.procs, 30, 0, true).AddItem(u.right, 0, 1, false)
	cluster := tview.NewFlex().SetDirection(tview.FlexRow).AddItem(u.servers, 0, 1, false).AddItem(u.logs, 0, 1, false)
	u.body = tview.NewPages().AddPage("local", u.local, true, true).AddPage("cluster", cluster, true, false)
	u.root = tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(u.title, 1, 0, false).AddItem(u.body, 0, 1, true).
		AddItem(u.status, 0, 0, false).AddItem(u.bottom, 1, 0, false)
	u.pages = tview.NewPages().
		AddPage("main", u.root, true, true).
		AddPage("help", u.helpBox, true, false)
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
		// The help fits the screen, however small.
		u.helpBox.ResizeItem(u.helpCol, min(w, 96), 0)
		u.helpCol.ResizeItem(u.help, min(h, len(keys)+6), 0)
		return false
	})
	u.app.SetRoot(u.pages, true).SetFocus(u.procs)
	u.app.SetInputCapture(u.onKey)
	return u
}

// keyBarText is the one-line key bar, htop style, from the key table;
// tab names the view it switches to.
func keyBarText(keys []key, view string) string {
	var b strings.Builder
	for _, k := range keys {
		if k.bar != "" {
			if k.name == "tab" {
				k.bar = map[string]string{"local": "Cluster", "cluster": "Local"}[view]
			}
			sep := ""
			if len(k.name) > 1 {
				sep = " "
			}
			fmt.Fprintf(&b, "[black:teal]%s[-:-]%s%s ", tview.Escape(k.name), sep, k.bar)
		}
	}
	return b.String()
}

// helpText is the help overlay, from the key table, for w columns: each
// text wrapped under itself.
func helpText(keys []key, w int) string {
	var b strings.Builder
	for _, k := range keys {
		for i, line := range wrap(k.help, max(10, w-12)) {
			name := ""
			if i == 0 {
				name = k.name
			}
			fmt.Fprintf(&b, " [yellow]%-9s[-] %s\n", tview.Escape(name), tview.Escape(line))
		}
	}
	return b.String()
}

func center(p tview.Primitive, w, h int) tview.Primitive {
	return tview.NewFlex().AddItem(nil, 0, 1, false).
		AddItem(tview.NewFlex().SetDirection(tview.FlexRow).AddItem(nil, 0, 1, false).AddItem(p, h, 0, true).AddItem(nil, 0, 1, false), w, 0, true).
		AddItem(nil, 0, 1, false)
}

// keyName names an event as the key table does ("" for keys it ignores).
func keyName(ev *tcell.EventKey) string {
	switch ev.Key() {
	case tcell.KeyRune:
		return string(ev.Rune())
	case tcell.KeyTab:
		return "tab"
	case tcell.KeyEscape:
		return "esc"
	case tcell.KeyUp:
		return "up"
	case tcell.KeyDown:
		return "down"
	case tcell.KeyLeft:
		return "left"
	case tcell.KeyRight:
		return "right"
	case tcell.KeyPgUp:
		return "pgup"
	case tcell.KeyPgDn:
		return "pgdn"
	case tcell.KeyHome:
		return "home"
	case tcell.KeyEnd:
		return "end"
	}
	return ""
}

// onKey runs the key table. It only changes UI state: never waits.
func (u *UI) onKey(ev *tcell.EventKey) *tcell.EventKey {
	if front, _ := u.bottom.GetFrontPage(); front == "filter" {
		return ev
	}
	if u.pages.HasPage("flags") {
		if front, _ := u.pages.GetFrontPage(); front == "flags" {
			return ev
		}
	}
	name := keyName(ev)
	if u.confirm != nil {
		u.answerPause(name)
		return nil
	}
	if front, _ := u.pages.GetFrontPage(); front == "help" && name != "?" && name != "q" {
		u.pages.HidePage("help")
		return nil
	}
	if k := keyFor(name); k != nil && k.act(u, name) {
		return nil
	}
	return ev
}

func (u *UI) toggleHelp(string) bool {
	if front, _ := u.pages.GetFrontPage(); front == "help" {
		u.pages.HidePage("help")
	} else {
		u.pages.ShowPage("help")
	}
	return true
}

func (u *UI) quit(string) bool {
	if u.cancel != nil {
		u.cancel()
	}
	u.app.Stop()
	return true
}

func (u *UI) switchView(string) bool {
	if u.view == "local" {
		u.view = "cluster"
	} else {
		u.view = "local"
	}
	u.model.SetSampling(u.view == "local")
	u.render()
	return true
}

func (u *UI) startFilter(string) bool {
	u.filterIn.SetText(u.filter)
	u.bottom.SwitchToPage("filter")
	u.app.SetFocus(u.filterIn)
	return true
}

func (u *UI) setFilter(f string) {
	u.filter = f
	u.valOff = 0
	u.render()
}

func (u *UI) escape(string) bool {
	u.pages.HidePage("help")
	u.setFilter("")
	return true
}

// sortNames are the orders s cycles through, shown in the header.
var sortNames = []string{"registration", "name", "value", "rate"}

// serverSortNames say what each order means for the scoreboard.
var serverSortNames = []string{"collector order", "host", "state", "lost"}

func (u *UI) cycleSort(string) bool {
	u.sortBy = (u.sortBy + 1) % len(sortNames)
	u.render()
	return true
}

func (u *UI) reverseSort(string) bool { u.sortRev = !u.sortRev; u.render(); return true }
func (u *UI) toggleRate(string) bool  { u.rate = !u.rate; u.render(); return true }
func (u *UI) toggleFreeze(string) bool {
	u.frozen = !u.frozen
	u.frozenAt.Store(u.frozen)
	u.render()
	return true
}

// moveFocus switches the arrows between the process list and the values.
func (u *UI) moveFocus(k string) bool {
	if u.view != "local" {
		return false
	}
	u.valuesFocus = k == "right"
	u.focusPane()
	return true
}

// focusPane gives the keyboard focus to the pane the arrows act on.
func (u *UI) focusPane() {
	if u.valuesFocus && u.view == "local" {
		u.app.SetFocus(u.metrics)
	} else {
		u.app.SetFocus(u.procs)
	}
}

// arrow scrolls the values by a row when they have the focus; otherwise
// the process list moves its selection.
func (u *UI) arrow(k string) bool {
	if u.view == "cluster" {
		return u.page(map[string]string{"up": "lineup", "down": "linedown"}[k])
	}
	if !u.valuesFocus {
		return false
	}
	if k == "up" {
		u.valOff--
	} else {
		u.valOff++
	}
	return true
}

// page scrolls the values (local view) or the log (cluster view).
func (u *UI) page(k string) bool {
	if u.view == "cluster" {
		p := max(1, u.logPage)
		switch k {
		case "pgup":
			u.logBack += p
		case "pgdn":
			u.logBack -= p
		case "lineup":
			u.logBack++
		case "linedown":
			u.logBack--
		case "home":
			u.logBack = 1 << 30
		case "end":
			u.logBack = 0
		}
		u.logBack = max(0, u.logBack)
		return true
	}
	p := max(1, u.valPage)
	switch k {
	case "pgup":
		u.valOff -= p
	case "pgdn":
		u.valOff += p
	case "home":
		u.valOff = 0
	case "end":
		u.valOff = 1 << 30 // clamped when drawn
	}
	return true
}

func (u *UI) toggleLogPause(string) bool {
	u.logPaused = !u.logPaused
	u.logFrozen = nil
	if u.logPaused && u.snap != nil {
		u.logFrozen = u.snap.Cluster.Logs
	}
	u.render()
	return true
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
