package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/collector"
	"github.com/porthole-dev/porthole/mlog"
)

func init() {
	register(&command{name: "collect", summary: "spool the bus to disk in order and keep the scoreboard", run: runCollect})
}

func runCollect(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("collect", "--spool DIR [--scoreboard FILE] [--http ADDR] [--key-file F]", stderr)
	spool := fs.String("spool", "", "spool directory (required)")
	board := fs.String("scoreboard", "", "scoreboard file (default DIR/scoreboard.json)")
	httpAddr := fs.String("http", "127.0.0.1:9477", `HTTP address for /metrics, /scoreboard.json, /healthz ("" turns it off)`)
	window := fs.Duration("reorder", 200*time.Millisecond, "reorder window per sender")
	rotate := fs.Duration("rotate", time.Hour, "start a new spool file this often")
	rotateSize := fs.Int64("rotate-size", 64<<20, "start a new spool file at this size (bytes)")
	retainAge := fs.Duration("retain", 7*24*time.Hour, "remove compressed spool files older than this")
	retainBytes := fs.Int64("retain-bytes", 1<<30, "keep the spool under this many bytes")
	fsync := fs.Duration("fsync", time.Second, "fsync interval (error records are synced at once)")
	gone := fs.Duration("gone-after", 30*time.Second, "a silent server is gone after this long")
	var bf busFlags
	bf.add(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *spool == "" || len(pos) > 0 {
		return fmt.Errorf("%w: want --spool DIR and no other arguments", errUsage)
	}
	cfg, err := bf.config()
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	c, err := collector.New(collector.Config{
		SpoolDir: *spool, Scoreboard: *board, ReorderWindow: *window, RotateEvery: *rotate, RotateSize: *rotateSize,
		RetainAge: *retainAge, RetainBytes: *retainBytes, FsyncEvery: *fsync, GoneAfter: *gone, Logger: logger,
	})
	if err != nil {
		return err
	}
	r, err := mlog.Listen(cfg)
	if err != nil {
		c.Close()
		return err
	}
	c.WatchReceiver(r)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *httpAddr != "" {
		closeHTTP, err := serveHTTP(*httpAddr, c.Handler(), logger)
		if err != nil {
			r.Close()
			c.Close()
			return err
		}
		defer closeHTTP()
	}
	logger.Info("collecting", "group", orDefault(cfg.Group, mlog.DefaultGroup), "iface", orDefault(cfg.Interface, mlog.DefaultInterface),
		"spool", *spool, "recv_buffer", r.RecvBuffer(), "signed", len(cfg.Key) > 0)
	go func() { <-ctx.Done(); r.Close() }()
	runErr := c.Run(ctx, r)
	if errors.Is(runErr, net.ErrClosed) {
		runErr = nil
	}
	return errors.Join(runErr, c.Close())
}

// serveHTTP serves h on addr until the returned function closes it.
func serveHTTP(addr string, h http.Handler, logger *slog.Logger) (func() error, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	logger.Info("collector HTTP", "addr", ln.Addr().String())
	return srv.Close, nil
}
