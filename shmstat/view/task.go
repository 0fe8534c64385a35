package view

import (
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// Task is the state of a periodic task as a reader shows it.
type Task struct {
	Every        time.Duration
	Running      bool
	RunningSince time.Time // the start of the current run; zero when not running
	LastStart    time.Time // zero: never started
	LastEnd      time.Time
	LastSuccess  time.Time
	Result       shmstat.TaskResult
	Success      bool // the last finished run succeeded
	Failed       bool // the last finished run failed
	Message      string
	Runs         uint64
	Failures     uint64
	Overdue      bool // see shmstat.TaskValue.Overdue, at the snapshot's time
}

// taskOf works out the state of t at now.
func taskOf(t shmstat.TaskValue, now time.Time) Task {
	tk := Task{
		Every: t.Every, Running: t.Running, LastStart: t.LastStart, LastEnd: t.LastEnd, LastSuccess: t.LastSuccess,
		Result: t.Result, Success: t.Result == shmstat.ResultOK, Failed: t.Result == shmstat.ResultFailed,
		Message: t.Message, Runs: t.Runs, Failures: t.Failures, Overdue: t.Overdue(now),
	}
	if t.Running {
		tk.RunningSince = t.LastStart
	}
	return tk
}
