/* SPDX-License-Identifier: MIT */
/*
 * The native HTTP transport: HTTP/1.1 over a TLS backend (the built-in mbedTLS one or a host's).
 * Non-blocking connect with the connect timeout (which also covers the proxy tunnel and the
 * TLS handshake), the total timeout over the whole exchange, HTTP CONNECT proxies, and a
 * keep-alive pool of connections shared by the session's threads under a mutex. A reused
 * connection that the server closed meanwhile is replaced once, transparently, as curl does.
 */
#include "pkiws_internal.h"

#include <pthread.h>
#include <stdio.h>

#include "http/backends.h"
#include "http/http1.h"
#include "util/log.h"

#define POOL_MAX 16                       /* idle connections kept per transport */
#define IDLE_MAX_MS 118000                /* curl's default CURLOPT_MAXAGE_CONN */
#define DEFAULT_CONNECT_TIMEOUT_MS 300000 /* curl's default connect timeout */
#define DEFAULT_MAX_RESPONSE (4u << 20)
#define USER_AGENT "pkiws/" PKIWS_VERSION_STRING " (native)"

typedef struct nconn {
    struct nconn *next;
    char host[256];
    int port;
    int fd;
    pkiws_tls_io io;
    pkiws__tls_conn *tls;
    int64_t idle_since;
    unsigned uses;
} nconn;

typedef struct native_ctx {
    pkiws__tls *tls;
    pkiws__tls_config *tcfg;
    pkiws__http1_url proxy;
    int have_proxy;
    char *proxy_credentials; /* "user:password" (secret), or NULL */
    int64_t connect_timeout_ms, timeout_ms;
    size_t max_response;
    const pkiws__logger *log;
    pthread_mutex_t lock;
    nconn *idle;
    size_t nidle;
} native_ctx;

static void conn_free(nconn *c)
{
    if (!c)
        return;
    pkiws__tls_close(c->tls);
    pkiws__tls_tcp_close(c->fd);
    pkiws__free(c);
}

static void native_destroy(void *p)
{
    native_ctx *c = p;
    if (!c)
        return;
    while (c->idle) {
        nconn *n = c->idle;
        c->idle = n->next;
        conn_free(n);
    }
    pkiws__tls_config_free(c->tcfg);
    pkiws__tls_unref(c->tls);
    pthread_mutex_destroy(&c->lock);
    pkiws__free_secret(c->proxy_credentials, 0);
    pkiws__free(c);
}

/* ---- the pool ---- */

static nconn *pool_take(native_ctx *c, const char *host, int port)
{
    nconn *found = NULL, *dead = NULL;
    int64_t now = pkiws__tls_now_ms();
    pthread_mutex_lock(&c->lock);
    for (nconn **pp = &c->idle; *pp;) {
        nconn *n = *pp;
        if (n->port != port || strcmp(n->host, host)) {
            pp = &n->next;
            continue;
        }
        *pp = n->next;
        c->nidle--;
        if (now - n->idle_since > IDLE_MAX_MS || !pkiws__tls_tcp_idle_ok(n->fd)) {
            n->next = dead;
            dead = n;
            continue;
        }
        found = n;
        break;
    }
    pthread_mutex_unlock(&c->lock);
    while (dead) {
        nconn *n = dead;
        dead = n->next;
        conn_free(n);
    }
    return found;
}

static void pool_put(native_ctx *c, nconn *n)
{
    n->idle_since = pkiws__tls_now_ms();
    pthread_mutex_lock(&c->lock);
    if (c->nidle < POOL_MAX) {
        n->next = c->idle;
        c->idle = n;
        c->nidle++;
        n = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    conn_free(n);
}

/* ---- connecting ---- */

static int io_read_fn(void *ctx, uint8_t *buf, size_t cap, size_t *n)
{
    return pkiws__tls_io_recv(ctx, buf, cap, n);
}

static int tls_read_fn(void *ctx, uint8_t *buf, size_t cap, size_t *n)
{
    return pkiws__tls_read(ctx, buf, cap, n);
}

int pkiws__http_proxy_tunnel(pkiws_tls_io *io, const char *host, int port, const char *credentials,
                             int *permanent)
{
    *permanent = 0;
    pkiws__http1_url u;
    memset(&u, 0, sizeof u);
    snprintf(u.scheme, sizeof u.scheme, "https");
    snprintf(u.host, sizeof u.host, "%s", host);
    u.port = port;
    u.ipv6 = strchr(host, ':') != NULL;
    pkiws_buf head = PKIWS_BUF_INIT;
    int rc = pkiws__http1_connect_head(&head, &u, USER_AGENT, credentials);
    for (size_t off = 0; !rc && off < head.len;) {
        size_t sent = 0;
        rc = pkiws__tls_io_send(io, head.data + off, head.len - off, &sent);
        off += sent;
    }
    pkiws__buf_dispose(&head); /* wiped: it held the credentials */
    if (rc)
        return rc;
    pkiws__http1_reader *r = pkiws__malloc(sizeof *r);
    if (!r)
        return PKIWS_E_NOMEM;
    pkiws__http1_reader_init(r, io_read_fn, io);
    pkiws__http1_limits lim = {PKIWS__HTTP1_MAX_LINE, PKIWS__HTTP1_MAX_HEADERS, 0};
    char what[300];
    snprintf(what, sizeof what, "proxy %s", io->what);
    pkiws__http1_response resp;
    rc = pkiws__http1_read_head(r, &lim, what, &resp);
    if (!rc && (resp.status == 407 || resp.status == 401)) {
        /* 401: what tinyproxy 1.11 answers to wrong credentials */
        *permanent = 1;
        rc = pkiws__fail_remedy(PKIWS_E_CONNECT, PKIWS__REMEDY_PROXY_AUTH,
                                "%s requires authentication (HTTP %d) for the tunnel to %s:%d: "
                                "%s",
                                what, resp.status, host, port,
                                credentials ? "it refused the proxy credentials (Basic)"
                                            : "no proxy credentials are set");
    } else if (!rc && (resp.status == 403 || resp.status == 405)) {
        *permanent = 1;
        rc = pkiws__fail_remedy(PKIWS_E_CONNECT, PKIWS__REMEDY_PROXY_REFUSED,
                                "%s refused the tunnel to %s:%d: HTTP %d", what, host, port,
                                resp.status);
    } else if (!rc && (resp.status < 200 || resp.status > 299)) {
        rc = pkiws__fail(PKIWS_E_CONNECT, "%s refused the tunnel to %s:%d: HTTP %d", what, host,
                         port, resp.status);
    } else if (!rc && pkiws__http1_reader_pending(r)) {
        rc = pkiws__fail(PKIWS_E_PROTOCOL,
                         "%s sent %zu unexpected bytes after accepting the tunnel to %s:%d", what,
                         pkiws__http1_reader_pending(r), host, port);
    }
    pkiws__free(r);
    return rc;
}

static int conn_open(native_ctx *c, const pkiws__http1_url *u, int64_t deadline, nconn **out,
                     int *permanent)
{
    *out = NULL;
    *permanent = 0;
    int64_t t0 = pkiws__tls_now_ms();
    int64_t cdl = t0 + c->connect_timeout_ms, budget = c->connect_timeout_ms;
    if (deadline && deadline < cdl) {
        cdl = deadline;
        budget = c->timeout_ms;
    }
    const char *thost = c->have_proxy ? c->proxy.host : u->host;
    int tport = c->have_proxy ? c->proxy.port : u->port;
    int fd = -1;
    int rc = pkiws__tls_tcp_connect(thost, tport, cdl, budget, &fd);
    if (rc) {
        if (c->have_proxy)
            pkiws__fail_context(rc, "proxy");
        return rc;
    }
    nconn *n = pkiws__calloc(1, sizeof *n);
    if (!n) {
        pkiws__tls_tcp_close(fd);
        return PKIWS_E_NOMEM;
    }
    n->fd = fd;
    snprintf(n->host, sizeof n->host, "%s", u->host);
    n->port = u->port;
    if (c->have_proxy) {
        pkiws__tls_io_init(&n->io, fd, thost, tport);
        pkiws__tls_io_set_deadline(&n->io, cdl, budget, "setting up the tunnel through proxy");
        if ((rc = pkiws__http_proxy_tunnel(&n->io, u->host, u->port, c->proxy_credentials,
                                           permanent))) {
            conn_free(n);
            return rc;
        }
    }
    pkiws__tls_io_init(&n->io, fd, u->host, u->port);
    pkiws__tls_io_set_deadline(&n->io, cdl, budget, "during the TLS handshake with");
    rc = pkiws__tls_connect(c->tcfg, u->host, u->port, &n->io, &n->tls);
    if (rc) {
        conn_free(n);
        return rc;
    }
    pkiws__log(c->log, PKIWS_LOG_DEBUG, "tls", NULL,
               "connected to %s%s%s (TLS backend %s) in %lld ms", n->io.what,
               c->have_proxy ? " through proxy " : "", c->have_proxy ? c->proxy.host : "",
               pkiws__tls_name(c->tls), (long long)(pkiws__tls_now_ms() - t0));
    *out = n;
    return PKIWS_OK;
}

/* ---- one exchange ---- */

/* A reused connection that died before any answer byte: the server closed it while idle. */
static int stale(int rc, const pkiws__http1_reader *r)
{
    return rc == PKIWS_E_CONNECT && r->total == 0;
}

static int native_perform(void *p, const pkiws__http_request *req, pkiws__http_response *resp)
{
    native_ctx *c = p;
    int64_t t0 = pkiws__tls_now_ms();
    int64_t deadline = c->timeout_ms > 0 ? t0 + c->timeout_ms : 0;
    pkiws__http1_url u;
    int rc = pkiws__http1_url_parse(req->url, 80, &u);
    if (rc)
        return rc;
    if (strcmp(u.scheme, "https"))
        return pkiws__fail(PKIWS_E_CONFIG, "URL '%.200s': the native transport speaks https only",
                           req->url);
    pkiws_buf out = PKIWS_BUF_INIT;
    rc = pkiws__http1_post_head(&out, &u, req->soap_action, USER_AGENT, req->body_len);
    if (!rc && req->body_len)
        rc = pkiws__buf_append(&out, req->body, req->body_len);
    if (rc) {
        pkiws__buf_dispose(&out);
        return rc;
    }
    pkiws__http1_reader *r = pkiws__malloc(sizeof *r);
    if (!r) {
        pkiws__buf_dispose(&out);
        return PKIWS_E_NOMEM;
    }
    pkiws__http1_limits lim = {PKIWS__HTTP1_MAX_LINE, PKIWS__HTTP1_MAX_HEADERS, c->max_response};
    pkiws__http1_response hr;
    memset(&hr, 0, sizeof hr);
    int reused = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        nconn *n = attempt == 0 ? pool_take(c, u.host, u.port) : NULL;
        reused = n != NULL;
        if (!n && (rc = conn_open(c, &u, deadline, &n, &resp->permanent)))
            break;
        n->uses++;
        pkiws__tls_io_set_deadline(&n->io, deadline, c->timeout_ms, "sending the request to");
        resp->request_sent = 1; /* from here on the server may have seen it */
        resp->sends++;
        rc = pkiws__tls_write_all(n->tls, out.data, out.len);
        pkiws__http1_reader_init(r, tls_read_fn, n->tls);
        if (!rc) {
            pkiws__tls_io_set_deadline(&n->io, deadline, c->timeout_ms,
                                       "waiting for the answer from");
            pkiws__buf_clear(&resp->body);
            rc = pkiws__http1_read_response(r, &lim, req->url, &hr, &resp->body);
        }
        if (!rc) {
            if (hr.keep_alive && pkiws__http1_reader_pending(r) == 0)
                pool_put(c, n);
            else
                conn_free(n);
            break;
        }
        conn_free(n);
        if (!reused || !stale(rc, r))
            break;
        pkiws__log(c->log, PKIWS_LOG_DEBUG, "http", req->txid,
                   "kept-alive connection to %s:%d was closed by the server (%s); reconnecting",
                   u.host, u.port, pkiws__err_message());
    }
    pkiws__free(r);
    pkiws__buf_dispose(&out);
    resp->reused = reused;
    resp->seconds = (double)(pkiws__tls_now_ms() - t0) / 1000.0;
    if (rc == PKIWS_OK) {
        resp->status = hr.status;
        snprintf(resp->content_type, sizeof resp->content_type, "%s", hr.content_type);
    }
    pkiws__log(c->log, PKIWS_LOG_DEBUG, "http", req->txid,
               "POST %s -> %d, %zu bytes, %.1f ms%s (native over %s)%s%s", req->url, resp->status,
               resp->body.len, resp->seconds * 1000, reused ? ", reused connection" : "",
               pkiws__tls_name(c->tls), rc ? ": " : "", rc ? pkiws__err_message() : "");
    return rc;
}

/* ---- opening ---- */

int pkiws__http_native_open(pkiws__http *h, pkiws__tls *tls, const pkiws__http_config *cfg)
{
    h->m = NULL;
    h->ctx = NULL;
    native_ctx *c = pkiws__calloc(1, sizeof *c);
    if (!c)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory opening the native transport");
    pthread_mutex_init(&c->lock, NULL);
    int rc = PKIWS_OK;
    if (tls)
        c->tls = pkiws__tls_ref(tls);
    else
        rc = pkiws__tls_builtin(&c->tls);
    if (!rc && cfg->proxy) {
        rc = pkiws__http1_url_parse(cfg->proxy, 1080, &c->proxy);
        if (!rc && strcmp(c->proxy.scheme, "http"))
            rc = pkiws__fail(PKIWS_E_UNSUPPORTED,
                             "proxy '%.200s': the native transport tunnels through http:// "
                             "proxies only",
                             cfg->proxy);
        if (rc)
            pkiws__fail_context(rc, "proxy setting");
        c->have_proxy = !rc;
    }
    if (!rc && cfg->proxy_credentials) {
        if (!c->have_proxy)
            rc = pkiws__fail(PKIWS_E_CONFIG, "proxy credentials are set, but no proxy");
        else if (!(rc = pkiws__http1_check_credentials(cfg->proxy_credentials)) &&
                 !(c->proxy_credentials = pkiws__strdup(cfg->proxy_credentials)))
            rc = PKIWS_E_NOMEM;
    }
    if (!rc) {
        pkiws__tls_settings s = {cfg->client_cert_pem, cfg->client_cert_len, cfg->client_key_pem,
                                 cfg->client_key_len,  cfg->trust_pem,       cfg->trust_len};
        rc = pkiws__tls_config_new_signer(c->tls, &s, cfg->signer, &c->tcfg);
    }
    if (rc) {
        native_destroy(c);
        return rc;
    }
    c->connect_timeout_ms =
        cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
    c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 0;
    c->max_response = cfg->max_response_bytes ? cfg->max_response_bytes : DEFAULT_MAX_RESPONSE;
    c->log = cfg->log;
    h->m = pkiws__http_native_methods();
    h->ctx = c;
    return PKIWS_OK;
}

static int native_create(const pkiws__http_config *cfg, void **out)
{
    pkiws__http h;
    int rc = pkiws__http_native_open(&h, NULL, cfg);
    *out = rc ? NULL : h.ctx;
    return rc;
}

static const pkiws__http_methods native_methods = {"native", native_create, native_perform,
                                                   native_destroy};

const pkiws__http_methods *pkiws__http_native_methods(void)
{
    return &native_methods;
}
