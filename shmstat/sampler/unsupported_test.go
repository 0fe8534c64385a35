//go:build !linux

package sampler

import (
	"errors"
	"testing"

	"github.com/porthole-dev/porthole/shmstat"
)

// Off Linux New says sampling is unsupported, whatever the segments.
func TestNewUnsupported(t *testing.T) {
	_, err := New(Config{Segments: []string{"svc"}})
	if !errors.Is(err, shmstat.ErrUnsupported) {
		t.Fatalf("New: %v, want an error wrapping shmstat.ErrUnsupported", err)
	}
}
