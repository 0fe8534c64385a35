//go:build !porthole_noprobes

#include "textflag.h"

// func storeCallerPC(word *uint64)
// A frameless leaf: 0(SP) is the return address into the caller, which
// is stored, as it is, into *word.
TEXT ·storeCallerPC(SB), NOSPLIT|NOFRAME, $0-8
	MOVQ word+0(FP), AX
	MOVQ 0(SP), BX
	MOVQ BX, 0(AX)
	RET
