package view

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// DocVersion is the version of the `porthole stat --json` document.
// docs/FORMAT.md ("porthole stat --json") describes the schema; the
// version is bumped on any change that could break a script.
const DocVersion = 1

// Doc is one sample of `porthole stat --json`.
type Doc struct {
	Version    int          `json:"version"`
	Segment    string       `json:"segment"`
	Path       string       `json:"path"`
	Generation string       `json:"generation"` // 16 hex digits
	Owner      DocOwner     `json:"owner"`
	Created    time.Time    `json:"created"`
	Time       time.Time    `json:"time"`
	Interval   float64      `json:"interval_seconds,omitempty"` // the rate and load window
	Metrics    []DocMetric  `json:"metrics"`
	Processes  []DocProcess `json:"processes"`
	// FailedRegistrations counts values the segment's processes could
	// not register (segment full, name too long): they are not in Metrics.
	FailedRegistrations uint64 `json:"failed_registrations,omitempty"`
}

// DocOwner is the process that created the segment.
type DocOwner struct {
	PID       int    `json:"pid"`
	StartTime uint64 `json:"start_time"`
	Alive     bool   `json:"alive"`
}

// DocMetric is one registered value. Value holds a uint64 (counter,
// sequence), an int64 (gauge), a string (info) or an int (flag: its bit;
// probe: its word index; site: its index), also after decoding from JSON.
type DocMetric struct {
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Unit        string   `json:"unit,omitempty"`
	Help        string   `json:"help,omitempty"`
	Value       any      `json:"value,omitempty"`
	Rate        *float64 `json:"rate,omitempty"`
	LoadPercent *float64 `json:"load_percent,omitempty"`
	Slot        *int     `json:"slot,omitempty"` // set for one process's record (load, task, info, per-process counter or gauge)
	Task        *DocTask `json:"task,omitempty"`
}

// DocTask is the state of a periodic task.
type DocTask struct {
	EverySeconds float64    `json:"every_seconds"`
	Running      bool       `json:"running"`
	RunningSince *time.Time `json:"running_since,omitempty"`
	LastStart    *time.Time `json:"last_start,omitempty"`
	LastEnd      *time.Time `json:"last_end,omitempty"`
	LastSuccess  *time.Time `json:"last_success,omitempty"`
	Result       string     `json:"result"` // "none", "ok" or "failed"
	Message      string     `json:"message,omitempty"`
	Runs         uint64     `json:"runs"`
	Failures     uint64     `json:"failures"`
	Overdue      bool       `json:"overdue"`
}

// DocProcess is one process slot.
type DocProcess struct {
	Slot        int        `json:"slot"`
	PID         int        `json:"pid"`
	StartTime   uint64     `json:"start_time"`
	Role        string     `json:"role"`
	Alive       bool       `json:"alive"`
	Heartbeat   *time.Time `json:"heartbeat,omitempty"`
	Flags       []string   `json:"flags"`
	LoadPercent *float64   `json:"load_percent,omitempty"`
	State       string     `json:"state,omitempty"`       // the kernel's: running, sleeping, disk wait, stopped...
	CPUPercent  *float64   `json:"cpu_percent,omitempty"` // share of one core over the window
	Probes      []DocProbe `json:"probes"`
}

// DocProbe is one probe word of a process.
type DocProbe struct {
	Name     string `json:"name"`
	Raw      string `json:"raw"` // "0x..."
	Location string `json:"location"`
}

// Doc returns the stat document of the view.
func (seg *Segment) Doc() *Doc {
	s := seg.Snap
	d := &Doc{
		Version:             DocVersion,
		Segment:             s.Name,
		Path:                s.Path,
		Generation:          fmt.Sprintf("%016x", s.Generation),
		Owner:               DocOwner{PID: s.Owner.PID, StartTime: s.Owner.StartTime, Alive: s.OwnerAlive},
		Created:             s.Created,
		Time:                s.Taken,
		Interval:            seg.Window.Seconds(),
		Metrics:             make([]DocMetric, 0, len(seg.Values)),
		Processes:           make([]DocProcess, 0, len(seg.Slots)),
		FailedRegistrations: s.FailedRegistrations,
	}
	for i := range seg.Values {
		d.Metrics = append(d.Metrics, docMetric(&seg.Values[i]))
	}
	for i := range seg.Slots {
		p := &seg.Slots[i]
		sl := p.Slot
		dp := DocProcess{
			Slot: sl.Index, PID: sl.PID, StartTime: sl.StartTime, Role: sl.Role, Alive: sl.Alive,
			Heartbeat: timePtr(sl.Heartbeat), Flags: p.Flags, Probes: make([]DocProbe, 0, len(p.Probes)),
		}
		if dp.Flags == nil {
			dp.Flags = []string{}
		}
		if p.HasLoad {
			dp.LoadPercent = floatPtr(p.Load)
		}
		dp.State = p.State
		if p.HasCPU {
			dp.CPUPercent = floatPtr(p.CPU)
		}
		for _, pr := range p.Probes {
			dp.Probes = append(dp.Probes, DocProbe{Name: pr.Name, Raw: "0x" + strconv.FormatUint(pr.Raw, 16), Location: pr.Location})
		}
		d.Processes = append(d.Processes, dp)
	}
	return d
}

func docMetric(v *Value) DocMetric {
	m := v.Metric
	dm := DocMetric{Name: m.Name, Kind: m.Kind.String(), Unit: m.Unit, Help: m.Help}
	if m.PerProcess { // one process's record: which slot wrote it
		slot := m.Slot
		dm.Slot = &slot
	}
	switch m.Kind {
	case shmstat.KindCounter, shmstat.KindSequence:
		dm.Value = m.Value
		if v.HasRate {
			dm.Rate = floatPtr(v.Rate)
		}
	case shmstat.KindGauge:
		dm.Value = m.Int
	case shmstat.KindInfo:
		dm.Value = m.Text
	case shmstat.KindLoad:
		if v.HasLoad {
			dm.LoadPercent = floatPtr(v.Load)
		}
	case shmstat.KindTask:
		t := v.Task
		dm.Task = &DocTask{
			EverySeconds: t.Every.Seconds(), Running: t.Running, RunningSince: timePtr(t.RunningSince),
			LastStart: timePtr(t.LastStart), LastEnd: timePtr(t.LastEnd), LastSuccess: timePtr(t.LastSuccess),
			Result: t.Result.String(), Message: t.Message, Runs: t.Runs, Failures: t.Failures, Overdue: t.Overdue,
		}
	case shmstat.KindFlag:
		dm.Value = m.Bit
	case shmstat.KindProbe, shmstat.KindSite:
		dm.Value = m.Index
	}
	return dm
}

// UnmarshalJSON decodes a metric, giving Value the Go type of its kind
// (see DocMetric), so that a counter near 2^64 comes back exact.
func (dm *DocMetric) UnmarshalJSON(b []byte) error {
	type plain DocMetric // no methods: no recursion
	var p struct {
		plain
		Value json.RawMessage `json:"value,omitempty"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*dm = DocMetric(p.plain)
	dm.Value = nil
	if len(p.Value) == 0 || bytes.Equal(p.Value, []byte("null")) {
		return nil
	}
	var err error
	switch dm.Kind {
	case "counter", "sequence":
		var u uint64
		err = json.Unmarshal(p.Value, &u)
		dm.Value = u
	case "gauge":
		var n int64
		err = json.Unmarshal(p.Value, &n)
		dm.Value = n
	case "info":
		var s string
		err = json.Unmarshal(p.Value, &s)
		dm.Value = s
	case "flag", "probe", "site":
		var n int
		err = json.Unmarshal(p.Value, &n)
		dm.Value = n
	default: // a kind this reader does not know: keep what JSON says
		var x any
		err = json.Unmarshal(p.Value, &x)
		dm.Value = x
	}
	if err != nil {
		return fmt.Errorf("view: stat document: value of %s %q: %w", dm.Kind, dm.Name, err)
	}
	return nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func floatPtr(f float64) *float64 { return &f }
