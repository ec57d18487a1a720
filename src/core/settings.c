/* SPDX-License-Identifier: MIT */
/* Checks of the connector-style settings, each failure naming the bad input. */
#include "pkiws_internal.h"

#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>

#include "core/settings.h"

/* Characters that copying from dialogs, web pages and documents adds without anyone seeing
 * them, by their Unicode names: messages name them instead of showing an empty quote. */
#define MARK_STRIP 1u     /* removed from thumbprints (product.md §3) */
#define MARK_INVISIBLE 2u /* renders as nothing at all */

static const struct mark {
    uint32_t cp;
    const char *name;
    unsigned flags;
} MARKS[] = {
    {0x00A0, "NO-BREAK SPACE", MARK_STRIP},
    {0x00AD, "SOFT HYPHEN", MARK_INVISIBLE},
    {0x200B, "ZERO WIDTH SPACE", MARK_STRIP | MARK_INVISIBLE},
    {0x200C, "ZERO WIDTH NON-JOINER", MARK_STRIP | MARK_INVISIBLE},
    {0x200D, "ZERO WIDTH JOINER", MARK_STRIP | MARK_INVISIBLE},
    {0x200E, "LEFT-TO-RIGHT MARK", MARK_STRIP | MARK_INVISIBLE},
    {0x200F, "RIGHT-TO-LEFT MARK", MARK_STRIP | MARK_INVISIBLE},
    {0x201C, "LEFT DOUBLE QUOTATION MARK", MARK_STRIP},
    {0x201D, "RIGHT DOUBLE QUOTATION MARK", MARK_STRIP},
    {0x202A, "LEFT-TO-RIGHT EMBEDDING", MARK_INVISIBLE},
    {0x202B, "RIGHT-TO-LEFT EMBEDDING", MARK_INVISIBLE},
    {0x202C, "POP DIRECTIONAL FORMATTING", MARK_INVISIBLE},
    {0x202D, "LEFT-TO-RIGHT OVERRIDE", MARK_INVISIBLE},
    {0x202E, "RIGHT-TO-LEFT OVERRIDE", MARK_INVISIBLE},
    {0x202F, "NARROW NO-BREAK SPACE", 0},
    {0x2060, "WORD JOINER", MARK_STRIP | MARK_INVISIBLE},
    {0x2066, "LEFT-TO-RIGHT ISOLATE", MARK_INVISIBLE},
    {0x2067, "RIGHT-TO-LEFT ISOLATE", MARK_INVISIBLE},
    {0x2068, "FIRST STRONG ISOLATE", MARK_INVISIBLE},
    {0x2069, "POP DIRECTIONAL ISOLATE", MARK_INVISIBLE},
    {0x3000, "IDEOGRAPHIC SPACE", 0},
    {0xFEFF, "ZERO WIDTH NO-BREAK SPACE (byte order mark)", MARK_STRIP | MARK_INVISIBLE},
};

static const struct mark *find_mark(uint32_t cp)
{
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(MARKS); i++)
        if (MARKS[i].cp == cp)
            return &MARKS[i];
    return NULL;
}

/* The character at s (len > 0 bytes left) for a message: 'G', a space, control character
 * U+0009, U+200E LEFT-TO-RIGHT MARK (invisible), 'é' (U+00E9), byte 0xC3 (not UTF-8). */
static const char *describe_char(const char *s, size_t len, char *out, size_t cap)
{
    uint32_t cp;
    size_t n = pkiws__utf8_next(s, len, &cp);
    const struct mark *m = n ? find_mark(cp) : NULL;
    if (!n)
        snprintf(out, cap, "byte 0x%02X (not UTF-8)", (unsigned)(unsigned char)s[0]);
    else if (m)
        snprintf(out, cap, "U+%04X %s%s", (unsigned)cp, m->name,
                 m->flags & MARK_INVISIBLE ? " (invisible)" : "");
    else if (cp == ' ')
        snprintf(out, cap, "a space");
    else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
        snprintf(out, cap, "control character U+%04X", (unsigned)cp);
    else if (cp < 0x80)
        snprintf(out, cap, "'%c'", (char)cp);
    else
        snprintf(out, cap, "'%.*s' (U+%04X)", (int)n, s, (unsigned)cp);
    return out;
}

static int is_host_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
}

static int check_port(const char *p, const char *whole, const char *what)
{
    if (!*p)
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                  "%s '%s' has an empty port after ':'", what, whole);
    unsigned v = 0;
    for (const char *q = p; *q; q++) {
        if (*q < '0' || *q > '9')
            return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                      "%s '%s' has '%c' at position %zu in its port", what, whole,
                                      *q, (size_t)(q - whole) + 1);
        v = v * 10 + (unsigned)(*q - '0');
        if (v > 65535)
            break;
    }
    if (strlen(p) > 5) /* leading zeros: the native transport reads at most 5 digits */
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                  "%s '%s' has a port of more than 5 digits ('%s')", what, whole,
                                  p);
    if (v == 0 || v > 65535)
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                  "%s '%s' has port %s, outside 1..65535", what, whole, p);
    return PKIWS_OK;
}

static int check_host(const char *s, size_t len, const char *whole, const char *what)
{
    if (len == 0)
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN, "%s is empty", what);
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (!is_host_char(c)) {
            const char *hint = "";
            if (c == '/')
                hint = " (no path or trailing slash: give the host name only)";
            else if (c == ' ' || c == '\t')
                hint = " (no spaces)";
            if (c >= 0x20 && c < 0x7f)
                return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                          "%s '%s' has '%c' at position %zu%s", what, whole, c,
                                          (size_t)(s - whole) + i + 1, hint);
            /* everything before is ASCII: the byte position is the character position */
            char ch[80];
            return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                      "%s '%s' has %s at position %zu (host names are ASCII "
                                      "letters, digits, '-' and '.')",
                                      what, whole, describe_char(s + i, len - i, ch, sizeof ch),
                                      (size_t)(s - whole) + i + 1);
        }
        if (c == '.') {
            if (label == 0)
                return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                          "%s '%s' has an empty label at position %zu", what, whole,
                                          (size_t)(s - whole) + i + 1);
            label = 0;
        } else if (++label > 63) {
            return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                      "%s '%s' has a label longer than 63 characters", what, whole);
        }
    }
    if (label == 0)
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN, "%s '%s' ends with '.'",
                                  what, whole);
    if (len > 253) /* RFC 1035; the native transport refuses longer host names */
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                  "%s has a host name of %zu characters (at most 253)", what, len);
    return PKIWS_OK;
}

int pkiws__check_ca_fqdn(const char *fqdn)
{
    const char *what = "CA base service FQDN";
    if (!fqdn || !*fqdn)
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN, "%s is empty", what);
    const char *scheme = strstr(fqdn, "://");
    if (scheme)
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                  "%s '%s' has a scheme ('%.*s://' at position 1): give the host "
                                  "name only, e.g. pki-ws.symauth.com",
                                  what, fqdn, (int)(scheme - fqdn), fqdn);
    size_t len = strlen(fqdn);
    if (fqdn[len - 1] == '/')
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                  "%s '%s' has a trailing slash ('/' at position %zu)", what, fqdn,
                                  len);
    const char *colon = strchr(fqdn, ':');
    size_t hostlen = colon ? (size_t)(colon - fqdn) : len;
    int rc = check_host(fqdn, hostlen, fqdn, what);
    if (rc)
        return rc;
    if (colon)
        return check_port(colon + 1, fqdn, what);
    return PKIWS_OK;
}

int pkiws__normalize_base_url(const char *url, pkiws_buf *out)
{
    const char *what = "base URL";
    if (!url || strncmp(url, "https://", 8) != 0)
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                  "%s '%s' must start with https://", what, url ? url : "");
    const char *host = url + 8;
    size_t hl = strcspn(host, ":/?#");
    int rc = check_host(host, hl, url, what);
    if (rc)
        return rc;
    const char *p = host + hl;
    if (*p == ':') {
        size_t pl = strcspn(p + 1, "/?#");
        char port[16];
        if (pl == 0 || pl >= sizeof port)
            return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                      "%s '%s' has a bad port", what, url);
        memcpy(port, p + 1, pl);
        port[pl] = 0;
        if ((rc = check_port(port, url, what)))
            return rc;
        p += 1 + pl;
    }
    size_t q = strcspn(p, "?#");
    if (p[q])
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                  "%s '%s' has a query or fragment ('%c' at position %zu)", what,
                                  url, p[q], (size_t)(p + q - url) + 1);
    for (const char *c = p; *c; c++)
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f) {
            char ch[80];
            return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                      "%s '%s' has %s at position %zu (a URL path is printable "
                                      "ASCII without spaces)",
                                      what, url, describe_char(c, strlen(c), ch, sizeof ch),
                                      (size_t)(c - url) + 1);
        }
    size_t len = strlen(url);
    while (len > 8 && url[len - 1] == '/')
        len--;
    return pkiws__buf_append(out, url, len);
}

int pkiws__check_ca_name(const char *name)
{
    if (name && strcmp(name, "Symantec") == 0)
        return PKIWS_OK;
    /* A character that cannot be seen, or hardly, is named: 'Symantec' with a pasted U+200E
     * looks right in the message otherwise. */
    size_t len = name ? strlen(name) : 0, pos = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = pkiws__utf8_next(name + i, len - i, &cp);
        pos++;
        if (!n || cp <= 0x20 || cp >= 0x7F) {
            char ch[80];
            return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_NAME,
                                      "CA name '%s' has %s at character %zu: expected exactly "
                                      "'Symantec' (the provider name, also for DigiCert)",
                                      name, describe_char(name + i, len - i, ch, sizeof ch), pos);
        }
        i += n;
    }
    return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_NAME,
                              "CA name '%s' is not supported: expected exactly 'Symantec' (the "
                              "provider name, also for DigiCert)",
                              name ? name : "");
}

int pkiws__normalize_proxy(const char *proxy, pkiws_buf *out)
{
    if (!proxy || !*proxy)
        return pkiws__fail(PKIWS_E_CONFIG, "proxy is empty");
    const char *rest = proxy;
    const char *scheme = "http://";
    if (strncmp(proxy, "http://", 7) == 0) {
        rest = proxy + 7;
    } else if (strncmp(proxy, "https://", 8) == 0) {
        rest = proxy + 8;
        scheme = "https://";
    } else if (strstr(proxy, "://")) {
        return pkiws__fail(PKIWS_E_CONFIG,
                           "proxy '%s' has an unsupported scheme: only http:// and https:// "
                           "CONNECT proxies are supported",
                           proxy);
    }
    size_t hl = strcspn(rest, ":/");
    const char *at = strchr(rest, '@');
    if (at)
        return pkiws__fail(PKIWS_E_CONFIG,
                           "proxy '%.*s...' carries credentials; give the proxy without "
                           "user:password",
                           (int)(strchr(rest, ':') && strchr(rest, ':') < at
                                     ? strchr(rest, ':') - proxy
                                     : at - proxy),
                           proxy);
    int rc = check_host(rest, hl, proxy, "proxy");
    if (rc)
        return pkiws__fail(PKIWS_E_CONFIG, "%s", pkiws__err_message());
    const char *p = rest + hl;
    if (*p == ':') {
        size_t pl = strcspn(p + 1, "/");
        char port[16];
        if (pl == 0 || pl >= sizeof port)
            return pkiws__fail(PKIWS_E_CONFIG, "proxy '%s' has a bad port", proxy);
        memcpy(port, p + 1, pl);
        port[pl] = 0;
        if (check_port(port, proxy, "proxy"))
            return pkiws__fail(PKIWS_E_CONFIG, "%s", pkiws__err_message());
        p += 1 + pl;
    }
    if (*p && strcmp(p, "/") != 0)
        return pkiws__fail(PKIWS_E_CONFIG, "proxy '%s' has a path ('%s')", proxy, p);
    pkiws__buf_puts(out, scheme);
    pkiws__buf_append(out, rest, (size_t)(p - rest));
    return pkiws__buf_status(out);
}

/* Code points removed from thumbprints: what Windows' dialog and copy/paste add. */
static int is_ignorable(uint32_t cp)
{
    switch (cp) {
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case ':':
    case '"':
    case '\'':
        return 1;
    default: {
        const struct mark *m = find_mark(cp);
        return m != NULL && (m->flags & MARK_STRIP);
    }
    }
}

int pkiws__thumbprint_normalize(const char *text, pkiws_buf *out)
{
    if (!text)
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_THUMBPRINT, "thumbprint is empty");
    size_t len = strlen(text), i = 0, pos = 0, digits = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = pkiws__utf8_next(text + i, len - i, &cp);
        pos++;
        if (!n)
            return pkiws__fail_remedy(
                PKIWS_E_CONFIG, PKIWS__REMEDY_THUMBPRINT,
                "thumbprint has an invalid UTF-8 byte 0x%02X at character %zu",
                (unsigned char)text[i], pos);
        if (!is_ignorable(cp)) {
            int c = (int)cp;
            if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
                char u = (char)(c >= 'a' ? c - 32 : c);
                pkiws__buf_putc(out, u);
                digits++;
            } else {
                char ch[80];
                return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_THUMBPRINT,
                                          "thumbprint has %s at character %zu, which is not a "
                                          "hex digit",
                                          describe_char(text + i, len - i, ch, sizeof ch), pos);
            }
        }
        i += n;
    }
    if (digits != 40)
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_THUMBPRINT,
                                  "thumbprint has %zu hex digits; a SHA-1 thumbprint has 40",
                                  digits);
    return pkiws__buf_status(out);
}

int pkiws__check_profile_oid(const char *oid)
{
    const char *why;
    size_t pos;
    if (pkiws__oid_check(oid, &why, &pos))
        return PKIWS_OK;
    if (pos)
        return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_PROFILE_NOT_FOUND,
                                  "profile OID '%s' is not a dotted OID: %s (at character %zu)",
                                  oid, why, pos);
    return pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_PROFILE_NOT_FOUND,
                              "profile OID '%s' is not a dotted OID: %s", oid ? oid : "", why);
}

static int dn_push(pkiws__dn *dn, pkiws_buf *type, pkiws_buf *value)
{
    char **t = pkiws__realloc(dn->type, (dn->n + 1) * sizeof *t);
    if (!t)
        return PKIWS_E_NOMEM;
    dn->type = t;
    char **v = pkiws__realloc(dn->value, (dn->n + 1) * sizeof *v);
    if (!v)
        return PKIWS_E_NOMEM;
    dn->value = v;
    size_t tl, vl;
    const char *ts = pkiws__trim(pkiws__buf_cstr(type), type->len, &tl);
    const char *vs = pkiws__trim(pkiws__buf_cstr(value), value->len, &vl);
    dn->type[dn->n] = pkiws__strndup(ts, tl);
    dn->value[dn->n] = pkiws__strndup(vs, vl);
    if (!dn->type[dn->n] || !dn->value[dn->n]) {
        pkiws__free(dn->type[dn->n]);
        pkiws__free(dn->value[dn->n]);
        return PKIWS_E_NOMEM;
    }
    for (char *c = dn->type[dn->n]; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 32);
    dn->n++;
    return PKIWS_OK;
}

static const char *const dn_types[] = {"CN", "E", "EMAILADDRESS", "O",   "OU",           "L",
                                       "ST", "C", "DC",           "UID", "SERIALNUMBER", "STREET"};

int pkiws__dn_parse(const char *text, pkiws__dn *out)
{
    memset(out, 0, sizeof *out);
    if (pkiws__is_blank(text))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "subject DN is empty");
    pkiws_buf type = PKIWS_BUF_INIT, value = PKIWS_BUF_INIT;
    int in_value = 0, rc = PKIWS_OK;
    size_t len = strlen(text);
    for (size_t i = 0; i <= len && rc == PKIWS_OK; i++) {
        char c = i < len ? text[i] : ',';
        if (!in_value) {
            if (c == '=') {
                in_value = 1;
            } else if (c == ',' || c == '+') {
                rc = pkiws__fail(PKIWS_E_INVALID_ARG,
                                 "subject DN '%s': attribute at position %zu has no '=value'", text,
                                 i + 1);
            } else {
                pkiws__buf_putc(&type, c);
            }
            continue;
        }
        if (c == '\\' && i + 1 < len) {
            char n = text[i + 1];
            if (strchr(",+\"\\<>;= #", n)) {
                pkiws__buf_putc(&value, n);
                i++;
            } else if (i + 2 < len && isxdigit((unsigned char)n) &&
                       isxdigit((unsigned char)text[i + 2])) {
                char hx[3] = {n, text[i + 2], 0};
                pkiws__buf_putc(&value, (char)strtol(hx, NULL, 16));
                i += 2;
            } else {
                rc = pkiws__fail(PKIWS_E_INVALID_ARG,
                                 "subject DN '%s' has a bad escape '\\%c' at position %zu", text, n,
                                 i + 1);
            }
            continue;
        }
        if (c == ',' || c == ';') {
            size_t tl;
            pkiws__trim(pkiws__buf_cstr(&type), type.len, &tl);
            if (tl == 0) {
                rc = pkiws__fail(PKIWS_E_INVALID_ARG,
                                 "subject DN '%s' has an attribute without a type", text);
                break;
            }
            if ((rc = dn_push(out, &type, &value)))
                break;
            int known = 0;
            for (size_t k = 0; k < PKIWS_ARRAY_LEN(dn_types); k++)
                known |= strcmp(out->type[out->n - 1], dn_types[k]) == 0;
            if (!known) {
                const char *why;
                if (!pkiws__oid_valid(out->type[out->n - 1], &why)) {
                    rc = pkiws__fail(PKIWS_E_INVALID_ARG,
                                     "subject DN '%s' has an unknown attribute type '%s'", text,
                                     out->type[out->n - 1]);
                    break;
                }
            }
            if (pkiws__is_blank(out->value[out->n - 1])) {
                rc = pkiws__fail(PKIWS_E_INVALID_ARG, "subject DN '%s' has an empty value for %s",
                                 text, out->type[out->n - 1]);
                break;
            }
            if (!strcmp(out->type[out->n - 1], "EMAILADDRESS")) {
                pkiws__free(out->type[out->n - 1]);
                out->type[out->n - 1] = pkiws__strdup("E");
                if (!out->type[out->n - 1]) {
                    rc = PKIWS_E_NOMEM;
                    break;
                }
            }
            pkiws__buf_clear(&type);
            pkiws__buf_clear(&value);
            in_value = 0;
        } else {
            pkiws__buf_putc(&value, c);
        }
    }
    if (rc == PKIWS_OK)
        rc = pkiws__buf_status(&type) ? PKIWS_E_NOMEM : pkiws__buf_status(&value);
    pkiws__buf_dispose(&type);
    pkiws__buf_dispose(&value);
    if (rc)
        pkiws__dn_dispose(out);
    return rc;
}

void pkiws__dn_dispose(pkiws__dn *dn)
{
    for (size_t i = 0; i < dn->n; i++) {
        pkiws__free(dn->type[i]);
        pkiws__free(dn->value[i]);
    }
    pkiws__free(dn->type);
    pkiws__free(dn->value);
    memset(dn, 0, sizeof *dn);
}
