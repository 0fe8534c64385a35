//go:build !porthole_noprobes

#include "textflag.h"

// func storeCallerPC(word *uint64)
// A frameless leaf: the link register holds the return address into the
// caller, which is stored into *word.
TEXT ·storeCallerPC(SB), NOSPLIT|NOFRAME, $0-8
	MOVD word+0(FP), R0
	MOVD R30, 0(R0)
	RET
