package tui

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/porthole-dev/porthole/internal/numfmt"
	"github.com/rivo/tview"
)

var serverSpecs = []colSpec{{min: 6, max: 20, prio: 3}, {min: 7, max: 16, prio: 3}, {min: 3}, {min: 5}, {min: 9}, {min: 4, max: 24, prio: 1}, {min: 4}, {min: 5, max: 40, prio: 2}, {min: 12, flex: true}}

// fillServers shows the scoreboard, or where it was looked for.
func (u *UI) fillServers(w, h int) {
	cv := u.snap.Cluster
	t := u.servers.Table
	t.Clear()
	switch {
	case cv.Source == "":
		t.SetTitle(" scoreboard ")
		t.SetCell(0, 0, cell("no collector: start porthole top --collector FILE|URL"))
		return
	case cv.Pending:
		t.SetTitle(" scoreboard ")
		t.SetCell(0, 0, cell("asking the collector at "+cv.Source+"…"))
		return
	case cv.Err != "":
		t.SetTitle(" scoreboard ")
		lines := wrap("no collector answered at "+cv.Source+" (retrying): "+cv.Err, w)
		for i, l := range lines {
			t.SetCell(i, 0, cell(l).SetTextColor(tcell.ColorRed))
		}
		for i, l := range wrap("start one with: porthole collect; or point at one with: porthole top --collector FILE|URL", w) {
			t.SetCell(len(lines)+i, 0, cell(l))
		}
		return
	}
	t.SetTitle(" scoreboard: " + tview.Escape(cv.Collector) + " ")
	servers := u.serverRows(cv.Servers)
	rows := [][]string{{"HOST", "PROGRAM", "PID", "STATE", "LAST SEEN", "LOAD", "LOST", "TASKS", "LAST PROBLEM"}}
	for _, s := range servers {
		rows = append(rows, []string{s.Host, s.Program, fmt.Sprint(s.PID), strings.ToUpper(s.State), s.LastSeen, s.Load, numfmt.Count(s.Lost), s.Tasks, s.Problem})
	}
	if len(rows) > h {
		rows = rows[:max(1, h)]
		// Sort (s) and filter (/) bring the others up.
		t.SetTitle(fmt.Sprintf(" scoreboard: %s  1-%d/%d ↓ ", tview.Escape(cv.Collector), len(rows)-1, len(servers)))
	}
	specs := append([]colSpec(nil), serverSpecs...)
	nat := naturalWidths(len(specs), rows)
	for _, c := range []int{2, 3, 4, 6} {
		specs[c].min = max(specs[c].min, nat[c])
	}
	fillColumns(t, w, specs, rows, func(r, c int) tcell.Color {
		s := servers[r]
		if c == 7 && s.Overdue {
			return tcell.ColorRed
		}
		switch s.State {
		case "stale":
			return tcell.ColorYellow
		case "gone":
			return tcell.ColorRed
		}
		return tcell.ColorWhite
	}, func(c int) bool { return c == 2 || c == 6 })
}

// serverRows filters and sorts the scoreboard as the keys ask: name is
// host and program, value the state (gone first), rate the lost count.
func (u *UI) serverRows(in []ServerView) []ServerView {
	out := make([]ServerView, 0, len(in))
	for _, s := range in {
		if u.filter == "" || u.matches(s.Host+" "+s.Program+" "+s.Problem) {
			out = append(out, s)
		}
	}
	sortServers(out, sortNames[u.sortBy], u.sortRev)
	return out
}

// fillLogs shows the newest log lines that fit (or, paused or scrolled
// back, older ones) and a line with the rate and how many were not shown.
func (u *UI) fillLogs(w, h int) {
	cv := u.snap.Cluster
	lines := cv.Logs
	if u.logPaused {
		lines = u.logFrozen
	}
	var b strings.Builder
	if cv.LogErr != "" {
		fmt.Fprintf(&b, "[red]%s[-]\n", tview.Escape(ellipsize("log bus unavailable: "+cv.LogErr+" (retrying)", w)))
		h--
	}
	shown := lines[:0:0]
	for _, l := range lines {
		if u.filter == "" || u.matches(logText(l)) {
			shown = append(shown, l)
		}
	}
	page := max(0, h-1) // the last line is the rate line
	u.logPage = page
	u.logBack = min(u.logBack, max(0, len(shown)-page))
	end := len(shown) - u.logBack
	start := max(0, end-page)
	for _, l := range shown[start:end] {
		color := "white"
		switch {
		case strings.HasPrefix(l.Level, "ERROR"):
			color = "red"
		case strings.HasPrefix(l.Level, "WARN"):
			color = "yellow"
		case strings.HasPrefix(l.Level, "DEBUG"):
			color = "gray"
		}
		fmt.Fprintf(&b, "[%s]%s[-]\n", color, tview.Escape(ellipsize(logText(l), w)))
	}
	for i := end - start; i < page; i++ {
		b.WriteByte('\n')
	}
	notShown := uint64(0)
	if u.logNew > uint64(end-start) {
		notShown = u.logNew - uint64(end-start)
	}
	state := "following (l pauses)"
	switch {
	case u.logPaused:
		state = "[black:yellow] paused [-:-] (l follows)"
	case u.logBack > 0:
		state = fmt.Sprintf("[black:yellow] %d lines back [-:-] (End follows)", u.logBack)
	}
	fmt.Fprintf(&b, "[teal]%s lines/s, %s not shown[-] · %s", numfmt.Float(u.logRate), numfmt.Count(notShown), state)
	u.logs.SetText(b.String())
	u.logs.ScrollToBeginning()
}

func logText(l LogLine) string {
	return fmt.Sprintf("%s %-5s %s %s %s", l.Time.Format("15:04:05"), l.Level, l.Host, l.Program, l.Text)
}
