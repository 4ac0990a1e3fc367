package enr

// IdentityScheme is a way to sign records and derive node addresses from them
// (EIP-778, "v4" Identity Scheme). Verify checks sig over the record's
// content; NodeAddr returns the node address (the 32-byte node ID for "v4"),
// or nil if the record does not hold what the scheme needs.
type IdentityScheme interface {
	Verify(r *Record, sig []byte) error
	NodeAddr(r *Record) []byte
}

// SchemeMap is an IdentityScheme that dispatches on the record's "id" value.
// Records naming a scheme not in the map fail verification with
// ErrUnknownScheme.
type SchemeMap map[string]IdentityScheme

// Verify implements IdentityScheme.
func (m SchemeMap) Verify(r *Record, sig []byte) error {
	s := m[r.IdentityScheme()]
	if s == nil {
		return ErrUnknownScheme
	}
	return s.Verify(r, sig)
}

// NodeAddr implements IdentityScheme.
func (m SchemeMap) NodeAddr(r *Record) []byte {
	s := m[r.IdentityScheme()]
	if s == nil {
		return nil
	}
	return s.NodeAddr(r)
}
