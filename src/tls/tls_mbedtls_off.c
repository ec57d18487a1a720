/* SPDX-License-Identifier: MIT */
/* -Dnative=false: no built-in TLS backend (tls_mbedtls.c is left out with the native
 * transport); pkiws_tls_builtin_methods() returns NULL. */
#include "pkiws_internal.h"

#include "tls/tls.h"

const pkiws_tls_methods *pkiws__tls_mbedtls_methods(void)
{
    return NULL;
}
