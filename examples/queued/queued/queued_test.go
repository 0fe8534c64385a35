package queued_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/examples/queued/client"
	"github.com/porthole-dev/porthole/examples/queued/queued"
	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/mlog"
	"github.com/porthole-dev/porthole/shmstat"
)

// TestQueuedAndClient runs queued and a client, as two goroutines of the
// test (each with its own segment handle and log bus) and reads what a
// tool would read: every kind of value, the savings of the index, the
// checkpoint task, both process slots, and debug records that go out on
// the bus only once the "merge" flag is switched on.
func TestQueuedAndClient(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	dir := filepath.Join(t.TempDir(), "seg")
	t.Setenv("PORTHOLE_DIR", dir)
	bus, err := mlog.Listen(mlog.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	qdone, cdone := make(chan error, 1), make(chan error, 1)
	go func() {
		qdone <- queued.Main(ctx, []string{"--work", "1ms", "--checkpoint", "200ms"}, io.Discard, io.Discard)
	}()
	go func() {
		cdone <- client.Main(ctx, []string{"--rate", "2000", "--records", "64", "--drop-every", "200ms"}, io.Discard, io.Discard)
	}()

	select {
	case err := <-cdone:
		t.Fatalf("client stopped: %v", err)
	case err := <-qdone:
		t.Fatalf("queued stopped: %v", err)
	case <-time.After(time.Second):
	}
	snap := waitFor(t, func(s *shmstat.Snapshot) bool {
		task := s.Metric(shmstat.KindTask, "checkpoint")
		return counter(s, "page_writes") > 0 && counter(s, "updates_dropped") > 0 && task != nil && task.Task.Runs > 0
	})

	// Every kind of value a segment can hold.
	kinds := map[shmstat.Kind]bool{}
	for _, m := range snap.Metrics {
		kinds[m.Kind] = true
	}
	for _, k := range []shmstat.Kind{shmstat.KindCounter, shmstat.KindGauge, shmstat.KindSequence, shmstat.KindLoad,
		shmstat.KindTask, shmstat.KindInfo, shmstat.KindFlag, shmstat.KindProbe} {
		if !kinds[k] {
			t.Errorf("queued registers no %v", k)
		}
	}

	// The index's savings add up, and the share avoided is computed.
	recv := counter(snap, "updates_received")
	avoided := counter(snap, "updates_replaced") + counter(snap, "updates_merged") + counter(snap, "updates_dropped")
	if recv == 0 || counter(snap, "updates_replaced") == 0 || counter(snap, "updates_merged") == 0 {
		t.Errorf("received %d, replaced %d, merged %d: want all above 0", recv,
			counter(snap, "updates_replaced"), counter(snap, "updates_merged"))
	}
	if pct := snap.Metric(shmstat.KindGauge, "writes_avoided_pct").Int; pct <= 0 || pct > 100 || avoided > recv {
		t.Errorf("writes_avoided_pct %d with %d of %d avoided", pct, avoided, recv)
	}
	// Record ids come from the shared sequence: the client took one per
	// update it sent, so the sequence is at least what queued received.
	if ids := snap.Metric(shmstat.KindSequence, "ids").Value; ids < recv {
		t.Errorf("sequence ids %d < %d updates received", ids, recv)
	}
	if task := snap.Metric(shmstat.KindTask, "checkpoint").Task; task.Result != shmstat.ResultOK || !strings.Contains(task.Message, "pages written since the last checkpoint") {
		t.Errorf("checkpoint task: %v %q after %d runs", task.Result, task.Message, task.Runs)
	}

	// Owner and client each have a live slot.
	roles := map[string]bool{}
	for _, s := range snap.Slots {
		if s.Alive {
			roles[s.Role] = true
		}
	}
	if !roles["owner"] || !roles["client"] {
		t.Errorf("live slots %v, want owner and client", roles)
	}

	// While the merge category is off, no debug record goes out.
	dctx, dcancel := context.WithTimeout(ctx, 300*time.Millisecond)
	for {
		m, err := bus.Read(dctx)
		if err != nil {
			break
		}
		if m.Level == slog.LevelDebug {
			t.Fatalf("debug record with every flag off: %+v", m.Message)
		}
	}
	dcancel()

	// Switch the merge category on for the owner, as porthole debug does:
	// the replaced-update debug records appear on the bus.
	fw, err := shmstat.OpenFlags("queued", nil)
	if err != nil {
		t.Fatal(err)
	}
	owner := -1
	for _, s := range snap.Slots {
		if s.Role == "owner" {
			owner = s.Index
		}
	}
	if _, err := fw.SetFlag(owner, "merge", true); err != nil {
		t.Fatal(err)
	}
	fw.Close()
	rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
	defer rcancel()
	for {
		m, err := bus.Read(rctx)
		if err != nil {
			t.Fatalf("no debug record of category merge on the bus: %v", err)
		}
		if m.Kind == mlog.KindLog && m.Program == "queued" && m.Level == slog.LevelDebug && m.Msg == "replaced queued update" {
			break
		}
	}

	cancel()
	for _, ch := range []chan error{qdone, cdone} {
		if err := <-ch; err != nil {
			t.Error(err)
		}
	}
}

func counter(s *shmstat.Snapshot, name string) uint64 {
	if m := s.Metric(shmstat.KindCounter, name); m != nil {
		return m.Value
	}
	return 0
}

// waitFor reads the queued segment until ok, for at most a minute.
func waitFor(t *testing.T, ok func(*shmstat.Snapshot) bool) *shmstat.Snapshot {
	t.Helper()
	var last *shmstat.Snapshot
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		r, err := shmstat.Open("queued", nil)
		if err != nil {
			continue
		}
		s, err := r.Snapshot()
		r.Close()
		if err != nil {
			continue
		}
		last = s
		if ok(s) {
			return s
		}
	}
	t.Fatalf("queued never got there; last snapshot: %+v", last)
	return nil
}

// TestQueueFullStallsClients: with a slow worker and a short queue, the
// flow control makes the client wait, and the reader sees it: the stall
// counter moves, the queue stays within its limit, and the connection's
// probe stands at the "queue full" site.
func TestQueueFullStallsClients(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	t.Setenv("PORTHOLE_DIR", filepath.Join(t.TempDir(), "seg"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	qdone, cdone := make(chan error, 1), make(chan error, 1)
	go func() {
		qdone <- queued.Main(ctx, []string{"--work", "5ms", "--max-queue", "40"}, io.Discard, io.Discard)
	}()
	go func() {
		cdone <- client.Main(ctx, []string{"--rate", "3000", "--drop-every", "0"}, io.Discard, io.Discard)
	}()
	const site = "queue full: waiting for the worker"
	snap := waitFor(t, func(s *shmstat.Snapshot) bool {
		conn := s.Metric(shmstat.KindProbe, "conn1")
		if conn == nil || counter(s, "client_stalls") == 0 {
			return false
		}
		for _, sl := range s.Slots {
			if sl.Role == "owner" && s.ProbeLocation(nil, sl, conn.Index) == site {
				return true
			}
		}
		return false
	})
	if n := snap.Metric(shmstat.KindGauge, "queue_length").Int; n > 40 {
		t.Errorf("queue_length %d over the limit of 40", n)
	}
	cancel()
	for _, ch := range []chan error{qdone, cdone} {
		if err := <-ch; err != nil {
			t.Error(err)
		}
	}
}

// TestEachClientItsOwn: two clients' client_updates_sent are two numbers,
// each in its client's slot, and each connection has its own probe.
func TestEachClientItsOwn(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	t.Setenv("PORTHOLE_DIR", filepath.Join(t.TempDir(), "seg"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 3)
	go func() { done <- queued.Main(ctx, []string{"--work", "1ms"}, io.Discard, io.Discard) }()
	for _, rate := range []string{"1000", "3000"} {
		go func() {
			done <- client.Main(ctx, []string{"--rate", rate, "--drop-every", "0"}, io.Discard, io.Discard)
		}()
	}
	snap := waitFor(t, func(s *shmstat.Snapshot) bool {
		n := 0
		for _, sl := range s.Slots {
			if m := s.SlotMetric(shmstat.KindCounter, "client_updates_sent", sl.Index); sl.Role == "client" && m != nil && m.Value > 0 {
				n++
			}
		}
		return n == 2 && s.Metric(shmstat.KindProbe, "conn1") != nil && s.Metric(shmstat.KindProbe, "conn2") != nil
	})
	var sent []uint64
	for _, m := range snap.Metrics {
		if m.Name == "client_updates_sent" {
			if !m.PerProcess {
				t.Errorf("a shared client_updates_sent: %+v", m)
			}
			sent = append(sent, m.Value)
		}
	}
	if len(sent) != 2 {
		t.Errorf("client_updates_sent values %v, want one per client", sent)
	}
	cancel()
	for i := 0; i < 3; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
