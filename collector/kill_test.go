package collector

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/childtest"
	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/mlog"
)

// The test binary in the role "collector" spools to $PORTHOLE_SPOOL
// until killed, or until SIGTERM, when it closes cleanly.
func TestMain(m *testing.M) {
	childtest.Main(m, childtest.Roles{"collector": runCollectorChild})
}

func runCollectorChild() error {
	c, err := New(Config{SpoolDir: os.Getenv("PORTHOLE_SPOOL"), Logger: quietLogger()})
	if err != nil {
		return err
	}
	r, err := mlog.Listen(mlog.Config{})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	childtest.Ready()
	c.Run(ctx, r)
	r.Close()
	return c.Close()
}

func startCollectorChild(t *testing.T, dir string) *childtest.Child {
	t.Helper()
	c := childtest.Start(t, "collector", "PORTHOLE_SPOOL="+dir)
	c.WaitReady(t)
	return c
}

// spoolCovers reads the spool and reports the highest number of sender
// accounted for (by a record or a gap), and the log records read.
func spoolCovers(t *testing.T, dir string, sender string) (high uint64, logs int) {
	ReadSpool(dir, func(r Record) bool {
		if r.Sender == sender {
			high = max(high, r.Seq, r.Last)
			if r.Type == "log" {
				logs++
			}
		}
		return true
	}, func(string, int, error) {})
	return high, logs
}

// spoolBytes is the size of the spool's files: a cheap sign of progress.
func spoolBytes(dir string) (n int64) {
	files, _ := spoolFiles(dir)
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// TestKilledWhileReceiving: a collector killed with SIGKILL while
// receiving 20,000 messages/s restarts with a readable spool: no torn or
// duplicate records, and every sequence number the sender used is in the
// spool exactly once, as a record or inside one gap record (what was
// sent while no collector ran is a "restart" gap).
func TestKilledWhileReceiving(t *testing.T) {
	if testing.Short() {
		t.Skip("sends for 2 s")
	}
	if !netns.Run(t) {
		return
	}
	dir := filepath.Join(t.TempDir(), "spool")
	child := startCollectorChild(t, dir)
	bus, err := mlog.New(mlog.Config{Program: "load", QueueLen: 1 << 14})
	if err != nil {
		t.Fatal(err)
	}
	sender := senderHex(bus.Sender())
	log := slog.New(bus.Handler())
	var sentN atomic.Int64
	send := func(stop <-chan struct{}) {
		const rate = 20000
		start := time.Now()
		for i := 0; ; i++ {
			if i%500 == 0 {
				select {
				case <-stop:
					return
				default:
				}
				if w := time.Until(start.Add(time.Duration(i) * time.Second / rate)); w > 0 {
					time.Sleep(w) // pacing the load, not waiting for an event
				}
			}
			log.Info("load message with a little text to make it about two hundred bytes long", "i", i, "pad", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
			sentN.Add(1)
		}
	}
	stop, sent := make(chan struct{}), make(chan struct{})
	go func() { send(stop); close(sent) }()
	waitFor(t, "the first collector to write 1 MB", func() bool { return spoolBytes(dir) >= 1<<20 })
	child.Kill() // SIGKILL, in the middle of receiving and writing
	mark := sentN.Load()
	waitFor(t, "the sender to go on while no collector runs", func() bool { return sentN.Load() > mark+2000 })
	child = startCollectorChild(t, dir)
	mark = sentN.Load()
	waitFor(t, "the sender to go on with the new collector", func() bool { return sentN.Load() > mark+10000 })
	close(stop)
	<-sent
	bus.Close()
	last := bus.Stats().Records // the sender numbers every record it sends, from 1
	waitFor(t, "the new collector to account for every number", func() bool { h, _ := spoolCovers(t, dir, sender); return h >= last })
	child.Cmd.Process.Signal(syscall.SIGTERM)
	if err := child.Cmd.Wait(); err != nil {
		t.Fatalf("collector did not close cleanly: %v", err)
	}

	seen := map[uint64]int{}
	var records, restartGaps int
	err = ReadSpool(dir, func(r Record) bool {
		if r.Sender != sender {
			return true
		}
		switch r.Type {
		case "log", "hello", "stats":
			seen[r.Seq]++
			records++
		case "gap":
			if r.Reason == "restart" {
				restartGaps++
			}
			for s := r.First; s <= r.Last; s++ {
				seen[s]++
			}
		}
		return true
	}, func(f string, n int, err error) { t.Errorf("torn or bad line %s:%d: %v", f, n, err) })
	if err != nil {
		t.Fatal(err)
	}
	for s := uint64(1); s <= last; s++ {
		if seen[s] != 1 {
			t.Fatalf("sequence number %d accounted for %d times (want exactly once)", s, seen[s])
		}
	}
	if restartGaps != 1 {
		t.Errorf("%d restart gap records, want 1", restartGaps)
	}
	t.Logf("%d of %d numbered records in the spool after a SIGKILL; the rest in gap records; sender stats %+v", records, last, bus.Stats())
}
