/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: X.509 certificate reading (src/crypto/cert*.c, certlist.c, pem.c): one
 * certificate (DER or PEM) with its facts, DN strings and SAN decoding, the PEM writer, and
 * PEM bundles. Invariants: the facts are valid UTF-8 text, the thumbprint is 40 upper-case hex
 * digits, a certificate written as PEM reads back to the same DER, and bundles are all or
 * nothing.
 */
#include "pkiws_internal.h"

#include "crypto/crypto.h"
#include "fuzz.h"

static void check_text(const char *s, const char *what)
{
    size_t bad;
    if (!s)
        fuzz_fail("certificate %s is NULL", what);
    if (!pkiws__utf8_valid(s, strlen(s), &bad))
        fuzz_fail("certificate %s is not UTF-8 at offset %zu", what, bad);
}

static void one(const pkiws__cert *c)
{
    const pkiws__cert_info *info = pkiws__cert_get_info(c);
    if (!info)
        fuzz_fail("certificate without facts");
    check_text(info->subject, "subject");
    check_text(info->issuer, "issuer");
    check_text(info->serial, "serial");
    check_text(info->thumbprint, "thumbprint");
    if (strlen(info->thumbprint) != 40 || strspn(info->thumbprint, "0123456789ABCDEF") != 40)
        fuzz_fail("thumbprint '%s' is not 40 upper-case hex digits", info->thumbprint);
    if (strspn(info->serial, "0123456789ABCDEF") != strlen(info->serial))
        fuzz_fail("serial '%s' is not upper-case hex", info->serial);

    pkiws__san_item *items = NULL;
    size_t n = 0;
    pkiws__err_clear();
    int rc = pkiws__cert_sans(c, &items, &n);
    fuzz_check_rc(rc, "pkiws__cert_sans");
    for (size_t i = 0; !rc && i < n; i++) {
        const pkiws__san_item *it = &items[i];
        if (it->kind == PKIWS__SAN_RFC822 || it->kind == PKIWS__SAN_DNS ||
            it->kind == PKIWS__SAN_UPN)
            check_text(it->value, "SAN value");
        if ((it->kind == PKIWS__SAN_UPN || it->kind == PKIWS__SAN_OTHERNAME) &&
            (!it->oid || !it->der || it->der_len < 2))
            fuzz_fail("otherName SAN %zu without OID or value", i);
    }
    pkiws__san_items_free(items, n);

    pkiws_buf pem = PKIWS_BUF_INIT;
    pkiws__err_clear();
    rc = pkiws__cert_pem(c, &pem);
    fuzz_check_rc(rc, "pkiws__cert_pem");
    if (!rc) {
        pkiws__cert *again = NULL;
        if (pkiws__cert_parse(pem.data, pem.len, &again))
            fuzz_fail("the PEM of a certificate does not read back: %s", pkiws__err_message());
        size_t la, lb;
        const uint8_t *a = pkiws__cert_der(c, &la), *b = pkiws__cert_der(again, &lb);
        if (la != lb || memcmp(a, b, la))
            fuzz_fail("PEM round trip changed the certificate");
        pkiws__cert_free(again);
    }
    pkiws__buf_dispose(&pem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pkiws__cert *c = NULL;
    pkiws__err_clear();
    int rc = pkiws__cert_parse(data, size, &c);
    fuzz_check_rc(rc, "pkiws__cert_parse");
    if (!rc)
        one(c);
    else if (c)
        fuzz_fail("pkiws__cert_parse failed but returned a certificate");
    pkiws__cert_free(c);

    pkiws__certlist l = {0};
    pkiws__err_clear();
    rc = pkiws__certs_parse_all(data, size, &l);
    fuzz_check_rc(rc, "pkiws__certs_parse_all");
    if (rc && l.n)
        fuzz_fail("pkiws__certs_parse_all failed but kept %zu certificates", l.n);
    pkiws__certlist_dispose(&l);
    return 0;
}
