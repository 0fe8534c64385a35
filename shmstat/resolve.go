package shmstat

import (
	"bufio"
	"debug/elf"
	"debug/gosym"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Location is where a probe's PC points in the target's source.
type Location struct {
	Func string
	File string
	Line int
}

// String returns "func file:line" with the function's package path and
// the file's directory left out: "queued.(*server).worker queue.go:88".
func (l Location) String() string {
	fn := l.Func
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	return fn + " " + filepath.Base(l.File) + ":" + strconv.Itoa(l.Line)
}

// Resolver turns PCs from probe words into source locations by reading the
// target's own binary (/proc/PID/exe, its ELF .gopclntab) and, for
// position-independent executables, its load address (/proc/PID/maps).
// Tables are cached per process (pid and start time) and per binary, and
// each distinct PC is resolved once. Every cache is bounded (see
// ResolverLimits): a hostile segment's PCs or a churn of processes cannot
// grow it. A Resolver is safe for concurrent use.
type Resolver struct {
	mu     sync.Mutex
	procs  map[Process]*procTable
	bins   map[binKey]*binTable
	procFS string // "/proc", replaceable in tests
	limits ResolverLimits
}

// ResolverLimits bound a Resolver's caches. When one is full, a process's
// PCs start afresh, and another process or binary is dropped (and read
// again if it is asked for later).
type ResolverLimits struct {
	Procs int // processes whose tables are kept, default 256
	Bins  int // binaries whose symbol tables are kept, default 8
	PCs   int // resolved PCs kept per process, default 4096
}

// DefaultResolverLimits are the limits of NewResolver.
var DefaultResolverLimits = ResolverLimits{Procs: 256, Bins: 8, PCs: 4096}

type binKey struct{ dev, ino uint64 }

type procTable struct {
	bin  *binTable
	bias uint64 // load address minus link address (PIE)
	err  error
	pcs  map[uint64]Location
}

type binTable struct {
	tab      *gosym.Table
	minVaddr uint64
	pie      bool
}

// NewResolver returns an empty Resolver.
func NewResolver() *Resolver {
	return &Resolver{procs: map[Process]*procTable{}, bins: map[binKey]*binTable{}, procFS: "/proc", limits: DefaultResolverLimits}
}

// Resolve returns the location of pc, a return address stored by
// Probe.Here in process pid (start identifies it across pid reuse).
func (r *Resolver) Resolve(pid int, start uint64, pc uint64) (Location, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := Process{pid, start}
	pt := r.procs[key]
	if pt == nil {
		if len(r.procs) >= r.limits.Procs {
			for p := range r.procs { // drop one: any is as good
				delete(r.procs, p)
				break
			}
		}
		pt = r.load(pid)
		r.procs[key] = pt
	}
	if pt.err != nil {
		return Location{}, pt.err
	}
	if loc, ok := pt.pcs[pc]; ok {
		return loc, nil
	}
	// pc is a return address: the call instruction ends just before it.
	file, line, fn := pt.bin.tab.PCToLine(pc - pt.bias - 1)
	if fn == nil {
		return Location{}, fmt.Errorf("shmstat: resolve pc %#x of pid %d: not in the binary's text", pc, pid)
	}
	if isProbeFile(file) {
		// Here is inlined into its caller, so the PC lies in the inlined
		// body, whose positions name this package's file. The caller's own
		// instructions just before it (loading the probe, the inline mark)
		// carry the position of the call: walk back to them.
		for back := pc - pt.bias - 2; back >= fn.Entry && pc-pt.bias-back < 256; back-- {
			f2, l2, fn2 := pt.bin.tab.PCToLine(back)
			if fn2 != fn {
				break
			}
			if !isProbeFile(f2) {
				file, line = f2, l2
				break
			}
		}
	}
	loc := Location{Func: fn.Name, File: file, Line: line}
	if len(pt.pcs) >= r.limits.PCs {
		clear(pt.pcs)
	}
	pt.pcs[pc] = loc
	return loc, nil
}

// Forget drops the cached tables of processes no longer in live.
func (r *Resolver) Forget(live func(Process) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for p := range r.procs {
		if !live(p) {
			delete(r.procs, p)
		}
	}
}

func (r *Resolver) load(pid int) *procTable {
	exe := filepath.Join(r.procFS, strconv.Itoa(pid), "exe")
	fi, err := os.Stat(exe)
	if err != nil {
		return &procTable{err: fmt.Errorf("shmstat: resolve pid %d: %w", pid, err)}
	}
	key := binKey{}
	if st, ok := statIDs(fi); ok {
		key = st
	}
	bin := r.bins[key]
	if bin == nil || key == (binKey{}) {
		bin, err = loadBinary(exe)
		if err != nil {
			return &procTable{err: fmt.Errorf("shmstat: resolve pid %d: %w", pid, err)}
		}
		if key != (binKey{}) {
			r.dropBin()
			r.bins[key] = bin
		}
	}
	pt := &procTable{bin: bin, pcs: map[uint64]Location{}}
	if bin.pie {
		base, err := loadBase(filepath.Join(r.procFS, strconv.Itoa(pid), "maps"), exe)
		if err != nil {
			return &procTable{err: fmt.Errorf("shmstat: resolve pid %d: %w", pid, err)}
		}
		pt.bias = base - bin.minVaddr
	}
	return pt
}

// dropBin makes room for one more binary when the cache is full: a binary
// no cached process uses goes first, else any.
func (r *Resolver) dropBin() {
	if len(r.bins) < r.limits.Bins {
		return
	}
	used := map[*binTable]bool{}
	for _, pt := range r.procs {
		used[pt.bin] = true
	}
	var victim binKey
	found := false
	for k, b := range r.bins {
		victim, found = k, true
		if !used[b] {
			break
		}
	}
	if found {
		delete(r.bins, victim)
	}
}

// loadBinary reads the Go symbol table of an ELF executable.
func loadBinary(path string) (*binTable, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read binary %s: %w", path, err)
	}
	defer f.Close()
	pcln := f.Section(".gopclntab")
	text := f.Section(".text")
	if pcln == nil || text == nil {
		return nil, fmt.Errorf("binary %s has no Go line table (.gopclntab); was it stripped or not built by Go?", path)
	}
	data, err := pcln.Data()
	if err != nil {
		return nil, fmt.Errorf("read .gopclntab of %s: %w", path, err)
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return nil, fmt.Errorf("parse .gopclntab of %s: %w", path, err)
	}
	bt := &binTable{tab: tab, pie: f.Type == elf.ET_DYN, minVaddr: ^uint64(0)}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Vaddr < bt.minVaddr {
			bt.minVaddr = p.Vaddr &^ 0xfff
		}
	}
	if bt.minVaddr == ^uint64(0) {
		bt.minVaddr = 0
	}
	return bt, nil
}

// loadBase finds where the executable is mapped: the lowest mapping of the
// exe's file (offset 0) in /proc/PID/maps.
func loadBase(mapsPath, exe string) (uint64, error) {
	target, err := os.Readlink(exe)
	if err != nil {
		return 0, err
	}
	f, err := os.Open(mapsPath)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		base, ok := parseMapsLine(sc.Text(), target)
		if ok {
			return base, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read %s: %w", mapsPath, err)
	}
	return 0, errors.New("executable mapping not found in " + mapsPath)
}

// parseMapsLine returns the start address of a /proc/PID/maps line that
// maps path at file offset 0.
func parseMapsLine(line, path string) (uint64, bool) {
	f := strings.Fields(line)
	if len(f) < 6 || strings.Join(f[5:], " ") != path || f[2] != "00000000" {
		return 0, false
	}
	lo, _, ok := strings.Cut(f[0], "-")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseUint(lo, 16, 64)
	return v, err == nil
}

// isProbeFile reports whether file holds the body of Probe.Here.
func isProbeFile(file string) bool {
	return strings.HasSuffix(file, "/shmstat/probe_asm.go")
}
