package scoreboard

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/porthole-dev/porthole/internal/numfmt"
)

// Row is one server as people read it; empty texts mean "nothing".
type Row struct {
	Host, Program string
	PID           int
	State         string // as the board says: up, stale or gone
	LastSeen      string // "3s ago", "never"
	Load          string // "worker 40%, io 3%", by meter name
	Tasks         string // "checkpoint failed OVERDUE, sync ok (running)"
	Lost          uint64
	Restarts      int
	Problem       string // the last warning or error line
	Attention     bool   // a task is overdue or failed: show the row in red
}

// Rows returns one row per server, in the board's order.
func (b *Board) Rows() []Row {
	rows := make([]Row, 0, len(b.Servers))
	for _, s := range b.Servers {
		rows = append(rows, Row{
			Host: s.Host, Program: s.Program, PID: s.PID, State: s.State,
			LastSeen: numfmt.Ago(b.Time, s.LastSeen), Load: loads(s.Load), Tasks: tasks(s.Tasks),
			Lost: s.Lost, Restarts: s.Restarts, Problem: s.LastProblem,
			Attention: s.OverdueTasks > 0 || s.FailedTasks > 0,
		})
	}
	return rows
}

func loads(m map[string]float64) string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s %.0f%%", k, v))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func tasks(ts []Task) string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		x := t.Name + " " + t.Result
		if t.Overdue {
			x += " OVERDUE"
		}
		if t.Running {
			x += " (running)"
		}
		out = append(out, x)
	}
	return strings.Join(out, ", ")
}

// Summary is one line about the collector: host, pid, uptime, what it
// received, lost and rejected (by reason), its spool and write errors,
// its syslog input when it has one, and the last write error when there
// is one.
func (b *Board) Summary() string {
	c := b.Collector
	s := fmt.Sprintf("collector %s pid %d  up %s  received %s  lost %s  rejected %s  spool %s (%d write errors)",
		c.Host, c.PID, time.Duration(c.UptimeSeconds*float64(time.Second)).Round(time.Second), numfmt.Count(c.Received), numfmt.Count(c.Lost),
		reasons(c.Rejected), numfmt.Bytes(c.SpoolBytes), c.WriteErrors)
	if sl := c.Syslog; sl != nil {
		s += fmt.Sprintf("  syslog %s on %s (rejected %s)", numfmt.Count(sl.Received), sl.Listen, reasons(sl.Rejected))
	}
	if c.LastWriteErr != "" {
		s += "  spool trouble: " + c.LastWriteErr
	}
	return s
}

// reasons lists the counts above zero as "reason=n ...", sorted, or
// "none".
func reasons(m map[string]uint64) string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		if v > 0 {
			out = append(out, k+"="+strconv.FormatUint(v, 10))
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, " ")
}
