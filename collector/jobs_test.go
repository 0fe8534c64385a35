package collector

import (
	"log/slog"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

func jobRecord(sender uint64, msg string, at time.Time, as ...slog.Attr) *mlog.Received {
	m := &mlog.Received{}
	m.Kind, m.Host, m.Program, m.Sender, m.Msg, m.Time = mlog.KindLog, "h", "backup", sender, msg, at
	m.Attrs = as
	return m
}

func TestJobTable(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	every := slog.Duration("every", time.Hour)
	job := slog.String("job", "backup")
	start := func(at time.Time) slog.Attr { return slog.Time("start", at) }
	var tb jobTable
	tb.observe(jobRecord(1, msgJobStarted, t0, job, start(t0), every))
	tb.observe(jobRecord(1, "unrelated", t0, job))
	tb.observe(jobRecord(2, msgJobStarted, t0.Add(time.Minute), job, start(t0.Add(time.Minute)), every, slog.Bool("overlap", true)))
	tb.observe(jobRecord(2, msgJobEnded, t0.Add(2*time.Minute), job, start(t0.Add(time.Minute)), every, slog.Bool("ok", true), slog.String("message", "ok in 1m")))
	tests := []struct {
		name string
		now  time.Time
		edit func()
		want func(j Job) bool
	}{
		{"the first run still runs", t0.Add(3 * time.Minute), nil, func(j Job) bool {
			return j.Running && j.RunningSince.Equal(t0) && j.Overlaps == 1 && j.Runs == 1 && j.LastResult == "ok" && !j.Overdue
		}},
		{"running longer than its interval", t0.Add(61 * time.Minute), nil, func(j Job) bool { return j.Running && j.Overdue }},
		{"ended failing", t0.Add(62 * time.Minute), func() {
			tb.observe(jobRecord(1, msgJobEnded, t0.Add(62*time.Minute), job, start(t0), every, slog.Bool("ok", false), slog.String("message", "exit status 3: disk full")))
		}, func(j Job) bool {
			return !j.Running && j.Runs == 2 && j.Failures == 1 && j.LastResult == "failed" && j.LastMessage == "exit status 3: disk full" &&
				j.LastSuccess.Equal(t0.Add(2*time.Minute)) && !j.Overdue
		}},
		{"no next run in 1.5 intervals", t0.Add(time.Minute + 91*time.Minute), nil, func(j Job) bool { return !j.Running && j.Overdue }},
	}
	for _, tc := range tests {
		if tc.edit != nil {
			tc.edit()
		}
		jobs := tb.list(tc.now)
		if len(jobs) != 1 || !tc.want(jobs[0]) {
			t.Errorf("%s: %+v", tc.name, jobs)
		}
	}
	// Bounded: the oldest job goes.
	for i := 0; i < maxJobs+10; i++ {
		tb.observe(jobRecord(uint64(i+10), msgJobStarted, t0, slog.String("job", string(rune('a'+i%26))+time.Duration(i).String()), start(t0.Add(time.Duration(i)))))
	}
	if len(tb.jobs) != maxJobs {
		t.Errorf("%d jobs kept, want the bound %d", len(tb.jobs), maxJobs)
	}
}
