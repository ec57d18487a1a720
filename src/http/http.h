/* SPDX-License-Identifier: MIT */
/*
 * The HTTP transport interface: one POST of a SOAP message over mutual TLS. Backends (the
 * libcurl one in http_curl.c, others later) implement pkiws__http_methods; the core only
 * calls the dispatch functions below. No dependency type crosses this interface: credentials
 * and trust anchors travel as PEM blobs.
 */
#ifndef PKIWS_HTTP_H
#define PKIWS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/signer.h"
#include "util/buf.h"
#include "util/log.h"

/* What a transport needs for its lifetime (copied by the backend at create). */
typedef struct pkiws__http_config {
    const uint8_t *client_cert_pem; /* RA certificate then its chain, PEM */
    size_t client_cert_len;
    const uint8_t *client_key_pem; /* RA key, unencrypted PKCS#8 PEM (secret); only for the
                                      transports that need it (libcurl, host plug-ins) */
    size_t client_key_len;
    pkiws__signer *signer;    /* signs with the RA key (native transport; borrowed, referenced by
                                 the TLS configuration); NULL: none, or the TLS backend's hook */
    const uint8_t *trust_pem; /* trust anchors; NULL: the system bundle */
    size_t trust_len;
    const char *proxy;             /* http://host:port or NULL */
    const char *proxy_credentials; /* "user:password" for Basic proxy auth, or NULL (secret) */
    int64_t connect_timeout_ms;
    int64_t timeout_ms;
    size_t max_response_bytes;
    const pkiws__logger *log; /* borrowed; outlives the transport */
} pkiws__http_config;

typedef struct pkiws__http_request {
    const char *url;         /* https://host[:port]/pki-ws/<service> */
    const char *soap_action; /* without quotes; sent quoted */
    const uint8_t *body;
    size_t body_len;
    const char *txid; /* for log records */
} pkiws__http_request;

typedef struct pkiws__http_response {
    int status; /* HTTP status, 0 when none was received */
    pkiws_buf body;
    char content_type[128];
    int request_sent; /* 1 when the request may have reached the server (retry is then
                         only safe because enrolment is idempotent by clientTransactionID) */
    int reused;       /* the connection was reused */
    int sends;        /* times the request went out: 2 when the transport re-sent it on its own
                         (a reused connection that died before any answer); 0 when it never
                         left (connect, proxy or TLS failure) */
    int permanent;    /* the failure cannot heal by retrying (a proxy refused the credentials
                         or the tunnel): the transport's verdict over the code's default */
    double seconds;   /* wall time of the exchange */
} pkiws__http_response;

typedef struct pkiws__http_methods {
    const char *name;
    int (*create)(const pkiws__http_config *cfg, void **ctx_out);
    /* PKIWS_OK when an HTTP response (any status) was received. Failures: PKIWS_E_TIMEOUT,
     * PKIWS_E_CONNECT, PKIWS_E_TLS (cause told apart in the message and remedy),
     * PKIWS_E_RA_CREDENTIAL, PKIWS_E_LIMIT (response too large), PKIWS_E_PROTOCOL (truncated
     * or malformed HTTP). Must be safe to call from several threads at once on one ctx. */
    int (*perform)(void *ctx, const pkiws__http_request *req, pkiws__http_response *resp);
    void (*destroy)(void *ctx);
} pkiws__http_methods;

typedef struct pkiws__http {
    const pkiws__http_methods *m;
    void *ctx;
} pkiws__http;

/* The built-in backends; NULL when not compiled in. */
const pkiws__http_methods *pkiws__http_curl_methods(void);

int pkiws__http_open(pkiws__http *h, const pkiws__http_methods *m, const pkiws__http_config *cfg);
int pkiws__http_perform(pkiws__http *h, const pkiws__http_request *req, pkiws__http_response *resp);
void pkiws__http_close(pkiws__http *h);
void pkiws__http_response_dispose(pkiws__http_response *resp);

#endif
