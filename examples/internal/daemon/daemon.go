package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/mlog"
	"github.com/porthole-dev/porthole/shmstat"
)

// Daemon is a started example: its segment, bus and logger.
type Daemon struct {
	Seg *shmstat.Segment
	Bus *mlog.Bus
	Log *slog.Logger
}

// Start creates (owner) or attaches to (role != "") segment name, opens
// the bus with the environment's settings, and starts announcing once a
// second. Log lines also go to stderr when PORTHOLE_EXAMPLE_STDERR=1.
func Start(name, role string, stderr io.Writer) (*Daemon, error) {
	var seg *shmstat.Segment
	var err error
	if role == "" {
		seg, err = shmstat.Create(name, nil)
	} else {
		seg, err = shmstat.Attach(name, role, nil)
	}
	if err != nil {
		return nil, err
	}
	program := name
	if role != "" {
		program = name + "-" + role
	}
	cfg, err := mlog.Config{Program: program, Segment: seg}.WithEnv()
	if err != nil {
		seg.Close()
		return nil, err
	}
	bus, err := mlog.New(cfg)
	if err != nil {
		seg.Close()
		return nil, fmt.Errorf("%s: log bus: %w", name, err)
	}
	bus.Announce(time.Second)
	h := bus.Handler()
	if os.Getenv("PORTHOLE_EXAMPLE_STDERR") == "1" {
		h = tee{h, slog.NewTextHandler(stderr, nil)}
	}
	return &Daemon{Seg: seg, Bus: bus, Log: slog.New(h)}, nil
}

// Close closes the bus and the segment.
func (d *Daemon) Close() error {
	return errors.Join(d.Bus.Close(), d.Seg.Close())
}

// Context returns ctx, also cancelled on SIGINT or SIGTERM.
func Context(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// tee sends records to two handlers.
type tee struct{ a, b slog.Handler }

func (t tee) Enabled(ctx context.Context, l slog.Level) bool {
	return t.a.Enabled(ctx, l) || t.b.Enabled(ctx, l)
}

func (t tee) Handle(ctx context.Context, r slog.Record) error {
	if t.a.Enabled(ctx, r.Level) {
		t.a.Handle(ctx, r.Clone())
	}
	if t.b.Enabled(ctx, r.Level) {
		return t.b.Handle(ctx, r)
	}
	return nil
}

func (t tee) WithAttrs(as []slog.Attr) slog.Handler { return tee{t.a.WithAttrs(as), t.b.WithAttrs(as)} }
func (t tee) WithGroup(g string) slog.Handler       { return tee{t.a.WithGroup(g), t.b.WithGroup(g)} }

// Dial connects to the unix socket at path, retrying for about five
// seconds while the server starts.
func Dial(ctx context.Context, path string) (net.Conn, error) {
	var err error
	for try := 0; try < 100; try++ {
		var c net.Conn
		if c, err = net.Dial("unix", path); err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil, err
}
