package muxd

import (
	"context"
	"io"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/childtest"
	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/shmstat"
)

// TestPausingAProducer is the what-if experiment of the tour (porthole
// top's z): stop producer 0 and watch stream 1. Through the single loop
// the other streams collapse, since every pass waits out the silent
// stream's read deadline; with a goroutine per stream they keep going.
// The effect is a factor of about 200 on an idle machine; the test asks
// for 4.
func TestPausingAProducer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs muxd twice for about 3 s")
	}
	if !netns.Run(t) {
		return
	}
	childtest.SetRole(t, "muxd") // the producers Main starts
	tests := []struct {
		mode     string
		collapse bool
	}{
		{"--single-loop", true},
		{"--per-stream", false},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			t.Setenv("PORTHOLE_DIR", filepath.Join(t.TempDir(), "seg"))
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- Main(ctx, []string{"--streams", "2", tc.mode}, io.Discard, io.Discard) }()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Error(err)
				}
			}()
			// Wait until both streams flow and find producer 0.
			pid := 0
			for deadline := time.Now().Add(time.Minute); pid == 0; time.Sleep(100 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("muxd did not start relaying")
				}
				s := read(t)
				if s == nil || streamBytes(s, "stream_1_bytes") == 0 {
					continue
				}
				for _, sl := range s.Slots {
					if sl.Alive && sl.Role == "producer-0" {
						pid = sl.PID
					}
				}
			}
			before := rate(t, "stream_1_bytes", time.Second)
			if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
				t.Fatal(err)
			}
			defer syscall.Kill(pid, syscall.SIGCONT)
			drained(t, "stream_0_bytes") // what it wrote before it stopped is through
			paused := rate(t, "stream_1_bytes", time.Second)
			t.Logf("%s: stream 1 at %.1f MB/s, then %.2f MB/s with producer 0 stopped", tc.mode, before/1e6, paused/1e6)
			if collapsed := paused < before/4; collapsed != tc.collapse {
				t.Errorf("stream 1 went from %.0f to %.0f bytes/s with producer 0 stopped: collapsed %v, want %v",
					before, paused, collapsed, tc.collapse)
			}
		})
	}
}

// read returns a snapshot of muxd's segment, or nil if it is not there yet.
func read(t *testing.T) *shmstat.Snapshot {
	r, err := shmstat.Open("muxd", nil)
	if err != nil {
		return nil
	}
	defer r.Close()
	s, err := r.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func streamBytes(s *shmstat.Snapshot, name string) uint64 {
	if m := s.Metric(shmstat.KindCounter, name); m != nil {
		return m.Value
	}
	return 0
}

// rate measures counter name in bytes per second over d.
func rate(t *testing.T, name string, d time.Duration) float64 {
	a := read(t)
	time.Sleep(d)
	b := read(t)
	secs := b.Taken.Sub(a.Taken).Seconds()
	return float64(streamBytes(b, name)-streamBytes(a, name)) / secs
}
