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

// collectSetup is what porthole collect's flags ask for.
type collectSetup struct {
	cfg          collector.Config
	bus          mlog.Config
	http, syslog string
}

func parseCollect(args []string, stderr io.Writer) (*collectSetup, error) {
	fs := newFlagSet("collect", "--spool DIR [--scoreboard FILE] [--http ADDR] [--syslog PORT|HOST:PORT] [--key-file F]", stderr)
	spool := fs.String("spool", "", "spool directory (required)")
	board := fs.String("scoreboard", "", "scoreboard file (default DIR/scoreboard.json)")
	httpAddr := fs.String("http", defaultCollectorAddr, `HTTP address for /metrics, /scoreboard.json, /healthz ("" turns it off)`)
	window := fs.Duration("reorder", 200*time.Millisecond, "reorder window per sender")
	rotate := fs.Duration("rotate", time.Hour, "start a new spool file this often")
	rotateSize := fs.Int64("rotate-size", 64<<20, "start a new spool file at this size (bytes)")
	retainAge := fs.Duration("retain", 7*24*time.Hour, "remove compressed spool files older than this")
	retainBytes := fs.Int64("retain-bytes", 1<<30, "keep the spool under this many bytes")
	fsync := fs.Duration("fsync", time.Second, "fsync interval (error records are synced at once)")
	gone := fs.Duration("gone-after", 30*time.Second, "a silent server is gone after this long")
	forget := fs.Duration("forget-after", time.Hour, "a silent server or sender is forgotten after this long")
	maxServers := fs.Int("max-servers", 10000, "scoreboard rows kept at most (the longest-silent is evicted, and counted)")
	maxSenders := fs.Int("max-senders", 65536, "sender ids tracked at most (the longest-silent is evicted, and counted)")
	recvBuf := fs.Int("recv-buffer", 32<<20, "socket receive buffer, bytes: 32 MiB holds about 1 s of 300k records/s while the collector gets no CPU (the log line says what the kernel gave)")
	syslogAddr := fs.String("syslog", "", "also take syslog over UDP (RFC 5424, RFC 3164) on PORT of 127.0.0.1, or HOST:PORT (default off)")
	var bf busFlags
	bf.add(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if *spool == "" || len(pos) > 0 {
		return nil, fmt.Errorf("%w: want --spool DIR and no other arguments", errUsage)
	}
	if *maxServers < 1 || *maxSenders < 1 {
		return nil, fmt.Errorf("%w: --max-servers and --max-senders must be at least 1", errUsage)
	}
	bus, err := bf.config()
	if err != nil {
		return nil, err
	}
	bus.RecvBuffer = *recvBuf
	return &collectSetup{bus: bus, http: *httpAddr, syslog: *syslogAddr, cfg: collector.Config{
		SpoolDir: *spool, Scoreboard: *board, ReorderWindow: *window, RotateEvery: *rotate, RotateSize: *rotateSize,
		RetainAge: *retainAge, RetainBytes: *retainBytes, FsyncEvery: *fsync, GoneAfter: *gone, ForgetAfter: *forget,
		MaxServers: *maxServers, MaxSenders: *maxSenders,
	}}, nil
}

func runCollect(args []string, stdout, stderr io.Writer) error {
	o, err := parseCollect(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	o.cfg.Logger = logger
	c, err := collector.New(o.cfg)
	if err != nil {
		return err
	}
	r, err := mlog.Listen(o.bus)
	if err != nil {
		c.Close()
		return err
	}
	c.WatchReceiver(r)
	if r.RecvBuffer() < o.bus.RecvBuffer {
		logger.Warn("receive buffer smaller than asked: raise net.core.rmem_max (deploy/systemd/60-porthole-collector.conf) or give CAP_NET_ADMIN",
			"asked", o.bus.RecvBuffer, "got", r.RecvBuffer())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopInputs, err := startCollectInputs(ctx, c, o, logger)
	if err != nil {
		r.Close()
		c.Close()
		return err
	}
	logger.Info("collecting", "group", orDefault(o.bus.Group, mlog.DefaultGroup), "iface", orDefault(o.bus.Interface, mlog.DefaultInterface),
		"spool", o.cfg.SpoolDir, "recv_buffer", r.RecvBuffer(), "signed", len(o.bus.Key) > 0)
	go func() { <-ctx.Done(); r.Close() }()
	runErr := c.Run(ctx, r)
	if errors.Is(runErr, net.ErrClosed) {
		runErr = nil
	}
	stopInputs()
	return errors.Join(runErr, c.Close())
}

// startCollectInputs starts the HTTP server and the syslog input the
// flags ask for; the function it returns stops both.
func startCollectInputs(ctx context.Context, c *collector.Collector, o *collectSetup, logger *slog.Logger) (func(), error) {
	closeHTTP := func() error { return nil }
	if o.http != "" {
		var err error
		if closeHTTP, err = serveHTTP(o.http, c.Handler(), logger); err != nil {
			return nil, err
		}
	}
	stopSyslog, err := startSyslog(ctx, c, o.syslog, logger)
	if err != nil {
		closeHTTP()
		return nil, err
	}
	return func() { stopSyslog(); closeHTTP() }, nil
}

// defaultCollectorAddr is where porthole collect serves HTTP, and where
// porthole scoreboard and porthole top look for it by default.
const defaultCollectorAddr = "127.0.0.1:9477"

// defaultCollectorURL is defaultCollectorAddr as a URL.
const defaultCollectorURL = "http://" + defaultCollectorAddr

// serveHTTP serves h on addr until the returned function closes it.
func serveHTTP(addr string, h http.Handler, logger *slog.Logger) (func() error, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("http: %w (another collector? --http ADDR serves on another address, --http \"\" on none)", err)
	}
	if err != nil {
		return nil, fmt.Errorf("http: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	logger.Info("collector HTTP", "addr", ln.Addr().String())
	return srv.Close, nil
}
