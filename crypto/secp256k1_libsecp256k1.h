// C half of the libsecp256k1 backend (secp256k1_libsecp256k1.go), included
// only from that file's cgo preamble, so the static functions and the table
// below live in one translation unit. Written from the library's public
// headers; see the Go file for the design.

#ifndef DEVP2P_SECP256K1_H
#define DEVP2P_SECP256K1_H

#define _GNU_SOURCE // RTLD_DEEPBIND
#include <dlfcn.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <secp256k1_recovery.h>

#if defined(__GLIBC__) && !defined(RTLD_DEEPBIND)
#error "RTLD_DEEPBIND missing: _GNU_SOURCE must come before the first system header"
#endif

enum { DP_OK = 1, DP_BAD_PUBKEY = -1, DP_BAD_SECKEY = -2 };

// DP_FUNCS lists every library function the binding calls. The pointer types
// come from the header declarations (__typeof__), so a mismatch between the
// header and a call is a compile error.
#define DP_FUNCS(X) \
	X(secp256k1_context_create) \
	X(secp256k1_context_destroy) \
	X(secp256k1_context_randomize) \
	X(secp256k1_ec_seckey_verify) \
	X(secp256k1_ec_pubkey_create) \
	X(secp256k1_ec_pubkey_parse) \
	X(secp256k1_ec_pubkey_serialize) \
	X(secp256k1_ecdh) \
	X(secp256k1_ecdsa_sign_recoverable) \
	X(secp256k1_ecdsa_recoverable_signature_serialize_compact) \
	X(secp256k1_ecdsa_recoverable_signature_parse_compact) \
	X(secp256k1_ecdsa_recover) \
	X(secp256k1_ecdsa_signature_parse_compact) \
	X(secp256k1_ecdsa_verify)

struct dp_funcs {
#define DP_FIELD(name) __typeof__(&name) name;
	DP_FUNCS(DP_FIELD)
#undef DP_FIELD
};

// dp holds the resolved functions. Written once by dp_load during package
// initialization, read-only afterwards.
static struct dp_funcs dp;

// dp_load_err holds dp_load's last message; dlerror's own buffer belongs to
// the calling thread, which the goroutine may have left before reading it.
static char dp_load_err[512];

// dp_load opens the shared library at path privately and resolves every
// function in DP_FUNCS. It returns NULL on success, or a message; on failure
// the library is closed again and dp is left as it was. Called during package
// initialization (and by a test, with names that fail).
static const char *dp_load(const char *path) {
	int flags = RTLD_NOW | RTLD_LOCAL;
#ifdef RTLD_DEEPBIND
	flags |= RTLD_DEEPBIND; // the library binds its own symbols first
#endif
	struct dp_funcs f;
	void *h = dlopen(path, flags);
	if (h == NULL) {
		const char *err = dlerror();
		snprintf(dp_load_err, sizeof dp_load_err, "%s", err != NULL ? err : "dlopen failed");
		return dp_load_err;
	}
#define DP_RESOLVE(name) \
	if ((*(void **)&f.name = dlsym(h, #name)) == NULL) { \
		dlclose(h); \
		snprintf(dp_load_err, sizeof dp_load_err, "%s: no %s (built without the ecdh or recovery module?)", path, #name); \
		return dp_load_err; \
	}
	DP_FUNCS(DP_RESOLVE)
#undef DP_RESOLVE
	dp = f;
	return NULL;
}

// dp_context_new creates the one shared context and randomizes it with the
// 32-byte seed (side-channel blinding for operations with secret keys).
// SIGN|VERIFY is what libraries before 0.2.0 need; later ones treat every
// flag as SECP256K1_CONTEXT_NONE. Returns NULL on failure.
static secp256k1_context *dp_context_new(const unsigned char *seed32) {
	secp256k1_context *ctx = dp.secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
	if (ctx == NULL) {
		return NULL;
	}
	if (!dp.secp256k1_context_randomize(ctx, seed32)) {
		dp.secp256k1_context_destroy(ctx);
		return NULL;
	}
	return ctx;
}

// dp_ecdh_x is the "hash" given to secp256k1_ecdh for the RLPx/ECIES shared
// secret: the raw 32-byte X coordinate, no hashing.
static int dp_ecdh_x(unsigned char *out, const unsigned char *x32, const unsigned char *y32, void *data) {
	(void)y32;
	(void)data;
	memcpy(out, x32, 32);
	return 1;
}

// dp_ecdh_compressed writes the shared point in 33-byte compressed form, the
// discv5 shared secret.
static int dp_ecdh_compressed(unsigned char *out, const unsigned char *x32, const unsigned char *y32, void *data) {
	(void)data;
	out[0] = 0x02 | (y32[31] & 1);
	memcpy(out + 1, x32, 32);
	return 1;
}

// dp_parse parses only the encodings the package accepts: 65 bytes with
// prefix 0x04, 33 bytes with 0x02/0x03. secp256k1_ec_pubkey_parse would also
// take the hybrid 0x06/0x07 forms.
static int dp_parse(const secp256k1_context *ctx, secp256k1_pubkey *pk, const unsigned char *in, size_t len) {
	if (!((len == 65 && in[0] == 0x04) || (len == 33 && (in[0] == 0x02 || in[0] == 0x03)))) {
		return 0;
	}
	return dp.secp256k1_ec_pubkey_parse(ctx, pk, in, len);
}

static void dp_serialize(const secp256k1_context *ctx, unsigned char *out65, const secp256k1_pubkey *pk) {
	size_t n = 65;
	dp.secp256k1_ec_pubkey_serialize(ctx, out65, &n, pk, SECP256K1_EC_UNCOMPRESSED);
}

// dp_seckey_ok reports whether seckey is in [1, N).
static int dp_seckey_ok(const secp256k1_context *ctx, const unsigned char *seckey) {
	return dp.secp256k1_ec_seckey_verify(ctx, seckey);
}

// dp_pubkey_create writes seckey·G, uncompressed, to out65.
static int dp_pubkey_create(const secp256k1_context *ctx, unsigned char *out65, const unsigned char *seckey) {
	secp256k1_pubkey pk;
	if (!dp.secp256k1_ec_pubkey_create(ctx, &pk, seckey)) {
		return 0;
	}
	dp_serialize(ctx, out65, &pk);
	return 1;
}

// dp_pubkey_parse validates a 33- or 65-byte key and writes its uncompressed
// form to out65.
static int dp_pubkey_parse(const secp256k1_context *ctx, unsigned char *out65, const unsigned char *in, size_t len) {
	secp256k1_pubkey pk;
	if (!dp_parse(ctx, &pk, in, len)) {
		return 0;
	}
	dp_serialize(ctx, out65, &pk);
	return 1;
}

// dp_ecdh writes seckey·pub to out: the X coordinate (32 bytes) or, when
// compressed is set, the compressed point (33 bytes). The public key is
// checked before the secret key is touched.
static int dp_ecdh(const secp256k1_context *ctx, unsigned char *out, const unsigned char *pub65, const unsigned char *seckey, int compressed) {
	secp256k1_pubkey pk;
	if (!dp_parse(ctx, &pk, pub65, 65)) {
		return DP_BAD_PUBKEY;
	}
	if (!dp.secp256k1_ecdh(ctx, out, &pk, seckey, compressed ? dp_ecdh_compressed : dp_ecdh_x, NULL)) {
		return DP_BAD_SECKEY;
	}
	return DP_OK;
}

// dp_sign writes R ‖ S ‖ V to out65: RFC 6979 nonce (the library default),
// S in the lower half, V the recovery id.
static int dp_sign(const secp256k1_context *ctx, unsigned char *out65, const unsigned char *msg32, const unsigned char *seckey) {
	secp256k1_ecdsa_recoverable_signature sig;
	int recid = 0;
	if (!dp.secp256k1_ecdsa_sign_recoverable(ctx, &sig, msg32, seckey, NULL, NULL)) {
		return 0;
	}
	dp.secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, out65, &recid, &sig);
	out65[64] = (unsigned char)recid;
	return 1;
}

// dp_recover writes the uncompressed key that made the R ‖ S ‖ V signature
// sig65 over msg32 to out65.
static int dp_recover(const secp256k1_context *ctx, unsigned char *out65, const unsigned char *sig65, const unsigned char *msg32) {
	secp256k1_ecdsa_recoverable_signature sig;
	secp256k1_pubkey pk;
	// A recovery id above 3 is an illegal argument (the default callback
	// aborts the process), so it must never reach the parser.
	if (sig65[64] > 3) {
		return 0;
	}
	if (!dp.secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, sig65, sig65[64])) {
		return 0;
	}
	if (!dp.secp256k1_ecdsa_recover(ctx, &pk, &sig, msg32)) {
		return 0;
	}
	dp_serialize(ctx, out65, &pk);
	return 1;
}

// dp_verify checks the R ‖ S signature sig64 over msg32 against the 33- or
// 65-byte key pub. secp256k1_ecdsa_verify refuses high S.
static int dp_verify(const secp256k1_context *ctx, const unsigned char *pub, size_t publen, const unsigned char *msg32, const unsigned char *sig64) {
	secp256k1_ecdsa_signature sig;
	secp256k1_pubkey pk;
	if (!dp_parse(ctx, &pk, pub, publen)) {
		return 0;
	}
	if (!dp.secp256k1_ecdsa_signature_parse_compact(ctx, &sig, sig64)) {
		return 0;
	}
	return dp.secp256k1_ecdsa_verify(ctx, &sig, msg32, &pk);
}

#endif // DEVP2P_SECP256K1_H
