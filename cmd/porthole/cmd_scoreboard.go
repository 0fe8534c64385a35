package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/porthole-dev/porthole/collector"
	"github.com/porthole-dev/porthole/internal/numfmt"
)

func init() {
	register(&command{name: "scoreboard", summary: "print the collector's scoreboard as a table (--interval repeats)", run: runScoreboard})
}

func runScoreboard(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("scoreboard", "[--file F | --http URL] [--interval D] [--count N]", stderr)
	file := fs.String("file", "", "scoreboard file")
	url := fs.String("http", "", "collector URL (default "+defaultCollectorURL+" when --file is not given)")
	interval := fs.Duration("interval", 0, "repeat every D, like watch")
	count := fs.Int("count", 0, "with --interval: stop after N tables")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	if *file == "" && *url == "" {
		*url = defaultCollectorURL
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for n := 0; ; n++ {
		var sb *collector.Scoreboard
		if *file != "" {
			sb, err = collector.ReadScoreboard(*file)
		} else {
			rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			sb, err = collector.FetchScoreboard(rctx, *url)
			cancel()
		}
		if err != nil {
			if *interval <= 0 {
				return err
			}
			fmt.Fprintf(stderr, "porthole scoreboard: %v (retrying)\n", err)
		} else {
			if n > 0 {
				fmt.Fprintln(stdout)
			}
			printScoreboard(stdout, sb)
		}
		if *interval <= 0 || (*count > 0 && n+1 >= *count) {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*interval):
		}
	}
}

func printScoreboard(w io.Writer, sb *collector.Scoreboard) {
	c := sb.Collector
	var rej []string
	for k, v := range c.Rejected {
		rej = append(rej, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(rej)
	fmt.Fprintf(w, "collector %s pid %d  up %s  received %s  lost %d  rejected %s  spool %s (%d write errors)\n",
		c.Host, c.PID, time.Duration(c.UptimeSeconds*float64(time.Second)).Round(time.Second), numfmt.Count(c.Received), c.Lost,
		orDash(strings.Join(rej, " ")), numfmt.Bytes(c.SpoolBytes), c.WriteErrors)
	if c.LastWriteErr != "" {
		fmt.Fprintf(w, "  spool trouble: %s\n", c.LastWriteErr)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tPROGRAM\tPID\tSTATE\tLAST SEEN\tLOAD\tLOST\tRESTARTS\tTASKS\tLAST PROBLEM")
	for _, s := range sb.Servers {
		var loads []string
		for k, v := range s.Load {
			loads = append(loads, fmt.Sprintf("%s %.0f%%", k, v))
		}
		sort.Strings(loads)
		tasks := "-"
		if len(s.Tasks) > 0 {
			var ts []string
			for _, t := range s.Tasks {
				x := t.Name + ":" + t.Result
				if t.Overdue {
					x += "!OVERDUE"
				}
				if t.Running {
					x += "(running)"
				}
				ts = append(ts, x)
			}
			tasks = strings.Join(ts, " ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", s.Host, s.Program, s.PID, strings.ToUpper(s.State),
			humanAgo(sb.Time, s.LastSeen), orDash(strings.Join(loads, ",")), s.Lost, s.Restarts, tasks, orDash(s.LastProblem))
	}
	tw.Flush()
}
