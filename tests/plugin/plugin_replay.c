/* SPDX-License-Identifier: MIT */
/* A replaying HTTP backend: records every request item pkiws offers and answers from its
 * script (see plugins.h). Public headers only. */
#include "plugins.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "(null)");
}

static int replay_perform(void *backend, const pkiws_http_req *req, pkiws_http_resp *resp)
{
    replay_plugin *r = backend;
    atomic_fetch_add(&r->calls, 1);
    if (atomic_fetch_add(&r->inside, 1) != 0)
        atomic_fetch_add(&r->overlap, 1);
    const char *s = NULL;
    pkiws_http_req_str(req, PKIWS_HTTP_URL, &s);
    copy_str(r->url, sizeof r->url, s);
    pkiws_http_req_str(req, PKIWS_HTTP_METHOD, &s);
    copy_str(r->method, sizeof r->method, s);
    pkiws_http_req_str(req, PKIWS_HTTP_PROXY, &s);
    copy_str(r->proxy, sizeof r->proxy, s);
    pkiws_http_req_str(req, PKIWS_HTTP_TXID, &s);
    copy_str(r->txid, sizeof r->txid, s);
    pkiws_http_req_int(req, PKIWS_HTTP_CONNECT_TIMEOUT_MS, &r->connect_timeout_ms);
    pkiws_http_req_int(req, PKIWS_HTTP_TIMEOUT_MS, &r->timeout_ms);
    pkiws_http_req_int(req, PKIWS_HTTP_MAX_RESPONSE_BYTES, &r->max_response);
    pkiws_http_req_int(req, PKIWS_HTTP_TLS_MIN_VERSION, &r->tls_min);
    const uint8_t *p;
    size_t n;
    pkiws_http_req_blob(req, PKIWS_HTTP_BODY, &p, &n);
    snprintf(r->body_seen, sizeof r->body_seen, "%.*s", (int)n, p ? (const char *)p : "");
    pkiws_http_req_blob(req, PKIWS_HTTP_CLIENT_CERT_PEM, &p, &r->cert_len);
    pkiws_http_req_blob(req, PKIWS_HTTP_CLIENT_KEY_PEM, &p, &r->key_len);
    pkiws_http_req_blob(req, PKIWS_HTTP_TRUST_PEM, &p, &r->trust_len);
    r->nheaders = pkiws_http_req_header_count(req);
    for (size_t i = 0; i < r->nheaders; i++) {
        const char *name, *value;
        if (pkiws_http_req_header(req, i, &name, &value))
            continue;
        if (!strcmp(name, "SOAPAction"))
            copy_str(r->soap_action, sizeof r->soap_action, value);
        if (!strcmp(name, "Content-Type"))
            copy_str(r->content_type, sizeof r->content_type, value);
    }
    int64_t dummy;
    r->wrong_kind_rc = pkiws_http_req_int(req, PKIWS_HTTP_URL, &dummy);
    r->unknown_rc = pkiws_http_req_int(req, 4242, &dummy);
    if (r->sleep_ms) {
        struct timespec ts = {0, r->sleep_ms * 1000000L};
        nanosleep(&ts, NULL);
    }
    int rc = r->rc;
    if (rc == PKIWS_OK) {
        if (r->status)
            pkiws_http_resp_set_status(resp, r->status);
        pkiws_http_resp_add_header(resp, "Content-Type", "text/xml; charset=utf-8");
        pkiws_http_resp_set_int(resp, PKIWS_HTTP_RESP_REUSED, 1);
        size_t len = r->body ? strlen(r->body) : 0, third = len / 3;
        r->append_rc = PKIWS_OK;
        for (int i = 0; i < 3 && r->append_rc == PKIWS_OK; i++) {
            size_t from = third * (size_t)i, to = i == 2 ? len : third * (size_t)(i + 1);
            r->append_rc = pkiws_http_resp_append_body(resp, r->body + from, to - from);
        }
    } else if (r->fail_cause >= 0) {
        rc = pkiws_backend_fail(rc, r->fail_cause, "replay", 77, "replay: scripted failure");
    }
    atomic_fetch_sub(&r->inside, 1);
    return rc;
}

void replay_plugin_methods(pkiws_http_methods *out, uint64_t caps)
{
    memset(out, 0, sizeof *out);
    out->size = sizeof *out;
    out->abi = PKIWS_HTTP_ABI_1;
    out->name = "replay";
    out->caps = caps;
    out->perform = replay_perform;
}
