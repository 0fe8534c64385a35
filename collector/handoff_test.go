package collector

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// logSeqs reads the spool's log records of one sender, in order.
func logSeqs(t *testing.T, dir string, sender string) []uint64 {
	t.Helper()
	var seqs []uint64
	for _, r := range readAll(t, dir) {
		if r.Type == "log" && r.Sender == sender {
			seqs = append(seqs, r.Seq)
		} else if r.Type == "gap" && r.Sender == sender {
			t.Errorf("gap %d-%d (%s): nothing was lost", r.First, r.Last, r.Reason)
		}
	}
	return seqs
}

func wantSeqs(t *testing.T, got []uint64, n uint64) {
	t.Helper()
	if uint64(len(got)) != n {
		t.Fatalf("%d records written, want %d", len(got), n)
	}
	for i, s := range got {
		if s != uint64(i)+1 {
			t.Fatalf("record %d has seq %d: out of order", i, s)
		}
	}
}

// TestIngestDoesNotWaitForMaintenance: while maintenance holds the
// ingest lock, Ingest returns at once (the test holds the lock until
// every Ingest has returned: with the old Ingest it never would), and
// what it handed off is ingested, in order, before anything after it.
func TestIngestDoesNotWaitForMaintenance(t *testing.T) {
	clk := newClock()
	c, dir := newTestCollector(t, clk, Config{})
	at := clk.Now()
	h := c.lockFor() // maintenance
	done := make(chan struct{})
	go func() {
		for seq := uint64(1); seq <= 100; seq++ {
			c.Ingest(recv(logMsg(1, seq, "a", "p", 10), at))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Ingest waited for the lock maintenance holds")
	}
	if n := c.handoff.n.Load(); n != 100 {
		t.Errorf("%d messages handed off, want 100", n)
	}
	c.unlockFor(holdTick, h) // the holder ingests them as it lets go
	if n := c.handoff.n.Load(); n != 0 {
		t.Errorf("%d messages left in the handoff after the holder let go", n)
	}
	for seq := uint64(101); seq <= 200; seq++ {
		c.Ingest(recv(logMsg(1, seq, "a", "p", 10), at))
	}
	if got := c.handoff.total.Load(); got != 100 {
		t.Errorf("handed off %d in all, want 100", got)
	}
	c.Close()
	wantSeqs(t, logSeqs(t, dir, "0000000000000001"), 200)
}

// TestHandoffFullWaitsForTheLock: past handoffMax messages Ingest waits
// for the lock (counted) rather than grow the handoff, and nothing is
// lost or reordered.
func TestHandoffFullWaitsForTheLock(t *testing.T) {
	clk := newClock()
	c, dir := newTestCollector(t, clk, Config{QueueLen: 2 * handoffMax})
	at := clk.Now()
	h := c.lockFor()
	handed := make(chan struct{})
	done := make(chan struct{})
	go func() {
		for seq := uint64(1); seq <= handoffMax; seq++ {
			c.Ingest(recv(logMsg(1, seq, "a", "p", 10), at))
		}
		close(handed)
		c.Ingest(recv(logMsg(1, handoffMax+1, "a", "p", 10), at)) // waits
		close(done)
	}()
	<-handed
	// Every failure below is noted, not fatal, until the test lets go of
	// the lock: the collector's clean-up waits for it.
	if n := c.handoff.n.Load(); n != handoffMax {
		t.Errorf("%d messages handed off, want the handoff full (%d)", n, handoffMax)
	}
	// The last message finds the handoff full: counted, then Ingest
	// waits for the lock. Let go only once it has found it full: let go
	// before, and it is ingested at once, never finding the handoff so.
	deadline := time.Now().Add(30 * time.Second)
	for c.handoff.full.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if c.handoff.full.Load() == 0 {
		t.Errorf("the message past a full handoff was not counted full (%d handed off)", c.handoff.total.Load())
	}
	select {
	case <-done:
		t.Error("Ingest returned with the handoff full and the lock held")
	default:
	}
	c.unlockFor(holdTick, h)
	<-done
	// The last message was not handed off: it waited for the lock
	// (ingested in order, below).
	if full, total := c.handoff.full.Load(), c.handoff.total.Load(); full != 1 || total != handoffMax {
		t.Errorf("full %d times, %d handed off: want 1 and %d", full, total, handoffMax)
	}
	c.Close()
	wantSeqs(t, logSeqs(t, dir, "0000000000000001"), handoffMax+1)
}

// TestHandoffLeavesNothingBehind: senders ingest while maintenance takes
// and releases the lock as fast as it can; every message is written once,
// each sender's in order, and the handoff ends empty.
func TestHandoffLeavesNothingBehind(t *testing.T) {
	clk := newClock()
	const senders, per = 4, 5000
	// The collector's own ticker takes the lock every ReorderWindow/4:
	// at the check below it could hold the lock, with messages handed
	// off to it still waiting (not left behind). With an hour's window
	// the test's goroutine is the only maintenance.
	c, dir := newTestCollector(t, clk, Config{QueueLen: senders * per, ReorderWindow: time.Hour})
	at := clk.Now()
	var wg sync.WaitGroup
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-stop:
				return
			default:
				c.unlockFor(holdTick, c.lockFor())
			}
		}
	}()
	for s := uint64(1); s <= senders; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := uint64(1); seq <= per; seq++ {
				c.Ingest(mlog.Received{Message: logMsg(s, seq, "h", "p", int(s)), RecvTime: at})
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-stopped // a holder may still be letting go, ingesting the handoff
	if n := c.handoff.n.Load(); n != 0 {
		t.Errorf("%d messages left in the handoff", n)
	}
	if c.handoff.total.Load() == 0 {
		t.Log("no message was handed off in this run: the lock was never busy when one came")
	}
	c.Close()
	for s := uint64(1); s <= senders; s++ {
		wantSeqs(t, logSeqs(t, dir, "000000000000000"+string(rune('0'+s))), per)
	}
}

// TestHandoffCounted: /metrics says how many messages were handed off.
func TestHandoffCounted(t *testing.T) {
	clk := newClock()
	c, _ := newTestCollector(t, clk, Config{})
	h := c.lockFor()
	for seq := uint64(1); seq <= 3; seq++ {
		c.Ingest(recv(logMsg(1, seq, "a", "p", 10), clk.Now()))
	}
	c.unlockFor(holdTick, h)
	srv := httptest.NewServer(c.Handler())
	defer srv.Close()
	_, _, body := get(t, srv, "/metrics")
	for _, want := range []string{`porthole_collector_ingest_handoff_total{outcome="handed_off"} 3`, `porthole_collector_ingest_handoff_total{outcome="full"} 0`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
