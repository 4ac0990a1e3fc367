package enr

// The record's signed content and its encoding are built by hand, not with
// reflection: signing and verifying hash them on every received record.

// appendHeader appends an RLP string (base 0x80) or list (base 0xC0) header
// for a payload of size n.
func appendHeader(b []byte, base byte, n int) []byte {
	if n < 56 {
		return append(b, base+byte(n))
	}
	var sz [8]byte
	i := len(sz)
	for v := uint64(n); v > 0; v >>= 8 {
		i--
		sz[i] = byte(v)
	}
	b = append(b, base+55+byte(len(sz)-i))
	return append(b, sz[i:]...)
}

// appendString appends the RLP encoding of the byte string s.
func appendString[T string | []byte](b []byte, s T) []byte {
	if len(s) == 1 && s[0] < 0x80 {
		return append(b, s[0])
	}
	b = appendHeader(b, 0x80, len(s))
	return append(b, s...)
}

// headerSize returns the size of the RLP header of a payload of size n.
func headerSize(n int) int {
	if n < 56 {
		return 1
	}
	s := 1
	for v := uint64(n); v > 0; v >>= 8 {
		s++
	}
	return s
}

// stringSize returns the size of the RLP encoding of the byte string s.
func stringSize[T string | []byte](s T) int {
	if len(s) == 1 && s[0] < 0x80 {
		return 1
	}
	return headerSize(len(s)) + len(s)
}
