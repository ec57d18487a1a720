/* SPDX-License-Identifier: MIT */
/* HTTP/1.1 on one connection: requests with Content-Length or chunked bodies, keep-alive,
 * size and time limits, and the transport-level fault injection. */
#include "conn.h"

#include <errno.h>
#include <stdlib.h>

#define MAX_HEADER_BYTES 16384
#define MAX_CHUNK_LINE 1024

static const char *reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 417:
        return "Expectation Failed";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

/* ---- reading ---- */

typedef enum { RD_OK = 1, RD_EOF = 0, RD_FAIL = -1 } rd_result;

/* Read more bytes into c->in: RD_OK, RD_EOF, RD_FAIL (error or timeout). */
static rd_result fill(sim_conn *c)
{
    /* Drop what was consumed (callers hold no pointer into the buffer across a fill). */
    if (c->pos) {
        size_t left = c->in.len - c->pos;
        memmove(c->in.data, c->in.data + c->pos, left);
        c->in.len = left;
        c->in.data[left] = 0;
        c->pos = 0;
    }
    if (pkiws__buf_grow(&c->in, 16384))
        return RD_FAIL;
    size_t room = c->in.cap - c->in.len - 1;
    int r = sim_conn_read(c, c->in.data + c->in.len, room);
    if (r < 0)
        return RD_FAIL;
    if (r == 0)
        return RD_EOF;
    c->in.len += (size_t)r;
    c->in.data[c->in.len] = 0;
    return RD_OK;
}

static size_t avail(const sim_conn *c)
{
    return c->in.len - c->pos;
}

static const char *find_crlf(const sim_conn *c, size_t from)
{
    const char *s = (const char *)c->in.data + c->pos + from;
    size_t n = avail(c) - from;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '\r' && s[i + 1] == '\n')
            return s + i;
    return NULL;
}

static char *dup_trim(const char *s, size_t n)
{
    size_t tl;
    const char *t = pkiws__trim(s, n, &tl);
    return pkiws__strndup(t, tl);
}

static int header_has_token(const char *v, const char *token)
{
    size_t tl = strlen(token);
    const char *p = v;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        size_t l;
        const char *t = pkiws__trim(p, (size_t)(e - p), &l);
        if (l == tl && pkiws__strncaseeq(t, token, tl))
            return 1;
        p = e;
    }
    return 0;
}

static void request_free(sim_http_request *r)
{
    pkiws__free(r->target);
    pkiws__free(r->path);
    pkiws__free(r->content_type);
    pkiws__free(r->soap_action);
    pkiws__buf_dispose(&r->body);
    memset(r, 0, sizeof *r);
}

static int send_simple(sim_conn *c, int status, const char *msg, int close_after);

/* Parse the request line and headers (hdr: 'len' bytes ending before the blank line).
 * 0, or an HTTP status to answer with (message in why). */
static int parse_head(sim_conn *c, const char *hdr, size_t len, sim_http_request *r, char *why,
                      size_t cap)
{
    const char *end = hdr + len;
    const char *eol = memchr(hdr, '\r', len);
    if (!eol)
        eol = end;
    /* METHOD SP TARGET SP HTTP/1.x */
    const char *sp1 = memchr(hdr, ' ', (size_t)(eol - hdr));
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    if (!sp1 || !sp2 || sp1 == hdr || sp2 == sp1 + 1 || (size_t)(sp1 - hdr) >= sizeof r->method) {
        snprintf(why, cap, "malformed request line");
        return 400;
    }
    memcpy(r->method, hdr, (size_t)(sp1 - hdr));
    r->method[sp1 - hdr] = 0;
    r->target = pkiws__strndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
    const char *ver = sp2 + 1;
    size_t vl = (size_t)(eol - ver);
    if (vl == 8 && !memcmp(ver, "HTTP/1.1", 8)) {
        r->http_minor = 1;
    } else if (vl == 8 && !memcmp(ver, "HTTP/1.0", 8)) {
        r->http_minor = 0;
    } else {
        snprintf(why, cap, "only HTTP/1.0 and HTTP/1.1 are spoken here, not '%.*s'",
                 (int)(vl > 20 ? 20 : vl), ver);
        return 505;
    }
    if (!r->target)
        return 500;
    const char *q = strchr(r->target, '?');
    r->path = pkiws__strndup(r->target, q ? (size_t)(q - r->target) : strlen(r->target));
    r->keep_alive = r->http_minor == 1;
    r->content_length = -1;
    int saw_te = 0;
    const char *line = eol + 2;
    while (line < end) {
        const char *le = line;
        while (le + 1 < end && !(le[0] == '\r' && le[1] == '\n'))
            le++;
        if (le + 1 >= end)
            le = end;
        const char *colon = memchr(line, ':', (size_t)(le - line));
        if (!colon || colon == line || line[0] == ' ' || line[0] == '\t') {
            snprintf(why, cap, "malformed header line '%.*s'",
                     (int)((le - line) > 40 ? 40 : (le - line)), line);
            return 400;
        }
        size_t nl = (size_t)(colon - line);
        char *val = dup_trim(colon + 1, (size_t)(le - colon - 1));
        if (!val)
            return 500;
#define IS(name) (nl == sizeof(name) - 1 && pkiws__strncaseeq(line, name, nl))
        if (IS("Content-Length")) {
            char *e;
            errno = 0;
            long long v = strtoll(val, &e, 10);
            if (!*val || *e || errno || v < 0 ||
                (r->content_length >= 0 && r->content_length != v)) {
                snprintf(why, cap, "bad Content-Length '%.40s'", val);
                pkiws__free(val);
                return 400;
            }
            r->content_length = v;
        } else if (IS("Transfer-Encoding")) {
            saw_te = 1;
            if (!pkiws__strcaseeq(val, "chunked")) {
                snprintf(why, cap, "Transfer-Encoding '%.40s' is not supported (only chunked)",
                         val);
                pkiws__free(val);
                return 501;
            }
            r->chunked = 1;
        } else if (IS("Connection")) {
            if (header_has_token(val, "close"))
                r->keep_alive = 0;
            else if (header_has_token(val, "keep-alive"))
                r->keep_alive = 1;
        } else if (IS("Expect")) {
            if (!pkiws__strcaseeq(val, "100-continue")) {
                snprintf(why, cap, "Expect '%.40s' is not supported", val);
                pkiws__free(val);
                return 417;
            }
            r->expect_continue = 1;
        } else if (IS("Content-Type")) {
            pkiws__free(r->content_type);
            r->content_type = val;
            val = NULL;
        } else if (IS("SOAPAction")) {
            pkiws__free(r->soap_action);
            r->soap_action = val;
            val = NULL;
        }
#undef IS
        pkiws__free(val);
        line = le + 2;
    }
    if (saw_te && r->content_length >= 0) {
        snprintf(why, cap, "both Content-Length and Transfer-Encoding given");
        return 400;
    }
    (void)c;
    return 0;
}

/* Read exactly n body bytes into r->body. */
static rd_result read_bytes(sim_conn *c, size_t n, pkiws_buf *out)
{
    while (n) {
        if (!avail(c)) {
            rd_result fr = fill(c);
            if (fr != RD_OK)
                return fr == RD_EOF ? RD_FAIL : fr;
        }
        size_t take = avail(c) < n ? avail(c) : n;
        if (pkiws__buf_append(out, c->in.data + c->pos, take))
            return RD_FAIL;
        c->pos += take;
        n -= take;
    }
    return RD_OK;
}

/* Read a CRLF-terminated line of at most max bytes; *line_len excludes the CRLF. */
static rd_result read_line(sim_conn *c, char *line, size_t max, size_t *line_len)
{
    for (;;) {
        const char *e = find_crlf(c, 0);
        if (e) {
            size_t l = (size_t)(e - ((const char *)c->in.data + c->pos));
            if (l >= max)
                return RD_FAIL;
            memcpy(line, c->in.data + c->pos, l);
            line[l] = 0;
            *line_len = l;
            c->pos += l + 2;
            return RD_OK;
        }
        if (avail(c) > max)
            return RD_FAIL;
        rd_result fr = fill(c);
        if (fr != RD_OK)
            return RD_FAIL;
    }
}

/* Chunked body: 0, or an HTTP status. */
static int read_chunked(sim_conn *c, sim_http_request *r, char *why, size_t cap)
{
    size_t max = c->srv->opt.max_request_bytes;
    char line[MAX_CHUNK_LINE];
    size_t ll;
    for (;;) {
        if (read_line(c, line, sizeof line, &ll) != RD_OK) {
            snprintf(why, cap, "%s",
                     c->timed_out ? "request timed out in a chunk header"
                                  : "bad or missing chunk-size line");
            return c->timed_out ? 408 : 400;
        }
        char *e;
        errno = 0;
        unsigned long long sz = strtoull(line, &e, 16);
        if (e == line || errno || (*e && *e != ';' && *e != ' ' && *e != '\t')) {
            snprintf(why, cap, "bad chunk size '%.20s'", line);
            return 400;
        }
        if (sz == 0)
            break;
        if (sz > max || r->body.len + sz > max) {
            snprintf(why, cap, "chunked request body exceeds %zu bytes", max);
            return 413;
        }
        if (read_bytes(c, (size_t)sz, &r->body) != RD_OK) {
            snprintf(why, cap, "%s",
                     c->timed_out ? "request timed out in a chunk"
                                  : "connection ended inside a chunk");
            return c->timed_out ? 408 : 400;
        }
        if (read_line(c, line, sizeof line, &ll) != RD_OK || ll != 0) {
            snprintf(why, cap, "chunk data not followed by CRLF");
            return 400;
        }
    }
    /* Trailer fields until the empty line. */
    for (int i = 0; i < 64; i++) {
        if (read_line(c, line, sizeof line, &ll) != RD_OK) {
            snprintf(why, cap, "bad chunked trailer");
            return 400;
        }
        if (ll == 0)
            return 0;
    }
    snprintf(why, cap, "too many trailer fields");
    return 400;
}

/* RD_OK with a request; RD_EOF when the peer closed (or idled out) between requests;
 * RD_FAIL with *status set (0: just close). */
static rd_result read_request(sim_conn *c, sim_http_request *r, int *status, char *why, size_t cap)
{
    sim_server *srv = c->srv;
    *status = 0;
    c->timed_out = 0;
    c->deadline =
        sim_now_ms() + (avail(c) ? srv->opt.request_timeout_ms : srv->opt.idle_timeout_ms);
    int started = avail(c) > 0;
    const char *hend = NULL;
    for (;;) {
        /* Tolerate empty lines before a request line (RFC 9112 §2.2). */
        while (avail(c) >= 2 && c->in.data[c->pos] == '\r' && c->in.data[c->pos + 1] == '\n')
            c->pos += 2;
        if (avail(c)) {
            const char *s = (const char *)c->in.data + c->pos;
            size_t n = avail(c);
            for (size_t i = 0; i + 3 < n; i++)
                if (s[i] == '\r' && s[i + 1] == '\n' && s[i + 2] == '\r' && s[i + 3] == '\n') {
                    hend = s + i;
                    break;
                }
            if (hend && (size_t)(hend - s) + 4 <= MAX_HEADER_BYTES)
                break;
            if (hend || n > MAX_HEADER_BYTES) {
                *status = 431;
                snprintf(why, cap, "request head larger than %d bytes", MAX_HEADER_BYTES);
                return RD_FAIL;
            }
        }
        rd_result fr = fill(c);
        if (fr == RD_EOF) {
            if (!started || !avail(c))
                return RD_EOF;
            snprintf(why, cap, "connection ended inside the request head");
            return RD_FAIL;
        }
        if (fr == RD_FAIL) {
            if (c->timed_out && (started || avail(c))) {
                *status = 408;
                snprintf(why, cap, "request head not received within %lld ms",
                         srv->opt.request_timeout_ms);
            }
            return started || avail(c) ? RD_FAIL : RD_EOF;
        }
        if (!started) {
            started = 1;
            c->deadline = sim_now_ms() + srv->opt.request_timeout_ms;
        }
    }
    const char *head = (const char *)c->in.data + c->pos;
    size_t head_len = (size_t)(hend - head);
    *status = parse_head(c, head, head_len, r, why, cap);
    c->pos += head_len + 4;
    if (*status)
        return RD_FAIL;

    if (strcmp(r->method, "POST") != 0) {
        if (r->content_length > 0 || r->chunked) {
            *status = 405;
            snprintf(why, cap, "method %s is not allowed; SOAP requests are POSTed", r->method);
            return RD_FAIL;
        }
        return RD_OK; /* answered by the dispatcher (404/405) */
    }
    size_t max = srv->opt.max_request_bytes;
    if (!r->chunked && r->content_length < 0) {
        *status = 411;
        snprintf(why, cap, "a POST needs Content-Length or chunked transfer coding");
        return RD_FAIL;
    }
    if (!r->chunked && (unsigned long long)r->content_length > max) {
        *status = 413;
        snprintf(why, cap, "request body of %lld bytes exceeds the limit of %zu bytes",
                 r->content_length, max);
        return RD_FAIL;
    }
    if (r->expect_continue && r->http_minor == 1) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        if (sim_conn_write(c, cont, sizeof cont - 1))
            return RD_FAIL;
    }
    if (r->chunked) {
        *status = read_chunked(c, r, why, cap);
        return *status ? RD_FAIL : RD_OK;
    }
    if (read_bytes(c, (size_t)r->content_length, &r->body) != RD_OK) {
        if (c->timed_out) {
            *status = 408;
            snprintf(why, cap, "request body not received within %lld ms",
                     srv->opt.request_timeout_ms);
        } else {
            snprintf(why, cap, "connection ended inside the request body (%zu of %lld bytes)",
                     r->body.len, r->content_length);
        }
        return RD_FAIL;
    }
    if (pkiws__buf_grow(&r->body, 0))
        return RD_FAIL;
    return RD_OK;
}

/* ---- writing ---- */

static int head_for(pkiws_buf *h, int status, const char *ctype, size_t len, int close_after,
                    int http10_keepalive, const char *extra)
{
    pkiws__buf_printf(h, "HTTP/1.1 %d %s\r\n", status, reason(status));
    if (ctype)
        pkiws__buf_printf(h, "Content-Type: %s\r\n", ctype);
    pkiws__buf_printf(h, "Content-Length: %zu\r\n", len);
    if (extra)
        pkiws__buf_puts(h, extra);
    if (close_after)
        pkiws__buf_puts(h, "Connection: close\r\n");
    else if (http10_keepalive)
        pkiws__buf_puts(h, "Connection: keep-alive\r\n");
    pkiws__buf_puts(h, "\r\n");
    return pkiws__buf_status(h);
}

static int send_simple(sim_conn *c, int status, const char *msg, int close_after)
{
    pkiws_buf b = PKIWS_BUF_INIT;
    char body[768];
    int n = snprintf(body, sizeof body, "%d %s: %s\n", status, reason(status), msg);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof body)
        n = (int)sizeof body - 1;
    int rc = head_for(&b, status, "text/plain;charset=utf-8", (size_t)n, close_after, 0, NULL);
    if (!rc)
        rc = pkiws__buf_append(&b, body, (size_t)n);
    if (!rc)
        rc = sim_conn_write(c, b.data, b.len);
    pkiws__buf_dispose(&b);
    return rc;
}

/* Send a body one byte at a time with drip_ms between bytes. */
static int drip(sim_conn *c, const uint8_t *p, size_t n, long long drip_ms)
{
    for (size_t i = 0; i < n; i++) {
        if (sim_conn_write(c, p + i, 1))
            return -1;
        if (sim_sleep_ms(c->srv, drip_ms))
            return -1;
    }
    return 0;
}

void sim_http_serve(sim_conn *c)
{
    sim_server *srv = c->srv;
    for (;;) {
        sim_http_request req;
        memset(&req, 0, sizeof req);
        int status;
        char why[512] = "";
        rd_result rr = read_request(c, &req, &status, why, sizeof why);
        if (rr == RD_EOF) {
            request_free(&req);
            return;
        }
        if (rr == RD_FAIL) {
            if (status) {
                atomic_fetch_add(&srv->stats.http_errors, 1);
                sim_log(srv, "connection %lu: %d %s", c->id, status, why);
                send_simple(c, status, why, 1);
            } else if (why[0]) {
                sim_log(srv, "connection %lu: %s", c->id, why);
            }
            request_free(&req);
            return;
        }
        int64_t t0 = sim_now_ms();
        unsigned reqno = atomic_fetch_add(&srv->reqno, 1) + 1;
        atomic_fetch_add(&srv->stats.requests, 1);
        sim_active f;
        sim_faults_for(srv->opt.faults, srv->opt.nfaults, reqno, &f);
        if (f.any)
            atomic_fetch_add(&srv->stats.faults_injected, 1);

        if (f.delay_ms && sim_sleep_ms(srv, f.delay_ms)) {
            request_free(&req);
            return;
        }
        sim_response resp;
        memset(&resp, 0, sizeof resp);
        resp.op = SIM_OP_OTHER;
        int close_after = !req.keep_alive;
        if (f.reset) {
            /* Answer nothing and reset: the request is not processed. */
            sim_dispatch(srv, &req, reqno, NULL, &resp); /* only counts and logs it */
            sim_log(srv, "#%u %s %s: fault reset", reqno, sim_op_name(resp.op), req.path);
            pkiws__buf_dispose(&resp.body);
            request_free(&req);
            sim_conn_close(c, SIM_CLOSE_RESET);
            return;
        }
        sim_dispatch(srv, &req, reqno, &f, &resp);
        if (f.drop_after_issue) {
            sim_log(srv, "#%u %s %s -> %d, then fault drop-after-issue (no answer)", reqno,
                    sim_op_name(resp.op), req.path, resp.status);
            pkiws__buf_dispose(&resp.body);
            request_free(&req);
            sim_conn_close(c, SIM_CLOSE_PLAIN);
            return;
        }
        if (f.truncate || f.slow_drip)
            close_after = 1;
        pkiws_buf out = PKIWS_BUF_INIT;
        int rc = head_for(&out, resp.status, resp.content_type, resp.body.len, close_after,
                          !close_after && req.http_minor == 0, resp.extra_headers);
        size_t head_len = out.len;
        if (!rc) {
            if (f.truncate) {
                /* Full Content-Length, half the body, then close. */
                rc = pkiws__buf_append(&out, resp.body.data, resp.body.len / 2);
                if (!rc)
                    rc = sim_conn_write(c, out.data, out.len);
            } else if (f.slow_drip) {
                rc = sim_conn_write(c, out.data, head_len);
                if (!rc)
                    rc = drip(c, resp.body.data, resp.body.len, f.drip_ms);
            } else {
                if (resp.body.len)
                    rc = pkiws__buf_append(&out, resp.body.data, resp.body.len);
                if (!rc)
                    rc = sim_conn_write(c, out.data, out.len);
            }
        }
        sim_log(srv, "#%u %s %s -> %d (%zu bytes, %lld ms)%s%s", reqno, sim_op_name(resp.op),
                req.path, resp.status, resp.body.len, (long long)(sim_now_ms() - t0),
                f.truncate ? ", truncated" : "", rc ? ", peer gone" : "");
        pkiws__buf_dispose(&out);
        pkiws__buf_dispose(&resp.body);
        request_free(&req);
        if (rc)
            return;
        if (f.truncate) {
            sim_conn_close(c, SIM_CLOSE_PLAIN);
            return;
        }
        if (close_after || atomic_load(&srv->stop))
            return;
        /* Compact the input buffer (pipelined bytes stay). */
        if (c->pos) {
            size_t left = avail(c);
            memmove(c->in.data, c->in.data + c->pos, left);
            c->in.len = left;
            c->in.data[left] = 0;
            c->pos = 0;
        }
    }
}
