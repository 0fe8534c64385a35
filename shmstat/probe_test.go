package shmstat

import (
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

type herer interface{ Here() }

// asHerer hides the concrete type, so the call below cannot be
// devirtualised and inlined: Here runs out of line, as it does in callers
// too large to inline it into.
//
//go:noinline
func asHerer(p *Probe) herer { return p }

// An out-of-line Here stores its caller's position, not its own (amd64,
// arm64; elsewhere runtime.Callers does the same).
func TestProbeHereOutOfLine(t *testing.T) {
	if probesOff {
		t.Skip("built with porthole_noprobes")
	}
	dir := testDir(t)
	seg, err := Create("svc", &Options{Dir: dir, NoHeartbeat: true})
	must(t, err)
	defer seg.Close()
	p := seg.Probe("w")
	h := asHerer(p)
	_, _, line, _ := runtime.Caller(0)
	h.Here() // line+1
	pc := uintptr(atomic.LoadUint64(p.word))
	fn := runtime.FuncForPC(pc - 1)
	if fn == nil {
		t.Fatalf("probe word %#x is no function's", pc)
	}
	_, got := fn.FileLine(pc - 1)
	if !strings.HasSuffix(fn.Name(), ".TestProbeHereOutOfLine") || got != line+1 {
		t.Fatalf("out-of-line Here stored %s line %d, want TestProbeHereOutOfLine line %d", fn.Name(), got, line+1)
	}
}
