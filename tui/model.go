package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/porthole-dev/porthole/collector/scoreboard"
	"github.com/porthole-dev/porthole/internal/numfmt"
	"github.com/porthole-dev/porthole/mlog"
	"github.com/porthole-dev/porthole/shmstat"
	"github.com/porthole-dev/porthole/shmstat/sampler"
	"github.com/porthole-dev/porthole/shmstat/view"
)

// DefaultSampleHz is porthole top's rate of probe samples for the live
// histograms. Each sample is a thread wake-up, 45-70 µs of CPU on a
// shared 2-vCPU KVM guest: 47 Hz costs ~0.3 % of a core, 97 Hz ~0.5 %,
// on top of ~0.5 % for the screen refresh (docs/PERFORMANCE.md). A prime
// rate, so sampling does not lock step with periodic work. At 47 Hz the
// 10 s window holds ~470 samples: a 10 % site is known to ±1.4 points.
const DefaultSampleHz = 47

// Config says where the dashboard looks.
type Config struct {
	Dir       string      // segment directory (default shmstat.DefaultDir())
	Collector string      // scoreboard file or collector URL; "" for none
	Bus       bool        // tail the log bus
	BusConfig mlog.Config // the bus to tail
	SampleHz  float64     // probe sampling for histograms (porthole top: DefaultSampleHz); 0 turns it off
	Window    time.Duration
	MaxLogs   int
	// WhatIfPause is each measurement window of the what-if key's
	// experiment (default 2 s; see internal/whatif).
	WhatIfPause time.Duration
}

// Model reads segments, the sampler, the scoreboard and the bus, and
// builds Snapshots. It knows nothing of widgets.
type Model struct {
	cfg Config
	res *shmstat.Resolver

	mu       sync.Mutex
	prev     map[string]*shmstat.Snapshot
	samplers map[string]*liveSampler
	paused   map[int]pauseRef     // pid -> the segment slot it was paused through
	focus    string               // the segment whose probes are sampled
	history  map[string][]float64 // "segment\x00metric" -> recent rates (counters) or values (gauges)
	logs     []LogLine
	logsSeen uint64 // log lines received in all
	logErr   string
	builds   int
	kick     chan struct{} // a refresh is wanted before the next tick
	readers  readers
	// noSampling: no pane shows histograms (the cluster view is up).
	noSampling bool
	rcv        *mlog.Receiver
}

// liveSampler samples one segment in windows: the histogram shown is the
// current window's, or the last full one's while the current is young.
type liveSampler struct {
	s       *sampler.Sampler
	cancel  context.CancelFunc
	started time.Time
	last    []sampler.ProbeProfile
}

// NewModel returns a Model; Start begins the background readers.
func NewModel(cfg Config) *Model {
	if cfg.Dir == "" {
		cfg.Dir = shmstat.DefaultDir()
	}
	if cfg.Window <= 0 {
		cfg.Window = 10 * time.Second
	}
	if cfg.MaxLogs <= 0 {
		cfg.MaxLogs = 500
	}
	return &Model{cfg: cfg, res: shmstat.NewResolver(), prev: map[string]*shmstat.Snapshot{},
		samplers: map[string]*liveSampler{}, paused: map[int]pauseRef{}, history: map[string][]float64{}, kick: make(chan struct{}, 1)}
}

// Start begins tailing the bus (when configured) until ctx ends.
func (m *Model) Start(ctx context.Context) {
	if !m.cfg.Bus {
		return
	}
	go func() {
		defer recoverAndRepanic()
		for ctx.Err() == nil {
			r, err := mlog.Listen(m.cfg.BusConfig)
			if err != nil {
				m.mu.Lock()
				m.logErr = err.Error()
				m.mu.Unlock()
				select {
				case <-ctx.Done():
					return
				case <-time.After(2 * time.Second):
				}
				continue
			}
			m.mu.Lock()
			m.rcv, m.logErr = r, ""
			m.mu.Unlock()
			go func() { <-ctx.Done(); r.Close() }()
			for {
				msg, err := r.Read(ctx)
				if err != nil {
					break
				}
				if msg.Kind != mlog.KindLog {
					continue
				}
				line := LogLine{Time: msg.Time, Level: msg.Level.String(), Host: msg.Host, Program: msg.Program, Text: msg.Msg}
				if a := attrString(msg.Attrs); a != "" {
					line.Text += " " + a
				}
				m.mu.Lock()
				m.logs = append(m.logs, line)
				m.logsSeen++
				if len(m.logs) > m.cfg.MaxLogs {
					m.logs = m.logs[len(m.logs)-m.cfg.MaxLogs:]
				}
				m.mu.Unlock()
			}
		}
	}()
}

// Close stops the samplers and resumes every process paused through Pause.
func (m *Model) Close() {
	m.readers.close()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ls := range m.samplers {
		ls.cancel()
	}
	m.resumeAllLocked()
}

// SetFocus names the segment the user looks at: only it is read in full
// detail and only its probes are sampled (one sampler thread, not one per
// segment, and none for a segment without probes).
func (m *Model) SetFocus(segment string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.focus != segment {
		select {
		case m.kick <- struct{}{}: // read it in full now, not at the next tick
		default:
		}
	}
	m.focus = segment
	for name, ls := range m.samplers {
		if name != segment {
			ls.cancel()
			delete(m.samplers, name)
		}
	}
}

// SetSampling starts (at the next refresh) or stops sampling the focused
// segment's probes: only the local view shows the histograms.
func (m *Model) SetSampling(on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.noSampling = !on
	if !on {
		for name, ls := range m.samplers {
			ls.cancel()
			delete(m.samplers, name)
		}
	}
}

// ToggleFlag turns a debug flag of the process in slot on or off.
func (m *Model) ToggleFlag(segment string, slot int, flag string) (bool, error) {
	w, err := shmstat.OpenFlags(segment, &shmstat.Options{Dir: m.cfg.Dir})
	if err != nil {
		return false, err
	}
	defer w.Close()
	s, err := w.Reader().Snapshot()
	if err != nil {
		return false, err
	}
	on := true
	for _, sl := range s.Slots {
		if sl.Index == slot {
			for _, f := range s.FlagNames(sl.Flags) {
				if f == flag {
					on = false
				}
			}
		}
	}
	_, err = w.SetFlag(slot, flag, on)
	return on, err
}

// Build reads every source once and returns a Snapshot. It never blocks
// longer than the collector fetch timeout.
func (m *Model) Build(ctx context.Context) *Snapshot {
	snap := &Snapshot{Taken: time.Now(), Dir: m.cfg.Dir}
	// The collector is fetched while the segments are read: an
	// unreachable one delays nothing.
	fetched := make(chan ClusterView, 1)
	go func() {
		defer recoverAndRepanic()
		var cv ClusterView
		if m.cfg.Collector != "" {
			cv = m.cluster(ctx, cv)
		}
		fetched <- cv
	}()
	names, err := segmentFiles(m.cfg.Dir)
	if err != nil {
		snap.Errors = append(snap.Errors, err.Error())
	}
	seen := map[string]bool{}
	for _, name := range names {
		seen[name] = true
		snap.Segments = append(snap.Segments, m.segment(name, filepath.Join(m.cfg.Dir, name+".shm")))
	}
	m.readers.keep(seen)
	m.mu.Lock()
	m.forgetLocked(seen)
	logs, logErr, logsSeen := append([]LogLine(nil), m.logs...), m.logErr, m.logsSeen
	snap.Warming = m.builds == 0
	m.builds++
	m.mu.Unlock()
	// The first frame does not wait for a slow collector: it says it is
	// asking, and the next refresh has the answer.
	var slow <-chan time.Time
	if snap.Warming {
		slow = time.After(300 * time.Millisecond)
	}
	select {
	case snap.Cluster = <-fetched:
	case <-slow:
		snap.Cluster = ClusterView{Source: m.cfg.Collector, Pending: true}
	}
	snap.Cluster.Logs, snap.Cluster.LogErr, snap.Cluster.LogsSeen = logs, logErr, logsSeen
	return snap
}

func (m *Model) segment(name, path string) SegmentView {
	v := SegmentView{Name: name}
	cur, err := m.readers.snapshot(name, path)
	if err != nil {
		v.Err = err.Error()
		return v
	}
	v.Alive = cur.OwnerAlive
	m.mu.Lock()
	if m.focus == "" {
		m.focus = name // the first segment until the user selects one
	}
	full := name == m.focus
	prev := m.prev[name]
	m.prev[name] = cur
	paused := map[int]bool{}
	for k := range m.paused {
		paused[k] = true
	}
	m.mu.Unlock()
	if !full {
		// Only the process list shows this segment: its processes and
		// their load; values, tasks and probes wait until it is selected.
		return m.segmentView(v, cur, prev, paused, nil, false)
	}
	sampled := v.Alive && hasProbes(cur)
	v = m.segmentView(v, cur, prev, paused, m.histograms(name, sampled), true)
	m.mu.Lock()
	v.Sampling = sampled && m.cfg.SampleHz > 0 && m.samplers[name] != nil
	m.mu.Unlock()
	return v
}

// hasProbes reports whether a segment registered any probe.
func hasProbes(s *shmstat.Snapshot) bool {
	for _, mt := range s.Metrics {
		if mt.Kind == shmstat.KindProbe {
			return true
		}
	}
	return false
}

// segmentView turns two snapshots into the rows the panes show; the
// numbers come from package view. Not full, only the processes and their
// load.
func (m *Model) segmentView(v SegmentView, cur, prev *shmstat.Snapshot, paused map[int]bool, hists []sampler.ProbeProfile, full bool) SegmentView {
	v.Detailed = full
	v.Failed = cur.FailedRegistrations
	sv := view.New(cur, prev, &view.Options{Resolver: m.res, Probes: func(shmstat.Slot) bool { return full }})
	for i := range sv.Values {
		val := &sv.Values[i]
		mt := val.Metric
		if !full {
			continue
		}
		switch mt.Kind {
		case shmstat.KindCounter, shmstat.KindSequence:
			row := MetricView{Name: mt.Name, Kind: mt.Kind.String(), Total: numfmt.Value(float64(mt.Value), mt.Unit), Unit: mt.Unit, Help: mt.Help, Rate: "-",
				Num: float64(mt.Value), HasNum: true}
			if val.HasRate {
				row.Rate = numfmt.Rate(val.Rate, mt.Unit)
				row.RateNum, row.HasRate = val.Rate, true
				row.Spark = sparkline(m.remember(v.Name, mt.Name, val.Rate))
			}
			row.Value = row.Total
			v.Metrics = append(v.Metrics, row)
		case shmstat.KindGauge:
			g := numfmt.Value(float64(mt.Int), mt.Unit)
			v.Metrics = append(v.Metrics, MetricView{Name: mt.Name, Kind: "gauge", Value: g, Total: g, Rate: "", Unit: mt.Unit, Help: mt.Help,
				Spark: sparkline(m.remember(v.Name, mt.Name, float64(mt.Int))), Num: float64(mt.Int), HasNum: true})
		case shmstat.KindInfo:
			v.Metrics = append(v.Metrics, MetricView{Name: mt.Name, Kind: "info", Value: mt.Text, Total: mt.Text, Help: mt.Help})
		case shmstat.KindLoad:
			row := MetricView{Name: mt.Name, Kind: "load", Value: "-", Total: "-", Help: mt.Help}
			if val.HasLoad {
				row.Value, row.Num, row.HasNum = percent(val.Load), val.Load, true
				row.Total = row.Value
			}
			v.Metrics = append(v.Metrics, row)
		case shmstat.KindTask:
			v.Tasks = append(v.Tasks, taskView(mt.Name, val.Task, cur.Taken))
		case shmstat.KindFlag:
			v.Flags = append(v.Flags, mt.Name)
		}
	}
	for i := range v.Metrics {
		v.Metrics[i].Order = i
	}
	for _, p := range sv.Slots {
		sl := p.Slot
		row := SlotView{Slot: sl.Index, PID: sl.PID, StartTime: sl.StartTime, Role: sl.Role, Alive: sl.Alive, Paused: paused[sl.PID], Load: "-", Flags: p.Flags}
		if p.HasLoad {
			row.Load = percent(p.Load)
		}
		row.State, row.CPU = shortState(p.State), "-"
		if p.HasCPU {
			row.CPU = percent(p.CPU)
		}
		if up := processUptime(sl.PID, sl.StartTime); up > 0 && sl.Alive {
			row.Uptime = up.Round(time.Second).String()
		}
		v.Slots = append(v.Slots, row)
		if !full {
			continue
		}
		for _, pr := range p.Probes {
			if pr.Raw == 0 {
				continue
			}
			v.Probes = append(v.Probes, ProbeView{PID: sl.PID, Role: sl.Role, Probe: pr.Name, Location: pr.Location,
				Hist: histBars(hists, sl, pr.Name)})
		}
	}
	return v
}

// histBars returns the top five locations of the sampled histogram of a
// probe of the process in sl.
func histBars(hists []sampler.ProbeProfile, sl *shmstat.Slot, probe string) []Bar {
	var bars []Bar
	for _, h := range hists {
		if h.PID == sl.PID && h.Probe == probe && h.Role == sl.Role {
			for i, l := range h.Locations {
				if i == 5 {
					break
				}
				bars = append(bars, Bar{Label: l.Label, Share: l.Share})
			}
		}
	}
	return bars
}

// percent prints a load percentage as the panes show it.
func percent(p float64) string { return fmt.Sprintf("%.0f%%", p) }

func taskView(name string, t *view.Task, now time.Time) TaskView {
	tv := TaskView{Name: name, Result: t.Result.String(), Message: t.Message, Overdue: t.Overdue, Failed: t.Failed,
		LastSuccess: "never", RunningSince: "-"}
	if !t.LastSuccess.IsZero() {
		tv.LastSuccess = numfmt.Ago(now, t.LastSuccess)
	}
	if t.Running {
		tv.RunningSince = numfmt.Ago(now, t.RunningSince)
	}
	return tv
}

// histograms returns the sampler's current probe histograms of a segment,
// starting a sampler for it on first use and a new window every Window.
// The model's lock is held only to pick the sampler: Profiles resolves
// PCs (it may read a binary's symbols) with the lock released, so the UI
// goroutine, which takes the lock for keys, never waits on it.
func (m *Model) histograms(name string, alive bool) []sampler.ProbeProfile {
	if m.cfg.SampleHz <= 0 || !alive {
		return nil
	}
	m.mu.Lock()
	if m.noSampling || name != m.focus {
		m.mu.Unlock()
		return nil
	}
	ls := m.samplers[name]
	var done *liveSampler // a window that just ended
	if ls != nil && time.Since(ls.started) >= m.cfg.Window {
		done = ls
		next, err := m.startSampler(name)
		if err != nil {
			delete(m.samplers, name)
			ls = nil
		} else {
			m.samplers[name] = next
			ls = next
		}
	} else if ls == nil {
		var err error
		if ls, err = m.startSampler(name); err != nil {
			m.mu.Unlock()
			return nil
		}
		m.samplers[name] = ls
	}
	m.mu.Unlock()
	if done != nil {
		last := done.s.Profiles()
		done.cancel()
		if ls != nil {
			m.mu.Lock()
			ls.last = last
			m.mu.Unlock()
		}
		return last
	}
	// The sampler re-reads its segment's processes here, with the
	// refresh's other system calls, not on a timer of its own.
	ls.s.Refresh()
	cur := ls.s.Profiles()
	m.mu.Lock()
	last := ls.last
	m.mu.Unlock()
	total := uint64(0)
	for _, p := range cur {
		total += p.Total
	}
	if total < 50 && last != nil {
		return last
	}
	return cur
}

func (m *Model) startSampler(name string) (*liveSampler, error) {
	s, err := sampler.New(sampler.Config{Segments: []string{name}, Options: &shmstat.Options{Dir: m.cfg.Dir}, Hz: m.cfg.SampleHz, Parked: true, ManualRefresh: true})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer recoverAndRepanic()
		s.Run(ctx)
	}()
	return &liveSampler{s: s, cancel: cancel, started: time.Now()}, nil
}

// cluster reads the scoreboard; package scoreboard presents it.
func (m *Model) cluster(ctx context.Context, cv ClusterView) ClusterView {
	cv.Source = m.cfg.Collector
	fctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	sb, err := scoreboard.Load(fctx, m.cfg.Collector)
	cancel()
	if err != nil {
		cv.Err = err.Error()
		return cv
	}
	cv.Collector = sb.Summary()
	for _, r := range sb.Rows() {
		cv.Servers = append(cv.Servers, ServerView{Host: r.Host, Program: r.Program, PID: r.PID, State: r.State,
			LastSeen: r.LastSeen, Load: r.Load, Tasks: r.Tasks, Lost: r.Lost, Problem: r.Problem, Overdue: r.Attention})
	}
	return cv
}

// forgetLocked drops what the model keeps of segments no longer in the
// directory (samplers, last snapshots, sparkline histories), so its maps
// hold only the segments listed at the last refresh.
func (m *Model) forgetLocked(seen map[string]bool) {
	for name, ls := range m.samplers {
		if !seen[name] {
			ls.cancel()
			delete(m.samplers, name)
		}
	}
	for name := range m.prev {
		if !seen[name] {
			delete(m.prev, name)
		}
	}
	for k := range m.history {
		if seg, _, _ := strings.Cut(k, "\x00"); !seen[seg] {
			delete(m.history, k)
		}
	}
}

// segmentFiles lists the segment names in dir, sorted.
func segmentFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if strings.HasSuffix(n, ".shm") && !strings.HasPrefix(n, ".") {
			out = append(out, strings.TrimSuffix(n, ".shm"))
		}
	}
	sort.Strings(out)
	return out, nil
}

// sparkWidth is how many refreshes a sparkline shows.
const sparkWidth = 12

// remember appends v to the history of a metric and returns the history.
func (m *Model) remember(segment, name string, v float64) []float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := segment + "\x00" + name
	h := append(m.history[k], v)
	if len(h) > sparkWidth {
		h = h[len(h)-sparkWidth:]
	}
	m.history[k] = h
	return h
}

var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws values as block characters scaled to their own range.
func sparkline(vs []float64) string {
	if len(vs) == 0 {
		return ""
	}
	lo, hi := vs[0], vs[0]
	for _, v := range vs {
		lo, hi = min(lo, v), max(hi, v)
	}
	out := make([]rune, len(vs))
	for i, v := range vs {
		j := 0
		if hi > lo {
			j = int((v - lo) / (hi - lo) * float64(len(sparkBlocks)-1))
		}
		out[i] = sparkBlocks[j]
	}
	return string(out)
}

// shortState fits the kernel's word for a process into the process list.
func shortState(s string) string {
	switch s {
	case "running":
		return "run"
	case "sleeping", "idle":
		return "sleep"
	case "disk wait":
		return "disk"
	case "stopped", "traced":
		return "STOP"
	case "zombie", "dead":
		return "zomb"
	}
	return s
}
