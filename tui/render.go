package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

func cell(s string) *tview.TableCell { return tview.NewTableCell(tview.Escape(s)) }

func header(t *tview.Table, names ...string) {
	for i, n := range names {
		t.SetCell(0, i, tview.NewTableCell(n).SetAttributes(tcell.AttrBold).SetSelectable(false).SetTextColor(tcell.ColorYellow))
	}
}

// renderProcs fills the segment and process list.
func (u *UI) renderProcs() {
	t := u.procs
	t.Clear()
	u.rows = u.rows[:0]
	row := 0
	for si, seg := range u.snap.Segments {
		state := "[green]alive[-]"
		if !seg.Alive {
			state = "[red]dead[-]"
		}
		if seg.Err != "" {
			state = "[red]unreadable[-]"
		}
		t.SetCell(row, 0, tview.NewTableCell(fmt.Sprintf("[::b]%s[::-] %s", tview.Escape(seg.Name), state)).SetExpansion(1))
		u.rows = append(u.rows, rowRef{si, -1})
		row++
		for i, sl := range seg.Slots {
			state := "alive"
			color := tcell.ColorGreen
			switch {
			case !sl.Alive:
				state, color = "DEAD", tcell.ColorRed
			case sl.Paused:
				state, color = "PAUSED", tcell.ColorYellow
			}
			text := fmt.Sprintf(" %-7d %-10.10s %-6s %4s", sl.PID, sl.Role, state, sl.Load)
			t.SetCell(row, 0, tview.NewTableCell(tview.Escape(text)).SetTextColor(color))
			u.rows = append(u.rows, rowRef{si, i})
			row++
		}
	}
	if row == 0 {
		t.SetCell(0, 0, cell("no segments in this directory").SetSelectable(false))
		return
	}
	if u.sel >= row {
		u.sel = row - 1
	}
	if u.sel < 0 {
		u.sel = 0
	}
	t.Select(u.sel, 0)
}

// renderRight fills values, tasks and probes of the selected segment.
func (u *UI) renderRight() {
	u.metrics.Clear()
	u.tasks.Clear()
	u.probes.Clear()
	seg, _ := u.selected()
	if seg == nil {
		return
	}
	if seg.Err != "" {
		u.metrics.SetCell(0, 0, cell(seg.Err).SetTextColor(tcell.ColorRed))
		return
	}
	u.metrics.SetTitle(fmt.Sprintf(" %s values ", seg.Name))
	col := "RATE/S"
	if !u.rate {
		col = "TOTAL"
	}
	header(u.metrics, "NAME", "VALUE", col, "TREND", "UNIT", "HELP")
	ms := append([]MetricView(nil), seg.Metrics...)
	if u.sortMode == 1 {
		sort.SliceStable(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	}
	row := 1
	for _, m := range ms {
		if u.filter != "" && !strings.Contains(m.Name, u.filter) && !strings.Contains(m.Help, u.filter) {
			continue
		}
		val, second := m.Value, m.Rate
		if m.Kind == "counter" || m.Kind == "sequence" {
			if u.rate {
				val, second = m.Rate, m.Total
			} else {
				val, second = m.Total, m.Rate
			}
		}
		u.metrics.SetCell(row, 0, cell(m.Name))
		u.metrics.SetCell(row, 1, cell(val).SetAlign(tview.AlignRight))
		u.metrics.SetCell(row, 2, cell(second).SetAlign(tview.AlignRight))
		u.metrics.SetCell(row, 3, cell(m.Spark).SetTextColor(tcell.ColorGreen))
		u.metrics.SetCell(row, 4, cell(m.Unit))
		u.metrics.SetCell(row, 5, cell(m.Help))
		row++
	}
	header(u.tasks, "TASK", "RESULT", "LAST SUCCESS", "RUNNING SINCE", "MESSAGE")
	for i, t := range seg.Tasks {
		color := tcell.ColorWhite
		res := t.Result
		if t.Overdue {
			res += " OVERDUE"
		}
		if t.Overdue || t.Failed {
			color = tcell.ColorRed
		}
		for c, v := range []string{t.Name, res, t.LastSuccess, t.RunningSince, t.Message} {
			u.tasks.SetCell(i+1, c, cell(v).SetTextColor(color))
		}
	}
	var b strings.Builder
	for _, p := range seg.Probes {
		fmt.Fprintf(&b, "[::b]%d %s[::-] %s: %s\n", p.PID, tview.Escape(p.Role), tview.Escape(p.Probe), tview.Escape(p.Location))
		for _, bar := range p.Hist {
			n := int(bar.Share*20 + 0.5)
			fmt.Fprintf(&b, "  %5.1f%% [green]%-20s[-] %s\n", 100*bar.Share, strings.Repeat("█", n), tview.Escape(bar.Label))
		}
	}
	u.probes.SetText(b.String())
}

// renderCluster fills the scoreboard and the log tail.
func (u *UI) renderCluster() {
	cv := u.snap.Cluster
	t := u.servers
	t.Clear()
	switch {
	case cv.Source == "":
		t.SetCell(0, 0, cell("no collector: start porthole top --collector FILE|URL"))
	case cv.Err != "":
		t.SetCell(0, 0, cell("collector unavailable: "+cv.Err+" (retrying)").SetTextColor(tcell.ColorRed))
	default:
		t.SetTitle(" scoreboard: " + cv.Collector + " ")
		header(t, "HOST", "PROGRAM", "PID", "STATE", "LAST SEEN", "LOAD", "LOST", "TASKS", "LAST PROBLEM")
		servers := append([]ServerView(nil), cv.Servers...)
		if u.sortMode == 1 {
			sort.SliceStable(servers, func(i, j int) bool { return servers[i].State > servers[j].State })
		}
		row := 1
		for _, s := range servers {
			if u.filter != "" && !strings.Contains(s.Host+" "+s.Program+" "+s.Problem, u.filter) {
				continue
			}
			color := tcell.ColorWhite
			switch s.State {
			case "stale":
				color = tcell.ColorYellow
			case "gone":
				color = tcell.ColorRed
			}
			for c, v := range []string{s.Host, s.Program, fmt.Sprint(s.PID), strings.ToUpper(s.State), s.LastSeen, s.Load, fmt.Sprint(s.Lost), s.Tasks, s.Problem} {
				cl := cell(v).SetTextColor(color)
				if c == 7 && s.Overdue {
					cl.SetTextColor(tcell.ColorRed)
				}
				t.SetCell(row, c, cl)
			}
			row++
		}
	}
	var b strings.Builder
	if cv.LogErr != "" {
		fmt.Fprintf(&b, "[red]log bus unavailable: %s (retrying)[-]\n", tview.Escape(cv.LogErr))
	}
	logs := cv.Logs
	for _, l := range logs {
		line := fmt.Sprintf("%s %-5s %s %s %s", l.Time.Format("15:04:05"), l.Level, l.Host, l.Program, l.Text)
		if u.filter != "" && !strings.Contains(line, u.filter) {
			continue
		}
		color := "white"
		switch {
		case strings.HasPrefix(l.Level, "ERROR"):
			color = "red"
		case strings.HasPrefix(l.Level, "WARN"):
			color = "yellow"
		case strings.HasPrefix(l.Level, "DEBUG"):
			color = "gray"
		}
		fmt.Fprintf(&b, "[%s]%s[-]\n", color, tview.Escape(line))
	}
	u.logs.SetText(b.String())
	u.logs.ScrollToEnd()
}
