package shmstat

import (
	"sync/atomic"
	"unsafe"
)

// mem is a mapped segment (or a copy of one). Offsets passed to its
// accessors are checked by the callers against the layout; the accessors
// themselves only index the slice, so a bad offset panics inside the
// bounds check rather than touching memory outside the mapping.
type mem []byte

func (m mem) u64p(off uint64) *uint64 {
	_ = m[off+7]
	return (*uint64)(unsafe.Pointer(&m[off]))
}

func (m mem) u32p(off uint64) *uint32 {
	_ = m[off+3]
	return (*uint32)(unsafe.Pointer(&m[off]))
}

func (m mem) load64(off uint64) uint64     { return atomic.LoadUint64(m.u64p(off)) }
func (m mem) store64(off uint64, v uint64) { atomic.StoreUint64(m.u64p(off), v) }
func (m mem) load32(off uint64) uint32     { return atomic.LoadUint32(m.u32p(off)) }
func (m mem) store32(off uint64, v uint32) { atomic.StoreUint32(m.u32p(off), v) }
func (m mem) loadI64(off uint64) int64     { return int64(m.load64(off)) }
func (m mem) storeI64(off uint64, v int64) { m.store64(off, uint64(v)) }

// putString writes s, cut to n-1 bytes, NUL padded to n bytes at off.
// Used only while a record is not yet visible to readers.
func (m mem) putString(off uint64, n int, s string) {
	if len(s) > n-1 {
		s = s[:n-1]
	}
	b := m[off : off+uint64(n)]
	copy(b, s)
	clear(b[len(s):])
}

// getString reads a NUL padded string of at most n bytes at off.
func (m mem) getString(off uint64, n int) string {
	b := m[off : off+uint64(n)]
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// storeBytes writes b into the words at off with atomic 8-byte stores, so
// a concurrent reader inside a seqlock never races at the language level.
// off must be 8-aligned; the last word is zero padded.
func (m mem) storeBytes(off uint64, b []byte) {
	for i := 0; i < len(b); i += 8 {
		var w [8]byte
		copy(w[:], b[i:])
		m.store64(off+uint64(i), *(*uint64)(unsafe.Pointer(&w)))
	}
}

// loadBytes reads n bytes at off with atomic 8-byte loads.
func (m mem) loadBytes(off uint64, n int) []byte {
	out := make([]byte, (n+7)&^7)
	for i := 0; i < n; i += 8 {
		w := m.load64(off + uint64(i))
		*(*uint64)(unsafe.Pointer(&out[i])) = w
	}
	return out[:n]
}
