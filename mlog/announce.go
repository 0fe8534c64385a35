package mlog

import (
	"sync"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
	"github.com/porthole-dev/porthole/shmstat/view"
)

// announcing holds the buses whose announcer runs (a *Bus key), so that a
// second Announce starts nothing. An entry lives as long as its announcer.
var announcing sync.Map

// Announce starts sending the segment's key values (counters, gauges,
// load, task results and where each probe is) as stats datagrams every
// interval (about once a second is the intent), split over several
// datagrams when they do not fit in one. Without a segment it sends
// only a heartbeat. It stops on Close; calling it again does nothing
// (the first interval stays).
//
// What is sent is computed by package shmstat/view. Probe PCs of this
// process are resolved in process from the runtime's tables, once per
// distinct PC (a bounded cache); the binary is never read. PCs of the
// segment's other processes are sent raw ("pc 0x..."): each of them
// announces its own.
func (b *Bus) Announce(every time.Duration) {
	if every <= 0 {
		every = time.Second
	}
	if b.closed.Load() {
		return
	}
	if _, running := announcing.LoadOrStore(b, struct{}{}); running {
		return
	}
	b.annWG.Add(1)
	go func() {
		defer b.annWG.Done()
		defer announcing.Delete(b)
		t := time.NewTicker(every)
		defer t.Stop()
		res := view.NewSelf(0)
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
func (b *Bus) announceOnce(prev *shmstat.Snapshot, res view.Resolver) *shmstat.Snapshot {
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
// gives the window for load percentages. A load meter without a window
// (the first announcement, or a meter new since prev) is left out: its
// share is not known yet, and a meter busy at that instant is not 100 %
// busy (receivers show no load until the next announcement). The owner (slot 0) announces the segment's
// values and every live process's probes; a client process announces
// only its own slot's probes, so values are not sent twice.
func statsOf(s, prev *shmstat.Snapshot, res view.Resolver, slot int) *Stats {
	st := &Stats{Segment: s.Name}
	probesOf := func(sl shmstat.Slot) bool { return sl.Alive }
	if slot != 0 {
		probesOf = func(sl shmstat.Slot) bool { return sl.Index == slot }
	}
	v := view.New(s, prev, &view.Options{Resolver: res, Probes: probesOf})
	for _, p := range v.Slots {
		for _, pr := range p.Probes {
			if pr.Raw != 0 {
				st.Probes = append(st.Probes, ProbeStat{PID: p.Slot.PID, Probe: pr.Name, Location: pr.Location})
			}
		}
	}
	if slot != 0 {
		return st
	}
	for i := range v.Values {
		val := &v.Values[i]
		m := val.Metric
		switch m.Kind {
		case shmstat.KindCounter, shmstat.KindSequence:
			st.Counters = append(st.Counters, CounterStat{Name: m.Name, Unit: m.Unit, Value: m.Value})
		case shmstat.KindGauge:
			st.Gauges = append(st.Gauges, GaugeStat{Name: m.Name, Unit: m.Unit, Value: m.Int})
		case shmstat.KindLoad:
			if val.HasLoad {
				st.Loads = append(st.Loads, LoadStat{Name: m.Name, Percent: val.Load})
			}
		case shmstat.KindTask:
			t := val.Task
			st.Tasks = append(st.Tasks, TaskStat{
				Name: m.Name, Every: t.Every, Running: t.Running, LastStart: t.LastStart, LastEnd: t.LastEnd,
				LastSuccess: t.LastSuccess, Result: t.Result.String(), Message: t.Message, Runs: t.Runs,
				Failures: t.Failures, Overdue: t.Overdue,
			})
		}
	}
	return st
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
