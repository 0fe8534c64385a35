package collector

import (
	"log/slog"
	"regexp"
	"time"
)

// Filter selects spool records (what `porthole query` prints). The zero
// Filter passes log and syslog records and the collector's accounting
// records (gap, epoch, unknown), and hides stats and hello records.
type Filter struct {
	Since, Until  time.Time // records at or after Since and before Until; zero: unbounded
	Host, Program string    // exact; empty: any
	// MinLevel, when HasLevel, hides log records below it and stats and
	// hello records.
	MinLevel slog.Level
	HasLevel bool
	// Grep, when set, keeps log records whose message matches it (and
	// the accounting records), hiding the rest.
	Grep *regexp.Regexp
	// All shows stats and hello records too (unless a level or Grep hides
	// them).
	All bool
}

// Match reports whether r passes the filter. The collector's accounting
// records (gap, epoch, unknown) pass the level and message filters: what
// was lost, or could not be known, is always shown.
func (f *Filter) Match(r *Record) bool {
	if (!f.Since.IsZero() && r.Time.Before(f.Since)) || (!f.Until.IsZero() && !r.Time.Before(f.Until)) ||
		(f.Host != "" && r.Host != f.Host) || (f.Program != "" && r.Program != f.Program) {
		return false
	}
	switch r.Type {
	case "gap", "epoch", "unknown":
		return true
	case "log", "syslog":
		if f.HasLevel {
			var l slog.Level
			if l.UnmarshalText([]byte(r.Level)) == nil && l < f.MinLevel {
				return false
			}
		}
		return f.Grep == nil || f.Grep.MatchString(r.Msg)
	}
	return f.All && !f.HasLevel && f.Grep == nil
}
