/* SPDX-License-Identifier: MIT */
/*
 * TLS backend tables → the internal TLS layer: size-first validation and copy of a host's
 * pkiws_tls_methods (the built-in mbedTLS table goes through the same path), the parameter
 * objects and their accessors, the sign service, and the dispatch that turns hook results
 * into recorded failures. Also pkiws__backend_fail(), shared with the HTTP plug-in adapter.
 */
#include "pkiws_internal.h"

#include "util/callback.h"

#include <stdatomic.h>
#include <stdio.h>

#include "tls/tls.h"

/* ---- shared by the HTTP and TLS plug-in adapters ------------------------------------------ */

static _Thread_local unsigned tl_fail_seq;

unsigned pkiws__backend_fail_seq(void)
{
    return tl_fail_seq;
}

void pkiws__backend_note_fail(void)
{
    tl_fail_seq++;
}

static const char *cause_remedy(int cause)
{
    switch (cause) {
    case PKIWS_CAUSE_TLS_SERVER_UNTRUSTED:
        return PKIWS__REMEDY_TLS_SERVER_UNTRUSTED;
    case PKIWS_CAUSE_TLS_HOSTNAME:
        return PKIWS__REMEDY_TLS_HOSTNAME;
    case PKIWS_CAUSE_TLS_CLIENT_REFUSED:
        return PKIWS__REMEDY_TLS_CLIENT_REFUSED;
    case PKIWS_CAUSE_RA_KEY:
        return PKIWS__REMEDY_RA_KEY;
    case PKIWS__CAUSE_TLS_PROTOCOL:
        return PKIWS__REMEDY_TLS_PROTOCOL;
    case PKIWS__CAUSE_TLS_SERVER_EXPIRED:
        return PKIWS__REMEDY_TLS_SERVER_EXPIRED;
    case PKIWS__CAUSE_TLS_SERVER_NOT_YET_VALID:
        return PKIWS__REMEDY_TLS_SERVER_NOT_YET_VALID;
    case PKIWS__CAUSE_TLS_HANDSHAKE:
        return PKIWS__REMEDY_TLS_HANDSHAKE;
    case PKIWS__CAUSE_TLS_NOT_TLS:
        return PKIWS__REMEDY_TLS_NOT_TLS;
    case PKIWS__CAUSE_RA_EXPIRED:
        return PKIWS__REMEDY_RA_EXPIRED;
    case PKIWS__CAUSE_PROXY_AUTH:
        return PKIWS__REMEDY_PROXY_AUTH;
    default:
        return NULL; /* the code's default remedy */
    }
}

int pkiws__backend_fail(int code, int cause, const char *domain, int64_t native_code,
                        const char *message)
{
    if (code >= 0)
        code = PKIWS_E_BACKEND; /* a failure must be a failure */
    const char *text = pkiws__error_text(code);
    pkiws__fail_remedy(code, cause_remedy(cause), "%s",
                       message ? message
                       : text  ? text
                               : "unknown error");
    if (domain)
        pkiws__err_native(domain, native_code);
    tl_fail_seq++;
    return code;
}

int pkiws__backend_code_ok(int code)
{
    switch (code) {
    case PKIWS_E_NOMEM:
    case PKIWS_E_UNSUPPORTED:
    case PKIWS_E_LIMIT:
    case PKIWS_E_CONFIG:
    case PKIWS_E_RA_CREDENTIAL:
    case PKIWS_E_CRYPTO:
    case PKIWS_E_CONNECT:
    case PKIWS_E_TIMEOUT:
    case PKIWS_E_TLS:
    case PKIWS_E_BACKEND:
    case PKIWS_E_PROTOCOL:
        return 1;
    default:
        return 0;
    }
}

int pkiws__backend_table_check(const void *table, size_t ours, size_t v1_size, const char *kind,
                               size_t *copy_len)
{
    *copy_len = 0;
    if (!table)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s table: NULL", kind);
    size_t size;
    memcpy(&size, table, sizeof size);
    if (size < v1_size)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "%s table: size %zu is smaller than the version-1 table (%zu bytes); "
                           "set .size = sizeof(the table)",
                           kind, size, v1_size);
    if (size > PKIWS_BACKEND_TABLE_MAX)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "%s table: size %zu is larger than PKIWS_BACKEND_TABLE_MAX (%d); is "
                           ".size set?",
                           kind, size, PKIWS_BACKEND_TABLE_MAX);
    const uint8_t *p = table;
    for (size_t i = ours; i < size; i++)
        if (p[i])
            return pkiws__fail(PKIWS_E_UNSUPPORTED,
                               "%s table: byte %zu (beyond the %zu bytes this pkiws knows) is "
                               "not zero: the backend needs a newer pkiws",
                               kind, i, ours);
    *copy_len = size < ours ? size : ours;
    return PKIWS_OK;
}

int pkiws__backend_name_check(const char *name, const char *kind)
{
    if (!name || !*name)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s table: .name is %s", kind,
                           name ? "empty" : "NULL");
    size_t len = strlen(name), bad;
    if (len > 64)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s table: .name is %zu bytes long (at most 64)",
                           kind, len);
    if (!pkiws__utf8_valid(name, len, &bad))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s table: .name is not UTF-8 (byte %zu)", kind,
                           bad);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "%s table: .name has a control character at byte %zu", kind, i);
    return PKIWS_OK;
}

/* ---- tables ------------------------------------------------------------------------------- */

#define TLS_V1_SIZE (offsetof(pkiws_tls_methods, sign) + sizeof(void (*)(void)))

struct pkiws__tls {
    atomic_int refs;
    pkiws_tls_methods m; /* validated copy; unknown tail zero */
    char *name;
    void *backend;
    void (*backend_free)(void *);
    int builtin;
};

static int tls_make(const pkiws_tls_methods *m, void *backend, void (*backend_free)(void *),
                    int builtin, pkiws__tls **out)
{
    size_t n;
    int rc =
        pkiws__backend_table_check(m, sizeof(pkiws_tls_methods), TLS_V1_SIZE, "TLS backend", &n);
    if (rc)
        return rc;
    pkiws_tls_methods copy;
    memset(&copy, 0, sizeof copy);
    memcpy(&copy, m, n);
    if (copy.abi != PKIWS_TLS_ABI_1)
        return pkiws__fail(PKIWS_E_UNSUPPORTED,
                           "TLS backend table: abi %u is not one this pkiws speaks (%u)",
                           (unsigned)copy.abi, PKIWS_TLS_ABI_1);
    if (copy.flags)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "TLS backend table: .flags is 0x%x; it is reserved and must be 0",
                           (unsigned)copy.flags);
    if ((rc = pkiws__backend_name_check(copy.name, "TLS backend")))
        return rc;
    const char *missing = !copy.config_new    ? "config_new"
                          : !copy.config_free ? "config_free"
                          : !copy.connect     ? "connect"
                          : !copy.handshake   ? "handshake"
                          : !copy.read        ? "read"
                          : !copy.write       ? "write"
                          : !copy.close       ? "close"
                                              : NULL;
    if (missing)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "TLS backend '%s': the required hook .%s is NULL",
                           copy.name, missing);
    /* optional hooks: usable only with their capability bit */
    if (!(copy.caps & PKIWS_TLS_CAP_SIGN))
        copy.sign = NULL;
    if (!(copy.caps & PKIWS_TLS_CAP_PEER_CHAIN))
        copy.peer_chain = NULL;
    pkiws__tls *t = pkiws__calloc(1, sizeof *t);
    if (!t)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory registering TLS backend '%s'", copy.name);
    t->name = pkiws__strdup(copy.name);
    if (!t->name) {
        pkiws__free(t);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory registering TLS backend '%s'", copy.name);
    }
    copy.name = t->name;
    t->m = copy;
    atomic_init(&t->refs, 1);
    t->backend = backend;
    t->backend_free = backend_free;
    t->builtin = builtin;
    *out = t;
    return PKIWS_OK;
}

int pkiws__tls_new(const pkiws_tls_methods *m, void *backend, void (*backend_free)(void *),
                   pkiws__tls **out)
{
    if (!out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws__tls_new: NULL out");
    *out = NULL;
    return tls_make(m, backend, backend_free, m == pkiws__tls_mbedtls_methods(), out);
}

int pkiws__tls_builtin(pkiws__tls **out)
{
    *out = NULL;
    return tls_make(pkiws__tls_mbedtls_methods(), NULL, NULL, 1, out);
}

pkiws__tls *pkiws__tls_ref(pkiws__tls *t)
{
    if (t)
        atomic_fetch_add(&t->refs, 1);
    return t;
}

void pkiws__tls_unref(pkiws__tls *t)
{
    if (!t || atomic_fetch_sub(&t->refs, 1) != 1)
        return;
    if (t->backend_free)
        t->backend_free(t->backend);
    pkiws__free(t->name);
    pkiws__free(t);
}

const char *pkiws__tls_name(const pkiws__tls *t)
{
    return t ? t->name : "(none)";
}

int pkiws__tls_can_sign(const pkiws__tls *t)
{
    return t && t->m.sign != NULL;
}

int pkiws__tls_wants_key_pem(const pkiws__tls *t)
{
    return t && !t->builtin;
}

const pkiws_tls_methods *pkiws__tls_builtin_methods(void)
{
    return pkiws__tls_mbedtls_methods();
}

/* ---- parameters --------------------------------------------------------------------------- */

struct pkiws_tls_params {
    const pkiws__tls_config *cfg;
    const char *host; /* connection level only */
    int port;
};

struct pkiws__tls_config {
    pkiws__tls *tls;
    struct pkiws_tls_params params;
    uint8_t *cert, *key, *trust;
    size_t cert_len, key_len, trust_len;
    int key_external;
    pkiws__signer *signer; /* NULL: the table's sign hook */
    void *impl;
};

struct pkiws__tls_conn {
    pkiws__tls_config *cfg;
    struct pkiws_tls_params params;
    char *host;
    pkiws_tls_io *io;
    void *impl;
};

int pkiws__tls_params_int(const pkiws_tls_params *params, int item, int64_t *out)
{
    if (out)
        *out = 0;
    if (!params || !out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_tls_params_int: NULL %s",
                           params ? "out" : "params");
    switch (item) {
    case PKIWS_TLS_MIN_VERSION:
    case PKIWS_TLS_MAX_VERSION:
        *out = 0x0303;
        return PKIWS_OK;
    case PKIWS_TLS_PORT:
        *out = params->port;
        return PKIWS_OK;
    case PKIWS_TLS_KEY_EXTERNAL:
        *out = params->cfg->key_external;
        return PKIWS_OK;
    default:
        break;
    }
    if (item >= 10000 && item < 30000)
        return pkiws__fail(PKIWS_E_OPTION_TYPE, "TLS parameter %d is not an integer", item);
    return pkiws__fail(PKIWS_E_UNKNOWN_OPTION, "TLS parameter %d is unknown to this pkiws", item);
}

int pkiws__tls_params_str(const pkiws_tls_params *params, int item, const char **out)
{
    if (out)
        *out = NULL;
    if (!params || !out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_tls_params_str: NULL %s",
                           params ? "out" : "params");
    if (item == PKIWS_TLS_HOST) {
        *out = params->host;
        return PKIWS_OK;
    }
    if (item < 10000 || (item >= 20000 && item < 30000))
        return pkiws__fail(PKIWS_E_OPTION_TYPE, "TLS parameter %d is not a string", item);
    return pkiws__fail(PKIWS_E_UNKNOWN_OPTION, "TLS parameter %d is unknown to this pkiws", item);
}

int pkiws__tls_params_blob(const pkiws_tls_params *params, int item, const uint8_t **data,
                           size_t *len)
{
    if (data)
        *data = NULL;
    if (len)
        *len = 0;
    if (!params || !data || !len)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_tls_params_blob: NULL %s",
                           !params ? "params"
                           : !data ? "data"
                                   : "len");
    const pkiws__tls_config *c = params->cfg;
    switch (item) {
    case PKIWS_TLS_CLIENT_CERT_PEM:
        *data = c->cert;
        *len = c->cert_len;
        return PKIWS_OK;
    case PKIWS_TLS_CLIENT_KEY_PEM:
        *data = c->key;
        *len = c->key_len;
        return PKIWS_OK;
    case PKIWS_TLS_TRUST_PEM:
        *data = c->trust;
        *len = c->trust_len;
        return PKIWS_OK;
    default:
        break;
    }
    if (item < 20000)
        return pkiws__fail(PKIWS_E_OPTION_TYPE, "TLS parameter %d is not a blob", item);
    return pkiws__fail(PKIWS_E_UNKNOWN_OPTION, "TLS parameter %d is unknown to this pkiws", item);
}

int pkiws__tls_params_sign(const pkiws_tls_params *params, int alg, const uint8_t *hash,
                           size_t hash_len, uint8_t *sig, size_t cap, size_t *sig_len)
{
    if (sig_len)
        *sig_len = 0;
    if (!params || !hash || !sig || !sig_len)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_tls_params_sign: NULL %s",
                           !params ? "params"
                           : !hash ? "hash"
                           : !sig  ? "sig"
                                   : "sig_len");
    const pkiws__tls_config *c = params->cfg;
    if (!c->key_external)
        return pkiws__fail(PKIWS_E_STATE, "pkiws_tls_params_sign: the RA key is not external "
                                          "(it was given as PEM)");
    size_t want = pkiws__sign_alg_hash_len(alg);
    if (!want)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_tls_params_sign: unknown algorithm %d", alg);
    if (hash_len != want)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "pkiws_tls_params_sign: a hash of %zu bytes for algorithm %d, which "
                           "needs %zu",
                           hash_len, alg, want);
    const pkiws__tls *t = c->tls;
    /* the session's signer wins; the table's hook signs for a certificate-only signer */
    const char *who = c->signer ? "the RA signer" : "the sign hook";
    unsigned seq = tl_fail_seq;
    size_t n = 0;
    int rc = c->signer
                 ? PKIWS__HOOK(pkiws__signer_sign(c->signer, alg, hash, hash_len, sig, cap, &n))
                 : PKIWS__HOOK(t->m.sign(t->backend, alg, hash, hash_len, sig, cap, &n));
    if (rc == PKIWS_OK) {
        if (n == 0 || n > cap)
            return pkiws__fail(PKIWS_E_BACKEND,
                               "TLS backend '%s': %s returned a signature of %zu bytes (room "
                               "for %zu)",
                               t->name, who, n, cap);
        *sig_len = n;
        return PKIWS_OK;
    }
    if (!pkiws__backend_code_ok(rc) && rc != PKIWS_E_INVALID_ARG)
        return pkiws__fail(PKIWS_E_BACKEND,
                           "TLS backend '%s': %s returned %d, not a PKIWS_E_* code of a backend",
                           t->name, who, rc);
    if ((seq != tl_fail_seq || pkiws__signer_internal(c->signer)) && pkiws__err_code() == rc)
        rc = pkiws__fail_context(rc, "TLS backend '%s': signing with the RA key", t->name);
    else
        rc = pkiws__fail(rc, "TLS backend '%s': signing with the RA key failed (%s)", t->name,
                         pkiws__error_name(rc));
    tl_fail_seq++;
    return rc;
}

/* ---- dispatch ----------------------------------------------------------------------------- */

/* The result of a hook: io failures win (their message is precise), then what the backend
 * recorded, then a generic message. The built-in records its own messages. */
static int hook_result(const pkiws__tls *t, const pkiws_tls_io *io, unsigned io_seq,
                       unsigned fail_seq, int rc, const char *hook)
{
    if (rc == PKIWS_OK)
        return PKIWS_OK;
    if (io && io->fail_seq != io_seq && rc != PKIWS_E_NOMEM)
        return pkiws__tls_io_refail(io);
    if (!pkiws__backend_code_ok(rc))
        return pkiws__fail(PKIWS_E_BACKEND,
                           "TLS backend '%s': %s returned %d, not a PKIWS_E_* code of a backend",
                           t->name, hook, rc);
    if (fail_seq != tl_fail_seq && pkiws__err_code() == rc)
        return t->builtin ? rc : pkiws__fail_context(rc, "TLS backend '%s'", t->name);
    return pkiws__fail(rc, "TLS backend '%s': %s failed (%s: %s)", t->name, hook,
                       pkiws__error_name(rc), pkiws__error_text(rc));
}

void pkiws__tls_config_free(pkiws__tls_config *c)
{
    if (!c)
        return;
    if (c->impl)
        c->tls->m.config_free(c->impl);
    pkiws__free(c->cert);
    pkiws__free_secret(c->key, c->key_len);
    pkiws__free(c->trust);
    pkiws__signer_unref(c->signer);
    pkiws__tls_unref(c->tls);
    pkiws__free(c);
}

static uint8_t *dup_blob(const uint8_t *p, size_t n)
{
    return p ? pkiws__memdup(p, n) : NULL;
}

int pkiws__tls_config_new(pkiws__tls *t, const pkiws__tls_settings *s, pkiws__tls_config **out)
{
    return pkiws__tls_config_new_signer(t, s, NULL, out);
}

int pkiws__tls_config_new_signer(pkiws__tls *t, const pkiws__tls_settings *s, pkiws__signer *signer,
                                 pkiws__tls_config **out)
{
    *out = NULL;
    if (s->client_key_pem && !s->client_cert_pem)
        return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                  "an RA private key was given without the RA certificate");
    int external = s->client_cert_pem && !s->client_key_pem;
    if (external && !signer && !pkiws__tls_can_sign(t))
        return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                  "the RA certificate has no private key nor RA signer, and TLS "
                                  "backend '%s' has no sign hook to keep it elsewhere",
                                  t->name);
    pkiws__tls_config *c = pkiws__calloc(1, sizeof *c);
    if (!c)
        return PKIWS_E_NOMEM;
    c->tls = pkiws__tls_ref(t);
    c->params.cfg = c;
    c->key_external = external;
    c->signer = external ? pkiws__signer_ref(signer) : NULL;
    c->cert = dup_blob(s->client_cert_pem, s->client_cert_len);
    c->cert_len = c->cert ? s->client_cert_len : 0;
    c->key = dup_blob(s->client_key_pem, s->client_key_len);
    c->key_len = c->key ? s->client_key_len : 0;
    c->trust = dup_blob(s->trust_pem, s->trust_len);
    c->trust_len = c->trust ? s->trust_len : 0;
    if ((s->client_cert_pem && !c->cert) || (s->client_key_pem && !c->key) ||
        (s->trust_pem && !c->trust)) {
        pkiws__tls_config_free(c);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory copying the TLS credentials");
    }
    unsigned seq = tl_fail_seq;
    void *impl = NULL;
    int rc = hook_result(t, NULL, 0, seq,
                         PKIWS__HOOK(t->m.config_new(t->backend, &c->params, &impl)), "config_new");
    if (rc == PKIWS_OK && !impl)
        rc = pkiws__fail(PKIWS_E_BACKEND, "TLS backend '%s': config_new gave no configuration",
                         t->name);
    if (rc) {
        pkiws__tls_config_free(c);
        return rc;
    }
    c->impl = impl;
    *out = c;
    return PKIWS_OK;
}

void pkiws__tls_close(pkiws__tls_conn *c)
{
    if (!c)
        return;
    if (c->impl) {
        /* close_notify gets a short deadline of its own */
        pkiws__tls_io_set_deadline(c->io, pkiws__tls_now_ms() + 200, 200,
                                   "closing the connection to");
        c->cfg->tls->m.close(c->impl);
    }
    pkiws__free(c->host);
    pkiws__free(c);
}

int pkiws__tls_connect(pkiws__tls_config *cfg, const char *host, int port, pkiws_tls_io *io,
                       pkiws__tls_conn **out)
{
    *out = NULL;
    const pkiws__tls *t = cfg->tls;
    pkiws__tls_conn *c = pkiws__calloc(1, sizeof *c);
    if (!c)
        return PKIWS_E_NOMEM;
    c->cfg = cfg;
    c->io = io;
    c->host = pkiws__strdup(host);
    if (!c->host) {
        pkiws__free(c);
        return PKIWS_E_NOMEM;
    }
    c->params.cfg = cfg;
    c->params.host = c->host;
    c->params.port = port;
    unsigned seq = tl_fail_seq, io_seq = io->fail_seq;
    void *impl = NULL;
    int rc = hook_result(t, io, io_seq, seq,
                         PKIWS__HOOK(t->m.connect(cfg->impl, &c->params, io, &impl)), "connect");
    if (rc == PKIWS_OK && !impl)
        rc = pkiws__fail(PKIWS_E_BACKEND, "TLS backend '%s': connect gave no connection", t->name);
    if (rc) {
        pkiws__tls_close(c);
        return rc;
    }
    c->impl = impl;
    seq = tl_fail_seq;
    io_seq = io->fail_seq;
    rc = hook_result(t, io, io_seq, seq, PKIWS__HOOK(t->m.handshake(impl)), "the TLS handshake");
    if (rc) {
        pkiws__tls_close(c);
        return rc;
    }
    *out = c;
    return PKIWS_OK;
}

int pkiws__tls_read(pkiws__tls_conn *c, uint8_t *buf, size_t cap, size_t *n)
{
    *n = 0;
    const pkiws__tls *t = c->cfg->tls;
    unsigned seq = tl_fail_seq, io_seq = c->io->fail_seq;
    size_t got = 0;
    int rc =
        hook_result(t, c->io, io_seq, seq, PKIWS__HOOK(t->m.read(c->impl, buf, cap, &got)), "read");
    if (rc)
        return rc;
    if (got > cap)
        return pkiws__fail(PKIWS_E_BACKEND, "TLS backend '%s': read reported %zu bytes into %zu",
                           t->name, got, cap);
    *n = got;
    return PKIWS_OK;
}

int pkiws__tls_write_all(pkiws__tls_conn *c, const uint8_t *buf, size_t len)
{
    const pkiws__tls *t = c->cfg->tls;
    while (len) {
        unsigned seq = tl_fail_seq, io_seq = c->io->fail_seq;
        size_t n = 0;
        int rc = hook_result(t, c->io, io_seq, seq, PKIWS__HOOK(t->m.write(c->impl, buf, len, &n)),
                             "write");
        if (rc)
            return rc;
        if (n == 0 || n > len)
            return pkiws__fail(PKIWS_E_BACKEND,
                               "TLS backend '%s': write reported %zu bytes of %zu written", t->name,
                               n, len);
        buf += n;
        len -= n;
    }
    return PKIWS_OK;
}

int pkiws__tls_peer_chain(pkiws__tls_conn *c, pkiws_blob_cb cb, void *user_data)
{
    const pkiws__tls *t = c->cfg->tls;
    if (!t->m.peer_chain)
        return pkiws__fail(PKIWS_E_UNSUPPORTED,
                           "TLS backend '%s' cannot report the server's certificates", t->name);
    unsigned seq = tl_fail_seq;
    int rc = PKIWS__HOOK(t->m.peer_chain(c->impl, cb, user_data));
    if (rc == PKIWS_OK || rc == pkiws__err_code())
        return rc; /* a callback's own code passes through */
    return hook_result(t, NULL, 0, seq, rc, "peer_chain");
}
