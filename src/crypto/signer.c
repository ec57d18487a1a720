/* SPDX-License-Identifier: MIT */
/* The RA signer: reference counting and dispatch (the kinds are in key_signer.c and
 * src/pkcs11/). */
#include "pkiws_internal.h"

#include <stdatomic.h>

#include "crypto/signer.h"

struct pkiws__signer {
    atomic_int refs;
    pkiws__sign_fn fn;
    void *ctx;
    void (*ctx_free)(void *);
    int internal;
    const pkiws__key *key; /* the built-in signer's (owned through ctx) */
};

int pkiws__signer_new(pkiws__sign_fn fn, void *ctx, void (*ctx_free)(void *), int internal,
                      pkiws__signer **out)
{
    *out = NULL;
    pkiws__signer *s = pkiws__calloc(1, sizeof *s);
    if (!s) {
        if (ctx_free)
            ctx_free(ctx);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory making the RA signer");
    }
    atomic_init(&s->refs, 1);
    s->fn = fn;
    s->ctx = ctx;
    s->ctx_free = ctx_free;
    s->internal = internal;
    *out = s;
    return PKIWS_OK;
}

static int key_sign(void *ctx, int alg, const uint8_t *hash, size_t hash_len, uint8_t *sig,
                    size_t cap, size_t *sig_len)
{
    return pkiws__key_sign_hash(ctx, alg, hash, hash_len, sig, cap, sig_len);
}

static void key_free(void *ctx)
{
    pkiws__key_free(ctx);
}

int pkiws__signer_from_key(pkiws__key *key, pkiws__signer **out)
{
    int rc = pkiws__signer_new(key_sign, key, key_free, 1, out);
    if (!rc)
        (*out)->key = key;
    return rc;
}

pkiws__signer *pkiws__signer_ref(pkiws__signer *s)
{
    if (s)
        atomic_fetch_add(&s->refs, 1);
    return s;
}

void pkiws__signer_unref(pkiws__signer *s)
{
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    if (s->ctx_free)
        s->ctx_free(s->ctx);
    pkiws__free(s);
}

int pkiws__signer_sign(const pkiws__signer *s, int alg, const uint8_t *hash, size_t hash_len,
                       uint8_t *sig, size_t cap, size_t *sig_len)
{
    *sig_len = 0;
    return s->fn(s->ctx, alg, hash, hash_len, sig, cap, sig_len);
}

int pkiws__signer_internal(const pkiws__signer *s)
{
    return s && s->internal;
}

const pkiws__key *pkiws__signer_builtin_key(const pkiws__signer *s)
{
    return s ? s->key : NULL;
}

size_t pkiws__sign_alg_hash_len(int alg)
{
    static const size_t len[] = {20, 28, 32, 48, 64};
    if (alg >= PKIWS_SIGN_RSA_PKCS1_SHA1 && alg <= PKIWS_SIGN_RSA_PKCS1_SHA512)
        return len[alg - PKIWS_SIGN_RSA_PKCS1_SHA1];
    if (alg >= PKIWS_SIGN_ECDSA_SHA1 && alg <= PKIWS_SIGN_ECDSA_SHA512)
        return len[alg - PKIWS_SIGN_ECDSA_SHA1];
    return 0;
}

int pkiws__sign_alg_is_ecdsa(int alg)
{
    return alg >= PKIWS_SIGN_ECDSA_SHA1 && alg <= PKIWS_SIGN_ECDSA_SHA512;
}
