/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <stdio.h>

#include "core/offline.h"
#include "core/san_int.h"
#include "core/settings.h"

int pkiws__make_ra_csr(const char *subject_dn, int key_type, pkiws_buf *key_pem, pkiws_buf *csr_pem)
{
    pkiws__dn dn;
    int rc = pkiws__dn_parse(subject_dn, &dn);
    if (rc)
        return rc;
    pkiws__dn_part *parts = pkiws__calloc(dn.n, sizeof *parts);
    pkiws__key *key = NULL;
    pkiws_buf der = PKIWS_BUF_INIT;
    if (!parts) {
        rc = PKIWS_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < dn.n; i++) {
        parts[i].type = dn.type[i];
        parts[i].value = dn.value[i];
    }
    if ((rc = pkiws__key_generate(key_type, &key)))
        goto out;
    rc = pkiws__csr_build(key, parts, dn.n, NULL, 0, PKIWS__CSR_KU_DS_KE | PKIWS__CSR_EKU_CLIENT,
                          &der);
    if (!rc)
        rc = pkiws__csr_pem(der.data, der.len, csr_pem);
    if (!rc)
        rc = pkiws__key_pkcs8_pem(key, key_pem);
out:
    pkiws__buf_dispose(&der);
    pkiws__key_free(key);
    pkiws__free(parts);
    pkiws__dn_dispose(&dn);
    return rc;
}

int pkiws__thumbprint_of(const uint8_t *data, size_t len, const char *password, char out[41])
{
    pkiws__cert *c = NULL;
    int rc = pkiws__cert_parse(data, len, &c);
    if (rc == PKIWS_OK) {
        snprintf(out, 41, "%s", pkiws__cert_get_info(c)->thumbprint);
        pkiws__cert_free(c);
        return PKIWS_OK;
    }
    if (rc == PKIWS_E_NOMEM)
        return rc;
    char cert_err[PKIWS_ERR_MSG_MAX];
    snprintf(cert_err, sizeof cert_err, "%s", pkiws__err_message());
    pkiws__pfx_contents pfx;
    memset(&pfx, 0, sizeof pfx);
    rc = pkiws__pfx_read(data, len, password ? password : "", &pfx);
    if (rc == PKIWS_OK && pfx.leaf) {
        snprintf(out, 41, "%s", pkiws__cert_get_info(pfx.leaf)->thumbprint);
    } else if (rc == PKIWS_OK) {
        rc = pkiws__pfx_fail_no_leaf(&pfx);
    } else if (rc != PKIWS_E_NOMEM && data[0] != 0x30) {
        rc = pkiws__fail(PKIWS_E_CRYPTO, "not a certificate (%s) nor a PFX", cert_err);
    }
    pkiws__pfx_contents_dispose(&pfx);
    return rc;
}

int pkiws__package_pfx(const uint8_t *cert, size_t cert_len, const uint8_t *key, size_t key_len,
                       const char *key_password, const uint8_t *chain, size_t chain_len,
                       const pkiws__pfx_opts *opts, pkiws_buf *out)
{
    pkiws__certlist certs = {0}, extra = {0};
    pkiws__key *k = NULL;
    int rc = pkiws__certs_parse_all(cert, cert_len, &certs);
    if (rc)
        goto out;
    if (certs.n == 0) {
        rc = pkiws__fail(PKIWS_E_CRYPTO, "the certificate input holds no certificate");
        goto out;
    }
    if (chain && chain_len && (rc = pkiws__certs_parse_all(chain, chain_len, &certs)))
        goto out;
    if ((rc = pkiws__key_parse(key, key_len, key_password, &k)))
        goto out;
    /* The leaf is the certificate that matches the key; the rest is the chain, in order. */
    size_t leaf = certs.n;
    for (size_t i = 0; i < certs.n; i++)
        if (pkiws__cert_matches_key(certs.v[i], k)) {
            leaf = i;
            break;
        }
    if (leaf == certs.n) {
        rc = pkiws__fail(PKIWS_E_CRYPTO,
                         "the private key belongs to none of the %zu certificate(s) given "
                         "(first: '%s')",
                         certs.n, pkiws__cert_get_info(certs.v[0])->subject);
        goto out;
    }
    for (size_t i = 0; i < certs.n && rc == PKIWS_OK; i++) {
        if (i == leaf)
            continue;
        rc = pkiws__certlist_add(&extra, certs.v[i]);
        certs.v[i] = NULL;
    }
    if (!rc)
        rc = pkiws__pfx_write(k, certs.v[leaf], &extra, opts, out);
out:
    pkiws__key_free(k);
    pkiws__certlist_dispose(&extra);
    pkiws__certlist_dispose(&certs);
    return rc;
}

int pkiws__check_key_policy(const pkiws__template *t, int key_type, pkiws__resolution *res)
{
    return pkiws__verify_key(t, key_type, res); /* the rule lives in core/verify.c */
}
