package shmstat

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
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

// Truncating a mapped segment under a reader gives ErrTruncated from every
// read, never a SIGBUS: checked sizes before a pass, and faults caught
// inside one.
func TestTruncatedUnderReader(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seg")
	seg, err := Create("svc", &Options{Dir: dir, Keep: true, NoHeartbeat: true})
	must(t, err)
	seg.Counter("c", "").Add(5)
	seg.Probe("p").Mark("here")
	seg.Close()
	r, err := Open("svc", &Options{Dir: dir})
	must(t, err)
	defer r.Close()
	s, err := r.Snapshot()
	must(t, err)
	refs := r.ValueRefs(s)
	if v := r.ReadValues(refs, nil); len(v) != len(s.Metrics) || v[0] != 5 {
		t.Fatalf("values before truncation = %v", v)
	}
	must(t, os.Truncate(seg.Path(), headerSize))

	// Inside a pass (the size was fine when it began): faults are caught.
	if v := r.ReadValues(refs, nil); len(v) != 0 {
		t.Errorf("values read from a truncated file: %v", v)
	}
	if p := r.ReadProbes(0, nil); len(p) != 0 {
		t.Errorf("probes read from a truncated file: %v", p)
	}
	if p := r.ReadAllProbes(r.ProbesPerSlot(), nil); len(p) != 0 {
		t.Errorf("all probes read from a truncated file: %v", p)
	}
	if _, _, _, active := r.SlotIdentity(0); active {
		t.Error("slot 0 shown active in a truncated file")
	}
	r.faulted.Store(false)
	if _, err := r.decodeGuarded(); !errors.Is(err, ErrTruncated) {
		t.Errorf("decode over missing pages: %v, want ErrTruncated", err)
	}
	// Before a pass: the size check.
	r.faulted.Store(false)
	if _, err := r.Snapshot(); !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "segment truncated") {
		t.Errorf("Snapshot: %v, want ErrTruncated", err)
	}
	if err := r.Err(); !errors.Is(err, ErrTruncated) {
		t.Errorf("Err: %v, want ErrTruncated", err)
	}
}

// A FIFO (or any file that is not regular) named *.shm is refused at once
// by every operation; before, opening it waited for a writer forever.
func TestFIFODoesNotHang(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seg")
	mustMkdir(t, dir, 0o700)
	must(t, unix.Mkfifo(filepath.Join(dir, "svc.shm"), 0o600))
	ops := []struct {
		name string
		op   func() error
	}{
		{"Open", func() error { _, err := Open("svc", &Options{Dir: dir}); return err }},
		{"OpenFlags", func() error { _, err := OpenFlags("svc", &Options{Dir: dir}); return err }},
		{"Attach", func() error { _, err := Attach("svc", "x", &Options{Dir: dir}); return err }},
		{"Create", func() error { _, err := Create("svc", &Options{Dir: dir}); return err }},
		{"List", func() error {
			infos, err := List(dir)
			if err != nil || len(infos) != 1 {
				return fmt.Errorf("List = %+v, %v", infos, err)
			}
			return infos[0].Err
		}},
	}
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { done <- o.op() }()
			select {
			case err := <-done:
				if !errors.Is(err, ErrInsecure) || !strings.Contains(err.Error(), "not a regular file") {
					t.Fatalf("%s on a FIFO: %v, want a 'not a regular file' refusal", o.name, err)
				}
			case <-time.After(30 * time.Second): // a hang, not a timing margin
				t.Fatalf("%s on a FIFO still blocked after 30s", o.name)
			}
		})
	}
}
