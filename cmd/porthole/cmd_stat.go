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
	"github.com/porthole-dev/porthole/shmstat/view"
)

func init() {
	register(&command{name: "stat", summary: "print every value of a segment (--interval repeats, like watch)", run: runStat})
}

// loadWindow is how long a one-shot stat waits between its two readings
// when the segment has a load meter (a percentage needs a window).
const loadWindow = 250 * time.Millisecond

type statFlags struct {
	name     string
	dir      string
	asJSON   bool
	interval time.Duration
	count    int
}

func runStat(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("stat", "NAME [--json] [--interval D] [--count N] [--dir DIR]", stderr)
	var f statFlags
	fs.BoolVar(&f.asJSON, "json", false, "print one JSON document per sample (schema: docs/FORMAT.md)")
	fs.DurationVar(&f.interval, "interval", 0, "repeat every D, with counter rates per second")
	fs.IntVar(&f.count, "count", 0, "with --interval: stop after N samples (0: until interrupted)")
	fs.StringVar(&f.dir, "dir", "", "segment directory")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want one segment NAME", errUsage)
	}
	if err := countNeedsInterval(f.count, f.interval); err != nil {
		return err
	}
	f.name = pos[0]
	r, err := shmstat.Open(f.name, &shmstat.Options{Dir: f.dir})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return statLoop(ctx, r, f, stdout, stderr)
}

// statLoop prints samples of r until done, following a replaced segment,
// and closes the reader it ends with.
func statLoop(ctx context.Context, r *shmstat.Reader, f statFlags, stdout, stderr io.Writer) error {
	defer func() { r.Close() }()
	res := shmstat.NewResolver()
	prev, err := firstWindow(ctx, r, f.interval)
	if err != nil {
		return err
	}
	for n := 0; ; n++ {
		if r.Replaced() {
			// The owner restarted (or removed the segment): follow the new one.
			if nr, err := shmstat.Open(f.name, &shmstat.Options{Dir: f.dir}); err == nil {
				r.Close()
				r = nr
				fmt.Fprintf(stderr, "porthole stat: %s was replaced by a new segment (generation %016x)\n", f.name, nr.Generation())
				prev = nil
			}
		}
		cur, err := r.Snapshot()
		if err != nil {
			return err
		}
		doc := view.New(cur, prev, &view.Options{Resolver: res}).Doc()
		if f.asJSON {
			if err := json.NewEncoder(stdout).Encode(doc); err != nil {
				return err
			}
		} else {
			if n > 0 {
				fmt.Fprintln(stdout)
			}
			printStat(stdout, doc)
		}
		if f.interval <= 0 || (f.count > 0 && n+1 >= f.count) {
			return nil
		}
		prev = cur
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(f.interval):
		}
	}
}

// firstWindow takes, for a one-shot stat of a segment with a load meter,
// a first reading loadWindow before the one printed. Without a load meter
// (or with --interval) there is nothing to wait for.
func firstWindow(ctx context.Context, r *shmstat.Reader, interval time.Duration) (*shmstat.Snapshot, error) {
	if interval > 0 {
		return nil, nil
	}
	prev, err := r.Snapshot()
	if err != nil || !view.NeedsWindow(prev) {
		return nil, err
	}
	select {
	case <-ctx.Done():
	case <-time.After(loadWindow):
	}
	return prev, nil
}

func printStat(w io.Writer, d *view.Doc) {
	w = safeOut(w) // names, help and info values are the segment writer's
	owner := "dead"
	if d.Owner.Alive {
		owner = "alive"
	}
	fmt.Fprintf(w, "%s  owner pid %d (%s)  created %s  generation %s\n",
		d.Segment, d.Owner.PID, owner, d.Created.Format(time.DateTime), d.Generation)
	if d.FailedRegistrations > 0 {
		fmt.Fprintf(w, "%d registrations failed (segment full, or a name too long): those values are not shown\n", d.FailedRegistrations)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	printValues(tw, d)
	printTasks(tw, d)
	printProcesses(tw, d)
}

func printValues(tw *tabwriter.Writer, d *view.Doc) {
	fmt.Fprintln(tw, "\nNAME\tKIND\tVALUE\tRATE/S\tUNIT\tHELP")
	for _, m := range d.Metrics {
		val, rate := "", ""
		switch m.Kind {
		case "task", "flag", "probe", "site":
			continue // in their own tables
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ofSlot(m), m.Kind, val, rate, m.Unit, m.Help)
	}
	tw.Flush()
}

func printTasks(tw *tabwriter.Writer, d *view.Doc) {
	header := false
	for _, m := range d.Metrics {
		if m.Task == nil {
			continue
		}
		if !header {
			fmt.Fprintln(tw, "\nTASK\tEVERY\tLAST RESULT\tLAST START\tLAST SUCCESS\tRUNNING SINCE\tOVERDUE\tRUNS\tFAILED\tMESSAGE")
			header = true
		}
		t := m.Task
		since, started, success := "-", "never", "never"
		if t.RunningSince != nil {
			since = numfmt.Ago(d.Time, *t.RunningSince)
		}
		if t.LastStart != nil {
			started = numfmt.Ago(d.Time, *t.LastStart)
		}
		if t.LastSuccess != nil {
			success = numfmt.Ago(d.Time, *t.LastSuccess)
		}
		overdue := "no"
		if t.Overdue {
			overdue = "OVERDUE"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", ofSlot(m),
			time.Duration(t.EverySeconds*float64(time.Second)), t.Result, started, success, since, overdue, t.Runs, t.Failures, t.Message)
	}
	tw.Flush()
}

func printProcesses(tw *tabwriter.Writer, d *view.Doc) {
	fmt.Fprintln(tw, "\nSLOT\tPID\tROLE\tSTATE\tCPU\tLOAD\tFLAGS\tPROBES")
	for _, p := range d.Processes {
		state := "dead"
		switch {
		case p.Alive && p.State != "":
			state = p.State // the kernel's word: a paused process is "stopped", whatever its probes say
		case p.Alive:
			state = "alive"
		}
		load, cpu := "-", "-"
		if p.LoadPercent != nil {
			load = fmt.Sprintf("%.1f%%", *p.LoadPercent)
		}
		if p.CPUPercent != nil {
			cpu = fmt.Sprintf("%.1f%%", *p.CPUPercent)
		}
		var probes []string
		for _, pr := range p.Probes {
			if pr.Location != "-" {
				probes = append(probes, pr.Name+"="+pr.Location)
			}
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Slot, p.PID, p.Role, state, cpu, load,
			orDash(strings.Join(p.Flags, ",")), orDash(strings.Join(probes, "  ")))
	}
	tw.Flush()
}

// ofSlot names a value; one process's record says whose (two clients'
// per-process counters are two rows).
func ofSlot(m view.DocMetric) string {
	if m.Slot == nil || m.Kind == "load" {
		return m.Name
	}
	return fmt.Sprintf("%s [slot %d]", m.Name, *m.Slot)
}
