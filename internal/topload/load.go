package topload

import (
	"context"
	"fmt"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// Load is the segments and their values, owned by this process.
type Load struct {
	segs []*segment
	n    int64
}

type segment struct {
	seg      *shmstat.Segment
	counters []*shmstat.Counter
	gauges   []*shmstat.Gauge
	busy     *shmstat.Load
	task     *shmstat.Task
	probe    *shmstat.Probe
}

// sites are where a segment's worker probe says it is, in turn.
var sites = []string{"reading", "merging", "writing"}

// New creates segments "load00", "load01"... in dir, each with values
// values (three counters, in bytes, to one gauge) plus a load, a task and
// a probe.
func New(dir string, segments, values int) (*Load, error) {
	l := &Load{}
	for i := 0; i < segments; i++ {
		seg, err := shmstat.Create(fmt.Sprintf("load%02d", i), &shmstat.Options{Dir: dir})
		if err != nil {
			l.Close()
			return nil, fmt.Errorf("topload: create segment %d: %w", i, err)
		}
		s := &segment{seg: seg, busy: seg.Load("worker"), task: seg.Task("flush", 10*time.Second), probe: seg.Probe("worker")}
		for j := 0; j < values; j++ {
			if j%4 == 3 {
				s.gauges = append(s.gauges, seg.Gauge(fmt.Sprintf("gauge_%03d", j), "a gauge that moves"))
			} else {
				s.counters = append(s.counters, seg.Counter(fmt.Sprintf("counter_%03d", j), "a counter that moves", shmstat.Unit("bytes")))
			}
		}
		l.segs = append(l.segs, s)
		if err := seg.Err(); err != nil {
			l.Close()
			return nil, fmt.Errorf("topload: segment %d: %w", i, err)
		}
	}
	return l, nil
}

// Path is the file of the first segment.
func (l *Load) Path() string { return l.segs[0].seg.Path() }

// Step changes every value once.
func (l *Load) Step() {
	for _, s := range l.segs {
		s.busy.Busy()
		s.probe.Mark(sites[l.n%int64(len(sites))])
		for j, c := range s.counters {
			c.Add(uint64(j + 1))
		}
		for _, g := range s.gauges {
			g.Set(l.n % 1000)
		}
		s.busy.Idle()
		if l.n%100 == 0 {
			s.task.Start()
			s.task.Done(nil)
		}
	}
	l.n++
}

// Run calls Step every period until ctx ends.
func (l *Load) Run(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		l.Step()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close removes the segments.
func (l *Load) Close() {
	for _, s := range l.segs {
		s.seg.Close()
	}
}
