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

/* POST body to <base>/<service> with the SOAPAction; returns the parsed answer (a SOAP
 * response or fault) in *doc. Retries transport failures (timeout, reset, truncated answer,
 * 5xx without a SOAP fault) up to `retries` times when `idempotent`, with back-off.
 * HTTP errors without a SOAP body: PKIWS_E_HTTP. */
int pkiws__client_call(pkiws__client *c, const char *service, const char *action,
                       const pkiws_buf *body, const char *txid, int idempotent, pkiws_xml_doc **doc,
                       pkiws__call_info *info);

#endif
