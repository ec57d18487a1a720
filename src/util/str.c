/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <errno.h>
#include <stdio.h>

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

int pkiws__strcaseeq(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    while (*a && *b && lower((unsigned char)*a) == lower((unsigned char)*b)) {
        a++;
        b++;
    }
    return *a == 0 && *b == 0;
}

int pkiws__strncaseeq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
        if (!a[i])
            return 1;
    }
    return 1;
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

const char *pkiws__trim(const char *s, size_t len, size_t *out_len)
{
    while (len && is_space((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && is_space((unsigned char)s[len - 1]))
        len--;
    *out_len = len;
    return s;
}

int pkiws__is_blank(const char *s)
{
    if (!s)
        return 1;
    for (; *s; s++)
        if (!is_space((unsigned char)*s))
            return 0;
    return 1;
}

int pkiws__hex_encode(const uint8_t *p, size_t n, pkiws_buf *out)
{
    static const char digits[] = "0123456789ABCDEF";
    if (pkiws__buf_grow(out, n * 2))
        return PKIWS_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        out->data[out->len++] = (uint8_t)digits[p[i] >> 4];
        out->data[out->len++] = (uint8_t)digits[p[i] & 15];
    }
    out->data[out->len] = 0;
    return PKIWS_OK;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int pkiws__hex_decode(const char *s, size_t len, pkiws_buf *out)
{
    if (len % 2)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "odd number of hex digits (%zu)", len);
    for (size_t i = 0; i < len; i += 2) {
        int hi = hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[i + 1]);
        if (hi < 0 || lo < 0)
            return pkiws__fail(PKIWS_E_INVALID_ARG, "'%c' at position %zu is not a hex digit",
                               hi < 0 ? s[i] : s[i + 1], hi < 0 ? i + 1 : i + 2);
        uint8_t byte = (uint8_t)(hi << 4 | lo);
        if (pkiws__buf_append(out, &byte, 1))
            return PKIWS_E_NOMEM;
    }
    return PKIWS_OK;
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int pkiws__b64_encode(const uint8_t *p, size_t n, pkiws_buf *out)
{
    if (pkiws__buf_grow(out, (n + 2) / 3 * 4))
        return PKIWS_E_NOMEM;
    char *o = (char *)out->data + out->len;
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = b64chars[v >> 18];
        *o++ = b64chars[(v >> 12) & 63];
        *o++ = b64chars[(v >> 6) & 63];
        *o++ = b64chars[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        *o++ = b64chars[v >> 18];
        *o++ = b64chars[(v >> 12) & 63];
        *o++ = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    out->len = (size_t)((uint8_t *)o - out->data);
    out->data[out->len] = 0;
    return PKIWS_OK;
}

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int pkiws__b64_decode(const char *s, size_t len, pkiws_buf *out)
{
    uint32_t acc = 0;
    int bits = 0, pad = 0;
    size_t nchars = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (is_space(c))
            continue;
        if (c == '=') {
            pad++;
            nchars++;
            continue;
        }
        int v = b64val(c);
        if (v < 0 || pad)
            return pkiws__fail(PKIWS_E_PROTOCOL, "base64 text has '%c' (0x%02X) at offset %zu",
                               (c >= 0x20 && c < 0x7f) ? c : '?', (unsigned)c, i);
        nchars++;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            uint8_t byte = (uint8_t)(acc >> bits);
            if (pkiws__buf_append(out, &byte, 1))
                return PKIWS_E_NOMEM;
        }
    }
    if (nchars % 4 || pad > 2)
        return pkiws__fail(PKIWS_E_PROTOCOL, "base64 text is truncated (%zu characters)", nchars);
    return PKIWS_OK;
}

int pkiws__utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = pkiws__utf8_next(s + i, len - i, &cp);
        if (!n) {
            if (bad_offset)
                *bad_offset = i;
            return 0;
        }
        i += n;
    }
    return 1;
}

size_t pkiws__utf8_next(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!len)
        return 0;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t n;
    uint32_t v, min;
    if ((p[0] & 0xE0) == 0xC0) {
        n = 2;
        v = p[0] & 0x1F;
        min = 0x80;
    } else if ((p[0] & 0xF0) == 0xE0) {
        n = 3;
        v = p[0] & 0x0F;
        min = 0x800;
    } else if ((p[0] & 0xF8) == 0xF0) {
        n = 4;
        v = p[0] & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

int pkiws__utf8_put(pkiws_buf *b, uint32_t cp)
{
    uint8_t t[4];
    size_t n;
    if (cp < 0x80) {
        t[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        t[0] = (uint8_t)(0xC0 | cp >> 6);
        t[1] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        t[0] = (uint8_t)(0xE0 | cp >> 12);
        t[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        t[0] = (uint8_t)(0xF0 | cp >> 18);
        t[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return pkiws__buf_append(b, t, n);
}

void pkiws__redact(const char *in, char *out, size_t cap)
{
    if (!cap)
        return;
    if (!in || !*in) {
        snprintf(out, cap, "%s", "");
        return;
    }
    const char *at = strchr(in, '@');
    uint32_t cp;
    size_t first = pkiws__utf8_next(in, strlen(in), &cp);
    if (!first)
        first = 1;
    if (at && at != in)
        snprintf(out, cap, "%.*s***%s", (int)first, in, at);
    else
        snprintf(out, cap, "%.*s***", (int)first, in);
}

int pkiws__file_read(const char *path, size_t max, pkiws_buf *out)
{
    if (!max)
        max = 64u << 20;
    FILE *f = fopen(path, "rb");
    if (!f)
        return pkiws__fail(PKIWS_E_IO, "cannot open '%s': %s", path, strerror(errno));
    uint8_t chunk[8192];
    size_t n;
    int rc = PKIWS_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (out->len + n > max) {
            rc = pkiws__fail(PKIWS_E_LIMIT, "'%s' is larger than %zu bytes", path, max);
            break;
        }
        if (pkiws__buf_append(out, chunk, n)) {
            rc = PKIWS_E_NOMEM;
            break;
        }
    }
    if (rc == PKIWS_OK && ferror(f))
        rc = pkiws__fail(PKIWS_E_IO, "cannot read '%s': %s", path, strerror(errno));
    fclose(f);
    if (rc == PKIWS_OK && pkiws__buf_grow(out, 0))
        rc = PKIWS_E_NOMEM;
    return rc;
}

size_t pkiws__http_body_offset(const char *data, size_t len)
{
    size_t off = 0;
    while (len - off >= 5 && memcmp(data + off, "HTTP/", 5) == 0) {
        size_t i = off, body = 0;
        for (; i + 1 < len; i++) {
            if (data[i] == '\n' && data[i + 1] == '\n') {
                body = i + 2;
                break;
            }
            if (i + 3 < len && memcmp(data + i, "\r\n\r\n", 4) == 0) {
                body = i + 4;
                break;
            }
        }
        if (!body)
            return 0;
        off = body;
    }
    return off;
}
