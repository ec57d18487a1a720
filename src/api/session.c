/* SPDX-License-Identifier: MIT */
/* pkiws_session: settings, RA credential, connector config import. */
#include "pkiws_internal.h"

#include <stdio.h>
#include <time.h>

#include "api/api_int.h"
#include "core/settings.h"
#include "http/backends.h"

int64_t pkiws__now(void)
{
    return (int64_t)time(NULL);
}

#define now_epoch pkiws__now

/* ---- boxes ---- */

static pkiws__box *box_new(void *obj, void (*free_fn)(void *))
{
    pkiws__box *b = pkiws__calloc(1, sizeof *b);
    if (!b)
        return NULL;
    atomic_init(&b->refs, 1);
    b->obj = obj;
    b->free_fn = free_fn;
    return b;
}

static pkiws__box *box_ref(pkiws__box *b)
{
    if (b)
        atomic_fetch_add(&b->refs, 1);
    return b;
}

static void box_unref(pkiws__box *b)
{
    if (b && atomic_fetch_sub(&b->refs, 1) == 1) {
        b->free_fn(b->obj);
        pkiws__free(b);
    }
}

static void free_ra(void *ra)
{
    pkiws__ra_free(ra);
}

static void free_keypool(void *pool)
{
    pkiws__keypool_free(pool);
}

/* ---- settings ---- */

static void settings_dispose(pkiws__settings *t)
{
    box_unref(t->keypool);
    box_unref(t->ra);
    pkiws__http_plugin_unref(t->http_plugin);
    pkiws__tls_unref(t->tls);
    pkiws__free(t->ca);
    pkiws__free(t->base_url);
    pkiws__free(t->ca_name);
    pkiws__free(t->proxy);
    pkiws__free(t->trust_file);
    pkiws__free_secret(t->proxy_credentials, 0);
    pkiws__free(t->trust_pem);
    memset(t, 0, sizeof *t);
}

static int dup_str(char **dst, const char *src)
{
    *dst = NULL;
    return src && !(*dst = pkiws__strdup(src)) ? PKIWS_E_NOMEM : PKIWS_OK;
}

/* A deep copy: strings and trust anchors copied, shared objects referenced. */
static int settings_copy(pkiws__settings *d, const pkiws__settings *t)
{
    *d = *t;
    d->ca = d->base_url = d->ca_name = d->proxy = d->trust_file = d->proxy_credentials = NULL;
    d->trust_pem = NULL;
    box_ref(d->keypool);
    box_ref(d->ra);
    if (d->http_plugin)
        pkiws__http_plugin_ref(d->http_plugin);
    if (d->tls)
        pkiws__tls_ref(d->tls);
    int rc = dup_str(&d->ca, t->ca);
    if (!rc)
        rc = dup_str(&d->base_url, t->base_url);
    if (!rc)
        rc = dup_str(&d->ca_name, t->ca_name);
    if (!rc)
        rc = dup_str(&d->proxy, t->proxy);
    if (!rc)
        rc = dup_str(&d->trust_file, t->trust_file);
    if (!rc)
        rc = dup_str(&d->proxy_credentials, t->proxy_credentials);
    if (!rc && t->trust_pem && !(d->trust_pem = pkiws__memdup(t->trust_pem, t->trust_len)))
        rc = PKIWS_E_NOMEM;
    if (rc) {
        settings_dispose(d);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory copying the session settings");
    }
    return PKIWS_OK;
}

/* ---- snapshots ---- */

void pkiws__conf_release(pkiws__conf *c)
{
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    if (c->client_ready)
        pkiws__client_dispose(&c->client);
    pthread_mutex_destroy(&c->client_lock);
    settings_dispose(&c->set);
    pkiws__free(c);
}

int pkiws__session_acquire(pkiws_session *s, pkiws__conf **out)
{
    *out = NULL;
    int rc = PKIWS_OK;
    pthread_mutex_lock(&s->lock);
    if (!s->conf) {
        pkiws__conf *c = pkiws__calloc(1, sizeof *c);
        if (!c)
            rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory");
        else if ((rc = settings_copy(&c->set, &s->set)) != PKIWS_OK)
            pkiws__free(c);
        else {
            atomic_init(&c->refs, 1);
            pthread_mutex_init(&c->client_lock, NULL);
            s->conf = c;
        }
    }
    if (!rc) {
        atomic_fetch_add(&s->conf->refs, 1);
        *out = s->conf;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* Under s->lock: the settings changed; the next operation takes a new snapshot. Returns the
 * old one, to be released after the lock is dropped (operations still running keep it). */
static pkiws__conf *settings_changed(pkiws_session *s)
{
    pkiws__conf *old = s->conf;
    s->conf = NULL;
    return old;
}

int pkiws__conf_base_url(const pkiws__conf *c, pkiws_buf *out)
{
    if (c->set.base_url)
        pkiws__buf_puts(out, c->set.base_url);
    else if (c->set.ca)
        pkiws__buf_printf(out, "https://%s/pki-ws", c->set.ca);
    return pkiws__buf_status(out);
}

/* The remedy of a signer session on the libcurl transport. */
static const char remedy_signer_curl[] =
    "use the native transport (PKIWS_SESSION_OPT_TRANSPORT = PKIWS_TRANSPORT_NATIVE, CLI "
    "--transport native): libcurl's TLS library needs the RA key itself";

static int make_client(pkiws__conf *cf)
{
    const pkiws__settings *s = &cf->set;
    const pkiws__ra *ra = pkiws__conf_ra(cf);
    if (!ra)
        return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                  "failed to get client certificate: no RA credential is loaded "
                                  "(PKCS#12, PEM, store, signer or PKCS#11)");
    /* The RA key stays in its signer; only libcurl and host plug-ins (ABI 1, deprecated) get
     * it as PEM, and only when it is the built-in key. */
    const pkiws__key *builtin = pkiws__signer_builtin_key(ra->signer);
    int native = !s->http_plugin && s->transport == PKIWS_TRANSPORT_NATIVE;
    int curl = !s->http_plugin && !native;
    if (curl && !builtin)
        return pkiws__fail_remedy(PKIWS_E_UNSUPPORTED, remedy_signer_curl,
                                  "the RA key of %s is behind an RA signer, which the libcurl "
                                  "transport cannot use",
                                  ra->source);
    int want_pem = builtin && (!native || pkiws__tls_wants_key_pem(s->tls));
    if (!s->base_url && !s->ca)
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                  "no CA is set: give the CA base service FQDN (e.g. "
                                  "pki-ws.symauth.com) or a base URL");
    pkiws_buf base = PKIWS_BUF_INIT, cert = PKIWS_BUF_INIT, key = PKIWS_BUF_INIT;
    key.secret = 1;
    int rc = pkiws__conf_base_url(cf, &base);
    if (!rc)
        rc = pkiws__cert_pem(ra->cert, &cert);
    for (size_t i = 0; !rc && i < ra->chain.n; i++)
        rc = pkiws__cert_pem(ra->chain.v[i], &cert);
    if (!rc && want_pem)
        rc = pkiws__key_pkcs8_pem(builtin, &key);
    if (!rc) {
        pkiws__client_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.base_url = pkiws__buf_cstr(&base);
        cfg.http.client_cert_pem = cert.data;
        cfg.http.client_cert_len = cert.len;
        cfg.http.client_key_pem = want_pem ? key.data : NULL;
        cfg.http.client_key_len = want_pem ? key.len : 0;
        cfg.http.signer = ra->signer;
        cfg.http.trust_pem = s->trust_pem;
        cfg.http.trust_len = s->trust_len;
        cfg.http.proxy = s->proxy;
        cfg.http.proxy_credentials = s->proxy_credentials;
        cfg.http.connect_timeout_ms = s->connect_timeout_ms;
        cfg.http.timeout_ms = s->timeout_ms;
        cfg.http.max_response_bytes = (size_t)s->max_response_bytes;
        cfg.http.log = &s->log; /* the snapshot outlives its client */
        cfg.methods = pkiws__http_curl_methods();
        cfg.native = s->transport == PKIWS_TRANSPORT_NATIVE;
        cfg.tls = s->tls;
        cfg.plugin = s->http_plugin;
        cfg.retries = (int)s->retries;
        cfg.backoff_ms = s->retry_backoff_ms;
        cfg.limits.max_bytes = (size_t)s->max_response_bytes;
        cfg.limits.max_depth = (unsigned)s->max_xml_depth;
        rc = pkiws__client_init(&cf->client, &cfg);
    }
    pkiws__buf_dispose(&base);
    pkiws__buf_dispose(&cert);
    pkiws__buf_dispose(&key);
    return rc;
}

int pkiws__conf_client(pkiws__conf *c, pkiws__client **out)
{
    *out = NULL;
    pthread_mutex_lock(&c->client_lock);
    int rc = PKIWS_OK;
    if (!c->client_ready && (rc = make_client(c)) == PKIWS_OK)
        c->client_ready = 1;
    pthread_mutex_unlock(&c->client_lock);
    if (!rc)
        *out = &c->client;
    return rc;
}

PKIWS_API int pkiws_session_new(pkiws_session **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_session_new", "out is NULL");
    *out = NULL;
    pkiws_session *s = pkiws__calloc(1, sizeof *s);
    if (!s)
        return pkiws__fail(PKIWS_E_NOMEM, "pkiws_session_new: out of memory");
    s->magic = PKIWS__MAGIC_SESSION;
    atomic_init(&s->refs, 1);
    pkiws__settings *t = &s->set;
    t->connect_timeout_ms = 10000;
    t->timeout_ms = 60000;
    t->max_response_bytes = 4 << 20;
    t->max_xml_depth = 64;
    t->retries = 2;
    t->policy_cache_hours = 8;
    t->transport = PKIWS_HAVE_CURL ? PKIWS_TRANSPORT_CURL : PKIWS_TRANSPORT_NATIVE;
    t->retry_backoff_ms = 200;
    t->bulk_chunk = 100;
    t->log.level = PKIWS_LOG_NONE;
    s->cfg.timeout_ms = -1;
    pthread_mutex_init(&s->lock, NULL);
    int rc = pkiws__handle_add(s, PKIWS__MAGIC_SESSION);
    if (rc) {
        pthread_mutex_destroy(&s->lock);
        pkiws__free(s);
        return rc;
    }
    *out = s;
    return PKIWS_OK;
}

static void session_destroy(pkiws_session *s)
{
    s->magic = PKIWS__MAGIC_DEAD;
    pkiws__conf_release(s->conf);
    settings_dispose(&s->set);
    pthread_mutex_destroy(&s->lock);
    pkiws__connector_config_dispose(&s->cfg);
    pkiws__free(s);
}

void pkiws__session_unref(pkiws_session *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1)
        session_destroy(s);
}

PKIWS_API void pkiws_session_free(pkiws_session *s)
{
    /* Dead for the caller at once; the memory goes with the last profile made from it. */
    if (pkiws__handle_release(s, PKIWS__MAGIC_SESSION))
        pkiws__session_unref(s);
}

struct int_opt {
    int id;
    size_t offset;
    int64_t min, max;
    const char *name;
};

#define SOPT(id, field, min, max)                                                                  \
    {                                                                                              \
        id, offsetof(pkiws__settings, field), min, max, #id                                        \
    }
static const struct int_opt session_int_opts[] = {
    SOPT(PKIWS_SESSION_OPT_CONNECT_TIMEOUT_MS, connect_timeout_ms, 1, 3600000),
    SOPT(PKIWS_SESSION_OPT_TIMEOUT_MS, timeout_ms, 1, 86400000),
    SOPT(PKIWS_SESSION_OPT_MAX_RESPONSE_BYTES, max_response_bytes, 4096, INT64_C(1) << 30),
    SOPT(PKIWS_SESSION_OPT_MAX_XML_DEPTH, max_xml_depth, 8, 1024),
    SOPT(PKIWS_SESSION_OPT_RETRIES, retries, 0, 10),
    SOPT(PKIWS_SESSION_OPT_POLICY_CACHE_HOURS, policy_cache_hours, 0, 8760),
    SOPT(PKIWS_SESSION_OPT_TRANSPORT, transport, PKIWS_TRANSPORT_CURL, PKIWS_TRANSPORT_NATIVE),
    SOPT(PKIWS_SESSION_OPT_RETRY_BACKOFF_MS, retry_backoff_ms, 0, 60000),
    SOPT(PKIWS_SESSION_OPT_KEY_POOL_SIZE, key_pool_size, 0, PKIWS__KEYPOOL_MAX),
    SOPT(PKIWS_SESSION_OPT_BULK_CHUNK, bulk_chunk, 1, 100),
};

/* PKIWS_SESSION_OPT_KEY_POOL_PREFILL: not a setting but an action on the current pool, which
 * keeps the type (a new pool made by a new size is filled with it again). Blocks until the
 * pool is full, without the session's lock: issuances go on meanwhile. */
static int set_prefill(pkiws_session *s, int64_t value)
{
    if (value < 0 || value > PKIWS_KEY_EC_P384)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "PKIWS_SESSION_OPT_KEY_POOL_PREFILL = %lld is not 0 or a PKIWS_KEY_* "
                           "type",
                           (long long)value);
    pthread_mutex_lock(&s->lock);
    pkiws__box *pool = box_ref(s->set.keypool);
    pthread_mutex_unlock(&s->lock);
    int rc = PKIWS_OK;
    if (!pool && value)
        rc = pkiws__fail(PKIWS_E_STATE, "the session has no key pool to fill");
    else if (value)
        rc = pkiws__keypool_prefill(pool->obj, (int)value);
    box_unref(pool);
    return rc;
}

static int64_t get_prefill(pkiws_session *s)
{
    pthread_mutex_lock(&s->lock);
    pkiws__box *pool = box_ref(s->set.keypool);
    pthread_mutex_unlock(&s->lock);
    int64_t t = pool ? pkiws__keypool_prefill_type(pool->obj) : 0;
    box_unref(pool);
    return t;
}

static int64_t *int_slot(pkiws__settings *t, const struct int_opt *o)
{
    return (int64_t *)((char *)t + o->offset);
}

/* The option-kind ranges of enum pkiws_session_opt. */
enum { KIND_INT, KIND_STR, KIND_BLOB, KIND_NONE };
static int option_kind(int option)
{
    return option < 0       ? KIND_NONE
           : option < 10000 ? KIND_INT
           : option < 20000 ? KIND_STR
           : option < 30000 ? KIND_BLOB
                            : KIND_NONE;
}

/* The answer for an option id that this setter/getter does not take. */
static int wrong_option(const char *fn, int option, int kind, const char *what)
{
    int k = option_kind(option);
    if (k == kind || k == KIND_NONE)
        return pkiws__fail(PKIWS_E_UNKNOWN_OPTION, "%s: unknown option %d", fn, option);
    return pkiws__fail(PKIWS_E_OPTION_TYPE, "%s: option %d is not %s option", fn, option, what);
}

PKIWS_API int pkiws_session_set_int(pkiws_session *s, int option, int64_t value)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_int");
    if (rc)
        return rc;
    if (option == PKIWS_SESSION_OPT_KEY_POOL_PREFILL)
        return set_prefill(s, value);
    if (option == PKIWS_SESSION_OPT_LOG_LEVEL) {
        if (value < PKIWS_LOG_NONE || value > PKIWS_LOG_TRACE)
            return pkiws__fail(PKIWS_E_INVALID_ARG, "log level %lld is outside 0..5",
                               (long long)value);
    } else if (option == PKIWS_SESSION_OPT_LOG_SENSITIVE) {
        if (value != 0 && value != 1)
            return pkiws__fail(PKIWS_E_INVALID_ARG, "LOG_SENSITIVE must be 0 or 1, not %lld",
                               (long long)value);
    } else if (option == PKIWS_SESSION_OPT_TRANSPORT && value == PKIWS_TRANSPORT_CURL &&
               !PKIWS_HAVE_CURL) {
        return pkiws__fail(PKIWS_E_UNSUPPORTED,
                           "the curl transport is not built into this library (built with "
                           "-Dcurl=disabled); use PKIWS_TRANSPORT_NATIVE");
    }
    const struct int_opt *o = NULL;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(session_int_opts); i++)
        if (session_int_opts[i].id == option)
            o = &session_int_opts[i];
    if (!o && option != PKIWS_SESSION_OPT_LOG_LEVEL && option != PKIWS_SESSION_OPT_LOG_SENSITIVE)
        return wrong_option("pkiws_session_set_int", option, KIND_INT, "an integer");
    if (o && (value < o->min || value > o->max))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s = %lld is outside %lld..%lld", o->name,
                           (long long)value, (long long)o->min, (long long)o->max);
    pkiws__box *pool = NULL;
    if (option == PKIWS_SESSION_OPT_KEY_POOL_SIZE && value > 0) {
        pkiws__keypool *kp = NULL;
        if ((rc = pkiws__keypool_new((size_t)value, &kp)))
            return rc;
        if (!(pool = box_new(kp, free_keypool))) {
            pkiws__keypool_free(kp);
            return pkiws__fail(PKIWS_E_NOMEM, "out of memory");
        }
        int prefill = (int)get_prefill(s); /* the new pool is filled before it is used */
        if (prefill && (rc = pkiws__keypool_prefill(kp, prefill)) != PKIWS_OK) {
            box_unref(pool);
            return rc;
        }
    }
    pthread_mutex_lock(&s->lock);
    pkiws__box *old_pool = NULL;
    if (option == PKIWS_SESSION_OPT_LOG_LEVEL)
        s->set.log.level = (int)value;
    else if (option == PKIWS_SESSION_OPT_LOG_SENSITIVE)
        s->set.log.sensitive = (int)value;
    else
        *int_slot(&s->set, o) = value;
    if (option == PKIWS_SESSION_OPT_KEY_POOL_SIZE) {
        old_pool = s->set.keypool;
        s->set.keypool = pool;
    }
    pkiws__conf *old = settings_changed(s);
    pthread_mutex_unlock(&s->lock);
    pkiws__conf_release(old);
    box_unref(old_pool); /* a running issuance may still hold it through its snapshot */
    return PKIWS_OK;
}

PKIWS_API int pkiws_session_get_int(const pkiws_session *cs, int option, int64_t *out)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(cs, "pkiws_session_get_int");
    if (rc)
        return rc;
    if (!out)
        return pkiws__arg_fail("pkiws_session_get_int", "out is NULL");
    *out = 0;
    pkiws_session *s = (pkiws_session *)cs;
    if (option == PKIWS_SESSION_OPT_KEY_POOL_PREFILL) {
        *out = get_prefill(s);
        return PKIWS_OK;
    }
    const struct int_opt *o = NULL;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(session_int_opts); i++)
        if (session_int_opts[i].id == option)
            o = &session_int_opts[i];
    if (!o && option != PKIWS_SESSION_OPT_LOG_LEVEL && option != PKIWS_SESSION_OPT_LOG_SENSITIVE)
        return wrong_option("pkiws_session_get_int", option, KIND_INT, "an integer");
    pthread_mutex_lock(&s->lock);
    *out = option == PKIWS_SESSION_OPT_LOG_LEVEL       ? s->set.log.level
           : option == PKIWS_SESSION_OPT_LOG_SENSITIVE ? s->set.log.sensitive
                                                       : *int_slot(&s->set, o);
    pthread_mutex_unlock(&s->lock);
    return PKIWS_OK;
}

/* Replace a string setting under the lock (value already validated and copied). */
static void swap_str(char **slot, char *copy, int secret)
{
    if (secret)
        pkiws__free_secret(*slot, 0);
    else
        pkiws__free(*slot);
    *slot = copy;
}

/* Trust anchors checked (outside the lock): a copy of the PEM in *copy. */
static int check_trust_pem(const uint8_t *pem, size_t len, const char *what, uint8_t **copy)
{
    *copy = NULL;
    pkiws__certlist l = {0};
    int rc = pkiws__certs_parse_all(pem, len, &l);
    size_t n = l.n;
    pkiws__certlist_dispose(&l);
    if (rc == PKIWS_E_NOMEM)
        return rc;
    if (rc || n == 0)
        return pkiws__fail(PKIWS_E_CONFIG, "trust anchors %s hold no usable certificate%s%s", what,
                           rc ? ": " : "", rc ? pkiws__err_message() : "");
    if (!(*copy = pkiws__memdup(pem, len)))
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory");
    return PKIWS_OK;
}

/* Validate and normalise a string option into a new copy (NULL value: NULL copy). */
static int prepare_str(int option, const char *value, char **copy, uint8_t **trust, size_t *tlen)
{
    *copy = NULL;
    *trust = NULL;
    *tlen = 0;
    if (!value)
        return PKIWS_OK;
    pkiws_buf norm = PKIWS_BUF_INIT;
    int rc = PKIWS_OK;
    switch (option) {
    case PKIWS_SESSION_OPT_CA:
        rc = pkiws__check_ca_fqdn(value);
        break;
    case PKIWS_SESSION_OPT_BASE_URL:
        if (!(rc = pkiws__normalize_base_url(value, &norm)))
            value = pkiws__buf_cstr(&norm);
        break;
    case PKIWS_SESSION_OPT_CA_NAME:
        rc = pkiws__check_ca_name(value);
        break;
    case PKIWS_SESSION_OPT_PROXY:
        if (!(rc = pkiws__normalize_proxy(value, &norm)))
            value = pkiws__buf_cstr(&norm);
        break;
    case PKIWS_SESSION_OPT_PROXY_CREDENTIALS:
        /* never echoed: the message says what is wrong, not what was given */
        if (!*value || !strchr(value, ':'))
            rc = pkiws__fail(PKIWS_E_CONFIG, "PKIWS_SESSION_OPT_PROXY_CREDENTIALS must be "
                                             "\"user:password\" (no ':' found)");
        else if (strpbrk(value, "\r\n"))
            rc = pkiws__fail(PKIWS_E_CONFIG,
                             "PKIWS_SESSION_OPT_PROXY_CREDENTIALS holds a line break");
        break;
    case PKIWS_SESSION_OPT_TRUST_FILE:
        if ((rc = pkiws__file_read(value, 16u << 20, &norm)) == PKIWS_OK) {
            char what[600];
            snprintf(what, sizeof what, "file '%s'", value);
            rc = check_trust_pem(norm.data, norm.len, what, trust);
            *tlen = norm.len;
        }
        break;
    default:
        break;
    }
    if (!rc && !(*copy = pkiws__strdup(value)))
        rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory");
    if (rc) {
        pkiws__free(*trust);
        *trust = NULL;
    }
    pkiws__buf_dispose(&norm);
    return rc;
}

PKIWS_API int pkiws_session_set_str(pkiws_session *s, int option, const char *value)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_str");
    if (rc)
        return rc;
    switch (option) {
    case PKIWS_SESSION_OPT_CA:
    case PKIWS_SESSION_OPT_BASE_URL:
    case PKIWS_SESSION_OPT_CA_NAME:
    case PKIWS_SESSION_OPT_PROXY:
    case PKIWS_SESSION_OPT_TRUST_FILE:
    case PKIWS_SESSION_OPT_PROXY_CREDENTIALS:
        break;
    default:
        return wrong_option("pkiws_session_set_str", option, KIND_STR, "a string");
    }
    if (value && !pkiws__utf8_valid(value, strlen(value), NULL))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "option %d: value is not valid UTF-8", option);
    char *copy;
    uint8_t *trust;
    size_t tlen;
    if ((rc = prepare_str(option, value, &copy, &trust, &tlen)))
        return rc;
    pthread_mutex_lock(&s->lock);
    pkiws__settings *t = &s->set;
    switch (option) {
    case PKIWS_SESSION_OPT_CA:
        swap_str(&t->ca, copy, 0);
        break;
    case PKIWS_SESSION_OPT_BASE_URL:
        swap_str(&t->base_url, copy, 0);
        break;
    case PKIWS_SESSION_OPT_CA_NAME:
        swap_str(&t->ca_name, copy, 0);
        break;
    case PKIWS_SESSION_OPT_PROXY:
        swap_str(&t->proxy, copy, 0);
        break;
    case PKIWS_SESSION_OPT_PROXY_CREDENTIALS:
        swap_str(&t->proxy_credentials, copy, 1);
        break;
    case PKIWS_SESSION_OPT_TRUST_FILE:
        swap_str(&t->trust_file, copy, 0);
        pkiws__free(t->trust_pem);
        t->trust_pem = trust;
        t->trust_len = tlen;
        break;
    }
    pkiws__conf *old = settings_changed(s);
    pthread_mutex_unlock(&s->lock);
    pkiws__conf_release(old);
    return PKIWS_OK;
}

PKIWS_API int pkiws_session_get_str(const pkiws_session *cs, int option, const char **out)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(cs, "pkiws_session_get_str");
    if (rc)
        return rc;
    if (!out)
        return pkiws__arg_fail("pkiws_session_get_str", "out is NULL");
    *out = NULL;
    pkiws_session *s = (pkiws_session *)cs;
    pthread_mutex_lock(&s->lock);
    switch (option) {
    case PKIWS_SESSION_OPT_CA:
        *out = s->set.ca;
        break;
    case PKIWS_SESSION_OPT_BASE_URL:
        *out = s->set.base_url;
        break;
    case PKIWS_SESSION_OPT_CA_NAME:
        *out = s->set.ca_name;
        break;
    case PKIWS_SESSION_OPT_PROXY:
        *out = s->set.proxy;
        break;
    case PKIWS_SESSION_OPT_TRUST_FILE:
        *out = s->set.trust_file;
        break;
    case PKIWS_SESSION_OPT_PROXY_CREDENTIALS:
        rc = pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_session_get_str: the proxy credentials "
                                              "are a secret and cannot be read back");
        break;
    default:
        rc = wrong_option("pkiws_session_get_str", option, KIND_STR, "a string");
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

PKIWS_API int pkiws_session_set_blob(pkiws_session *s, int option, const void *data, size_t len)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_blob");
    if (rc)
        return rc;
    if (option != PKIWS_SESSION_OPT_TRUST_PEM)
        return wrong_option("pkiws_session_set_blob", option, KIND_BLOB, "a blob");
    uint8_t *copy = NULL;
    if (data && (rc = check_trust_pem(data, len, "blob", &copy)))
        return rc;
    pthread_mutex_lock(&s->lock);
    pkiws__free(s->set.trust_pem);
    s->set.trust_pem = copy;
    s->set.trust_len = copy ? len : 0;
    swap_str(&s->set.trust_file, NULL, 0);
    pkiws__conf *old = settings_changed(s);
    pthread_mutex_unlock(&s->lock);
    pkiws__conf_release(old);
    return PKIWS_OK;
}

PKIWS_API int pkiws_session_set_log_cb(pkiws_session *s, pkiws_log_cb cb, void *user_data)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_log_cb");
    if (rc)
        return rc;
    pthread_mutex_lock(&s->lock);
    s->set.log.cb = cb;
    s->set.log.user_data = user_data;
    if (cb && s->set.log.level == PKIWS_LOG_NONE)
        s->set.log.level = PKIWS_LOG_WARN;
    pkiws__conf *old = settings_changed(s);
    pthread_mutex_unlock(&s->lock);
    pkiws__conf_release(old);
    return PKIWS_OK;
}

PKIWS_API int pkiws_session_set_progress_cb(pkiws_session *s, pkiws_progress_cb cb, void *user_data)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_progress_cb");
    if (rc)
        return rc;
    pthread_mutex_lock(&s->lock);
    s->set.progress = cb;
    s->set.progress_data = user_data;
    pkiws__conf *old = settings_changed(s);
    pthread_mutex_unlock(&s->lock);
    pkiws__conf_release(old);
    return PKIWS_OK;
}

int pkiws__session_install_ra(pkiws_session *s, pkiws__ra *ra)
{
    pkiws__box *b = box_new(ra, free_ra);
    if (!b) {
        pkiws__ra_free(ra);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory");
    }
    pthread_mutex_lock(&s->lock);
    pkiws__box *prev = s->set.ra;
    s->set.ra = b;
    pkiws__logger lg = s->set.log;
    pkiws__conf *old = settings_changed(s);
    pthread_mutex_unlock(&s->lock);
    pkiws__conf_release(old);
    box_unref(prev);
    const pkiws__cert_info *ci = pkiws__cert_get_info(ra->cert);
    /* the RA certificate names the registration authority, not a person: not redacted */
    pkiws__log(&lg, PKIWS_LOG_INFO, "core", NULL,
               "RA credential loaded from %s: %s, thumbprint %s, %lld days left", ra->source,
               ci->subject, ra->thumbprint, (long long)pkiws__ra_days_left(ra, now_epoch()));
    return PKIWS_OK;
}

PKIWS_API int pkiws_session_set_ra_pkcs12(pkiws_session *s, const void *der, size_t len,
                                          const char *password)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_ra_pkcs12");
    if (rc)
        return rc;
    if (!der || !len)
        return pkiws__arg_fail("pkiws_session_set_ra_pkcs12", "no PKCS#12 data");
    pkiws__ra *ra = NULL;
    rc = pkiws__ra_from_pkcs12(der, len, password ? password : "", "PKCS#12 buffer", now_epoch(),
                               &ra);
    return rc ? rc : pkiws__session_install_ra(s, ra);
}

PKIWS_API int pkiws_session_set_ra_pkcs12_file(pkiws_session *s, const char *path,
                                               const char *password)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_ra_pkcs12_file");
    if (rc)
        return rc;
    if (!path)
        return pkiws__arg_fail("pkiws_session_set_ra_pkcs12_file", "path is NULL");
    pkiws_buf data = PKIWS_BUF_INIT;
    rc = pkiws__file_read(path, 1u << 20, &data);
    if (rc) {
        pkiws__buf_dispose(&data);
        return pkiws__fail_context(PKIWS_E_RA_CREDENTIAL, "failed to get client certificate");
    }
    char source[600];
    snprintf(source, sizeof source, "file '%s'", path);
    pkiws__ra *ra = NULL;
    rc = pkiws__ra_from_pkcs12(data.data, data.len, password ? password : "", source, now_epoch(),
                               &ra);
    pkiws__buf_dispose(&data);
    return rc ? rc : pkiws__session_install_ra(s, ra);
}

PKIWS_API int pkiws_session_set_ra_pem(pkiws_session *s, const char *cert_pem, size_t cert_len,
                                       const char *key_pem, size_t key_len,
                                       const char *key_password)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_ra_pem");
    if (rc)
        return rc;
    if (!cert_pem || !key_pem)
        return pkiws__arg_fail("pkiws_session_set_ra_pem", "certificate or key is NULL");
    pkiws__ra *ra = NULL;
    rc = pkiws__ra_from_pem((const uint8_t *)cert_pem, cert_len, (const uint8_t *)key_pem, key_len,
                            key_password, "PEM buffers", now_epoch(), &ra);
    return rc ? rc : pkiws__session_install_ra(s, ra);
}

PKIWS_API int pkiws_session_set_ra_pem_files(pkiws_session *s, const char *cert_path,
                                             const char *key_path, const char *key_password)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_ra_pem_files");
    if (rc)
        return rc;
    if (!cert_path || !key_path)
        return pkiws__arg_fail("pkiws_session_set_ra_pem_files", "a path is NULL");
    pkiws_buf cert = PKIWS_BUF_INIT, key = PKIWS_BUF_INIT;
    key.secret = 1;
    rc = pkiws__file_read(cert_path, 1u << 20, &cert);
    if (!rc)
        rc = pkiws__file_read(key_path, 1u << 20, &key);
    if (rc) {
        rc = pkiws__fail_context(PKIWS_E_RA_CREDENTIAL, "failed to get client certificate");
    } else {
        char source[1200];
        snprintf(source, sizeof source, "files '%s' and '%s'", cert_path, key_path);
        pkiws__ra *ra = NULL;
        rc = pkiws__ra_from_pem(cert.data, cert.len, key.data, key.len, key_password, source,
                                now_epoch(), &ra);
        if (!rc)
            rc = pkiws__session_install_ra(s, ra);
    }
    pkiws__buf_dispose(&cert);
    pkiws__buf_dispose(&key);
    return rc;
}

PKIWS_API int pkiws_session_set_ra_store(pkiws_session *s, const char *dir, const char *thumbprint,
                                         const char *password)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_ra_store");
    if (rc)
        return rc;
    if (!dir)
        return pkiws__arg_fail("pkiws_session_set_ra_store", "dir is NULL");
    char *imported = NULL;
    if (!thumbprint) {
        pthread_mutex_lock(&s->lock);
        if (s->cfg.thumbprint)
            imported = pkiws__strdup(s->cfg.thumbprint);
        int had = s->cfg.thumbprint != NULL;
        pthread_mutex_unlock(&s->lock);
        if (had && !imported)
            return pkiws__fail(PKIWS_E_NOMEM, "out of memory");
        thumbprint = imported;
    }
    if (!thumbprint)
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_THUMBPRINT,
                                  "pkiws_session_set_ra_store: no thumbprint given and none "
                                  "imported from a connector config (RACertThumbprint)");
    pkiws__ra *ra = NULL;
    rc = pkiws__ra_from_store(dir, thumbprint, password, now_epoch(), &ra);
    pkiws__free(imported);
    return rc ? rc : pkiws__session_install_ra(s, ra);
}

PKIWS_API int pkiws_session_ra_thumbprint(const pkiws_session *s, const char **out)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_ra_thumbprint");
    if (rc)
        return rc;
    if (!out)
        return pkiws__arg_fail("pkiws_session_ra_thumbprint", "out is NULL");
    *out = NULL;
    pkiws_session *ms = (pkiws_session *)s;
    pthread_mutex_lock(&ms->lock);
    const pkiws__ra *ra = ms->set.ra ? ms->set.ra->obj : NULL;
    if (ra)
        *out = ra->thumbprint; /* valid until the RA credential is replaced */
    pthread_mutex_unlock(&ms->lock);
    return ra ? PKIWS_OK : pkiws__fail(PKIWS_E_STATE, "no RA credential is loaded in this session");
}

PKIWS_API int pkiws_session_load_connector_config(pkiws_session *s, const char *path)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_load_connector_config");
    if (rc)
        return rc;
    if (!path)
        return pkiws__arg_fail("pkiws_session_load_connector_config", "path is NULL");
    pkiws_buf data = PKIWS_BUF_INIT;
    rc = pkiws__file_read(path, 1u << 20, &data);
    pkiws__connector_config cfg;
    if (!rc)
        rc = pkiws__connector_config_parse((const char *)data.data, data.len, path, &cfg);
    pkiws__buf_dispose(&data);
    if (rc)
        return rc;
    char *proxy = NULL;
    if (cfg.proxy && !(proxy = pkiws__strdup(cfg.proxy))) {
        pkiws__connector_config_dispose(&cfg);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory");
    }
    pthread_mutex_lock(&s->lock);
    if (cfg.timeout_ms > 0) {
        s->set.connect_timeout_ms = cfg.timeout_ms;
        if (s->set.timeout_ms < cfg.timeout_ms)
            s->set.timeout_ms = cfg.timeout_ms;
    }
    if (proxy)
        swap_str(&s->set.proxy, proxy, 0);
    pkiws__connector_config_dispose(&s->cfg);
    s->cfg = cfg;
    pkiws__conf *old = settings_changed(s);
    pthread_mutex_unlock(&s->lock);
    pkiws__conf_release(old);
    return PKIWS_OK;
}

PKIWS_API size_t pkiws_session_config_count(const pkiws_session *s)
{
    if (!s || pkiws__check_session(s, "pkiws_session_config_count"))
        return 0;
    pkiws_session *ms = (pkiws_session *)s;
    pthread_mutex_lock(&ms->lock);
    size_t n = ms->cfg.n;
    pthread_mutex_unlock(&ms->lock);
    return n;
}

PKIWS_API int pkiws_session_config_entry(const pkiws_session *s, size_t index, const char **key,
                                         const char **value)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_config_entry");
    if (rc)
        return rc;
    if (index >= s->cfg.n)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "pkiws_session_config_entry: index %zu, %zu settings were read", index,
                           s->cfg.n);
    if (key)
        *key = s->cfg.keys[index];
    if (value) {
        *value = s->cfg.values[index];
        if (pkiws__strcaseeq(s->cfg.keys[index], "RACertThumbprint") && s->cfg.thumbprint)
            *value = s->cfg.thumbprint;
    }
    return PKIWS_OK;
}

PKIWS_API const char *pkiws_session_config_value(const pkiws_session *s, const char *key)
{
    if (!key || pkiws__check_session(s, "pkiws_session_config_value"))
        return NULL;
    if (pkiws__strcaseeq(key, "RACertThumbprint") && s->cfg.thumbprint)
        return s->cfg.thumbprint;
    return pkiws__connector_config_get(&s->cfg, key);
}

PKIWS_API int pkiws_session_set_http_backend(pkiws_session *s, const pkiws_http_methods *methods,
                                             void *backend, void (*backend_free)(void *backend))
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_http_backend");
    if (rc)
        return rc;
    pkiws__http_plugin *p = NULL;
    if (methods && (rc = pkiws__http_plugin_new(methods, backend, backend_free, &p)))
        return rc;
    pthread_mutex_lock(&s->lock);
    pkiws__http_plugin *prev = s->set.http_plugin;
    s->set.http_plugin = p;
    pkiws__conf *old = settings_changed(s);
    pthread_mutex_unlock(&s->lock);
    pkiws__conf_release(old);
    pkiws__http_plugin_unref(prev);
    return PKIWS_OK;
}

PKIWS_API int pkiws_session_set_tls_backend(pkiws_session *s, const pkiws_tls_methods *methods,
                                            void *backend, void (*backend_free)(void *backend))
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_tls_backend");
    if (rc)
        return rc;
    pkiws__tls *t = NULL;
    if (methods && (rc = pkiws__tls_new(methods, backend, backend_free, &t)))
        return rc;
    pthread_mutex_lock(&s->lock);
    pkiws__tls *prev = s->set.tls;
    s->set.tls = t;
    pkiws__conf *old = settings_changed(s);
    pthread_mutex_unlock(&s->lock);
    pkiws__conf_release(old);
    pkiws__tls_unref(prev);
    return PKIWS_OK;
}
