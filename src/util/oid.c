/* SPDX-License-Identifier: MIT */
/* Dotted OIDs: validation and DER content encoding (mbedTLS 2.28 has no encoder). */
#include "pkiws_internal.h"

#include <stdio.h>

int pkiws__oid_valid(const char *dotted, const char **why)
{
    return pkiws__oid_check(dotted, why, NULL);
}

int pkiws__oid_check(const char *dotted, const char **why, size_t *pos)
{
    const char *dummy;
    size_t dpos;
    if (!why)
        why = &dummy;
    if (!pos)
        pos = &dpos;
    *pos = 0;
    if (!dotted || !*dotted) {
        *why = "it is empty";
        return 0;
    }
    size_t arcs = 0;
    const char *p = dotted;
    unsigned long long first = 0;
    while (1) {
        const char *start = p;
        *pos = (size_t)(p - dotted) + 1;
        unsigned long long v = 0;
        while (*p >= '0' && *p <= '9') {
            if (v > (UINT64_MAX - 9) / 10) {
                *why = "an arc is too large";
                return 0;
            }
            v = v * 10 + (unsigned)(*p - '0');
            p++;
        }
        if (p == start) {
            *why = (*p == '.' || *p == 0) ? "it has an empty arc"
                                          : "it has a character that is not a digit or a dot";
            return 0;
        }
        if (*start == '0' && p - start > 1) {
            *why = "an arc has a leading zero";
            return 0;
        }
        if (arcs == 0) {
            if (v > 2) {
                *why = "the first arc must be 0, 1 or 2";
                return 0;
            }
            first = v;
        } else if (arcs == 1 && first < 2 && v >= 40) {
            *why = "the second arc must be below 40 under arcs 0 and 1";
            return 0;
        }
        arcs++;
        if (*p == 0)
            break;
        if (*p != '.') {
            *why = "it has a character that is not a digit or a dot";
            *pos = (size_t)(p - dotted) + 1;
            return 0;
        }
        p++;
    }
    if (arcs < 2) {
        *why = "it needs at least two arcs";
        return 0;
    }
    return 1;
}

static int put_base128(pkiws_buf *out, unsigned long long v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)(v & 0x7F);
        v >>= 7;
    } while (v);
    for (size_t i = n; i > 0; i--) {
        uint8_t b = tmp[i - 1] | (i > 1 ? 0x80 : 0);
        if (pkiws__buf_append(out, &b, 1))
            return PKIWS_E_NOMEM;
    }
    return PKIWS_OK;
}

int pkiws__oid_encode(const char *dotted, pkiws_buf *out)
{
    const char *why;
    if (!pkiws__oid_valid(dotted, &why))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "'%s' is not a dotted OID: %s",
                           dotted ? dotted : "", why);
    const char *p = dotted;
    unsigned long long arcs[2] = {0, 0};
    size_t i = 0;
    while (*p) {
        unsigned long long v = 0;
        while (*p >= '0' && *p <= '9')
            v = v * 10 + (unsigned)(*p++ - '0');
        if (*p == '.')
            p++;
        if (i < 2) {
            arcs[i] = v;
            if (i == 1 && put_base128(out, arcs[0] * 40 + arcs[1]))
                return PKIWS_E_NOMEM;
        } else if (put_base128(out, v)) {
            return PKIWS_E_NOMEM;
        }
        i++;
    }
    return PKIWS_OK;
}

int pkiws__oid_decode(const uint8_t *p, size_t n, pkiws_buf *out)
{
    unsigned long long v = 0;
    int first = 1;
    if (!n || (p[n - 1] & 0x80))
        return pkiws__fail(PKIWS_E_PROTOCOL, "malformed OID encoding");
    for (size_t i = 0; i < n; i++) {
        if (v > (UINT64_MAX >> 7))
            return pkiws__fail(PKIWS_E_PROTOCOL, "OID arc too large");
        v = v << 7 | (p[i] & 0x7F);
        if (p[i] & 0x80)
            continue;
        int rc;
        if (first) {
            unsigned long long a = v < 40 ? 0 : v < 80 ? 1 : 2;
            rc = pkiws__buf_printf(out, "%llu.%llu", a, v - a * 40);
            first = 0;
        } else {
            rc = pkiws__buf_printf(out, ".%llu", v);
        }
        if (rc)
            return rc;
        v = 0;
    }
    return PKIWS_OK;
}
