package mlog

import (
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// Announce starts sending the segment's key values (counters, gauges,
// load, task results and where each probe is) as stats datagrams every
// interval (about once a second is the intent), split over several
// datagrams when they do not fit in one. Without a segment it sends
// only a heartbeat. It stops on Close; calling it again does nothing.
func (b *Bus) Announce(every time.Duration) {
	if every <= 0 {
		every = time.Second
	}
	if b.closed.Load() {
		return
	}
	b.annWG.Add(1)
	go func() {
		defer b.annWG.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		res := shmstat.NewResolver()
		var prev *shmstat.Snapshot
		for {
			prev = b.announceOnce(prev, res)
			select {
			case <-b.annStop:
				return
			case <-t.C:
			}
		}
	}()
}

// announceOnce sends one round of stats and returns the snapshot it used.
func (b *Bus) announceOnce(prev *shmstat.Snapshot, res *shmstat.Resolver) *shmstat.Snapshot {
	var snap *shmstat.Snapshot
	st := &Stats{}
	if b.seg != nil {
		s, err := b.seg.Snapshot()
		if err == nil {
			snap = s
			st = statsOf(s, prev, res, b.seg.Slot())
		}
	}
	for _, part := range splitStats(st, b.cfg.MaxSize-trailerLen-headerLen-len(b.cfg.Host)-len(b.cfg.Program)-16) {
		b.enqueueMessage(&Message{Kind: KindStats, Msg: "stats", Stats: part})
	}
	return snap
}

// statsOf turns a snapshot into announced statistics; prev (may be nil)
// gives the window for load percentages. The owner (slot 0) announces
// the segment's values and every live process's probes; a client process
// announces only its own slot's probes, so values are not sent twice.
func statsOf(s, prev *shmstat.Snapshot, res *shmstat.Resolver, slot int) *Stats {
	st := &Stats{Segment: s.Name}
	if slot != 0 {
		for _, sl := range s.Slots {
			if sl.Index == slot {
				st.Probes = probesOf(s, sl, res)
			}
		}
		return st
	}
	if prev != nil && prev.Generation != s.Generation {
		prev = nil
	}
	for _, m := range s.Metrics {
		switch m.Kind {
		case shmstat.KindCounter, shmstat.KindSequence:
			st.Counters = append(st.Counters, CounterStat{Name: m.Name, Unit: m.Unit, Value: m.Value})
		case shmstat.KindGauge:
			st.Gauges = append(st.Gauges, GaugeStat{Name: m.Name, Unit: m.Unit, Value: m.Int})
		case shmstat.KindLoad:
			pct := 0.0
			if pm := prevMetric(prev, m); pm != nil {
				pct = shmstat.LoadPercent(pm.Load, m.Load, prev.Mono, s.Mono)
			} else if m.Load.BusySince != 0 {
				pct = 100
			}
			st.Loads = append(st.Loads, LoadStat{Name: m.Name, Percent: pct})
		case shmstat.KindTask:
			t := m.Task
			st.Tasks = append(st.Tasks, TaskStat{
				Name: m.Name, Every: t.Every, Running: t.Running, LastStart: t.LastStart, LastEnd: t.LastEnd,
				LastSuccess: t.LastSuccess, Result: t.Result.String(), Message: t.Message, Runs: t.Runs,
				Failures: t.Failures, Overdue: t.Overdue(s.Taken),
			})
		}
	}
	for _, sl := range s.Slots {
		if sl.Alive {
			st.Probes = append(st.Probes, probesOf(s, sl, res)...)
		}
	}
	return st
}

// probesOf lists where the probes of one slot are.
func probesOf(s *shmstat.Snapshot, sl shmstat.Slot, res *shmstat.Resolver) []ProbeStat {
	var out []ProbeStat
	for _, m := range s.Metrics {
		if m.Kind != shmstat.KindProbe || m.Index >= len(sl.Probes) || sl.Probes[m.Index] == 0 {
			continue
		}
		out = append(out, ProbeStat{PID: sl.PID, Probe: m.Name, Location: s.ProbeLocation(res, sl, m.Index)})
	}
	return out
}

func prevMetric(prev *shmstat.Snapshot, m shmstat.Metric) *shmstat.Metric {
	if prev == nil {
		return nil
	}
	return prev.Metric(m.Kind, m.Name)
}

// splitStats cuts st into parts whose encoding fits in room bytes each.
func splitStats(st *Stats, room int) []*Stats {
	var parts []*Stats
	cur := &Stats{Segment: st.Segment}
	size := func(s *Stats) int { return len(appendStats(nil, s)) }
	add := func(put func(*Stats), undo func(*Stats)) {
		put(cur)
		if size(cur) > room && !emptyStats(cur, 1) {
			undo(cur)
			parts = append(parts, cur)
			cur = &Stats{Segment: st.Segment}
			put(cur)
		}
	}
	for _, c := range st.Counters {
		add(func(s *Stats) { s.Counters = append(s.Counters, c) }, func(s *Stats) { s.Counters = s.Counters[:len(s.Counters)-1] })
	}
	for _, g := range st.Gauges {
		add(func(s *Stats) { s.Gauges = append(s.Gauges, g) }, func(s *Stats) { s.Gauges = s.Gauges[:len(s.Gauges)-1] })
	}
	for _, l := range st.Loads {
		add(func(s *Stats) { s.Loads = append(s.Loads, l) }, func(s *Stats) { s.Loads = s.Loads[:len(s.Loads)-1] })
	}
	for _, t := range st.Tasks {
		add(func(s *Stats) { s.Tasks = append(s.Tasks, t) }, func(s *Stats) { s.Tasks = s.Tasks[:len(s.Tasks)-1] })
	}
	for _, p := range st.Probes {
		add(func(s *Stats) { s.Probes = append(s.Probes, p) }, func(s *Stats) { s.Probes = s.Probes[:len(s.Probes)-1] })
	}
	parts = append(parts, cur)
	for i, p := range parts {
		p.Part, p.Parts = i, len(parts)
	}
	return parts
}

// emptyStats reports whether s holds at most n records.
func emptyStats(s *Stats, n int) bool {
	return len(s.Counters)+len(s.Gauges)+len(s.Loads)+len(s.Tasks)+len(s.Probes) <= n
}
