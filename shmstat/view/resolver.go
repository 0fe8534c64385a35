package view

import (
	"strconv"

	"github.com/porthole-dev/porthole/shmstat"
)

// Resolver turns a program counter stored by Probe.Here in process pid
// (start is its start time, so a reused pid is not mistaken for it) into
// a source location. *shmstat.Resolver and *Self implement it.
type Resolver interface {
	Resolve(pid int, start uint64, pc uint64) (shmstat.Location, error)
}

// Location describes one raw probe word of a process: a site name, a
// resolved "func file:line", "pc 0x..." when r is nil or cannot resolve
// it, or "-" when the word is empty.
func Location(s *shmstat.Snapshot, r Resolver, pid int, start uint64, raw uint64) string {
	pc, site, kind := shmstat.DecodeProbe(raw)
	switch kind {
	case shmstat.ProbeSite:
		if site < len(s.Sites) && s.Sites[site] != "" {
			return s.Sites[site]
		}
		return "site" + strconv.Itoa(site)
	case shmstat.ProbePC:
		if r != nil {
			if loc, err := r.Resolve(pid, start, pc); err == nil {
				return loc.String()
			}
		}
		return "pc 0x" + strconv.FormatUint(pc, 16)
	}
	return "-"
}
