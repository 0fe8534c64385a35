//go:build !porthole_noprobes

package shmstat_test

import (
	"fmt"
	"os"

	"github.com/porthole-dev/porthole/shmstat"
)

// Probes say where each worker is; a Resolver turns the stored PC into a
// source line.
func ExampleProbe() {
	dir, _ := os.MkdirTemp("", "porthole-example")
	defer os.RemoveAll(dir)
	seg, _ := shmstat.Create("worker", &shmstat.Options{Dir: dir + "/seg"})
	defer seg.Close()

	p := seg.Probe("worker-1")
	p.Mark("waiting on queue")

	snap, _ := seg.Snapshot()
	fmt.Println(snap.ProbeName(0), "is at:", snap.ProbeLocation(shmstat.NewResolver(), snap.Slots[0], 0))
	// Output:
	// worker-1 is at: waiting on queue
}
