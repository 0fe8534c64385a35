package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/porthole-dev/porthole/internal/numfmt"
	"github.com/porthole-dev/porthole/shmstat"
)

func init() {
	register(&command{name: "stat", summary: "print every value of a segment (--interval repeats, like watch)", run: runStat})
}

func runStat(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("stat", "NAME [--json] [--interval D] [--count N] [--dir DIR]", stderr)
	asJSON := fs.Bool("json", false, "print one JSON document per sample (schema: docs/FORMAT.md)")
	interval := fs.Duration("interval", 0, "repeat every D, with counter rates per second")
	count := fs.Int("count", 0, "with --interval: stop after N samples (0: until interrupted)")
	dir := fs.String("dir", "", "segment directory")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want one segment NAME", errUsage)
	}
	r, err := shmstat.Open(pos[0], &shmstat.Options{Dir: *dir})
	if err != nil {
		return err
	}
	defer func() { r.Close() }()
	res := shmstat.NewResolver()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var prev *shmstat.Snapshot
	if *interval <= 0 {
		// One sample. Load needs a window: take a first reading 250 ms
		// before the one printed.
		if prev, err = r.Snapshot(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
		case <-time.After(250 * time.Millisecond):
		}
	}
	for n := 0; ; n++ {
		if r.Replaced() {
			// The owner restarted (or removed the segment): follow the new one.
			if nr, err := shmstat.Open(pos[0], &shmstat.Options{Dir: *dir}); err == nil {
				r.Close()
				r = nr
				fmt.Fprintf(stderr, "porthole stat: %s was replaced by a new segment (generation %016x)\n", pos[0], r.Generation())
				prev = nil
			}
		}
		cur, err := r.Snapshot()
		if err != nil {
			return err
		}
		doc := buildStatDoc(cur, prev, res)
		if *asJSON {
			if err := json.NewEncoder(stdout).Encode(doc); err != nil {
				return err
			}
		} else {
			if *interval > 0 && n > 0 {
				fmt.Fprintln(stdout)
			}
			printStat(stdout, doc)
		}
		if *interval <= 0 || (*count > 0 && n+1 >= *count) {
			return nil
		}
		prev = cur
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*interval):
		}
	}
}

func printStat(w io.Writer, d *statDoc) {
	owner := "dead"
	if d.Owner.Alive {
		owner = "alive"
	}
	fmt.Fprintf(w, "%s  owner pid %d (%s)  created %s  generation %s\n",
		d.Segment, d.Owner.PID, owner, d.Created.Format(time.DateTime), d.Generation)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nNAME\tKIND\tVALUE\tRATE/S\tUNIT\tHELP")
	var tasks []statMetric
	for _, m := range d.Metrics {
		val, rate := "", ""
		switch m.Kind {
		case "task":
			tasks = append(tasks, m)
			continue
		case "flag", "probe", "site":
			continue // shown with the processes
		case "counter", "sequence":
			val = numfmt.Count(m.Value.(uint64))
		case "load":
			val = "-"
			if m.LoadPercent != nil {
				val = fmt.Sprintf("%.1f%%", *m.LoadPercent)
			}
		default:
			val = fmt.Sprint(m.Value)
		}
		if m.Rate != nil {
			rate = fmt.Sprintf("%.1f", *m.Rate)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.Name, m.Kind, val, rate, m.Unit, m.Help)
	}
	tw.Flush()
	if len(tasks) > 0 {
		fmt.Fprintln(tw, "\nTASK\tEVERY\tLAST RESULT\tLAST START\tLAST SUCCESS\tRUNNING SINCE\tOVERDUE\tRUNS\tFAILED\tMESSAGE")
		for _, m := range tasks {
			t := m.Task
			since, started, success := "-", "never", "never"
			if t.RunningSince != nil {
				since = humanAgo(d.Time, *t.RunningSince)
			}
			if t.LastStart != nil {
				started = humanAgo(d.Time, *t.LastStart)
			}
			if t.LastSuccess != nil {
				success = humanAgo(d.Time, *t.LastSuccess)
			}
			overdue := "no"
			if t.Overdue {
				overdue = "OVERDUE"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", m.Name,
				time.Duration(t.EverySeconds*float64(time.Second)), t.Result, started, success, since, overdue, t.Runs, t.Failures, t.Message)
		}
		tw.Flush()
	}
	fmt.Fprintln(tw, "\nSLOT\tPID\tROLE\tALIVE\tLOAD\tFLAGS\tPROBES")
	for _, p := range d.Processes {
		alive := "dead"
		if p.Alive {
			alive = "alive"
		}
		load := "-"
		if p.LoadPercent != nil {
			load = fmt.Sprintf("%.1f%%", *p.LoadPercent)
		}
		var probes []string
		for _, pr := range p.Probes {
			if pr.Location != "-" {
				probes = append(probes, pr.Name+"="+pr.Location)
			}
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\n", p.Slot, p.PID, p.Role, alive, load,
			orDash(strings.Join(p.Flags, ",")), orDash(strings.Join(probes, "  ")))
	}
	tw.Flush()
}
