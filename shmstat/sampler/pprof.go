package sampler

import (
	"fmt"
	"io"
	"time"

	"github.com/google/pprof/profile"
)

// WritePprof writes the histograms as a gzip-compressed pprof profile:
// one sample per (process, probe, location) with its count, function,
// file and line for every location (named sites become functions of the
// file "site"), and labels pid, role, probe and segment. `go tool pprof
// -top FILE` and `-http` (flame graph) read it.
func (s *Sampler) WritePprof(w io.Writer) error {
	profs := s.Profiles()
	st := s.Stats()
	p := &profile.Profile{
		SampleType:    []*profile.ValueType{{Type: "samples", Unit: "count"}},
		PeriodType:    &profile.ValueType{Type: "probe", Unit: "nanoseconds"},
		Period:        int64(float64(time.Second) / st.TargetHz),
		TimeNanos:     time.Now().Add(-st.Elapsed).UnixNano(),
		DurationNanos: st.Elapsed.Nanoseconds(),
		Comments:      []string{fmt.Sprintf("porthole probe samples at %.0f Hz (achieved %.1f Hz)", st.TargetHz, st.AchievedHz)},
	}
	funcs := map[[2]string]*profile.Function{}
	locs := map[string]*profile.Location{}
	location := func(name, file string, line int64) *profile.Location {
		fk := [2]string{name, file}
		fn := funcs[fk]
		if fn == nil {
			fn = &profile.Function{ID: uint64(len(funcs) + 1), Name: name, SystemName: name, Filename: file}
			funcs[fk] = fn
			p.Function = append(p.Function, fn)
		}
		lk := fmt.Sprintf("%s\x00%s\x00%d", name, file, line)
		loc := locs[lk]
		if loc == nil {
			loc = &profile.Location{ID: uint64(len(locs) + 1), Line: []profile.Line{{Function: fn, Line: line}}}
			locs[lk] = loc
			p.Location = append(p.Location, loc)
		}
		return loc
	}
	for _, pp := range profs {
		// Two outer frames, process then probe, so a flame graph draws one
		// tower per process and probe; -top still lists the locations.
		proc := location(fmt.Sprintf("pid %d (%s)", pp.PID, pp.Role), "process", 0)
		probe := location("probe "+pp.Probe, "probe", 0)
		for _, l := range pp.Locations {
			name, file, line := l.Label, "site", int64(0)
			if !l.Site && l.Where.Func != "" {
				name, file, line = l.Where.Func, l.Where.File, int64(l.Where.Line)
			}
			p.Sample = append(p.Sample, &profile.Sample{
				Location: []*profile.Location{location(name, file, line), probe, proc},
				Value:    []int64{int64(l.Count)},
				Label:    map[string][]string{"role": {pp.Role}, "probe": {pp.Probe}, "segment": {pp.Segment}},
				NumLabel: map[string][]int64{"pid": {int64(pp.PID)}},
			})
		}
	}
	if err := p.CheckValid(); err != nil {
		return fmt.Errorf("sampler: pprof: %w", err)
	}
	return p.Write(w)
}
