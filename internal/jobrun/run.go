package jobrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/mlog"
	"github.com/porthole-dev/porthole/shmstat"
	"golang.org/x/sys/unix"
)

// InfoJob is the Info entry that marks a segment as a job's: its value is
// the command line. Readers then expect no live owner between runs.
const InfoJob = "porthole_job"

// TaskName is the task every job records its runs in.
const TaskName = "run"

// ErrOverlap is wrapped by the error Run returns when Lock refused a run
// because another is still running.
var ErrOverlap = errors.New("another run of the job is still running")

// Config says what to run and how.
type Config struct {
	Name    string   // the job: the segment's name and the bus program
	Command []string // the command and its arguments
	Every   time.Duration
	Timeout time.Duration // 0: none
	Lock    bool          // refuse to run while another run is running
	Dir     string        // segment directory; default shmstat.DefaultDir()
	// Grace is how long a timed-out command has between SIGTERM and
	// SIGKILL; default 10 s.
	Grace  time.Duration
	Stdout io.Writer // the command's stdout; default discarded
	Stderr io.Writer // the command's stderr also goes here; default discarded
	// Linger is how long to keep announcing after the end, so the
	// collector hears the final state; default 1.5 s (announcements go out
	// once a second). Negative: none.
	Linger time.Duration
}

// Result is how a run ended.
type Result struct {
	Start    time.Time     `json:"start"`
	End      time.Time     `json:"end"`
	Duration time.Duration `json:"duration_ns"`
	ExitCode int           `json:"exit_code"` // -1 when killed by a signal
	Signal   string        `json:"signal,omitempty"`
	TimedOut bool          `json:"timed_out"`
	Overlap  bool          `json:"overlap"` // another run was running when this one started
	Message  string        `json:"message"` // what the task records
}

// OK reports whether the run succeeded.
func (r *Result) OK() bool { return r.ExitCode == 0 && r.Signal == "" && !r.TimedOut }

// startFailure is the exit status of a command that could not be
// started, as env(1) and the shells give it: 127 when it does not exist,
// 126 when it exists but cannot be executed (no permission, not a
// program).
func startFailure(err error) int {
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, exec.ErrNotFound) {
		return 127
	}
	return 126
}

// Status is the exit status porthole run passes on: the command's, 124
// after a timeout (as timeout(1)), 128+n after signal n, 127 or 126 when
// the command could not be started.
func (r *Result) Status(sig syscall.Signal) int {
	switch {
	case r.TimedOut:
		return 124
	case r.Signal != "":
		return 128 + int(sig)
	}
	return r.ExitCode
}

// Run runs the job once. ctx being cancelled (porthole run got SIGTERM)
// passes SIGTERM on to the command and records the run as failed. The
// returned error is about porthole's own failures (the command could not
// start, the segment could not be made, an overlap refused); a command
// that fails is a Result, not an error.
func Run(ctx context.Context, cfg Config) (*Result, syscall.Signal, error) {
	if len(cfg.Command) == 0 {
		return nil, 0, errors.New("jobrun: no command")
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 10 * time.Second
	}
	if cfg.Linger == 0 {
		cfg.Linger = 1500 * time.Millisecond
	}
	j, err := open(cfg)
	if err != nil {
		return nil, 0, err
	}
	defer j.close(cfg.Linger)
	res := &Result{Overlap: j.overlap}
	if j.overlap {
		j.log.Warn("job run overlaps a run still running", "job", cfg.Name, "running_since", j.since, "lock", cfg.Lock)
		if cfg.Lock {
			return res, 0, fmt.Errorf("jobrun: %s: %w (since %s); --lock refuses this one", cfg.Name, ErrOverlap, j.since.Format(time.DateTime))
		}
	}
	tl := &tail{max: 4096}
	cmd := exec.Command(cfg.Command[0], cfg.Command[1:]...)
	cmd.Stdout = cfg.Stdout
	cmd.Stderr = tl
	if cfg.Stderr != nil {
		cmd.Stderr = io.MultiWriter(tl, cfg.Stderr)
	}
	// Its own process group, so a timeout ends what it started too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Its bus senders are one-off (mlog.Config.WithEnv): each run is a
	// run of the job, not a server restarting.
	cmd.Env = append(os.Environ(), mlog.EnvJob+"="+cfg.Name)
	if j.task != nil {
		j.task.Start()
	}
	res.Start = time.Now()
	if err := cmd.Start(); err != nil {
		res.End, res.ExitCode, res.Message = time.Now(), startFailure(err), err.Error()
		j.finish(res, cfg)
		return res, 0, fmt.Errorf("jobrun: %s: %w", cfg.Name, err)
	}
	j.log.Info("job started", "job", cfg.Name, "start", res.Start, "every", cfg.Every, "timeout", cfg.Timeout,
		"command", strings.Join(cfg.Command, " "), "child", cmd.Process.Pid, "overlap", j.overlap)
	sig := supervise(ctx, cmd, cfg, res)
	res.End = time.Now()
	res.Duration = res.End.Sub(res.Start)
	res.Message = message(res, tl.lines(3))
	j.finish(res, cfg)
	return res, sig, nil
}

// supervise waits for cmd, terminating its group at the timeout or when
// ctx ends, and fills in res's exit status; it returns the fatal signal.
func supervise(ctx context.Context, cmd *exec.Cmd, cfg Config, res *Result) syscall.Signal {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var timeout <-chan time.Time
	if cfg.Timeout > 0 {
		t := time.NewTimer(cfg.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	pgid := cmd.Process.Pid
	var kill <-chan time.Time
	var err error
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-timeout:
			res.TimedOut, timeout = true, nil
			syscall.Kill(-pgid, syscall.SIGTERM)
			kill = time.After(cfg.Grace)
		case <-ctx.Done():
			syscall.Kill(-pgid, syscall.SIGTERM)
			kill = time.After(cfg.Grace)
			ctx = context.Background()
		case <-kill:
			syscall.Kill(-pgid, syscall.SIGKILL)
			kill = nil
		}
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.ExitCode, res.Signal = -1, unix.SignalName(ws.Signal())
			return ws.Signal()
		}
		res.ExitCode = ee.ExitCode()
	} else if err != nil {
		res.ExitCode = -1
	}
	return 0
}

// message is what the task records: the outcome, then stderr's last lines.
func message(r *Result, stderr string) string {
	var m string
	switch {
	case r.TimedOut:
		m = fmt.Sprintf("timed out after %v", r.Duration.Round(time.Millisecond))
	case r.Signal != "":
		m = "killed by " + r.Signal
	case r.ExitCode != 0:
		m = fmt.Sprintf("exit status %d", r.ExitCode)
	default:
		m = fmt.Sprintf("ok in %v", r.Duration.Round(time.Millisecond))
	}
	if stderr != "" {
		m += ": " + stderr
	}
	return m
}

// job is the segment and bus of one run.
type job struct {
	seg     *shmstat.Segment
	task    *shmstat.Task // nil in an overlapping run: the task is the other run's
	bus     *mlog.Bus
	log     *slog.Logger
	overlap bool
	since   time.Time
}

// open creates the job's segment, or, when a run is still running,
// attaches to it as an overlapping run. A bus that cannot be opened is
// reported on stderr and the job runs without it: monitoring being down
// is no reason not to run the job.
func open(cfg Config) (*job, error) {
	j := &job{}
	opts := &shmstat.Options{Dir: cfg.Dir, Keep: true}
	seg, err := shmstat.Create(cfg.Name, opts)
	if errors.Is(err, shmstat.ErrRunning) {
		j.overlap = true
		seg, err = shmstat.Attach(cfg.Name, "overlap", opts)
	}
	if err != nil {
		return nil, fmt.Errorf("jobrun: %w", err)
	}
	j.seg = seg
	if j.overlap {
		seg.Counter("overlaps", "runs started while another run was running").Inc()
		_, j.since = seg.Task(TaskName, cfg.Every).Running()
	} else {
		seg.Info(InfoJob, strings.Join(cfg.Command, " "))
		seg.Counter("overlaps", "runs started while another run was running")
		j.task = seg.Task(TaskName, cfg.Every)
	}
	// A run is a job, not a server: its datagrams are marked one-off, so
	// the collector keeps it in its jobs table and off the servers.
	mc, err := mlog.Config{Program: cfg.Name, Segment: seg, OneOff: true}.WithEnv()
	if err == nil {
		j.bus, err = mlog.New(mc)
	}
	if err != nil {
		if cfg.Stderr != nil {
			fmt.Fprintf(cfg.Stderr, "porthole run: %s: no log bus (%v); running without\n", cfg.Name, err)
		}
		j.log = slog.New(slog.DiscardHandler)
		return j, nil
	}
	j.bus.Announce(time.Second)
	j.log = slog.New(j.bus.Handler())
	return j, nil
}

// finish records the end in the task and on the bus.
func (j *job) finish(r *Result, cfg Config) {
	if j.task != nil {
		if r.OK() {
			j.task.DoneNote(lastPart(r.Message))
		} else {
			j.task.Done(errors.New(lastPart(r.Message)))
		}
	}
	level := slog.LevelInfo
	if !r.OK() {
		level = slog.LevelError
	}
	j.log.Log(context.Background(), level, "job ended", "job", cfg.Name, "start", r.Start, "every", cfg.Every,
		"timeout", cfg.Timeout, "ok", r.OK(), "exit_code", r.ExitCode,
		"signal", r.Signal, "timed_out", r.TimedOut, "duration", r.Duration, "overlap", r.Overlap, "message", r.Message)
}

// lastPart keeps a task message within the segment's record: the outcome
// and as much of the end of stderr as fits.
func lastPart(m string) string {
	const cap = 120 // shmstat's task message record
	if len(m) <= cap {
		return m
	}
	head, rest, ok := strings.Cut(m, ": ")
	if !ok || len(head)+5 >= cap {
		return m[:cap]
	}
	return head + ": ..." + rest[len(rest)-(cap-len(head)-5):]
}

// close keeps announcing for linger (so the final state is heard), then
// closes the bus and the segment, which stays for readers.
func (j *job) close(linger time.Duration) {
	if j.bus != nil {
		if linger > 0 {
			time.Sleep(linger)
		}
		j.bus.Close()
	}
	j.seg.Close()
}
