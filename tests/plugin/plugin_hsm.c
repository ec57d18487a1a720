/* SPDX-License-Identifier: MIT */
/* An "HSM": the built-in TLS backend's table with a sign hook added; the RA key lives in
 * OpenSSL (outside pkiws), which signs the TLS CertificateVerify digests. Public headers only. */
#include "plugins.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

struct hsm_plugin {
    EVP_PKEY *key;
    atomic_int signs;
    atomic_int fail_next;
};

hsm_plugin *hsm_plugin_new(const char *key_pem, size_t len)
{
    hsm_plugin *h = calloc(1, sizeof *h);
    BIO *b = BIO_new_mem_buf(key_pem, (int)len);
    if (!h || !b) {
        BIO_free(b);
        free(h);
        return NULL;
    }
    h->key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    if (!h->key) {
        free(h);
        return NULL;
    }
    return h;
}

void hsm_plugin_free(void *p)
{
    hsm_plugin *h = p;
    if (!h)
        return;
    EVP_PKEY_free(h->key);
    free(h);
}

int hsm_plugin_signs(const hsm_plugin *p)
{
    return atomic_load(&p->signs);
}

void hsm_plugin_fail_next(hsm_plugin *p)
{
    atomic_store(&p->fail_next, 1);
}

static const EVP_MD *md_of(int alg)
{
    switch (alg) {
    case PKIWS_SIGN_RSA_PKCS1_SHA1:
        return EVP_sha1();
    case PKIWS_SIGN_RSA_PKCS1_SHA224:
        return EVP_sha224();
    case PKIWS_SIGN_RSA_PKCS1_SHA256:
        return EVP_sha256();
    case PKIWS_SIGN_RSA_PKCS1_SHA384:
        return EVP_sha384();
    case PKIWS_SIGN_RSA_PKCS1_SHA512:
        return EVP_sha512();
    default:
        return NULL;
    }
}

static int hsm_sign(void *backend, int alg, const uint8_t *hash, size_t hash_len, uint8_t *sig,
                    size_t cap, size_t *sig_len)
{
    hsm_plugin *h = backend;
    if (atomic_exchange(&h->fail_next, 0))
        return pkiws_backend_fail(PKIWS_E_RA_CREDENTIAL, PKIWS_CAUSE_RA_KEY, "hsm", 0x30,
                                  "test-hsm: the token holding the RA key was removed");
    const EVP_MD *md = md_of(alg);
    if (!md)
        return pkiws_backend_fail(PKIWS_E_UNSUPPORTED, PKIWS_CAUSE_NONE, "hsm", alg,
                                  "test-hsm: unknown signature algorithm");
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(h->key, NULL);
    size_t n = cap;
    int ok =
        c && EVP_PKEY_sign_init(c) > 0 && EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0 &&
        EVP_PKEY_CTX_set_signature_md(c, md) > 0 && EVP_PKEY_sign(c, sig, &n, hash, hash_len) > 0;
    EVP_PKEY_CTX_free(c);
    if (!ok)
        return pkiws_backend_fail(PKIWS_E_CRYPTO, PKIWS_CAUSE_RA_KEY, "hsm", 1,
                                  "test-hsm: signing failed");
    atomic_fetch_add(&h->signs, 1);
    *sig_len = n;
    return PKIWS_OK;
}

void hsm_plugin_methods(pkiws_tls_methods *out)
{
    *out = *pkiws_tls_builtin_methods();
    out->name = "test-hsm";
    out->caps |= PKIWS_TLS_CAP_SIGN;
    out->sign = hsm_sign;
}
