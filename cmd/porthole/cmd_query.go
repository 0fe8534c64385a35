package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
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
	fs := newFlagSet("query", "--spool DIR [--since T] [--until T] [--host H] [--program P] [--level L] [--grep RE] [--json] [-f]", stderr)
	spool := fs.String("spool", "", "spool directory (required)")
	since := fs.String("since", "", "only records at or after T (RFC 3339, or a duration such as 1h meaning that long ago)")
	until := fs.String("until", "", "only records before T")
	host := fs.String("host", "", "only this host")
	program := fs.String("program", "", "only this program")
	level := fs.String("level", "", "least level (debug, info, warn, error); gaps always shown")
	grep := fs.String("grep", "", "only messages matching this regular expression")
	asJSON := fs.Bool("json", false, "print spool records as they are (JSON lines)")
	follow := fs.Bool("f", false, "follow: keep printing new records")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *spool == "" || len(pos) > 0 {
		return fmt.Errorf("%w: want --spool DIR", errUsage)
	}
	qf, err := newQueryFilter(*since, *until, *host, *program, *level, *grep)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	seen := 0
	print := func(r collector.Record) bool {
		seen++
		if !qf.match(&r) {
			return true
		}
		if *asJSON {
			enc.Encode(r)
			return true
		}
		fmt.Fprintln(stdout, termsafe.String(recordLine(&r))) // hosts, messages, attributes: from the wire
		return true
	}
	bad := func(file string, line int, err error) {
		fmt.Fprintf(termsafe.NewWriter(stderr), "porthole query: %s:%d: skipped: %v\n", file, line, err)
	}
	if _, err := os.Stat(*spool); err != nil {
		return fmt.Errorf("spool %s: %w", *spool, err)
	}
	if !*follow {
		if err := collector.ReadSpool(*spool, print, bad); err != nil {
			return err
		}
		if seen == 0 {
			return fmt.Errorf("spool %s holds no records (is it a collector's --spool directory?)", *spool)
		}
		return nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return collector.Follow(ctx, *spool, 200*time.Millisecond, print, bad)
}

// queryFilter selects spool records.
type queryFilter struct {
	from, to      time.Time
	host, program string
	re            *regexp.Regexp
	minLevel      int // -100: any
}

// newQueryFilter builds a filter from query's flags.
func newQueryFilter(since, until, host, program, level, grep string) (*queryFilter, error) {
	now := time.Now()
	f := &queryFilter{host: host, program: program, minLevel: -100}
	var err error
	if f.from, err = parseWhen(since, now); err != nil {
		return nil, err
	}
	if f.to, err = parseWhen(until, now); err != nil {
		return nil, err
	}
	if grep != "" {
		if f.re, err = regexp.Compile(grep); err != nil {
			return nil, fmt.Errorf("%w: --grep: %v", errUsage, err)
		}
	}
	if level != "" {
		l, err := parseLevel(level)
		if err != nil {
			return nil, err
		}
		f.minLevel = int(l)
	}
	return f, nil
}

// match reports whether r passes the filter. Gaps pass every level and
// message filter; stats and hello records pass none.
func (f *queryFilter) match(r *collector.Record) bool {
	if (!f.from.IsZero() && r.Time.Before(f.from)) || (!f.to.IsZero() && !r.Time.Before(f.to)) ||
		(f.host != "" && r.Host != f.host) || (f.program != "" && r.Program != f.program) {
		return false
	}
	if r.Type == "log" {
		if l, err := parseLevel(r.Level); err == nil && int(l) < f.minLevel {
			return false
		}
	} else if r.Type != "gap" && (f.minLevel > -100 || f.re != nil) {
		return false
	}
	return f.re == nil || r.Type != "log" || f.re.MatchString(r.Msg)
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

// recordLine formats a spool record for people.
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
		return fmt.Sprintf("%s STATS %s %s[%d] %d values", r.Time.Format(time.DateTime), r.Host, r.Program, r.PID, n)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %-5s %s %s[%d] %s", r.Time.Format("2006-01-02 15:04:05.000"), orDefault(r.Level, strings.ToUpper(r.Type)), r.Host, r.Program, r.PID, r.Msg)
	for k, v := range r.Attrs {
		fmt.Fprintf(&b, " %s=%v", k, v)
	}
	return b.String()
}
