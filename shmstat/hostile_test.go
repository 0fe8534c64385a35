package shmstat

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sparseSegment writes a real segment's header claiming slots process
// slots into dir/name.shm, a sparse file of the claimed size with only
// the header page written.
func sparseSegment(t *testing.T, dir, name string, slots uint64) {
	t.Helper()
	hdr := sampleSegment(t)[:headerSize]
	slotsOff := binary.LittleEndian.Uint64(hdr[hOffSlotsOff:])
	total := (slotsOff + slots*slotSize + pageSize - 1) &^ (pageSize - 1)
	binary.LittleEndian.PutUint32(hdr[hOffSlotCount:], uint32(slots))
	binary.LittleEndian.PutUint64(hdr[hOffTotalSize:], total)
	mustMkdir(t, dir, 0o700)
	path := filepath.Join(dir, name+".shm")
	must(t, os.WriteFile(path, hdr, 0o600))
	must(t, os.Truncate(path, int64(total)))
}

// Counts and sizes in a header are checked against limits and against the
// file's real size and allocation before anything is mapped or allocated.
func TestHugeSparseClaimsFailFast(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seg")
	tests := []struct {
		name  string
		slots uint64
		want  string
	}{
		{"huge", 524288, "more than the"},         // 268 MB claimed, 4 KB on disk
		{"sparse", maxSlots, "sparse file"},       // within limits, not preallocated
		{"limit", maxSlots + 100, "at most 4096"}, // a count past its limit
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sparseSegment(t, dir, tt.name, tt.slots)
			_, err := Open(tt.name, &Options{Dir: dir})
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open: %v, want ErrCorrupt saying %q", err, tt.want)
			}
		})
	}
	infos, err := List(dir)
	must(t, err)
	for _, in := range infos {
		if in.Err == nil {
			t.Errorf("List shows %s without an error", in.Name)
		}
	}
	if _, err := Create("big", &Options{Dir: dir, Slots: maxSlots + 1}); err == nil {
		t.Error("Create made a segment past the limits readers enforce")
	}
}
