/* SPDX-License-Identifier: MIT */
/*
 * The built-in TLS backend over mbedTLS 2.28, implementing the public pkiws_tls_methods table:
 * TLS 1.2 only (min and max), server verification and the host-name check always on
 * (mbedtls_ssl_set_hostname is always called: without it mbedTLS checks no name at all),
 * client certificate from PEM or with an external RSA or EC key behind the RA signer, session
 * resumption per server, and TLS failures told apart from the verify flags and alerts.
 */
#include "pkiws_internal.h"

#include <pthread.h>
#include <stdio.h>

#include "crypto/crypto_int.h"
#include "tls/tls.h"

#define CACHE_MAX 8

typedef struct mb_cached {
    char host[256];
    int port;
    int used;
    uint64_t stamp;
    mbedtls_ssl_session s;
} mb_cached;

typedef struct mb_config {
    const pkiws_tls_params *params;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca, own;
    mbedtls_pk_context key;
    int have_own;
    size_t ext_key_len; /* RSA modulus bytes of an external key */
    char subject[256];  /* of the RA certificate, for messages */
    pthread_mutex_t lock;
    mb_cached cache[CACHE_MAX];
    uint64_t clock;
} mb_config;

typedef struct mb_conn {
    mb_config *cfg;
    mbedtls_ssl_context ssl;
    pkiws_tls_io *io;
    int io_rc;
    char host[256];
    int port;
    char where[300];
    /* what the verify callback saw of the server's certificates */
    char leaf_subject[256];
    char leaf_names[256];
    char top_issuer[256];
    /* the certificate nearest the leaf that is expired or not yet valid */
    char time_subject[256];
    char time_from[32], time_to[32];
} mb_conn;

/* The sign hook's failure inside a handshake (the RSA_ALT callback has no connection). */
static _Thread_local int tl_sign_rc;

/* Record a failure (with the mbedTLS text when mbed_err != 0) and return code. */
static int mb_fail(int code, const char *remedy, int mbed_err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int mb_fail(int code, const char *remedy, int mbed_err, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (mbed_err) {
        char text[160];
        mbedtls_strerror(mbed_err, text, sizeof text);
        pkiws__fail_remedy(code, remedy, "%s (%s, -0x%04X)", msg, text, (unsigned)-mbed_err);
        pkiws__err_native("mbedtls", mbed_err);
    } else {
        pkiws__fail_remedy(code, remedy, "%s", msg);
    }
    pkiws__backend_note_fail();
    return code;
}

static int is_pem(const uint8_t *p, size_t n)
{
    return pkiws__pem_present(p, n);
}

/* mbedTLS wants PEM input NUL-terminated with the NUL counted. */
static int parse_crts(mbedtls_x509_crt *crt, const uint8_t *p, size_t n)
{
    if (!is_pem(p, n))
        return mbedtls_x509_crt_parse_der(crt, p, n);
    uint8_t *z = pkiws__malloc(n + 1);
    if (!z)
        return MBEDTLS_ERR_X509_ALLOC_FAILED;
    memcpy(z, p, n);
    z[n] = 0;
    int ret = mbedtls_x509_crt_parse(crt, z, n + 1);
    pkiws__free(z);
    return ret;
}

static int parse_key(mbedtls_pk_context *pk, const uint8_t *p, size_t n)
{
    uint8_t *z = pkiws__malloc(n + 1);
    if (!z)
        return MBEDTLS_ERR_PK_ALLOC_FAILED;
    memcpy(z, p, n);
    z[n] = 0;
    int ret = mbedtls_pk_parse_key(pk, z, is_pem(p, n) ? n + 1 : n, NULL, 0);
    pkiws__free_secret(z, n + 1);
    return ret;
}

static const char *const system_bundles[] = {
    "/etc/ssl/certs/ca-certificates.crt", /* Debian, Ubuntu, Alpine */
    "/etc/pki/tls/certs/ca-bundle.crt",   /* Fedora, RHEL */
    "/etc/ssl/ca-bundle.pem",             /* openSUSE */
    "/etc/ssl/cert.pem",                  /* BSDs, macOS */
};

static int load_trust(mb_config *c, const uint8_t *trust, size_t len)
{
    if (trust) {
        int ret = parse_crts(&c->ca, trust, len);
        if (ret < 0 || !c->ca.raw.p)
            return mb_fail(PKIWS_E_CONFIG, NULL, ret < 0 ? ret : 0,
                           "the trust anchors (%zu bytes) hold no certificate mbedTLS can read",
                           len);
        return PKIWS_OK;
    }
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(system_bundles); i++) {
        pkiws_buf b = PKIWS_BUF_INIT;
        if (pkiws__file_read(system_bundles[i], 0, &b) != PKIWS_OK) {
            pkiws__buf_dispose(&b);
            continue;
        }
        /* a bundle may hold certificates mbedTLS cannot parse: keep the others */
        int ret = mbedtls_x509_crt_parse(&c->ca, b.data, b.len + 1);
        pkiws__buf_dispose(&b);
        if (ret >= 0 && c->ca.raw.p)
            return PKIWS_OK;
    }
    return mb_fail(PKIWS_E_CONFIG, PKIWS__REMEDY_TLS_SERVER_UNTRUSTED, 0,
                   "no trust anchors: none was given and the system bundle (%s) cannot be read",
                   system_bundles[0]);
}

/* ---- an RA key behind the signer -------------------------------------------------------
 *
 * The configuration never holds the RA key: its mbedtls_pk_context is an "alt" key whose
 * signing goes to pkiws__tls_params_sign() (the session's RA signer, or a host table's sign
 * hook), and the verify/bit length come from the RA certificate's public key.
 *
 * - RSA: mbedtls_pk_setup_rsa_alt() (MBEDTLS_PK_RSA_ALT_SUPPORT, on in Debian's 2.28).
 * - EC: mbedTLS 2.28 has no public "alt" setup for EC keys, and the asynchronous private-key
 *   interface (mbedtls_ssl_conf_async_private_cb) needs MBEDTLS_SSL_ASYNC_PRIVATE, which
 *   Debian 12's /usr/include/mbedtls/config.h leaves undefined (and which 2.28 offers to TLS
 *   servers only); MBEDTLS_PK_OPAQUE needs MBEDTLS_USE_PSA_CRYPTO, also off. So the EC key is
 *   a pk context with a pk_info table of our own (mbedtls/pk_internal.h, installed by 2.28 and
 *   compiled here against the same config.h as the library, so its layout matches): type
 *   MBEDTLS_PK_ECKEY, can_do ECKEY/ECDSA, sign_func → the signer (DER ECDSA-Sig-Value, as
 *   mbedtls_ssl's CertificateVerify writes it), verify_func → the certificate's key, the
 *   rest NULL (a TLS 1.2 client only signs; pk_* functions check for NULL hooks). */

static int md_to_alg(mbedtls_md_type_t md, int ecdsa)
{
    int base = ecdsa ? PKIWS_SIGN_ECDSA_SHA1 : PKIWS_SIGN_RSA_PKCS1_SHA1;
    switch (md) {
    case MBEDTLS_MD_SHA1:
        return base;
    case MBEDTLS_MD_SHA224:
        return base + 1;
    case MBEDTLS_MD_SHA256:
        return base + 2;
    case MBEDTLS_MD_SHA384:
        return base + 3;
    case MBEDTLS_MD_SHA512:
        return base + 4;
    default:
        return 0;
    }
}

/* Sign through the params; failures leave their code in tl_sign_rc. */
static int ext_sign(mb_config *c, int ecdsa, mbedtls_md_type_t md_alg, const unsigned char *hash,
                    size_t hashlen, unsigned char *sig, size_t cap, size_t *n)
{
    int alg = md_to_alg(md_alg, ecdsa);
    if (!alg) {
        tl_sign_rc = pkiws__fail(PKIWS_E_UNSUPPORTED,
                                 "the external RA key was asked for a signature with digest "
                                 "%d, which the RA signer does not offer",
                                 (int)md_alg);
        return MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE;
    }
    int rc = pkiws__tls_params_sign(c->params, alg, hash, hashlen, sig, cap, n);
    if (rc) {
        tl_sign_rc = rc;
        return ecdsa ? MBEDTLS_ERR_ECP_HW_ACCEL_FAILED : MBEDTLS_ERR_RSA_PRIVATE_FAILED;
    }
    return 0;
}

static int alt_sign(void *ctx, int (*f_rng)(void *, unsigned char *, size_t), void *p_rng, int mode,
                    mbedtls_md_type_t md_alg, unsigned int hashlen, const unsigned char *hash,
                    unsigned char *sig)
{
    (void)f_rng;
    (void)p_rng;
    (void)mode;
    mb_config *c = ctx;
    size_t n = 0;
    int ret = ext_sign(c, 0, md_alg, hash, hashlen, sig, c->ext_key_len, &n);
    if (ret)
        return ret;
    if (n != c->ext_key_len) {
        tl_sign_rc = pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_KEY,
                                        "the RA signer gave a %zu-byte signature; the RA "
                                        "certificate's RSA key needs %zu bytes",
                                        n, c->ext_key_len);
        return MBEDTLS_ERR_RSA_PRIVATE_FAILED;
    }
    return 0;
}

static int alt_decrypt(void *ctx, int mode, size_t *olen, const unsigned char *input,
                       unsigned char *output, size_t output_max_len)
{
    (void)ctx;
    (void)mode;
    (void)olen;
    (void)input;
    (void)output;
    (void)output_max_len;
    return MBEDTLS_ERR_PK_FEATURE_UNAVAILABLE; /* a TLS client never decrypts */
}

static size_t alt_key_len(void *ctx)
{
    return ((mb_config *)ctx)->ext_key_len;
}

/* The EC alt key's context: the configuration it signs for. */
typedef struct ec_alt {
    mb_config *cfg;
} ec_alt;

static size_t ec_alt_bitlen(const void *ctx)
{
    const ec_alt *a = ctx;
    return mbedtls_pk_get_bitlen(&a->cfg->own.pk);
}

static int ec_alt_can_do(mbedtls_pk_type_t type)
{
    return type == MBEDTLS_PK_ECKEY || type == MBEDTLS_PK_ECDSA;
}

static int ec_alt_verify(void *ctx, mbedtls_md_type_t md_alg, const unsigned char *hash,
                         size_t hash_len, const unsigned char *sig, size_t sig_len)
{
    ec_alt *a = ctx;
    return mbedtls_pk_verify(&a->cfg->own.pk, md_alg, hash, hash_len, sig, sig_len);
}

static int ec_alt_sign(void *ctx, mbedtls_md_type_t md_alg, const unsigned char *hash,
                       size_t hash_len, unsigned char *sig, size_t *sig_len,
                       int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
    (void)f_rng;
    (void)p_rng;
    ec_alt *a = ctx;
    /* the callers give room for MBEDTLS_PK_SIGNATURE_MAX_SIZE bytes (mbedtls_pk_sign doc) */
    return ext_sign(a->cfg, 1, md_alg, hash, hash_len, sig, MBEDTLS_ECDSA_MAX_LEN, sig_len);
}

static void *ec_alt_alloc(void)
{
    return pkiws__calloc(1, sizeof(ec_alt));
}

static void ec_alt_free(void *ctx)
{
    pkiws__free(ctx);
}

static const mbedtls_pk_info_t ec_alt_info = {
    .type = MBEDTLS_PK_ECKEY,
    .name = "EC (RA signer)",
    .get_bitlen = ec_alt_bitlen,
    .can_do = ec_alt_can_do,
    .verify_func = ec_alt_verify,
    .sign_func = ec_alt_sign,
    .ctx_alloc_func = ec_alt_alloc,
    .ctx_free_func = ec_alt_free,
};

/* PKIWS_OK or a recorded PKIWS_E_* code. */
static int setup_alt(mb_config *c)
{
    mbedtls_pk_type_t type = mbedtls_pk_get_type(&c->own.pk);
    int ret;
    if (type == MBEDTLS_PK_ECKEY) {
        ret = mbedtls_pk_setup(&c->key, &ec_alt_info);
        if (ret == 0)
            ((ec_alt *)c->key.pk_ctx)->cfg = c;
        return ret ? mb_fail(PKIWS_E_CRYPTO, NULL, ret, "cannot set up the external RA key")
                   : PKIWS_OK;
    }
    if (type != MBEDTLS_PK_RSA)
        return mb_fail(PKIWS_E_UNSUPPORTED, NULL, 0,
                       "the RA certificate (%s) has a %s key; an RA signer can sign with RSA "
                       "and EC keys",
                       c->subject, mbedtls_pk_get_name(&c->own.pk));
    c->ext_key_len = mbedtls_pk_get_len(&c->own.pk);
    if (c->ext_key_len == 0 || c->ext_key_len > MBEDTLS_MPI_MAX_SIZE)
        return mb_fail(PKIWS_E_UNSUPPORTED, NULL, 0,
                       "the RA certificate (%s) has a %zu-bit RSA key; at most %d bits are "
                       "supported",
                       c->subject, c->ext_key_len * 8, MBEDTLS_MPI_MAX_SIZE * 8);
    ret = mbedtls_pk_setup_rsa_alt(&c->key, c, alt_decrypt, alt_sign, alt_key_len);
    return ret ? mb_fail(PKIWS_E_CRYPTO, NULL, ret, "cannot set up the external RA key") : PKIWS_OK;
}

/* Set up the external key and prove it matches the certificate: sign a test digest through
 * the signer and verify the signature with the certificate's public key. */
static int external_key(mb_config *c)
{
    int ret = setup_alt(c);
    if (ret)
        return ret;
    uint8_t digest[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    static const char probe[] = "pkiws: does the RA signer hold the RA certificate's key?";
    pkiws__sha256((const uint8_t *)probe, sizeof probe - 1, digest);
    size_t n = 0;
    tl_sign_rc = 0;
    ret = mbedtls_pk_sign(&c->key, MBEDTLS_MD_SHA256, digest, sizeof digest, sig, &n,
                          pkiws__drbg_random, NULL);
    if (ret) {
        if (tl_sign_rc) {
            pkiws__backend_note_fail();
            return tl_sign_rc;
        }
        return mb_fail(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_KEY, ret,
                       "signing a test digest with the external RA key failed");
    }
    ret = mbedtls_pk_verify(&c->own.pk, MBEDTLS_MD_SHA256, digest, sizeof digest, sig, n);
    if (ret)
        return mb_fail(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_KEY, 0,
                       "the key behind the sign hook does not match the RA certificate (%s): "
                       "its test signature does not verify",
                       c->subject);
    return PKIWS_OK;
}

/* ---- configuration --------------------------------------------------------------------- */

static void mb_config_free(void *p)
{
    mb_config *c = p;
    if (!c)
        return;
    for (size_t i = 0; i < CACHE_MAX; i++)
        mbedtls_ssl_session_free(&c->cache[i].s);
    mbedtls_ssl_config_free(&c->conf);
    mbedtls_x509_crt_free(&c->ca);
    mbedtls_x509_crt_free(&c->own);
    mbedtls_pk_free(&c->key);
    pthread_mutex_destroy(&c->lock);
    pkiws__free(c);
}

static int own_credential(mb_config *c, const uint8_t *cert, size_t cert_len, const uint8_t *key,
                          size_t key_len, int external)
{
    int ret = parse_crts(&c->own, cert, cert_len);
    if (ret != 0 || !c->own.raw.p)
        return mb_fail(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_KEY, ret < 0 ? ret : 0,
                       "the RA certificate chain (%zu bytes) cannot be read%s", cert_len,
                       ret > 0 ? ": a certificate in it is malformed" : "");
    mbedtls_x509_dn_gets(c->subject, sizeof c->subject, &c->own.subject);
    if (external) {
        int rc = external_key(c);
        if (rc)
            return rc;
    } else {
        ret = parse_key(&c->key, key, key_len);
        if (ret)
            return mb_fail(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_KEY, ret,
                           "the RA private key (%zu bytes) cannot be used", key_len);
        if (mbedtls_pk_check_pair(&c->own.pk, &c->key) != 0)
            return mb_fail(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_KEY, 0,
                           "the RA private key does not match the RA certificate (%s)", c->subject);
    }
    ret = mbedtls_ssl_conf_own_cert(&c->conf, &c->own, &c->key);
    if (ret)
        return mb_fail(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_KEY, ret,
                       "the RA credential cannot be used for TLS");
    c->have_own = 1;
    return PKIWS_OK;
}

static int mb_config_new(void *backend, const pkiws_tls_params *params, void **out)
{
    (void)backend; /* documented: ignored, so that a host may wrap this table */
    *out = NULL;
    int64_t minv = 0, maxv = 0, external = 0;
    const uint8_t *cert, *key, *trust;
    size_t cert_len, key_len, trust_len;
    if (pkiws__tls_params_int(params, PKIWS_TLS_MIN_VERSION, &minv) ||
        pkiws__tls_params_int(params, PKIWS_TLS_MAX_VERSION, &maxv) ||
        pkiws__tls_params_int(params, PKIWS_TLS_KEY_EXTERNAL, &external) ||
        pkiws__tls_params_blob(params, PKIWS_TLS_CLIENT_CERT_PEM, &cert, &cert_len) ||
        pkiws__tls_params_blob(params, PKIWS_TLS_CLIENT_KEY_PEM, &key, &key_len) ||
        pkiws__tls_params_blob(params, PKIWS_TLS_TRUST_PEM, &trust, &trust_len))
        return PKIWS_E_INTERNAL;
    if (minv > 0x0303)
        return mb_fail(PKIWS_E_UNSUPPORTED, NULL, 0,
                       "TLS version 0x%04x or later was asked for; mbedTLS 2.28 has TLS 1.2 only",
                       (unsigned)minv);
    mb_config *c = pkiws__calloc(1, sizeof *c);
    if (!c)
        return PKIWS_E_NOMEM;
    c->params = params;
    mbedtls_ssl_config_init(&c->conf);
    mbedtls_x509_crt_init(&c->ca);
    mbedtls_x509_crt_init(&c->own);
    mbedtls_pk_init(&c->key);
    pthread_mutex_init(&c->lock, NULL);
    for (size_t i = 0; i < CACHE_MAX; i++)
        mbedtls_ssl_session_init(&c->cache[i].s);
    int rc = PKIWS_OK;
    int ret = mbedtls_ssl_config_defaults(&c->conf, MBEDTLS_SSL_IS_CLIENT,
                                          MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret) {
        rc = mb_fail(PKIWS_E_TLS, NULL, ret, "cannot set up the TLS client configuration");
        goto out;
    }
    mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_rng(&c->conf, pkiws__drbg_random, NULL);
    /* the build also has TLS 1.0/1.1 and no TLS 1.3: pin 1.2 both ways */
    mbedtls_ssl_conf_min_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_renegotiation(&c->conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
    mbedtls_ssl_conf_session_tickets(&c->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
    if ((rc = load_trust(c, trust, trust_len)))
        goto out;
    mbedtls_ssl_conf_ca_chain(&c->conf, &c->ca, NULL);
    if (cert && (rc = own_credential(c, cert, cert_len, key, key_len, external != 0)))
        goto out;
out:
    if (rc) {
        mb_config_free(c);
        return rc;
    }
    *out = c;
    return PKIWS_OK;
}

/* ---- connections ----------------------------------------------------------------------- */

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    mb_conn *c = ctx;
    size_t n = 0;
    int rc = pkiws__tls_io_send(c->io, buf, len, &n);
    if (rc) {
        c->io_rc = rc;
        return MBEDTLS_ERR_NET_SEND_FAILED;
    }
    return (int)n;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    mb_conn *c = ctx;
    size_t n = 0;
    int rc = pkiws__tls_io_recv(c->io, buf, len, &n);
    if (rc) {
        c->io_rc = rc;
        return MBEDTLS_ERR_NET_RECV_FAILED;
    }
    return (int)n; /* 0: end of stream */
}

static void append_names(char *out, size_t cap, const mbedtls_x509_crt *crt)
{
    size_t used = strlen(out);
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s && s->buf.p; s = s->next) {
        if (s->buf.tag != (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)) /* dNSName */
            continue;
        int n = snprintf(out + used, cap - used, "%sDNS:%.*s", used ? ", " : "",
                         (int)(s->buf.len > 100 ? 100 : s->buf.len), (const char *)s->buf.p);
        if (n < 0 || (size_t)n >= cap - used) {
            out[cap - 1] = 0;
            return;
        }
        used += (size_t)n;
    }
}

static void time_text(char *out, size_t cap, const mbedtls_x509_time *t)
{
    snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d UTC", t->year, t->mon, t->day, t->hour,
             t->min, t->sec);
}

/* Per-connection verify callback: only notes what the server presented. mbedTLS calls it from
 * the top of the chain down to the leaf (depth 0). */
static int on_verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    mb_conn *c = ctx;
    if (depth == 0) {
        mbedtls_x509_dn_gets(c->leaf_subject, sizeof c->leaf_subject, &crt->subject);
        c->leaf_names[0] = 0;
        append_names(c->leaf_names, sizeof c->leaf_names, crt);
    }
    if (*flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) {
        mbedtls_x509_dn_gets(c->time_subject, sizeof c->time_subject, &crt->subject);
        time_text(c->time_from, sizeof c->time_from, &crt->valid_from);
        time_text(c->time_to, sizeof c->time_to, &crt->valid_to);
    }
    mbedtls_x509_dn_gets(c->top_issuer, sizeof c->top_issuer, &crt->issuer);
    return 0;
}

static void mb_close(void *p)
{
    mb_conn *c = p;
    if (!c)
        return;
    if (c->ssl.state == MBEDTLS_SSL_HANDSHAKE_OVER && !c->io_rc)
        mbedtls_ssl_close_notify(&c->ssl); /* best effort, short deadline set by the caller */
    mbedtls_ssl_free(&c->ssl);
    pkiws__free(c);
}

static mb_cached *cache_find(mb_config *cfg, const char *host, int port)
{
    for (size_t i = 0; i < CACHE_MAX; i++)
        if (cfg->cache[i].used && cfg->cache[i].port == port && !strcmp(cfg->cache[i].host, host))
            return &cfg->cache[i];
    return NULL;
}

static void cache_store(mb_conn *c)
{
    mb_config *cfg = c->cfg;
    pthread_mutex_lock(&cfg->lock);
    mb_cached *e = cache_find(cfg, c->host, c->port);
    if (!e) {
        e = &cfg->cache[0];
        for (size_t i = 0; i < CACHE_MAX; i++) {
            if (!cfg->cache[i].used) {
                e = &cfg->cache[i];
                break;
            }
            if (cfg->cache[i].stamp < e->stamp)
                e = &cfg->cache[i];
        }
    }
    mbedtls_ssl_session_free(&e->s);
    mbedtls_ssl_session_init(&e->s);
    if (mbedtls_ssl_get_session(&c->ssl, &e->s) == 0) {
        snprintf(e->host, sizeof e->host, "%s", c->host);
        e->port = c->port;
        e->used = 1;
        e->stamp = ++cfg->clock;
    } else {
        e->used = 0;
    }
    pthread_mutex_unlock(&cfg->lock);
}

static void cache_offer(mb_conn *c)
{
    mb_config *cfg = c->cfg;
    pthread_mutex_lock(&cfg->lock);
    mb_cached *e = cache_find(cfg, c->host, c->port);
    if (e)
        mbedtls_ssl_set_session(&c->ssl, &e->s); /* copies; a failure just means no resumption */
    pthread_mutex_unlock(&cfg->lock);
}

static int mb_connect(void *config, const pkiws_tls_params *params, pkiws_tls_io *io, void **out)
{
    mb_config *cfg = config;
    *out = NULL;
    const char *host = NULL;
    int64_t port = 0;
    if (pkiws__tls_params_str(params, PKIWS_TLS_HOST, &host) ||
        pkiws__tls_params_int(params, PKIWS_TLS_PORT, &port))
        return PKIWS_E_INTERNAL;
    if (!host || !*host || strlen(host) >= 256)
        return mb_fail(PKIWS_E_INVALID_ARG, NULL, 0,
                       "TLS connect: the server name is missing or too long");
    mb_conn *c = pkiws__calloc(1, sizeof *c);
    if (!c)
        return PKIWS_E_NOMEM;
    c->cfg = cfg;
    c->io = io;
    c->port = (int)port;
    snprintf(c->host, sizeof c->host, "%s", host);
    snprintf(c->where, sizeof c->where, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, c->port);
    mbedtls_ssl_init(&c->ssl);
    int ret = mbedtls_ssl_setup(&c->ssl, &cfg->conf);
    if (!ret)
        ret = mbedtls_ssl_set_hostname(&c->ssl, c->host); /* ALWAYS: it turns the name check on */
    if (ret) {
        mb_close(c);
        return mb_fail(ret == MBEDTLS_ERR_SSL_ALLOC_FAILED ? PKIWS_E_NOMEM : PKIWS_E_TLS, NULL, ret,
                       "cannot start TLS with %s", host);
    }
    mbedtls_ssl_set_verify(&c->ssl, on_verify, c);
    mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
    cache_offer(c);
    *out = c;
    return PKIWS_OK;
}

static const char *alert_name(int a)
{
    switch (a) {
    case 0:
        return "close_notify";
    case 10:
        return "unexpected_message";
    case 20:
        return "bad_record_mac";
    case 40:
        return "handshake_failure";
    case 42:
        return "bad_certificate";
    case 43:
        return "unsupported_certificate";
    case 44:
        return "certificate_revoked";
    case 45:
        return "certificate_expired";
    case 46:
        return "certificate_unknown";
    case 47:
        return "illegal_parameter";
    case 48:
        return "unknown_ca";
    case 49:
        return "access_denied";
    case 50:
        return "decode_error";
    case 51:
        return "decrypt_error";
    case 70:
        return "protocol_version";
    case 71:
        return "insufficient_security";
    case 80:
        return "internal_error";
    case 112:
        return "unrecognized_name";
    case 116:
        return "certificate_required";
    default:
        return "unknown alert";
    }
}

static int is_ip_literal(const char *host)
{
    if (strchr(host, ':'))
        return 1;
    for (const char *p = host; *p; p++)
        if ((*p < '0' || *p > '9') && *p != '.')
            return 0;
    return 1;
}

static int verify_failed(mb_conn *c, int ret)
{
    uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
    char info[512] = "";
    mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
    for (char *p = info; *p; p++)
        if (*p == '\n')
            *p = p[1] ? ';' : 0;
    size_t n = strlen(info);
    while (n && (info[n - 1] == ';' || info[n - 1] == ' '))
        info[--n] = 0;
    const uint32_t time_flags = MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE;
    /* one cause, the gravest first: no trust, then the dates, then the name */
    if (flags & ~(uint32_t)(MBEDTLS_X509_BADCERT_CN_MISMATCH | time_flags))
        return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_TLS_SERVER_UNTRUSTED, ret,
                       "could not create SSL/TLS secure channel to %s: server not trusted: its "
                       "certificate (%s, issued by %s) does not verify against the trust "
                       "anchors: %s",
                       c->where, c->leaf_subject[0] ? c->leaf_subject : "?",
                       c->top_issuer[0] ? c->top_issuer : "?", info);
    if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
        return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_TLS_SERVER_EXPIRED, ret,
                       "could not create SSL/TLS secure channel to %s: the server certificate "
                       "has expired: %s was valid until %s (from %s): %s",
                       c->where, c->time_subject[0] ? c->time_subject : "?",
                       c->time_to[0] ? c->time_to : "?", c->time_from[0] ? c->time_from : "?",
                       info);
    if (flags & MBEDTLS_X509_BADCERT_FUTURE)
        return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_TLS_SERVER_NOT_YET_VALID, ret,
                       "could not create SSL/TLS secure channel to %s: the server certificate "
                       "is not valid yet: %s is valid from %s (until %s): %s",
                       c->where, c->time_subject[0] ? c->time_subject : "?",
                       c->time_from[0] ? c->time_from : "?", c->time_to[0] ? c->time_to : "?",
                       info);
    if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
        return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_TLS_HOSTNAME, ret,
                       "could not create SSL/TLS secure channel to %s: host name mismatch: the "
                       "server certificate (%s%s%s) does not name '%s'%s",
                       c->where, c->leaf_subject, c->leaf_names[0] ? "; " : "", c->leaf_names,
                       c->host,
                       is_ip_literal(c->host) ? " (mbedTLS 2.28 matches DNS names only, never IP "
                                                "addresses: connect by the DNS name)"
                                              : "");
    return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_TLS_SERVER_UNTRUSTED, ret,
                   "could not create SSL/TLS secure channel to %s: the server certificate does "
                   "not verify",
                   c->where);
}

/* An alert or a close from the server during the handshake. */
static int refused(mb_conn *c, int ret)
{
    int fatal_alert = ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE;
    int alert = fatal_alert && c->ssl.in_msg ? c->ssl.in_msg[1] : -1;
    /* the server asked for our certificate and the handshake got past sending it */
    int cert_sent = c->ssl.client_auth && c->ssl.state > MBEDTLS_SSL_CLIENT_CERTIFICATE;
    const char *ours = c->cfg->have_own ? c->cfg->subject : NULL;
    int cert_alert = alert == 42 || alert == 43 || alert == 44 || alert == 45 || alert == 46 ||
                     alert == 48 || alert == 49 || alert == 116;
    if (alert == 45 && cert_sent)
        return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_RA_EXPIRED, ret,
                       "could not create SSL/TLS secure channel to %s: the server refused the RA "
                       "client certificate (%s) as expired: alert certificate_expired",
                       c->where, ours ? ours : "none sent");
    if (c->ssl.client_auth && !ours && (cert_alert || alert == 40 || !fatal_alert))
        return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_TLS_CLIENT_REFUSED, ret,
                       "could not create SSL/TLS secure channel to %s: the server requires a "
                       "client certificate and no RA certificate is configured (%s%s)",
                       c->where, fatal_alert ? "alert " : "closed",
                       fatal_alert ? alert_name(alert) : "");
    if (cert_alert || (cert_sent && (alert == 40 || !fatal_alert)))
        return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_TLS_CLIENT_REFUSED, ret,
                       "could not create SSL/TLS secure channel to %s: the server refused the RA "
                       "client certificate (%s): %s%s",
                       c->where, ours ? ours : "none sent",
                       fatal_alert ? "alert " : "it closed the connection",
                       fatal_alert ? alert_name(alert) : "");
    if (alert == 70)
        return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_TLS_PROTOCOL, ret,
                       "could not create SSL/TLS secure channel to %s: no TLS version in common: "
                       "the server sent alert %s (%d) to TLS 1.2; the server must allow TLS 1.2",
                       c->where, alert_name(alert), alert);
    if (alert == 40 || alert == 71)
        return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_TLS_HANDSHAKE, ret,
                       "could not create SSL/TLS secure channel to %s: no TLS parameters in "
                       "common: the server sent alert %s (%d); the server must allow TLS 1.2 with "
                       "an ECDHE suite",
                       c->where, alert_name(alert), alert);
    if (fatal_alert)
        return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_TLS, ret,
                       "could not create SSL/TLS secure channel to %s: the server sent alert %s "
                       "(%d)",
                       c->where, alert_name(alert), alert);
    return mb_fail(PKIWS_E_CONNECT, PKIWS__REMEDY_TLS_NOT_TLS, ret,
                   "%s closed the connection during the TLS handshake (does it speak TLS?)",
                   c->where);
}

static int handshake_error(mb_conn *c, int ret)
{
    if (c->io_rc)
        return c->io_rc; /* the io recorded the timeout or the broken connection */
    if (tl_sign_rc) {
        pkiws__backend_note_fail();
        return tl_sign_rc;
    }
    switch (ret) {
    case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
        return verify_failed(c, ret);
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
    case MBEDTLS_ERR_SSL_CONN_EOF:
    case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
        return refused(c, ret);
    case MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION:
        return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_TLS_PROTOCOL, ret,
                       "could not create SSL/TLS secure channel to %s: no TLS version in common: "
                       "the server does not speak TLS 1.2%s",
                       c->where,
                       c->ssl.minor_ver && c->ssl.minor_ver < MBEDTLS_SSL_MINOR_VERSION_3
                           ? " (it chose an older version)"
                           : "");
    case MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE:
    case MBEDTLS_ERR_SSL_BAD_HS_SERVER_KEY_EXCHANGE:
        return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_TLS_HANDSHAKE, ret,
                       "could not create SSL/TLS secure channel to %s: no TLS parameters in "
                       "common with the server",
                       c->where);
    case MBEDTLS_ERR_SSL_INVALID_RECORD:
        return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_TLS_NOT_TLS, ret,
                       "could not create SSL/TLS secure channel to %s: the server's answer is not "
                       "a TLS handshake (does it speak TLS on this port?)",
                       c->where);
    case MBEDTLS_ERR_SSL_ALLOC_FAILED:
        return mb_fail(PKIWS_E_NOMEM, NULL, ret, "out of memory in the TLS handshake with %s",
                       c->where);
    default:
        return mb_fail(PKIWS_E_TLS, PKIWS__REMEDY_TLS, ret,
                       "could not create SSL/TLS secure channel to %s", c->where);
    }
}

static int mb_handshake(void *p)
{
    mb_conn *c = p;
    tl_sign_rc = 0;
    int ret;
    do
        ret = mbedtls_ssl_handshake(&c->ssl);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret)
        return handshake_error(c, ret);
    cache_store(c);
    return PKIWS_OK;
}

static int mb_read(void *p, uint8_t *buf, size_t cap, size_t *n_out)
{
    mb_conn *c = p;
    *n_out = 0;
    int ret;
    do
        ret = mbedtls_ssl_read(&c->ssl, buf, cap);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret >= 0) {
        *n_out = (size_t)ret;
        return PKIWS_OK;
    }
    if (c->io_rc)
        return c->io_rc;
    if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == MBEDTLS_ERR_SSL_CONN_EOF)
        return PKIWS_OK; /* end of stream */
    if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
        int alert = c->ssl.in_msg ? c->ssl.in_msg[1] : -1;
        return mb_fail(PKIWS_E_TLS,
                       alert == 45 ? PKIWS__REMEDY_RA_EXPIRED
                       : alert == 42 || alert == 46 || alert == 48 || alert == 116
                           ? PKIWS__REMEDY_TLS_CLIENT_REFUSED
                           : PKIWS__REMEDY_TLS,
                       ret, "%s sent TLS alert %s (%d) while the answer was awaited", c->where,
                       alert_name(alert), alert);
    }
    return mb_fail(PKIWS_E_TLS, NULL, ret, "TLS error receiving from %s", c->where);
}

static int mb_write(void *p, const uint8_t *buf, size_t len, size_t *n_out)
{
    mb_conn *c = p;
    *n_out = 0;
    int ret;
    do
        ret = mbedtls_ssl_write(&c->ssl, buf, len);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret > 0) {
        *n_out = (size_t)ret;
        return PKIWS_OK;
    }
    if (c->io_rc)
        return c->io_rc;
    return mb_fail(PKIWS_E_TLS, NULL, ret, "TLS error sending to %s", c->where);
}

static int mb_peer_chain(void *p, pkiws_blob_cb cb, void *user_data)
{
    mb_conn *c = p;
    const mbedtls_x509_crt *crt = mbedtls_ssl_get_peer_cert(&c->ssl);
    if (!crt)
        return mb_fail(PKIWS_E_TLS, NULL, 0,
                       "no server certificate: the handshake with %s is not complete", c->where);
    for (; crt && crt->raw.p; crt = crt->next) {
        int rc = cb(crt->raw.p, crt->raw.len, user_data);
        if (rc)
            return rc;
    }
    return PKIWS_OK;
}

static const pkiws_tls_methods mbedtls_methods = {
    sizeof(pkiws_tls_methods),
    PKIWS_TLS_ABI_1,
    0,
    "mbedtls",
    PKIWS_TLS_CAP_PEER_CHAIN,
    mb_config_new,
    mb_config_free,
    mb_connect,
    mb_handshake,
    mb_read,
    mb_write,
    mb_peer_chain,
    mb_close,
    NULL,
};

const pkiws_tls_methods *pkiws__tls_mbedtls_methods(void)
{
    return &mbedtls_methods;
}
