package collector

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/porthole-dev/porthole/collector/scoreboard"
	"github.com/porthole-dev/porthole/mlog"
)

// ScoreboardVersion is the version of the scoreboard JSON document.
const ScoreboardVersion = 1

// Server states.
const (
	StateUp    = "up"
	StateStale = "stale" // missed 3 announcements
	StateGone  = "gone"  // silent longer than Config.GoneAfter
)

// Scoreboard is the collector's picture of the bus: itself and every
// known server (a host and program), with its last-reported statistics.
// It is written as scoreboard.json and served at /scoreboard.json.
type Scoreboard struct {
	Version   int       `json:"version"`
	Time      time.Time `json:"time"`
	Collector Self      `json:"collector"`
	Servers   []Server  `json:"servers"`
	Jobs      []Job     `json:"jobs,omitempty"` // porthole run's jobs, kept across runs (jobs.go)
}

// Self describes the collector.
type Self struct {
	Host           string            `json:"host"`
	PID            int               `json:"pid"`
	Started        time.Time         `json:"started"`
	UptimeSeconds  float64           `json:"uptime_seconds"`
	Received       uint64            `json:"received"`
	Rejected       map[string]uint64 `json:"rejected"`
	Lost           uint64            `json:"lost"` // sequence numbers never received, all senders (the sum of the spool's gap records)
	Duplicates     uint64            `json:"duplicates"`
	Late           uint64            `json:"late"`            // arrived after being declared lost (not written)
	Old            uint64            `json:"old"`             // too far behind to tell late from duplicate (not written)
	Epochs         uint64            `json:"epochs"`          // sequence jumps beyond the sane window
	Unknown        uint64            `json:"unknown_start"`   // senders first heard after their first number
	Senders        int               `json:"senders"`         // senders tracked now
	SendersEvicted uint64            `json:"senders_evicted"` // dropped to respect the sender cap
	ServersEvicted uint64            `json:"servers_evicted"` // dropped to respect the server cap
	OneOff         uint64            `json:"one_off"`         // messages from one-off senders (porthole log), not servers
	IDConflicts    uint64            `json:"id_conflicts"`    // datagrams whose sender id another process uses
	KernelDrops    uint64            `json:"kernel_drops"`
	SpoolDir       string            `json:"spool_dir"`
	SpoolBytes     uint64            `json:"spool_bytes"`
	Written        uint64            `json:"written"`
	WriteErrors    uint64            `json:"write_errors"`
	LastWriteErr   string            `json:"last_write_error,omitempty"`
	SpoolDropped   uint64            `json:"spool_dropped"` // received but not written (queue full while the disk failed)
	Queued         int               `json:"queued"`
	Syslog         *SyslogSelf       `json:"syslog,omitempty"` // the syslog input, when on (syslog.go)
}

// Server is one process of a program on a host: two live processes of
// one program are two servers. A new sender for a host and program whose
// previous sender has gone silent (stale or gone) is that server
// restarted: Restarts counts it and PreviousPID shows the pid that went.
type Server struct {
	Host           string             `json:"host"`
	Program        string             `json:"program"`
	PID            int                `json:"pid"`
	Sender         string             `json:"sender"`
	FirstSeen      time.Time          `json:"first_seen"`
	LastSeen       time.Time          `json:"last_seen"`
	LastStats      time.Time          `json:"last_stats,omitempty"`
	State          string             `json:"state"`
	Restarts       int                `json:"restarts"`
	LastRestart    time.Time          `json:"last_restart,omitempty"`
	PreviousPID    int                `json:"previous_pid,omitempty"`    // the process the last restart replaced (gone)
	PreviousSender string             `json:"previous_sender,omitempty"` // its sender id
	Epochs         uint64             `json:"epochs,omitempty"`          // sequence jumps treated as a new start
	IDConflicts    uint64             `json:"id_conflicts,omitempty"`    // datagrams with this sender id from another pid or host
	Segment        string             `json:"segment,omitempty"`
	Counters       map[string]uint64  `json:"counters,omitempty"`
	Gauges         map[string]int64   `json:"gauges,omitempty"`
	Load           map[string]float64 `json:"load,omitempty"`
	Tasks          []mlog.TaskStat    `json:"tasks,omitempty"`
	Probes         []mlog.ProbeStat   `json:"probes,omitempty"`
	Levels         map[string]uint64  `json:"levels"`
	Lost           uint64             `json:"lost"`         // the sum of this server's gap records in the spool
	SenderDrops    uint64             `json:"sender_drops"` // records the sender dropped itself
	OverdueTasks   int                `json:"overdue_tasks"`
	FailedTasks    int                `json:"failed_tasks"`
	LastProblem    string             `json:"last_problem,omitempty"` // the last warning or error line, with its err attribute
	LastProblemAt  time.Time          `json:"last_problem_at,omitempty"`
}

func copyMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	c := make(map[K]V, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// ReadScoreboard reads a scoreboard file.
func ReadScoreboard(path string) (*Scoreboard, error) {
	return loadScoreboard(context.Background(), path)
}

// FetchScoreboard gets a scoreboard from a collector's HTTP server (a URL
// ending in /scoreboard.json, or the server's base URL).
func FetchScoreboard(ctx context.Context, url string) (*Scoreboard, error) {
	return loadScoreboard(ctx, url)
}

// loadScoreboard reads the document through the scoreboard reader (the
// one place a scoreboard is fetched) into the collector's full types.
func loadScoreboard(ctx context.Context, source string) (*Scoreboard, error) {
	b, from, err := scoreboard.Bytes(ctx, source)
	if err != nil {
		return nil, fmt.Errorf("collector: %w", err)
	}
	return parseScoreboard(b, from)
}

func parseScoreboard(b []byte, from string) (*Scoreboard, error) {
	var sb Scoreboard
	if err := json.Unmarshal(b, &sb); err != nil {
		return nil, fmt.Errorf("collector: scoreboard %s: %w", from, err)
	}
	if sb.Version != ScoreboardVersion {
		return nil, fmt.Errorf("collector: scoreboard %s: version %d, this reader knows %d", from, sb.Version, ScoreboardVersion)
	}
	return &sb, nil
}
