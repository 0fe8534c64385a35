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

// run starts the job with args, reads its segment until ready says the
// state a subtest is about has come (or fails after a minute: a margin
// for a loaded machine), and returns the task and snapshot it saw then.
// A segment gives no event when it changes: reading it is the way to see.
func run(t *testing.T, ready func(shmstat.TaskValue, *shmstat.Snapshot) bool, args ...string) (shmstat.TaskValue, *shmstat.Snapshot) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "seg")
	t.Setenv("PORTHOLE_DIR", dir)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Main(ctx, args, io.Discard, io.Discard) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}()
	var task shmstat.TaskValue
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		snap, err := snapshot()
		if err != nil {
			continue // not created yet
		}
		m := snap.Metric(shmstat.KindTask, "replication")
		if m == nil {
			continue
		}
		if task = m.Task; ready(task, snap) {
			return task, snap
		}
	}
	t.Fatalf("the state awaited did not come within a minute; task %+v", task)
	return task, nil
}

func snapshot() (*shmstat.Snapshot, error) {
	r, err := shmstat.Open("replicate", nil)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.Snapshot()
}

func TestFailuresShowInTheSegment(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	t.Run("healthy", func(t *testing.T) {
		task, snap := run(t, func(tk shmstat.TaskValue, _ *shmstat.Snapshot) bool { return tk.Runs >= 2 && !tk.Running }, "--every", "200ms")
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
		task, _ := run(t, func(tk shmstat.TaskValue, _ *shmstat.Snapshot) bool { return tk.Runs >= 2 && !tk.Running }, "--every", "200ms", "--fail-rate", "1")
		if task.Result != shmstat.ResultFailed || task.Failures == 0 || task.Message == "" || !task.LastSuccess.IsZero() {
			t.Fatalf("task %+v, want only failed runs with a message", task)
		}
	})
	t.Run("hang", func(t *testing.T) {
		stuck := func(tk shmstat.TaskValue, snap *shmstat.Snapshot) bool {
			m := snap.Metric(shmstat.KindCounter, "runs_refused")
			// Two runs done first: on a loaded machine a slow first run
			// is running, overdue and refusing runs too.
			return tk.Runs >= 2 && tk.Running && tk.Overdue(snap.Taken) && m != nil && m.Value > 0
		}
		task, snap := run(t, stuck, "--every", "200ms", "--hang")
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
		full := func(tk shmstat.TaskValue, snap *shmstat.Snapshot) bool {
			m := snap.Metric(shmstat.KindGauge, "snapshots_kept")
			return tk.Result == shmstat.ResultFailed && m != nil && m.Int >= 3
		}
		task, snap := run(t, full, "--every", "200ms", "--fill-snapshots")
		if task.Result != shmstat.ResultFailed || task.Message == "" {
			t.Fatalf("task %+v, want runs failing once the snapshot area is full", task)
		}
		if m := snap.Metric(shmstat.KindGauge, "snapshots_kept"); m == nil || m.Int < 3 {
			t.Errorf("snapshots kept: %+v", m)
		}
	})
}
