package k256

import "math/big"

var (
	// N is the group order.
	N     = mustBig("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
	halfN = new(big.Int).Rsh(N, 1)
)
