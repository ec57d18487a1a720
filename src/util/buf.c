/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <stdio.h>

int pkiws__buf_grow(pkiws_buf *b, size_t extra)
{
    if (b->oom)
        return PKIWS_E_NOMEM;
    if (extra > SIZE_MAX - b->len - 1) {
        b->oom = 1;
        return PKIWS_E_NOMEM;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return PKIWS_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *d;
    if (b->secret) {
        d = pkiws__malloc(cap);
        if (d && b->data) {
            memcpy(d, b->data, b->len + 1);
            pkiws__free_secret(b->data, b->cap);
        }
    } else {
        d = pkiws__realloc(b->data, cap);
    }
    if (!d) {
        b->oom = 1;
        return PKIWS_E_NOMEM;
    }
    if (!b->data)
        d[0] = 0;
    b->data = d;
    b->cap = cap;
    return PKIWS_OK;
}

int pkiws__buf_append(pkiws_buf *b, const void *p, size_t n)
{
    if (pkiws__buf_grow(b, n))
        return PKIWS_E_NOMEM;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return PKIWS_OK;
}

int pkiws__buf_puts(pkiws_buf *b, const char *s)
{
    return pkiws__buf_append(b, s, strlen(s));
}

int pkiws__buf_putc(pkiws_buf *b, char c)
{
    return pkiws__buf_append(b, &c, 1);
}

int pkiws__buf_vprintf(pkiws_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return PKIWS_E_INTERNAL;
    if (pkiws__buf_grow(b, (size_t)n))
        return PKIWS_E_NOMEM;
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return PKIWS_OK;
}

int pkiws__buf_printf(pkiws_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = pkiws__buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int pkiws__buf_status(const pkiws_buf *b)
{
    return b->oom ? PKIWS_E_NOMEM : PKIWS_OK;
}

void pkiws__buf_clear(pkiws_buf *b)
{
    if (b->data) {
        if (b->secret)
            pkiws__zeroize(b->data, b->cap);
        b->data[0] = 0;
    }
    b->len = 0;
}

void pkiws__buf_dispose(pkiws_buf *b)
{
    if (b->secret)
        pkiws__free_secret(b->data, b->cap);
    else
        pkiws__free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->oom = 0;
}

uint8_t *pkiws__buf_detach(pkiws_buf *b, size_t *len)
{
    uint8_t *d = b->data;
    if (len)
        *len = b->len;
    if (!d)
        d = pkiws__calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

const char *pkiws__buf_cstr(const pkiws_buf *b)
{
    return b->data ? (const char *)b->data : "";
}
