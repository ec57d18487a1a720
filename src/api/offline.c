/* SPDX-License-Identifier: MIT */
/* Offline utilities: thumbprints, RA CSR, PFX packaging and inspection. */
#include "pkiws_internal.h"

#include "api/api_int.h"
#include "core/offline.h"
#include "core/settings.h"

PKIWS_API int pkiws_thumbprint_normalize(const char *text, char **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_thumbprint_normalize", "out is NULL");
    *out = NULL;
    pkiws_buf b = PKIWS_BUF_INIT;
    int rc = pkiws__thumbprint_normalize(text, &b);
    if (rc) {
        pkiws__buf_dispose(&b);
        return rc;
    }
    *out = (char *)pkiws__buf_detach(&b, NULL);
    return *out ? PKIWS_OK : PKIWS_E_NOMEM;
}

PKIWS_API int pkiws_thumbprint(const void *data, size_t len, const char *password, char **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_thumbprint", "out is NULL");
    *out = NULL;
    if (!data || !len)
        return pkiws__arg_fail("pkiws_thumbprint", "no data");
    char tp[41];
    int rc = pkiws__thumbprint_of(data, len, password, tp);
    if (rc)
        return rc;
    *out = pkiws__strdup(tp);
    return *out ? PKIWS_OK : PKIWS_E_NOMEM;
}

PKIWS_API int pkiws_ra_csr(const char *subject_dn, int key_type, char **key_pem, char **csr_pem)
{
    PKIWS__ENTER();
    if (!key_pem || !csr_pem)
        return pkiws__arg_fail("pkiws_ra_csr", "key_pem or csr_pem is NULL");
    *key_pem = *csr_pem = NULL;
    if (key_type < PKIWS_KEY_RSA2048 || key_type > PKIWS_KEY_EC_P384)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_ra_csr: key type %d is not a PKIWS_KEY_*",
                           key_type);
    pkiws_buf key = PKIWS_BUF_INIT, csr = PKIWS_BUF_INIT;
    key.secret = 1;
    int rc = pkiws__make_ra_csr(subject_dn, key_type, &key, &csr);
    if (rc) {
        pkiws__buf_dispose(&key);
        pkiws__buf_dispose(&csr);
        return rc;
    }
    *key_pem = (char *)pkiws__buf_detach(&key, NULL);
    *csr_pem = (char *)pkiws__buf_detach(&csr, NULL);
    if (!*key_pem || !*csr_pem) {
        pkiws__free_secret(*key_pem, 0);
        pkiws__free(*csr_pem);
        *key_pem = *csr_pem = NULL;
        return PKIWS_E_NOMEM;
    }
    return PKIWS_OK;
}

PKIWS_API int pkiws_key_encrypt(const void *key, size_t len, const char *key_password,
                                const char *password, char **pem)
{
    PKIWS__ENTER();
    if (!pem)
        return pkiws__arg_fail("pkiws_key_encrypt", "pem is NULL");
    *pem = NULL;
    if (!key || !len)
        return pkiws__arg_fail("pkiws_key_encrypt", "no key");
    pkiws__key *k = NULL;
    int rc = pkiws__key_parse(key, len, key_password, &k);
    if (rc)
        return rc;
    pkiws_buf out = PKIWS_BUF_INIT;
    out.secret = 1;
    rc = pkiws__key_pkcs8_encrypted_pem(k, password, &out);
    pkiws__key_free(k);
    if (rc) {
        pkiws__buf_dispose(&out);
        return rc;
    }
    *pem = (char *)pkiws__buf_detach(&out, NULL);
    return *pem ? PKIWS_OK : PKIWS_E_NOMEM;
}

PKIWS_API int pkiws_pfx_package(const void *cert, size_t cert_len, const void *key, size_t key_len,
                                const char *key_password, const void *chain, size_t chain_len,
                                const char *password, int preset, const char *friendly_name,
                                uint8_t **out, size_t *out_len)
{
    PKIWS__ENTER();
    if (!out || !out_len)
        return pkiws__arg_fail("pkiws_pfx_package", "out or out_len is NULL");
    *out = NULL;
    *out_len = 0;
    if (!cert || !cert_len || !key || !key_len)
        return pkiws__arg_fail("pkiws_pfx_package", "certificate or key is missing");
    if (!password)
        return pkiws__arg_fail("pkiws_pfx_package", "password is NULL (use \"\" for none)");
    if (preset != PKIWS_PFX_LEGACY && preset != PKIWS_PFX_MODERN)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "PFX preset %d is not PKIWS_PFX_LEGACY (1) or MODERN (2)", preset);
    pkiws__pfx_opts opts = {preset, password, friendly_name, 0};
    pkiws_buf pfx = PKIWS_BUF_INIT;
    int rc = pkiws__package_pfx(cert, cert_len, key, key_len, key_password, chain,
                                chain ? chain_len : 0, &opts, &pfx);
    if (rc) {
        pkiws__buf_dispose(&pfx);
        return rc;
    }
    *out = pkiws__buf_detach(&pfx, out_len);
    return *out ? PKIWS_OK : PKIWS_E_NOMEM;
}

PKIWS_API int pkiws_pfx_inspect(const void *pfx, size_t len, const char *password,
                                pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_pfx_inspect", "out is NULL");
    *out = NULL;
    if (!pfx || !len)
        return pkiws__arg_fail("pkiws_pfx_inspect", "no PFX data");
    pkiws_result *r = pkiws__result_new();
    if (!r)
        return PKIWS_E_NOMEM;
    pkiws__pfx_contents c;
    memset(&c, 0, sizeof c);
    int rc = pkiws__pfx_read(pfx, len, password ? password : "", &c);
    /* no end-entity certificate (a PFX of CA certificates): described all the same, every
     * certificate in the chain, no SUBJECT; no certificate at all: a failure */
    if (!rc && !c.leaf && c.others.n == 0)
        rc = pkiws__pfx_fail_no_leaf(&c);
    if (!rc && c.leaf)
        rc = pkiws__result_set_cert(r, c.leaf);
    for (size_t i = 0; !rc && i < c.others.n; i++) {
        size_t n;
        const uint8_t *der = pkiws__cert_der(c.others.v[i], &n);
        rc = pkiws__result_add_chain(r, der, n);
    }
    if (!rc)
        rc = pkiws__result_set_int(r, PKIWS_RESULT_CHAIN_LENGTH, (int64_t)c.others.n);
    if (!rc)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_MAC_ALG, c.mac_alg);
    if (!rc)
        rc = pkiws__result_set_int(r, PKIWS_RESULT_MAC_ITERATIONS, c.mac_iterations);
    if (!rc && c.key) /* absent when the PFX holds no key */
        rc = pkiws__result_set_str(r, PKIWS_RESULT_KEY_BAG_ALG, c.key_bag_alg);
    if (!rc)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_CERT_BAG_ALG, c.cert_bag_alg);
    if (!rc && c.friendly_name)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_FRIENDLY_NAME, c.friendly_name);
    pkiws__pfx_contents_dispose(&c);
    if (rc) {
        pkiws__result_fail(r, rc);
        *out = r;
        return rc;
    }
    *out = r;
    return PKIWS_OK;
}
