/* SPDX-License-Identifier: MIT */
/* Text, encodings and small pure helpers: no dependency, no I/O except pkiws__file_read. */
#ifndef PKIWS_UTIL_STR_H
#define PKIWS_UTIL_STR_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* ASCII case-insensitive comparison (locale-independent). */
int pkiws__strcaseeq(const char *a, const char *b);
int pkiws__strncaseeq(const char *a, const char *b, size_t n);
/* Pointer to the first non-space, length without trailing space (ASCII whitespace). */
const char *pkiws__trim(const char *s, size_t len, size_t *out_len);
int pkiws__is_blank(const char *s); /* NULL, "" or only ASCII whitespace */

/* Hex: upper-case encoding; decoding of exactly 2*n hex digits (no separators). */
int pkiws__hex_encode(const uint8_t *p, size_t n, pkiws_buf *out);
int pkiws__hex_decode(const char *s, size_t len, pkiws_buf *out);

/* Base64 (RFC 4648, with padding). Decoding ignores all ASCII whitespace anywhere;
 * anything else that is not in the alphabet, or bad padding, is PKIWS_E_PROTOCOL. */
int pkiws__b64_encode(const uint8_t *p, size_t n, pkiws_buf *out);
int pkiws__b64_decode(const char *s, size_t len, pkiws_buf *out);

/* UTF-8: 1 when valid (no overlongs, no surrogates, <= U+10FFFF). On failure *bad_offset is
 * the offset of the first bad byte. */
int pkiws__utf8_valid(const char *s, size_t len, size_t *bad_offset);
/* Decode one code point at s (len bytes left); returns its length, or 0 if invalid. */
size_t pkiws__utf8_next(const char *s, size_t len, uint32_t *cp);
/* Append cp as UTF-8. */
int pkiws__utf8_put(pkiws_buf *b, uint32_t cp);

/* Dotted OID: 1 when valid (first arc 0-2, >= 2 arcs, digits only, no leading zeros, no
 * empty arcs, second arc < 40 under arcs 0 and 1). On failure, why is set (static text). */
int pkiws__oid_valid(const char *dotted, const char **why);
/* The same, with *pos = the 1-based character where the arc (or character) at fault starts. */
int pkiws__oid_check(const char *dotted, const char **why, size_t *pos);
/* DER content bytes of the OID (no tag/length). */
int pkiws__oid_encode(const char *dotted, pkiws_buf *out);
/* Dotted text of DER OID content bytes. */
int pkiws__oid_decode(const uint8_t *p, size_t n, pkiws_buf *out);

/* "Redact" an identity for logs: "a***@contoso.com" for e-mail shapes, else first char + ***. */
void pkiws__redact(const char *in, char *out, size_t cap);

/* Offset of the body when data starts with an HTTP message head ("HTTP/1.1 200 OK" ... blank
 * line; also 100 Continue blocks), as in captured answers; else 0. */
size_t pkiws__http_body_offset(const char *data, size_t len);

/* Read a whole file (limit: max bytes, 0 = 64 MiB); NUL-terminated. PKIWS_E_IO names it. */
int pkiws__file_read(const char *path, size_t max, pkiws_buf *out);

#endif
