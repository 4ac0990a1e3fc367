package k256

import (
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

func BenchmarkFieldMul(b *testing.B) {
	x := fe{0x1234567890abcdef, 0xfedcba0987654321, 0x0f1e2d3c4b5a6978, 0x8796a5b4c3d2e1f0}
	y := x
	for b.Loop() {
		x.mul(&x, &y)
	}
}

func BenchmarkFieldSqr(b *testing.B) {
	x := fe{0x1234567890abcdef, 0xfedcba0987654321, 0x0f1e2d3c4b5a6978, 0x8796a5b4c3d2e1f0}
	for b.Loop() {
		x.sqr(&x)
	}
}

func BenchmarkFieldInv(b *testing.B) {
	x := fe{0x1234567890abcdef, 0xfedcba0987654321, 0x0f1e2d3c4b5a6978, 0x8796a5b4c3d2e1f0}
	for b.Loop() {
		x.inv(&x)
	}
}

func BenchmarkDecredFieldMul(b *testing.B) {
	var x, y secp256k1.FieldVal
	x.SetByteSlice([]byte("0123456789abcdef0123456789abcdef"))
	y = x
	for b.Loop() {
		x.Mul(&y)
	}
}
