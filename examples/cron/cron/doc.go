// Package cron is the demo's stand-in for cron: every --every it starts
// `porthole run JOB --every D [--timeout T] -- porthole ARGS...`, as a
// crontab line wrapped in porthole run would, so a job that is not a
// daemon (replicate --once) shows in segments, on the bus and on the
// collector's scoreboard. Like cron it does not wait for the previous
// run before starting the next: porthole run flags overlaps.
package cron
