package supervise_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/porthole-dev/porthole/internal/supervise"
)

// Start two daemons of one binary, give the first a moment to fail at
// start, and stop both, saying which ended by themselves.
func Example() {
	g := supervise.New("/usr/local/bin/porthole", os.Stderr)
	defer func() {
		g.Stop(3 * time.Second)
		for _, p := range g.Unexpected() {
			fmt.Printf("%s had exited by itself: %v\n", p, p.Err())
		}
	}()
	p, err := g.Start("collect", "--spool", "/var/spool/porthole")
	if err != nil {
		return
	}
	if err := p.Settle(context.Background(), 300*time.Millisecond); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := g.Start("example", "queued"); err != nil {
		return
	}
}
