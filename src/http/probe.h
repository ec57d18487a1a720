/* SPDX-License-Identifier: MIT */
/* Network probes for the health check: name resolution and a TCP connect with a timeout. */
#ifndef PKIWS_HTTP_PROBE_H
#define PKIWS_HTTP_PROBE_H

#include <stddef.h>
#include <stdint.h>

/* Split https://host[:port]/path into host and port (443 by default). */
int pkiws__url_host_port(const char *url, char *host, size_t host_cap, unsigned *port);
/* PKIWS_OK when host resolves; *addr receives the first address as text. */
int pkiws__probe_resolve(const char *host, unsigned port, char *addr, size_t addr_cap);
/* PKIWS_OK when a TCP connection to host:port opens within timeout_ms. */
int pkiws__probe_connect(const char *host, unsigned port, int64_t timeout_ms);
/* PKIWS_OK when the HTTP proxy at proxy_host:proxy_port accepts a TCP connection and opens a
 * CONNECT tunnel to host:port within timeout_ms, authenticating with credentials
 * ("user:password", Basic; NULL: none). Failures name the proxy (PKIWS_E_CONNECT with the
 * proxy-authentication remedy for a 407, PKIWS_E_TIMEOUT, ...); *permanent as for
 * pkiws__http_proxy_tunnel. */
int pkiws__probe_tunnel(const char *proxy_host, unsigned proxy_port, const char *credentials,
                        const char *host, unsigned port, int64_t timeout_ms, int *permanent);

#endif
