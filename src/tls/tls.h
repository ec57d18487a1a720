/* SPDX-License-Identifier: MIT */
/*
 * The TLS layer under the native HTTP transport: validated copies of TLS backend tables (the
 * built-in mbedTLS one and host plug-ins, both through the public pkiws_tls_methods ABI), the
 * parameter objects they read, the TCP byte stream they talk over, and the dispatch that
 * turns their results into recorded pkiws failures. No dependency type crosses it.
 */
#ifndef PKIWS_TLS_H
#define PKIWS_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <pkiws/backend.h>

#include "crypto/signer.h"

/* ---- the byte stream (tls_io.c) ---------------------------------------------------------- */

/* A connected, non-blocking TCP socket with the deadline pkiws enforces on it. */
struct pkiws_tls_io {
    int fd;
    int64_t deadline;  /* pkiws__tls_now_ms() clock; 0: none */
    int64_t budget_ms; /* the timeout the deadline came from (messages) */
    const char *phase; /* "during the TLS handshake with", ... (messages; static text) */
    char what[280];    /* "host:port" */
    unsigned fail_seq; /* bumped by every failed send/recv */
    int last_rc;       /* code of the last failed send/recv */
    char last_msg[320];
    uint64_t sent, received;
};

/* Monotonic milliseconds. */
int64_t pkiws__tls_now_ms(void);
void pkiws__tls_io_init(pkiws_tls_io *io, int fd, const char *host, int port);
/* deadline 0: no deadline. */
void pkiws__tls_io_set_deadline(pkiws_tls_io *io, int64_t deadline, int64_t budget_ms,
                                const char *phase);
/* Record the io's last failure again (after a backend overwrote it); returns its code. */
int pkiws__tls_io_refail(const pkiws_tls_io *io);

/* Resolve host and connect to port before deadline (0: none) with a non-blocking connect;
 * TCP_NODELAY and SO_KEEPALIVE set; the socket stays non-blocking and close-on-exec. Failures:
 * PKIWS_E_CONNECT (resolution, refused, unreachable) or PKIWS_E_TIMEOUT (budget_ms named). */
int pkiws__tls_tcp_connect(const char *host, int port, int64_t deadline, int64_t budget_ms,
                           int *fd_out);
/* 1 when an idle kept-alive socket is still usable: no EOF, no error, no unread bytes. */
int pkiws__tls_tcp_idle_ok(int fd);
void pkiws__tls_tcp_close(int fd);

/* ---- backends (tls_plugin.c) ------------------------------------------------------------- */

/* Causes beyond the first four (public in backend.h); each selects its own remedy. */
#define PKIWS__CAUSE_TLS_PROTOCOL PKIWS_CAUSE_TLS_PROTOCOL
#define PKIWS__CAUSE_TLS_SERVER_EXPIRED PKIWS_CAUSE_TLS_SERVER_EXPIRED
#define PKIWS__CAUSE_TLS_SERVER_NOT_YET_VALID PKIWS_CAUSE_TLS_SERVER_NOT_YET_VALID
#define PKIWS__CAUSE_TLS_HANDSHAKE PKIWS_CAUSE_TLS_HANDSHAKE
#define PKIWS__CAUSE_TLS_NOT_TLS PKIWS_CAUSE_TLS_NOT_TLS
#define PKIWS__CAUSE_RA_EXPIRED PKIWS_CAUSE_RA_EXPIRED
#define PKIWS__CAUSE_PROXY_AUTH PKIWS_CAUSE_PROXY_AUTH

/* Check the size-first header of a plug-in table (xkbcommon rule): v1_size <= size <=
 * PKIWS_BACKEND_TABLE_MAX, bytes beyond ours zero. *copy_len = min(size, ours). */
int pkiws__backend_table_check(const void *table, size_t ours, size_t v1_size, const char *kind,
                               size_t *copy_len);
/* Check a table's name: non-empty printable ASCII/UTF-8, at most 64 bytes. */
int pkiws__backend_name_check(const char *name, const char *kind);
/* A counter bumped by every pkiws__backend_fail() on this thread (to tell whether a hook
 * recorded its failure itself). */
unsigned pkiws__backend_fail_seq(void);
/* Bump that counter: the caller has just recorded a backend failure with pkiws__fail*(). */
void pkiws__backend_note_fail(void);
/* 1 for the codes a transport hook may return. */
int pkiws__backend_code_ok(int code);

/* A validated, copied TLS table with its backend object; reference-counted, thread-safe. */
typedef struct pkiws__tls pkiws__tls;

/* Validate and copy a host table. On failure nothing is kept (backend stays the caller's). */
int pkiws__tls_new(const pkiws_tls_methods *m, void *backend, void (*backend_free)(void *),
                   pkiws__tls **out);
/* The built-in mbedTLS backend through the same dispatch. */
int pkiws__tls_builtin(pkiws__tls **out);
pkiws__tls *pkiws__tls_ref(pkiws__tls *t);
void pkiws__tls_unref(pkiws__tls *t); /* the last reference frees backend */
const char *pkiws__tls_name(const pkiws__tls *t);
/* 1 when the table has a usable sign hook (the RA key may then be external). */
int pkiws__tls_can_sign(const pkiws__tls *t);
/* 1 when a configuration of t takes the RA key as PEM even though pkiws has a signer for it: a
 * host table (ABI 1, deprecated), not the built-in (NULL: the built-in). */
int pkiws__tls_wants_key_pem(const pkiws__tls *t);

/* What a configuration is made from (copied). */
typedef struct pkiws__tls_settings {
    const uint8_t *client_cert_pem; /* RA certificate then chain; NULL: no client certificate */
    size_t client_cert_len;
    const uint8_t *client_key_pem; /* NULL with a certificate: the key is external (sign hook) */
    size_t client_key_len;
    const uint8_t *trust_pem; /* NULL: the system bundle */
    size_t trust_len;
} pkiws__tls_settings;

typedef struct pkiws__tls_config pkiws__tls_config;
int pkiws__tls_config_new(pkiws__tls *t, const pkiws__tls_settings *s, pkiws__tls_config **out);
/* The same with the RA signer (referenced), which signs for pkiws_tls_params_sign() when the
 * settings have a certificate and no key PEM; NULL: the table's sign hook. */
int pkiws__tls_config_new_signer(pkiws__tls *t, const pkiws__tls_settings *s, pkiws__signer *signer,
                                 pkiws__tls_config **out);
void pkiws__tls_config_free(pkiws__tls_config *c);

typedef struct pkiws__tls_conn pkiws__tls_conn;
/* connect() + handshake() over io (which must outlive the connection). */
int pkiws__tls_connect(pkiws__tls_config *c, const char *host, int port, pkiws_tls_io *io,
                       pkiws__tls_conn **out);
/* *n 0: end of stream. */
int pkiws__tls_read(pkiws__tls_conn *c, uint8_t *buf, size_t cap, size_t *n);
int pkiws__tls_write_all(pkiws__tls_conn *c, const uint8_t *buf, size_t len);
/* PKIWS_E_UNSUPPORTED when the backend cannot tell. */
int pkiws__tls_peer_chain(pkiws__tls_conn *c, pkiws_blob_cb cb, void *user_data);
void pkiws__tls_close(pkiws__tls_conn *c);

/* ---- the built-in backend (tls_mbedtls.c) ------------------------------------------------ */
const pkiws_tls_methods *pkiws__tls_mbedtls_methods(void);

/* The implementations behind the public TLS functions of backend.h (the exported names are
 * thin forwarders in src/api/backend.c). */
int pkiws__tls_io_send(pkiws_tls_io *io, const uint8_t *data, size_t len, size_t *n_out);
int pkiws__tls_io_recv(pkiws_tls_io *io, uint8_t *buf, size_t cap, size_t *n_out);
int pkiws__backend_fail(int code, int cause, const char *domain, int64_t native_code,
                        const char *message);
const pkiws_tls_methods *pkiws__tls_builtin_methods(void);
int pkiws__tls_params_int(const pkiws_tls_params *params, int item, int64_t *out);
int pkiws__tls_params_str(const pkiws_tls_params *params, int item, const char **out);
int pkiws__tls_params_blob(const pkiws_tls_params *params, int item, const uint8_t **data,
                           size_t *len);
int pkiws__tls_params_sign(const pkiws_tls_params *params, int alg, const uint8_t *hash,
                           size_t hash_len, uint8_t *sig, size_t cap, size_t *sig_len);

#endif
