// Command topload runs the load porthole top's cost is measured against
// until interrupted:
//
//	go run ./internal/topload/topload --dir /tmp/topload --segments 20 --values 100
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/internal/topload"
)

func main() {
	dir := flag.String("dir", "", "segment directory (default shmstat.DefaultDir())")
	segments := flag.Int("segments", 20, "segments to create")
	values := flag.Int("values", 100, "values per segment (three counters to one gauge; one load and one task besides)")
	period := flag.Duration("period", 100*time.Millisecond, "how often every value changes")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, err := topload.New(*dir, *segments, *values)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer l.Close()
	fmt.Printf("topload: %d segments x %d values in %s, changing every %s\n", *segments, *values, l.Path(), *period)
	l.Run(ctx, *period)
}
