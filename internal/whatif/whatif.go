package whatif

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// Config says what to measure and whom to pause.
type Config struct {
	Segment string // name or path of the segment whose processes are paused
	// Rate is the counter whose rate is measured: COUNTER in Segment, or
	// SEG:COUNTER in another segment. A Counter or a Sequence.
	Rate   string
	Pause  time.Duration // each measurement's window; default 3 s
	Settle time.Duration // wait after pausing or resuming before measuring; 0: none
	PIDs   []int         // processes to pause; default every live slot but the owner
	Role   string        // or: the live slots with this role
	Force  bool          // allow PIDs that are not slots of the segment
	Dir    string        // segment directory; default shmstat.DefaultDir()
	// Progress, when set, gets a line as each step starts.
	Progress io.Writer
	// StopTimeout bounds the wait for the kernel to show a process stopped;
	// default 2 s.
	StopTimeout time.Duration
}

// Target is a process the experiment pauses.
type Target struct {
	PID  int    `json:"pid"`
	Role string `json:"role"`
}

// Row is one experiment: the rate before, while Paused were stopped, and
// after they were resumed.
type Row struct {
	Experiment string   `json:"experiment"` // "pause": Target alone stopped; "alone": every other target stopped
	Target     Target   `json:"target"`
	Paused     []Target `json:"paused"`
	Before     float64  `json:"before"` // per second
	During     float64  `json:"during"`
	After      float64  `json:"after"`
}

// Base is the rate with nothing paused around this experiment: the mean
// of the windows before and after it, so that one slow window on a busy
// machine does not pass for an effect.
func (r Row) Base() float64 { return (r.Before + r.After) / 2 }

// Change is the rate while paused relative to Base, in percent (+100
// means doubled). It is 0 when Base is 0.
func (r Row) Change() float64 {
	if r.Base() == 0 {
		return 0
	}
	return 100 * (r.During - r.Base()) / r.Base()
}

// Result is a finished experiment.
type Result struct {
	Segment   string        `json:"segment"`
	Counter   string        `json:"counter"` // as given: COUNTER or SEG:COUNTER
	Unit      string        `json:"unit,omitempty"`
	Pause     time.Duration `json:"pause_ns"`
	Settle    time.Duration `json:"settle_ns"`
	Baseline  float64       `json:"baseline"` // per second, nothing paused
	Rows      []Row         `json:"rows"`
	Recovered []Recovered   `json:"recovered,omitempty"` // left stopped by an earlier run, resumed now
	Verdict   string        `json:"verdict"`
}

// Run performs the experiment. Every process it stops is resumed before
// it returns, whatever happens (an error, ctx cancelled, a panic); first
// it resumes what earlier runs left stopped (see Recover). A result is
// returned with the rows measured so far even when err is not nil.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Pause <= 0 {
		cfg.Pause = 3 * time.Second
	}
	if cfg.Settle < 0 {
		return nil, errors.New("whatif: negative settle time")
	}
	if cfg.StopTimeout <= 0 {
		cfg.StopTimeout = 2 * time.Second
	}
	dir := cfg.Dir
	if dir == "" {
		dir = shmstat.DefaultDir()
	}
	res := &Result{Segment: cfg.Segment, Counter: cfg.Rate, Pause: cfg.Pause, Settle: cfg.Settle}
	var err error
	if res.Recovered, err = Recover(dir); err != nil {
		return res, err
	}
	for _, r := range res.Recovered {
		if r.Resumed {
			progress(cfg, "resumed %d (%s of %s), left stopped by an earlier run (pid %d)", r.PID, r.Role, r.Segment, r.RunPID)
		}
	}
	seg, err := shmstat.Open(cfg.Segment, &shmstat.Options{Dir: cfg.Dir})
	if err != nil {
		return res, fmt.Errorf("whatif: %w", err)
	}
	defer seg.Close()
	snap, err := seg.Snapshot()
	if err != nil {
		return res, fmt.Errorf("whatif: %w", err)
	}
	targets, err := chooseTargets(snap, cfg)
	if err != nil {
		return res, err
	}
	m, err := newMeter(seg, cfg)
	if err != nil {
		return res, err
	}
	defer m.close()
	res.Unit = m.unit
	sf, err := newStateFile(dir, snap.Name)
	if err != nil {
		return res, err
	}
	p := &pauser{state: sf, timeout: cfg.StopTimeout}
	defer p.resumeAll()
	return res, experiment(ctx, cfg, res, targets, m, p)
}

// experiment measures the baseline, then each pause and each "alone".
func experiment(ctx context.Context, cfg Config, res *Result, targets []stopped, m *meter, p *pauser) error {
	progress(cfg, "measuring %s for %v", cfg.Rate, cfg.Pause)
	var err error
	if res.Baseline, err = m.rate(ctx, cfg.Pause); err != nil {
		return err
	}
	before := res.Baseline
	one := func(kind string, t stopped, paused []stopped) error {
		row := Row{Experiment: kind, Target: t.target(), Before: before}
		for _, s := range paused {
			row.Paused = append(row.Paused, s.target())
		}
		progress(cfg, "pausing %s", names(paused))
		if err := p.pause(paused); err != nil {
			return err
		}
		if row.During, err = m.settledRate(ctx, cfg); err != nil {
			return err
		}
		if err := p.resumeAll(); err != nil {
			return err
		}
		if row.After, err = m.settledRate(ctx, cfg); err != nil {
			return err
		}
		before = row.After
		res.Rows = append(res.Rows, row)
		return nil
	}
	for _, t := range targets {
		if err := one("pause", t, []stopped{t}); err != nil {
			return err
		}
	}
	// With two targets pausing "the others" of one is pausing the other:
	// measured already.
	if len(targets) > 2 {
		for i, t := range targets {
			others := slices.Concat(targets[:i], targets[i+1:])
			if err := one("alone", t, others); err != nil {
				return err
			}
		}
	}
	res.Verdict = Verdict(res)
	return nil
}

// chooseTargets picks the processes to pause, refusing any that is not a
// live slot of the segment unless cfg.Force, and always this process.
func chooseTargets(s *shmstat.Snapshot, cfg Config) ([]stopped, error) {
	slots := map[int]shmstat.Slot{}
	for _, sl := range s.Slots {
		if sl.Alive {
			slots[sl.PID] = sl
		}
	}
	var out []stopped
	add := func(pid int, role string) error {
		if pid == os.Getpid() {
			return fmt.Errorf("whatif: will not pause itself (pid %d)", pid)
		}
		st, err := shmstat.ReadProcStat(pid)
		if err != nil {
			return fmt.Errorf("whatif: %w", err)
		}
		if !slices.ContainsFunc(out, func(o stopped) bool { return o.PID == pid }) {
			out = append(out, stopped{PID: pid, StartTime: st.StartTime, Role: role})
		}
		return nil
	}
	switch {
	case len(cfg.PIDs) > 0:
		for _, pid := range cfg.PIDs {
			sl, ok := slots[pid]
			role := sl.Role
			if !ok {
				if !cfg.Force {
					return nil, fmt.Errorf("whatif: pid %d is not a live process of segment %s (--force pauses it anyway)", pid, s.Name)
				}
				role = "(not a slot)"
			}
			if err := add(pid, role); err != nil {
				return nil, err
			}
		}
	default:
		for _, sl := range s.Slots {
			if !sl.Alive || (cfg.Role == "" && sl.PID == s.Owner.PID) || (cfg.Role != "" && sl.Role != cfg.Role) {
				continue
			}
			if err := add(sl.PID, sl.Role); err != nil {
				return nil, err
			}
		}
	}
	if len(out) == 0 {
		if cfg.Role != "" {
			return nil, fmt.Errorf("whatif: no live process with role %q in %s", cfg.Role, s.Name)
		}
		return nil, fmt.Errorf("whatif: %s has no live process to pause but its owner", s.Name)
	}
	return out, nil
}

func (s stopped) target() Target { return Target{PID: s.PID, Role: s.Role} }

func names(ps []stopped) string {
	var b []string
	for _, p := range ps {
		b = append(b, fmt.Sprintf("%s (%d)", p.Role, p.PID))
	}
	return strings.Join(b, ", ")
}

func progress(cfg Config, format string, args ...any) {
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, "whatif: "+format+"\n", args...)
	}
}

// pauser stops and resumes processes, keeping the state file in step.
type pauser struct {
	state   *stateFile
	timeout time.Duration
	cur     []stopped
}

// pause records ps in the state file, then stops each, waiting until the
// kernel shows it stopped.
func (p *pauser) pause(ps []stopped) error {
	if err := p.state.set(slices.Concat(p.cur, ps)); err != nil {
		return err
	}
	for _, s := range ps {
		p.cur = append(p.cur, s)
		if err := stop(s, p.timeout); err != nil {
			return err
		}
	}
	return nil
}

// resumeAll resumes every process it stopped and removes the state file
// once none is stopped any more.
func (p *pauser) resumeAll() error {
	var errs []error
	for _, s := range p.cur {
		errs = append(errs, resume(s))
	}
	p.cur = nil
	err := errors.Join(errs...)
	if err == nil {
		p.state.remove()
	}
	return err
}
