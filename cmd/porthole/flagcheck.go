package main

import (
	"flag"
	"fmt"
	"time"
)

// positive refuses a duration flag that is zero or negative.
func positive(flag string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%w: --%s %s: want a duration above zero", errUsage, flag, d)
	}
	return nil
}

// countNeedsInterval refuses --count without --interval: one table is
// printed then, whatever N says, and a user asking for N would get one
// without a word.
func countNeedsInterval(count int, interval time.Duration) error {
	if count != 0 && interval <= 0 {
		return fmt.Errorf("%w: --count %d repeats only with --interval (e.g. --interval 1s --count %d)", errUsage, count, count)
	}
	return nil
}

// negativeDuration refuses any duration flag of fs set below zero: no
// interval, timeout or window can be negative (zero keeps each flag's own
// meaning, such as "once" for --interval).
func negativeDuration(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if g, ok := f.Value.(flag.Getter); ok && err == nil {
			if d, ok := g.Get().(time.Duration); ok && d < 0 {
				err = fmt.Errorf("%w: --%s %s: want zero or a positive duration", errUsage, f.Name, d)
			}
		}
	})
	return err
}
