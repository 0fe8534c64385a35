package tui

import (
	"context"
	"net"
	"testing"

	"github.com/porthole-dev/porthole/shmstat"
)

func TestSparkline(t *testing.T) {
	tests := []struct {
		in   []float64
		want string
	}{
		{nil, ""},
		{[]float64{5, 5, 5}, "▁▁▁"},
		{[]float64{0, 7}, "▁█"},
		{[]float64{0, 1, 2, 3, 4, 5, 6, 7}, "▁▂▃▄▅▆▇█"},
		{[]float64{-10, 0, 10}, "▁▄█"},
	}
	for _, tt := range tests {
		if got := sparkline(tt.in); got != tt.want {
			t.Errorf("sparkline(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFirstBuildDoesNotWaitForCollector: a collector that accepts and
// never answers leaves the first frame saying it is asking; later frames
// wait for the fetch timeout and say what failed.
func TestFirstBuildDoesNotWaitForCollector(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	m := NewModel(Config{Dir: t.TempDir(), Collector: "http://" + ln.Addr().String()})
	defer m.Close()
	first := m.Build(context.Background())
	if !first.Cluster.Pending || first.Cluster.Err != "" || !first.Warming {
		t.Fatalf("first build: %+v", first.Cluster)
	}
	second := m.Build(context.Background())
	if second.Cluster.Pending || second.Cluster.Err == "" {
		t.Fatalf("second build: %+v", second.Cluster)
	}
}

// TestModelForgetsRemovedSegments: what the model keeps per segment
// (last snapshot, reader, sparkline history) goes when the segment does.
func TestModelForgetsRemovedSegments(t *testing.T) {
	dir := t.TempDir()
	seg, err := shmstat.Create("gone", &shmstat.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c := seg.Counter("n", "a counter")
	m := NewModel(Config{Dir: dir})
	defer m.Close()
	m.Build(context.Background())
	c.Inc()
	m.Build(context.Background())
	if len(m.prev) != 1 || len(m.history) == 0 || len(m.readers.m) != 1 {
		t.Fatalf("after two reads: prev %d, history %d, readers %d", len(m.prev), len(m.history), len(m.readers.m))
	}
	seg.Close() // a clean close removes the file
	m.Build(context.Background())
	if len(m.prev) != 0 || len(m.history) != 0 || len(m.readers.m) != 0 {
		t.Fatalf("after removal: prev %d, history %d, readers %d", len(m.prev), len(m.history), len(m.readers.m))
	}
}
