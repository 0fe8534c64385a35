package collector

import (
	"context"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/mlog"
)

// Two collectors on one host, fed by a real bus, write the same records.
func TestTwoCollectorsSameRecords(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	type node struct {
		dir string
		c   *Collector
		r   *mlog.Receiver
	}
	ctx, cancel := context.WithCancel(context.Background())
	var nodes []*node
	for i := 0; i < 2; i++ {
		n := &node{dir: t.TempDir()}
		var err error
		if n.c, err = New(Config{SpoolDir: n.dir, Logger: quietLogger()}); err != nil {
			t.Fatal(err)
		}
		if n.r, err = mlog.Listen(mlog.Config{}); err != nil {
			t.Fatal(err)
		}
		go n.c.Run(ctx, n.r)
		nodes = append(nodes, n)
	}
	bus, err := mlog.New(mlog.Config{Program: "e2e", Host: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(bus.Handler())
	const n = 2000
	for i := 0; i < n; i++ {
		log.Info("message", "i", i)
		if i%200 == 0 {
			time.Sleep(time.Millisecond) // let the writer keep up: no queue drops
		}
	}
	bus.Close()
	// Wait until both have everything (hello + n).
	deadline := time.Now().Add(time.Minute)
	for _, nd := range nodes {
		for nd.c.Stats().Received < n+1 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	cancel()
	var spools [][]Record
	for _, nd := range nodes {
		nd.r.Close()
		if err := nd.c.Close(); err != nil {
			t.Fatal(err)
		}
		recs := readAll(t, nd.dir)
		for i := range recs {
			recs[i].Recv, recs[i].line = nil, nil // receiver-side fields (and the raw line holding them) differ by design
		}
		spools = append(spools, recs)
	}
	if bs := bus.Stats(); bs.Dropped != 0 {
		t.Fatalf("sender dropped %d: the test must not overrun its queue", bs.Dropped)
	}
	if len(spools[0]) != n+1 {
		t.Fatalf("collector 1 spooled %d records, want %d", len(spools[0]), n+1)
	}
	if !reflect.DeepEqual(spools[0], spools[1]) {
		for i := range spools[0] {
			if !reflect.DeepEqual(spools[0][i], spools[1][i]) {
				t.Fatalf("the two spools differ at record %d:\n%+v\n%+v", i, spools[0][i], spools[1][i])
			}
		}
		t.Fatalf("the two spools differ: %d vs %d records", len(spools[0]), len(spools[1]))
	}
}
