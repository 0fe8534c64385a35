package tui

import "time"

// Snapshot is everything the views show at one refresh. It is built by
// the Model and never changed afterwards.
type Snapshot struct {
	Taken    time.Time
	Warming  bool   // the first build: no rates yet (they need two reads)
	Dir      string // where the segments were looked for
	Segments []SegmentView
	Cluster  ClusterView
	Errors   []string // sources that failed this time, with the reason
}

// SegmentView is one local segment.
type SegmentView struct {
	Name     string
	Alive    bool
	Detailed bool // values, tasks and probes were read (the selected segment)
	Sampling bool // its probes are being sampled for the histograms
	Err      string
	Slots    []SlotView
	Metrics  []MetricView
	Tasks    []TaskView
	Probes   []ProbeView
	Flags    []string // debug flags the segment knows
	Sparks   map[string][]float64
	// Failed counts values the segment's processes could not register
	// (segment full, name too long): they are missing from Metrics.
	Failed uint64
}

// SlotView is one process of a segment.
type SlotView struct {
	Slot      int
	PID       int
	StartTime uint64 // clock ticks since boot, to tell a reused pid apart
	Role      string
	Alive     bool
	Paused    bool
	Load      string // "42%" or "-"
	State     string // the kernel's word, short: run, sleep, disk, STOP (stopped by anyone), zomb; "" unknown
	CPU       string // "12%" of one core over the window, or "-"
	Uptime    string
	Flags     []string
}

// MetricView is one value row. The strings are what the panes show; the
// numbers are for sorting.
type MetricView struct {
	Name, Kind, Value, Rate, Total, Unit, Help string
	Spark                                      string // recent rates (counters) or values (gauges)

	Order   int     // registration order in the segment
	Num     float64 // the value as a number (HasNum)
	RateNum float64 // per second (HasRate)
	HasNum  bool
	HasRate bool
}

// TaskView is one periodic task.
type TaskView struct {
	Name         string
	Result       string
	LastSuccess  string
	RunningSince string
	Message      string
	Overdue      bool
	Failed       bool
}

// ProbeView is one probe of one process: where it is now and, from the
// sampler, where it has been.
type ProbeView struct {
	PID      int
	Role     string
	Probe    string
	Location string
	Hist     []Bar
}

// Bar is one histogram bar.
type Bar struct {
	Label string
	Share float64 // 0-1
}

// ClusterView is the collector's scoreboard and the log tail.
type ClusterView struct {
	Source    string
	Err       string
	Pending   bool   // the first refresh did not wait for the collector's answer
	Collector string // one line about the collector itself
	Servers   []ServerView
	Logs      []LogLine
	LogErr    string
	LogsSeen  uint64 // log lines received since the dashboard started
}

// ServerView is one scoreboard row.
type ServerView struct {
	Host, Program, State, LastSeen, Load, Tasks, Problem string
	PID                                                  int
	Lost                                                 uint64
	Overdue                                              bool
}

// LogLine is one message of the tail.
type LogLine struct {
	Time    time.Time
	Level   string
	Host    string
	Program string
	Text    string
}
