package tui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

func cell(s string) *tview.TableCell { return tview.NewTableCell(tview.Escape(s)) }

// fillColumns lays out rows (the first is the header) across width w and
// sets them as the table's cells, each cut to its column with an
// ellipsis; a column given no width is left out. color and right style a
// data cell.
func fillColumns(t *tview.Table, w int, specs []colSpec, rows [][]string, color func(row, col int) tcell.Color, right func(col int) bool) {
	t.Clear()
	widths := colWidths(w, specs, naturalWidths(len(specs), rows))
	for r, row := range rows {
		col := 0
		for c, text := range row {
			if widths[c] == 0 {
				continue
			}
			text = ellipsize(text, widths[c])
			pad := strings.Repeat(" ", widths[c]-utf8.RuneCountInString(text))
			if right != nil && right(c) {
				text = pad + text
			} else {
				text += pad
			}
			cl := cell(text).SetMaxWidth(widths[c])
			if r == 0 {
				cl.SetAttributes(tcell.AttrBold).SetTextColor(tcell.ColorYellow).SetSelectable(false)
			} else if color != nil {
				cl.SetTextColor(color(r-1, c))
			}
			t.SetCell(r, col, cl)
			col++
		}
	}
}

// renderProcs fills the segment and process list for an inner width w.
func (u *UI) renderProcs(w int) {
	if u.snap == nil {
		return
	}
	u.procsW = w
	t := u.procs.Table
	t.Clear()
	u.rows = u.rows[:0]
	row := 0
	// pid, role, state, cpu, load: the role gives way first, then the
	// cpu column (a narrow pane keeps the load). A role is cut in its
	// middle: producer-0 and producer-1 must stay apart.
	showCPU := w >= 34
	roleW := max(4, w-21)
	if showCPU {
		roleW = max(4, w-26)
	}
	for si, seg := range u.snap.Segments {
		state := "[green]alive[-]"
		if !seg.Alive {
			state = "[red]dead[-]"
		}
		if seg.Err != "" {
			state = "[red]unreadable[-]"
		}
		if seg.Failed > 0 {
			state += fmt.Sprintf(" [red]%d reg failed[-]", seg.Failed)
		}
		t.SetCell(row, 0, tview.NewTableCell(fmt.Sprintf("[::b]%s[::-] %s", tview.Escape(ellipsize(seg.Name, max(1, w-11))), state)).SetExpansion(1))
		u.rows = append(u.rows, rowRef{si, -1})
		row++
		for i, sl := range seg.Slots {
			state := "alive"
			color := tcell.ColorGreen
			switch {
			case !sl.Alive:
				state, color = "DEAD", tcell.ColorRed
			case u.paused[sl.PID]: // kept by the pause keys: a snapshot may predate a resume
				state, color = "PAUSED", tcell.ColorYellow
			case sl.State == "STOP": // stopped by someone else (whatif, kill -STOP)
				state, color = "STOP", tcell.ColorYellow
			case sl.State != "":
				state = sl.State // the kernel's word: run, sleep, disk
			}
			text := fmt.Sprintf(" %-7d %-*s %-6s %4s", sl.PID, roleW, ellipsizeMiddle(sl.Role, roleW), state, sl.Load)
			if showCPU {
				cpu := sl.CPU
				if cpu == "" {
					cpu = "-"
				}
				text = fmt.Sprintf(" %-7d %-*s %-6s %4s %4s", sl.PID, roleW, ellipsizeMiddle(sl.Role, roleW), state, cpu, sl.Load)
			}
			t.SetCell(row, 0, tview.NewTableCell(tview.Escape(text)).SetTextColor(color))
			u.rows = append(u.rows, rowRef{si, i})
			row++
		}
	}
	if row == 0 {
		for i, l := range wrap("no segments in "+u.snap.Dir+" (--dir or $PORTHOLE_DIR to look elsewhere)", max(10, w)) {
			t.SetCell(i, 0, cell(l).SetSelectable(false))
		}
		return
	}
	u.sel = max(0, min(u.sel, row-1))
	t.Select(u.sel, 0)
}

// valueRows returns the selected segment's values as shown: filtered and
// sorted.
func (u *UI) valueRows(seg *SegmentView) []MetricView {
	ms := make([]MetricView, 0, len(seg.Metrics))
	for _, m := range seg.Metrics {
		if u.filter == "" || u.matches(m.Name) || u.matches(m.Help) {
			ms = append(ms, m)
		}
	}
	sortMetrics(ms, sortNames[u.sortBy], u.sortRev)
	return ms
}

var valueSpecs = []colSpec{{min: 10, max: 32, prio: 3}, {min: 7, max: 24, prio: 1}, {min: 7}, {max: sparkWidth}, {max: 10, prio: 2}, {flex: true}}

// fillValues shows the selected segment's values that fit in h rows,
// from valOff, and says where they are in the title ("1-12/17").
func (u *UI) fillValues(w, h int) {
	t := u.metrics.Table
	t.Clear()
	seg, _ := u.selected()
	if seg == nil {
		t.SetTitle(" values ")
		return
	}
	if seg.Err != "" {
		t.SetTitle(fmt.Sprintf(" %s values ", tview.Escape(seg.Name)))
		t.SetCell(0, 0, cell(seg.Err).SetTextColor(tcell.ColorRed))
		return
	}
	if !seg.Detailed {
		t.SetTitle(fmt.Sprintf(" %s values ", tview.Escape(seg.Name)))
		t.SetCell(0, 0, cell("reading…"))
		return
	}
	ms := u.valueRows(seg)
	page := max(1, h-1)
	u.valPage = page
	u.valOff = max(0, min(u.valOff, len(ms)-page))
	end := min(len(ms), u.valOff+page)
	// Rates mode shows a counter's rate as its value and its total
	// beside; totals mode the other way round. The label names what the
	// column holds.
	col := "RATE/S"
	if u.rate {
		col = "TOTAL"
	}
	rows := [][]string{{"NAME", "VALUE", col, "TREND", "UNIT", "HELP"}}
	numeric := 0
	for i, m := range ms {
		val, second := m.Value, ""
		if m.Kind == "counter" || m.Kind == "sequence" {
			rate := m.Rate
			if u.snap.Warming && rate == "-" {
				rate = "warming"
			}
			if u.rate {
				val, second = rate, m.Total
			} else {
				val, second = m.Total, rate
			}
		}
		if m.HasNum {
			numeric = max(numeric, len([]rune(val)))
		}
		if i >= u.valOff && i < end {
			rows = append(rows, []string{m.Name, val, second, m.Spark, m.Unit, m.Help})
		}
	}
	specs := append([]colSpec(nil), valueSpecs...)
	specs[1].min = max(specs[1].min, numeric) // numbers are never cut
	specs[2].min = max(specs[2].min, naturalWidths(3, rows)[2])
	fillColumns(t, w, specs, rows, nil, func(c int) bool { return c == 1 || c == 2 })
	more := ""
	if u.valOff > 0 {
		more += "↑"
	}
	if end < len(ms) {
		more += "↓"
	}
	first := u.valOff + 1
	if len(ms) == 0 {
		first = 0
	}
	flt := ""
	if u.filter != "" {
		flt = " filtered"
	}
	t.SetTitle(strings.TrimRight(fmt.Sprintf(" %s values %d-%d/%d%s %s", tview.Escape(seg.Name), first, end, len(ms), flt, more), " ") + " ")
}

var taskSpecs = []colSpec{{min: 10, max: 24, prio: 3}, {min: 6}, {min: 10, prio: 2}, {min: 7, prio: 1}, {min: 7, flex: true}}

// fillTasks shows the selected segment's tasks, overdue or failed in red.
func (u *UI) fillTasks(w, h int) {
	t := u.tasks.Table
	seg, _ := u.selected()
	if seg == nil {
		t.Clear()
		return
	}
	rows := [][]string{{"TASK", "RESULT", "LAST SUCCESS", "RUNNING SINCE", "MESSAGE"}}
	for _, tk := range seg.Tasks {
		res := tk.Result
		if tk.Overdue {
			res += " OVERDUE"
		}
		rows = append(rows, []string{tk.Name, res, tk.LastSuccess, tk.RunningSince, tk.Message})
	}
	specs := append([]colSpec(nil), taskSpecs...)
	specs[1].min = naturalWidths(2, rows)[1]
	fillColumns(t, w, specs, rows, func(r, _ int) tcell.Color {
		if seg.Tasks[r].Overdue || seg.Tasks[r].Failed {
			return tcell.ColorRed
		}
		return tcell.ColorWhite
	}, nil)
}

// renderProbes shows where each worker of the selected segment is, and
// its sampled histogram; and sizes the tasks pane to its rows.
func (u *UI) renderProbes() {
	seg, _ := u.selected()
	if seg == nil {
		u.probes.SetText("")
		return
	}
	u.right.ResizeItem(u.tasks, min(len(seg.Tasks), 8)+3, 0)
	var b strings.Builder
	for _, p := range seg.Probes {
		fmt.Fprintf(&b, "[::b]%d %s[::-] %s: %s\n", p.PID, tview.Escape(p.Role), tview.Escape(p.Probe), tview.Escape(p.Location))
		if len(p.Hist) == 0 && seg.Sampling {
			b.WriteString("  [gray]sampling…[-]\n")
		}
		for _, bar := range p.Hist {
			n := int(bar.Share*20 + 0.5)
			fmt.Fprintf(&b, "  %5.1f%% [green]%-20s[-] %s\n", 100*bar.Share, strings.Repeat("█", n), tview.Escape(bar.Label))
		}
	}
	u.probes.SetText(b.String())
}
