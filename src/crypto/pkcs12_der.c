/* SPDX-License-Identifier: MIT */
/* Minimal forward DER writer and bounds-checked DER reader for the PKCS#12 code. */
#include "pkiws_internal.h"

#include "crypto/crypto.h"

int pkiws__pfx_der_put(pkiws_buf *b, uint8_t tag, const void *content, size_t len)
{
    uint8_t hdr[6];
    size_t h = 0;
    hdr[h++] = tag;
    if (len < 0x80) {
        hdr[h++] = (uint8_t)len;
    } else if (len <= 0xFF) {
        hdr[h++] = 0x81;
        hdr[h++] = (uint8_t)len;
    } else if (len <= 0xFFFF) {
        hdr[h++] = 0x82;
        hdr[h++] = (uint8_t)(len >> 8);
        hdr[h++] = (uint8_t)len;
    } else if (len <= 0xFFFFFF) {
        hdr[h++] = 0x83;
        hdr[h++] = (uint8_t)(len >> 16);
        hdr[h++] = (uint8_t)(len >> 8);
        hdr[h++] = (uint8_t)len;
    } else if (len <= 0xFFFFFFFFu) {
        hdr[h++] = 0x84;
        hdr[h++] = (uint8_t)(len >> 24);
        hdr[h++] = (uint8_t)(len >> 16);
        hdr[h++] = (uint8_t)(len >> 8);
        hdr[h++] = (uint8_t)len;
    } else {
        return pkiws__fail(PKIWS_E_LIMIT, "DER element of %zu bytes is too long to encode", len);
    }
    if (pkiws__buf_append(b, hdr, h) || pkiws__buf_append(b, content, len))
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory writing a DER element");
    return PKIWS_OK;
}

int pkiws__pfx_der_put_uint(pkiws_buf *b, uint32_t v)
{
    uint8_t c[5];
    size_t n = 0;
    int started = 0;
    for (int shift = 24; shift >= 0; shift -= 8) {
        uint8_t byte = (uint8_t)(v >> shift);
        if (!started && byte == 0 && shift)
            continue;
        if (!started && (byte & 0x80))
            c[n++] = 0; /* keep it positive */
        started = 1;
        c[n++] = byte;
    }
    return pkiws__pfx_der_put(b, 0x02, c, n);
}

void pkiws__pfx_der_init(pkiws__pfx_der *d, const uint8_t *p, size_t n, const char *where)
{
    d->p = p;
    d->end = p + n;
    d->base = p;
    d->where = where;
}

size_t pkiws__pfx_der_offset(const pkiws__pfx_der *d)
{
    return (size_t)(d->p - d->base);
}

int pkiws__pfx_der_peek(const pkiws__pfx_der *d)
{
    return d->p < d->end ? d->p[0] : -1;
}

int pkiws__pfx_der_get(pkiws__pfx_der *d, uint8_t tag, const char *what, pkiws__pfx_der *inner)
{
    size_t off = pkiws__pfx_der_offset(d);
    size_t left = (size_t)(d->end - d->p);
    if (left < 2)
        return pkiws__fail(PKIWS_E_CRYPTO, "%s: %s expected at offset %zu, but the data ends there",
                           d->where, what, off);
    const uint8_t *p = d->p;
    if (p[0] != tag)
        return pkiws__fail(PKIWS_E_CRYPTO,
                           "%s: %s expected at offset %zu (tag 0x%02X), found tag 0x%02X", d->where,
                           what, off, tag, p[0]);
    size_t len, hl;
    if (p[1] < 0x80) {
        len = p[1];
        hl = 2;
    } else if (p[1] == 0x80) {
        return pkiws__fail(PKIWS_E_CRYPTO,
                           "%s: %s at offset %zu has a BER indefinite length (only DER is read)",
                           d->where, what, off);
    } else {
        size_t nb = p[1] & 0x7Fu;
        if (nb > 4)
            return pkiws__fail(PKIWS_E_CRYPTO, "%s: %s at offset %zu has a %zu-byte length field",
                               d->where, what, off, nb);
        if (left - 2 < nb)
            return pkiws__fail(PKIWS_E_CRYPTO, "%s: %s at offset %zu: length field is truncated",
                               d->where, what, off);
        len = 0;
        for (size_t i = 0; i < nb; i++)
            len = len << 8 | p[2 + i];
        hl = 2 + nb;
    }
    if (len > left - hl)
        return pkiws__fail(PKIWS_E_CRYPTO,
                           "%s: %s at offset %zu claims %zu bytes but only %zu remain", d->where,
                           what, off, len, left - hl);
    if (inner) {
        inner->p = p + hl;
        inner->end = p + hl + len;
        inner->base = d->base;
        inner->where = d->where;
    }
    d->p = p + hl + len;
    return PKIWS_OK;
}

int pkiws__pfx_der_get_uint(pkiws__pfx_der *d, const char *what, uint32_t max, uint32_t *out)
{
    size_t off = pkiws__pfx_der_offset(d);
    pkiws__pfx_der in;
    int rc = pkiws__pfx_der_get(d, 0x02, what, &in);
    if (rc)
        return rc;
    size_t n = (size_t)(in.end - in.p);
    if (n == 0 || (in.p[0] & 0x80))
        return pkiws__fail(PKIWS_E_CRYPTO, "%s: %s at offset %zu is empty or negative", d->where,
                           what, off);
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (v > (uint64_t)max)
            break;
        v = v << 8 | in.p[i];
    }
    if (v > (uint64_t)max)
        return pkiws__fail(PKIWS_E_LIMIT, "%s: %s at offset %zu is larger than %u", d->where, what,
                           off, (unsigned)max);
    *out = (uint32_t)v;
    return PKIWS_OK;
}

int pkiws__pfx_der_get_octets(pkiws__pfx_der *d, uint8_t tag, const char *what, pkiws_buf *out)
{
    pkiws__pfx_der in;
    int rc;
    if (pkiws__pfx_der_peek(d) == (int)(tag | 0x20)) {
        /* BER constructed OCTET STRING (definite lengths): concatenate the primitive parts */
        if ((rc = pkiws__pfx_der_get(d, (uint8_t)(tag | 0x20), what, &in)))
            return rc;
        while (pkiws__pfx_der_peek(&in) >= 0) {
            pkiws__pfx_der part;
            if ((rc = pkiws__pfx_der_get(&in, 0x04, what, &part)))
                return rc;
            if (pkiws__buf_append(out, part.p, (size_t)(part.end - part.p)))
                return pkiws__fail(PKIWS_E_NOMEM, "out of memory reading %s", what);
        }
        return PKIWS_OK;
    }
    if ((rc = pkiws__pfx_der_get(d, tag, what, &in)))
        return rc;
    if (pkiws__buf_append(out, in.p, (size_t)(in.end - in.p)))
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory reading %s", what);
    return PKIWS_OK;
}

int pkiws__pfx_der_done(const pkiws__pfx_der *d, const char *what)
{
    if (d->p != d->end)
        return pkiws__fail(PKIWS_E_CRYPTO, "%s: %zu unexpected bytes at offset %zu after %s",
                           d->where, (size_t)(d->end - d->p), pkiws__pfx_der_offset(d), what);
    return PKIWS_OK;
}
