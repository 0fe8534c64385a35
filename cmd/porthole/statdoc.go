package main

import (
	"fmt"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// statVersion is the version of the `porthole stat --json` document.
// docs/FORMAT.md ("porthole stat --json") describes the schema; bump the
// version on any change that could break a script.
const statVersion = 1

// statDoc is one sample of `porthole stat --json`.
type statDoc struct {
	Version    int           `json:"version"`
	Segment    string        `json:"segment"`
	Path       string        `json:"path"`
	Generation string        `json:"generation"`
	Owner      statOwner     `json:"owner"`
	Created    time.Time     `json:"created"`
	Time       time.Time     `json:"time"`
	Interval   float64       `json:"interval_seconds,omitempty"`
	Metrics    []statMetric  `json:"metrics"`
	Processes  []statProcess `json:"processes"`
}

type statOwner struct {
	PID       int    `json:"pid"`
	StartTime uint64 `json:"start_time"`
	Alive     bool   `json:"alive"`
}

type statMetric struct {
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	Unit        string    `json:"unit,omitempty"`
	Help        string    `json:"help,omitempty"`
	Value       any       `json:"value,omitempty"`
	Rate        *float64  `json:"rate,omitempty"`
	LoadPercent *float64  `json:"load_percent,omitempty"`
	Slot        *int      `json:"slot,omitempty"`
	Task        *statTask `json:"task,omitempty"`
}

type statTask struct {
	EverySeconds float64    `json:"every_seconds"`
	Running      bool       `json:"running"`
	RunningSince *time.Time `json:"running_since,omitempty"`
	LastStart    *time.Time `json:"last_start,omitempty"`
	LastEnd      *time.Time `json:"last_end,omitempty"`
	LastSuccess  *time.Time `json:"last_success,omitempty"`
	Result       string     `json:"result"`
	Message      string     `json:"message,omitempty"`
	Runs         uint64     `json:"runs"`
	Failures     uint64     `json:"failures"`
	Overdue      bool       `json:"overdue"`
}

type statProcess struct {
	Slot        int         `json:"slot"`
	PID         int         `json:"pid"`
	StartTime   uint64      `json:"start_time"`
	Role        string      `json:"role"`
	Alive       bool        `json:"alive"`
	Heartbeat   *time.Time  `json:"heartbeat,omitempty"`
	Flags       []string    `json:"flags"`
	LoadPercent *float64    `json:"load_percent,omitempty"`
	Probes      []statProbe `json:"probes"`
}

type statProbe struct {
	Name     string `json:"name"`
	Raw      string `json:"raw"`
	Location string `json:"location"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// buildStatDoc turns a snapshot (and the previous one, for rates and load)
// into a stat document.
func buildStatDoc(cur, prev *shmstat.Snapshot, res *shmstat.Resolver) *statDoc {
	d := &statDoc{
		Version:    statVersion,
		Segment:    cur.Name,
		Path:       cur.Path,
		Generation: fmt.Sprintf("%016x", cur.Generation),
		Owner:      statOwner{PID: cur.Owner.PID, StartTime: cur.Owner.StartTime, Alive: cur.OwnerAlive},
		Created:    cur.Created,
		Time:       cur.Taken,
		Metrics:    []statMetric{},
		Processes:  []statProcess{},
	}
	if prev != nil && prev.Generation != cur.Generation {
		prev = nil // a new segment: no rates across it
	}
	var secs float64
	if prev != nil {
		secs = float64(cur.Mono-prev.Mono) / 1e9
		d.Interval = secs
	}
	slotLoad := map[int]float64{}
	for _, m := range cur.Metrics {
		sm := statMetric{Name: m.Name, Kind: m.Kind.String(), Unit: m.Unit, Help: m.Help}
		var pm *shmstat.Metric
		if prev != nil {
			pm = prev.Metric(m.Kind, m.Name)
		}
		switch m.Kind {
		case shmstat.KindCounter, shmstat.KindSequence:
			sm.Value = m.Value
			if pm != nil && secs > 0 && m.Value >= pm.Value {
				r := float64(m.Value-pm.Value) / secs
				sm.Rate = &r
			}
		case shmstat.KindGauge:
			sm.Value = m.Int
		case shmstat.KindInfo:
			sm.Value = m.Text
		case shmstat.KindLoad:
			slot := m.Slot
			sm.Slot = &slot
			if pm != nil {
				p := shmstat.LoadPercent(pm.Load, m.Load, prev.Mono, cur.Mono)
				sm.LoadPercent = &p
				slotLoad[slot] = max(slotLoad[slot], p)
			}
		case shmstat.KindTask:
			t := m.Task
			st := &statTask{
				EverySeconds: t.Every.Seconds(), Running: t.Running,
				LastStart: timePtr(t.LastStart), LastEnd: timePtr(t.LastEnd), LastSuccess: timePtr(t.LastSuccess),
				Result: t.Result.String(), Message: t.Message, Runs: t.Runs, Failures: t.Failures,
				Overdue: t.Overdue(cur.Taken),
			}
			if t.Running {
				st.RunningSince = timePtr(t.LastStart)
			}
			sm.Task = st
		case shmstat.KindFlag:
			sm.Value = m.Bit
		case shmstat.KindProbe, shmstat.KindSite:
			sm.Value = m.Index
		}
		d.Metrics = append(d.Metrics, sm)
	}
	for _, sl := range cur.Slots {
		sp := statProcess{
			Slot: sl.Index, PID: sl.PID, StartTime: sl.StartTime, Role: sl.Role, Alive: sl.Alive,
			Heartbeat: timePtr(sl.Heartbeat), Flags: cur.FlagNames(sl.Flags), Probes: []statProbe{},
		}
		if sp.Flags == nil {
			sp.Flags = []string{}
		}
		if p, ok := slotLoad[sl.Index]; ok {
			sp.LoadPercent = &p
		}
		for _, m := range cur.Metrics {
			if m.Kind != shmstat.KindProbe || m.Index >= len(sl.Probes) {
				continue
			}
			sp.Probes = append(sp.Probes, statProbe{
				Name:     m.Name,
				Raw:      fmt.Sprintf("%#x", sl.Probes[m.Index]),
				Location: cur.ProbeLocation(res, sl, m.Index),
			})
		}
		d.Processes = append(d.Processes, sp)
	}
	return d
}

// humanAgo prints how long ago t was, or "never".
func humanAgo(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t).Round(time.Second)
	if d < 0 {
		d = 0
	}
	return d.String() + " ago"
}
