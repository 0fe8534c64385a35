package shmstat_test

import (
	"fmt"
	"os"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// A daemon creates its segment and updates values; a tool opens it
// read-only and takes a snapshot.
func Example() {
	dir, _ := os.MkdirTemp("", "porthole-example")
	defer os.RemoveAll(dir)
	opts := &shmstat.Options{Dir: dir + "/seg"}

	// In the daemon.
	seg, err := shmstat.Create("queued", opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer seg.Close()
	requests := seg.Counter("requests", "requests served", shmstat.Unit("requests"))
	queue := seg.Gauge("queue", "updates waiting")
	requests.Add(3)
	queue.Set(12)

	// In a tool.
	r, err := shmstat.Open("queued", opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	snap, _ := r.Snapshot()
	for _, m := range snap.Metrics {
		switch m.Kind {
		case shmstat.KindCounter:
			fmt.Println(m.Name, m.Value, m.Unit)
		case shmstat.KindGauge:
			fmt.Println(m.Name, m.Int)
		}
	}
	// Output:
	// requests 3 requests
	// queue 12
}

// A periodic job records its result, not just that it ran.
func ExampleTask() {
	dir, _ := os.MkdirTemp("", "porthole-example")
	defer os.RemoveAll(dir)
	seg, _ := shmstat.Create("replicate", &shmstat.Options{Dir: dir + "/seg"})
	defer seg.Close()

	job := seg.Task("nightly", 24*time.Hour)
	job.Start()
	fmt.Println("start again while running:", job.Start())
	job.Done(fmt.Errorf("checksum mismatch in block 17"))

	snap, _ := seg.Snapshot()
	t := snap.Metric(shmstat.KindTask, "nightly").Task
	fmt.Println(t.Result, t.Runs, t.Failures, t.Message)
	// Output:
	// start again while running: false
	// failed 1 1 checksum mismatch in block 17
}

// Counters are shared by every process of a service unless registered
// PerProcess: then each process (here the owner, slot 0) has its own,
// and a reader tells them apart by slot.
func ExamplePerProcess() {
	dir, _ := os.MkdirTemp("", "porthole-example")
	defer os.RemoveAll(dir)
	seg, err := shmstat.Create("client", &shmstat.Options{Dir: dir + "/seg"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer seg.Close()
	seg.Counter("updates_sent", "updates this process sent", shmstat.PerProcess()).Add(3)
	seg.Counter("updates_total", "updates of every process").Add(3)
	if err := seg.Err(); err != nil { // a registration that did not fit
		fmt.Println(err)
		return
	}
	snap, _ := seg.Snapshot()
	for _, m := range snap.Metrics {
		fmt.Println(m.Name, m.Value, "per process:", m.PerProcess, "slot", m.Slot)
	}
	// Output:
	// updates_sent 3 per process: true slot 0
	// updates_total 3 per process: false slot 0
}

// List reads only headers: cheap enough for a directory of thousands.
func ExampleListAll() {
	infos, err := shmstat.ListAll(shmstat.SearchDirs(false))
	if err != nil {
		fmt.Println(err)
	}
	for _, in := range infos {
		if in.Err != nil {
			fmt.Println(in.Dir, in.Name, "unreadable:", in.Err)
			continue
		}
		fmt.Println(in.Dir, in.Name, in.OwnerPID, in.Alive, in.SlotsInUse)
	}
}
