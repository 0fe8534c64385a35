package sampler

import (
	"sort"
	"strconv"

	"github.com/porthole-dev/porthole/shmstat"
)

// ProbeProfile is the histogram of one probe of one process.
type ProbeProfile struct {
	Segment   string
	PID       int
	StartTime uint64
	Role      string
	Probe     string
	Total     uint64     // samples
	Locations []Location // most samples first
}

// Location is one place a probe was seen, and how often.
type Location struct {
	Raw   uint64
	Label string           // a site name or "func file:line"
	Where shmstat.Location // resolved PC (empty for sites)
	Site  bool
	Count uint64
	Share float64 // of Total, 0-1
}

// Profiles returns every histogram so far, sorted by segment, pid, probe.
// Each distinct probe value is resolved once.
func (s *Sampler) Profiles() []ProbeProfile {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushAll()
	var out []ProbeProfile
	for k, h := range s.hists {
		p := ProbeProfile{Segment: k.segment, PID: h.pid, StartTime: h.start, Role: h.role, Total: h.total, Probe: h.probe}
		for raw, n := range h.counts {
			loc := s.label(h, raw)
			loc.Count = n
			loc.Share = float64(n) / float64(h.total)
			p.Locations = append(p.Locations, loc)
		}
		sort.Slice(p.Locations, func(i, j int) bool {
			if p.Locations[i].Count != p.Locations[j].Count {
				return p.Locations[i].Count > p.Locations[j].Count
			}
			return p.Locations[i].Label < p.Locations[j].Label
		})
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Segment != b.Segment {
			return a.Segment < b.Segment
		}
		if a.PID != b.PID {
			return a.PID < b.PID
		}
		return a.Probe < b.Probe
	})
	return out
}

// label resolves a probe value (the Resolver caches per distinct PC).
func (s *Sampler) label(h *hist, raw uint64) Location {
	pc, site, kind := shmstat.DecodeProbe(raw)
	loc := Location{Raw: raw}
	switch kind {
	case shmstat.ProbeSite:
		loc.Site = true
		loc.Label = "site" + strconv.Itoa(site)
		sites := h.sites
		if h.t != nil && h.t.snap != nil && h.t.snap.Generation == h.gen {
			sites = h.t.snap.Sites // the same segment, perhaps with newer sites
		}
		if site < len(sites) && sites[site] != "" {
			loc.Label = sites[site]
		}
	case shmstat.ProbePC:
		w, err := s.resolver.Resolve(h.pid, h.start, pc)
		if err != nil {
			loc.Label = "pc 0x" + strconv.FormatUint(pc, 16)
		} else {
			loc.Where, loc.Label = w, w.String()
		}
	}
	return loc
}
