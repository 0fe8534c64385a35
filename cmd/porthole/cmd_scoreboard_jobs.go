package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/porthole-dev/porthole/collector/scoreboard"
	"github.com/porthole-dev/porthole/internal/numfmt"
)

// printJobs prints the scoreboard's jobs (porthole run), if any.
func printJobs(w io.Writer, now time.Time, jobs []scoreboard.Job) {
	if len(jobs) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tJOB\tEVERY\tLAST RESULT\tLAST START\tLAST SUCCESS\tRUNNING SINCE\tOVERDUE\tRUNS\tFAILED\tOVERLAPS\tMESSAGE")
	for _, j := range jobs {
		every, running, overdue := "-", "-", "no"
		if j.Every > 0 {
			every = j.Every.String()
		}
		if j.Running {
			running = numfmt.Ago(now, j.RunningSince)
		}
		if j.Overdue {
			overdue = "OVERDUE"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", safeText(j.Host), safeText(j.Name), every, safeText(j.LastResult),
			numfmt.Ago(now, j.LastStart), numfmt.Ago(now, j.LastSuccess), running, overdue, j.Runs, j.Failures, j.Overlaps, safeText(orDash(j.LastMessage)))
	}
	tw.Flush()
}

// scoreboardCheck is scoreboard --check: porthole check on the same source.
func scoreboardCheck(file, url string, stdout, stderr io.Writer) error {
	if file != "" {
		return runCheck([]string{"--file", file}, stdout, stderr)
	}
	if url == "" {
		url = "http://127.0.0.1:9477"
	}
	return runCheck([]string{"--http", url}, stdout, stderr)
}
