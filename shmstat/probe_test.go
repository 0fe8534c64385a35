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

// ReadAllProbes returns every slot's probe words, slot after slot, the
// same words ReadProbes returns one slot at a time.
func TestReadAllProbes(t *testing.T) {
	dir := testDir(t)
	seg, err := Create("svc", &Options{Dir: dir, Slots: 3})
	must(t, err)
	defer seg.Close()
	cl, err := Attach("svc", "client", &Options{Dir: dir})
	must(t, err)
	defer cl.Close()
	seg.Probe("a").Mark("owner-site")
	cl.Probe("a").Mark("client-site")
	r, err := Open("svc", &Options{Dir: dir})
	must(t, err)
	defer r.Close()
	pp := r.ProbesPerSlot()
	all := r.ReadAllProbes(pp, nil)
	if len(all) != r.NumSlots()*pp {
		t.Fatalf("%d words, want %d slots x %d probes", len(all), r.NumSlots(), pp)
	}
	nonzero := 0
	for i := 0; i < r.NumSlots(); i++ {
		one := r.ReadProbes(i, nil)
		got := all[i*pp : (i+1)*pp]
		for p := range one {
			if got[p] != one[p] {
				t.Errorf("slot %d probe %d: ReadAllProbes %#x, ReadProbes %#x", i, p, got[p], one[p])
			}
			if one[p] != 0 {
				nonzero++
			}
		}
	}
	if nonzero != 2 {
		t.Errorf("%d probe words set, want 2 (one mark per process)", nonzero)
	}
	// The first word of each slot only; more than there are is cut.
	for _, n := range []int{1, pp + 5, -1} {
		first := r.ReadAllProbes(n, nil)
		want := r.NumSlots() * max(0, min(n, pp))
		if len(first) != want {
			t.Errorf("ReadAllProbes(%d): %d words, want %d", n, len(first), want)
			continue
		}
		for i := 0; n == 1 && i < r.NumSlots(); i++ {
			if first[i] != all[i*pp] {
				t.Errorf("ReadAllProbes(1) slot %d = %#x, want %#x", i, first[i], all[i*pp])
			}
		}
	}
}
