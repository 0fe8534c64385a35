package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/collector/scoreboard"
	"github.com/porthole-dev/porthole/internal/numfmt"
	"github.com/porthole-dev/porthole/internal/supervise"
	"github.com/porthole-dev/porthole/tui"
)

func init() {
	register(&command{name: "demo", summary: "start the example daemons and a collector, and watch them", run: runDemo})
}

// demoProcs are what the demo starts: the one binary, with these args.
var demoProcs = [][]string{
	{"collect", "--spool", "{spool}", "--http", "{http}"},
	{"example", "queued"},
	{"example", "queued-client", "--rate", "3000"},
	{"example", "muxd", "--streams", "3", "--single-loop"},
	{"example", "replicate", "--every", "5s", "--fail-rate", "0.3"},
	{"example", "replicate", "--name", "replicate-stuck", "--every", "3s", "--hang"},
	// A cron job, not a daemon: porthole run every 4 s; it stops succeeding at its fourth run.
	{"example", "cron", "--job", "replicate-cron", "--every", "4s", "--timeout", "20s", "--",
		"example", "replicate", "--once", "--name", "replicate-cron", "--work", "{tmp}/replicate-cron", "--fill-snapshots"},
}

// demo is one run of porthole demo: its flags and temporary directory.
type demo struct {
	noTUI    bool
	duration time.Duration
	httpAddr string
	keep     bool

	tmp, segDir, spool, board string
	log                       *os.File // the daemons' output
}

func runDemo(args []string, stdout, stderr io.Writer) error {
	d, err := parseDemoFlags(args, stderr)
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	// The children's parent-death signal follows the thread that started
	// them: keep this goroutine on one thread that lives as long as the
	// demo, so no thread exit elsewhere in the runtime can fire it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := d.makeDirs(); err != nil {
		return err
	}
	defer d.removeDirs()
	// Everything the demo starts, and this process (for top), uses the
	// demo's own segment directory.
	defer setEnv("PORTHOLE_DIR", d.segDir)()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A write to a stdout whose reader went (porthole demo | head) fails
	// with EPIPE, which printLoop takes for the end, instead of killing
	// the demo before it has stopped and removed what it made.
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	defer signal.Stop(pipe)
	g := supervise.New(exe, d.log)
	defer d.stop(g, stderr)
	if err := d.start(ctx, g); err != nil || ctx.Err() != nil {
		return err
	}
	fmt.Fprintf(stderr, "porthole demo: started %d processes; segments in %s, spool in %s, their output in %s\n",
		len(g.Procs()), d.segDir, d.spool, d.log.Name())
	if d.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.duration)
		defer cancel()
	}
	if !d.noTUI {
		err := tui.Terminal()
		if err == nil {
			return d.dashboard(ctx)
		}
		fmt.Fprintf(stderr, "porthole demo: %v: printing the scoreboard every second instead (--no-tui)\n", err)
	}
	return d.printLoop(ctx, g, stdout, stderr)
}

func parseDemoFlags(args []string, stderr io.Writer) (*demo, error) {
	fs := newFlagSet("demo", "[--no-tui] [--duration D] [--http ADDR] [--keep]", stderr)
	d := &demo{}
	fs.BoolVar(&d.noTUI, "no-tui", false, "print the scoreboard every second instead of opening porthole top")
	fs.DurationVar(&d.duration, "duration", 0, "stop after D (0: until interrupted or q)")
	fs.StringVar(&d.httpAddr, "http", "", `the collector's HTTP address ("" for none)`)
	fs.BoolVar(&d.keep, "keep", false, "keep the temporary directory (spool, segments) at exit")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	return d, nil
}

// makeDirs makes the demo's temporary directory and its log file.
func (d *demo) makeDirs() error {
	tmp, err := os.MkdirTemp("", "porthole-demo-")
	if err != nil {
		return err
	}
	d.tmp = tmp
	d.segDir = filepath.Join(tmp, "segments")
	d.spool = filepath.Join(tmp, "spool")
	d.board = filepath.Join(d.spool, "scoreboard.json")
	d.log, err = os.Create(filepath.Join(tmp, "daemons.log"))
	if err != nil {
		os.RemoveAll(tmp)
	}
	return err
}

// removeDirs closes the log and removes the directory unless --keep.
func (d *demo) removeDirs() {
	d.log.Close()
	if !d.keep {
		os.RemoveAll(d.tmp)
	}
}

// setEnv sets key to value and returns the function that restores it.
func setEnv(key, value string) (restore func()) {
	old, had := os.LookupEnv(key)
	os.Setenv(key, value)
	return func() {
		if had {
			os.Setenv(key, old)
		} else {
			os.Unsetenv(key)
		}
	}
}

// argv returns demoProcs[i] with the demo's paths filled in.
func (d *demo) argv(i int) []string {
	argv := make([]string, len(demoProcs[i]))
	for j, s := range demoProcs[i] {
		switch s {
		case "{spool}":
			s = d.spool
		case "{http}":
			s = d.httpAddr
		default:
			s = strings.ReplaceAll(s, "{tmp}", d.tmp)
		}
		argv[j] = s
	}
	return argv
}

// start starts demoProcs. The collector must join the group, then queued
// make its segment and socket: if either exits at once, start stops.
func (d *demo) start(ctx context.Context, g *supervise.Group) error {
	for i := range demoProcs {
		p, err := g.Start(d.argv(i)...)
		if err != nil {
			return err
		}
		if i > 1 {
			continue
		}
		if err := p.Settle(ctx, 300*time.Millisecond); ctx.Err() != nil {
			return nil // interrupted: runDemo stops
		} else if err != nil {
			return fmt.Errorf("%w:\n%s", err, tail(d.log.Name(), 5))
		}
	}
	return nil
}

// stop stops every child and says what happened.
func (d *demo) stop(g *supervise.Group, stderr io.Writer) {
	n := g.Stop(3 * time.Second)
	hint := "--keep keeps the daemons' output"
	if d.keep {
		hint = "see " + d.log.Name()
	}
	for _, p := range g.Unexpected() {
		fmt.Fprintf(stderr, "porthole demo: %s had exited by itself: %v (%s)\n", p, p.Err(), hint)
	}
	what := "removed"
	if d.keep {
		what = "kept"
	}
	fmt.Fprintf(stderr, "porthole demo: stopped %s; %s %s\n", numfmt.Plural(n, "process", "processes"), what, d.tmp)
}

// dashboard runs porthole top on the demo's context: it returns on q, on
// a signal or at --duration, restoring the terminal before the deferred
// clean-up stops the children.
func (d *demo) dashboard(ctx context.Context) error {
	busCfg, err := (&busFlags{}).config()
	if err != nil {
		return err
	}
	m := tui.NewModel(tui.Config{Collector: d.board, Bus: true, BusConfig: busCfg, SampleHz: tui.DefaultSampleHz})
	return tui.Run(ctx, m, tui.NewUI(m, nil), time.Second, true)
}

// printLoop prints the scoreboard every second until ctx ends or the
// collector exits.
func (d *demo) printLoop(ctx context.Context, g *supervise.Group, stdout, stderr io.Writer) error {
	collector := g.Procs()[0]
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-collector.Done():
			collector.Acknowledge() // reported here
			return fmt.Errorf("the collector exited (%v):\n%s", collector.Err(), tail(d.log.Name(), 5))
		case <-t.C:
		}
		sb, err := scoreboard.Read(d.board)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				fmt.Fprintf(stderr, "porthole demo: %v\n", err)
			}
			continue
		}
		sep := "\n" // a pipe or file gets the tables one after another
		if isTerminal(stdout) {
			sep = "\033[H\033[2J"
		}
		if _, err := io.WriteString(stdout, sep); errors.Is(err, syscall.EPIPE) {
			return nil // the reader went: stop as on Ctrl-C
		} else if err != nil {
			return fmt.Errorf("stdout: %w", err)
		}
		printScoreboard(stdout, sb)
		for _, p := range g.Procs() {
			if p.Exited() {
				fmt.Fprintf(stdout, "\n%s exited: %v (see %s)\n", p, p.Err(), d.log.Name())
			}
		}
	}
}

// tail returns the last n lines of file name.
func tail(name string, n int) string {
	b, _ := os.ReadFile(name)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
