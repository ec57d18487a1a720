/* SPDX-License-Identifier: MIT */
/*
 * The RA signer: what signs with the RA key for TLS client authentication. A session's RA
 * credential holds one; TLS backends see only its sign operation. Three kinds: the built-in
 * one owns one mbedTLS key (PKCS#12, PEM or store credential; freed zeroised, and handed out
 * only to the libcurl transport, whose TLS library needs the key itself), a host callback
 * (pkiws_session_set_ra_signer) and a PKCS#11 token (src/pkcs11/). Reference-counted and
 * immutable: one signer may sign on several threads at once.
 */
#ifndef PKIWS_CRYPTO_SIGNER_H
#define PKIWS_CRYPTO_SIGNER_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* Signs hash (made with the hash of alg, a public pkiws_sign_alg) into sig (at most cap
 * bytes): RSASSA-PKCS1-v1_5 (DigestInfo built by the signer) or DER ECDSA-Sig-Value. */
typedef int (*pkiws__sign_fn)(void *ctx, int alg, const uint8_t *hash, size_t hash_len,
                              uint8_t *sig, size_t cap, size_t *sig_len);

typedef struct pkiws__signer pkiws__signer;

/* A signer over fn and ctx (one reference); ctx_free(ctx) (may be NULL) runs with the last
 * reference. internal: fn records its own failures with pkiws__fail (a host callback may
 * not; the caller then words the message). */
int pkiws__signer_new(pkiws__sign_fn fn, void *ctx, void (*ctx_free)(void *), int internal,
                      pkiws__signer **out);
/* The built-in signer; takes ownership of key (also on failure). */
int pkiws__signer_from_key(pkiws__key *key, pkiws__signer **out);
pkiws__signer *pkiws__signer_ref(pkiws__signer *s);
void pkiws__signer_unref(pkiws__signer *s);
/* Dispatch to the signer (no check of its result beyond the call). */
int pkiws__signer_sign(const pkiws__signer *s, int alg, const uint8_t *hash, size_t hash_len,
                       uint8_t *sig, size_t cap, size_t *sig_len);
/* 1 when fn records its own failures. */
int pkiws__signer_internal(const pkiws__signer *s);
/* The key of a built-in signer (borrowed; for the libcurl transport only), else NULL. */
const pkiws__key *pkiws__signer_builtin_key(const pkiws__signer *s);

/* Sign with a key of ours (key_signer.c): alg must fit the key (RSA or ECDSA). */
int pkiws__key_sign_hash(const pkiws__key *key, int alg, const uint8_t *hash, size_t hash_len,
                         uint8_t *sig, size_t cap, size_t *sig_len);

/* The hash length of a pkiws_sign_alg (0: unknown) and whether it is ECDSA. */
size_t pkiws__sign_alg_hash_len(int alg);
int pkiws__sign_alg_is_ecdsa(int alg);

#endif
