/* SPDX-License-Identifier: MIT */
/* RA credentials whose key stays outside pkiws: a host's signer callback, a PKCS#11 token. */
#include "pkiws_internal.h"

#include "api/api_int.h"
#include "pkcs11/pkcs11.h"

PKIWS_API int pkiws_session_set_ra_signer(pkiws_session *s, const void *cert_chain, size_t len,
                                          pkiws_sign_cb sign_cb, void *ctx)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_ra_signer");
    if (rc)
        return rc;
    if (!cert_chain || !len)
        return pkiws__arg_fail("pkiws_session_set_ra_signer", "no RA certificate");
    pkiws__signer *signer = NULL;
    if (sign_cb && (rc = pkiws__signer_new(sign_cb, ctx, NULL, 0, &signer)))
        return rc;
    pkiws__ra *ra = NULL;
    rc = pkiws__ra_from_signer(cert_chain, len, signer,
                               sign_cb ? "an RA signer" : "the TLS backend's sign hook",
                               pkiws__now(), &ra);
    return rc ? rc : pkiws__session_install_ra(s, ra);
}

PKIWS_API int pkiws_session_set_ra_pkcs11(pkiws_session *s, const char *module_path,
                                          const char *uri, const char *pin)
{
    PKIWS__ENTER();
    int rc = pkiws__check_session(s, "pkiws_session_set_ra_pkcs11");
    if (rc)
        return rc;
    if (!uri)
        return pkiws__arg_fail("pkiws_session_set_ra_pkcs11", "uri is NULL");
    pkiws__signer *signer = NULL;
    pkiws_buf cert = PKIWS_BUF_INIT, label = PKIWS_BUF_INIT;
    rc = pkiws__pkcs11_open(module_path, uri, pin, &signer, &cert, &label);
    pkiws__ra *ra = NULL;
    if (!rc)
        rc = pkiws__ra_from_signer(cert.data, cert.len, signer, pkiws__buf_cstr(&label),
                                   pkiws__now(), &ra);
    pkiws__buf_dispose(&cert);
    pkiws__buf_dispose(&label);
    return rc ? rc : pkiws__session_install_ra(s, ra);
}
