package whatif_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/porthole-dev/porthole/internal/whatif"
)

// Pause each producer of muxd in turn, then all but each, measuring
// bytes_total; print the table and the verdict.
func ExampleRun() {
	res, err := whatif.Run(context.Background(), whatif.Config{
		Segment:  "muxd",
		Rate:     "bytes_total",
		Pause:    3 * time.Second,
		Settle:   time.Second,
		Progress: os.Stderr,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res.WriteTable(os.Stdout)
}
