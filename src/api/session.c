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

void pkiws__session_reset_client(pkiws_session *s)
{
    pthread_mutex_lock(&s->client_lock);
    if (s->client_ready)
        pkiws__client_dispose(&s->client);
    s->client_ready = 0;
    pthread_mutex_unlock(&s->client_lock);
}

static int make_client(pkiws_session *s)
{
    if (!s->ra)
        return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                  "failed to get client certificate: no RA credential is loaded "
                                  "(PKCS#12, PEM or store)");
    pkiws_buf base = PKIWS_BUF_INIT, cert = PKIWS_BUF_INIT, key = PKIWS_BUF_INIT;
    key.secret = 1;
    int rc = PKIWS_OK;
    if (s->base_url)
        pkiws__buf_puts(&base, s->base_url);
    else if (s->ca)
        pkiws__buf_printf(&base, "https://%s/pki-ws", s->ca);
    else
        rc = pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                "no CA is set: give the CA base service FQDN (e.g. "
                                "pki-ws.symauth.com) or a base URL");
    if (!rc)
        rc = pkiws__cert_pem(s->ra->cert, &cert);
    for (size_t i = 0; !rc && i < s->ra->chain.n; i++)
        rc = pkiws__cert_pem(s->ra->chain.v[i], &cert);
    if (!rc)
        rc = pkiws__key_pkcs8_pem(s->ra->key, &key);
    if (!rc)
        rc = pkiws__buf_status(&base);
    if (!rc) {
        pkiws__client_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.base_url = pkiws__buf_cstr(&base);
        cfg.http.client_cert_pem = cert.data;
        cfg.http.client_cert_len = cert.len;
        cfg.http.client_key_pem = key.data;
        cfg.http.client_key_len = key.len;
        cfg.http.trust_pem = s->trust_pem;
        cfg.http.trust_len = s->trust_len;
        cfg.http.proxy = s->proxy;
        cfg.http.connect_timeout_ms = s->connect_timeout_ms;
        cfg.http.timeout_ms = s->timeout_ms;
        cfg.http.max_response_bytes = (size_t)s->max_response_bytes;
        cfg.http.log = &s->log;
        cfg.methods = pkiws__http_curl_methods();
        cfg.native = s->transport == PKIWS_TRANSPORT_NATIVE;
        cfg.tls = s->tls;
        cfg.plugin = s->http_plugin;
        cfg.retries = (int)s->retries;
        cfg.backoff_ms = s->retry_backoff_ms;
        cfg.limits.max_bytes = (size_t)s->max_response_bytes;
        cfg.limits.max_depth = (unsigned)s->max_xml_depth;
        rc = pkiws__client_init(&s->client, &cfg);
    }
    pkiws__buf_dispose(&base);
    pkiws__buf_dispose(&cert);
    pkiws__buf_dispose(&key);
    if (!rc)
        s->client_ready = 1;
    return rc;
}

int pkiws__session_client(pkiws_session *s, pkiws__client **out)
{
    *out = NULL;
    pthread_mutex_lock(&s->client_lock);
    int rc = s->client_ready ? PKIWS_OK : make_client(s);
    pthread_mutex_unlock(&s->client_lock);
    if (!rc)
        *out = &s->client;
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
    s->connect_timeout_ms = 10000;
    s->timeout_ms = 60000;
    s->max_response_bytes = 4 << 20;
    s->max_xml_depth = 64;
    s->retries = 2;
    s->policy_cache_hours = 8;
    s->transport = PKIWS_HAVE_CURL ? PKIWS_TRANSPORT_CURL : PKIWS_TRANSPORT_NATIVE;
    s->retry_backoff_ms = 200;
    pthread_mutex_init(&s->client_lock, NULL);
    s->log.level = PKIWS_LOG_NONE;
    s->cfg.timeout_ms = -1;
    *out = s;
    return PKIWS_OK;
}

static void session_destroy(pkiws_session *s)
{
    s->magic = PKIWS__MAGIC_DEAD;
    pkiws__session_reset_client(s);
    pthread_mutex_destroy(&s->client_lock);
    pkiws__keypool_free(s->keypool);
    pkiws__http_plugin_unref(s->http_plugin);
    pkiws__tls_unref(s->tls);
    pkiws__free(s->ca);
    pkiws__free(s->base_url);
    pkiws__free(s->ca_name);
    pkiws__free(s->proxy);
    pkiws__free(s->trust_file);
    pkiws__free(s->trust_pem);
    pkiws__ra_free(s->ra);
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
    if (!s || s->magic != PKIWS__MAGIC_SESSION)
        return;
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
        id, offsetof(pkiws_session, field), min, max, #id                                          \
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
};

static int64_t *int_slot(pkiws_session *s, const struct int_opt *o)
{
    return (int64_t *)((char *)s + o->offset);
}

PKIWS_API int pkiws_session_set_int(pkiws_session *s, int option, int64_t value)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_int");
    if (rc)
        return rc;
    if (option >= 10000)
        return pkiws__fail(PKIWS_E_OPTION_TYPE,
                           "pkiws_session_set_int: option %d is not an integer option", option);
    if (option == PKIWS_SESSION_OPT_LOG_LEVEL) {
        if (value < PKIWS_LOG_NONE || value > PKIWS_LOG_TRACE)
            return pkiws__fail(PKIWS_E_INVALID_ARG, "log level %lld is outside 0..5",
                               (long long)value);
        s->log.level = (int)value;
        return PKIWS_OK;
    }
    if (option == PKIWS_SESSION_OPT_TRANSPORT && value == PKIWS_TRANSPORT_CURL && !PKIWS_HAVE_CURL)
        return pkiws__fail(PKIWS_E_UNSUPPORTED,
                           "the curl transport is not built into this library (built with "
                           "-Dcurl=disabled); use PKIWS_TRANSPORT_NATIVE");
    if (option == PKIWS_SESSION_OPT_KEY_POOL_SIZE) {
        if (value < 0 || value > 64)
            return pkiws__fail(PKIWS_E_INVALID_ARG, "KEY_POOL_SIZE %lld is outside 0..64",
                               (long long)value);
        pkiws__keypool *pool = NULL;
        if (value > 0 && (rc = pkiws__keypool_new((size_t)value, &pool)))
            return rc;
        pkiws__keypool_free(s->keypool);
        pkiws__http_plugin_unref(s->http_plugin);
        pkiws__tls_unref(s->tls);
        s->keypool = pool;
        s->key_pool_size = value;
        return PKIWS_OK;
    }
    if (option == PKIWS_SESSION_OPT_LOG_SENSITIVE) {
        if (value != 0 && value != 1)
            return pkiws__fail(PKIWS_E_INVALID_ARG, "LOG_SENSITIVE must be 0 or 1, not %lld",
                               (long long)value);
        s->log.sensitive = (int)value;
        return PKIWS_OK;
    }
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(session_int_opts); i++) {
        const struct int_opt *o = &session_int_opts[i];
        if (o->id != option)
            continue;
        if (value < o->min || value > o->max)
            return pkiws__fail(PKIWS_E_INVALID_ARG, "%s = %lld is outside %lld..%lld", o->name,
                               (long long)value, (long long)o->min, (long long)o->max);
        *int_slot(s, o) = value;
        pkiws__session_reset_client(s);
        return PKIWS_OK;
    }
    return pkiws__fail(PKIWS_E_UNKNOWN_OPTION, "pkiws_session_set_int: unknown option %d", option);
}

PKIWS_API int pkiws_session_get_int(const pkiws_session *s, int option, int64_t *out)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_get_int");
    if (rc)
        return rc;
    if (!out)
        return pkiws__arg_fail("pkiws_session_get_int", "out is NULL");
    *out = 0;
    if (option == PKIWS_SESSION_OPT_LOG_LEVEL) {
        *out = s->log.level;
        return PKIWS_OK;
    }
    if (option == PKIWS_SESSION_OPT_LOG_SENSITIVE) {
        *out = s->log.sensitive;
        return PKIWS_OK;
    }
    if (option == PKIWS_SESSION_OPT_KEY_POOL_SIZE) {
        *out = s->key_pool_size;
        return PKIWS_OK;
    }
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(session_int_opts); i++)
        if (session_int_opts[i].id == option) {
            *out = *int_slot((pkiws_session *)s, &session_int_opts[i]);
            return PKIWS_OK;
        }
    return pkiws__fail(option >= 10000 ? PKIWS_E_OPTION_TYPE : PKIWS_E_UNKNOWN_OPTION,
                       "pkiws_session_get_int: option %d is not an integer option", option);
}

static int replace_str(char **slot, const char *value)
{
    char *copy = NULL;
    if (value && !(copy = pkiws__strdup(value)))
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory");
    pkiws__free(*slot);
    *slot = copy;
    return PKIWS_OK;
}

static int set_trust_pem(pkiws_session *s, const uint8_t *pem, size_t len, const char *what)
{
    pkiws__certlist l = {0};
    int rc = pkiws__certs_parse_all(pem, len, &l);
    size_t n = l.n;
    pkiws__certlist_dispose(&l);
    if (rc == PKIWS_E_NOMEM)
        return rc;
    if (rc || n == 0)
        return pkiws__fail(PKIWS_E_CONFIG, "trust anchors %s hold no usable certificate%s%s", what,
                           rc ? ": " : "", rc ? pkiws__err_message() : "");
    uint8_t *copy = pkiws__memdup(pem, len);
    if (!copy)
        return PKIWS_E_NOMEM;
    pkiws__free(s->trust_pem);
    s->trust_pem = copy;
    s->trust_len = len;
    return PKIWS_OK;
}

PKIWS_API int pkiws_session_set_str(pkiws_session *s, int option, const char *value)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_str");
    if (rc)
        return rc;
    if (option < 10000 || option >= 20000)
        return pkiws__fail(option < 10000 ? PKIWS_E_OPTION_TYPE : PKIWS_E_OPTION_TYPE,
                           "pkiws_session_set_str: option %d is not a string option", option);
    if (value && !pkiws__utf8_valid(value, strlen(value), NULL))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "option %d: value is not valid UTF-8", option);
    pkiws_buf norm = PKIWS_BUF_INIT;
    pkiws__session_reset_client(s);
    switch (option) {
    case PKIWS_SESSION_OPT_CA:
        if (value && (rc = pkiws__check_ca_fqdn(value)))
            return rc;
        return replace_str(&s->ca, value);
    case PKIWS_SESSION_OPT_BASE_URL:
        if (value && (rc = pkiws__normalize_base_url(value, &norm))) {
            pkiws__buf_dispose(&norm);
            return rc;
        }
        rc = replace_str(&s->base_url, value ? pkiws__buf_cstr(&norm) : NULL);
        pkiws__buf_dispose(&norm);
        return rc;
    case PKIWS_SESSION_OPT_CA_NAME:
        if (value && (rc = pkiws__check_ca_name(value)))
            return rc;
        return replace_str(&s->ca_name, value);
    case PKIWS_SESSION_OPT_PROXY:
        if (value && (rc = pkiws__normalize_proxy(value, &norm))) {
            pkiws__buf_dispose(&norm);
            return rc;
        }
        rc = replace_str(&s->proxy, value ? pkiws__buf_cstr(&norm) : NULL);
        pkiws__buf_dispose(&norm);
        return rc;
    case PKIWS_SESSION_OPT_TRUST_FILE:
        if (!value) {
            replace_str(&s->trust_file, NULL);
            pkiws__free(s->trust_pem);
            s->trust_pem = NULL;
            s->trust_len = 0;
            return PKIWS_OK;
        }
        if ((rc = pkiws__file_read(value, 16u << 20, &norm)) == PKIWS_OK) {
            char what[600];
            snprintf(what, sizeof what, "file '%s'", value);
            rc = set_trust_pem(s, norm.data, norm.len, what);
        }
        pkiws__buf_dispose(&norm);
        return rc ? rc : replace_str(&s->trust_file, value);
    default:
        return pkiws__fail(PKIWS_E_UNKNOWN_OPTION, "pkiws_session_set_str: unknown option %d",
                           option);
    }
}

PKIWS_API int pkiws_session_get_str(const pkiws_session *s, int option, const char **out)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_get_str");
    if (rc)
        return rc;
    if (!out)
        return pkiws__arg_fail("pkiws_session_get_str", "out is NULL");
    switch (option) {
    case PKIWS_SESSION_OPT_CA:
        *out = s->ca;
        return PKIWS_OK;
    case PKIWS_SESSION_OPT_BASE_URL:
        *out = s->base_url;
        return PKIWS_OK;
    case PKIWS_SESSION_OPT_CA_NAME:
        *out = s->ca_name;
        return PKIWS_OK;
    case PKIWS_SESSION_OPT_PROXY:
        *out = s->proxy;
        return PKIWS_OK;
    case PKIWS_SESSION_OPT_TRUST_FILE:
        *out = s->trust_file;
        return PKIWS_OK;
    default:
        *out = NULL;
        return pkiws__fail(option < 10000 || option >= 20000 ? PKIWS_E_OPTION_TYPE
                                                             : PKIWS_E_UNKNOWN_OPTION,
                           "pkiws_session_get_str: option %d is not a string option", option);
    }
}

PKIWS_API int pkiws_session_set_blob(pkiws_session *s, int option, const void *data, size_t len)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_blob");
    if (rc)
        return rc;
    if (option < 20000 || option >= 30000)
        return pkiws__fail(PKIWS_E_OPTION_TYPE,
                           "pkiws_session_set_blob: option %d is not a blob option", option);
    if (option != PKIWS_SESSION_OPT_TRUST_PEM)
        return pkiws__fail(PKIWS_E_UNKNOWN_OPTION, "pkiws_session_set_blob: unknown option %d",
                           option);
    pkiws__session_reset_client(s);
    if (!data) {
        pkiws__free(s->trust_pem);
        s->trust_pem = NULL;
        s->trust_len = 0;
        return PKIWS_OK;
    }
    rc = set_trust_pem(s, data, len, "blob");
    if (!rc)
        replace_str(&s->trust_file, NULL);
    return rc;
}

PKIWS_API int pkiws_session_set_log_cb(pkiws_session *s, pkiws_log_cb cb, void *user_data)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_log_cb");
    if (rc)
        return rc;
    s->log.cb = cb;
    s->log.user_data = user_data;
    if (cb && s->log.level == PKIWS_LOG_NONE)
        s->log.level = PKIWS_LOG_WARN;
    return PKIWS_OK;
}

static int install_ra(pkiws_session *s, pkiws__ra *ra)
{
    pkiws__session_reset_client(s);
    pkiws__ra_free(s->ra);
    s->ra = ra;
    const pkiws__cert_info *ci = pkiws__cert_get_info(ra->cert);
    /* the RA certificate names the registration authority, not a person: not redacted */
    pkiws__log(&s->log, PKIWS_LOG_INFO, "core", NULL,
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
    return rc ? rc : install_ra(s, ra);
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
    return rc ? rc : install_ra(s, ra);
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
    return rc ? rc : install_ra(s, ra);
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
            rc = install_ra(s, ra);
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
    if (!thumbprint)
        thumbprint = s->cfg.thumbprint;
    if (!thumbprint)
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_THUMBPRINT,
                                  "pkiws_session_set_ra_store: no thumbprint given and none "
                                  "imported from a connector config (RACertThumbprint)");
    pkiws__ra *ra = NULL;
    rc = pkiws__ra_from_store(dir, thumbprint, password, now_epoch(), &ra);
    return rc ? rc : install_ra(s, ra);
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
    if (!s->ra)
        return pkiws__fail(PKIWS_E_STATE, "no RA credential is loaded in this session");
    *out = s->ra->thumbprint;
    return PKIWS_OK;
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
    if (cfg.timeout_ms > 0) {
        s->connect_timeout_ms = cfg.timeout_ms;
        if (s->timeout_ms < cfg.timeout_ms)
            s->timeout_ms = cfg.timeout_ms;
    }
    if (cfg.proxy && (rc = replace_str(&s->proxy, cfg.proxy))) {
        pkiws__connector_config_dispose(&cfg);
        return rc;
    }
    pkiws__connector_config_dispose(&s->cfg);
    s->cfg = cfg;
    return PKIWS_OK;
}

PKIWS_API size_t pkiws_session_config_count(const pkiws_session *s)
{
    return (s && s->magic == PKIWS__MAGIC_SESSION) ? s->cfg.n : 0;
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
    if (!s || s->magic != PKIWS__MAGIC_SESSION || !key)
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
    pkiws__session_reset_client(s);
    pkiws__http_plugin_unref(s->http_plugin);
    s->http_plugin = p;
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
    pkiws__session_reset_client(s);
    pkiws__tls_unref(s->tls);
    s->tls = t;
    return PKIWS_OK;
}
