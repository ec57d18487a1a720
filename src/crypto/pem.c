/* SPDX-License-Identifier: MIT */
/* PEM armour: finding labelled blocks in text that need not be NUL-terminated, and writing. */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

int pkiws__pem_present(const uint8_t *data, size_t len)
{
    return data && memmem(data, len, "-----BEGIN ", 11) != NULL;
}

int pkiws__pem_next(const uint8_t *data, size_t len, size_t *pos, const char *label, int errcode,
                    pkiws_buf *der)
{
    char begin[80], end[80];
    int nb = snprintf(begin, sizeof begin, "-----BEGIN %s-----", label);
    int ne = snprintf(end, sizeof end, "-----END %s-----", label);
    if (nb < 0 || ne < 0 || (size_t)nb >= sizeof begin || (size_t)ne >= sizeof end)
        return pkiws__fail(PKIWS_E_INTERNAL, "PEM label '%.40s' is too long", label);
    if (*pos >= len)
        return PKIWS__PEM_NONE;
    const uint8_t *b = memmem(data + *pos, len - *pos, begin, (size_t)nb);
    if (!b)
        return PKIWS__PEM_NONE;
    size_t boff = (size_t)(b - data);
    const uint8_t *body = b + nb;
    const uint8_t *e = memmem(body, len - (size_t)(body - data), end, (size_t)ne);
    if (!e)
        return pkiws__fail(errcode, "PEM block '%s' at offset %zu has no '%s' line", begin, boff,
                           end);
    size_t before = der->len;
    int rc = pkiws__b64_decode((const char *)body, (size_t)(e - body), der);
    if (rc != PKIWS_OK) {
        der->len = before;
        if (der->data)
            der->data[before] = 0;
        if (rc == PKIWS_E_NOMEM)
            return rc;
        return pkiws__fail_context(errcode, "PEM block '%s' at offset %zu", begin, boff);
    }
    if (der->len == before)
        return pkiws__fail(errcode, "PEM block '%s' at offset %zu is empty", begin, boff);
    *pos = (size_t)(e - data) + (size_t)ne;
    return PKIWS_OK;
}

int pkiws__pem_write(const char *label, const uint8_t *der, size_t len, pkiws_buf *out)
{
    pkiws_buf b64 = PKIWS_BUF_INIT;
    b64.secret = out->secret;
    int rc = pkiws__b64_encode(der, len, &b64);
    if (rc == PKIWS_OK) {
        pkiws__buf_printf(out, "-----BEGIN %s-----\n", label);
        for (size_t i = 0; i < b64.len; i += 64) {
            size_t n = b64.len - i < 64 ? b64.len - i : 64;
            pkiws__buf_append(out, b64.data + i, n);
            pkiws__buf_putc(out, '\n');
        }
        pkiws__buf_printf(out, "-----END %s-----\n", label);
        rc = pkiws__buf_status(out);
    }
    pkiws__buf_dispose(&b64);
    if (rc != PKIWS_OK)
        return pkiws__fail(rc, "out of memory writing PEM '%s' (%zu bytes of DER)", label, len);
    return PKIWS_OK;
}
