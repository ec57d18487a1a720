/* SPDX-License-Identifier: MIT */
/* The pending file: what `pkiws poll` needs to finish a request the CA holds for approval. */
#include "cli.h"

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/*
 * Format (text, UTF-8):
 *
 *   pkiws pending request 1
 *   # comments
 *   reference: <pendingTokenReferenceID>
 *   profile: <OID>
 *   cn: ... / email: ... / upn: ... / seat: ... / pfx-preset: ... / friendly-name: ...
 *   client-transaction-id: ...
 *   -----BEGIN ENCRYPTED PRIVATE KEY-----
 *   ...
 *   -----END ENCRYPTED PRIVATE KEY-----
 *
 * Values have bytes below 0x20, 0x7F and '%' written as %XX, so every value is one line.
 */

static const char MAGIC[] = "pkiws pending request 1";
static const char KEY_BEGIN[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----";
static const char KEY_END[] = "-----END ENCRYPTED PRIVATE KEY-----";

static const struct {
    const char *name;
    size_t offset;
    int required;
} FIELDS[] = {
    {"reference", offsetof(pkiws__cli_pending, reference), 1},
    {"profile", offsetof(pkiws__cli_pending, profile), 1},
    {"cn", offsetof(pkiws__cli_pending, cn), 0},
    {"email", offsetof(pkiws__cli_pending, email), 0},
    {"upn", offsetof(pkiws__cli_pending, upn), 0},
    {"seat", offsetof(pkiws__cli_pending, seat), 0},
    {"pfx-preset", offsetof(pkiws__cli_pending, pfx_preset), 0},
    {"friendly-name", offsetof(pkiws__cli_pending, friendly_name), 0},
    {"client-transaction-id", offsetof(pkiws__cli_pending, client_txid), 0},
    {"key-made-by", offsetof(pkiws__cli_pending, key_maker), 0},
};
#define NFIELDS (sizeof(FIELDS) / sizeof(FIELDS[0]))

static char **field_of(pkiws__cli_pending *p, size_t i)
{
    return (char **)((char *)p + FIELDS[i].offset);
}

static char *const *cfield_of(const pkiws__cli_pending *p, size_t i)
{
    return (char *const *)((const char *)p + FIELDS[i].offset);
}

static int needs_escape(unsigned char c)
{
    return c < 0x20 || c == 0x7F || c == '%';
}

char *pkiws__cli_pending_format(const pkiws__cli_pending *p)
{
    size_t cap = sizeof(MAGIC) + 512 + (p->key_pem ? strlen(p->key_pem) : 0);
    for (size_t i = 0; i < NFIELDS; i++) {
        const char *v = *cfield_of(p, i);
        if (v)
            cap += strlen(FIELDS[i].name) + 3 + 3 * strlen(v);
    }
    char *out = pkiws__cli_malloc(cap);
    size_t n = (size_t)snprintf(out, cap,
                                "%s\n"
                                "# Written by 'pkiws issue': the CA holds this request for "
                                "approval.\n"
                                "# Finish it with: pkiws poll --pending FILE --pfx-pass PASS "
                                "(and the connection options).\n"
                                "%s",
                                MAGIC,
                                p->key_pem ? "# The key is encrypted with the PFX password.\n"
                                           : "# The CA makes the key: it comes with the "
                                             "certificate (--pfx-pass is optional).\n");
    for (size_t i = 0; i < NFIELDS; i++) {
        const char *v = *cfield_of(p, i);
        if (v == NULL)
            continue;
        n += (size_t)snprintf(out + n, cap - n, "%s: ", FIELDS[i].name);
        for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
            if (needs_escape(*c))
                n += (size_t)snprintf(out + n, cap - n, "%%%02X", *c);
            else
                out[n++] = (char)*c;
        }
        out[n++] = '\n';
    }
    const char *key = p->key_pem ? p->key_pem : "";
    size_t klen = strlen(key);
    memcpy(out + n, key, klen);
    n += klen;
    if (klen > 0 && key[klen - 1] != '\n')
        out[n++] = '\n';
    out[n] = '\0';
    return out;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* A value without its %XX escapes; NULL (and *bad the column) on a bad escape or a NUL. */
static char *unescape(const char *v, size_t len, size_t *bad)
{
    char *out = pkiws__cli_malloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] != '%') {
            out[n++] = v[i];
            continue;
        }
        int hi = i + 2 < len ? hexval(v[i + 1]) : -1;
        int lo = i + 2 < len ? hexval(v[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            *bad = i;
            pkiws__cli_free(out);
            return NULL;
        }
        out[n++] = (char)(hi * 16 + lo);
        i += 2;
    }
    out[n] = '\0';
    return out;
}

static int bad_line(pkiws__cli_outcome *o, const char *path, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int bad_line(pkiws__cli_outcome *o, const char *path, size_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *what = pkiws__cli_vprintf(fmt, ap);
    va_end(ap);
    pkiws__cli_outcome_fail(o, PKIWS_E_INVALID_ARG, "pending file '%s', line %zu: %s", path, line,
                            what);
    pkiws__cli_free(what);
    return PKIWS_E_INVALID_ARG;
}

/* One "name: value" line into its field. */
static int parse_field(pkiws__cli_pending *out, const char *path, size_t lineno, const char *line,
                       size_t len, pkiws__cli_outcome *o)
{
    const char *colon = memchr(line, ':', len);
    if (colon == NULL || colon == line)
        return bad_line(o, path, lineno, "expected 'name: value' or the key");
    size_t nlen = (size_t)(colon - line);
    size_t i = 0;
    for (; i < NFIELDS; i++)
        if (strlen(FIELDS[i].name) == nlen && memcmp(FIELDS[i].name, line, nlen) == 0)
            break;
    char name[64];
    snprintf(name, sizeof(name), "%.*s", (int)(nlen < 40 ? nlen : 40), line);
    if (i == NFIELDS)
        return bad_line(o, path, lineno, "unknown field '%s'", name);
    char **slot = field_of(out, i);
    if (*slot != NULL)
        return bad_line(o, path, lineno, "field '%s' given twice", name);
    const char *v = colon + 1;
    size_t vlen = len - nlen - 1;
    while (vlen > 0 && *v == ' ') {
        v++;
        vlen--;
    }
    if (vlen == 0)
        return bad_line(o, path, lineno, "field '%s' is empty", name);
    size_t bad = 0;
    *slot = unescape(v, vlen, &bad);
    if (*slot == NULL)
        return bad_line(o, path, lineno,
                        "field '%s': '%%' at column %zu is not followed by two hex digits "
                        "(other than 00)",
                        name, (size_t)(v - line) + bad + 1);
    return PKIWS_OK;
}

int pkiws__cli_pending_parse(const char *path, const char *text, size_t len,
                             pkiws__cli_pending *out, pkiws__cli_outcome *o)
{
    memset(out, 0, sizeof(*out));
    const char *p = text, *end = text + len;
    size_t lineno = 0;
    int in_key = 0, key_done = 0;
    const char *key_start = NULL;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t llen = (size_t)(le - p);
        if (llen > 0 && p[llen - 1] == '\r')
            llen--;
        lineno++;
        const char *line = p;
        p = nl ? nl + 1 : end;
        if (memchr(line, '\0', llen) != NULL)
            return bad_line(o, path, lineno, "NUL byte in the line");
        if (lineno == 1) {
            if (llen != sizeof(MAGIC) - 1 || memcmp(line, MAGIC, llen) != 0)
                return bad_line(o, path, lineno,
                                "not a pkiws pending file (the first line is not '%s')", MAGIC);
            continue;
        }
        int is_begin = llen == sizeof(KEY_BEGIN) - 1 && memcmp(line, KEY_BEGIN, llen) == 0;
        int is_end = llen == sizeof(KEY_END) - 1 && memcmp(line, KEY_END, llen) == 0;
        if (key_done) {
            if (llen > 0)
                return bad_line(o, path, lineno, "text after the end of the key");
        } else if (in_key) {
            if (is_begin)
                return bad_line(o, path, lineno, "a second key begins before the first ends");
            if (is_end) {
                size_t klen = (size_t)(p - key_start);
                out->key_pem = pkiws__cli_malloc(klen + 1);
                memcpy(out->key_pem, key_start, klen);
                out->key_pem[klen] = '\0';
                key_done = 1;
            }
        } else if (is_begin) {
            in_key = 1;
            key_start = line;
        } else if (llen == 0 || line[0] == '#') {
            continue;
        } else if (parse_field(out, path, lineno, line, llen, o) != PKIWS_OK) {
            return PKIWS_E_INVALID_ARG;
        }
    }
    int ca_key = out->key_maker != NULL && strcmp(out->key_maker, "ca") == 0;
    if (out->key_maker != NULL && !ca_key) {
        pkiws__cli_outcome_fail(o, PKIWS_E_INVALID_ARG,
                                "pending file '%s': key-made-by '%s' is not 'ca'", path,
                                out->key_maker);
        return PKIWS_E_INVALID_ARG;
    }
    if (ca_key && (key_done || in_key)) {
        pkiws__cli_outcome_fail(o, PKIWS_E_INVALID_ARG,
                                "pending file '%s' holds a private key although the CA makes "
                                "the key (key-made-by: ca)",
                                path);
        return PKIWS_E_INVALID_ARG;
    }
    if (!key_done && !ca_key) {
        pkiws__cli_outcome_fail(o, PKIWS_E_INVALID_ARG, "pending file '%s' has %s (%s ... %s)",
                                path, in_key ? "a key without its end line" : "no private key",
                                KEY_BEGIN, KEY_END);
        return PKIWS_E_INVALID_ARG;
    }
    for (size_t i = 0; i < NFIELDS; i++)
        if (FIELDS[i].required && *field_of(out, i) == NULL) {
            pkiws__cli_outcome_fail(o, PKIWS_E_INVALID_ARG, "pending file '%s' has no '%s:' line",
                                    path, FIELDS[i].name);
            return PKIWS_E_INVALID_ARG;
        }
    return PKIWS_OK;
}

void pkiws__cli_pending_dispose(pkiws__cli_pending *p)
{
    for (size_t i = 0; i < NFIELDS; i++) {
        char **slot = field_of(p, i);
        pkiws__cli_free_secret(*slot, 0); /* identities: wiped too */
        *slot = NULL;
    }
    pkiws__cli_free_secret(p->key_pem, 0);
    p->key_pem = NULL;
}
