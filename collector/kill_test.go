package collector

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/mlog"
)

// With PORTHOLE_COLLECTOR_CHILD=DIR the test binary is a collector
// spooling to DIR until killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv("PORTHOLE_COLLECTOR_CHILD"); dir != "" {
		c, err := New(Config{SpoolDir: dir, Logger: quietLogger()})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		r, err := mlog.Listen(mlog.Config{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("ready")
		c.Run(context.Background(), r)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func startCollectorChild(t *testing.T, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PORTHOLE_COLLECTOR_CHILD="+dir)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil || string(buf) != "ready\n" {
		t.Fatalf("collector child: %q %v", buf, err)
	}
	return cmd
}

// TestKilledWhileReceiving: a collector killed with SIGKILL while
// receiving 50,000 messages/s restarts with a readable spool, without
// torn or duplicate records.
func TestKilledWhileReceiving(t *testing.T) {
	if testing.Short() {
		t.Skip("sends for 3 s")
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
	log := slog.New(bus.Handler())
	send := func(d time.Duration) {
		const rate = 50000
		start := time.Now()
		for i := 0; time.Since(start) < d; i++ {
			if i%500 == 0 {
				if w := time.Until(start.Add(time.Duration(i) * time.Second / rate)); w > 0 {
					time.Sleep(w)
				}
			}
			log.Info("load message with a little text to make it about two hundred bytes long", "i", i, "pad", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
		}
	}
	sent := make(chan struct{})
	go func() { send(2 * time.Second); close(sent) }()
	time.Sleep(time.Second)
	child.Process.Signal(syscall.SIGKILL) // in the middle of receiving and writing
	child.Wait()
	child = startCollectorChild(t, dir)
	<-sent
	bus.Close()
	time.Sleep(500 * time.Millisecond)
	child.Process.Signal(syscall.SIGTERM)
	child.Process.Kill()
	child.Wait()

	seen := map[string]bool{}
	records, dups := 0, 0
	err = ReadSpool(dir, func(r Record) bool {
		if r.Type == "log" {
			k := fmt.Sprintf("%s/%d", r.Sender, r.Seq)
			if seen[k] {
				dups++
			}
			seen[k] = true
			records++
		}
		return true
	}, func(f string, n int, err error) { t.Errorf("torn or bad line %s:%d: %v", f, n, err) })
	if err != nil {
		t.Fatal(err)
	}
	if dups != 0 {
		t.Errorf("%d duplicate records", dups)
	}
	if records < 30000 {
		t.Errorf("only %d records spooled from ~100,000 sent", records)
	}
	t.Logf("%d records in the spool after a SIGKILL; sender stats %+v", records, bus.Stats())
}
