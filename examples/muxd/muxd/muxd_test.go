package muxd

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/childtest"
	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/shmstat"
)

// Producers are this test binary, started again by Main (with
// EnvProducer) in the role "muxd" that tests set with childtest.SetRole.
func TestMain(m *testing.M) {
	childtest.Main(m, childtest.Roles{
		"muxd": func() error { return Main(context.Background(), nil, io.Discard, os.Stderr) },
	})
}

func TestBothModesRelayEveryStream(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	childtest.SetRole(t, "muxd")
	for _, mode := range []string{"--single-loop", "--per-stream"} {
		t.Run(mode, func(t *testing.T) {
			t.Setenv("PORTHOLE_DIR", filepath.Join(t.TempDir(), "seg"))
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- Main(ctx, []string{"--streams", "2", mode}, io.Discard, io.Discard) }()
			var snap *shmstat.Snapshot
			deadline := time.Now().Add(time.Minute)
			for time.Now().Before(deadline) {
				time.Sleep(200 * time.Millisecond)
				r, err := shmstat.Open("muxd", nil)
				if err != nil {
					continue
				}
				snap, _ = r.Snapshot()
				r.Close()
				a, b := snap.Metric(shmstat.KindCounter, "stream_0_bytes"), snap.Metric(shmstat.KindCounter, "stream_1_bytes")
				if a != nil && b != nil && a.Value > 1<<20 && b.Value > 1<<20 {
					break
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"stream_0_bytes", "stream_1_bytes"} {
				if m := snap.Metric(shmstat.KindCounter, s); m == nil || m.Value <= 1<<20 {
					t.Errorf("%s relayed %+v, want over 1 MiB", s, m)
				}
			}
			producers := 0
			for _, sl := range snap.Slots {
				if sl.Alive && sl.Role != "owner" {
					producers++
				}
			}
			if producers != 2 {
				t.Errorf("%d live producer processes in the segment, want 2", producers)
			}
		})
	}
}
