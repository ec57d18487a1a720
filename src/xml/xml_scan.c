/* SPDX-License-Identifier: MIT */
/* Lexical pre-check of an XML document: everything mxml 3 accepts silently but must not. */
#include "pkiws_internal.h"

#include <stdarg.h>
#include <stdio.h>

#include "xml/xml_int.h"

#define XML_DEFAULT_MAX_BYTES ((size_t)4 * 1024 * 1024)
#define XML_DEFAULT_MAX_DEPTH 64u
#define XML_DEFAULT_MAX_NODES ((size_t)100000)

typedef struct scan {
    const char *d;
    size_t len;
    const pkiws_xml_limits *lim;
    const char *what;
    size_t *open; /* byte offsets of the start tags still open */
    size_t nopen, capopen;
    size_t nodes;
} scan;

void pkiws__xml_limits_resolve(const pkiws_xml_limits *in, pkiws_xml_limits *out)
{
    out->max_bytes = in && in->max_bytes ? in->max_bytes : XML_DEFAULT_MAX_BYTES;
    out->max_depth = in && in->max_depth ? in->max_depth : XML_DEFAULT_MAX_DEPTH;
    out->max_nodes = in && in->max_nodes ? in->max_nodes : XML_DEFAULT_MAX_NODES;
}

static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_name_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

static int is_name_char(int c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* A printable excerpt of the input at off for messages (at most 24 bytes, cut at a line end). */
static void excerpt(const scan *s, size_t off, char *out, size_t cap)
{
    size_t j = 0;
    for (size_t i = off; i < s->len && i < off + 24 && j + 1 < cap; i++) {
        unsigned char c = (unsigned char)s->d[i];
        if (c == '\n' || c == '\r')
            break;
        out[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    out[j] = 0;
}

static int fail_at(const scan *s, int code, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_at(const scan *s, int code, size_t off, const char *fmt, ...)
{
    char detail[512], near[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    excerpt(s, off, near, sizeof near);
    return pkiws__fail(code, "%s: %s at byte offset %zu (near \"%s\")", s->what, detail, off, near);
}

/* Length of the name at off (0 when none starts there). */
static size_t name_len(const scan *s, size_t off)
{
    size_t i = off;
    if (i >= s->len || !is_name_start((unsigned char)s->d[i]))
        return 0;
    /* ends at U+FEFF too: mxml drops it, fails on the rest of the tag and leaks the element */
    while (i < s->len && is_name_char((unsigned char)s->d[i]) &&
           (s->len - i < 3 || memcmp(s->d + i, "\xEF\xBB\xBF", 3)))
        i++;
    return i - off;
}

static int truncated(const scan *s, size_t off, const char *construct)
{
    return pkiws__fail(PKIWS_E_PROTOCOL,
                       "%s: document is truncated: %s at byte offset %zu is cut off by the end of "
                       "the input (%zu bytes)",
                       s->what, construct, off, s->len);
}

static int count_node(scan *s, size_t off)
{
    if (++s->nodes > s->lim->max_nodes)
        return fail_at(s, PKIWS_E_LIMIT, off, "more than %zu nodes (the node limit)",
                       s->lim->max_nodes);
    return PKIWS_OK;
}

static int is_xml_char(unsigned long cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* An entity or character reference at off ('&'); *end receives the offset after ';'. */
static int scan_reference(const scan *s, size_t off, size_t *end)
{
    static const char *const predefined[] = {"lt", "gt", "amp", "quot", "apos"};
    size_t i = off + 1;
    while (i < s->len && i - off <= 10 &&
           (s->d[i] == '#' || (is_name_char((unsigned char)s->d[i]) && s->d[i] != ':')))
        i++;
    if (i >= s->len)
        return truncated(s, off, "an entity reference");
    if (s->d[i] != ';' || i == off + 1)
        return fail_at(s, PKIWS_E_PROTOCOL, off,
                       "'&' that does not start an entity or character reference");
    const char *name = s->d + off + 1;
    size_t n = i - off - 1;
    *end = i + 1;
    if (n >= 2 && name[0] == '#') {
        int hex = name[1] == 'x';
        size_t k = hex ? 2 : 1;
        unsigned long cp = 0;
        if (k == n)
            return fail_at(s, PKIWS_E_PROTOCOL, off, "empty character reference");
        for (; k < n; k++) {
            int c = (unsigned char)name[k], v;
            if (c >= '0' && c <= '9')
                v = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                v = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                v = c - 'A' + 10;
            else
                return fail_at(s, PKIWS_E_PROTOCOL, off,
                               "character reference with the non-%s digit '%c'",
                               hex ? "hex" : "decimal", c >= 0x20 && c < 0x7f ? c : '?');
            cp = cp * (hex ? 16u : 10u) + (unsigned long)v;
            if (cp > 0x10FFFF)
                break;
        }
        if (!is_xml_char(cp))
            return fail_at(s, PKIWS_E_PROTOCOL, off,
                           "character reference to a code point that XML does not allow");
        return PKIWS_OK;
    }
    for (size_t k = 0; k < PKIWS_ARRAY_LEN(predefined); k++)
        if (strlen(predefined[k]) == n && !memcmp(predefined[k], name, n))
            return PKIWS_OK;
    return fail_at(s, PKIWS_E_PROTOCOL, off,
                   "undefined entity '&%.*s;' (only &lt; &gt; &amp; &quot; &apos; and character "
                   "references are allowed; DTDs are refused)",
                   (int)n, name);
}

static int push_open(scan *s, size_t off)
{
    if (s->nopen >= s->lim->max_depth)
        return fail_at(s, PKIWS_E_LIMIT, off,
                       "elements nested deeper than %u levels (the depth limit)",
                       s->lim->max_depth);
    if (s->nopen == s->capopen) {
        size_t cap = s->capopen ? s->capopen * 2 : 32;
        size_t *p = pkiws__realloc(s->open, cap * sizeof *p);
        if (!p)
            return pkiws__fail(PKIWS_E_NOMEM, "%s: out of memory while checking the nesting",
                               s->what);
        s->open = p;
        s->capopen = cap;
    }
    s->open[s->nopen++] = off;
    return PKIWS_OK;
}

/* A start tag at off ('<' + name). */
static int scan_start_tag(scan *s, size_t off, size_t *end, int *self_closing)
{
    size_t i = off + 1, nattrs = 0;
    size_t aoffs[PKIWS_XML_MAX_ATTRS], alens[PKIWS_XML_MAX_ATTRS];
    size_t n = name_len(s, i);
    if (!n)
        return i >= s->len ? truncated(s, off, "a start tag")
                           : fail_at(s, PKIWS_E_PROTOCOL, off, "'<' that does not start a tag");
    int rc = count_node(s, off);
    if (rc)
        return rc;
    i += n;
    for (;;) {
        size_t ws = i;
        while (i < s->len && is_ws((unsigned char)s->d[i]))
            i++;
        if (i >= s->len)
            return truncated(s, off, "a start tag");
        if (s->d[i] == '>') {
            *self_closing = 0;
            *end = i + 1;
            return PKIWS_OK;
        }
        if (s->d[i] == '/') {
            if (i + 1 >= s->len)
                return truncated(s, off, "a start tag");
            if (s->d[i + 1] != '>')
                return fail_at(s, PKIWS_E_PROTOCOL, i, "'/' not followed by '>' in a start tag");
            *self_closing = 1;
            *end = i + 2;
            return PKIWS_OK;
        }
        size_t an = name_len(s, i);
        if (!an)
            return fail_at(s, PKIWS_E_PROTOCOL, i,
                           "a character that cannot start an attribute name");
        if (ws == i)
            return fail_at(s, PKIWS_E_PROTOCOL, i, "attribute without white space before it");
        if (++nattrs > PKIWS_XML_MAX_ATTRS)
            return fail_at(s, PKIWS_E_LIMIT, i, "more than %d attributes on one element",
                           PKIWS_XML_MAX_ATTRS);
        if ((rc = count_node(s, i)))
            return rc;
        size_t aoff = i;
        for (size_t k = 0; k + 1 < nattrs; k++)
            if (alens[k] == an && !memcmp(s->d + aoffs[k], s->d + aoff, an))
                return fail_at(s, PKIWS_E_PROTOCOL, aoff, "duplicate attribute '%.*s'",
                               (int)(an > 64 ? 64 : an), s->d + aoff);
        aoffs[nattrs - 1] = aoff;
        alens[nattrs - 1] = an;
        i += an;
        while (i < s->len && is_ws((unsigned char)s->d[i]))
            i++;
        if (i >= s->len)
            return truncated(s, off, "a start tag");
        if (s->d[i] != '=')
            return fail_at(s, PKIWS_E_PROTOCOL, aoff, "attribute '%.*s' without '=' and a value",
                           (int)(an > 64 ? 64 : an), s->d + aoff);
        i++;
        while (i < s->len && is_ws((unsigned char)s->d[i]))
            i++;
        if (i >= s->len)
            return truncated(s, off, "a start tag");
        char q = s->d[i];
        if (q != '"' && q != '\'')
            return fail_at(s, PKIWS_E_PROTOCOL, aoff, "attribute '%.*s' with an unquoted value",
                           (int)(an > 64 ? 64 : an), s->d + aoff);
        i++;
        while (i < s->len && s->d[i] != q) {
            if (s->d[i] == '<')
                return fail_at(s, PKIWS_E_PROTOCOL, i, "'<' in the value of attribute '%.*s'",
                               (int)(an > 64 ? 64 : an), s->d + aoff);
            if (s->d[i] == '&') {
                if ((rc = scan_reference(s, i, &i)))
                    return rc;
                continue;
            }
            i++;
        }
        if (i >= s->len)
            return truncated(s, off, "a start tag");
        i++; /* closing quote */
        if (i < s->len && !is_ws((unsigned char)s->d[i]) && s->d[i] != '>' && s->d[i] != '/')
            return fail_at(s, PKIWS_E_PROTOCOL, i,
                           "no white space after the value of attribute '%.*s'",
                           (int)(an > 64 ? 64 : an), s->d + aoff);
    }
}

static int scan_end_tag(scan *s, size_t off, size_t *end)
{
    size_t i = off + 2;
    size_t n = name_len(s, i);
    if (!n)
        return i >= s->len ? truncated(s, off, "an end tag")
                           : fail_at(s, PKIWS_E_PROTOCOL, off, "'</' without an element name");
    if (!s->nopen)
        return fail_at(s, PKIWS_E_PROTOCOL, off, "end tag </%.*s> without a start tag",
                       (int)(n > 64 ? 64 : n), s->d + i);
    if (i + n >= s->len)
        return truncated(s, off, "an end tag");
    size_t open = s->open[s->nopen - 1];
    size_t on = name_len(s, open + 1);
    if (on != n || memcmp(s->d + open + 1, s->d + i, n))
        return fail_at(
            s, PKIWS_E_PROTOCOL, off,
            "end tag </%.*s> does not match the start tag <%.*s> (opened at byte offset %zu)",
            (int)(n > 64 ? 64 : n), s->d + i, (int)(on > 64 ? 64 : on), s->d + open + 1, open);
    i += n;
    while (i < s->len && is_ws((unsigned char)s->d[i]))
        i++;
    if (i >= s->len)
        return truncated(s, off, "an end tag");
    if (s->d[i] != '>')
        return fail_at(s, PKIWS_E_PROTOCOL, i, "unexpected character in end tag </%.*s>",
                       (int)(n > 64 ? 64 : n), s->d + off + 2);
    s->nopen--;
    *end = i + 1;
    return PKIWS_OK;
}

static int scan_comment(scan *s, size_t off, size_t *end)
{
    size_t from = off + 4;
    const char *q = memmem(s->d + from, s->len - from, "--", 2);
    if (!q)
        return truncated(s, off, "a comment");
    size_t at = (size_t)(q - s->d);
    if (at + 2 >= s->len)
        return truncated(s, off, "a comment");
    if (s->d[at + 2] != '>')
        return fail_at(s, PKIWS_E_PROTOCOL, at, "'--' inside a comment");
    if (at == from)
        return fail_at(s, PKIWS_E_PROTOCOL, off, "empty comment <!----> (not supported)");
    *end = at + 3;
    return count_node(s, off);
}

static int scan_pi(scan *s, size_t off, size_t start, size_t *end)
{
    size_t n = name_len(s, off + 2);
    if (!n)
        return off + 2 >= s->len ? truncated(s, off, "a processing instruction")
                                 : fail_at(s, PKIWS_E_PROTOCOL, off,
                                           "processing instruction without a target name");
    if (n == 3 && pkiws__strncaseeq(s->d + off + 2, "xml", 3) && off != start)
        return fail_at(s, PKIWS_E_PROTOCOL, off,
                       "XML declaration that is not at the start of the document");
    const char *q = memmem(s->d + off + 2, s->len - off - 2, "?>", 2);
    if (!q)
        return truncated(s, off, "a processing instruction");
    *end = (size_t)(q - s->d) + 2;
    return count_node(s, off);
}

static int scan_markup_decl(scan *s, size_t off, size_t *end)
{
    static const char comment[] = "<!--", cdata[] = "<![CDATA[";
    size_t rest = s->len - off;
    if ((rest < 4 && !memcmp(s->d + off, comment, rest)) ||
        (rest < 9 && !memcmp(s->d + off, cdata, rest)))
        return truncated(s, off, "markup");
    if (rest >= 4 && !memcmp(s->d + off, comment, 4))
        return scan_comment(s, off, end);
    if (rest >= 9 && !memcmp(s->d + off, cdata, 9)) {
        if (!s->nopen)
            return fail_at(s, PKIWS_E_PROTOCOL, off, "CDATA section outside the document element");
        const char *q = memmem(s->d + off + 9, s->len - off - 9, "]]>", 3);
        if (!q)
            return truncated(s, off, "a CDATA section");
        *end = (size_t)(q - s->d) + 3;
        return count_node(s, off);
    }
    if (rest >= 9 && pkiws__strncaseeq(s->d + off, "<!DOCTYPE", 9))
        return fail_at(s, PKIWS_E_PROTOCOL, off,
                       "document type declaration (<!DOCTYPE>): DTDs and entity declarations are "
                       "refused");
    return fail_at(s, PKIWS_E_PROTOCOL, off, "markup declaration (<!...>): DTDs are refused");
}

static int check_chars(const scan *s)
{
    for (size_t i = 0; i < s->len; i++) {
        unsigned char c = (unsigned char)s->d[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return pkiws__fail(PKIWS_E_PROTOCOL,
                               "%s: control character 0x%02X at byte offset %zu is not allowed in "
                               "XML",
                               s->what, c, i);
    }
    return PKIWS_OK;
}

static int scan_body(scan *s)
{
    size_t i = 0, start = 0;
    int root_seen = 0, rc;
    if (s->len >= 3 && !memcmp(s->d, "\xEF\xBB\xBF", 3))
        i = start = 3;
    while (i < s->len) {
        unsigned char c = (unsigned char)s->d[i];
        if (c == '<') {
            if (i + 1 >= s->len)
                return truncated(s, i, "markup");
            char n = s->d[i + 1];
            if (n == '?') {
                rc = scan_pi(s, i, start, &i);
            } else if (n == '!') {
                rc = scan_markup_decl(s, i, &i);
            } else if (n == '/') {
                rc = scan_end_tag(s, i, &i);
            } else {
                if (!s->nopen && root_seen)
                    return fail_at(s, PKIWS_E_PROTOCOL, i,
                                   "second element after the end of the document element");
                int self_closing = 0;
                size_t off = i;
                rc = scan_start_tag(s, off, &i, &self_closing);
                root_seen = 1;
                if (!rc && !self_closing)
                    rc = push_open(s, off);
            }
            if (rc)
                return rc;
        } else if (!s->nopen) {
            if (!is_ws(c))
                return fail_at(s, PKIWS_E_PROTOCOL, i,
                               root_seen ? "trailing data after the end of the document element"
                                         : "text before the document element");
            i++;
        } else if (c == '&') {
            if ((rc = scan_reference(s, i, &i)))
                return rc;
        } else {
            i++;
        }
    }
    if (s->nopen) {
        size_t open = s->open[s->nopen - 1];
        size_t n = name_len(s, open + 1);
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "%s: document is truncated: element <%.*s> opened at byte offset %zu is "
                           "not closed when the input ends (%zu bytes)",
                           s->what, (int)(n > 64 ? 64 : n), s->d + open + 1, open, s->len);
    }
    if (!root_seen)
        return pkiws__fail(PKIWS_E_PROTOCOL, "%s: no document element in %zu bytes", s->what,
                           s->len);
    return PKIWS_OK;
}

int pkiws__xml_scan(const char *data, size_t len, const pkiws_xml_limits *lim, const char *what)
{
    scan s = {data, len, lim, what, NULL, 0, 0, 0};
    if (len > lim->max_bytes)
        return pkiws__fail(PKIWS_E_LIMIT, "%s: %zu bytes exceed the size limit of %zu bytes", what,
                           len, lim->max_bytes);
    int rc = check_chars(&s);
    if (!rc)
        rc = scan_body(&s);
    pkiws__free(s.open);
    return rc;
}
