package collector

import (
	"log/slog"
	"sort"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// Messages and attributes porthole run sends for each run of a job (see
// internal/jobrun): "job started" and "job ended", each with the
// attribute job (its name) and start (when the run started); every and
// timeout when set; the end also ok, exit_code, signal, timed_out,
// duration and message; overlap on both when another run was running.
const (
	msgJobStarted = "job started"
	msgJobEnded   = "job ended"
	maxJobs       = 4096 // the table's bound: the least recently started job goes first
	maxRunning    = 16   // runs of one job tracked as running at once
)

// Job is a job run by porthole run as the collector knows it across
// runs, even while no process of it is alive.
type Job struct {
	Host         string        `json:"host"`
	Name         string        `json:"name"`
	Every        time.Duration `json:"every_ns,omitempty"`
	Timeout      time.Duration `json:"timeout_ns,omitempty"`
	Running      bool          `json:"running"`
	RunningSince time.Time     `json:"running_since,omitzero"`
	LastStart    time.Time     `json:"last_start"`
	LastEnd      time.Time     `json:"last_end,omitzero"`
	LastSuccess  time.Time     `json:"last_success,omitzero"`
	LastResult   string        `json:"last_result"` // "none", "ok" or "failed"
	LastMessage  string        `json:"last_message,omitempty"`
	Runs         uint64        `json:"runs"`     // ends heard
	Failures     uint64        `json:"failures"` // failed ends heard
	Overlaps     uint64        `json:"overlaps"` // runs started while another was running
	// Overdue: the next run did not start within 1.5 intervals of the last
	// start, or a run has lasted longer than its interval or its timeout.
	Overdue bool `json:"overdue"`

	running map[string]time.Time // sender -> start of its run
}

// jobTable keeps jobs by host and name. The zero value is ready.
type jobTable struct {
	jobs map[string]*Job
}

// observe takes a record of porthole run; others are ignored.
func (t *jobTable) observe(m *mlog.Received) {
	if m.Kind != mlog.KindLog || (m.Msg != msgJobStarted && m.Msg != msgJobEnded) {
		return
	}
	a := attrs(m.Attrs)
	name := str(a, "job")
	if name == "" {
		return
	}
	if t.jobs == nil {
		t.jobs = map[string]*Job{}
	}
	key := serverKey(m.Host, name)
	j := t.jobs[key]
	if j == nil {
		t.evict()
		j = &Job{Host: m.Host, Name: name, LastResult: "none", running: map[string]time.Time{}}
		t.jobs[key] = j
	}
	start := m.Time
	if v, ok := a["start"]; ok && v.Kind() == slog.KindTime {
		start = v.Time()
	}
	if v, ok := a["every"]; ok && v.Kind() == slog.KindDuration {
		j.Every = v.Duration()
	}
	if v, ok := a["timeout"]; ok && v.Kind() == slog.KindDuration {
		j.Timeout = v.Duration()
	}
	sender := senderHex(m.Sender)
	if start.After(j.LastStart) {
		j.LastStart = start
	}
	if m.Msg == msgJobStarted {
		if v, ok := a["overlap"]; ok && v.Kind() == slog.KindBool && v.Bool() {
			j.Overlaps++
		}
		if len(j.running) < maxRunning {
			j.running[sender] = start
		}
		return
	}
	delete(j.running, sender)
	j.Runs++
	v, ok := a["ok"]
	success := ok && v.Kind() == slog.KindBool && v.Bool()
	if !success {
		j.Failures++
	} else if m.Time.After(j.LastSuccess) {
		j.LastSuccess = m.Time
	}
	if !m.Time.Before(j.LastEnd) {
		j.LastEnd, j.LastMessage, j.LastResult = m.Time, str(a, "message"), "failed"
		if success {
			j.LastResult = "ok"
		}
	}
}

// str is a string attribute, or "".
func str(a map[string]slog.Value, key string) string {
	if v, ok := a[key]; ok && v.Kind() == slog.KindString {
		return v.String()
	}
	return ""
}

// evict makes room for one more job, dropping the one started longest ago.
func (t *jobTable) evict() {
	if len(t.jobs) < maxJobs {
		return
	}
	var oldest string
	for k, j := range t.jobs {
		if oldest == "" || j.LastStart.Before(t.jobs[oldest].LastStart) {
			oldest = k
		}
	}
	delete(t.jobs, oldest)
}

// copyAt returns copies of the jobs at now, in no order, with Running
// and Overdue worked out.
func (t *jobTable) copyAt(now time.Time) []Job {
	out := make([]Job, 0, len(t.jobs))
	for _, j := range t.jobs {
		c := *j
		c.running = nil
		c.Running, c.RunningSince = false, time.Time{}
		for _, since := range j.running {
			if !c.Running || since.Before(c.RunningSince) {
				c.Running, c.RunningSince = true, since
			}
		}
		c.Overdue = jobOverdue(c, now)
		out = append(out, c)
	}
	return out
}

// list returns the jobs at now, by host and name.
func (t *jobTable) list(now time.Time) []Job {
	out := t.copyAt(now)
	sortJobs(out)
	return out
}

// sortJobs orders jobs by host and name (outside the ingest lock: up to
// maxJobs of them).
func sortJobs(out []Job) {
	sort.Slice(out, func(i, k int) bool {
		if out[i].Host != out[k].Host {
			return out[i].Host < out[k].Host
		}
		return out[i].Name < out[k].Name
	})
}

// jobOverdue is shmstat.TaskValue.Overdue's rule (1.5 intervals between
// starts; a run no longer than its interval) plus the timeout: a run
// that outlives its timeout by a minute was not ended by porthole run.
func jobOverdue(j Job, now time.Time) bool {
	if j.Running && j.Timeout > 0 && now.Sub(j.RunningSince) > j.Timeout+time.Minute {
		return true
	}
	if j.Every <= 0 || j.LastStart.IsZero() {
		return false
	}
	if j.Running {
		return now.Sub(j.RunningSince) > j.Every
	}
	return now.Sub(j.LastStart) > j.Every+j.Every/2
}

// attrs indexes a record's attributes by key.
func attrs(as []slog.Attr) map[string]slog.Value {
	m := make(map[string]slog.Value, len(as))
	for _, a := range as {
		m[a.Key] = a.Value
	}
	return m
}
