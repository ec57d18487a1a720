/* SPDX-License-Identifier: MIT */
/*
 * A host TLS backend over OpenSSL, written only against the public pkiws headers: TLS over the
 * pkiws_tls_io byte stream through a custom BIO, the versions, credential and trust anchors
 * pkiws hands over, host names and IP addresses checked, one resumable session per
 * configuration, and failures reported with their PKIWS_CAUSE_*.
 */
#include "plugins.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

typedef struct ossl_cfg {
    ossl_plugin *plugin;
    SSL_CTX *ctx;
    pthread_mutex_t lock;
    SSL_SESSION *saved;
    char saved_host[256];
    int saved_port;
} ossl_cfg;

typedef struct ossl_conn {
    ossl_cfg *cfg;
    SSL *ssl;
    pkiws_tls_io *io;
    int io_rc;
    char host[256];
    int port;
} ossl_conn;

static BIO_METHOD *bio_method;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

static int ossl_fail(int code, int cause, const char *what)
{
    char msg[512], err[256] = "";
    unsigned long e = ERR_peek_last_error();
    if (e)
        ERR_error_string_n(e, err, sizeof err);
    snprintf(msg, sizeof msg, "openssl-test: %s%s%s", what, *err ? ": " : "", err);
    ERR_clear_error();
    return pkiws_backend_fail(code, cause, "openssl", (int64_t)e, msg);
}

/* ---- the BIO over pkiws_tls_io ---- */

static int bio_write(BIO *b, const char *data, size_t len, size_t *written)
{
    ossl_conn *c = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    int rc = pkiws_tls_io_send(c->io, (const uint8_t *)data, len, written);
    if (rc) {
        c->io_rc = rc;
        return 0;
    }
    return 1;
}

static int bio_read(BIO *b, char *data, size_t len, size_t *got)
{
    ossl_conn *c = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    int rc = pkiws_tls_io_recv(c->io, (uint8_t *)data, len, got);
    if (rc) {
        c->io_rc = rc;
        return 0;
    }
    return *got > 0; /* 0 bytes: end of stream */
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static void bio_init_once(void)
{
    bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "pkiws_tls_io");
    BIO_meth_set_write_ex(bio_method, bio_write);
    BIO_meth_set_read_ex(bio_method, bio_read);
    BIO_meth_set_ctrl(bio_method, bio_ctrl);
    BIO_meth_set_create(bio_method, bio_create);
}

/* ---- configuration ---- */

static void ossl_config_free(void *v)
{
    ossl_cfg *c = v;
    if (!c)
        return;
    SSL_SESSION_free(c->saved);
    SSL_CTX_free(c->ctx);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static int load_pem_certs(const uint8_t *pem, size_t len, X509_STORE *store, SSL_CTX *own)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    int n = 0;
    X509 *x;
    while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
        int ok = store    ? X509_STORE_add_cert(store, x)
                 : n == 0 ? SSL_CTX_use_certificate(own, x)
                          : SSL_CTX_add_extra_chain_cert(own, x);
        if (store || n == 0)
            X509_free(x); /* add_extra_chain_cert took it */
        if (!ok) {
            BIO_free(b);
            return -1;
        }
        n++;
    }
    ERR_clear_error(); /* the end of the PEM data */
    BIO_free(b);
    return n;
}

static int ossl_config_new(void *backend, const pkiws_tls_params *params, void **out)
{
    pthread_once(&bio_once, bio_init_once);
    int64_t minv = 0, maxv = 0, external = 0;
    const uint8_t *cert, *key, *trust;
    size_t cert_len, key_len, trust_len;
    if (pkiws_tls_params_int(params, PKIWS_TLS_MIN_VERSION, &minv) ||
        pkiws_tls_params_int(params, PKIWS_TLS_MAX_VERSION, &maxv) ||
        pkiws_tls_params_int(params, PKIWS_TLS_KEY_EXTERNAL, &external) ||
        pkiws_tls_params_blob(params, PKIWS_TLS_CLIENT_CERT_PEM, &cert, &cert_len) ||
        pkiws_tls_params_blob(params, PKIWS_TLS_CLIENT_KEY_PEM, &key, &key_len) ||
        pkiws_tls_params_blob(params, PKIWS_TLS_TRUST_PEM, &trust, &trust_len))
        return PKIWS_E_BACKEND;
    if (external)
        return pkiws_backend_fail(PKIWS_E_UNSUPPORTED, PKIWS_CAUSE_NONE, NULL, 0,
                                  "openssl-test: external RA keys are not supported");
    ossl_cfg *c = calloc(1, sizeof *c);
    if (!c)
        return PKIWS_E_NOMEM;
    c->plugin = backend;
    pthread_mutex_init(&c->lock, NULL);
    c->ctx = SSL_CTX_new(TLS_client_method());
    int rc = PKIWS_OK;
    if (!c->ctx) {
        rc = ossl_fail(PKIWS_E_NOMEM, PKIWS_CAUSE_NONE, "SSL_CTX_new");
        goto out;
    }
    SSL_CTX_set_min_proto_version(c->ctx, (int)minv);
    SSL_CTX_set_max_proto_version(c->ctx, (int)maxv);
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_options(c->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_session_cache_mode(c->ctx, SSL_SESS_CACHE_CLIENT);
    if (trust) {
        if (load_pem_certs(trust, trust_len, SSL_CTX_get_cert_store(c->ctx), NULL) <= 0) {
            rc = ossl_fail(PKIWS_E_CONFIG, PKIWS_CAUSE_NONE, "no certificate in the trust anchors");
            goto out;
        }
    } else {
        SSL_CTX_set_default_verify_paths(c->ctx);
    }
    if (cert) {
        BIO *b = BIO_new_mem_buf(key, (int)key_len);
        EVP_PKEY *pk = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
        BIO_free(b);
        if (load_pem_certs(cert, cert_len, NULL, c->ctx) <= 0 || !pk ||
            SSL_CTX_use_PrivateKey(c->ctx, pk) != 1 || SSL_CTX_check_private_key(c->ctx) != 1)
            rc = ossl_fail(PKIWS_E_RA_CREDENTIAL, PKIWS_CAUSE_RA_KEY,
                           "the RA certificate and key cannot be used together");
        EVP_PKEY_free(pk);
    }
out:
    if (rc) {
        ossl_config_free(c);
        return rc;
    }
    *out = c;
    return PKIWS_OK;
}

/* ---- connections ---- */

static void ossl_close(void *v)
{
    ossl_conn *c = v;
    if (!c)
        return;
    if (c->ssl) {
        if (!c->io_rc && SSL_is_init_finished(c->ssl))
            SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    ERR_clear_error();
    atomic_fetch_add(&c->cfg->plugin->closes, 1);
    atomic_fetch_sub(&c->cfg->plugin->live, 1);
    free(c);
}

static int ossl_connect(void *config, const pkiws_tls_params *params, pkiws_tls_io *io, void **out)
{
    ossl_cfg *cfg = config;
    const char *host = NULL;
    int64_t port = 0;
    if (pkiws_tls_params_str(params, PKIWS_TLS_HOST, &host) ||
        pkiws_tls_params_int(params, PKIWS_TLS_PORT, &port))
        return PKIWS_E_BACKEND;
    ossl_conn *c = calloc(1, sizeof *c);
    if (!c)
        return PKIWS_E_NOMEM;
    c->cfg = cfg;
    c->io = io;
    c->port = (int)port;
    snprintf(c->host, sizeof c->host, "%s", host);
    atomic_fetch_add(&cfg->plugin->live, 1);
    c->ssl = SSL_new(cfg->ctx);
    BIO *b = c->ssl ? BIO_new(bio_method) : NULL;
    if (!b) {
        ossl_close(c);
        return ossl_fail(PKIWS_E_NOMEM, PKIWS_CAUSE_NONE, "SSL_new");
    }
    BIO_set_data(b, c);
    SSL_set_bio(c->ssl, b, b);
    unsigned char ip[16];
    int is_ip = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;
    X509_VERIFY_PARAM *vp = SSL_get0_param(c->ssl);
    if (is_ip) {
        X509_VERIFY_PARAM_set1_ip_asc(vp, host);
    } else {
        SSL_set_tlsext_host_name(c->ssl, host);
        X509_VERIFY_PARAM_set1_host(vp, host, 0);
    }
    pthread_mutex_lock(&cfg->lock);
    if (cfg->saved && cfg->saved_port == c->port && !strcmp(cfg->saved_host, c->host))
        SSL_set_session(c->ssl, cfg->saved);
    pthread_mutex_unlock(&cfg->lock);
    *out = c;
    return PKIWS_OK;
}

static int ossl_handshake(void *v)
{
    ossl_conn *c = v;
    int r = SSL_connect(c->ssl);
    if (r == 1) {
        atomic_fetch_add(&c->cfg->plugin->handshakes, 1);
        if (SSL_session_reused(c->ssl))
            atomic_fetch_add(&c->cfg->plugin->resumed, 1);
        SSL_SESSION *s = SSL_get1_session(c->ssl);
        pthread_mutex_lock(&c->cfg->lock);
        SSL_SESSION_free(c->cfg->saved);
        c->cfg->saved = s;
        snprintf(c->cfg->saved_host, sizeof c->cfg->saved_host, "%s", c->host);
        c->cfg->saved_port = c->port;
        pthread_mutex_unlock(&c->cfg->lock);
        return PKIWS_OK;
    }
    if (c->io_rc)
        return c->io_rc;
    long v_err = SSL_get_verify_result(c->ssl);
    char what[300];
    if (v_err == X509_V_ERR_HOSTNAME_MISMATCH || v_err == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        snprintf(what, sizeof what, "the server certificate does not name '%s'", c->host);
        return ossl_fail(PKIWS_E_TLS, PKIWS_CAUSE_TLS_HOSTNAME, what);
    }
    if (v_err != X509_V_OK) {
        snprintf(what, sizeof what, "the server certificate does not verify: %s",
                 X509_verify_cert_error_string(v_err));
        return ossl_fail(PKIWS_E_TLS, PKIWS_CAUSE_TLS_SERVER_UNTRUSTED, what);
    }
    int reason = ERR_GET_REASON(ERR_peek_last_error());
    int refused = reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
                  reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA ||
                  reason == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE ||
                  reason == SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN ||
                  reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED;
    return ossl_fail(PKIWS_E_TLS, refused ? PKIWS_CAUSE_TLS_CLIENT_REFUSED : PKIWS_CAUSE_NONE,
                     refused ? "the server refused the RA client certificate"
                             : "the TLS handshake failed");
}

static int ossl_read(void *v, uint8_t *buf, size_t cap, size_t *n)
{
    ossl_conn *c = v;
    *n = 0;
    if (SSL_read_ex(c->ssl, buf, cap, n) == 1)
        return PKIWS_OK;
    if (c->io_rc)
        return c->io_rc;
    int e = SSL_get_error(c->ssl, 0);
    if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL) {
        ERR_clear_error();
        return PKIWS_OK; /* end of stream */
    }
    return ossl_fail(PKIWS_E_TLS, PKIWS_CAUSE_NONE, "SSL_read");
}

static int ossl_write(void *v, const uint8_t *buf, size_t len, size_t *n)
{
    ossl_conn *c = v;
    *n = 0;
    if (SSL_write_ex(c->ssl, buf, len, n) == 1)
        return PKIWS_OK;
    if (c->io_rc)
        return c->io_rc;
    return ossl_fail(PKIWS_E_TLS, PKIWS_CAUSE_NONE, "SSL_write");
}

static int ossl_peer_chain(void *v, pkiws_blob_cb cb, void *user_data)
{
    ossl_conn *c = v;
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(c->ssl);
    for (int i = 0; chain && i < sk_X509_num(chain); i++) {
        unsigned char *der = NULL;
        int len = i2d_X509(sk_X509_value(chain, i), &der);
        if (len <= 0)
            return PKIWS_E_BACKEND;
        int rc = cb(der, (size_t)len, user_data);
        OPENSSL_free(der);
        if (rc)
            return rc;
    }
    return PKIWS_OK;
}

static const pkiws_tls_methods ossl_table = {
    .size = sizeof(pkiws_tls_methods),
    .abi = PKIWS_TLS_ABI_1,
    .name = "openssl-test",
    .caps = PKIWS_TLS_CAP_PEER_CHAIN,
    .config_new = ossl_config_new,
    .config_free = ossl_config_free,
    .connect = ossl_connect,
    .handshake = ossl_handshake,
    .read = ossl_read,
    .write = ossl_write,
    .peer_chain = ossl_peer_chain,
    .close = ossl_close,
};

const pkiws_tls_methods *ossl_plugin_methods(void)
{
    return &ossl_table;
}
