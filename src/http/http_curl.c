/* SPDX-License-Identifier: MIT */
/*
 * The libcurl HTTP backend: the only file that includes <curl/curl.h>. A pool of easy handles
 * (one per concurrent thread, each keeping its connection alive) with TLS sessions and DNS
 * shared through a CURLSH; the RA credential and trust anchors are handed over as blobs.
 * TLS peer verification and host-name checks are always on.
 */
#include "pkiws_internal.h"

#include <pthread.h>
#include <stdio.h>

#include "http/http.h"
#include "http/http1.h"

#if PKIWS_HAVE_CURL

#include <curl/curl.h>

#define POOL_MAX 16
#define PKIWS__CURL_UPLOAD_BUFFER (16 * 1024) /* CURL_MIN_UPLOAD_BUFFERSIZE */
#define PKIWS__CURL_RECV_BUFFER (8 * 1024)

typedef struct curl_ctx {
    CURLSH *share;
    pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
    pthread_mutex_t pool_lock;
    CURL *pool[POOL_MAX];
    size_t npool;
    uint8_t *cert, *key, *trust;
    size_t cert_len, key_len, trust_len;
    char *proxy;
    char *proxy_user, *proxy_password; /* secrets, split from "user:password" */
    int64_t connect_timeout_ms, timeout_ms;
    size_t max_response;
    const pkiws__logger *log;
} curl_ctx;

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_OK;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access a, void *ud)
{
    (void)h;
    (void)a;
    curl_ctx *c = ud;
    pthread_mutex_lock(&c->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud)
{
    (void)h;
    curl_ctx *c = ud;
    pthread_mutex_unlock(&c->share_locks[data]);
}

static void ctx_destroy(void *p)
{
    curl_ctx *c = p;
    if (!c)
        return;
    for (size_t i = 0; i < c->npool; i++)
        curl_easy_cleanup(c->pool[i]);
    if (c->share)
        curl_share_cleanup(c->share);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&c->share_locks[i]);
    pthread_mutex_destroy(&c->pool_lock);
    pkiws__free(c->cert);
    pkiws__free_secret(c->key, c->key_len + 1);
    pkiws__free(c->trust);
    pkiws__free(c->proxy);
    pkiws__free_secret(c->proxy_user, 0);
    pkiws__free_secret(c->proxy_password, 0);
    pkiws__free(c);
}

static int ctx_create(const pkiws__http_config *cfg, void **out)
{
    *out = NULL;
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return pkiws__fail(PKIWS_E_BACKEND, "curl_global_init failed: %s",
                           curl_easy_strerror(global_rc));
    if (cfg->proxy_credentials) {
        int rc = !cfg->proxy
                     ? pkiws__fail(PKIWS_E_CONFIG, "proxy credentials are set, but no proxy")
                     : pkiws__http1_check_credentials(cfg->proxy_credentials);
        if (rc)
            return rc;
    }
    curl_ctx *c = pkiws__calloc(1, sizeof *c);
    if (!c)
        return PKIWS_E_NOMEM;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&c->share_locks[i], NULL);
    pthread_mutex_init(&c->pool_lock, NULL);
    c->cert = pkiws__memdup(cfg->client_cert_pem, cfg->client_cert_len);
    c->cert_len = cfg->client_cert_len;
    c->key = pkiws__memdup(cfg->client_key_pem, cfg->client_key_len);
    c->key_len = cfg->client_key_len;
    if (cfg->trust_pem) {
        c->trust = pkiws__memdup(cfg->trust_pem, cfg->trust_len);
        c->trust_len = cfg->trust_len;
    }
    if (cfg->proxy)
        c->proxy = pkiws__strdup(cfg->proxy);
    int creds_ok = 1;
    if (cfg->proxy && cfg->proxy_credentials) {
        const char *colon = strchr(cfg->proxy_credentials, ':');
        c->proxy_user =
            pkiws__strndup(cfg->proxy_credentials, (size_t)(colon - cfg->proxy_credentials));
        c->proxy_password = pkiws__strdup(colon + 1);
        creds_ok = c->proxy_user && c->proxy_password;
    }
    c->connect_timeout_ms = cfg->connect_timeout_ms;
    c->timeout_ms = cfg->timeout_ms;
    c->max_response = cfg->max_response_bytes;
    c->log = cfg->log;
    c->share = curl_share_init();
    if ((cfg->client_cert_pem && !c->cert) || (cfg->client_key_pem && !c->key) ||
        (cfg->trust_pem && !c->trust) || (cfg->proxy && !c->proxy) || !creds_ok || !c->share) {
        ctx_destroy(c);
        return PKIWS_E_NOMEM;
    }
    curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    /* Not CURL_LOCK_DATA_CONNECT: libcurl does not support one connection cache used by
     * concurrent threads. Each pooled easy handle keeps its own connections alive instead,
     * and TLS sessions are shared, so a new connection resumes. */
    *out = c;
    return PKIWS_OK;
}

struct sink {
    pkiws_buf *body;
    size_t max;
    int too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct sink *s = ud;
    size_t len = size * n;
    if (s->body->len + len > s->max) {
        s->too_big = 1;
        return 0;
    }
    if (pkiws__buf_append(s->body, p, len))
        return 0;
    return len;
}

/* What one perform saw in libcurl's debug stream (never logged: the CONNECT head may carry
 * the proxy credentials). */
struct watch {
    int sends;          /* request heads sent: 2 when libcurl re-sent on a fresh connection */
    int cert_requested; /* the server asked for a client certificate */
};

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
    (void)h;
    struct watch *w = ud;
    if (!w)
        return 0;
    if (type == CURLINFO_HEADER_OUT && size >= 5 && !memcmp(data, "POST ", 5))
        w->sends++;
    else if (type == CURLINFO_TEXT && memmem(data, size, "Request CERT", 12))
        w->cert_requested = 1;
    return 0;
}

static CURL *pool_get(curl_ctx *c)
{
    CURL *h = NULL;
    pthread_mutex_lock(&c->pool_lock);
    if (c->npool)
        h = c->pool[--c->npool];
    pthread_mutex_unlock(&c->pool_lock);
    if (h)
        return h;
    h = curl_easy_init();
    if (!h)
        return NULL;
    curl_easy_setopt(h, CURLOPT_SHARE, c->share);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "pkiws/" PKIWS_VERSION_STRING);
    /* Memory per transfer: the request body goes out from our buffer (POSTFIELDS), so the
     * upload buffer (64 KiB by default, allocated per transfer) is only staging and takes
     * libcurl's minimum; answers are a few KiB, read in pieces of 8 KiB. */
    curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, (long)PKIWS__CURL_UPLOAD_BUFFER);
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, (long)PKIWS__CURL_RECV_BUFFER);
    /* the debug stream tells how often the request went out; nothing of it is logged */
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, NULL);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    if (c->cert) {
        struct curl_blob b = {c->cert, c->cert_len, CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &b);
        curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (c->key) {
        struct curl_blob b = {c->key, c->key_len, CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &b);
        curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (c->trust) {
        struct curl_blob b = {c->trust, c->trust_len, CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
    }
    if (c->proxy) {
        curl_easy_setopt(h, CURLOPT_PROXY, c->proxy);
        curl_easy_setopt(h, CURLOPT_HTTPPROXYTUNNEL, 1L);
        if (c->proxy_user) {
            /* libcurl keeps its own copies until the handle is cleaned up */
            curl_easy_setopt(h, CURLOPT_PROXYAUTH, (long)CURLAUTH_BASIC);
            curl_easy_setopt(h, CURLOPT_PROXYUSERNAME, c->proxy_user);
            curl_easy_setopt(h, CURLOPT_PROXYPASSWORD, c->proxy_password);
        }
    }
    return h;
}

static void pool_put(curl_ctx *c, CURL *h)
{
    pthread_mutex_lock(&c->pool_lock);
    if (c->npool < POOL_MAX) {
        c->pool[c->npool++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->pool_lock);
    if (h)
        curl_easy_cleanup(h);
}

static int has(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

/* The seeds' "Could not create SSL/TLS secure channel", told apart: one remedy per cause. */
static int map_tls(CURLcode cc, const char *err, const char *url, const struct watch *w)
{
    static const char pre[] = "could not create SSL/TLS secure channel to";
    if (cc == CURLE_PEER_FAILED_VERIFICATION &&
        (has(err, "host name") || has(err, "hostname") || has(err, "subject name")))
        return pkiws__fail_remedy(PKIWS_E_TLS, PKIWS__REMEDY_TLS_HOSTNAME,
                                  "%s %s: host name mismatch (%s)", pre, url, err);
    if (has(err, "certificate has expired"))
        return pkiws__fail_remedy(PKIWS_E_TLS, PKIWS__REMEDY_TLS_SERVER_EXPIRED,
                                  "%s %s: the server certificate has expired (%s)", pre, url, err);
    if (has(err, "certificate is not yet valid"))
        return pkiws__fail_remedy(PKIWS_E_TLS, PKIWS__REMEDY_TLS_SERVER_NOT_YET_VALID,
                                  "%s %s: the server certificate is not valid yet (%s)", pre, url,
                                  err);
    if (cc == CURLE_PEER_FAILED_VERIFICATION || has(err, "certificate verify failed") ||
        has(err, "local issuer") || has(err, "self-signed") || has(err, "self signed"))
        return pkiws__fail_remedy(PKIWS_E_TLS, PKIWS__REMEDY_TLS_SERVER_UNTRUSTED,
                                  "%s %s: server not trusted (%s)", pre, url, err);
    if (cc == CURLE_SSL_CERTPROBLEM || has(err, "unable to set private key") ||
        has(err, "key values mismatch") || has(err, "could not load PEM client"))
        return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_KEY,
                                  "RA key unusable or not matching the RA certificate (%s)", err);
    if (has(err, "alert protocol version") || has(err, "unsupported protocol") ||
        has(err, "no protocols available") || has(err, "wrong ssl version") ||
        has(err, "version too low"))
        return pkiws__fail_remedy(PKIWS_E_TLS, PKIWS__REMEDY_TLS_PROTOCOL,
                                  "%s %s: no TLS version in common, the server does not allow "
                                  "TLS 1.2 or later (%s)",
                                  pre, url, err);
    if (has(err, "wrong version number") || has(err, "packet length too long") ||
        has(err, "http request"))
        return pkiws__fail_remedy(PKIWS_E_TLS, PKIWS__REMEDY_TLS_NOT_TLS,
                                  "%s %s: the server does not speak TLS on this port (%s)", pre,
                                  url, err);
    if (has(err, "alert certificate expired"))
        return pkiws__fail_remedy(PKIWS_E_TLS, PKIWS__REMEDY_RA_EXPIRED,
                                  "%s %s: the server refused the RA client certificate as expired "
                                  "(%s)",
                                  pre, url, err);
    if (has(err, "alert bad certificate") || has(err, "alert unknown ca") ||
        has(err, "certificate required") || has(err, "alert certificate unknown") ||
        has(err, "alert access denied") || has(err, "unsupported certificate") ||
        has(err, "certificate revoked") ||
        (has(err, "alert handshake failure") && w && w->cert_requested))
        return pkiws__fail_remedy(PKIWS_E_TLS, PKIWS__REMEDY_TLS_CLIENT_REFUSED,
                                  "%s %s: the server refused the RA client certificate (%s)", pre,
                                  url, err);
    if (cc == CURLE_SSL_CIPHER || has(err, "alert handshake failure") ||
        has(err, "alert insufficient security") || has(err, "no shared cipher") ||
        has(err, "no ciphers available") || has(err, "no suitable"))
        return pkiws__fail_remedy(PKIWS_E_TLS, PKIWS__REMEDY_TLS_HANDSHAKE,
                                  "%s %s: no TLS parameters in common with the server (%s)", pre,
                                  url, err);
    return pkiws__fail_remedy(PKIWS_E_TLS, PKIWS__REMEDY_TLS, "%s %s (%s)", pre, url, err);
}

/* A CONNECT that the proxy answered with a status other than 2xx. */
static int map_proxy(long code, const char *proxy, const char *url, int creds, int *permanent)
{
    pkiws__err_native("http", code);
    if (code == 407 || code == 401) { /* 401: tinyproxy 1.11's answer to wrong credentials */
        *permanent = 1;
        return pkiws__fail_remedy(PKIWS_E_CONNECT, PKIWS__REMEDY_PROXY_AUTH,
                                  "proxy %s requires authentication (HTTP %ld) for the tunnel to "
                                  "%s: %s",
                                  proxy, code, url,
                                  creds ? "it refused the proxy credentials (Basic)"
                                        : "no proxy credentials are set");
    }
    if (code == 403 || code == 405) {
        *permanent = 1;
        return pkiws__fail_remedy(PKIWS_E_CONNECT, PKIWS__REMEDY_PROXY_REFUSED,
                                  "proxy %s refused the tunnel to %s: HTTP %ld", proxy, url, code);
    }
    return pkiws__fail(PKIWS_E_CONNECT, "proxy %s refused the tunnel to %s: HTTP %ld", proxy, url,
                       code);
}

static int map_error(CURLcode cc, const char *err, const char *url, int sent, const struct watch *w)
{
    pkiws__err_native("curl", cc);
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return pkiws__fail(PKIWS_E_TIMEOUT, "the operation has timed out: %s (%s)", url, err);
    case CURLE_COULDNT_RESOLVE_HOST:
        return pkiws__fail_remedy(PKIWS_E_CONNECT, PKIWS__REMEDY_CA_FQDN,
                                  "cannot resolve the host of %s (%s)", url, err);
    case CURLE_COULDNT_RESOLVE_PROXY:
        return pkiws__fail_remedy(PKIWS_E_CONNECT, PKIWS__REMEDY_CONNECT,
                                  "cannot resolve the proxy's host name (%s)", err);
    case CURLE_COULDNT_CONNECT:
        return pkiws__fail(PKIWS_E_CONNECT, "cannot connect to %s (%s)", url, err);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
        return map_tls(cc, err, url, w);
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        if (has(err, "alert") || has(err, "SSL") || has(err, "ssl"))
            if (!sent || has(err, "alert"))
                return map_tls(cc, err, url, w);
        return pkiws__fail(PKIWS_E_CONNECT, "connection to %s broke (%s)", url, err);
    case CURLE_GOT_NOTHING:
        return pkiws__fail(PKIWS_E_CONNECT, "%s closed the connection without answering", url);
    case CURLE_PARTIAL_FILE:
        return pkiws__fail(PKIWS_E_PROTOCOL, "the answer from %s was cut short (%s)", url, err);
    case CURLE_OUT_OF_MEMORY:
        return PKIWS_E_NOMEM;
    default:
        return pkiws__fail(PKIWS_E_CONNECT, "transport error talking to %s: %s", url,
                           *err ? err : curl_easy_strerror(cc));
    }
}

static int ctx_perform(void *p, const pkiws__http_request *req, pkiws__http_response *resp)
{
    curl_ctx *c = p;
    CURL *h = pool_get(c);
    if (!h)
        return pkiws__fail(PKIWS_E_NOMEM, "curl_easy_init failed");
    char errbuf[CURL_ERROR_SIZE] = "";
    char action[512];
    snprintf(action, sizeof action, "SOAPAction: \"%s\"", req->soap_action ? req->soap_action : "");
    struct curl_slist *hdrs = NULL, *tmp;
    int rc = PKIWS_OK;
    if (!(tmp = curl_slist_append(hdrs, "Content-Type: text/xml; charset=utf-8")) ||
        !(hdrs = tmp, tmp = curl_slist_append(hdrs, action)) ||
        !(hdrs = tmp, tmp = curl_slist_append(hdrs, "Expect:"))) {
        curl_slist_free_all(hdrs);
        pool_put(c, h);
        return PKIWS_E_NOMEM;
    }
    hdrs = tmp;
    struct sink sink = {&resp->body, c->max_response, 0};
    struct watch w = {0, 0};
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, (const char *)req->body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &w);
    CURLcode cc = curl_easy_perform(h);
    long status = 0, connects = 0, proxy_status = 0;
    curl_off_t pretransfer = 0, total = 0;
    char *ctype = NULL;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
    curl_easy_getinfo(h, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total);
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
    curl_easy_getinfo(h, CURLINFO_HTTP_CONNECTCODE, &proxy_status);
    resp->status = (int)status;
    resp->reused = connects == 0;
    resp->seconds = (double)total / 1e6;
    resp->request_sent = pretransfer > 0;
    resp->sends = w.sends;
    if (ctype)
        snprintf(resp->content_type, sizeof resp->content_type, "%s", ctype);
    if (sink.too_big) {
        rc = pkiws__fail(PKIWS_E_LIMIT, "the answer from %s exceeds %zu bytes", req->url,
                         c->max_response);
    } else if (cc != CURLE_OK && c->proxy && proxy_status && (proxy_status / 100) != 2) {
        resp->status = 0; /* the proxy's answer, not the CA's */
        rc = map_proxy(proxy_status, c->proxy, req->url, c->proxy_user != NULL, &resp->permanent);
    } else if (cc == CURLE_COULDNT_CONNECT && c->proxy) {
        pkiws__err_native("curl", cc);
        rc = pkiws__fail(PKIWS_E_CONNECT, "cannot connect to proxy %s for %s (%s)", c->proxy,
                         req->url, errbuf[0] ? errbuf : curl_easy_strerror(cc));
    } else if (cc != CURLE_OK) {
        if (!errbuf[0])
            snprintf(errbuf, sizeof errbuf, "%s", curl_easy_strerror(cc));
        rc = map_error(cc, errbuf, req->url, resp->request_sent, &w);
    } else {
        rc = pkiws__buf_status(&resp->body);
    }
    pkiws__log(c->log, PKIWS_LOG_DEBUG, "http", req->txid,
               "POST %s -> %ld, %zu bytes, %.1f ms%s (curl %d)", req->url, status, resp->body.len,
               resp->seconds * 1000, resp->reused ? ", reused connection" : "", (int)cc);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, NULL);
    curl_slist_free_all(hdrs);
    if (rc != PKIWS_OK && rc != PKIWS_E_LIMIT) {
        curl_easy_cleanup(h); /* a broken connection is not put back */
    } else {
        pool_put(c, h);
    }
    return rc;
}

static const pkiws__http_methods curl_methods = {"curl", ctx_create, ctx_perform, ctx_destroy};

const pkiws__http_methods *pkiws__http_curl_methods(void)
{
    return &curl_methods;
}

#else

const pkiws__http_methods *pkiws__http_curl_methods(void)
{
    return NULL;
}

#endif
