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
	"strings"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/collector/scoreboard"
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

func runDemo(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "[--no-tui] [--duration D] [--http ADDR] [--keep]", stderr)
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var procs []*child
	defer func() {
		n := stopAll(procs)
		hint := "--keep keeps the daemons' output"
		if *keep {
			hint = "see " + logFile.Name()
		}
		reportExits(stderr, procs, hint)
		if *keep {
			fmt.Fprintf(stderr, "porthole demo: stopped %s; kept %s\n", plural(n, "process", "processes"), tmp)
		} else {
			fmt.Fprintf(stderr, "porthole demo: stopped %s; removed %s\n", plural(n, "process", "processes"), tmp)
		}
	}()
	for i, a := range demoProcs {
		argv := make([]string, len(a))
		for j, s := range a {
			switch s {
			case "{spool}":
				s = spool
			case "{http}":
				s = *httpAddr
			default:
				s = strings.ReplaceAll(s, "{tmp}", tmp)
			}
			argv[j] = s
		}
		c, err := startChild(exe, argv, logFile)
		if err != nil {
			return err
		}
		procs = append(procs, c)
		if i <= 1 {
			// Let the collector join the group, then queued make its
			// segment and socket; stop at once if either could not.
			select {
			case <-c.done:
				c.stopping = true // reported here
				return fmt.Errorf("%s exited at once (%v):\n%s", c, c.err, tail(logFile.Name(), 5))
			case <-time.After(300 * time.Millisecond):
			case <-ctx.Done():
				return nil
			}
		}
	}
	fmt.Fprintf(stderr, "porthole demo: started %d processes; segments in %s, spool in %s, their output in %s\n",
		len(procs), segDir, spool, logFile.Name())

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
		m := tui.NewModel(tui.Config{Collector: board, Bus: true, BusConfig: busCfg, SampleHz: 97})
		return tui.Run(ctx, m, tui.NewUI(m, nil), time.Second, true)
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-procs[0].done:
			procs[0].stopping = true // reported here
			return fmt.Errorf("the collector exited (%v):\n%s", procs[0].err, tail(logFile.Name(), 5))
		case <-t.C:
		}
		sb, err := scoreboard.Read(board)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				fmt.Fprintf(stderr, "porthole demo: %v\n", err)
			}
			continue
		}
		if isTerminal(stdout) {
			fmt.Fprint(stdout, "\033[H\033[2J") // a pipe or file gets the tables one after another
		} else {
			fmt.Fprintln(stdout)
		}
		printScoreboard(stdout, sb)
		for _, c := range procs {
			if c.exited() {
				fmt.Fprintf(stdout, "\n%s exited: %v (see %s)\n", c, c.err, logFile.Name())
			}
		}
	}
}

// child is a process the demo started, in its own process group.
type child struct {
	cmd  *exec.Cmd
	argv []string
	done chan struct{} // closed when it has exited and been reaped
	err  error         // its exit status, once done is closed
	// stopping is set when the demo stops it (or has reported its exit),
	// so its exit needs no report.
	stopping bool
}

func startChild(exe string, argv []string, out *os.File) (*child, error) {
	cmd := exec.Command(exe, argv...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %v: %w", argv, err)
	}
	c := &child{cmd: cmd, argv: argv, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

func (c *child) String() string { return "porthole " + strings.Join(c.argv, " ") }

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// reportExits says which children ended before the demo stopped them.
func reportExits(w io.Writer, procs []*child, hint string) {
	for _, c := range procs {
		if !c.stopping {
			fmt.Fprintf(w, "porthole demo: %s had exited by itself: %v (%s)\n", c, c.err, hint)
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
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

// stopAll sends SIGTERM to every process group, waits up to 3 s, then
// kills what is left. It returns how many were still running.
func stopAll(procs []*child) int {
	n := 0
	for _, c := range procs {
		if !c.exited() {
			n++
			c.stopping = true
		}
		// The whole group, even when its leader is gone: muxd's producers.
		syscall.Kill(-c.cmd.Process.Pid, syscall.SIGTERM)
	}
	deadline := time.After(3 * time.Second)
	for _, c := range procs {
		select {
		case <-c.done:
		case <-deadline:
			for _, c := range procs {
				syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
			}
			for _, c := range procs {
				<-c.done
			}
			return n
		}
	}
	return n
}
