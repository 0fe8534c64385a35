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
		if !wait(ctx, cfg.Window, rep) {
			return rep
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
	// A job's run is judged from the job table, which outlives its
	// processes: its server's task is not judged twice.
	jobs := judgeJobs(rep, b.Jobs, program, &failed, &overdue)
	servers += len(jobs)
	for _, s := range b.Servers {
		if program != "" && s.Program != program {
			continue
		}
		who := s.Host + "/" + s.Program
		if jobs[who] {
			// A job's process comes and goes: only losses matter here.
			countLost(rep, lostBefore, a, b, s, &lost)
			continue
		}
		servers++
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
		countLost(rep, lostBefore, a, b, s, &lost)
	}
	switch {
	case servers == 0 && program != "":
		rep.Add(Unknown, "no server runs %s", program)
	case len(rep.Findings) == 0 && len(jobs) > 0:
		rep.Add(OK, "%d servers up, %d jobs ok", up, len(jobs))
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

// countLost judges the messages server s lost between the readings a and b.
func countLost(rep *Report, lostBefore map[string]uint64, a, b *collector.Scoreboard, s collector.Server, lost *uint64) {
	if before, ok := lostBefore[s.Sender]; ok && a != b && s.Lost > before {
		*lost += s.Lost - before
		rep.Add(Warning, "%s/%s lost %d messages in %v", s.Host, s.Program, s.Lost-before, b.Time.Sub(a.Time).Round(time.Millisecond))
	}
}

// judgeJobs adds the findings of the jobs (of program, or all) and
// returns their "host/name" set.
func judgeJobs(rep *Report, list []collector.Job, program string, failed, overdue *int) map[string]bool {
	jobs := map[string]bool{}
	for _, j := range list {
		if program != "" && j.Name != program {
			continue
		}
		who := j.Host + "/" + j.Name
		jobs[who] = true
		if j.LastResult == "failed" {
			*failed++
			rep.Add(Critical, "job %s failed: %s", who, j.LastMessage)
		}
		if j.Overdue {
			*overdue++
			if j.Running {
				rep.Add(Critical, "job %s overdue: running since %s", who, j.RunningSince.Format(time.RFC3339))
			} else {
				rep.Add(Critical, "job %s overdue: last started %s", who, j.LastStart.Format(time.RFC3339))
			}
		}
	}
	return jobs
}
