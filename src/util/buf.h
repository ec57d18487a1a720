/* SPDX-License-Identifier: MIT */
/* Growable byte buffer, always NUL-terminated so text can be used in place. */
#ifndef PKIWS_UTIL_BUF_H
#define PKIWS_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pkiws_buf {
    uint8_t *data; /* NULL until the first append; then data[len] == 0 */
    size_t len;
    size_t cap;
    int oom;    /* sticky: an append failed */
    int secret; /* wipe on growth and on dispose */
} pkiws_buf;

#define PKIWS_BUF_INIT                                                                             \
    {                                                                                              \
        NULL, 0, 0, 0, 0                                                                           \
    }

int pkiws__buf_grow(pkiws_buf *b, size_t extra);
int pkiws__buf_append(pkiws_buf *b, const void *p, size_t n);
int pkiws__buf_puts(pkiws_buf *b, const char *s);
int pkiws__buf_putc(pkiws_buf *b, char c);
int pkiws__buf_printf(pkiws_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pkiws__buf_vprintf(pkiws_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Return PKIWS_E_NOMEM if any append failed, else PKIWS_OK. */
int pkiws__buf_status(const pkiws_buf *b);
void pkiws__buf_clear(pkiws_buf *b); /* len = 0, keeps memory (wiped if secret) */
void pkiws__buf_dispose(pkiws_buf *b);
/* Hand the storage over (caller frees with pkiws__free / pkiws__free_secret); b is reset. */
uint8_t *pkiws__buf_detach(pkiws_buf *b, size_t *len);
const char *pkiws__buf_cstr(const pkiws_buf *b); /* "" when empty */

#endif
