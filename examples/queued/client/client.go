package client

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"time"

	"github.com/porthole-dev/porthole/examples/internal/daemon"
	"github.com/porthole-dev/porthole/examples/queued/queued"
	"github.com/porthole-dev/porthole/shmstat"
)

// Main runs the client until ctx ends or it is signalled.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("queued-client", flag.ContinueOnError)
	flags.SetOutput(stderr)
	rate := flags.Int("rate", 2000, "updates per second")
	records := flags.Int("records", 400, "distinct records per table (fewer: more replaced updates)")
	dropEvery := flags.Duration("drop-every", 20*time.Second, "drop (and re-create) a table this often; 0: never")
	sock := flags.String("socket", "", "queued's socket (default beside the segment)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *sock == "" {
		*sock = queued.SocketPath()
	}
	ctx, cancel := daemon.Context(ctx)
	defer cancel()
	// Wait up to 5 s for queued to create its segment.
	var d *daemon.Daemon
	var err error
	for try := 0; ; try++ {
		if d, err = daemon.Start("queued", "client", stderr); err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || try >= 50 || ctx.Err() != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	defer d.Close()
	c, err := daemon.Dial(ctx, *sock)
	if err != nil {
		return fmt.Errorf("queued-client: %w", err)
	}
	defer c.Close()
	ids := d.Seg.Sequence("ids")
	// Each client process counts its own updates (in its slot), so two
	// clients are two numbers, not a sum.
	sent := d.Seg.Counter("client_updates_sent", "updates this client sent", shmstat.PerProcess())
	p := d.Seg.Probe("sender")
	w := bufio.NewWriter(c)
	tables := []string{"orders", "users", "stock", "audit"}
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	lastDrop := time.Now()
	d.Log.Info("client started", "rate", *rate)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		p.Here()
		for i := 0; i < *rate/100; i++ {
			id := ids.Next()
			table := tables[rng.Intn(len(tables))]
			rec := int(id) % *records
			if rng.Intn(4) == 0 { // hot records: replaced while queued
				rec = rng.Intn(8)
			}
			fmt.Fprintf(w, "U %s %d v%d\n", table, rec, id)
			sent.Inc()
		}
		if *dropEvery > 0 && time.Since(lastDrop) > *dropEvery {
			lastDrop = time.Now()
			// Drop the table and create it again: updates in between are
			// discarded by queued.
			fmt.Fprintf(w, "D audit\nC audit\n")
			d.Log.Warn("dropped and re-created table audit")
		}
		p.Mark("flushing")
		if err := w.Flush(); err != nil {
			return fmt.Errorf("queued-client: send: %w", err)
		}
	}
}
