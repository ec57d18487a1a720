/* SPDX-License-Identifier: MIT */
/* The pass-through test TLS backend (see tls_plain.h). */
#include "tls_plain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct plain_conn {
    tls_plain_counters *counters;
    pkiws_tls_io *io;
} plain_conn;

static int plain_config_new(void *backend, const pkiws_tls_params *params, void **out)
{
    int64_t minv = 0;
    if (pkiws_tls_params_int(params, PKIWS_TLS_MIN_VERSION, &minv) || minv != 0x0303)
        return pkiws_backend_fail(PKIWS_E_BACKEND, PKIWS_CAUSE_NONE, NULL, 0,
                                  "plain: unexpected minimum TLS version");
    tls_plain_counters *c = backend;
    atomic_fetch_add(&c->configs, 1);
    *out = c;
    return PKIWS_OK;
}

static void plain_config_free(void *config)
{
    (void)config;
}

static int plain_connect(void *config, const pkiws_tls_params *params, pkiws_tls_io *io, void **out)
{
    tls_plain_counters *c = config;
    const char *host = NULL;
    int64_t port = 0;
    if (pkiws_tls_params_str(params, PKIWS_TLS_HOST, &host) ||
        pkiws_tls_params_int(params, PKIWS_TLS_PORT, &port))
        return PKIWS_E_BACKEND;
    snprintf(c->last_host, sizeof c->last_host, "%s", host);
    c->last_port = (int)port;
    plain_conn *p = calloc(1, sizeof *p);
    if (!p)
        return PKIWS_E_NOMEM;
    p->counters = c;
    p->io = io;
    atomic_fetch_add(&c->connects, 1);
    atomic_fetch_add(&c->live_conns, 1);
    *out = p;
    return PKIWS_OK;
}

static int plain_handshake(void *conn)
{
    plain_conn *p = conn;
    atomic_fetch_add(&p->counters->handshakes, 1);
    return PKIWS_OK;
}

static int plain_read(void *conn, uint8_t *buf, size_t cap, size_t *n)
{
    plain_conn *p = conn;
    return pkiws_tls_io_recv(p->io, buf, cap, n);
}

static int plain_write(void *conn, const uint8_t *buf, size_t len, size_t *n)
{
    plain_conn *p = conn;
    return pkiws_tls_io_send(p->io, buf, len, n);
}

static void plain_close(void *conn)
{
    plain_conn *p = conn;
    atomic_fetch_add(&p->counters->closes, 1);
    atomic_fetch_sub(&p->counters->live_conns, 1);
    free(p);
}

static const pkiws_tls_methods plain_methods = {
    .size = sizeof(pkiws_tls_methods),
    .abi = PKIWS_TLS_ABI_1,
    .name = "plain-test",
    .config_new = plain_config_new,
    .config_free = plain_config_free,
    .connect = plain_connect,
    .handshake = plain_handshake,
    .read = plain_read,
    .write = plain_write,
    .close = plain_close,
};

const pkiws_tls_methods *tls_plain_methods(void)
{
    return &plain_methods;
}
