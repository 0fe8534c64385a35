package shmstat

import (
	"unsafe"
	_ "unsafe" // for go:linkname
)

// nanotime is the runtime's CLOCK_MONOTONIC clock (vDSO, about 20 ns),
// the same clock in every process on the machine.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

func uintptrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

func bytesOfWords(w []uint64) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), len(w)*8)
}
