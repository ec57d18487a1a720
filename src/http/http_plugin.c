/* SPDX-License-Identifier: MIT */
/*
 * A host's pkiws_http_methods → the internal pkiws__http_methods: size-first validation and
 * copy of the table, the opaque request object and its accessors, the response builder with
 * the body limit, serialisation of backends that are not thread-safe, and the mapping of the
 * backend's results to recorded failures.
 */
#include "pkiws_internal.h"

#include "util/callback.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "http/backends.h"
#include "http/http1.h"
#include "util/log.h"

#define HTTP_V1_SIZE (offsetof(pkiws_http_methods, close_idle) + sizeof(void (*)(void)))
#define USER_AGENT "pkiws/" PKIWS_VERSION_STRING
#define NHEADERS 3

struct pkiws__http_plugin {
    atomic_int refs;
    pkiws_http_methods m; /* validated copy; unknown tail zero */
    char *name;
    void *backend;
    void (*backend_free)(void *);
    pthread_mutex_t lock; /* serialises perform() without PKIWS_HTTP_CAP_THREADSAFE */
};

struct pkiws_http_req {
    const char *url, *proxy, *txid, *proxy_credentials;
    const uint8_t *body;
    size_t body_len;
    const uint8_t *cert, *key, *trust;
    size_t cert_len, key_len, trust_len;
    int64_t connect_timeout_ms, timeout_ms;
    size_t max_response;
    const char *hname[NHEADERS], *hvalue[NHEADERS];
};

struct pkiws_http_resp {
    pkiws__http_response *out;
    size_t max;
    int limit_hit;
    int status_set;
    size_t nheaders;
    int request_sent, reused, resent;
};

/* ---- tables ---- */

int pkiws__http_plugin_new(const pkiws_http_methods *m, void *backend, void (*backend_free)(void *),
                           pkiws__http_plugin **out)
{
    if (!out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws__http_plugin_new: NULL out");
    *out = NULL;
    size_t n;
    int rc =
        pkiws__backend_table_check(m, sizeof(pkiws_http_methods), HTTP_V1_SIZE, "HTTP backend", &n);
    if (rc)
        return rc;
    pkiws_http_methods copy;
    memset(&copy, 0, sizeof copy);
    memcpy(&copy, m, n);
    if (copy.abi != PKIWS_HTTP_ABI_1)
        return pkiws__fail(PKIWS_E_UNSUPPORTED,
                           "HTTP backend table: abi %u is not one this pkiws speaks (%u)",
                           (unsigned)copy.abi, PKIWS_HTTP_ABI_1);
    if (copy.flags)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "HTTP backend table: .flags is 0x%x; it is reserved and must be 0",
                           (unsigned)copy.flags);
    if ((rc = pkiws__backend_name_check(copy.name, "HTTP backend")))
        return rc;
    if (!copy.perform)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "HTTP backend '%s': the required hook .perform is NULL", copy.name);
    if (!(copy.caps & PKIWS_HTTP_CAP_CLOSE_IDLE))
        copy.close_idle = NULL;
    pkiws__http_plugin *p = pkiws__calloc(1, sizeof *p);
    if (!p || !(p->name = pkiws__strdup(copy.name))) {
        pkiws__free(p);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory registering HTTP backend '%s'", copy.name);
    }
    copy.name = p->name;
    p->m = copy;
    atomic_init(&p->refs, 1);
    p->backend = backend;
    p->backend_free = backend_free;
    pthread_mutex_init(&p->lock, NULL);
    *out = p;
    return PKIWS_OK;
}

pkiws__http_plugin *pkiws__http_plugin_ref(pkiws__http_plugin *p)
{
    if (p)
        atomic_fetch_add(&p->refs, 1);
    return p;
}

void pkiws__http_plugin_unref(pkiws__http_plugin *p)
{
    if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
        return;
    if (p->backend_free)
        p->backend_free(p->backend);
    pthread_mutex_destroy(&p->lock);
    pkiws__free(p->name);
    pkiws__free(p);
}

const char *pkiws__http_plugin_name(const pkiws__http_plugin *p)
{
    return p ? p->name : "(none)";
}

/* ---- request accessors ---- */

int pkiws__http_req_int(const pkiws_http_req *req, int item, int64_t *out)
{
    if (out)
        *out = 0;
    if (!req || !out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_http_req_int: NULL %s", req ? "out" : "req");
    switch (item) {
    case PKIWS_HTTP_CONNECT_TIMEOUT_MS:
        *out = req->connect_timeout_ms;
        return PKIWS_OK;
    case PKIWS_HTTP_TIMEOUT_MS:
        *out = req->timeout_ms;
        return PKIWS_OK;
    case PKIWS_HTTP_MAX_RESPONSE_BYTES:
        *out = (int64_t)req->max_response;
        return PKIWS_OK;
    case PKIWS_HTTP_TLS_MIN_VERSION:
        *out = 0x0303;
        return PKIWS_OK;
    default:
        break;
    }
    if (item >= 10000 && item < 30000)
        return pkiws__fail(PKIWS_E_OPTION_TYPE, "HTTP request item %d is not an integer", item);
    return pkiws__fail(PKIWS_E_UNKNOWN_OPTION, "HTTP request item %d is unknown to this pkiws",
                       item);
}

int pkiws__http_req_str(const pkiws_http_req *req, int item, const char **out)
{
    if (out)
        *out = NULL;
    if (!req || !out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_http_req_str: NULL %s", req ? "out" : "req");
    switch (item) {
    case PKIWS_HTTP_METHOD:
        *out = "POST";
        return PKIWS_OK;
    case PKIWS_HTTP_URL:
        *out = req->url;
        return PKIWS_OK;
    case PKIWS_HTTP_PROXY:
        *out = req->proxy;
        return PKIWS_OK;
    case PKIWS_HTTP_TXID:
        *out = req->txid ? req->txid : "";
        return PKIWS_OK;
    case PKIWS__HTTP_PROXY_CREDENTIALS:
        *out = req->proxy_credentials;
        return PKIWS_OK;
    default:
        break;
    }
    if (item < 10000 || (item >= 20000 && item < 30000))
        return pkiws__fail(PKIWS_E_OPTION_TYPE, "HTTP request item %d is not a string", item);
    return pkiws__fail(PKIWS_E_UNKNOWN_OPTION, "HTTP request item %d is unknown to this pkiws",
                       item);
}

int pkiws__http_req_blob(const pkiws_http_req *req, int item, const uint8_t **data, size_t *len)
{
    if (data)
        *data = NULL;
    if (len)
        *len = 0;
    if (!req || !data || !len)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_http_req_blob: NULL %s",
                           !req    ? "req"
                           : !data ? "data"
                                   : "len");
    switch (item) {
    case PKIWS_HTTP_BODY:
        *data = req->body;
        *len = req->body_len;
        return PKIWS_OK;
    case PKIWS_HTTP_CLIENT_CERT_PEM:
        *data = req->cert;
        *len = req->cert_len;
        return PKIWS_OK;
    case PKIWS_HTTP_CLIENT_KEY_PEM:
        *data = req->key;
        *len = req->key_len;
        return PKIWS_OK;
    case PKIWS_HTTP_TRUST_PEM:
        *data = req->trust;
        *len = req->trust_len;
        return PKIWS_OK;
    default:
        break;
    }
    if (item < 20000)
        return pkiws__fail(PKIWS_E_OPTION_TYPE, "HTTP request item %d is not a blob", item);
    return pkiws__fail(PKIWS_E_UNKNOWN_OPTION, "HTTP request item %d is unknown to this pkiws",
                       item);
}

size_t pkiws__http_req_header_count(const pkiws_http_req *req)
{
    return req ? NHEADERS : 0;
}

int pkiws__http_req_header(const pkiws_http_req *req, size_t index, const char **name,
                           const char **value)
{
    if (name)
        *name = NULL;
    if (value)
        *value = NULL;
    if (!req || !name || !value)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_http_req_header: NULL %s",
                           !req    ? "req"
                           : !name ? "name"
                                   : "value");
    if (index >= NHEADERS)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "pkiws_http_req_header: index %zu, the request has %d headers", index,
                           NHEADERS);
    *name = req->hname[index];
    *value = req->hvalue[index];
    return PKIWS_OK;
}

/* ---- response builder ---- */

static int field_ok(const char *what, const char *s)
{
    if (!s)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_http_resp_add_header: NULL %s", what);
    for (size_t i = 0; s[i]; i++)
        if (s[i] == '\r' || s[i] == '\n')
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "pkiws_http_resp_add_header: the header %s '%.60s' has a line "
                               "break at offset %zu",
                               what, s, i);
    return PKIWS_OK;
}

int pkiws__http_resp_set_status(pkiws_http_resp *resp, int status)
{
    if (!resp)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_http_resp_set_status: NULL resp");
    if (status < 100 || status > 999)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "pkiws_http_resp_set_status: %d is not an HTTP status (100..999)",
                           status);
    resp->out->status = status;
    resp->status_set = 1;
    return PKIWS_OK;
}

int pkiws__http_resp_add_header(pkiws_http_resp *resp, const char *name, const char *value)
{
    if (!resp)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_http_resp_add_header: NULL resp");
    int rc = field_ok("name", name);
    if (!rc)
        rc = field_ok("value", value);
    if (rc)
        return rc;
    if (!*name || strchr(name, ':'))
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "pkiws_http_resp_add_header: '%.60s' is not a header name", name);
    resp->nheaders++;
    if (pkiws__strcaseeq(name, "Content-Type"))
        snprintf(resp->out->content_type, sizeof resp->out->content_type, "%s", value);
    return PKIWS_OK;
}

int pkiws__http_resp_append_body(pkiws_http_resp *resp, const void *data, size_t len)
{
    if (!resp || (!data && len))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_http_resp_append_body: NULL %s",
                           resp ? "data" : "resp");
    if (resp->limit_hit || len > resp->max || resp->out->body.len + len > resp->max) {
        resp->limit_hit = 1;
        return pkiws__fail(PKIWS_E_LIMIT, "the answer exceeds %zu bytes", resp->max);
    }
    if (pkiws__buf_append(&resp->out->body, data, len))
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory storing %zu bytes of the answer", len);
    return PKIWS_OK;
}

int pkiws__http_resp_set_int(pkiws_http_resp *resp, int item, int64_t value)
{
    if (!resp)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_http_resp_set_int: NULL resp");
    if (value != 0 && value != 1)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "pkiws_http_resp_set_int: item %d takes 0 or 1, not %lld", item,
                           (long long)value);
    switch (item) {
    case PKIWS_HTTP_RESP_REQUEST_SENT:
        resp->request_sent = (int)value;
        return PKIWS_OK;
    case PKIWS_HTTP_RESP_REUSED:
        resp->reused = (int)value;
        return PKIWS_OK;
    case PKIWS__HTTP_RESP_RESENT:
        resp->resent = (int)value;
        return PKIWS_OK;
    default:
        return pkiws__fail(PKIWS_E_UNKNOWN_OPTION, "HTTP response item %d is unknown to this pkiws",
                           item);
    }
}

/* ---- the transport ---- */

typedef struct plugin_ctx {
    pkiws__http_plugin *p;
    uint8_t *cert, *key, *trust;
    size_t cert_len, key_len, trust_len;
    char *proxy;
    char *proxy_credentials; /* secret */
    int64_t connect_timeout_ms, timeout_ms;
    size_t max_response;
    const pkiws__logger *log;
} plugin_ctx;

static void plugin_destroy(void *v)
{
    plugin_ctx *c = v;
    if (!c)
        return;
    if (c->p->m.close_idle)
        c->p->m.close_idle(c->p->backend);
    pkiws__http_plugin_unref(c->p);
    pkiws__free(c->cert);
    pkiws__free_secret(c->key, c->key_len);
    pkiws__free(c->trust);
    pkiws__free(c->proxy);
    pkiws__free_secret(c->proxy_credentials, 0);
    pkiws__free(c);
}

static int plugin_perform(void *v, const pkiws__http_request *req, pkiws__http_response *resp)
{
    plugin_ctx *c = v;
    pkiws__http_plugin *p = c->p;
    const char *action = req->soap_action ? req->soap_action : "";
    for (size_t i = 0; action[i]; i++)
        if (action[i] == '\r' || action[i] == '\n' || action[i] == '"')
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "SOAPAction '%.100s' has a character at offset %zu that cannot be "
                               "sent in an HTTP header",
                               action, i);
    pkiws_buf quoted = PKIWS_BUF_INIT;
    pkiws__buf_printf(&quoted, "\"%s\"", action);
    if (pkiws__buf_status(&quoted)) {
        pkiws__buf_dispose(&quoted);
        return PKIWS_E_NOMEM;
    }
    struct pkiws_http_req rq = {
        req->url,
        c->proxy,
        req->txid,
        c->proxy_credentials,
        req->body,
        req->body_len,
        c->cert,
        c->key,
        c->trust,
        c->cert_len,
        c->key_len,
        c->trust_len,
        c->connect_timeout_ms,
        c->timeout_ms,
        c->max_response,
        {"Content-Type", "SOAPAction", "User-Agent"},
        {"text/xml; charset=utf-8", pkiws__buf_cstr(&quoted), USER_AGENT},
    };
    struct pkiws_http_resp rs = {resp, c->max_response, 0, 0, 0, 0, 0, 0};
    int threadsafe = (p->m.caps & PKIWS_HTTP_CAP_THREADSAFE) != 0;
    unsigned seq = pkiws__backend_fail_seq();
    int64_t t0 = pkiws__tls_now_ms();
    if (!threadsafe)
        pthread_mutex_lock(&p->lock);
    int rc = PKIWS__HOOK(p->m.perform(p->backend, &rq, &rs));
    if (!threadsafe)
        pthread_mutex_unlock(&p->lock);
    pkiws__buf_dispose(&quoted);
    resp->seconds = (double)(pkiws__tls_now_ms() - t0) / 1000.0;
    resp->reused = rs.reused;
    resp->request_sent = rs.request_sent || rc == PKIWS_OK;
    resp->sends = resp->request_sent ? 1 + (rs.resent != 0) : 0;
    if (rs.limit_hit) {
        rc = pkiws__fail(PKIWS_E_LIMIT, "the answer from %s exceeds %zu bytes (HTTP backend '%s')",
                         req->url, c->max_response, p->name);
    } else if (rc == PKIWS_OK) {
        if (!rs.status_set)
            rc = pkiws__fail(PKIWS_E_BACKEND,
                             "HTTP backend '%s' reported success for %s without an HTTP status",
                             p->name, req->url);
        else
            rc = pkiws__buf_status(&resp->body);
    } else if (!pkiws__backend_code_ok(rc)) {
        rc = pkiws__fail(PKIWS_E_BACKEND,
                         "HTTP backend '%s' returned %d for %s, not a PKIWS_E_* code of a "
                         "transport",
                         p->name, rc, req->url);
    } else if (seq != pkiws__backend_fail_seq() && pkiws__err_code() == rc) {
        rc = pkiws__fail_context(rc, "HTTP backend '%s'", p->name);
    } else {
        rc = pkiws__fail(rc, "HTTP backend '%s' failed for %s (%s: %s)", p->name, req->url,
                         pkiws__error_name(rc), pkiws__error_text(rc));
    }
    if (rc)
        resp->status = rs.status_set && rc != PKIWS_E_LIMIT ? resp->status : 0;
    pkiws__log(c->log, PKIWS_LOG_DEBUG, "http", req->txid,
               "POST %s -> %d, %zu bytes, %.1f ms%s (HTTP backend %s)%s%s", req->url, resp->status,
               resp->body.len, resp->seconds * 1000, resp->reused ? ", reused connection" : "",
               p->name, rc ? ": " : "", rc ? pkiws__err_message() : "");
    return rc;
}

static int plugin_create(const pkiws__http_config *cfg, void **out)
{
    (void)cfg;
    *out = NULL;
    return pkiws__fail(PKIWS_E_INTERNAL, "a host HTTP backend is opened with "
                                         "pkiws__http_plugin_open(), not pkiws__http_open()");
}

static const pkiws__http_methods plugin_methods = {"plugin", plugin_create, plugin_perform,
                                                   plugin_destroy};

static uint8_t *dup_blob(const uint8_t *p, size_t n)
{
    return p ? pkiws__memdup(p, n) : NULL;
}

int pkiws__http_plugin_open(pkiws__http *h, pkiws__http_plugin *p, const pkiws__http_config *cfg)
{
    h->m = NULL;
    h->ctx = NULL;
    if (!p)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "no HTTP backend to open");
    if (cfg->proxy && !(p->m.caps & PKIWS_HTTP_CAP_PROXY))
        return pkiws__fail(PKIWS_E_UNSUPPORTED,
                           "HTTP backend '%s' cannot use a proxy (no PKIWS_HTTP_CAP_PROXY), and "
                           "proxy '%.200s' is configured",
                           p->name, cfg->proxy);
    if (cfg->proxy_credentials) {
        int rc = !cfg->proxy
                     ? pkiws__fail(PKIWS_E_CONFIG, "proxy credentials are set, but no proxy")
                     : pkiws__http1_check_credentials(cfg->proxy_credentials);
        if (rc)
            return rc;
    }
    if (cfg->client_cert_pem && !cfg->client_key_pem)
        return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                  "HTTP backend '%s' needs the RA private key with the RA "
                                  "certificate: an RA signer (pkiws_session_set_ra_signer, "
                                  "_pkcs11) works with the native transport only",
                                  p->name);
    plugin_ctx *c = pkiws__calloc(1, sizeof *c);
    if (!c)
        return PKIWS_E_NOMEM;
    c->p = pkiws__http_plugin_ref(p);
    c->cert = dup_blob(cfg->client_cert_pem, cfg->client_cert_len);
    c->cert_len = c->cert ? cfg->client_cert_len : 0;
    c->key = dup_blob(cfg->client_key_pem, cfg->client_key_len);
    c->key_len = c->key ? cfg->client_key_len : 0;
    c->trust = dup_blob(cfg->trust_pem, cfg->trust_len);
    c->trust_len = c->trust ? cfg->trust_len : 0;
    c->proxy = cfg->proxy ? pkiws__strdup(cfg->proxy) : NULL;
    c->proxy_credentials =
        cfg->proxy && cfg->proxy_credentials ? pkiws__strdup(cfg->proxy_credentials) : NULL;
    if ((cfg->client_cert_pem && !c->cert) || (cfg->client_key_pem && !c->key) ||
        (cfg->trust_pem && !c->trust) || (cfg->proxy && !c->proxy) ||
        (cfg->proxy && cfg->proxy_credentials && !c->proxy_credentials)) {
        plugin_destroy(c);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory opening HTTP backend '%s'", p->name);
    }
    c->connect_timeout_ms = cfg->connect_timeout_ms;
    c->timeout_ms = cfg->timeout_ms;
    c->max_response = cfg->max_response_bytes ? cfg->max_response_bytes : (4u << 20);
    c->log = cfg->log;
    h->m = &plugin_methods;
    h->ctx = c;
    return PKIWS_OK;
}
