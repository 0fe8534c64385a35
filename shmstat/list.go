package shmstat

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// SegmentInfo is one row of List.
type SegmentInfo struct {
	Name       string
	Path       string
	OwnerPID   int
	OwnerStart uint64
	Alive      bool
	Created    time.Time
	SlotsInUse int   // active slots whose process is alive
	Err        error // set when the file could not be read; other fields may be empty
}

// List returns the segments in dir (DefaultDir() when empty), sorted by
// name. A file that cannot be read is listed with its error, not skipped.
func List(dir string) ([]SegmentInfo, error) {
	if dir == "" {
		dir = DefaultDir()
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("shmstat: list %s: %w", dir, err)
	}
	var out []SegmentInfo
	for _, e := range ents {
		n := e.Name()
		if !strings.HasSuffix(n, fileSuffix) || strings.HasPrefix(n, ".") {
			continue
		}
		info := SegmentInfo{Name: strings.TrimSuffix(n, fileSuffix), Path: segmentPath(dir, strings.TrimSuffix(n, fileSuffix))}
		r, err := Open(info.Path, nil)
		if err != nil {
			info.Err = err
			out = append(out, info)
			continue
		}
		s, err := r.Snapshot()
		r.Close()
		if err != nil {
			info.Err = err
			out = append(out, info)
			continue
		}
		info.OwnerPID, info.OwnerStart = s.Owner.PID, s.Owner.StartTime
		info.Alive, info.Created = s.OwnerAlive, s.Created
		for _, sl := range s.Slots {
			if sl.Alive {
				info.SlotsInUse++
			}
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
