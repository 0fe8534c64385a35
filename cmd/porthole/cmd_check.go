package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/internal/check"
)

func init() {
	register(&command{name: "check", summary: "a monitoring check (Nagios/Icinga/Sensu): exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN", run: runCheck})
}

// thresholdList is a repeatable --warn or --crit.
type thresholdList []check.Threshold

func (l *thresholdList) String() string { return fmt.Sprint(*l) }

func (l *thresholdList) Set(s string) error {
	t, err := check.ParseThreshold(s)
	if err != nil {
		return err
	}
	*l = append(*l, t)
	return nil
}

func runCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", "NAME [--warn 'queue_length>1000']... [--crit 'bytes_total/s<100']... | --http URL | --file F [--program P]", stderr)
	var seg check.SegmentConfig
	var sb check.ScoreboardConfig
	fs.Var((*thresholdList)(&seg.Warn), "warn", "WARNING when a gauge, counter or counter rate (NAME/s) crosses this: NAME>V, NAME<V, >=, <= (repeatable)")
	fs.Var((*thresholdList)(&seg.Crit), "crit", "CRITICAL when this is crossed (same syntax, repeatable)")
	fs.StringVar(&seg.Dir, "dir", "", "segment directory")
	fs.StringVar(&sb.URL, "http", "", "check the collector's scoreboard at this URL instead of a segment")
	fs.StringVar(&sb.File, "file", "", "check a scoreboard file instead of a segment")
	fs.StringVar(&sb.Program, "program", "", "with --http/--file: only servers running this program")
	window := fs.Duration("window", 2*time.Second, "time between two readings: for rates (segment) and lost messages (scoreboard; 0: not judged)")
	asJSON := fs.Bool("json", false, "print the report as JSON (the exit status is the same)")
	pos, err := parseFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitStatus(check.Unknown)
	}
	if err == nil && (len(pos) == 1) == (sb.URL != "" || sb.File != "") {
		err = errors.New("want one segment NAME, or --http URL or --file F")
	}
	if err != nil {
		// A usage error must not exit 2: that is CRITICAL.
		fmt.Fprintf(stdout, "PORTHOLE UNKNOWN - bad arguments: %s\n", strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
		return exitStatus(check.Unknown)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var rep *check.Report
	if len(pos) == 1 {
		seg.Segment, seg.Window = pos[0], *window
		rep = check.Segment(ctx, seg)
	} else {
		sb.Window = *window
		rep = check.Scoreboard(ctx, sb)
	}
	if *asJSON {
		err = json.NewEncoder(stdout).Encode(struct {
			Status string `json:"status"`
			Code   int    `json:"code"`
			*check.Report
		}{rep.Status().String(), int(rep.Status()), rep})
	} else {
		err = rep.Write(stdout)
	}
	if err != nil {
		return exitStatus(check.Unknown)
	}
	return exitStatus(rep.Status())
}
