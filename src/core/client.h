/* SPDX-License-Identifier: MIT */
/*
 * The SOAP client of a session: one transport (opened on first use, shared by threads), the
 * service URLs, the exchange of one message with retries, and the response document.
 */
#ifndef PKIWS_CORE_CLIENT_H
#define PKIWS_CORE_CLIENT_H

#include <pthread.h>

#include "http/backends.h"
#include "http/http.h"
#include "xml/xml.h"

typedef struct pkiws__client_config {
    const char *base_url; /* https://host[:port]/pki-ws */
    pkiws__http_config http;
    const pkiws__http_methods *methods; /* a built-in backend (curl), or NULL: */
    int native;                         /* the native transport over tls (NULL: mbedTLS) */
    pkiws__tls *tls;
    pkiws__http_plugin *plugin; /* a host's HTTP backend; wins over the others */
    int retries;                /* extra attempts after a transport failure */
    int64_t backoff_ms;         /* first back-off; doubled each time */
    pkiws_xml_limits limits;
} pkiws__client_config;

typedef struct pkiws__client {
    pthread_mutex_t lock;
    pkiws__http http;
    int open;
    char *base_url;
    int retries;
    int64_t backoff_ms;
    pkiws_xml_limits limits;
    const pkiws__logger *log;
} pkiws__client;

/* What one logical call did (for results and --json). */
typedef struct pkiws__call_info {
    int attempts;  /* times the request went out, the transport's own re-sends included */
    int retryable; /* the final error may heal on retry (also the last error's flag) */
    int http_status;
    double seconds; /* of the last attempt */
    int reused;     /* the last attempt reused a connection */
} pkiws__call_info;

/* A random clientTransactionID "pkiws-<kind>-<16 hex digits>" for calls that are not
 * idempotent by design (policy, status, search); enrolment ids are derived instead. */
int pkiws__client_random_txid(const char *kind, char out[41]);

int pkiws__client_init(pkiws__client *c, const pkiws__client_config *cfg);
void pkiws__client_dispose(pkiws__client *c);

/* One SOAP call prepared for any transport (the session's, or a host's through pkiws_op):
 * what goes out, and the retry state of the attempts. The same request (clientTransactionID
 * included) goes out again on each retry. */
typedef struct pkiws__exchange {
    pkiws__client *c; /* borrowed: the settings snapshot's client */
    char url[1024];
    const char *service, *action; /* static strings */
    char txid[41];
    char headers[320]; /* "Content-Type: ...\r\nSOAPAction: \"...\"\r\n" for a host */
    pkiws_buf body;    /* owned */
    int idempotent;
    int retries_done;
    int64_t backoff_ms; /* the next back-off */
    pkiws__call_info info;
} pkiws__exchange;

/* Prepare an exchange: POST *body (taken, also on failure) to <base>/<service> with the
 * SOAPAction; logs the request. */
int pkiws__exchange_prepare(pkiws__client *c, pkiws__exchange *x, const char *service,
                            const char *action, pkiws_buf *body, const char *txid, int idempotent);
/* Interpret one attempt: rc is what the transport returned (PKIWS_OK: resp holds an HTTP
 * answer of any status). PKIWS_OK with the parsed answer (a SOAP response or fault) in *doc;
 * otherwise the failure (HTTP errors without a SOAP body: PKIWS_E_HTTP), with *retry_ms >= 0
 * when the call should go out again after that back-off (transport failures: timeout, reset,
 * truncated answer, 5xx without a SOAP fault, up to `retries` times when idempotent), else -1. */
int pkiws__exchange_answer(pkiws__exchange *x, int rc, const pkiws__http_response *resp,
                           pkiws_xml_doc **doc, int64_t *retry_ms);
void pkiws__exchange_dispose(pkiws__exchange *x);
/* The blocking form: every attempt over the client's own transport, sleeping between them. */
int pkiws__exchange_run(pkiws__exchange *x, pkiws_xml_doc **doc);

/* POST body to <base>/<service> with the SOAPAction and wait for the parsed answer in *doc
 * (pkiws__exchange_prepare + pkiws__exchange_run). */
int pkiws__client_call(pkiws__client *c, const char *service, const char *action,
                       const pkiws_buf *body, const char *txid, int idempotent, pkiws_xml_doc **doc,
                       pkiws__call_info *info);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t pkiws__monotonic_ms(void);
void pkiws__sleep_ms(int64_t ms);

#endif
