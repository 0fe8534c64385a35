package check

import (
	"context"
	"time"

	"github.com/porthole-dev/porthole/collector"
)

// ScoreboardConfig says where the scoreboard is and what to look at.
type ScoreboardConfig struct {
	URL  string // the collector's base URL or its /scoreboard.json
	File string // or a scoreboard file
	// Window is the time between the two readings that count messages
	// lost during the check; 0 takes one reading and does not judge losses.
	Window  time.Duration
	Program string // only servers running this program; all when empty
}

// Scoreboard checks a collector's scoreboard.
func Scoreboard(ctx context.Context, cfg ScoreboardConfig) *Report {
	name := cfg.URL
	if cfg.File != "" {
		name = cfg.File
	}
	rep := &Report{Name: name}
	read := func() (*collector.Scoreboard, error) {
		if cfg.File != "" {
			return collector.ReadScoreboard(cfg.File)
		}
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return collector.FetchScoreboard(rctx, cfg.URL)
	}
	a, err := read()
	if err != nil {
		rep.Add(Unknown, "%v", err)
		return rep
	}
	b := a
	if cfg.Window > 0 {
		t := time.NewTimer(cfg.Window)
		defer t.Stop()
		select {
		case <-ctx.Done():
			rep.Add(Unknown, "interrupted: %v", ctx.Err())
			return rep
		case <-t.C:
		}
		if b, err = read(); err != nil {
			rep.Add(Unknown, "%v", err)
			return rep
		}
	}
	return EvaluateScoreboard(name, a, b, cfg.Program)
}

// EvaluateScoreboard judges the scoreboard b; a is an earlier reading
// (a == b: losses are not judged). Only servers running program count
// when program is not empty.
func EvaluateScoreboard(name string, a, b *collector.Scoreboard, program string) *Report {
	rep := &Report{Name: name}
	lostBefore := map[string]uint64{}
	for _, s := range a.Servers {
		lostBefore[s.Sender] = s.Lost
	}
	var up, stale, gone, failed, overdue, servers int
	var lost uint64
	for _, s := range b.Servers {
		if program != "" && s.Program != program {
			continue
		}
		servers++
		who := s.Host + "/" + s.Program
		switch s.State {
		case collector.StateUp:
			up++
		case collector.StateStale:
			stale++
			rep.Add(Warning, "%s stale: last heard %v ago", who, b.Time.Sub(s.LastSeen).Round(time.Second))
		default:
			gone++
			rep.Add(Critical, "%s %s: last heard %v ago", who, s.State, b.Time.Sub(s.LastSeen).Round(time.Second))
		}
		for _, t := range s.Tasks {
			if t.Result == "failed" {
				failed++
				rep.Add(Critical, "%s task %s failed: %s", who, t.Name, t.Message)
			}
			if t.Overdue {
				overdue++
				rep.Add(Critical, "%s task %s overdue (last start %s)", who, t.Name, t.LastStart.Format(time.RFC3339))
			}
		}
		if before, ok := lostBefore[s.Sender]; ok && a != b && s.Lost > before {
			lost += s.Lost - before
			rep.Add(Warning, "%s lost %d messages in %v", who, s.Lost-before, b.Time.Sub(a.Time).Round(time.Millisecond))
		}
	}
	switch {
	case servers == 0 && program != "":
		rep.Add(Unknown, "no server runs %s", program)
	case len(rep.Findings) == 0:
		rep.Add(OK, "%d servers up", up)
	}
	rep.Perf = []Perf{
		{Label: "servers_up", Value: float64(up)},
		{Label: "servers_stale", Value: float64(stale)},
		{Label: "servers_gone", Value: float64(gone)},
		{Label: "tasks_failed", Value: float64(failed)},
		{Label: "tasks_overdue", Value: float64(overdue)},
	}
	if a != b {
		rep.Perf = append(rep.Perf, Perf{Label: "messages_lost", Value: float64(lost)})
	}
	return rep
}
