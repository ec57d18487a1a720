/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "core/client.h"
#include "crypto/crypto.h"

int pkiws__client_random_txid(const char *kind, char out[41])
{
    uint8_t rnd[8];
    int rc = pkiws__random(rnd, sizeof rnd);
    if (rc)
        return rc;
    int n = snprintf(out, 41, "pkiws-%.12s-", kind);
    for (size_t i = 0; i < sizeof rnd && n + 2 < 41; i++)
        n += snprintf(out + n, 41 - (size_t)n, "%02x", rnd[i]);
    return PKIWS_OK;
}

int pkiws__client_init(pkiws__client *c, const pkiws__client_config *cfg)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->base_url = pkiws__strdup(cfg->base_url);
    if (!c->base_url) {
        pthread_mutex_destroy(&c->lock);
        return PKIWS_E_NOMEM;
    }
    c->retries = cfg->retries;
    c->backoff_ms = cfg->backoff_ms;
    c->limits = cfg->limits;
    c->log = cfg->http.log;
    int rc;
    if (cfg->plugin)
        rc = pkiws__http_plugin_open(&c->http, cfg->plugin, &cfg->http);
    else if (cfg->native)
        rc = pkiws__http_native_open(&c->http, cfg->tls, &cfg->http);
    else
        rc = pkiws__http_open(&c->http, cfg->methods, &cfg->http);
    if (rc) {
        pkiws__free(c->base_url);
        pthread_mutex_destroy(&c->lock);
        memset(c, 0, sizeof *c);
        return rc;
    }
    c->open = 1;
    return PKIWS_OK;
}

void pkiws__client_dispose(pkiws__client *c)
{
    if (!c->open)
        return;
    pkiws__http_close(&c->http);
    pkiws__free(c->base_url);
    pthread_mutex_destroy(&c->lock);
    memset(c, 0, sizeof *c);
}

void pkiws__sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int64_t pkiws__monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int looks_like_xml(const pkiws_buf *b)
{
    for (size_t i = 0; i < b->len; i++) {
        uint8_t ch = b->data[i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == 0xEF || ch == 0xBB ||
            ch == 0xBF)
            continue;
        return ch == '<';
    }
    return 0;
}

static int is_soap_fault(const pkiws_xml_doc *doc)
{
    const pkiws_xml_node *root = pkiws__xml_root(doc);
    const pkiws_xml_node *body = pkiws__xml_soap_body_child(doc);
    return root && pkiws__xml_is(root, PKIWS_NS_SOAP, "Envelope") && body &&
           pkiws__xml_is(body, PKIWS_NS_SOAP, "Fault");
}

int pkiws__exchange_prepare(pkiws__client *c, pkiws__exchange *x, const char *service,
                            const char *action, pkiws_buf *body, const char *txid, int idempotent)
{
    memset(x, 0, sizeof *x);
    x->c = c;
    x->body = *body;
    memset(body, 0, sizeof *body);
    x->service = service;
    x->action = action;
    x->idempotent = idempotent;
    x->backoff_ms = c->backoff_ms;
    snprintf(x->txid, sizeof x->txid, "%s", txid);
    int n = snprintf(x->url, sizeof x->url, "%s/%s", c->base_url, service);
    if (n < 0 || (size_t)n >= sizeof x->url)
        return pkiws__fail(PKIWS_E_CONFIG, "the service URL of %s is too long", service);
    snprintf(x->headers, sizeof x->headers,
             "Content-Type: text/xml; charset=utf-8\r\nSOAPAction: \"%s\"\r\n", action);
    char what[1100];
    snprintf(what, sizeof what, "request to %s", x->url);
    pkiws__log_soap(c->log, "http", x->txid, what, (const char *)x->body.data, x->body.len);
    return pkiws__buf_status(&x->body);
}

void pkiws__exchange_dispose(pkiws__exchange *x)
{
    pkiws__buf_dispose(&x->body);
    memset(x, 0, sizeof *x);
}

int pkiws__exchange_answer(pkiws__exchange *x, int rc, const pkiws__http_response *resp,
                           pkiws_xml_doc **doc, int64_t *retry_ms)
{
    pkiws__client *c = x->c;
    pkiws__call_info *info = &x->info;
    const char *url = x->url;
    *doc = NULL;
    *retry_ms = -1;
    /* every time the request went out counts, also the transport's own re-send */
    info->attempts += resp->sends > 1 ? resp->sends : 1;
    info->http_status = resp->status;
    info->seconds = resp->seconds;
    info->reused = resp->reused;
    int retryable = 0;
    if (rc == PKIWS_OK) {
        char what[1100];
        snprintf(what, sizeof what, "answer %d from %s", resp->status, url);
        pkiws__log_soap(c->log, "http", x->txid, what, (const char *)resp->body.data,
                        resp->body.len);
        int xml = looks_like_xml(&resp->body);
        if (resp->status == 200 || (resp->status == 500 && xml)) {
            rc = pkiws__xml_parse((const char *)resp->body.data, resp->body.len, &c->limits,
                                  x->service, doc);
            if (rc == PKIWS_OK && resp->status == 500 && !is_soap_fault(*doc)) {
                pkiws__xml_free(*doc);
                *doc = NULL;
                rc = PKIWS_E_PROTOCOL;
                pkiws__fail(rc, "not a SOAP fault");
            }
            if (rc && resp->status >= 500) {
                /* a 5xx whose body is not a usable SOAP fault: may heal */
                retryable = 1;
                rc = pkiws__fail(PKIWS_E_HTTP,
                                 "%s answered HTTP %d with a body that is not SOAP (%s)", url,
                                 resp->status, pkiws__err_message());
            }
        } else if (resp->status >= 500) {
            retryable = 1;
            rc = pkiws__fail(PKIWS_E_HTTP, "%s answered HTTP %d without a SOAP fault", url,
                             resp->status);
        } else {
            rc = pkiws__fail(PKIWS_E_HTTP, "%s answered HTTP %d", url, resp->status);
        }
        if (rc)
            pkiws__err_native("http", resp->status);
    } else {
        retryable = !resp->permanent && (rc == PKIWS_E_TIMEOUT || rc == PKIWS_E_CONNECT ||
                                         (rc == PKIWS_E_PROTOCOL && resp->request_sent));
    }
    info->retryable = retryable;
    if (rc)
        pkiws__err_set_retryable(retryable); /* what the transport saw wins */
    if (rc == PKIWS_OK || !retryable || !x->idempotent || x->retries_done >= c->retries)
        return rc;
    pkiws__log(c->log, PKIWS_LOG_INFO, "http", x->txid,
               "attempt %d failed (%s); retrying in %lld ms", info->attempts, pkiws__err_message(),
               (long long)x->backoff_ms);
    *retry_ms = x->backoff_ms;
    x->backoff_ms *= 2;
    x->retries_done++;
    return rc;
}

int pkiws__exchange_run(pkiws__exchange *x, pkiws_xml_doc **doc)
{
    for (;;) {
        pkiws__http_request req = {x->url, x->action, x->body.data, x->body.len, x->txid};
        pkiws__http_response resp;
        int rc = pkiws__http_perform(&x->c->http, &req, &resp);
        int64_t retry_ms;
        rc = pkiws__exchange_answer(x, rc, &resp, doc, &retry_ms);
        pkiws__http_response_dispose(&resp);
        if (retry_ms < 0)
            return rc;
        pkiws__sleep_ms(retry_ms);
    }
}

int pkiws__client_call(pkiws__client *c, const char *service, const char *action,
                       const pkiws_buf *body, const char *txid, int idempotent, pkiws_xml_doc **doc,
                       pkiws__call_info *info)
{
    *doc = NULL;
    memset(info, 0, sizeof *info);
    pkiws__exchange x;
    pkiws_buf copy = PKIWS_BUF_INIT;
    pkiws__buf_append(&copy, body->data, body->len);
    int rc = pkiws__exchange_prepare(c, &x, service, action, &copy, txid, idempotent);
    if (!rc)
        rc = pkiws__exchange_run(&x, doc);
    *info = x.info;
    pkiws__exchange_dispose(&x);
    return rc;
}
