// Command probeprog is built by the resolver tests (also as a PIE): it
// creates a segment, parks its probe at a known line and waits.
package main

import (
	"fmt"
	"os"

	"github.com/porthole-dev/porthole/shmstat"
)

func main() {
	seg, err := shmstat.Create("probeprog", nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer seg.Close()
	p := seg.Probe("main")
	park(p)
}

//go:noinline
func park(p *shmstat.Probe) {
	p.Here() // PROBE LINE
	fmt.Println("ready")
	os.Stdin.Read(make([]byte, 1))
}
