// Package check turns a segment or a collector's scoreboard into a
// monitoring check with the conventions of Nagios, Icinga and Sensu:
// a Status (exit code 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) and one
// line of text with performance data ('label'=value[UOM];warn;crit).
//
// A segment is CRITICAL when it is missing or its owner is dead, when a
// task's last run failed or a task is overdue; thresholds given on the
// command line (queue_length>1000, bytes_total/s<100) add WARNING or
// CRITICAL on a gauge, a counter or a counter's rate. A scoreboard is
// WARNING when a server is stale or messages were lost during the check,
// CRITICAL when a server is gone, a task failed or is overdue anywhere, or
// a job of porthole run failed its last run or is overdue (from the
// scoreboard's job table, which outlives the job's processes).
//
// porthole check wires it to the command line; the dashboard can use the
// same evaluation.
package check
