/* SPDX-License-Identifier: MIT */
/* The caller's otherName value: hex of one DER element (strict) or raw text (connector mode). */
#include "pkiws_internal.h"

#include <stdio.h>

#include "core/san_int.h"

/*
 * Strict mode accepts hex digits in any case, separated (or not) by spaces, tabs, line breaks
 * and colons, as Windows shows them ("04 12 b8 ba 65 41 ..." or "04:12:B8:..."). The bytes must
 * form exactly one DER element (tag, definite minimal length, that many content bytes): that
 * is what goes into the otherName's [0] value, so a bare GUID without its "04 10" header, or a
 * truncated copy, is refused here rather than producing a broken CSR.
 * Connector-compatible mode takes the text's bytes as they are, as the Intune connector does.
 */

static int is_sep(int c)
{
    return c == ' ' || c == ':' || c == '\t' || c == '\r' || c == '\n';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Describe the character at s (len bytes left) for a message: 'K' (0x4B), 'é' (U+00E9). */
static void describe_char(const char *s, size_t len, char *out, size_t cap)
{
    uint32_t cp;
    size_t n = pkiws__utf8_next(s, len, &cp);
    if (!n)
        snprintf(out, cap, "byte 0x%02X (not UTF-8)", (unsigned)(unsigned char)s[0]);
    else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
        snprintf(out, cap, "control character U+%04X", (unsigned)cp);
    else if (cp < 0x80)
        snprintf(out, cap, "'%c' (0x%02X)", (char)cp, (unsigned)cp);
    else
        snprintf(out, cap, "'%.*s' (U+%04X)", (int)n, s, (unsigned)cp);
}

/* NULL when p..n is exactly one DER element, else why not. */
static const char *der_why(const uint8_t *p, size_t n, char *buf, size_t cap)
{
    if (n < 2)
        return "it is shorter than a tag and a length";
    size_t i = 1;
    if ((p[0] & 0x1F) == 0x1F) {
        size_t k = 0;
        do {
            if (i >= n)
                return "its tag is truncated";
            if (++k > 4)
                return "its tag number is longer than 4 bytes";
        } while (p[i++] & 0x80);
    }
    if (i >= n)
        return "its length is missing";
    size_t len = p[i++];
    if (len == 0x80)
        return "it uses the indefinite length form, which DER does not allow";
    if (len > 0x80) {
        size_t k = len & 0x7F;
        if (k > 4)
            return "its length field is longer than 4 bytes";
        if (n - i < k)
            return "its length field is truncated";
        if (p[i] == 0)
            return "its length is not minimally encoded (leading zero byte)";
        len = 0;
        for (size_t j = 0; j < k; j++)
            len = len << 8 | p[i++];
        if (len < 0x80)
            return "its length is not minimally encoded (long form for a short length)";
    }
    if (n - i < len) {
        snprintf(buf, cap, "its header announces %zu content bytes but only %zu follow", len,
                 n - i);
        return buf;
    }
    if (n - i > len) {
        snprintf(buf, cap, "%zu bytes follow the first element (one element expected)",
                 n - i - len);
        return buf;
    }
    return NULL;
}

/* A bad character: say which and where; add the base64 hint when the text decodes as such. */
static int fail_char(const char *text, size_t len, size_t off, size_t pos)
{
    char what[64];
    describe_char(text + off, len - off, what, sizeof what);
    pkiws_buf dec = PKIWS_BUF_INIT, hex = PKIWS_BUF_INIT;
    int is_b64 = pkiws__b64_decode(text, len, &dec) == PKIWS_OK && dec.len > 0;
    int rc;
    if (is_b64) {
        size_t show = dec.len > 24 ? 24 : dec.len;
        for (size_t i = 0; i < show; i++)
            pkiws__buf_printf(&hex, "%s%02X", i ? " " : "", (unsigned)dec.data[i]);
        if (pkiws__buf_status(&hex)) {
            rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory while checking the otherName value");
        } else {
            rc = pkiws__fail_remedy(
                PKIWS_E_OTHERNAME_ENCODING, PKIWS__REMEDY_OTHERNAME,
                "otherName value: %s at position %zu is not a hex digit, and the value looks "
                "like base64 already (it decodes to %zu bytes: %s%s); give the DER as hex, not "
                "base64 (pkiws base64-encodes it itself), or select connector-compatible mode",
                what, pos, dec.len, pkiws__buf_cstr(&hex), dec.len > show ? "..." : "");
        }
    } else {
        rc = pkiws__fail_remedy(PKIWS_E_OTHERNAME_ENCODING, PKIWS__REMEDY_OTHERNAME,
                                "otherName value: %s at position %zu is not a hex digit (hex "
                                "digits, spaces and colons only)",
                                what, pos);
    }
    pkiws__buf_dispose(&dec);
    pkiws__buf_dispose(&hex);
    return rc;
}

int pkiws__othername_bytes(const char *hex, int compat, pkiws_buf *out)
{
    if (!hex || !out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "otherName value: %s is NULL",
                           hex ? "the output buffer" : "the value");
    size_t len = strlen(hex), start = out->len;
    if (compat) {
        if (!len)
            return pkiws__fail_remedy(PKIWS_E_OTHERNAME_ENCODING, PKIWS__REMEDY_OTHERNAME,
                                      "otherName value is empty");
        if (pkiws__buf_append(out, hex, len))
            return pkiws__fail(PKIWS_E_NOMEM, "out of memory copying the otherName value");
        return PKIWS_OK;
    }
    size_t digits = 0, pos = 0;
    int hi = -1;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = pkiws__utf8_next(hex + i, len - i, &cp);
        pos++;
        int c = (unsigned char)hex[i];
        if (is_sep(c)) {
            i++;
            continue;
        }
        int v = hexval(c);
        if (v < 0) {
            out->len = start;
            if (out->data)
                out->data[start] = 0;
            return fail_char(hex, len, i, pos);
        }
        digits++;
        if (hi < 0) {
            hi = v;
        } else {
            uint8_t byte = (uint8_t)(hi << 4 | v);
            hi = -1;
            if (pkiws__buf_append(out, &byte, 1))
                return pkiws__fail(PKIWS_E_NOMEM, "out of memory decoding the otherName value");
        }
        i += n ? n : 1;
    }
    int rc = PKIWS_OK;
    char why_buf[96];
    const char *why;
    if (!digits)
        rc = pkiws__fail_remedy(PKIWS_E_OTHERNAME_ENCODING, PKIWS__REMEDY_OTHERNAME,
                                "otherName value has no hex digits");
    else if (digits % 2)
        rc = pkiws__fail_remedy(PKIWS_E_OTHERNAME_ENCODING, PKIWS__REMEDY_OTHERNAME,
                                "otherName value has an odd number of hex digits (%zu): every "
                                "byte needs two; a digit is missing or one too many",
                                digits);
    else if ((why = der_why(out->data + start, out->len - start, why_buf, sizeof why_buf)))
        rc = pkiws__fail_remedy(
            PKIWS_E_OTHERNAME_ENCODING, PKIWS__REMEDY_OTHERNAME,
            "otherName value (%zu bytes, starting %02X) is not one DER element: %s; give the "
            "complete DER, e.g. 04 10 and 16 bytes for an OCTET STRING holding a GUID",
            out->len - start, (unsigned)out->data[start], why);
    if (rc) {
        out->len = start;
        if (out->data)
            out->data[start] = 0;
    }
    return rc;
}
