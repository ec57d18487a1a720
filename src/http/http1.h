/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 on the wire, for the native transport: URLs, request heads, and a response reader
 * with curl's limits (Content-Length, chunked with extensions and trailers, read until close,
 * 1xx interim answers, the keep-alive decision). Pure: bytes come from a read callback, so the
 * parser is tested on memory.
 */
#ifndef PKIWS_HTTP1_H
#define PKIWS_HTTP1_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* ---- URLs ---- */
typedef struct pkiws__http1_url {
    char scheme[8];  /* "https" or "http" (lower case) */
    char host[256];  /* name or address, IPv6 without brackets */
    int port;        /* explicit, or the scheme's default */
    int ipv6;        /* the host was a bracketed IPv6 literal */
    char path[2048]; /* "/..." including any query; "/" when the URL has none */
} pkiws__http1_url;

/* Parse scheme://host[:port][/path]. Only http and https; no user info, no fragment, no
 * spaces or control characters. default_http_port applies to http:// (80 for URLs, 1080 for
 * proxies as curl does). PKIWS_E_CONFIG names the offending part of the text. */
int pkiws__http1_url_parse(const char *url, int default_http_port, pkiws__http1_url *out);
/* "host", "host:port" or "[v6]:port" as the Host header wants it (port omitted when default). */
int pkiws__http1_url_authority(const pkiws__http1_url *u, int always_port, pkiws_buf *out);

/* ---- request heads ---- */
/* POST head of a SOAP 1.1 request; the SOAPAction is sent quoted. soap_action and user_agent
 * must not contain CR, LF or '"' (PKIWS_E_INVALID_ARG names them). */
int pkiws__http1_post_head(pkiws_buf *out, const pkiws__http1_url *u, const char *soap_action,
                           const char *user_agent, size_t body_len);
/* CONNECT head for a proxy tunnel to u's host and port. credentials: "user:password" for
 * Basic proxy authentication (a secret: out is then marked secret, and a bad value is reported
 * without quoting it), or NULL. */
int pkiws__http1_connect_head(pkiws_buf *out, const pkiws__http1_url *u, const char *user_agent,
                              const char *credentials);
/* Check "user:password" for Basic proxy authentication without quoting it in messages:
 * PKIWS_E_CONFIG when it has no ':', an empty user, or a control character. */
int pkiws__http1_check_credentials(const char *credentials);

/* ---- the response reader ---- */

/* Read up to cap bytes into buf; *n 0 at the end of the stream. Failures are recorded
 * (PKIWS_E_TIMEOUT, PKIWS_E_CONNECT, PKIWS_E_TLS, ...) and returned as they are. */
typedef int (*pkiws__http1_read_fn)(void *ctx, uint8_t *buf, size_t cap, size_t *n);

typedef struct pkiws__http1_reader {
    pkiws__http1_read_fn read;
    void *ctx;
    uint8_t buf[16384];
    size_t pos, len;
    int eof;
    uint64_t total; /* bytes received so far */
} pkiws__http1_reader;

void pkiws__http1_reader_init(pkiws__http1_reader *r, pkiws__http1_read_fn fn, void *ctx);
/* Bytes received but not consumed (after a response: data the server sent unasked). */
size_t pkiws__http1_reader_pending(const pkiws__http1_reader *r);

/* curl 7.88's limits: CURL_MAX_HTTP_HEADER (one header line), MAX_HTTP_RESP_HEADER_SIZE (all
 * header bytes of a response, interim answers and trailers included), CHUNK_MAXNUM_LEN (hex
 * digits of a chunk size, 64-bit). */
#define PKIWS__HTTP1_MAX_LINE (100u * 1024u)
#define PKIWS__HTTP1_MAX_HEADERS (300u * 1024u)
#define PKIWS__HTTP1_MAX_CHUNK_DIGITS 16
#define PKIWS__HTTP1_MAX_INTERIM 16 /* 1xx answers before the final one */

typedef struct pkiws__http1_limits {
    size_t max_line;    /* one header, status or chunk-size line */
    size_t max_headers; /* all header bytes of one response */
    size_t max_body;    /* decoded body bytes */
} pkiws__http1_limits;

#define PKIWS__HTTP1_LENGTH 1  /* Content-Length */
#define PKIWS__HTTP1_CHUNKED 2 /* Transfer-Encoding: chunked */
#define PKIWS__HTTP1_CLOSE 3   /* until the server closes the connection */
#define PKIWS__HTTP1_NONE 4    /* 204, 304: no body */

typedef struct pkiws__http1_response {
    int status;
    int minor;      /* HTTP/1.<minor> */
    int keep_alive; /* the connection may carry another request afterwards */
    int framing;    /* PKIWS__HTTP1_* */
    uint64_t content_length;
    size_t nheaders;  /* of the final answer */
    size_t ninterim;  /* 1xx answers skipped */
    size_t nchunks;   /* chunks with data */
    size_t ntrailers; /* trailer fields after the last chunk */
    char content_type[128];
} pkiws__http1_response;

/* Read one complete answer: status line and headers (skipping 1xx), then the body into body
 * (appended). url names the server in messages ("the answer from <url> ..."). Failures:
 * PKIWS_E_CONNECT when the stream ended before the first byte, PKIWS_E_PROTOCOL for
 * malformed or cut-short answers, PKIWS_E_LIMIT, or the read callback's code. */
int pkiws__http1_read_response(pkiws__http1_reader *r, const pkiws__http1_limits *lim,
                               const char *url, pkiws__http1_response *resp, pkiws_buf *body);
/* The two halves of pkiws__http1_read_response (for CONNECT answers: the head only). */
int pkiws__http1_read_head(pkiws__http1_reader *r, const pkiws__http1_limits *lim, const char *url,
                           pkiws__http1_response *resp);
int pkiws__http1_read_body(pkiws__http1_reader *r, const pkiws__http1_limits *lim, const char *url,
                           pkiws__http1_response *resp, pkiws_buf *body);

#endif
