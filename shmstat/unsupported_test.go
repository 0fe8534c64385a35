//go:build !linux

package shmstat

import (
	"errors"
	"testing"
)

// On other systems every operation that needs Linux says so.
func TestUnsupportedSaysSo(t *testing.T) {
	ops := map[string]error{}
	_, ops["Create"] = Create("svc", nil)
	_, ops["Attach"] = Attach("svc", "x", nil)
	_, ops["Open"] = Open("svc", nil)
	_, ops["OpenFlags"] = OpenFlags("svc", nil)
	_, ops["ReadHeader"] = ReadHeader("svc.shm")
	for name, err := range ops {
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", name, err)
		}
	}
}
