/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the PKCS#7 certs-only reader (src/crypto/pkcs7.c) on DER, PEM or base64, as a
 * CA's binarySecurityToken. Invariants: all or nothing (a failure leaves the list as it was),
 * and what was read survives a round trip through the writer: same certificates, same order.
 */
#include "pkiws_internal.h"

#include "crypto/crypto.h"
#include "fuzz.h"

static int same_der(const pkiws__cert *a, const pkiws__cert *b)
{
    size_t la, lb;
    const uint8_t *da = pkiws__cert_der(a, &la), *db = pkiws__cert_der(b, &lb);
    return la == lb && !memcmp(da, db, la);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pkiws__certlist l = {0};
    pkiws__err_clear();
    int rc = pkiws__pkcs7_parse(data, size, &l);
    fuzz_check_rc(rc, "pkiws__pkcs7_parse");
    if (rc) {
        if (l.n || l.v)
            fuzz_fail("pkiws__pkcs7_parse failed but changed the list");
        return 0;
    }
    if (!l.n)
        fuzz_fail("pkiws__pkcs7_parse succeeded without a certificate");
    for (size_t i = 0; i < l.n; i++) {
        const pkiws__cert_info *info = pkiws__cert_get_info(l.v[i]);
        if (!info || !info->subject || !info->issuer || !info->serial || !info->thumbprint)
            fuzz_fail("certificate %zu without subject, issuer, serial or thumbprint", i);
    }
    pkiws_buf p7 = PKIWS_BUF_INIT;
    pkiws__err_clear();
    rc = pkiws__pkcs7_write(&l, &p7);
    fuzz_check_rc(rc, "pkiws__pkcs7_write");
    if (!rc) {
        pkiws__certlist again = {0};
        pkiws__err_clear();
        rc = pkiws__pkcs7_parse(p7.data, p7.len, &again);
        if (rc)
            fuzz_fail("the PKCS#7 written from %zu certificates does not read back: %s", l.n,
                      pkiws__err_message());
        if (again.n != l.n)
            fuzz_fail("round trip: %zu certificates became %zu", l.n, again.n);
        for (size_t i = 0; i < l.n; i++)
            if (!same_der(l.v[i], again.v[i]))
                fuzz_fail("round trip: certificate %zu changed", i);
        pkiws__certlist_dispose(&again);
    }
    pkiws__buf_dispose(&p7);
    pkiws__certlist_dispose(&l);
    return 0;
}
