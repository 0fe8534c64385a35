package tui

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

var currentApp atomic.Pointer[tview.Application]

// UI is the dashboard: panes that render Snapshots, and the key actions.
type UI struct {
	app   *tview.Application
	model *Model
	pages *tview.Pages
	body  *tview.Pages

	title    *tview.TextView
	procs    *tview.Table
	metrics  *tview.Table
	tasks    *tview.Table
	probes   *tview.TextView
	servers  *tview.Table
	logs     *tview.TextView
	status   *tview.TextView
	help     *tview.TextView
	filterIn *tview.InputField

	snap     *Snapshot
	view     string // "local" or "cluster"
	rate     bool
	frozen   bool
	filter   string
	sortMode int
	sel      int      // selected row of procs
	rows     []rowRef // what each procs row is
	message  string
	cancel   context.CancelFunc
}

type rowRef struct {
	seg  int
	slot int // -1: the segment's header row
}

// NewUI builds the widgets. screen may be a tcell.SimulationScreen in tests.
func NewUI(m *Model, screen tcell.Screen) *UI {
	u := &UI{app: tview.NewApplication(), model: m, view: "local", rate: true}
	if screen != nil {
		u.app.SetScreen(screen)
	}
	u.title = tview.NewTextView().SetDynamicColors(true)
	u.status = tview.NewTextView().SetDynamicColors(true)
	u.procs = tview.NewTable().SetSelectable(true, false)
	u.procs.SetBorder(true).SetTitle(" processes ")
	u.metrics = tview.NewTable()
	u.metrics.SetBorder(true).SetTitle(" values ")
	u.tasks = tview.NewTable()
	u.tasks.SetBorder(true).SetTitle(" tasks ")
	u.probes = tview.NewTextView().SetDynamicColors(true)
	u.probes.SetBorder(true).SetTitle(" probes ")
	u.servers = tview.NewTable()
	u.servers.SetBorder(true).SetTitle(" scoreboard ")
	u.logs = tview.NewTextView().SetDynamicColors(true).SetScrollable(true)
	u.logs.SetBorder(true).SetTitle(" log ")
	u.help = tview.NewTextView().SetDynamicColors(true)
	u.help.SetBorder(true).SetTitle(" keys ")
	u.filterIn = tview.NewInputField().SetLabel("filter: ")
	u.filterIn.SetDoneFunc(func(k tcell.Key) {
		if k == tcell.KeyEscape {
			u.filter = ""
		} else {
			u.filter = u.filterIn.GetText()
		}
		u.pages.HidePage("filter")
		u.app.SetFocus(u.procs)
		u.render()
	})
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " [yellow]%-5s[-] %s\n", k.name, k.help)
	}
	u.help.SetText(b.String())

	right := tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(u.metrics, 0, 3, false).
		AddItem(u.tasks, 5, 0, false).
		AddItem(u.probes, 0, 2, false)
	local := tview.NewFlex().AddItem(u.procs, 34, 0, true).AddItem(right, 0, 1, false)
	cluster := tview.NewFlex().SetDirection(tview.FlexRow).AddItem(u.servers, 0, 1, false).AddItem(u.logs, 0, 1, false)
	body := tview.NewPages().AddPage("local", local, true, true).AddPage("cluster", cluster, true, false)
	u.body = body
	root := tview.NewFlex().SetDirection(tview.FlexRow).
		AddItem(u.title, 1, 0, false).AddItem(body, 0, 1, true).AddItem(u.status, 1, 0, false)
	u.pages = tview.NewPages().
		AddPage("main", root, true, true).
		AddPage("help", center(u.help, 70, len(keys)+2), true, false).
		AddPage("filter", center(u.filterIn, 50, 1), true, false)
	u.procs.SetSelectionChangedFunc(func(row, _ int) {
		u.sel = row
		if seg, _ := u.selected(); seg != nil {
			u.model.SetFocus(seg.Name)
		}
		u.renderRight()
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

// onKey runs the key table. It only changes UI state: never waits.
func (u *UI) onKey(ev *tcell.EventKey) *tcell.EventKey {
	if front, _ := u.pages.GetFrontPage(); front == "filter" || strings.HasPrefix(front, "flags") {
		return ev
	}
	name := ""
	switch ev.Key() {
	case tcell.KeyTab:
		name = "tab"
	case tcell.KeyEscape:
		if u.pages.HasPage("help") {
			u.pages.HidePage("help")
		}
		u.filter = ""
		u.render()
		return nil
	case tcell.KeyRune:
		name = string(ev.Rune())
	default:
		return ev
	}
	if k := keyByName(name); k != nil && k.act != nil {
		k.act(u)
		return nil
	}
	return ev
}

func (u *UI) toggleHelp() {
	if front, _ := u.pages.GetFrontPage(); front == "help" {
		u.pages.HidePage("help")
	} else {
		u.pages.ShowPage("help")
	}
}

func (u *UI) quit() {
	if u.cancel != nil {
		u.cancel()
	}
	u.app.Stop()
}

func (u *UI) switchView() {
	if u.view == "local" {
		u.view = "cluster"
	} else {
		u.view = "local"
	}
	u.render()
}

func (u *UI) startFilter() {
	u.filterIn.SetText(u.filter)
	u.pages.ShowPage("filter")
	u.app.SetFocus(u.filterIn)
}

func (u *UI) cycleSort()    { u.sortMode = (u.sortMode + 1) % 2; u.render() }
func (u *UI) toggleRate()   { u.rate = !u.rate; u.render() }
func (u *UI) toggleFreeze() { u.frozen = !u.frozen; u.render() }

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

func (u *UI) togglePause() {
	_, sl := u.selected()
	if sl == nil || !sl.Alive {
		u.message = "select a live process to pause"
		u.render()
		return
	}
	paused, err := u.model.TogglePause(sl.PID)
	switch {
	case err != nil:
		u.message = fmt.Sprintf("pause %d: %v", sl.PID, err)
	case paused:
		sl.Paused = true
		u.message = fmt.Sprintf("pid %d PAUSED (z again resumes; quitting resumes it)", sl.PID)
	default:
		sl.Paused = false
		u.message = fmt.Sprintf("pid %d resumed", sl.PID)
	}
	u.render()
}

// chooseFlag shows the segment's flags; the chosen one is toggled in the
// selected process.
func (u *UI) chooseFlag() {
	seg, sl := u.selected()
	if seg == nil || sl == nil || len(seg.Flags) == 0 {
		u.message = "select a process of a segment with debug flags"
		u.render()
		return
	}
	list := tview.NewList().ShowSecondaryText(false)
	list.SetBorder(true).SetTitle(fmt.Sprintf(" toggle a flag of pid %d ", sl.PID))
	name, slot, pid := seg.Name, sl.Slot, sl.PID
	for _, f := range seg.Flags {
		state := "off"
		for _, on := range sl.Flags {
			if on == f {
				state = "on"
			}
		}
		list.AddItem(fmt.Sprintf("%s (%s)", f, state), "", 0, func() {
			on, err := u.model.ToggleFlag(name, slot, f)
			if err != nil {
				u.message = err.Error()
			} else {
				u.message = fmt.Sprintf("pid %d: %s %v", pid, f, map[bool]string{true: "on", false: "off"}[on])
			}
			u.pages.RemovePage("flags")
			u.app.SetFocus(u.procs)
			u.render()
		})
	}
	list.SetDoneFunc(func() { u.pages.RemovePage("flags"); u.app.SetFocus(u.procs) })
	u.pages.AddPage("flags", center(list, 44, len(seg.Flags)+2), true, true)
	u.app.SetFocus(list)
}

// Update shows a new snapshot (on the UI goroutine), unless frozen.
func (u *UI) Update(s *Snapshot) {
	if u.frozen && u.snap != nil {
		return
	}
	u.snap = s
	u.render()
}

func (u *UI) render() {
	if u.snap == nil {
		return
	}
	mode := "rates"
	if !u.rate {
		mode = "totals"
	}
	fz := ""
	if u.frozen {
		fz = "  [black:yellow] FROZEN [-:-]"
	}
	flt := ""
	if u.filter != "" {
		flt = "  filter: " + u.filter
	}
	u.title.SetText(fmt.Sprintf("[::b]porthole top[::-]  %s view  %s  %s%s%s   ? help", u.view, u.snap.Taken.Format("15:04:05"), mode, fz, flt))
	st := u.message
	if len(u.snap.Errors) > 0 {
		st = "[red]" + strings.Join(u.snap.Errors, "; ") + "[-] " + st
	}
	u.status.SetText(st)
	u.body.SwitchToPage(u.view)
	u.renderProcs()
	u.renderRight()
	u.renderCluster()
}
