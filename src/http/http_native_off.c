/* SPDX-License-Identifier: MIT */
/*
 * -Dnative=false: the native transport (http_native.c over tls_mbedtls.c) is left out of the
 * library. Its entry points stay, so that the exports and the ABI are those of the full build;
 * choosing the native transport fails with PKIWS_E_UNSUPPORTED.
 */
#include "pkiws_internal.h"

#include "http/backends.h"

const pkiws__http_methods *pkiws__http_native_methods(void)
{
    return NULL;
}

int pkiws__http_native_open(pkiws__http *h, pkiws__tls *tls, const pkiws__http_config *cfg)
{
    (void)tls;
    (void)cfg;
    h->m = NULL;
    h->ctx = NULL;
    return pkiws__fail(PKIWS_E_UNSUPPORTED,
                       "the native transport is not built into this library (-Dnative=false)");
}

int pkiws__http_proxy_tunnel(pkiws_tls_io *io, const char *host, int port, const char *credentials,
                             int *permanent)
{
    (void)io;
    (void)host;
    (void)port;
    (void)credentials;
    *permanent = 1;
    return pkiws__fail(PKIWS_E_UNSUPPORTED,
                       "the proxy tunnel probe needs the native transport, which is not built "
                       "into this library (-Dnative=false)");
}
