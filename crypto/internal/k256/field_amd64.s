//go:build amd64 && !purego

#include "textflag.h"

// func feMulADX(z, x, y *fe)
//
// z = x·y mod p, below 2^256, for CPUs with BMI2 (MULX) and ADX (ADCX,
// ADOX): the schoolbook product row by row, each row with two independent
// carry chains (CF for the low halves, OF for the high halves), then the
// reduction by c = 2^256 mod p = 0x1000003D1 as in reduce512.
//
// Registers: t0..t7 = R8, R9, R10, R11, R12, R13, R14, CX; AX, BX hold the
// halves of each MULX; DX is the multiplier. t0 is final after the first
// row and waits on the stack, so R8 serves as the zero register that the
// chains end with.
TEXT ·feMulADX(SB), NOSPLIT, $8-24
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI

	// Row 0: t0..t4 = x0·y.
	MOVQ  0(SI), DX
	MULXQ 0(DI), R8, R9
	MULXQ 8(DI), AX, R10
	ADDQ  AX, R9
	MULXQ 16(DI), AX, R11
	ADCQ  AX, R10
	MULXQ 24(DI), AX, R12
	ADCQ  AX, R11
	ADCQ  $0, R12
	MOVQ  R8, t0-8(SP)

	// Row 1: t1..t5 += x1·y.
	MOVQ  8(SI), DX
	XORQ  R8, R8
	MULXQ 0(DI), AX, BX
	ADCXQ AX, R9
	ADOXQ BX, R10
	MULXQ 8(DI), AX, BX
	ADCXQ AX, R10
	ADOXQ BX, R11
	MULXQ 16(DI), AX, BX
	ADCXQ AX, R11
	ADOXQ BX, R12
	MULXQ 24(DI), AX, R13
	ADCXQ AX, R12
	ADOXQ R8, R13
	ADCXQ R8, R13

	// Row 2: t2..t6 += x2·y.
	MOVQ  16(SI), DX
	XORQ  R8, R8
	MULXQ 0(DI), AX, BX
	ADCXQ AX, R10
	ADOXQ BX, R11
	MULXQ 8(DI), AX, BX
	ADCXQ AX, R11
	ADOXQ BX, R12
	MULXQ 16(DI), AX, BX
	ADCXQ AX, R12
	ADOXQ BX, R13
	MULXQ 24(DI), AX, R14
	ADCXQ AX, R13
	ADOXQ R8, R14
	ADCXQ R8, R14

	// Row 3: t3..t7 += x3·y.
	MOVQ  24(SI), DX
	XORQ  R8, R8
	MULXQ 0(DI), AX, BX
	ADCXQ AX, R11
	ADOXQ BX, R12
	MULXQ 8(DI), AX, BX
	ADCXQ AX, R12
	ADOXQ BX, R13
	MULXQ 16(DI), AX, BX
	ADCXQ AX, R13
	ADOXQ BX, R14
	MULXQ 24(DI), AX, CX
	ADCXQ AX, R14
	ADOXQ R8, CX
	ADCXQ R8, CX

	// Reduce: t0..t3 += c·(t4..t7), the top limb of that into R12.
	MOVQ  t0-8(SP), DI
	MOVQ  $0x1000003D1, DX
	XORQ  SI, SI
	MULXQ R12, AX, BX
	ADCXQ AX, DI
	ADOXQ BX, R9
	MULXQ R13, AX, BX
	ADCXQ AX, R9
	ADOXQ BX, R10
	MULXQ R14, AX, BX
	ADCXQ AX, R10
	ADOXQ BX, R11
	MULXQ CX, AX, R12
	ADCXQ AX, R11
	ADOXQ SI, R12
	ADCXQ SI, R12

	// t0..t3 += c·top (top < 2^35, so c·top < 2^69: two limbs).
	MULXQ R12, AX, BX
	ADDQ  AX, DI
	ADCQ  BX, R9
	ADCQ  $0, R10
	ADCQ  $0, R11

	// A carry out leaves the value below 2^69: add c once more, carrying at
	// most into the second limb.
	MOVL    $0, AX
	CMOVQCS DX, AX
	ADDQ    AX, DI
	ADCQ    $0, R9

	MOVQ z+0(FP), SI
	MOVQ DI, 0(SI)
	MOVQ R9, 8(SI)
	MOVQ R10, 16(SI)
	MOVQ R11, 24(SI)
	RET

// func feSqrADX(z, x *fe)
//
// z = x² mod p: the six cross products x_i·x_j (i < j) once, doubled, plus
// the four squares x_i², then the same reduction as feMulADX.
// t0..t7 = R8, R9, R10, R11, R12, R13, R14, CX.
TEXT ·feSqrADX(SB), NOSPLIT, $0-16
	MOVQ x+8(FP), SI

	// x0·(x1, x2, x3) into t1..t4.
	MOVQ  0(SI), DX
	MULXQ 8(SI), R9, R10
	MULXQ 16(SI), AX, R11
	ADDQ  AX, R10
	MULXQ 24(SI), AX, R12
	ADCQ  AX, R11
	ADCQ  $0, R12

	// x1·(x2, x3) into t3..t5; R8 is zero until t0 is computed.
	MOVQ  8(SI), DX
	XORQ  R8, R8
	MULXQ 16(SI), AX, BX
	ADCXQ AX, R11
	ADOXQ BX, R12
	MULXQ 24(SI), AX, R13
	ADCXQ AX, R12
	ADOXQ R8, R13
	ADCXQ R8, R13

	// x2·x3 into t5..t6.
	MOVQ  16(SI), DX
	MULXQ 24(SI), AX, R14
	ADDQ  AX, R13
	ADCQ  $0, R14

	// Double t1..t6, the top bit into t7.
	XORQ CX, CX
	ADDQ R9, R9
	ADCQ R10, R10
	ADCQ R11, R11
	ADCQ R12, R12
	ADCQ R13, R13
	ADCQ R14, R14
	ADCQ $0, CX

	// Add the squares x_i² at t_2i.
	MOVQ  0(SI), DX
	MULXQ DX, R8, AX
	ADDQ  AX, R9
	MOVQ  8(SI), DX
	MULXQ DX, AX, BX
	ADCQ  AX, R10
	ADCQ  BX, R11
	MOVQ  16(SI), DX
	MULXQ DX, AX, BX
	ADCQ  AX, R12
	ADCQ  BX, R13
	MOVQ  24(SI), DX
	MULXQ DX, AX, BX
	ADCQ  AX, R14
	ADCQ  BX, CX

	// Reduce as in feMulADX, with t0 in R8 and SI as the zero register.
	MOVQ  $0x1000003D1, DX
	XORQ  SI, SI
	MULXQ R12, AX, BX
	ADCXQ AX, R8
	ADOXQ BX, R9
	MULXQ R13, AX, BX
	ADCXQ AX, R9
	ADOXQ BX, R10
	MULXQ R14, AX, BX
	ADCXQ AX, R10
	ADOXQ BX, R11
	MULXQ CX, AX, R12
	ADCXQ AX, R11
	ADOXQ SI, R12
	ADCXQ SI, R12

	MULXQ R12, AX, BX
	ADDQ  AX, R8
	ADCQ  BX, R9
	ADCQ  $0, R10
	ADCQ  $0, R11

	MOVL    $0, AX
	CMOVQCS DX, AX
	ADDQ    AX, R8
	ADCQ    $0, R9

	MOVQ z+0(FP), SI
	MOVQ R8, 0(SI)
	MOVQ R9, 8(SI)
	MOVQ R10, 16(SI)
	MOVQ R11, 24(SI)
	RET
