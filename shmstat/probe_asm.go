//go:build (amd64 || arm64) && !porthole_noprobes

package shmstat

const probesOff = false

// Here records the caller's position in the probe: one store of a return
// address. Here is small enough to be inlined, so the assembly routine it
// calls sees a return address inside Here's caller.
func (p *Probe) Here() { storeCallerPC(p.word) }

// storeCallerPC stores its own return address into *word
// (probe_amd64.s, probe_arm64.s).
//
//go:noescape
func storeCallerPC(word *uint64)
