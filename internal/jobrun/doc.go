// Package jobrun runs a command as a task of a segment, the way cron runs
// a job, so that monitoring sees more than "it was started": the segment
// NAME (kept after the run, marked as a job) holds the task "run" with its
// start, end, result and the last lines of the command's stderr as the
// message; the log bus hears "job started" and "job ended" (exit status
// or signal, duration) and the segment's announcements.
//
// A run that outlives Timeout is terminated (SIGTERM to its process
// group, SIGKILL after a grace period) and recorded as failed. A run that
// starts while another of the same job is still running is an overlap:
// it is counted in the segment and logged, and with Lock refused.
//
// Between runs no process of the job is alive; readers judge the task
// alone: overdue when the next run does not start within 1.5 intervals
// (shmstat.TaskValue.Overdue), failed when the last run failed.
package jobrun
