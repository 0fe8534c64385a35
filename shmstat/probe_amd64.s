//go:build !porthole_noprobes

#include "textflag.h"

// func storeCallerPC(word *uint64)
// A frameless leaf: 0(SP) is the return address into the caller, which
// is stored into *word. Probe.Here is normally inlined, so that caller is
// the code that called Here. When the compiler did not inline it (large
// callers get a smaller inlining budget), the return address lies inside
// the out-of-line Here [·hereStart, ·hereEnd): then Here's own return
// address is stored instead, read from its frame (BP is Here's frame
// pointer; the return address sits just above the saved BP).
TEXT ·storeCallerPC(SB), NOSPLIT|NOFRAME, $0-8
	MOVQ word+0(FP), AX
	MOVQ 0(SP), BX
	CMPQ BX, ·hereStart(SB)
	JCS  store
	CMPQ BX, ·hereEnd(SB)
	JCC  store
	MOVQ 8(BP), BX
store:
	MOVQ BX, 0(AX)
	RET
