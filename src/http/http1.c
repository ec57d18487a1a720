/* SPDX-License-Identifier: MIT */
/* HTTP/1.1 wire format of the native transport: URL parsing, request heads, response reader. */
#include "pkiws_internal.h"

#include <stdio.h>

#include "http/http1.h"

/* ---- URLs ----------------------------------------------------------------------------- */

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int pkiws__http1_url_parse(const char *url, int default_http_port, pkiws__http1_url *out)
{
    memset(out, 0, sizeof *out);
    if (!url || !*url)
        return pkiws__fail(PKIWS_E_CONFIG, "no URL given");
    size_t len = strlen(url);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f)
            return pkiws__fail(PKIWS_E_CONFIG,
                               "URL '%.200s': byte %zu (0x%02X) is not allowed in a URL "
                               "(spaces, control characters and non-ASCII must be "
                               "percent-encoded)",
                               url, i, c);
    }
    const char *sep = strstr(url, "://");
    if (!sep)
        return pkiws__fail(PKIWS_E_CONFIG, "URL '%.200s' has no scheme (expected https://)", url);
    size_t slen = (size_t)(sep - url);
    if (slen == 0 || slen >= sizeof out->scheme)
        return pkiws__fail(PKIWS_E_CONFIG, "URL '%.200s': scheme '%.*s' is not http or https", url,
                           (int)(slen > 16 ? 16 : slen), url);
    for (size_t i = 0; i < slen; i++)
        out->scheme[i] = (char)lower(url[i]);
    if (strcmp(out->scheme, "https") && strcmp(out->scheme, "http"))
        return pkiws__fail(PKIWS_E_CONFIG, "URL '%.200s': scheme '%s' is not http or https", url,
                           out->scheme);
    if (strchr(url, '#'))
        return pkiws__fail(PKIWS_E_CONFIG, "URL '%.200s' has a fragment ('#' at offset %zu)", url,
                           (size_t)(strchr(url, '#') - url));
    const char *a = sep + 3;
    size_t alen = strcspn(a, "/?");
    const char *at = memchr(a, '@', alen);
    if (at)
        return pkiws__fail(PKIWS_E_CONFIG,
                           "URL '%.200s' has user information before '@' (offset %zu), which "
                           "pkiws does not send",
                           url, (size_t)(at - url));
    const char *h = a, *hend;
    const char *rest; /* ":port" or end of authority */
    if (alen && a[0] == '[') {
        hend = memchr(a, ']', alen);
        if (!hend)
            return pkiws__fail(PKIWS_E_CONFIG, "URL '%.200s': IPv6 address without ']'", url);
        h = a + 1;
        for (const char *q = h; q < hend; q++)
            if (!is_hex(*q) && *q != ':' && *q != '.')
                return pkiws__fail(PKIWS_E_CONFIG,
                                   "URL '%.200s': '%c' (offset %zu) is not allowed in an IPv6 "
                                   "address",
                                   url, *q, (size_t)(q - url));
        out->ipv6 = 1;
        rest = hend + 1;
    } else {
        hend = memchr(a, ':', alen);
        if (!hend)
            hend = a + alen;
        for (const char *q = h; q < hend; q++)
            if (!is_alpha(*q) && !is_digit(*q) && *q != '-' && *q != '.' && *q != '_')
                return pkiws__fail(PKIWS_E_CONFIG,
                                   "URL '%.200s': '%c' (offset %zu) is not allowed in a host "
                                   "name",
                                   url, *q, (size_t)(q - url));
        rest = hend;
    }
    size_t hlen = (size_t)(hend - h);
    if (hlen == 0)
        return pkiws__fail(PKIWS_E_CONFIG, "URL '%.200s' has no host", url);
    if (hlen >= sizeof out->host || hlen > 253)
        return pkiws__fail(PKIWS_E_CONFIG, "URL '%.200s': the host is %zu characters long", url,
                           hlen);
    memcpy(out->host, h, hlen);
    out->port = strcmp(out->scheme, "https") == 0 ? 443 : default_http_port;
    const char *aend = a + alen;
    if (rest < aend) {
        if (*rest != ':')
            return pkiws__fail(PKIWS_E_CONFIG, "URL '%.200s': unexpected '%c' after the host", url,
                               *rest);
        const char *d = rest + 1;
        if (d == aend || aend - d > 5)
            return pkiws__fail(PKIWS_E_CONFIG, "URL '%.200s': the port must be 1 to 65535", url);
        int port = 0;
        for (const char *q = d; q < aend; q++) {
            if (!is_digit(*q))
                return pkiws__fail(PKIWS_E_CONFIG,
                                   "URL '%.200s': '%c' (offset %zu) in the port is not a digit",
                                   url, *q, (size_t)(q - url));
            port = port * 10 + (*q - '0');
        }
        if (port < 1 || port > 65535)
            return pkiws__fail(PKIWS_E_CONFIG, "URL '%.200s': port %d is not 1 to 65535", url,
                               port);
        out->port = port;
    }
    const char *path = aend;
    size_t plen = strlen(path);
    if (plen + 2 > sizeof out->path)
        return pkiws__fail(PKIWS_E_CONFIG, "URL '%.80s...': the path is %zu bytes long", url, plen);
    if (plen == 0 || path[0] == '?')
        out->path[0] = '/';
    memcpy(out->path + strlen(out->path), path, plen);
    return PKIWS_OK;
}

int pkiws__http1_url_authority(const pkiws__http1_url *u, int always_port, pkiws_buf *out)
{
    int deflt = (!strcmp(u->scheme, "https") && u->port == 443) ||
                (!strcmp(u->scheme, "http") && u->port == 80);
    if (u->ipv6)
        pkiws__buf_printf(out, "[%s]", u->host);
    else
        pkiws__buf_puts(out, u->host);
    if (always_port || !deflt)
        pkiws__buf_printf(out, ":%d", u->port);
    return pkiws__buf_status(out);
}

/* ---- request heads -------------------------------------------------------------------- */

static int header_safe(const char *what, const char *v)
{
    for (size_t i = 0; v[i]; i++)
        if (v[i] == '\r' || v[i] == '\n' || v[i] == '"')
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "%s '%.100s' has a %s at offset %zu, which cannot be sent in an "
                               "HTTP header",
                               what, v, v[i] == '"' ? "quote" : "line break", i);
    return PKIWS_OK;
}

int pkiws__http1_post_head(pkiws_buf *out, const pkiws__http1_url *u, const char *soap_action,
                           const char *user_agent, size_t body_len)
{
    int rc = header_safe("SOAPAction", soap_action ? soap_action : "");
    if (!rc)
        rc = header_safe("User-Agent", user_agent);
    if (rc)
        return rc;
    pkiws__buf_printf(out, "POST %s HTTP/1.1\r\nHost: ", u->path);
    pkiws__http1_url_authority(u, 0, out);
    pkiws__buf_printf(out,
                      "\r\nUser-Agent: %s\r\nContent-Type: text/xml; charset=utf-8\r\n"
                      "SOAPAction: \"%s\"\r\nContent-Length: %zu\r\n\r\n",
                      user_agent, soap_action ? soap_action : "", body_len);
    return pkiws__buf_status(out);
}

int pkiws__http1_check_credentials(const char *credentials)
{
    const char *colon = strchr(credentials, ':');
    if (!colon || colon == credentials)
        return pkiws__fail(PKIWS_E_CONFIG,
                           "the proxy credentials are not \"user:password\" (%s; the value is "
                           "not shown, it is a secret)",
                           colon ? "the user name is empty" : "there is no ':'");
    for (size_t i = 0; credentials[i]; i++)
        if ((unsigned char)credentials[i] < 0x20 || credentials[i] == 0x7f)
            return pkiws__fail(PKIWS_E_CONFIG,
                               "the proxy credentials have a control character at offset %zu, "
                               "which cannot be sent (the value is not shown, it is a secret)",
                               i);
    return PKIWS_OK;
}

/* RFC 4648 base64 of n bytes, appended. */
static void base64_append(pkiws_buf *out, const uint8_t *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char q[4] = {tab[(v >> 18) & 63], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
                     i + 2 < n ? tab[v & 63] : '='};
        pkiws__buf_append(out, q, 4);
    }
}

int pkiws__http1_connect_head(pkiws_buf *out, const pkiws__http1_url *u, const char *user_agent,
                              const char *credentials)
{
    int rc = header_safe("User-Agent", user_agent);
    if (!rc && credentials)
        rc = pkiws__http1_check_credentials(credentials);
    if (rc)
        return rc;
    if (credentials)
        out->secret = 1; /* wiped when it grows and when it is disposed of */
    pkiws_buf auth = PKIWS_BUF_INIT;
    pkiws__http1_url_authority(u, 1, &auth);
    pkiws__buf_printf(out, "CONNECT %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n",
                      pkiws__buf_cstr(&auth), pkiws__buf_cstr(&auth), user_agent);
    if (credentials) {
        pkiws__buf_puts(out, "Proxy-Authorization: Basic ");
        base64_append(out, (const uint8_t *)credentials, strlen(credentials));
        pkiws__buf_puts(out, "\r\n");
    }
    pkiws__buf_puts(out, "Proxy-Connection: Keep-Alive\r\n\r\n");
    rc = pkiws__buf_status(&auth);
    pkiws__buf_dispose(&auth);
    return rc ? rc : pkiws__buf_status(out);
}

/* ---- the reader ----------------------------------------------------------------------- */

void pkiws__http1_reader_init(pkiws__http1_reader *r, pkiws__http1_read_fn fn, void *ctx)
{
    r->read = fn;
    r->ctx = ctx;
    r->pos = r->len = 0;
    r->eof = 0;
    r->total = 0;
}

size_t pkiws__http1_reader_pending(const pkiws__http1_reader *r)
{
    return r->len - r->pos;
}

/* Make bytes available: PKIWS_OK with r->pos < r->len, or with r->eof set. */
static int fill(pkiws__http1_reader *r)
{
    if (r->pos < r->len || r->eof)
        return PKIWS_OK;
    r->pos = r->len = 0;
    size_t n = 0;
    int rc = r->read(r->ctx, r->buf, sizeof r->buf, &n);
    if (rc)
        return rc;
    if (n > sizeof r->buf)
        return pkiws__fail(PKIWS_E_INTERNAL,
                           "HTTP reader: the transport returned %zu bytes "
                           "into a %zu-byte buffer",
                           n, sizeof r->buf);
    if (n == 0)
        r->eof = 1;
    r->len = n;
    r->total += n;
    return PKIWS_OK;
}

/* Text of a line for messages: at most 60 bytes, non-printables as '?'. */
static const char *show(const pkiws_buf *line, char *tmp, size_t cap)
{
    size_t n = line->len < cap - 4 ? line->len : cap - 4;
    if (n > 60)
        n = 60;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = line->data[i];
        tmp[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    tmp[n] = 0;
    if (n < line->len)
        memcpy(tmp + n, "...", 4);
    return tmp;
}

/* One line without its CRLF (a bare LF is accepted). *eof: the stream ended before any byte
 * of the line; a line cut short by the end of the stream is PKIWS_E_PROTOCOL. */
static int get_line(pkiws__http1_reader *r, size_t max, const char *url, const char *where,
                    pkiws_buf *line, int *eof)
{
    pkiws__buf_clear(line);
    *eof = 0;
    for (;;) {
        int rc = fill(r);
        if (rc)
            return rc;
        if (r->pos == r->len) {
            if (line->len == 0) {
                *eof = 1;
                return PKIWS_OK;
            }
            char tmp[80];
            return pkiws__fail(PKIWS_E_PROTOCOL,
                               "the answer from %s was cut short in %s ('%s' without its line "
                               "end)",
                               url, where, show(line, tmp, sizeof tmp));
        }
        const uint8_t *s = r->buf + r->pos;
        size_t avail = r->len - r->pos;
        const uint8_t *nl = memchr(s, '\n', avail);
        size_t take = nl ? (size_t)(nl - s) + 1 : avail;
        if (line->len + take > max + 2)
            return pkiws__fail(PKIWS_E_LIMIT,
                               "the answer from %s has a line longer than %zu bytes in %s", url,
                               max, where);
        if (pkiws__buf_append(line, s, take))
            return PKIWS_E_NOMEM;
        r->pos += take;
        if (nl)
            break;
    }
    line->len--; /* the LF */
    if (line->len && line->data[line->len - 1] == '\r')
        line->len--;
    line->data[line->len] = 0;
    for (size_t i = 0; i < line->len; i++)
        if (line->data[i] == 0 || line->data[i] == '\r') {
            char tmp[80];
            return pkiws__fail(PKIWS_E_PROTOCOL,
                               "the answer from %s has a %s at offset %zu of a line in %s ('%s')",
                               url, line->data[i] ? "bare CR" : "NUL byte", i, where,
                               show(line, tmp, sizeof tmp));
        }
    return PKIWS_OK;
}

static int is_tchar(int c)
{
    return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

typedef struct head_state {
    int have_cl;
    uint64_t cl;
    int te;      /* a Transfer-Encoding header was seen */
    int chunked; /* ... and its last coding is chunked */
    int conn_close, conn_keep;
    int last_important; /* the previous field was one whose value matters */
} head_state;

/* Each element of a comma list, trimmed, through fn; stops at the first failure. */
typedef int (*elem_fn)(const char *v, size_t n, void *ud);

static int each_elem(const char *v, elem_fn fn, void *ud)
{
    while (*v) {
        size_t n = strcspn(v, ",");
        size_t tl;
        const char *t = pkiws__trim(v, n, &tl);
        if (tl) {
            int rc = fn(t, tl, ud);
            if (rc)
                return rc;
        }
        v += n;
        if (*v == ',')
            v++;
    }
    return PKIWS_OK;
}

struct elem_ctx {
    head_state *st;
    const char *url;
    const char *value;
    int chunked_seen;
};

static int cl_elem(const char *t, size_t n, void *ud)
{
    struct elem_ctx *e = ud;
    uint64_t v = 0;
    if (n > 19)
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "the answer from %s has Content-Length '%.40s' (too many digits)",
                           e->url, e->value);
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(t[i]))
            return pkiws__fail(PKIWS_E_PROTOCOL,
                               "the answer from %s has an invalid Content-Length '%.40s'", e->url,
                               e->value);
        v = v * 10 + (uint64_t)(t[i] - '0');
    }
    if (e->st->have_cl && e->st->cl != v)
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "the answer from %s has conflicting Content-Length values (%llu and "
                           "%llu)",
                           e->url, (unsigned long long)e->st->cl, (unsigned long long)v);
    e->st->have_cl = 1;
    e->st->cl = v;
    return PKIWS_OK;
}

static int te_elem(const char *t, size_t n, void *ud)
{
    struct elem_ctx *e = ud;
    if (e->chunked_seen)
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "the answer from %s applies a coding after chunked "
                           "(Transfer-Encoding '%.60s')",
                           e->url, e->value);
    size_t semi = 0;
    while (semi < n && t[semi] != ';')
        semi++;
    size_t nl;
    const char *name = pkiws__trim(t, semi, &nl);
    if (nl == 7 && pkiws__strncaseeq(name, "chunked", 7)) {
        e->chunked_seen = 1;
        e->st->chunked = 1;
        return PKIWS_OK;
    }
    if (nl == 8 && pkiws__strncaseeq(name, "identity", 8))
        return PKIWS_OK;
    return pkiws__fail(PKIWS_E_PROTOCOL,
                       "the answer from %s uses Transfer-Encoding '%.60s', which pkiws does not "
                       "decode (only chunked)",
                       e->url, e->value);
}

static int conn_elem(const char *t, size_t n, void *ud)
{
    struct elem_ctx *e = ud;
    if (n == 5 && pkiws__strncaseeq(t, "close", 5))
        e->st->conn_close = 1;
    else if (n == 10 && pkiws__strncaseeq(t, "keep-alive", 10))
        e->st->conn_keep = 1;
    return PKIWS_OK;
}

/* One header field of the final answer (or of a 1xx one when resp is NULL). */
static int header_field(pkiws_buf *line, size_t lineno, const char *url, head_state *st,
                        pkiws__http1_response *resp, const char *where)
{
    char tmp[80];
    const char *s = (const char *)line->data;
    if (s[0] == ' ' || s[0] == '\t') {
        /* obs-fold: a continuation of the previous field */
        if (lineno == 1 || st->last_important)
            return pkiws__fail(PKIWS_E_PROTOCOL,
                               "the answer from %s continues a header line (obsolete line "
                               "folding) at line %zu of %s: '%s'",
                               url, lineno + 1, where, show(line, tmp, sizeof tmp));
        return PKIWS_OK;
    }
    size_t n = 0;
    while (is_tchar((unsigned char)s[n]))
        n++;
    size_t name_len = n;
    while (s[n] == ' ' || s[n] == '\t')
        n++;
    if (name_len == 0 || s[n] != ':')
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "the answer from %s has a malformed header at line %zu of %s: '%s'", url,
                           lineno + 1, where, show(line, tmp, sizeof tmp));
    size_t vlen;
    const char *v = pkiws__trim(s + n + 1, line->len - n - 1, &vlen);
    char value[512];
    snprintf(value, sizeof value, "%.*s", (int)(vlen < sizeof value ? vlen : sizeof value - 1), v);
    st->last_important = 0;
    if (!resp)
        return PKIWS_OK;
    resp->nheaders++;
#define IS(name) (name_len == sizeof(name) - 1 && pkiws__strncaseeq(s, name, name_len))
    struct elem_ctx e = {st, url, value, 0};
    if (IS("Content-Length")) {
        st->last_important = 1;
        if (vlen >= sizeof value)
            return pkiws__fail(PKIWS_E_PROTOCOL,
                               "the answer from %s has a %zu-byte Content-Length header", url,
                               vlen);
        if (vlen == 0)
            return pkiws__fail(PKIWS_E_PROTOCOL, "the answer from %s has an empty Content-Length",
                               url);
        return each_elem(value, cl_elem, &e);
    }
    if (IS("Transfer-Encoding")) {
        st->last_important = 1;
        if (vlen >= sizeof value)
            return pkiws__fail(PKIWS_E_PROTOCOL,
                               "the answer from %s has a %zu-byte Transfer-Encoding header", url,
                               vlen);
        if (st->te && st->chunked)
            return pkiws__fail(PKIWS_E_PROTOCOL,
                               "the answer from %s applies a coding after chunked "
                               "(Transfer-Encoding '%.60s')",
                               url, value);
        st->te = 1;
        st->chunked = 0;
        return each_elem(value, te_elem, &e);
    }
    if (IS("Connection")) {
        st->last_important = 1;
        return each_elem(value, conn_elem, &e);
    }
    if (IS("Content-Type")) {
        st->last_important = 1;
        size_t ct = vlen < sizeof resp->content_type ? vlen : sizeof resp->content_type - 1;
        memcpy(resp->content_type, v, ct);
        resp->content_type[ct] = 0;
        return PKIWS_OK;
    }
    if (IS("Content-Encoding")) {
        st->last_important = 1;
        if (vlen && !(vlen == 8 && pkiws__strncaseeq(v, "identity", 8)))
            return pkiws__fail(PKIWS_E_PROTOCOL,
                               "the answer from %s is compressed (Content-Encoding '%.60s'), "
                               "which pkiws did not ask for",
                               url, value);
    }
#undef IS
    return PKIWS_OK;
}

/* "HTTP/1.x SSS reason"; 0 or PKIWS_E_PROTOCOL. */
static int status_line(const pkiws_buf *line, const char *url, pkiws__http1_response *resp)
{
    char tmp[80];
    const char *s = (const char *)line->data;
    if (line->len >= 6 && !memcmp(s, "HTTP/2", 6))
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "the answer from %s is HTTP/2 ('%s'); pkiws sent "
                           "HTTP/1.1",
                           url, show(line, tmp, sizeof tmp));
    if (line->len < 12 || memcmp(s, "HTTP/1.", 7) || !is_digit(s[7]) || s[8] != ' ' ||
        !is_digit(s[9]) || !is_digit(s[10]) || !is_digit(s[11]) || (line->len > 12 && s[12] != ' '))
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "the answer from %s does not start with an HTTP/1.x status line: "
                           "'%s'",
                           url, show(line, tmp, sizeof tmp));
    resp->minor = s[7] - '0';
    resp->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    if (resp->status < 100)
        return pkiws__fail(PKIWS_E_PROTOCOL, "the answer from %s has status %d ('%s')", url,
                           resp->status, show(line, tmp, sizeof tmp));
    return PKIWS_OK;
}

int pkiws__http1_read_head(pkiws__http1_reader *r, const pkiws__http1_limits *lim, const char *url,
                           pkiws__http1_response *resp)
{
    memset(resp, 0, sizeof *resp);
    pkiws_buf line = PKIWS_BUF_INIT;
    size_t header_bytes = 0;
    head_state st;
    int rc = PKIWS_OK, eof;
    for (;;) {
        memset(&st, 0, sizeof st);
        if ((rc = get_line(r, lim->max_line, url, "the status line", &line, &eof)))
            goto out;
        if (eof) {
            if (r->total == 0)
                rc =
                    pkiws__fail(PKIWS_E_CONNECT, "%s closed the connection without answering", url);
            else
                rc = pkiws__fail(PKIWS_E_PROTOCOL,
                                 "the answer from %s ended before the status line", url);
            goto out;
        }
        header_bytes += line.len + 2;
        if ((rc = status_line(&line, url, resp)))
            goto out;
        int interim = resp->status < 200;
        const char *where = interim ? "an interim (1xx) answer" : "the headers";
        for (size_t lineno = 1;; lineno++) {
            if ((rc = get_line(r, lim->max_line, url, where, &line, &eof)))
                goto out;
            if (eof) {
                rc = pkiws__fail(PKIWS_E_PROTOCOL,
                                 "the answer from %s was cut short in %s (after %zu lines)", url,
                                 where, lineno);
                goto out;
            }
            header_bytes += line.len + 2;
            if (header_bytes > lim->max_headers) {
                rc = pkiws__fail(PKIWS_E_LIMIT,
                                 "the answer from %s has more than %zu bytes of headers", url,
                                 lim->max_headers);
                goto out;
            }
            if (line.len == 0)
                break;
            if ((rc = header_field(&line, lineno, url, &st, interim ? NULL : resp, where)))
                goto out;
        }
        if (!interim)
            break;
        if (resp->status == 101) {
            rc = pkiws__fail(PKIWS_E_PROTOCOL,
                             "the answer from %s switches protocols (101), which pkiws did not "
                             "ask for",
                             url);
            goto out;
        }
        if (++resp->ninterim > PKIWS__HTTP1_MAX_INTERIM) {
            rc = pkiws__fail(PKIWS_E_PROTOCOL,
                             "the answer from %s has more than %d interim (1xx) answers", url,
                             PKIWS__HTTP1_MAX_INTERIM);
            goto out;
        }
    }
    if (resp->status == 204 || resp->status == 304) {
        resp->framing = PKIWS__HTTP1_NONE;
    } else if (st.te) {
        resp->framing = st.chunked ? PKIWS__HTTP1_CHUNKED : PKIWS__HTTP1_CLOSE;
    } else if (st.have_cl) {
        resp->framing = PKIWS__HTTP1_LENGTH;
        resp->content_length = st.cl;
    } else {
        resp->framing = PKIWS__HTTP1_CLOSE;
    }
    resp->keep_alive = (resp->minor >= 1 ? !st.conn_close : st.conn_keep && !st.conn_close) &&
                       resp->framing != PKIWS__HTTP1_CLOSE && !(st.te && st.have_cl);
out:
    pkiws__buf_dispose(&line);
    return rc;
}

static int too_big(const char *url, size_t max)
{
    return pkiws__fail(PKIWS_E_LIMIT, "the answer from %s exceeds %zu bytes", url, max);
}

/* Exactly n bytes into body (NULL: discard). */
static int read_exact(pkiws__http1_reader *r, uint64_t n, pkiws_buf *body, const char *url,
                      const char *where, uint64_t whole)
{
    uint64_t got = 0;
    while (got < n) {
        int rc = fill(r);
        if (rc)
            return rc;
        if (r->pos == r->len)
            return pkiws__fail(PKIWS_E_PROTOCOL,
                               "the answer from %s was cut short: %llu of %llu bytes of %s "
                               "received",
                               url, (unsigned long long)(whole - (n - got)),
                               (unsigned long long)whole, where);
        size_t take = r->len - r->pos;
        if (take > n - got)
            take = (size_t)(n - got);
        if (body && pkiws__buf_append(body, r->buf + r->pos, take))
            return PKIWS_E_NOMEM;
        r->pos += take;
        got += take;
    }
    return PKIWS_OK;
}

static int hexval(int c)
{
    return is_digit(c) ? c - '0' : lower(c) - 'a' + 10;
}

static int read_chunked(pkiws__http1_reader *r, const pkiws__http1_limits *lim, const char *url,
                        pkiws__http1_response *resp, pkiws_buf *body)
{
    pkiws_buf line = PKIWS_BUF_INIT;
    int rc = PKIWS_OK, eof;
    size_t start = body->len, trailer_bytes = 0;
    char tmp[80], where[64];
    for (size_t chunk = 1;; chunk++) {
        snprintf(where, sizeof where, "the size line of chunk %zu", chunk);
        if ((rc = get_line(r, lim->max_line, url, where, &line, &eof)))
            goto out;
        if (eof) {
            rc = pkiws__fail(PKIWS_E_PROTOCOL,
                             "the answer from %s was cut short before chunk %zu (chunked body "
                             "without its last chunk)",
                             url, chunk);
            goto out;
        }
        const char *s = (const char *)line.data;
        size_t i = 0, digits = 0;
        uint64_t size = 0;
        while (s[i] == '0')
            i++; /* leading zeros do not count against the digit limit */
        while (is_hex((unsigned char)s[i])) {
            if (++digits > PKIWS__HTTP1_MAX_CHUNK_DIGITS) {
                rc = pkiws__fail(PKIWS_E_PROTOCOL,
                                 "the answer from %s has a chunk size with more than %d hex "
                                 "digits (chunk %zu: '%s')",
                                 url, PKIWS__HTTP1_MAX_CHUNK_DIGITS, chunk,
                                 show(&line, tmp, sizeof tmp));
                goto out;
            }
            size = (size << 4) | (uint64_t)hexval((unsigned char)s[i]);
            i++;
        }
        if (i == 0) {
            rc = pkiws__fail(PKIWS_E_PROTOCOL,
                             "the answer from %s has an invalid chunk size line (chunk %zu: "
                             "'%s')",
                             url, chunk, show(&line, tmp, sizeof tmp));
            goto out;
        }
        while (s[i] == ' ' || s[i] == '\t')
            i++;
        if (s[i] && s[i] != ';') {
            rc = pkiws__fail(PKIWS_E_PROTOCOL,
                             "the answer from %s has junk after the chunk size (chunk %zu: "
                             "'%s')",
                             url, chunk, show(&line, tmp, sizeof tmp));
            goto out;
        }
        /* chunk extensions (";name=value") are allowed and ignored */
        if (size == 0)
            break;
        if (size > lim->max_body || body->len - start > lim->max_body - size) {
            rc = too_big(url, lim->max_body);
            goto out;
        }
        snprintf(where, sizeof where, "chunk %zu", chunk);
        if ((rc = read_exact(r, size, body, url, where, size)))
            goto out;
        resp->nchunks++;
        snprintf(where, sizeof where, "the line end after chunk %zu", chunk);
        if ((rc = get_line(r, 2, url, where, &line, &eof)))
            goto out;
        if (eof || line.len) {
            rc = eof ? pkiws__fail(PKIWS_E_PROTOCOL,
                                   "the answer from %s was cut short after the data of chunk %zu",
                                   url, chunk)
                     : pkiws__fail(PKIWS_E_PROTOCOL,
                                   "the answer from %s: chunk %zu is longer than its size %llu "
                                   "('%s' follows)",
                                   url, chunk, (unsigned long long)size,
                                   show(&line, tmp, sizeof tmp));
            goto out;
        }
    }
    /* trailer fields, then the empty line */
    for (size_t lineno = 1;; lineno++) {
        if ((rc = get_line(r, lim->max_line, url, "the trailer", &line, &eof)))
            goto out;
        if (eof) {
            rc = pkiws__fail(PKIWS_E_PROTOCOL,
                             "the answer from %s was cut short in the trailer after the last "
                             "chunk",
                             url);
            goto out;
        }
        trailer_bytes += line.len + 2;
        if (trailer_bytes > lim->max_headers) {
            rc = pkiws__fail(PKIWS_E_LIMIT,
                             "the answer from %s has a trailer of more than %zu "
                             "bytes",
                             url, lim->max_headers);
            goto out;
        }
        if (line.len == 0)
            break;
        head_state st;
        memset(&st, 0, sizeof st);
        if ((rc = header_field(&line, lineno, url, &st, NULL, "the trailer")))
            goto out;
        resp->ntrailers++;
    }
out:
    pkiws__buf_dispose(&line);
    return rc;
}

int pkiws__http1_read_body(pkiws__http1_reader *r, const pkiws__http1_limits *lim, const char *url,
                           pkiws__http1_response *resp, pkiws_buf *body)
{
    switch (resp->framing) {
    case PKIWS__HTTP1_NONE:
        return PKIWS_OK;
    case PKIWS__HTTP1_LENGTH:
        if (resp->content_length > lim->max_body)
            return pkiws__fail(PKIWS_E_LIMIT,
                               "the answer from %s exceeds %zu bytes (Content-Length: %llu)", url,
                               lim->max_body, (unsigned long long)resp->content_length);
        return read_exact(r, resp->content_length, body, url, "the body", resp->content_length);
    case PKIWS__HTTP1_CHUNKED:
        return read_chunked(r, lim, url, resp, body);
    default: {
        size_t start = body->len;
        for (;;) {
            int rc = fill(r);
            if (rc)
                return rc;
            if (r->pos == r->len)
                return PKIWS_OK;
            size_t take = r->len - r->pos;
            if (body->len - start + take > lim->max_body)
                return too_big(url, lim->max_body);
            if (pkiws__buf_append(body, r->buf + r->pos, take))
                return PKIWS_E_NOMEM;
            r->pos += take;
        }
    }
    }
}

int pkiws__http1_read_response(pkiws__http1_reader *r, const pkiws__http1_limits *lim,
                               const char *url, pkiws__http1_response *resp, pkiws_buf *body)
{
    int rc = pkiws__http1_read_head(r, lim, url, resp);
    if (!rc)
        rc = pkiws__http1_read_body(r, lim, url, resp, body);
    if (rc)
        resp->keep_alive = 0;
    return rc;
}
