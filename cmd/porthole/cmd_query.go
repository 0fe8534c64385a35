package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/collector"
	"github.com/porthole-dev/porthole/internal/termsafe"
)

func init() {
	register(&command{name: "query", summary: "read the collector's spool with filters (-f follows)", run: runQuery})
}

func runQuery(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return query(ctx, args, stdout, stderr)
}

// queryOpts are query's flags.
type queryOpts struct {
	spool                     string
	since, until, level, grep string
	filter                    collector.Filter
	asJSON, follow            bool
}

func parseQuery(args []string, stderr io.Writer) (*queryOpts, error) {
	fs := newFlagSet("query", "--spool DIR [--since T] [--until T] [--host H] [--program P] [--level L] [--grep RE] [--all] [--json] [-f]", stderr)
	o := &queryOpts{}
	fs.StringVar(&o.spool, "spool", "", "spool directory (required)")
	fs.StringVar(&o.since, "since", "", "only records at or after T (RFC 3339, or a duration such as 1h meaning that long ago)")
	fs.StringVar(&o.until, "until", "", "only records before T")
	fs.StringVar(&o.filter.Host, "host", "", "only this host")
	fs.StringVar(&o.filter.Program, "program", "", "only this program")
	fs.StringVar(&o.level, "level", "", "least level (debug, info, warn, error); gaps always shown")
	fs.StringVar(&o.grep, "grep", "", "only messages matching this regular expression")
	fs.BoolVar(&o.filter.All, "all", false, "show stats and hello records too")
	fs.BoolVar(&o.asJSON, "json", false, "print spool records as they are (JSON lines)")
	fs.BoolVar(&o.follow, "f", false, "follow: keep printing new records")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if o.spool == "" || len(pos) > 0 {
		return nil, fmt.Errorf("%w: want --spool DIR", errUsage)
	}
	return o, o.compile(time.Now())
}

// compile turns the text flags into the filter.
func (o *queryOpts) compile(now time.Time) (err error) {
	if o.filter.Since, err = parseWhen(o.since, now); err != nil {
		return err
	}
	if o.filter.Until, err = parseWhen(o.until, now); err != nil {
		return err
	}
	if o.grep != "" {
		if o.filter.Grep, err = regexp.Compile(o.grep); err != nil {
			return fmt.Errorf("%w: --grep: %v", errUsage, err)
		}
	}
	if o.level != "" {
		o.filter.MinLevel, err = parseLevel(o.level)
		o.filter.HasLevel = err == nil
	}
	return err
}

// errNoSpool: the directory holds no spool (a typo, or no collector ran).
var errNoSpool = errors.New("no spool")

func query(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseQuery(args, stderr)
	if err != nil {
		return err
	}
	if err := checkSpool(o.spool); err != nil {
		return err
	}
	print := func(r collector.Record) bool {
		if !o.filter.Match(&r) {
			return true
		}
		if o.asJSON {
			stdout.Write(append(r.Line(), '\n'))
		} else {
			fmt.Fprintln(stdout, termsafe.String(recordLine(&r))) // hosts, messages, attributes: from the wire
		}
		return true
	}
	bad := func(file string, line int, err error) {
		fmt.Fprintf(termsafe.NewWriter(stderr), "porthole query: %s:%d: skipped: %v\n", file, line, err)
	}
	if !o.follow {
		return collector.ReadSpool(o.spool, print, bad)
	}
	return collector.Follow(ctx, o.spool, 200*time.Millisecond, print, bad)
}

// checkSpool fails clearly on a missing directory or one without spool
// files.
func checkSpool(dir string) error {
	files, err := collector.SpoolFiles(dir)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", errNoSpool, dir, err)
	}
	if len(files) == 0 {
		return fmt.Errorf("%w: %s holds no spool files (is a collector writing there?)", errNoSpool, dir)
	}
	return nil
}

// parseWhen reads an RFC 3339 time or a duration before now.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, fmt.Errorf("%w: time %q: want RFC 3339 or a duration", errUsage, s)
	}
	return t, nil
}

// procName is program[pid], as syslog writes it, or the program alone
// when the record has no pid (a syslog message without a PROCID).
func procName(program string, pid int) string {
	if pid == 0 {
		return program
	}
	return fmt.Sprintf("%s[%d]", program, pid)
}

// recordLine formats a spool record for people; attributes in key order.
func recordLine(r *collector.Record) string {
	switch r.Type {
	case "gap":
		return fmt.Sprintf("%s GAP   %s %s: lost %d-%d (%d messages, %s)", r.Time.Format(time.DateTime), r.Host, r.Program,
			r.First, r.Last, r.Last-r.First+1, r.Reason)
	case "stats":
		n := 0
		if r.Stats != nil {
			n = len(r.Stats.Counters) + len(r.Stats.Gauges) + len(r.Stats.Tasks)
		}
		return fmt.Sprintf("%s STATS %s %s %d values", r.Time.Format(time.DateTime), r.Host, procName(r.Program, r.PID), n)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %-5s %s %s %s", r.Time.Format("2006-01-02 15:04:05.000"), orDefault(r.Level, strings.ToUpper(r.Type)), r.Host, procName(r.Program, r.PID), r.Msg)
	keys := make([]string, 0, len(r.Attrs))
	for k := range r.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, r.Attrs[k])
	}
	return b.String()
}
