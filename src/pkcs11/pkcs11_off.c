/* SPDX-License-Identifier: MIT */
/* Built without the p11-kit headers: no PKCS#11 credential. */
#include "pkiws_internal.h"

#include "pkcs11/pkcs11.h"

int pkiws__pkcs11_open(const char *module_path, const char *uri, const char *pin,
                       pkiws__signer **signer, pkiws_buf *cert_der, pkiws_buf *label)
{
    (void)module_path;
    (void)uri;
    (void)pin;
    (void)cert_der;
    (void)label;
    *signer = NULL;
    return pkiws__fail(PKIWS_E_UNSUPPORTED, "this pkiws was built without PKCS#11 support (the "
                                            "p11-kit headers, libp11-kit-dev, were missing)");
}
