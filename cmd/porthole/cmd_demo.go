package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/collector"
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
}

func runDemo(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "[--no-tui] [--duration D] [--http ADDR]", stderr)
	noTUI := fs.Bool("no-tui", false, "print the scoreboard every second instead of opening porthole top")
	duration := fs.Duration("duration", 0, "stop after D (0: until interrupted or q)")
	httpAddr := fs.String("http", "", `the collector's HTTP address ("" for none)`)
	keep := fs.Bool("keep", false, "keep the temporary directory (spool, segments) at exit")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
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
	tmp, err := os.MkdirTemp("", "porthole-demo-")
	if err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(tmp)
	}
	segDir := filepath.Join(tmp, "segments")
	spool := filepath.Join(tmp, "spool")
	board := filepath.Join(spool, "scoreboard.json")
	logFile, err := os.Create(filepath.Join(tmp, "daemons.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	// Everything the demo starts, and this process (for top), uses the
	// demo's own segment directory.
	oldDir, hadDir := os.LookupEnv("PORTHOLE_DIR")
	os.Setenv("PORTHOLE_DIR", segDir)
	defer func() {
		if hadDir {
			os.Setenv("PORTHOLE_DIR", oldDir)
		} else {
			os.Unsetenv("PORTHOLE_DIR")
		}
	}()
	var procs []*exec.Cmd
	defer func() { stopAll(procs) }()
	for i, a := range demoProcs {
		argv := make([]string, len(a))
		for j, s := range a {
			switch s {
			case "{spool}":
				s = spool
			case "{http}":
				s = *httpAddr
			}
			argv[j] = s
		}
		cmd := exec.Command(exe, argv...)
		cmd.Stdout, cmd.Stderr = logFile, logFile
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("demo: start %v: %w", argv, err)
		}
		procs = append(procs, cmd)
		if i <= 1 {
			time.Sleep(300 * time.Millisecond) // the collector, then queued's socket
		}
	}
	fmt.Fprintf(stderr, "porthole demo: started %d processes; segments in %s, spool in %s, their output in %s\n",
		len(procs), segDir, spool, logFile.Name())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	if !*noTUI {
		// The dashboard runs here, on the demo's context: it returns on q,
		// on a signal or at --duration, restoring the terminal before the
		// deferred clean-up stops the children.
		busCfg, err := (&busFlags{}).config()
		if err != nil {
			return err
		}
		m := tui.NewModel(tui.Config{Collector: board, Bus: true, BusConfig: busCfg, SampleHz: 97, Interval: time.Second})
		return tui.Run(ctx, m, tui.NewUI(m, nil), time.Second, true)
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		sb, err := collector.ReadScoreboard(board)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				fmt.Fprintf(stderr, "porthole demo: %v\n", err)
			}
			continue
		}
		fmt.Fprint(stdout, "\033[H\033[2J")
		printScoreboard(stdout, sb)
	}
}

// stopAll sends SIGTERM to every process group, waits up to 3 s, then
// kills what is left.
func stopAll(procs []*exec.Cmd) {
	for _, p := range procs {
		syscall.Kill(-p.Process.Pid, syscall.SIGTERM)
	}
	done := make(chan struct{})
	go func() {
		for _, p := range procs {
			p.Wait()
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		for _, p := range procs {
			syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
		}
		<-done
	}
}
