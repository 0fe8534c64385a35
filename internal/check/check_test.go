package check

import (
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/collector"
	"github.com/porthole-dev/porthole/mlog"
	"github.com/porthole-dev/porthole/shmstat"
)

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		in   string
		want Threshold
		err  bool
	}{
		{"queue_length>1000", Threshold{Metric: "queue_length", Op: ">", Value: 1000}, false},
		{"queue_length >= 5", Threshold{Metric: "queue_length", Op: ">=", Value: 5}, false},
		{"bytes_total/s<1e6", Threshold{Metric: "bytes_total", Rate: true, Op: "<", Value: 1e6}, false},
		{"x<=-2.5", Threshold{Metric: "x", Op: "<=", Value: -2.5}, false},
		{">5", Threshold{}, true},
		{"x=5", Threshold{}, true},
		{"x>", Threshold{}, true},
		{"x>abc", Threshold{}, true},
		{"/s>1", Threshold{}, true},
		{"a b>1", Threshold{}, true},
	}
	for _, tc := range tests {
		got, err := ParseThreshold(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseThreshold(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func FuzzParseThreshold(f *testing.F) {
	f.Add("queue_length>=1000")
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err == nil {
			th.Exceeded(1)
			th.Range()
			if _, err := ParseThreshold(th.String()); err != nil {
				t.Errorf("%q parsed to %v which does not parse again: %v", s, th, err)
			}
		}
	})
}

func TestPerfString(t *testing.T) {
	tests := []struct {
		p    Perf
		want string
	}{
		{Perf{Label: "queue_length", Value: 1200, Warn: "~:1000", Crit: "~:5000"}, "'queue_length'=1200;~:1000;~:5000"},
		{Perf{Label: "bytes", Value: 3, UOM: "c"}, "'bytes'=3c"},
		{Perf{Label: "it's", Value: 0.5, Crit: "1:"}, "'it''s'=0.5;;1:"},
		{Perf{Label: "a|b=c\n", Value: 1}, "'abc'=1"},
	}
	for _, tc := range tests {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestReportStatusAndLine(t *testing.T) {
	r := &Report{Name: "queued"}
	if r.Status() != OK || !strings.HasPrefix(r.Line(), "PORTHOLE OK - queued: no problem found") {
		t.Errorf("empty report: %v %q", r.Status(), r.Line())
	}
	r.Add(OK, "owner 1 up")
	r.Add(Warning, "w")
	if r.Status() != Warning || r.Line() != "PORTHOLE WARNING - queued: w" {
		t.Errorf("%v %q", r.Status(), r.Line())
	}
	r.Add(Unknown, "u")
	if r.Status() != Unknown {
		t.Errorf("unknown beats warning: %v", r.Status())
	}
	r.Add(Critical, "c|with\nnewline")
	r.Perf = []Perf{{Label: "x", Value: 1}}
	if r.Status() != Critical || r.Line() != "PORTHOLE CRITICAL - queued: c with newline; u; w | 'x'=1" {
		t.Errorf("%v %q", r.Status(), r.Line())
	}
}

func TestEvaluateSegment(t *testing.T) {
	now := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	base := func() *shmstat.Snapshot {
		return &shmstat.Snapshot{Name: "queued", Owner: shmstat.Process{PID: 10}, OwnerAlive: true, Mono: 1e9,
			Metrics: []shmstat.Metric{
				{Kind: shmstat.KindGauge, Name: "queue_length", Int: 1200},
				{Kind: shmstat.KindCounter, Name: "bytes_total", Value: 1000},
				{Kind: shmstat.KindTask, Name: "checkpoint", Task: shmstat.TaskValue{Every: time.Minute, LastStart: now.Add(-30 * time.Second), Result: shmstat.ResultOK}},
			}}
	}
	later := func(s *shmstat.Snapshot) *shmstat.Snapshot {
		c := *s
		c.Metrics = append([]shmstat.Metric(nil), s.Metrics...)
		c.Metrics[1].Value += 500
		c.Mono += 2e9
		return &c
	}
	th := func(s string) []Threshold {
		x, err := ParseThreshold(s)
		if err != nil {
			t.Fatal(err)
		}
		return []Threshold{x}
	}
	tests := []struct {
		name       string
		edit       func(*shmstat.Snapshot)
		warn, crit []Threshold
		want       Status
		text, perf string
	}{
		{"all well", nil, nil, nil, OK, "owner 10 up; 1 task ok", "'tasks_failed'=0 'tasks_overdue'=0"},
		{"two tasks", func(s *shmstat.Snapshot) {
			vacuum := s.Metrics[2]
			vacuum.Name = "vacuum"
			s.Metrics = append(s.Metrics, vacuum)
		}, nil, nil, OK, "owner 10 up; 2 tasks ok", "'tasks_failed'=0 'tasks_overdue'=0"},
		{"owner dead", func(s *shmstat.Snapshot) { s.OwnerAlive = false }, nil, nil, Critical, "owner 10 is dead", ""},
		{"task failed", func(s *shmstat.Snapshot) {
			s.Metrics[2].Task.Result, s.Metrics[2].Task.Message = shmstat.ResultFailed, "disk full"
		}, nil, nil, Critical, "task checkpoint failed: disk full", "'tasks_failed'=1"},
		{"task overdue", func(s *shmstat.Snapshot) { s.Metrics[2].Task.LastStart = now.Add(-2 * time.Minute) }, nil, nil,
			Critical, "task checkpoint overdue: last started 2m0s ago (every 1m0s)", "'tasks_overdue'=1"},
		{"task hung", func(s *shmstat.Snapshot) {
			s.Metrics[2].Task.Running, s.Metrics[2].Task.LastStart = true, now.Add(-70*time.Second)
		}, nil, nil, Critical, "running for 1m10s", ""},
		{"gauge over warn", nil, th("queue_length>1000"), th("queue_length>5000"), Warning,
			"queue_length = 1200 (queue_length>1000)", "'queue_length'=1200;~:1000;~:5000"},
		{"gauge over crit", nil, th("queue_length>1000"), th("queue_length>=1200"), Critical, "queue_length = 1200 (queue_length>=1200)", ""},
		{"rate under", nil, nil, th("bytes_total/s<1000"), Critical, "bytes_total_per_second = 250", "'bytes_total_per_second'=250;;1000:"},
		{"rate fine", nil, th("bytes_total/s<100"), nil, OK, "owner 10 up", "'bytes_total_per_second'=250;100:"},
		{"counter", nil, th("bytes_total>1400"), nil, Warning, "bytes_total = 1500", "'bytes_total'=1500c;~:1400"},
		{"job between runs", func(s *shmstat.Snapshot) {
			s.OwnerAlive = false
			s.Metrics = append(s.Metrics, shmstat.Metric{Kind: shmstat.KindInfo, Name: "porthole_job", Text: "backup"})
		}, nil, nil, OK, "job not running; 1 task ok", ""},
		{"job run died", func(s *shmstat.Snapshot) {
			s.OwnerAlive = false
			s.Metrics[2].Name, s.Metrics[2].Task.Running = "run", true
			s.Metrics = append(s.Metrics, shmstat.Metric{Kind: shmstat.KindInfo, Name: "porthole_job", Text: "backup"})
		}, nil, nil, Critical, "job run 10 died without recording its end", ""},
		{"job overdue", func(s *shmstat.Snapshot) {
			s.OwnerAlive = false
			s.Metrics[2].Task.LastStart = now.Add(-2 * time.Minute)
			s.Metrics = append(s.Metrics, shmstat.Metric{Kind: shmstat.KindInfo, Name: "porthole_job", Text: "backup"})
		}, nil, nil, Critical, "task checkpoint overdue", ""},
		{"unknown metric", nil, th("nope>1"), nil, Unknown, `queued has no gauge or counter "nope"`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := base()
			if tc.edit != nil {
				tc.edit(a)
			}
			b := later(a)
			r := EvaluateSegment(a, b, tc.warn, tc.crit, now)
			line := r.Line()
			if r.Status() != tc.want || !strings.Contains(line, tc.text) || !strings.Contains(line, tc.perf) {
				t.Errorf("%v %q; want %v with %q and %q", r.Status(), line, tc.want, tc.text, tc.perf)
			}
		})
	}
}

func TestEvaluateScoreboard(t *testing.T) {
	now := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	server := func(prog, state string, lost uint64, tasks ...mlog.TaskStat) collector.Server {
		return collector.Server{Host: "vm", Program: prog, Sender: prog, State: state, LastSeen: now.Add(-5 * time.Second), Lost: lost, Tasks: tasks}
	}
	board := func(ss ...collector.Server) *collector.Scoreboard {
		return &collector.Scoreboard{Time: now, Servers: ss}
	}
	ok := board(server("queued", "up", 3), server("muxd", "up", 0))
	tests := []struct {
		name    string
		a, b    *collector.Scoreboard
		program string
		want    Status
		text    string
	}{
		{"all up", ok, ok, "", OK, "2 servers up | 'servers_up'=2 'servers_stale'=0 'servers_gone'=0 'tasks_failed'=0 'tasks_overdue'=0"},
		{"stale", ok, board(server("queued", "stale", 3)), "", Warning, "vm/queued stale: last heard 5s ago"},
		{"gone", ok, board(server("queued", "gone", 3)), "", Critical, "vm/queued gone"},
		{"task failed", ok, board(server("replicate", "up", 0, mlog.TaskStat{Name: "replication", Result: "failed", Message: "checksum"})), "",
			Critical, "vm/replicate task replication failed: checksum"},
		{"task overdue", ok, board(server("replicate", "gone", 0, mlog.TaskStat{Name: "replication", Result: "ok", Overdue: true})), "",
			Critical, "vm/replicate task replication overdue"},
		{"lost during the check", ok, board(server("queued", "up", 10), server("muxd", "up", 0)), "", Warning, "vm/queued lost 7 messages"},
		{"job failed, its process gone", ok, func() *collector.Scoreboard {
			sb := board(server("queued", "up", 3), server("nightly", "gone", 0, mlog.TaskStat{Name: "run", Result: "failed"}))
			sb.Jobs = []collector.Job{{Host: "vm", Name: "nightly", LastResult: "failed", LastMessage: "exit status 1: no space"}}
			return sb
		}(), "", Critical, "PORTHOLE CRITICAL - http://x: job vm/nightly failed: exit status 1: no space |"},
		{"job overdue", ok, func() *collector.Scoreboard {
			sb := board(server("queued", "up", 3))
			sb.Jobs = []collector.Job{{Host: "vm", Name: "nightly", LastResult: "ok", Overdue: true, LastStart: now.Add(-48 * time.Hour)}}
			return sb
		}(), "", Critical, "job vm/nightly overdue: last started"},
		{"job fine between runs", ok, func() *collector.Scoreboard {
			sb := board(server("queued", "up", 3), server("nightly", "gone", 0))
			sb.Jobs = []collector.Job{{Host: "vm", Name: "nightly", LastResult: "ok"}}
			return sb
		}(), "", OK, "1 servers up, 1 jobs ok"},
		{"filter", ok, board(server("queued", "gone", 3), server("muxd", "up", 0)), "muxd", OK, "1 servers up"},
		{"filter matches nothing", ok, ok, "nosuch", Unknown, "no server runs nosuch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := EvaluateScoreboard("http://x", tc.a, tc.b, tc.program)
			if r.Status() != tc.want || !strings.Contains(r.Line(), tc.text) {
				t.Errorf("%v %q; want %v with %q", r.Status(), r.Line(), tc.want, tc.text)
			}
		})
	}
	// One reading: losses are not judged.
	if r := EvaluateScoreboard("x", ok, ok, ""); strings.Contains(r.Line(), "messages_lost") {
		t.Errorf("one reading reports losses: %q", r.Line())
	}
}
