package scoreboard

import (
	"time"
)

// Version is the scoreboard document version this package reads.
const Version = 1

// Board is a scoreboard document (the fields this package uses).
type Board struct {
	Version   int       `json:"version"`
	Time      time.Time `json:"time"` // when the collector wrote it
	Collector Collector `json:"collector"`
	Servers   []Server  `json:"servers"`
	Jobs      []Job     `json:"jobs"` // porthole run's jobs
}

// Job is a job of porthole run, as the collector keeps it across runs.
type Job struct {
	Host         string        `json:"host"`
	Name         string        `json:"name"`
	Every        time.Duration `json:"every_ns"`
	Running      bool          `json:"running"`
	RunningSince time.Time     `json:"running_since"`
	LastStart    time.Time     `json:"last_start"`
	LastSuccess  time.Time     `json:"last_success"`
	LastResult   string        `json:"last_result"` // none, ok or failed
	LastMessage  string        `json:"last_message"`
	Runs         uint64        `json:"runs"`
	Failures     uint64        `json:"failures"`
	Overlaps     uint64        `json:"overlaps"`
	Overdue      bool          `json:"overdue"`
}

// Collector describes the collector that wrote the board.
type Collector struct {
	Host          string            `json:"host"`
	PID           int               `json:"pid"`
	UptimeSeconds float64           `json:"uptime_seconds"`
	Received      uint64            `json:"received"`
	Rejected      map[string]uint64 `json:"rejected"`
	Lost          uint64            `json:"lost"`
	SpoolBytes    uint64            `json:"spool_bytes"`
	WriteErrors   uint64            `json:"write_errors"`
	LastWriteErr  string            `json:"last_write_error"`
	Syslog        *Syslog           `json:"syslog"` // nil when the collector takes no syslog
}

// Syslog is the collector's syslog input (see docs/SPOOL.md).
type Syslog struct {
	Listen    string            `json:"listen"`
	Received  uint64            `json:"received"`
	Rejected  map[string]uint64 `json:"rejected"` // by reason, zeros too
	Truncated uint64            `json:"truncated"`
}

// Server is one host and program on the bus.
type Server struct {
	Host         string             `json:"host"`
	Program      string             `json:"program"`
	PID          int                `json:"pid"`
	State        string             `json:"state"` // up, stale or gone
	LastSeen     time.Time          `json:"last_seen"`
	Restarts     int                `json:"restarts"`
	Load         map[string]float64 `json:"load"` // percent, by meter name
	Tasks        []Task             `json:"tasks"`
	Lost         uint64             `json:"lost"`
	OverdueTasks int                `json:"overdue_tasks"`
	FailedTasks  int                `json:"failed_tasks"`
	LastProblem  string             `json:"last_problem"`
}

// Task is a periodic task of a server, as it last announced it.
type Task struct {
	Name    string `json:"Name"`
	Result  string `json:"Result"` // none, ok or failed
	Running bool   `json:"Running"`
	Overdue bool   `json:"Overdue"`
}
