//go:build (amd64 || arm64) && !porthole_noprobes

package shmstat

import (
	"reflect"
	"runtime"
)

// hereStart and hereEnd bound the code of the out-of-line Probe.Here, so
// storeCallerPC can tell a call from it apart from an inlined one.
var hereStart, hereEnd = hereBounds()

func hereBounds() (uintptr, uintptr) {
	entry := reflect.ValueOf((*Probe).Here).Pointer()
	fn := runtime.FuncForPC(entry)
	if fn == nil {
		return 0, 0
	}
	start := fn.Entry()
	end := start
	for end < start+4096 {
		if f := runtime.FuncForPC(end); f == nil || f.Entry() != start {
			break
		}
		end++
	}
	return start, end
}
