/* SPDX-License-Identifier: MIT */
/*
 * The HTTP transports beside libcurl: the native one (pkiws's HTTP/1.1 client over a TLS
 * backend) and the adapter for a host's pkiws_http_methods. Both fill a pkiws__http (http.h)
 * so that the core dispatches to them like to the curl backend.
 */
#ifndef PKIWS_HTTP_BACKENDS_H
#define PKIWS_HTTP_BACKENDS_H

#include <pkiws/backend.h>

#include "http/http.h"
#include "tls/tls.h"

/* ---- native (http_native.c) ---- */

/* The native transport over the built-in mbedTLS backend, as an ordinary methods table
 * (pkiws__http_open(h, pkiws__http_native_methods(), cfg)). */
const pkiws__http_methods *pkiws__http_native_methods(void);
/* The native transport over TLS backend tls (NULL: the built-in), which it keeps a reference
 * to. A certificate without key in cfg needs a TLS backend with a sign hook. */
int pkiws__http_native_open(pkiws__http *h, pkiws__tls *tls, const pkiws__http_config *cfg);
/* Open an HTTP CONNECT tunnel to host:port over io (connected to the proxy; its deadline
 * applies), with Basic proxy authentication when credentials ("user:password", a secret) are
 * given. Failures: PKIWS_E_CONNECT (407 with the proxy-authentication remedy, other refusals),
 * PKIWS_E_PROTOCOL, PKIWS_E_TIMEOUT; *permanent is 1 when retrying cannot help (407, 403). */
int pkiws__http_proxy_tunnel(pkiws_tls_io *io, const char *host, int port, const char *credentials,
                             int *permanent);

/* ---- host plug-ins (http_plugin.c) ---- */

/* Items served to plug-ins beyond the public enums of backend.h, by value (their public names
 * are proposed as PKIWS_HTTP_PROXY_CREDENTIALS and PKIWS_HTTP_RESP_RESENT):
 * - the proxy credentials, "user:password" for Basic proxy authentication (a secret: wiped when
 *   the transport closes), NULL without; only with PKIWS_HTTP_CAP_PROXY;
 * - the response flag "the backend sent the request a second time on its own" (as libcurl
 *   does when a reused connection died before any answer), so that attempts count it. */
#define PKIWS__HTTP_PROXY_CREDENTIALS PKIWS_HTTP_PROXY_CREDENTIALS
#define PKIWS__HTTP_RESP_RESENT PKIWS_HTTP_RESP_RESENT

/* A validated, copied pkiws_http_methods with its backend object; reference-counted. */
typedef struct pkiws__http_plugin pkiws__http_plugin;

/* Validate and copy a host's table (style.md §2.12). On failure nothing is kept and the
 * backend stays the caller's; on success the last unref calls backend_free(backend). */
int pkiws__http_plugin_new(const pkiws_http_methods *m, void *backend, void (*backend_free)(void *),
                           pkiws__http_plugin **out);
pkiws__http_plugin *pkiws__http_plugin_ref(pkiws__http_plugin *p);
void pkiws__http_plugin_unref(pkiws__http_plugin *p);
const char *pkiws__http_plugin_name(const pkiws__http_plugin *p);
/* Open a transport that performs through the plug-in (copies what it needs of cfg). A
 * configured proxy needs PKIWS_HTTP_CAP_PROXY. */
int pkiws__http_plugin_open(pkiws__http *h, pkiws__http_plugin *p, const pkiws__http_config *cfg);

/* The implementations behind the public request/response accessors of backend.h (the
 * exported names are thin forwarders in src/api/backend.c). */
int pkiws__http_req_int(const pkiws_http_req *req, int item, int64_t *out);
int pkiws__http_req_str(const pkiws_http_req *req, int item, const char **out);
int pkiws__http_req_blob(const pkiws_http_req *req, int item, const uint8_t **data, size_t *len);
size_t pkiws__http_req_header_count(const pkiws_http_req *req);
int pkiws__http_req_header(const pkiws_http_req *req, size_t index, const char **name,
                           const char **value);
int pkiws__http_resp_set_status(pkiws_http_resp *resp, int status);
int pkiws__http_resp_add_header(pkiws_http_resp *resp, const char *name, const char *value);
int pkiws__http_resp_append_body(pkiws_http_resp *resp, const void *data, size_t len);
int pkiws__http_resp_set_int(pkiws_http_resp *resp, int item, int64_t value);

#endif
