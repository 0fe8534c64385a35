package main

import (
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

// notNegative refuses a negative duration flag (zero keeps its meaning,
// such as "once" for --interval).
func notNegative(flag string, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%w: --%s %s: want zero or a positive duration", errUsage, flag, d)
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
