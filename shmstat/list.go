package shmstat

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// SegmentInfo is one row of List: what the header and the slots' state
// words say, without decoding descriptors or values.
type SegmentInfo struct {
	Name       string
	Path       string
	Dir        string // the directory it was found in
	Generation uint64
	OwnerPID   int
	OwnerStart uint64
	Alive      bool
	Created    time.Time
	SlotsInUse int    // active slots whose process is alive
	Slots      int    // process slots in the segment
	Failed     uint64 // registrations that failed (header offset 200)
	Err        error  // set when the file could not be read; other fields may be empty
}

// List returns the segments in dir (DefaultDir() when empty), sorted by
// name, reading only each file's header and slot states (ReadHeader). A
// file that cannot be read is listed with its error, not skipped. A
// missing or unreadable directory is an error.
func List(dir string) ([]SegmentInfo, error) {
	if dir == "" {
		dir = DefaultDir()
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("shmstat: list %s: %w", dir, err)
	}
	var out []SegmentInfo
	for _, e := range ents {
		n := e.Name()
		if !strings.HasSuffix(n, fileSuffix) || strings.HasPrefix(n, ".") {
			continue
		}
		info, err := ReadHeader(segmentPath(dir, strings.TrimSuffix(n, fileSuffix)))
		info.Err = err
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ListAll lists the segments of every directory in dirs (SearchDirs),
// in that order; directories that do not exist are skipped, other errors
// are returned with what could be listed.
func ListAll(dirs []string) ([]SegmentInfo, error) {
	var out []SegmentInfo
	var errs []error
	for _, d := range dirs {
		infos, err := List(d)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
		}
		out = append(out, infos...)
	}
	return out, errors.Join(errs...)
}
