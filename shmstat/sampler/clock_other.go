//go:build !linux

package sampler

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// Off Linux the package compiles (a program that imports it builds
// everywhere) but New fails with an error wrapping shmstat.ErrUnsupported:
// there are no segments to sample. The clock functions below keep Run
// well-defined without Linux's absolute-deadline sleep.

// supported reports why sampling cannot work on this system.
func supported() error {
	return fmt.Errorf("sampler: sampling on %s: %w", runtime.GOOS, shmstat.ErrUnsupported)
}

var monoBase = time.Now()

// monoNow returns a monotonic clock in ns.
func monoNow() int64 { return int64(time.Since(monoBase)) }

// sleepUntil sleeps until the monotonic deadline (ns).
func sleepUntil(deadline int64) {
	if d := deadline - monoNow(); d > 0 {
		time.Sleep(time.Duration(d))
	}
}

// setTimerSlack: no timer slack to set here.
func setTimerSlack(time.Duration) {}

// processCPU is not measured here.
func processCPU() time.Duration { return 0 }

// runParked: no timerfd here (New already failed).
func (s *Sampler) runParked(context.Context) error { return supported() }
