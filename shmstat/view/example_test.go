package view_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/porthole-dev/porthole/shmstat"
	"github.com/porthole-dev/porthole/shmstat/view"
)

// Two snapshots of a segment give each counter's rate; the document is
// what `porthole stat --json` prints.
func Example() {
	dir, _ := os.MkdirTemp("", "view-example")
	defer os.RemoveAll(dir)
	seg, err := shmstat.Create("queued", &shmstat.Options{Dir: filepath.Join(dir, "seg")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer seg.Close()
	requests := seg.Counter("requests", "requests served")
	seg.Gauge("queue", "updates waiting").Set(3)

	prev, _ := seg.Snapshot()
	requests.Add(100)
	cur, _ := seg.Snapshot()

	v := view.New(cur, prev, &view.Options{Resolver: view.NewSelf(0)})
	for _, val := range v.Values {
		if val.HasRate {
			fmt.Printf("%s: %d, rate > 0: %v\n", val.Metric.Name, val.Metric.Value, val.Rate > 0)
		}
	}
	doc := v.Doc()
	fmt.Println(doc.Version, doc.Segment, len(doc.Metrics), "values")
	// Output:
	// requests: 100, rate > 0: true
	// 1 queued 2 values
}
