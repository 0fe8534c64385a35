package sampler

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// Config configures a Sampler. Zero values mean the defaults.
type Config struct {
	Segments []string         // names or paths
	Options  *shmstat.Options // where names are looked up
	Hz       float64          // probe samples per second, default 997, at most 10,000; CPU is proportional to it (see the package doc)
	PID      int              // only this process (0: all)
	// Parked waits for each tick on a periodic timerfd through the Go
	// netpoller instead of sleeping on a locked thread: one thread
	// wake-up per tick instead of several (see the package doc), at the
	// price of the scheduler's latency on each tick. For a sampler left
	// running at low rates, as porthole top's; Linux only.
	Parked bool
	// ManualRefresh: Run does not re-read descriptors and slot
	// identities every 200 ms (system calls: a file stat, lock tests);
	// the caller calls Refresh when it wants new processes and probes
	// seen. porthole top does it at each screen refresh, so between
	// refreshes the sampler makes no system call, and the runtime's
	// sysmon, woken by any system call made while it sleeps, stays
	// asleep.
	ManualRefresh bool
}

// Sampler samples the probes of one or more segments.
type Sampler struct {
	cfg      Config
	period   int64 // ns
	resolver *shmstat.Resolver

	mu      sync.Mutex
	start   int64         // CLOCK_MONOTONIC ns when Run began
	cpu0    time.Duration // process CPU when Run began
	running bool
	targets []*target
	hists   map[histKey]*hist
	stats   Stats
	lat     []int64 // wake-up lateness of recent ticks, ns
}

// Stats says how well the sampler kept its schedule.
type Stats struct {
	TargetHz   float64
	AchievedHz float64
	Ticks      uint64
	Missed     uint64        // deadlines passed by more than a period: ticks skipped
	JitterP50  time.Duration // wake-up lateness, median
	JitterP99  time.Duration
	Elapsed    time.Duration
	CPU        time.Duration // this process's CPU (user + system) while running
	Errors     []string      // segments that could not be read, and why
}

type target struct {
	name   string
	r      *shmstat.Reader
	snap   *shmstat.Snapshot // descriptors (names of probes), refreshed now and then
	slots  []slotState
	words  []uint64       // every slot's probe words in use, read once per tick
	probes []int          // probe word indexes in use
	used   int            // 1 + the highest of probes: words read per slot
	info   []shmstat.Slot // by slot index, from the last refresh (zero: free)
	err    error
}

// slotState is what the sampler knows of one slot between ticks.
type slotState struct {
	pid   int
	start uint64
	claim uint64
	live  bool
	role  string
	// run-length cache per probe word: the last value and how often it
	// was seen since it was last flushed into the histogram.
	last  []uint64
	count []uint64
}

// histKey names one histogram: a probe of one claim of one slot (a new
// process in the slot, even with the same pid, gets a new histogram).
type histKey struct {
	segment string
	gen     uint64 // segment generation: a replaced segment starts afresh
	slot    int
	claim   uint64
	probe   int
}

type hist struct {
	pid    int
	start  uint64
	role   string
	probe  string   // probe name
	sites  []string // site names of the segment the samples came from
	gen    uint64
	t      *target
	counts map[uint64]uint64
	total  uint64
}

// New opens the segments. A segment that cannot be opened is an error.
// Off Linux it fails with an error wrapping shmstat.ErrUnsupported.
func New(cfg Config) (*Sampler, error) {
	if err := supported(); err != nil {
		return nil, err
	}
	if cfg.Hz <= 0 {
		cfg.Hz = 997
	}
	if cfg.Hz > 10000 {
		return nil, fmt.Errorf("sampler: %g Hz: at most 10,000", cfg.Hz)
	}
	s := &Sampler{cfg: cfg, period: int64(float64(time.Second) / cfg.Hz), resolver: shmstat.NewResolver(), hists: map[histKey]*hist{}}
	s.stats.TargetHz = cfg.Hz
	for _, name := range cfg.Segments {
		t := &target{name: name}
		if err := t.open(cfg.Options); err != nil {
			s.closeAll()
			return nil, err
		}
		s.targets = append(s.targets, t)
	}
	if len(s.targets) == 0 {
		return nil, errors.New("sampler: no segments")
	}
	return s, nil
}

func (t *target) open(opts *shmstat.Options) error {
	r, err := shmstat.Open(t.name, opts)
	if err != nil {
		return fmt.Errorf("sampler: %w", err)
	}
	if t.r != nil {
		t.r.Close()
	}
	t.r = r
	t.slots = make([]slotState, r.NumSlots())
	for i := range t.slots {
		t.slots[i].last = make([]uint64, r.ProbesPerSlot())
		t.slots[i].count = make([]uint64, r.ProbesPerSlot())
	}
	return t.refresh()
}

// refresh re-reads descriptors and slot identities (not per tick).
func (t *target) refresh() error {
	snap, err := t.r.SnapshotSegment() // no /proc reads: 10x cheaper with 64 live slots
	if err != nil {
		t.err = err
		return err
	}
	t.snap, t.err = snap, nil
	t.probes, t.used = t.probes[:0], 0
	for _, m := range snap.Metrics {
		// A probe word outside the slot (a hostile descriptor) is not read.
		if m.Kind == shmstat.KindProbe && m.Index >= 0 && m.Index < t.r.ProbesPerSlot() {
			t.probes = append(t.probes, m.Index)
			t.used = max(t.used, m.Index+1)
		}
	}
	// Identity, liveness and role of each slot come from this one
	// snapshot, so a role always belongs to the claim read with it.
	t.info = append(t.info[:0], make([]shmstat.Slot, t.r.NumSlots())...)
	for _, sl := range snap.Slots {
		if sl.Index >= 0 && sl.Index < len(t.info) {
			t.info[sl.Index] = sl
		}
	}
	return nil
}

func (s *Sampler) closeAll() {
	for _, t := range s.targets {
		if t.r != nil {
			t.r.Close()
		}
	}
}

// refreshEvery is how often a running sampler re-reads descriptors and
// slot identities (ns).
const refreshEvery = int64(200 * time.Millisecond)

// Run samples until ctx ends, on a locked OS thread (or, with
// Config.Parked, on a goroutine parked between ticks), then closes the
// segments. It returns ctx's error only if sampling never started, and
// with Config.Parked an error if its timer fails.
//
// A tick costs, beyond the wake-up itself: two vDSO clock reads, one
// uncontended mutex, one guarded pass over each segment's probe words and,
// per probe word, a compare (a map update only when a worker moved).
// CPU time and the achieved rate are computed when Stats asks, not per tick.
func (s *Sampler) Run(ctx context.Context) error {
	if s.cfg.Parked {
		return s.runParked(ctx)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer s.closeAll()
	setTimerSlack(time.Microsecond)
	sched := newSchedule(s.period)
	s.mu.Lock()
	s.start, s.cpu0, s.running = sched.deadline, processCPU(), true
	s.refreshTargets()
	s.mu.Unlock()
	nextRefresh := sched.deadline + refreshEvery
	for ctx.Err() == nil {
		late, skipped := sched.next()
		s.tick(late, skipped, sched.deadline, &nextRefresh)
	}
	s.stop()
	return nil
}

// tick takes one sample of every target, woken late ns after deadline
// (ns) with skipped ticks missed first, and re-reads the targets when
// nextRefresh has come.
func (s *Sampler) tick(late int64, skipped uint64, deadline int64, nextRefresh *int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Missed += skipped
	s.sampleProbes()
	s.stats.Ticks++
	s.lat = append(s.lat, late)
	if len(s.lat) > 20000 {
		s.lat = s.lat[:copy(s.lat, s.lat[10000:])]
	}
	if !s.cfg.ManualRefresh && deadline >= *nextRefresh {
		*nextRefresh += refreshEvery
		s.refreshTargets()
	}
}

// Refresh re-reads the descriptors and slot identities of a running
// sampler now (new processes, probes and roles are seen from the next
// tick). Run does it by itself every 200 ms unless Config.ManualRefresh.
// It does nothing before Run starts or after it returns.
func (s *Sampler) Refresh() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		s.refreshTargets()
	}
}

// stop flushes the run-length counts and freezes the clock figures.
func (s *Sampler) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushAll()
	s.clock()
	s.running = false
}

// clock brings Elapsed, AchievedHz and CPU up to now (s.mu held).
func (s *Sampler) clock() {
	el := time.Duration(monoNow() - s.start)
	s.stats.Elapsed = el
	s.stats.AchievedHz = float64(s.stats.Ticks) / el.Seconds()
	s.stats.CPU = processCPU() - s.cpu0
}

// sampleProbes reads every probe word of every live slot once.
func (s *Sampler) sampleProbes() {
	for _, t := range s.targets {
		if t.err != nil {
			continue
		}
		pp := t.used
		t.words = t.r.ReadAllProbes(pp, t.words)
		for i := range t.slots {
			st := &t.slots[i]
			if !st.live || (s.cfg.PID != 0 && st.pid != s.cfg.PID) || len(t.words) < (i+1)*pp {
				continue
			}
			words := t.words[i*pp : (i+1)*pp]
			for _, p := range t.probes {
				if p >= len(words) {
					continue
				}
				w := words[p]
				if w == st.last[p] {
					st.count[p]++
					continue
				}
				s.flush(t, i, p)
				st.last[p], st.count[p] = w, 1
			}
		}
	}
}

// flush moves a run-length count into its histogram.
func (s *Sampler) flush(t *target, slot, p int) {
	st := &t.slots[slot]
	if st.count[p] == 0 || st.last[p] == 0 {
		st.count[p] = 0
		return
	}
	k := histKey{t.name, t.r.Generation(), slot, st.claim, p}
	h := s.hists[k]
	if h == nil {
		h = &hist{pid: st.pid, start: st.start, role: st.role, counts: map[uint64]uint64{}, gen: k.gen, t: t}
		if t.snap != nil {
			h.probe, h.sites = t.snap.ProbeName(p), t.snap.Sites
		}
		s.hists[k] = h
	}
	h.counts[st.last[p]] += st.count[p]
	h.total += st.count[p]
	st.count[p] = 0
}

func (s *Sampler) flushAll() {
	for _, t := range s.targets {
		for i := range t.slots {
			for _, p := range t.probes {
				s.flush(t, i, p)
			}
		}
	}
}

// refreshTargets notices processes that came, went or restarted (a new
// claim of a slot starts a new histogram) and segments replaced.
func (s *Sampler) refreshTargets() {
	for _, t := range s.targets {
		if t.r.Replaced() {
			s.flushTarget(t)
			if err := t.open(s.cfg.Options); err != nil {
				t.err = err
				continue
			}
		}
		if err := t.refresh(); err != nil {
			continue
		}
		for i := range t.slots {
			st := &t.slots[i]
			sl := t.info[i]
			live := sl.State == shmstat.SlotActive && sl.Alive
			if sl.Claim != st.claim || sl.PID != st.pid || sl.StartTime != st.start || live != st.live {
				// Flushed under the old claim's role, then the new one's.
				for _, p := range t.probes {
					s.flush(t, i, p)
				}
				for p := range st.last {
					st.last[p], st.count[p] = 0, 0
				}
				st.pid, st.start, st.claim, st.live = sl.PID, sl.StartTime, sl.Claim, live
				st.role = sl.Role
			}
			if st.role == "" { // a role written after the claim
				st.role = sl.Role
			}
		}
	}
}

func (s *Sampler) flushTarget(t *target) {
	for i := range t.slots {
		for _, p := range t.probes {
			s.flush(t, i, p)
		}
	}
}

// Stats returns the schedule figures so far.
func (s *Sampler) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		s.clock()
	}
	st := s.stats
	if len(s.lat) > 0 {
		l := append([]int64(nil), s.lat...)
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		st.JitterP50 = time.Duration(l[len(l)/2])
		st.JitterP99 = time.Duration(l[len(l)*99/100])
	}
	for _, t := range s.targets {
		if t.err != nil {
			st.Errors = append(st.Errors, fmt.Sprintf("%s: %v", t.name, t.err))
		}
	}
	return st
}
