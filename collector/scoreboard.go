package collector

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"time"

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
	Host          string            `json:"host"`
	PID           int               `json:"pid"`
	Started       time.Time         `json:"started"`
	UptimeSeconds float64           `json:"uptime_seconds"`
	Received      uint64            `json:"received"`
	Rejected      map[string]uint64 `json:"rejected"`
	Lost          uint64            `json:"lost"` // sequence numbers never received, all senders
	Duplicates    uint64            `json:"duplicates"`
	KernelDrops   uint64            `json:"kernel_drops"`
	SpoolDir      string            `json:"spool_dir"`
	SpoolBytes    uint64            `json:"spool_bytes"`
	Written       uint64            `json:"written"`
	WriteErrors   uint64            `json:"write_errors"`
	LastWriteErr  string            `json:"last_write_error,omitempty"`
	SpoolDropped  uint64            `json:"spool_dropped"` // received but not written (queue full while the disk failed)
	Queued        int               `json:"queued"`
}

// Server is one host and program on the bus.
type Server struct {
	Host          string             `json:"host"`
	Program       string             `json:"program"`
	PID           int                `json:"pid"`
	Sender        string             `json:"sender"`
	FirstSeen     time.Time          `json:"first_seen"`
	LastSeen      time.Time          `json:"last_seen"`
	LastStats     time.Time          `json:"last_stats,omitempty"`
	State         string             `json:"state"`
	Restarts      int                `json:"restarts"`
	LastRestart   time.Time          `json:"last_restart,omitempty"`
	Segment       string             `json:"segment,omitempty"`
	Counters      map[string]uint64  `json:"counters,omitempty"`
	Gauges        map[string]int64   `json:"gauges,omitempty"`
	Load          map[string]float64 `json:"load,omitempty"`
	Tasks         []mlog.TaskStat    `json:"tasks,omitempty"`
	Probes        []mlog.ProbeStat   `json:"probes,omitempty"`
	Levels        map[string]uint64  `json:"levels"`
	Lost          uint64             `json:"lost"`
	SenderDrops   uint64             `json:"sender_drops"` // records the sender dropped itself
	OverdueTasks  int                `json:"overdue_tasks"`
	FailedTasks   int                `json:"failed_tasks"`
	LastProblem   string             `json:"last_problem,omitempty"` // the last warning or error line
	LastProblemAt time.Time          `json:"last_problem_at,omitempty"`
}

// board keeps servers between scoreboard writes. Not safe for concurrent
// use; the Collector holds its lock.
type board struct {
	servers map[string]*Server // by host + "\x00" + program
	senders map[uint64]string  // sender id -> server key
	lastSeq map[uint64]uint64
	every   map[string]time.Duration // announcement interval seen, by server
	jobs    jobTable
}

func newBoard() *board {
	return &board{servers: map[string]*Server{}, senders: map[uint64]string{}, lastSeq: map[uint64]uint64{}, every: map[string]time.Duration{}}
}

func serverKey(host, program string) string { return host + "\x00" + program }

// observe updates the server a message came from.
func (b *board) observe(m *mlog.Received) {
	b.jobs.observe(m)
	key := serverKey(m.Host, m.Program)
	s := b.servers[key]
	sid := senderHex(m.Sender)
	if s == nil {
		s = &Server{Host: m.Host, Program: m.Program, FirstSeen: m.RecvTime, Sender: sid, PID: m.PID, Levels: map[string]uint64{}}
		b.servers[key] = s
	} else if s.Sender != sid {
		// A new sender id for the same host and program: a restart.
		if _, old := b.senders[m.Sender]; !old {
			s.Restarts++
			s.LastRestart = m.RecvTime
			s.Sender, s.PID = sid, m.PID
		}
	}
	b.senders[m.Sender] = key
	s.LastSeen = m.RecvTime
	s.SenderDrops += m.Dropped
	if last, ok := b.lastSeq[m.Sender]; ok && m.Seq > last+1 {
		s.Lost += m.Seq - last - 1
	}
	if m.Seq > b.lastSeq[m.Sender] {
		b.lastSeq[m.Sender] = m.Seq
	}
	switch m.Kind {
	case mlog.KindLog:
		s.Levels[m.Level.String()]++
		if m.Level >= 4 { // warn and above
			s.LastProblem = fmt.Sprintf("%s %s", m.Level, m.Msg)
			s.LastProblemAt = m.Time
		}
	case mlog.KindStats:
		if !s.LastStats.IsZero() && m.Stats.Part == 0 {
			if d := m.RecvTime.Sub(s.LastStats); d > 0 {
				b.every[key] = d
			}
		}
		if m.Stats.Part == 0 {
			s.LastStats = m.RecvTime
			s.Counters, s.Gauges, s.Load = map[string]uint64{}, map[string]int64{}, map[string]float64{}
			s.Tasks, s.Probes = nil, nil
		}
		b.applyStats(s, m.Stats)
	}
}

func (b *board) applyStats(s *Server, st *mlog.Stats) {
	if s.Counters == nil {
		s.Counters, s.Gauges, s.Load = map[string]uint64{}, map[string]int64{}, map[string]float64{}
	}
	s.Segment = st.Segment
	for _, c := range st.Counters {
		s.Counters[c.Name] = c.Value
	}
	for _, g := range st.Gauges {
		s.Gauges[g.Name] = g.Value
	}
	for _, l := range st.Loads {
		s.Load[l.Name] = l.Percent
	}
	s.Tasks = append(s.Tasks, st.Tasks...)
	s.Probes = append(s.Probes, st.Probes...)
	s.OverdueTasks, s.FailedTasks = 0, 0
	for _, t := range s.Tasks {
		if t.Overdue {
			s.OverdueTasks++
		}
		if t.Result == "failed" {
			s.FailedTasks++
		}
	}
}

// refresh sets each server's state at now and forgets long-gone ones.
func (b *board) refresh(now time.Time, goneAfter, forgetAfter time.Duration) {
	for key, s := range b.servers {
		every := b.every[key]
		if every <= 0 {
			every = time.Second
		}
		last := s.LastSeen
		if !s.LastStats.IsZero() {
			last = s.LastStats
		}
		silent := now.Sub(s.LastSeen)
		switch {
		case forgetAfter > 0 && silent > forgetAfter:
			delete(b.servers, key)
			for id, k := range b.senders {
				if k == key {
					delete(b.senders, id)
					delete(b.lastSeq, id)
				}
			}
			continue
		case silent > goneAfter:
			s.State = StateGone
		case now.Sub(last) > 3*every+every/2:
			s.State = StateStale
		default:
			s.State = StateUp
		}
	}
}

// list returns copies of the servers sorted by host and program.
func (b *board) list() []Server {
	out := make([]Server, 0, len(b.servers))
	for _, s := range b.servers {
		c := *s
		c.Counters = copyMap(s.Counters)
		c.Gauges = copyMap(s.Gauges)
		c.Load = copyMap(s.Load)
		c.Levels = copyMap(s.Levels)
		c.Tasks = append([]mlog.TaskStat(nil), s.Tasks...)
		c.Probes = append([]mlog.ProbeStat(nil), s.Probes...)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Host != out[j].Host {
			return out[i].Host < out[j].Host
		}
		return out[i].Program < out[j].Program
	})
	return out
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
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("collector: read scoreboard: %w", err)
	}
	return parseScoreboard(b, path)
}

// FetchScoreboard gets a scoreboard from a collector's HTTP server (a URL
// ending in /scoreboard.json, or the server's base URL).
func FetchScoreboard(ctx context.Context, url string) (*Scoreboard, error) {
	if len(url) < len("/scoreboard.json") || url[len(url)-len("/scoreboard.json"):] != "/scoreboard.json" {
		url = trimSlash(url) + "/scoreboard.json"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("collector: fetch scoreboard: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("collector: fetch scoreboard: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("collector: fetch scoreboard %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("collector: fetch scoreboard: %w", err)
	}
	return parseScoreboard(b, url)
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
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
