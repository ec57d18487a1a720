/* SPDX-License-Identifier: MIT */
/* A pass-through "TLS" backend for tests: no encryption, bytes go straight to the pkiws_tls_io.
 * Written only against <pkiws/backend.h>, like a host's plug-in; counts its hook calls. */
#ifndef TLS_PLAIN_H
#define TLS_PLAIN_H

#include <stdatomic.h>

#include <pkiws/backend.h>

typedef struct tls_plain_counters {
    atomic_int configs, connects, handshakes, closes, live_conns;
    char last_host[256];
    int last_port;
} tls_plain_counters;

/* The table; pass a tls_plain_counters as the backend. */
const pkiws_tls_methods *tls_plain_methods(void);

#endif
