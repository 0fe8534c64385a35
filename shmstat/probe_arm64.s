//go:build !porthole_noprobes

#include "textflag.h"

// func storeCallerPC(word *uint64)
// A frameless leaf: the link register holds the return address into the
// caller, which is stored into *word. Probe.Here is normally inlined, so
// that caller is the code that called Here. When the compiler did not
// inline it (large callers get a smaller inlining budget), the return
// address lies inside the out-of-line Here [·hereStart, ·hereEnd): then
// Here's own return address is stored instead, read from its frame. On
// arm64 a Go function with a frame saves its link register at 0(RSP) and
// the caller's frame pointer just below, with R29 = RSP-8, so Here's
// return address is at 8(R29); a NOFRAME leaf leaves RSP and R29 as Here
// set them.
TEXT ·storeCallerPC(SB), NOSPLIT|NOFRAME, $0-8
	MOVD word+0(FP), R0
	MOVD R30, R1
	MOVD ·hereStart(SB), R2
	CMP  R2, R1
	BLO  store
	MOVD ·hereEnd(SB), R2
	CMP  R2, R1
	BHS  store
	MOVD 8(R29), R1
store:
	MOVD R1, 0(R0)
	RET
