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
	now := time.Now()
	from, err := parseWhen(*since, now)
	if err != nil {
		return err
	}
	to, err := parseWhen(*until, now)
	if err != nil {
		return err
	}
	var re *regexp.Regexp
	if *grep != "" {
		if re, err = regexp.Compile(*grep); err != nil {
			return fmt.Errorf("%w: --grep: %v", errUsage, err)
		}
	}
	minLevel := -100
	if *level != "" {
		l, err := parseLevel(*level)
		if err != nil {
			return err
		}
		minLevel = int(l)
	}
	enc := json.NewEncoder(stdout)
	print := func(r collector.Record) bool {
		if (!from.IsZero() && r.Time.Before(from)) || (!to.IsZero() && !r.Time.Before(to)) ||
			(*host != "" && r.Host != *host) || (*program != "" && r.Program != *program) {
			return true
		}
		if r.Type == "log" {
			if l, err := parseLevel(r.Level); err == nil && int(l) < minLevel {
				return true
			}
		} else if r.Type != "gap" && (minLevel > -100 || re != nil) {
			return true
		}
		if re != nil && r.Type == "log" && !re.MatchString(r.Msg) {
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
	if !*follow {
		return collector.ReadSpool(*spool, print, bad)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return collector.Follow(ctx, *spool, 200*time.Millisecond, print, bad)
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
