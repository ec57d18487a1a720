/* SPDX-License-Identifier: MIT */
/* A PFX with the bags of two PFX files (tests of PFX files with two private keys): what
 * OpenSSL's PKCS12_add_safes() makes of two sets of safes. Neither `openssl pkcs12 -export`
 * nor Python's cryptography writes more than one key, so the tests merge two files made by
 * them (or by pkiws) under the same password: the AuthenticatedSafe of the result holds the
 * ContentInfos of the first file, then those of the second, and a new MAC (HMAC-SHA-256, 2048
 * iterations) covers it. `openssl pkcs12 -info` verifies that MAC and lists both keys. */
#ifndef PKIWS_TEST_PFX_MERGE_H
#define PKIWS_TEST_PFX_MERGE_H

#include "pkiws_internal.h"

#include "crypto/crypto.h"

/* The contents of the AuthenticatedSafe SEQUENCE of a PFX (its ContentInfos) appended to out. */
static int pfx_merge_safes_of(const uint8_t *der, size_t len, pkiws_buf *out)
{
    pkiws__pfx_der d, pfx, ci, ex, a, seq;
    uint32_t version;
    pkiws_buf auth = PKIWS_BUF_INIT;
    int rc;
    pkiws__pfx_der_init(&d, der, len, "PFX to merge");
    if ((rc = pkiws__pfx_der_get(&d, 0x30, "PFX", &pfx)) ||
        (rc = pkiws__pfx_der_get_uint(&pfx, "PFX.version", 3, &version)) ||
        (rc = pkiws__pfx_der_get(&pfx, 0x30, "authSafe", &ci)) ||
        (rc = pkiws__pfx_der_get(&ci, 0x06, "authSafe contentType", NULL)) ||
        (rc = pkiws__pfx_der_get(&ci, 0xA0, "authSafe content", &ex)) ||
        (rc = pkiws__pfx_der_get_octets(&ex, 0x04, "authSafe OCTET STRING", &auth)))
        goto out;
    pkiws__pfx_der_init(&a, auth.data, auth.len, "AuthenticatedSafe to merge");
    if (!(rc = pkiws__pfx_der_get(&a, 0x30, "AuthenticatedSafe", &seq)))
        rc = pkiws__buf_append(out, seq.p, (size_t)(seq.end - seq.p));
out:
    pkiws__buf_dispose(&auth);
    return rc;
}

/* PFX a and b (both readable with @p password) into one PFX in *out. */
static int pfx_merge(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                     const char *password, pkiws_buf *out)
{
    static const uint8_t oid_data[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
    static const uint8_t oid_sha256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
    static const uint8_t salt[8] = {0x70, 0x6b, 0x69, 0x77, 0x73, 0x32, 0x6b, 0x79};
    const unsigned iterations = 2048;
    pkiws_buf safes = PKIWS_BUF_INIT, auth = PKIWS_BUF_INIT, bmp = PKIWS_BUF_INIT;
    pkiws_buf t = PKIWS_BUF_INIT, u = PKIWS_BUF_INIT, body = PKIWS_BUF_INIT;
    uint8_t mac[64];
    size_t mac_len = 0;
    int rc;
    if ((rc = pfx_merge_safes_of(a, a_len, &safes)) ||
        (rc = pfx_merge_safes_of(b, b_len, &safes)) ||
        (rc = pkiws__pfx_der_put(&auth, 0x30, safes.data, safes.len)) ||
        (rc = pkiws__pfx_bmp_password(password, &bmp)) ||
        (rc = pkiws__pfx_mac(PKIWS__PFX_MD_SHA256, bmp.data, bmp.len, salt, sizeof salt, iterations,
                             auth.data, auth.len, mac, &mac_len)))
        goto out;
    /* PFX { 3, ContentInfo { data, [0] OCTET STRING auth }, MacData } */
    pkiws__pfx_der_put_uint(&body, 3);
    pkiws__pfx_der_put(&u, 0x04, auth.data, auth.len);
    pkiws__pfx_der_put(&t, 0x06, oid_data, sizeof oid_data);
    pkiws__pfx_der_put(&t, 0xA0, u.data, u.len);
    pkiws__pfx_der_put(&body, 0x30, t.data, t.len);
    /* MacData { DigestInfo { { sha256, NULL }, mac }, salt, iterations } */
    pkiws__buf_clear(&t);
    pkiws__buf_clear(&u);
    pkiws__pfx_der_put(&t, 0x06, oid_sha256, sizeof oid_sha256);
    pkiws__pfx_der_put(&t, 0x05, NULL, 0);
    pkiws__pfx_der_put(&u, 0x30, t.data, t.len);
    pkiws__pfx_der_put(&u, 0x04, mac, mac_len);
    pkiws__buf_clear(&t);
    pkiws__pfx_der_put(&t, 0x30, u.data, u.len);
    pkiws__pfx_der_put(&t, 0x04, salt, sizeof salt);
    pkiws__pfx_der_put_uint(&t, iterations);
    pkiws__pfx_der_put(&body, 0x30, t.data, t.len);
    pkiws__pfx_der_put(out, 0x30, body.data, body.len);
    rc = pkiws__buf_status(&body) ? PKIWS_E_NOMEM : pkiws__buf_status(out);
out:
    pkiws__buf_dispose(&safes);
    pkiws__buf_dispose(&auth);
    pkiws__buf_dispose(&bmp);
    pkiws__buf_dispose(&t);
    pkiws__buf_dispose(&u);
    pkiws__buf_dispose(&body);
    return rc;
}

#endif
