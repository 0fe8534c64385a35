package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/porthole-dev/porthole/collector/scoreboard"
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
	asCheck := fs.Bool("check", false, "judge instead of print, as porthole check --http/--file: one line, exit 0-3")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *asCheck {
		return scoreboardCheck(*file, *url, stdout, stderr)
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	if err := countNeedsInterval(*count, *interval); err != nil {
		return err
	}
	if *file == "" && *url == "" {
		*url = defaultCollectorURL
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for n := 0; ; n++ {
		source := *file
		if source == "" {
			source = *url
		}
		sb, err := loadScoreboard(ctx, source)
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

// loadScoreboard reads the scoreboard from a file or a collector's URL;
// where no collector listens, the error says how to start or name one.
func loadScoreboard(ctx context.Context, source string) (*scoreboard.Board, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	sb, err := scoreboard.Load(ctx, source)
	if errors.Is(err, syscall.ECONNREFUSED) {
		return nil, fmt.Errorf("no collector answered at %s (start one with: porthole collect; or name one with --http URL or --file F): %w", source, err)
	}
	return sb, err
}

func printScoreboard(w io.Writer, b *scoreboard.Board) {
	w = safeOut(w) // every name and text here came off the wire
	fmt.Fprintln(w, b.Summary())
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tPROGRAM\tPID\tSTATE\tLAST SEEN\tLOAD\tLOST\tRESTARTS\tTASKS\tLAST PROBLEM")
	for _, r := range b.Rows() {
		// Fields escaped one by one: a tab or newline in a name must
		// not make a column or a row of its own.
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", safeText(r.Host), safeText(r.Program), r.PID,
			safeText(strings.ToUpper(r.State)), r.LastSeen, safeText(orDash(r.Load)), r.Lost, r.Restarts,
			safeText(orDash(r.Tasks)), safeText(orDash(r.Problem)))
	}
	tw.Flush()
	printJobs(w, b.Time, b.Jobs)
}
