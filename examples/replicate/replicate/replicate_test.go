package replicate

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/shmstat"
)

// run starts the job with args for d and returns its task as a reader
// saw it just before the job stopped.
func run(t *testing.T, d time.Duration, args ...string) (shmstat.TaskValue, *shmstat.Snapshot) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "seg")
	t.Setenv("PORTHOLE_DIR", dir)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Main(ctx, args, io.Discard, io.Discard) }()
	time.Sleep(d)
	r, err := shmstat.Open("replicate", nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	defer r.Close()
	snap, err := r.Snapshot()
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	m := snap.Metric(shmstat.KindTask, "replication")
	if m == nil {
		t.Fatal("no replication task")
	}
	return m.Task, snap
}

func TestFailuresShowInTheSegment(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	t.Run("healthy", func(t *testing.T) {
		task, snap := run(t, 700*time.Millisecond, "--every", "200ms")
		if task.Result != shmstat.ResultOK || task.Runs < 2 || task.Failures != 0 {
			t.Fatalf("task %+v", task)
		}
		// The result, not just that it ran: what was copied and verified.
		if !strings.Contains(task.Message, "blocks copied, checksum") {
			t.Errorf("last result's note %q", task.Message)
		}
		if m := snap.Metric(shmstat.KindCounter, "blocks_copied"); m == nil || m.Value == 0 {
			t.Errorf("no blocks copied: %+v", m)
		}
	})
	t.Run("fail-rate", func(t *testing.T) {
		task, _ := run(t, 700*time.Millisecond, "--every", "200ms", "--fail-rate", "1")
		if task.Result != shmstat.ResultFailed || task.Failures == 0 || task.Message == "" || !task.LastSuccess.IsZero() {
			t.Fatalf("task %+v, want only failed runs with a message", task)
		}
	})
	t.Run("hang", func(t *testing.T) {
		task, snap := run(t, 1500*time.Millisecond, "--every", "200ms", "--hang")
		if !task.Running || !task.Overdue(snap.Taken) || task.Runs != 2 {
			t.Fatalf("task %+v: want the third run stuck and overdue after two good runs", task)
		}
		if m := snap.Metric(shmstat.KindCounter, "runs_refused"); m == nil || m.Value == 0 {
			t.Errorf("no refused runs while stuck: %+v", m)
		}
		if got := snap.ProbeLocation(nil, snap.Slots[0], 0); got != "stuck: waiting for the destination lock" {
			t.Errorf("probe at %q", got)
		}
	})
	t.Run("fill-snapshots", func(t *testing.T) {
		task, snap := run(t, 1200*time.Millisecond, "--every", "200ms", "--fill-snapshots")
		if task.Result != shmstat.ResultFailed || task.Message == "" {
			t.Fatalf("task %+v, want runs failing once the snapshot area is full", task)
		}
		if m := snap.Metric(shmstat.KindGauge, "snapshots_kept"); m == nil || m.Int < 3 {
			t.Errorf("snapshots kept: %+v", m)
		}
	})
}
