package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/tui"
)

func init() {
	register(&command{name: "top", summary: "the watch-style dashboard: local segments, probes, scoreboard, log tail", run: runTop})
}

func runTop(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("top", "[--interval D] [--collector FILE|URL] [--bus=false] [--dir DIR] [--hz N]", stderr)
	interval := fs.Duration("interval", time.Second, "refresh interval")
	coll := fs.String("collector", defaultCollectorURL, "scoreboard file or collector URL (given: opens the cluster view)")
	bus := fs.Bool("bus", true, "tail the log bus in the cluster view")
	dir := fs.String("dir", "", "segment directory")
	hz := fs.Float64("hz", tui.DefaultSampleHz, "probe sampling rate for the live histograms (0: off; each sample costs a wake-up, ~50 us of CPU)")
	var bf busFlags
	bf.add(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	if err := positive("interval", *interval); err != nil {
		return err
	}
	busCfg, err := bf.config()
	if err != nil {
		return err
	}
	oneProc()
	m := tui.NewModel(tui.Config{Dir: *dir, Collector: *coll, Bus: *bus, BusConfig: busCfg, SampleHz: *hz})
	u := tui.NewUI(m, nil)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	return tui.Run(ctx, m, u, *interval, flagSet(fs, "collector"))
}

// oneProc runs the dashboard on one P unless $GOMAXPROCS says otherwise.
// Its work is serial (a refresh a second, the UI, a probe sample per
// tick), and with a second P idle every hand-off between goroutines also
// wakes a spinning thread: one P halves the wake-ups, ~0.1 % of a core
// less (docs/PERFORMANCE.md, "tui").
func oneProc() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			found = true
		}
	})
	return found
}
