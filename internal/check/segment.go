package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/porthole-dev/porthole/internal/jobrun"
	"github.com/porthole-dev/porthole/internal/numfmt"
	"github.com/porthole-dev/porthole/shmstat"
)

// SegmentConfig says which segment to check and against what.
type SegmentConfig struct {
	Segment    string // name or path
	Dir        string // segment directory; default shmstat.DefaultDir()
	Warn, Crit []Threshold
	// Window is the time between the two readings a rate threshold needs;
	// default 1 s. Without rate thresholds one reading is taken.
	Window time.Duration
}

// Segment checks a local segment.
func Segment(ctx context.Context, cfg SegmentConfig) *Report {
	rep := &Report{Name: cfg.Segment}
	r, err := shmstat.Open(cfg.Segment, &shmstat.Options{Dir: cfg.Dir})
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			rep.Add(Critical, "no segment: not running")
		} else {
			rep.Add(Unknown, "%v", err)
		}
		return rep
	}
	defer r.Close()
	a, err := r.Snapshot()
	if err != nil {
		rep.Add(Unknown, "%v", err)
		return rep
	}
	b := a
	if needsRate(cfg.Warn) || needsRate(cfg.Crit) {
		if cfg.Window <= 0 {
			cfg.Window = time.Second
		}
		if !wait(ctx, cfg.Window, rep) {
			return rep
		}
		if b, err = r.Snapshot(); err != nil {
			rep.Add(Unknown, "%v", err)
			return rep
		}
		if r.Replaced() || b.Generation != a.Generation {
			rep.Add(Unknown, "the segment was replaced during the check")
			return rep
		}
	}
	return EvaluateSegment(a, b, cfg.Warn, cfg.Crit, time.Now())
}

func needsRate(ts []Threshold) bool {
	for _, t := range ts {
		if t.Rate {
			return true
		}
	}
	return false
}

// EvaluateSegment judges the reading b (a is an earlier reading of the
// same segment, for rates; a == b when none is needed) at time now.
func EvaluateSegment(a, b *shmstat.Snapshot, warn, crit []Threshold, now time.Time) *Report {
	rep := &Report{Name: b.Name}
	owner(rep, b)
	var tasks, failed, overdue int
	for _, m := range b.Metrics {
		if m.Kind != shmstat.KindTask {
			continue
		}
		tasks++
		t := m.Task
		if t.Result == shmstat.ResultFailed {
			failed++
			rep.Add(Critical, "task %s failed: %s", m.Name, t.Message)
		}
		if t.Overdue(now) {
			overdue++
			if t.Running {
				rep.Add(Critical, "task %s overdue: running for %v (every %v)", m.Name, now.Sub(t.LastStart).Round(time.Second), t.Every)
			} else {
				rep.Add(Critical, "task %s overdue: last started %v ago (every %v)", m.Name, now.Sub(t.LastStart).Round(time.Second), t.Every)
			}
		}
	}
	if tasks > 0 {
		if failed+overdue == 0 {
			rep.Add(OK, "%s ok", numfmt.Plural(tasks, "task", "tasks"))
		}
		rep.Perf = append(rep.Perf, Perf{Label: "tasks_failed", Value: float64(failed)}, Perf{Label: "tasks_overdue", Value: float64(overdue)})
	}
	thresholds(rep, a, b, warn, crit)
	return rep
}

// owner judges the owner: a daemon's must be alive; a job's (porthole
// run) is alive only while it runs, but must not die while its task says
// it is running.
func owner(rep *Report, b *shmstat.Snapshot) {
	job := b.Metric(shmstat.KindInfo, jobrun.InfoJob) != nil
	running := false
	if t := b.Metric(shmstat.KindTask, jobrun.TaskName); t != nil {
		running = t.Task.Running
	}
	switch {
	case b.OwnerAlive && job:
		rep.Add(OK, "job running (pid %d)", b.Owner.PID)
	case b.OwnerAlive:
		rep.Add(OK, "owner %d up", b.Owner.PID)
	case job && running:
		rep.Add(Critical, "job run %d died without recording its end", b.Owner.PID)
	case job:
		rep.Add(OK, "job not running")
	default:
		rep.Add(Critical, "owner %d is dead", b.Owner.PID)
	}
}

// thresholds adds a finding per threshold crossed (CRITICAL before
// WARNING for one value) and a perfdata item per value.
func thresholds(rep *Report, a, b *shmstat.Snapshot, warn, crit []Threshold) {
	perf := map[string]int{} // label -> index in rep.Perf
	judged := map[string]bool{}
	for _, set := range []struct {
		ts     []Threshold
		status Status
	}{{crit, Critical}, {warn, Warning}} {
		for _, t := range set.ts {
			v, uom, err := value(a, b, t)
			if err != nil {
				rep.Add(Unknown, "%v", err)
				continue
			}
			i, ok := perf[t.Label()]
			if !ok {
				i = len(rep.Perf)
				perf[t.Label()] = i
				rep.Perf = append(rep.Perf, Perf{Label: t.Label(), Value: v, UOM: uom})
			}
			if set.status == Critical {
				rep.Perf[i].Crit = t.Range()
			} else {
				rep.Perf[i].Warn = t.Range()
			}
			if t.Exceeded(v) && !judged[t.Label()] {
				judged[t.Label()] = true
				rep.Add(set.status, "%s = %s (%s)", t.Label(), formatValue(v), t)
			}
		}
	}
}

// value reads the threshold's value: a gauge, a counter, or a rate.
func value(a, b *shmstat.Snapshot, t Threshold) (float64, string, error) {
	if !t.Rate {
		if m := b.Metric(shmstat.KindGauge, t.Metric); m != nil {
			return float64(m.Int), "", nil
		}
	}
	ca, cb := counter(a, t.Metric), counter(b, t.Metric)
	switch {
	case cb == nil:
		return 0, "", fmt.Errorf("%s has no gauge or counter %q", b.Name, t.Metric)
	case !t.Rate:
		return float64(cb.Value), "c", nil
	case ca == nil || b.Mono <= a.Mono || cb.Value < ca.Value:
		return 0, "", fmt.Errorf("no rate for %s: need two readings of the counter", t.Metric)
	}
	return float64(cb.Value-ca.Value) / (float64(b.Mono-a.Mono) / 1e9), "", nil
}

func counter(s *shmstat.Snapshot, name string) *shmstat.Metric {
	if m := s.Metric(shmstat.KindCounter, name); m != nil {
		return m
	}
	return s.Metric(shmstat.KindSequence, name)
}

// wait sleeps d; when ctx ends first it adds UNKNOWN to rep and reports false.
func wait(ctx context.Context, d time.Duration, rep *Report) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		rep.Add(Unknown, "interrupted: %v", ctx.Err())
		return false
	case <-t.C:
		return true
	}
}
