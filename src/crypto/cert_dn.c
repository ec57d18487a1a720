/* SPDX-License-Identifier: MIT */
/* Distinguished name to text: real UTF-8, RFC 4514 escaping, RDNs in certificate (DER) order. */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

static const struct {
    const char *oid;
    size_t len;
    const char *name;
} short_names[] = {
    {MBEDTLS_OID_AT_CN, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN), "CN"},
    {MBEDTLS_OID_PKCS9_EMAIL, MBEDTLS_OID_SIZE(MBEDTLS_OID_PKCS9_EMAIL), "E"},
    {MBEDTLS_OID_AT_ORGANIZATION, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORGANIZATION), "O"},
    {MBEDTLS_OID_AT_ORG_UNIT, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_ORG_UNIT), "OU"},
    {MBEDTLS_OID_AT_LOCALITY, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_LOCALITY), "L"},
    {MBEDTLS_OID_AT_STATE, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_STATE), "ST"},
    {MBEDTLS_OID_AT_COUNTRY, MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_COUNTRY), "C"},
};

const char *pkiws__dn_short_name(const uint8_t *oid, size_t len)
{
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(short_names); i++)
        if (short_names[i].len == len && memcmp(short_names[i].oid, oid, len) == 0)
            return short_names[i].name;
    return NULL;
}

/* Next code point of a directory string of the given tag: 1 and *cp, 0 at the end, -1 when
 * the content is not valid for the tag. */
static int next_cp(int tag, const uint8_t *p, size_t len, size_t *i, uint32_t *cp)
{
    if (*i >= len)
        return 0;
    switch (tag) {
    case MBEDTLS_ASN1_UTF8_STRING: {
        size_t n = pkiws__utf8_next((const char *)p + *i, len - *i, cp);
        if (n == 0)
            return -1;
        *i += n;
        return 1;
    }
    case MBEDTLS_ASN1_PRINTABLE_STRING:
    case MBEDTLS_ASN1_IA5_STRING:
    case 0x12: /* NumericString */
    case 0x1A: /* VisibleString */
        if (p[*i] >= 0x80)
            return -1;
        *cp = p[(*i)++];
        return 1;
    case MBEDTLS_ASN1_T61_STRING: /* in practice Latin-1 */
        *cp = p[(*i)++];
        return 1;
    case MBEDTLS_ASN1_BMP_STRING: {
        if (len % 2)
            return -1;
        uint32_t u = (uint32_t)p[*i] << 8 | p[*i + 1];
        *i += 2;
        if (u >= 0xDC00 && u <= 0xDFFF)
            return -1;
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (*i + 2 > len)
                return -1;
            uint32_t lo = (uint32_t)p[*i] << 8 | p[*i + 1];
            if (lo < 0xDC00 || lo > 0xDFFF)
                return -1;
            *i += 2;
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        }
        *cp = u;
        return 1;
    }
    case MBEDTLS_ASN1_UNIVERSAL_STRING: {
        if (len % 4)
            return -1;
        uint32_t u = (uint32_t)p[*i] << 24 | (uint32_t)p[*i + 1] << 16 | (uint32_t)p[*i + 2] << 8 |
                     p[*i + 3];
        *i += 4;
        if (u > 0x10FFFF || (u >= 0xD800 && u <= 0xDFFF))
            return -1;
        *cp = u;
        return 1;
    }
    default:
        return -1;
    }
}

static void put_hex_form(pkiws_buf *out, const mbedtls_x509_buf *val)
{
    /* RFC 4514 2.4: '#' and the hex of the whole BER/DER encoding of the value */
    unsigned char hdr[6];
    size_t h = 0;
    hdr[h++] = (unsigned char)val->tag;
    if (val->len < 0x80) {
        hdr[h++] = (unsigned char)val->len;
    } else {
        size_t n = 0;
        for (size_t v = val->len; v; v >>= 8)
            n++;
        hdr[h++] = (unsigned char)(0x80 | n);
        for (size_t k = n; k > 0; k--)
            hdr[h++] = (unsigned char)(val->len >> (8 * (k - 1)));
    }
    pkiws__buf_putc(out, '#');
    pkiws__hex_encode(hdr, h, out);
    pkiws__hex_encode(val->p, val->len, out);
}

static void put_value(pkiws_buf *out, const mbedtls_x509_buf *val)
{
    size_t i = 0;
    uint32_t cp;
    int r;
    while ((r = next_cp(val->tag, val->p, val->len, &i, &cp)) == 1)
        ;
    if (r < 0) {
        put_hex_form(out, val);
        return;
    }
    i = 0;
    int first = 1;
    while (next_cp(val->tag, val->p, val->len, &i, &cp) == 1) {
        int last = i >= val->len;
        if (cp < 0x20 || cp == 0x7F) {
            pkiws__buf_printf(out, "\\%02X", (unsigned)cp);
        } else if ((cp < 0x80 && strchr("\"+,;<>\\", (int)cp)) ||
                   (first && (cp == ' ' || cp == '#')) || (last && cp == ' ')) {
            pkiws__buf_putc(out, '\\');
            pkiws__buf_putc(out, (char)cp);
        } else {
            pkiws__utf8_put(out, cp);
        }
        first = 0;
    }
}

int pkiws__dn_to_string(const mbedtls_x509_name *dn, pkiws_buf *out)
{
    int merged = 0;
    for (const mbedtls_x509_name *n = dn; n; n = n->next) {
        if (!n->oid.p) /* mbedTLS leaves an empty node for an empty name */
            continue;
        if (out->len)
            pkiws__buf_putc(out, merged ? '+' : ',');
        const char *sn = pkiws__dn_short_name(n->oid.p, n->oid.len);
        if (sn) {
            pkiws__buf_puts(out, sn);
        } else {
            pkiws_buf oid = PKIWS_BUF_INIT;
            if (pkiws__oid_decode(n->oid.p, n->oid.len, &oid) == PKIWS_OK)
                pkiws__buf_append(out, oid.data, oid.len);
            else
                pkiws__buf_puts(out, "?");
            pkiws__buf_dispose(&oid);
        }
        pkiws__buf_putc(out, '=');
        put_value(out, &n->val);
        merged = n->next_merged;
    }
    if (pkiws__buf_status(out) != PKIWS_OK)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory writing a distinguished name");
    return PKIWS_OK;
}
