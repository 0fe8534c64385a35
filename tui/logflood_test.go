package tui

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/mlog"
)

// TestLogTailUnderFlood: a real bus sending 400 lines/s for a second (as a
// debug category switched on does) reaches the model in full: every line is
// counted, the tail keeps the newest MaxLogs. Runs in its own network
// namespace (multicast never leaves it).
func TestLogTailUnderFlood(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	cfg := mlog.Config{Group: "239.255.77.77:7777"}
	m := NewModel(Config{Dir: t.TempDir(), Bus: true, BusConfig: cfg, MaxLogs: 100})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer m.Close()
	m.Start(ctx)
	// The tail is up once its receiver is: the model's own state says so.
	for deadline := time.Now().Add(10 * time.Second); ; {
		m.mu.Lock()
		up := m.rcv != nil
		m.mu.Unlock()
		if up {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the model's bus receiver did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	bus, err := mlog.New(mlog.Config{Group: cfg.Group, Program: "flood", Host: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	log := slog.New(bus.Handler())
	tick := time.NewTicker(time.Second / 400)
	for i := 0; i < 400; i++ {
		<-tick.C
		log.Info(fmt.Sprintf("merge record %d", i))
	}
	tick.Stop()
	var snap *Snapshot
	for deadline := time.Now().Add(10 * time.Second); ; {
		snap = m.Build(ctx)
		if snap.Cluster.LogsSeen >= 400 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	logs := snap.Cluster.Logs
	if snap.Cluster.LogsSeen != 400 || len(logs) != 100 {
		t.Fatalf("seen %d lines, kept %d: want 400 and the newest 100", snap.Cluster.LogsSeen, len(logs))
	}
	if first, last := logs[0].Text, logs[99].Text; first != "merge record 300" || last != "merge record 399" {
		t.Errorf("kept %q .. %q, want the newest: merge record 300 .. 399", first, last)
	}
}
