package check_test

import (
	"context"
	"fmt"
	"os"

	"github.com/porthole-dev/porthole/internal/check"
)

// A report's status is its worst finding; Line is the plugin output.
func ExampleReport() {
	rep := &check.Report{Name: "queued"}
	rep.Add(check.OK, "owner 4242 up")
	rep.Add(check.Warning, "queue_length = 1200 (queue_length>1000)")
	rep.Perf = append(rep.Perf, check.Perf{Label: "queue_length", Value: 1200, Warn: "~:1000", Crit: "~:5000"})
	fmt.Println(rep.Line())
	fmt.Println("exit", int(rep.Status()))
	// Output:
	// PORTHOLE WARNING - queued: queue_length = 1200 (queue_length>1000) | 'queue_length'=1200;~:1000;~:5000
	// exit 1
}

// Check a segment against a threshold, as porthole check does.
func ExampleSegment() {
	crit, err := check.ParseThreshold("queue_length>5000")
	if err != nil {
		fmt.Println(err)
		return
	}
	rep := check.Segment(context.Background(), check.SegmentConfig{Segment: "queued", Crit: []check.Threshold{crit}})
	rep.Write(os.Stdout)
	os.Exit(int(rep.Status()))
}
