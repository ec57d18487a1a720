/* SPDX-License-Identifier: MIT */
/* One client connection of pkiws-sim: TLS over a socket with per-request deadlines. */
#ifndef PKIWS_SIM_CONN_H
#define PKIWS_SIM_CONN_H

#include "sim.h"

typedef struct sim_conn {
    sim_server *srv;
    int fd; /* -1 once closed; closed only by the connection's own thread */
    mbedtls_ssl_context ssl;
    int64_t deadline; /* monotonic ms for the current read; 0: none */
    int timed_out;
    pkiws_buf in; /* received, not yet consumed: in.data[pos .. len) */
    size_t pos;
    char peer[64];
    unsigned long id;
    atomic_int done;
    pthread_t thread;
    struct sim_conn *next;
} sim_conn;

#define SIM_WRITE_TIMEOUT_MS 30000

/* Read up to n bytes: > 0 bytes, 0 at end of stream, < 0 on error or timeout
 * (c->timed_out says which). */
int sim_conn_read(sim_conn *c, void *buf, size_t n);
/* Write everything: 0, or -1 when the peer is gone. */
int sim_conn_write(sim_conn *c, const void *p, size_t n);
/* Close the socket: graceful (close_notify), plain (no close_notify: the peer sees the
 * connection end without an answer) or reset (TCP RST). */
enum { SIM_CLOSE_GRACEFUL, SIM_CLOSE_PLAIN, SIM_CLOSE_RESET };
void sim_conn_close(sim_conn *c, int how);

/* The HTTP/1.1 keep-alive loop of one connection (http.c). */
void sim_http_serve(sim_conn *c);

#endif
