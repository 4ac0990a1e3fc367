//go:build libsecp256k1 && !cgo

package crypto

// The libsecp256k1 build tag selects the cgo backend in
// secp256k1_libsecp256k1.go. Without cgo that backend cannot be built, and
// silently falling back to the pure-Go one would hide that the binary is not
// the fast build that was asked for, so the build fails here with this
// identifier in the error:
var _ = libsecp256k1_build_tag_needs_cgo__set_CGO_ENABLED_1_and_a_C_compiler_or_drop_the_tag
