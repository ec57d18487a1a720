/* SPDX-License-Identifier: MIT */
/* Unit tests of src/http/http1.c: URLs, request heads and the HTTP/1.1 response reader, fed
 * from memory in pieces of every size so that every boundary is crossed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "pkiws_internal.h"

/* The thread's last error message contains needle (else the test fails showing it). */
#define EXPECT_MSG(needle)                                                                         \
    do {                                                                                           \
        if (!strstr(pkiws__err_message(), (needle)))                                               \
            fail_msg("message '%s' lacks '%s'", pkiws__err_message(), (needle));                   \
    } while (0)

#include "http/http1.h"

#define URL "https://ca.test/pki-ws/x"

/* A memory stream handed out step bytes at a time (0: all at once), optionally failing. */
typedef struct mem {
    const uint8_t *p;
    size_t len, pos, step;
    int fail_at_end; /* instead of EOF: PKIWS_E_TIMEOUT */
} mem;

static int mem_read(void *ctx, uint8_t *buf, size_t cap, size_t *n)
{
    mem *m = ctx;
    size_t left = m->len - m->pos;
    if (!left && m->fail_at_end)
        return pkiws__fail(PKIWS_E_TIMEOUT, "mem: timed out");
    size_t take = left < cap ? left : cap;
    if (m->step && take > m->step)
        take = m->step;
    memcpy(buf, m->p + m->pos, take);
    m->pos += take;
    *n = take;
    return PKIWS_OK;
}

static const pkiws__http1_limits lim_default = {PKIWS__HTTP1_MAX_LINE, PKIWS__HTTP1_MAX_HEADERS,
                                                1u << 20};

/* Parse text with each piece size in turn; every run must give the same code; the last
 * run's response and body are left in *resp / *body (body disposed by the caller). */
static int parse_lim(const char *text, size_t len, const pkiws__http1_limits *lim,
                     pkiws__http1_response *resp, pkiws_buf *body, size_t *pending)
{
    static const size_t steps[] = {1, 2, 3, 7, 64, 0};
    int first = 1, code = 0;
    pkiws__http1_reader *r = pkiws__malloc(sizeof *r);
    assert_non_null(r);
    for (size_t s = 0; s < PKIWS_ARRAY_LEN(steps); s++) {
        mem m = {(const uint8_t *)text, len, 0, steps[s], 0};
        pkiws__http1_reader_init(r, mem_read, &m);
        pkiws__buf_dispose(body);
        int rc = pkiws__http1_read_response(r, lim, URL, resp, body);
        if (first)
            code = rc;
        else
            assert_int_equal(rc, code);
        first = 0;
        if (pending)
            *pending = pkiws__http1_reader_pending(r) + (m.len - m.pos);
    }
    pkiws__free(r);
    return code;
}

static int parse(const char *text, pkiws__http1_response *resp, pkiws_buf *body)
{
    return parse_lim(text, strlen(text), &lim_default, resp, body, NULL);
}

static void test_http1_content_length_keepalive(void **state)
{
    (void)state;
    pkiws__http1_response r;
    pkiws_buf b = PKIWS_BUF_INIT;
    size_t pending = 99;
    const char *t = "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
                    "Content-Length: 5\r\n\r\nhello";
    assert_int_equal(parse_lim(t, strlen(t), &lim_default, &r, &b, &pending), PKIWS_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.minor, 1);
    assert_int_equal(r.framing, PKIWS__HTTP1_LENGTH);
    assert_int_equal(r.keep_alive, 1);
    assert_int_equal(r.nheaders, 2);
    assert_string_equal(r.content_type, "text/xml; charset=utf-8");
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.data, "hello", 5);
    assert_int_equal(pending, 0);
    /* the same with a bare LF line end, and a repeated identical Content-Length */
    assert_int_equal(
        parse("HTTP/1.1 500 Internal\nContent-Length: 3, 3\nContent-length: 3\n\nabc", &r, &b),
        PKIWS_OK);
    assert_int_equal(r.status, 500);
    assert_int_equal(b.len, 3);
    /* a second response after the first stays unread: keep-alive is the caller's decision */
    t = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
    assert_int_equal(parse_lim(t, strlen(t), &lim_default, &r, &b, &pending), PKIWS_OK);
    assert_int_equal(b.len, 2);
    assert_int_equal(pending, strlen("HTTP/1.1 200 OK\r\n"));
    pkiws__buf_dispose(&b);
}

static void test_http1_connection_close_and_http10(void **state)
{
    (void)state;
    pkiws__http1_response r;
    pkiws_buf b = PKIWS_BUF_INIT;
    assert_int_equal(
        parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx", &r, &b),
        PKIWS_OK);
    assert_int_equal(r.keep_alive, 0);
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\nContent-Length: "
                           "0\r\n\r\n",
                           &r, &b),
                     PKIWS_OK);
    assert_int_equal(r.keep_alive, 0);
    /* HTTP/1.0 closes unless it says keep-alive */
    assert_int_equal(parse("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", &r, &b), PKIWS_OK);
    assert_int_equal(r.minor, 0);
    assert_int_equal(r.keep_alive, 0);
    assert_int_equal(parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: "
                           "1\r\n\r\nx",
                           &r, &b),
                     PKIWS_OK);
    assert_int_equal(r.keep_alive, 1);
    /* no length: the body runs until the server closes, and the connection is done */
    assert_int_equal(parse("HTTP/1.1 200 OK\r\n\r\nall of this\r\nuntil the end", &r, &b),
                     PKIWS_OK);
    assert_int_equal(r.framing, PKIWS__HTTP1_CLOSE);
    assert_int_equal(r.keep_alive, 0);
    assert_string_equal(pkiws__buf_cstr(&b), "all of this\r\nuntil the end");
    /* 204 has no body even without a length */
    assert_int_equal(parse("HTTP/1.1 204 No Content\r\n\r\n", &r, &b), PKIWS_OK);
    assert_int_equal(r.framing, PKIWS__HTTP1_NONE);
    assert_int_equal(r.keep_alive, 1);
    assert_int_equal(b.len, 0);
    pkiws__buf_dispose(&b);
}

static void test_http1_chunked_extensions_trailers(void **state)
{
    (void)state;
    pkiws__http1_response r;
    pkiws_buf b = PKIWS_BUF_INIT;
    const char *t = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5;name=value;flag\r\nhello\r\n"
                    "000000000000000000001 ; spaced=\"ext\"\r\n,\r\n"
                    "6\r\n world\r\n"
                    "0;last\r\nX-Trailer: 1\r\nChecksum: abc\r\n\r\n";
    assert_int_equal(parse(t, &r, &b), PKIWS_OK);
    assert_int_equal(r.framing, PKIWS__HTTP1_CHUNKED);
    assert_int_equal(r.keep_alive, 1);
    assert_int_equal(r.nchunks, 3);
    assert_int_equal(r.ntrailers, 2);
    assert_string_equal(pkiws__buf_cstr(&b), "hello, world");
    /* upper-case hex, "identity, chunked", a bare LF after the data */
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity, Chunked\r\n\r\n"
                           "A\nabcdefghij\n0\n\n",
                           &r, &b),
                     PKIWS_OK);
    assert_string_equal(pkiws__buf_cstr(&b), "abcdefghij");
    /* chunked and Content-Length: chunked wins, the connection is not reused */
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: "
                           "chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
                           &r, &b),
                     PKIWS_OK);
    assert_string_equal(pkiws__buf_cstr(&b), "ok");
    assert_int_equal(r.keep_alive, 0);
    pkiws__buf_dispose(&b);
}

static void test_http1_chunked_errors(void **state)
{
    (void)state;
    pkiws__http1_response r;
    pkiws_buf b = PKIWS_BUF_INIT;
    const char *head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    char t[512];
    /* a chunk size with 17 significant hex digits (curl allows 16) */
    snprintf(t, sizeof t, "%s11111111111111111\r\n", head);
    assert_int_equal(parse(t, &r, &b), PKIWS_E_PROTOCOL);
    EXPECT_MSG("more than 16 hex digits");
    /* 16 digits is a huge but well-formed size: the body limit stops it before reading */
    snprintf(t, sizeof t, "%sFFFFFFFFFFFFFFFF\r\nabc", head);
    assert_int_equal(parse(t, &r, &b), PKIWS_E_LIMIT);
    EXPECT_MSG("exceeds 1048576 bytes");
    /* sizes that add up past the limit */
    pkiws__http1_limits small = {PKIWS__HTTP1_MAX_LINE, PKIWS__HTTP1_MAX_HEADERS, 8};
    snprintf(t, sizeof t, "%s5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n", head);
    assert_int_equal(parse_lim(t, strlen(t), &small, &r, &b, NULL), PKIWS_E_LIMIT);
    /* not hex, junk after the size, no size */
    snprintf(t, sizeof t, "%sxyz\r\n", head);
    assert_int_equal(parse(t, &r, &b), PKIWS_E_PROTOCOL);
    EXPECT_MSG("chunk 1: 'xyz'");
    snprintf(t, sizeof t, "%s5 5\r\nhello\r\n0\r\n\r\n", head);
    assert_int_equal(parse(t, &r, &b), PKIWS_E_PROTOCOL);
    EXPECT_MSG("junk after the chunk size");
    snprintf(t, sizeof t, "%s;ext\r\n", head);
    assert_int_equal(parse(t, &r, &b), PKIWS_E_PROTOCOL);
    /* data longer than its size */
    snprintf(t, sizeof t, "%s3\r\nhello\r\n0\r\n\r\n", head);
    assert_int_equal(parse(t, &r, &b), PKIWS_E_PROTOCOL);
    EXPECT_MSG("chunk 1 is longer than its size 3");
    /* truncated: inside a chunk, after a chunk, before the last chunk, in the trailer */
    snprintf(t, sizeof t, "%s10\r\nonly part", head);
    assert_int_equal(parse(t, &r, &b), PKIWS_E_PROTOCOL);
    EXPECT_MSG("cut short: 9 of 16 bytes of chunk 1");
    snprintf(t, sizeof t, "%s2\r\nok", head);
    assert_int_equal(parse(t, &r, &b), PKIWS_E_PROTOCOL);
    EXPECT_MSG("after the data of chunk 1");
    snprintf(t, sizeof t, "%s2\r\nok\r\n", head);
    assert_int_equal(parse(t, &r, &b), PKIWS_E_PROTOCOL);
    EXPECT_MSG("before chunk 2");
    snprintf(t, sizeof t, "%s2\r\nok\r\n0\r\nTrailer: x\r\n", head);
    assert_int_equal(parse(t, &r, &b), PKIWS_E_PROTOCOL);
    EXPECT_MSG("trailer");
    /* a malformed trailer field */
    snprintf(t, sizeof t, "%s0\r\nno colon here\r\n\r\n", head);
    assert_int_equal(parse(t, &r, &b), PKIWS_E_PROTOCOL);
    /* a trailer larger than the header limit */
    pkiws__http1_limits tiny = {PKIWS__HTTP1_MAX_LINE, 64, 1024};
    snprintf(t, sizeof t, "%s0\r\nA: %060d\r\nB: %060d\r\n\r\n", head, 1, 2);
    assert_int_equal(parse_lim(t, strlen(t), &tiny, &r, &b, NULL), PKIWS_E_LIMIT);
    /* codings pkiws cannot decode */
    assert_int_equal(
        parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", &r, &b),
        PKIWS_E_PROTOCOL);
    EXPECT_MSG("'gzip, chunked'");
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", &r, &b),
                     PKIWS_E_PROTOCOL);
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: "
                           "0\r\n\r\n",
                           &r, &b),
                     PKIWS_E_PROTOCOL);
    pkiws__buf_dispose(&b);
}

static void test_http1_truncated_and_empty(void **state)
{
    (void)state;
    pkiws__http1_response r;
    pkiws_buf b = PKIWS_BUF_INIT;
    /* nothing at all: the server closed without answering */
    assert_int_equal(parse("", &r, &b), PKIWS_E_CONNECT);
    EXPECT_MSG("closed the connection without answering");
    /* cut in the status line, in the headers, in the body */
    assert_int_equal(parse("HTTP/1.1 20", &r, &b), PKIWS_E_PROTOCOL);
    EXPECT_MSG("cut short in the status line");
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", &r, &b), PKIWS_E_PROTOCOL);
    EXPECT_MSG("cut short in the headers");
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", &r, &b),
                     PKIWS_E_PROTOCOL);
    EXPECT_MSG("5 of 10 bytes of the body");
    assert_int_equal(r.keep_alive, 0);
    /* a transport failure passes through unchanged */
    const char *t = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12";
    mem m = {(const uint8_t *)t, strlen(t), 0, 0, 1};
    pkiws__http1_reader *rd = pkiws__malloc(sizeof *rd);
    assert_non_null(rd);
    pkiws__http1_reader_init(rd, mem_read, &m);
    assert_int_equal(pkiws__http1_read_response(rd, &lim_default, URL, &r, &b), PKIWS_E_TIMEOUT);
    assert_string_equal(pkiws__err_message(), "mem: timed out");
    pkiws__free(rd);
    pkiws__buf_dispose(&b);
}

static void test_http1_header_limits(void **state)
{
    (void)state;
    pkiws__http1_response r;
    pkiws_buf b = PKIWS_BUF_INIT, t = PKIWS_BUF_INIT;
    /* one header line longer than curl's 100 KiB */
    pkiws__buf_puts(&t, "HTTP/1.1 200 OK\r\nX-Big: ");
    for (size_t i = 0; i < PKIWS__HTTP1_MAX_LINE; i++)
        pkiws__buf_putc(&t, 'a');
    pkiws__buf_puts(&t, "\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(parse_lim((char *)t.data, t.len, &lim_default, &r, &b, NULL), PKIWS_E_LIMIT);
    EXPECT_MSG("line longer than 102400 bytes in the headers");
    /* many lines adding up past curl's 300 KiB */
    pkiws__buf_clear(&t);
    pkiws__buf_puts(&t, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 4000; i++)
        pkiws__buf_printf(&t, "X-H%d: %080d\r\n", i, i);
    pkiws__buf_puts(&t, "Content-Length: 0\r\n\r\n");
    assert_int_equal(parse_lim((char *)t.data, t.len, &lim_default, &r, &b, NULL), PKIWS_E_LIMIT);
    EXPECT_MSG("more than 307200 bytes of headers");
    /* just under both limits is fine */
    pkiws__buf_clear(&t);
    pkiws__buf_puts(&t, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 3000; i++)
        pkiws__buf_printf(&t, "X-H%d: %080d\r\n", i, i);
    pkiws__buf_puts(&t, "Content-Length: 2\r\n\r\nok");
    assert_int_equal(parse_lim((char *)t.data, t.len, &lim_default, &r, &b, NULL), PKIWS_OK);
    assert_int_equal(r.nheaders, 3001);
    /* the body limit against Content-Length, before reading */
    pkiws__http1_limits small = {PKIWS__HTTP1_MAX_LINE, PKIWS__HTTP1_MAX_HEADERS, 4};
    const char *x = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    assert_int_equal(parse_lim(x, strlen(x), &small, &r, &b, NULL), PKIWS_E_LIMIT);
    EXPECT_MSG("exceeds 4 bytes (Content-Length: 5)");
    x = "HTTP/1.1 200 OK\r\n\r\nhello";
    assert_int_equal(parse_lim(x, strlen(x), &small, &r, &b, NULL), PKIWS_E_LIMIT);
    pkiws__buf_dispose(&t);
    pkiws__buf_dispose(&b);
}

static void test_http1_malformed_heads(void **state)
{
    (void)state;
    pkiws__http1_response r;
    pkiws_buf b = PKIWS_BUF_INIT;
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"<html>hello</html>\r\n\r\n", "does not start with an HTTP/1.x status line: '<html>"},
        {"HTTP/2 200\r\n\r\n", "is HTTP/2"},
        {"HTTP/1.1 2000 OK\r\n\r\n", "status line"},
        {"HTTP/1.1 099 Odd\r\n\r\n", "has status 99"},
        {"HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n", "malformed header at line 2 of the headers"},
        {"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", "malformed header"},
        {"HTTP/1.1 200 OK\r\n folded first\r\n\r\n", "obsolete line folding"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n 6\r\n\r\n", "obsolete line folding"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
         "conflicting Content-Length values (5 and 6)"},
        {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length '-1'"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", "invalid Content-Length"},
        {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", "too many digits"},
        {"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", "empty Content-Length"},
        {"HTTP/1.1 200 OK\rX: y\r\n\r\n", "bare CR"},
        {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", "switches protocols"},
    };
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(bad); i++) {
        int rc = parse(bad[i].text, &r, &b);
        if (rc != PKIWS_E_PROTOCOL || !strstr(pkiws__err_message(), bad[i].msg))
            fail_msg("case %zu: rc %d, message '%s', want '%s'", i, rc, pkiws__err_message(),
                     bad[i].msg);
        /* every message names the server */
        EXPECT_MSG(URL);
    }
    /* a NUL byte in a header line */
    static const char nul[] = "HTTP/1.1 200 OK\r\nX: a\0b\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(parse_lim(nul, sizeof nul - 1, &lim_default, &r, &b, NULL), PKIWS_E_PROTOCOL);
    EXPECT_MSG("NUL byte");
    /* harmless oddities: folding of an unimportant field, space before the colon, no reason */
    assert_int_equal(parse("HTTP/1.1 200\r\nX-Folded: a\r\n b\r\nServer : x\r\nContent-Length: "
                           "1\r\n\r\n!",
                           &r, &b),
                     PKIWS_OK);
    assert_string_equal(pkiws__buf_cstr(&b), "!");
    pkiws__buf_dispose(&b);
}

static void test_http1_interim_answers(void **state)
{
    (void)state;
    pkiws__http1_response r;
    pkiws_buf b = PKIWS_BUF_INIT;
    assert_int_equal(parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: "
                           "</x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                           &r, &b),
                     PKIWS_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.ninterim, 2);
    assert_int_equal(r.nheaders, 1);
    assert_string_equal(pkiws__buf_cstr(&b), "ok");
    pkiws_buf t = PKIWS_BUF_INIT;
    for (int i = 0; i <= PKIWS__HTTP1_MAX_INTERIM; i++)
        pkiws__buf_puts(&t, "HTTP/1.1 100 Continue\r\n\r\n");
    pkiws__buf_puts(&t, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(parse((char *)t.data, &r, &b), PKIWS_E_PROTOCOL);
    EXPECT_MSG("more than 16 interim");
    pkiws__buf_dispose(&t);
    pkiws__buf_dispose(&b);
}

static void test_http1_url_parse(void **state)
{
    (void)state;
    pkiws__http1_url u;
    assert_int_equal(
        pkiws__http1_url_parse("https://pki-ws.symauth.com/pki-ws/policyService", 80, &u),
        PKIWS_OK);
    assert_string_equal(u.scheme, "https");
    assert_string_equal(u.host, "pki-ws.symauth.com");
    assert_int_equal(u.port, 443);
    assert_string_equal(u.path, "/pki-ws/policyService");
    assert_int_equal(pkiws__http1_url_parse("HTTPS://localhost:8443", 80, &u), PKIWS_OK);
    assert_int_equal(u.port, 8443);
    assert_string_equal(u.path, "/");
    assert_int_equal(pkiws__http1_url_parse("https://[::1]:4443/a?b=c", 80, &u), PKIWS_OK);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.ipv6, 1);
    assert_string_equal(u.path, "/a?b=c");
    pkiws_buf a = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__http1_url_authority(&u, 0, &a), PKIWS_OK);
    assert_string_equal(pkiws__buf_cstr(&a), "[::1]:4443");
    assert_int_equal(pkiws__http1_url_parse("http://proxy.lan", 1080, &u), PKIWS_OK);
    assert_int_equal(u.port, 1080);
    pkiws__buf_clear(&a);
    assert_int_equal(pkiws__http1_url_parse("https://ca.test/x", 80, &u), PKIWS_OK);
    assert_int_equal(pkiws__http1_url_authority(&u, 0, &a), PKIWS_OK);
    assert_string_equal(pkiws__buf_cstr(&a), "ca.test");
    pkiws__buf_dispose(&a);
    static const struct {
        const char *url, *msg;
    } bad[] = {
        {"pki-ws.symauth.com", "has no scheme"},
        {"ftp://x/", "scheme 'ftp'"},
        {"https://user:pw@host/", "user information"},
        {"https://host/a#frag", "fragment"},
        {"https://ho st/", "byte 10 (0x20)"},
        {"https://host:0/", "port 0"},
        {"https://host:65536/", "port 65536"},
        {"https://host:12a/", "'a' (offset 15) in the port"},
        {"https:///path", "has no host"},
        {"https://ho$t/", "'$' (offset 10) is not allowed in a host name"},
        {"https://[::1/", "without ']'"},
        {"https://h\xc3\xa9/", "byte 9 (0xC3)"},
    };
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(bad); i++) {
        int rc = pkiws__http1_url_parse(bad[i].url, 80, &u);
        if (rc != PKIWS_E_CONFIG || !strstr(pkiws__err_message(), bad[i].msg))
            fail_msg("URL case %zu: rc %d, message '%s', want '%s'", i, rc, pkiws__err_message(),
                     bad[i].msg);
    }
}

static void test_http1_request_heads(void **state)
{
    (void)state;
    pkiws__http1_url u;
    pkiws_buf h = PKIWS_BUF_INIT;
    assert_int_equal(
        pkiws__http1_url_parse("https://localhost:8443/pki-ws/enrollmentService", 80, &u),
        PKIWS_OK);
    assert_int_equal(pkiws__http1_post_head(&h, &u, "urn:x#Issue", "ua/1", 42), PKIWS_OK);
    assert_string_equal(pkiws__buf_cstr(&h),
                        "POST /pki-ws/enrollmentService HTTP/1.1\r\nHost: localhost:8443\r\n"
                        "User-Agent: ua/1\r\nContent-Type: text/xml; charset=utf-8\r\n"
                        "SOAPAction: \"urn:x#Issue\"\r\nContent-Length: 42\r\n\r\n");
    pkiws__buf_clear(&h);
    assert_int_equal(pkiws__http1_post_head(&h, &u, "a\r\nX-Injected: 1", "ua", 0),
                     PKIWS_E_INVALID_ARG);
    EXPECT_MSG("line break at offset 1");
    assert_int_equal(pkiws__http1_post_head(&h, &u, "a\"b", "ua", 0), PKIWS_E_INVALID_ARG);
    pkiws__buf_clear(&h);
    assert_int_equal(pkiws__http1_connect_head(&h, &u, "ua", NULL), PKIWS_OK);
    assert_string_equal(pkiws__buf_cstr(&h),
                        "CONNECT localhost:8443 HTTP/1.1\r\nHost: localhost:8443\r\nUser-Agent: "
                        "ua\r\nProxy-Connection: Keep-Alive\r\n\r\n");
    assert_int_equal(h.secret, 0);
    pkiws__buf_dispose(&h);
}

/* Basic proxy authentication on the CONNECT head; bad credentials are refused unquoted. */
static void test_http1_connect_head_credentials(void **state)
{
    (void)state;
    pkiws__http1_url u;
    pkiws_buf h = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__http1_url_parse("https://localhost:8443/pki-ws", 80, &u), PKIWS_OK);
    /* RFC 7617's example: Aladdin:open sesame */
    assert_int_equal(pkiws__http1_connect_head(&h, &u, "ua", "Aladdin:open sesame"), PKIWS_OK);
    assert_string_equal(pkiws__buf_cstr(&h),
                        "CONNECT localhost:8443 HTTP/1.1\r\nHost: localhost:8443\r\nUser-Agent: "
                        "ua\r\nProxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n"
                        "Proxy-Connection: Keep-Alive\r\n\r\n");
    assert_int_equal(h.secret, 1); /* wiped when disposed of */
    pkiws__buf_dispose(&h);
    /* every padding length; an empty password and a ':' in the password are fine */
    static const struct {
        const char *in, *b64;
    } v[] = {{"u:", "dTo="}, {"us:", "dXM6"}, {"use:r", "dXNlOnI="}, {"a:b:c", "YTpiOmM="}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        h = (pkiws_buf)PKIWS_BUF_INIT;
        assert_int_equal(pkiws__http1_connect_head(&h, &u, "ua", v[i].in), PKIWS_OK);
        char want[80];
        snprintf(want, sizeof want, "Proxy-Authorization: Basic %s\r\n", v[i].b64);
        assert_non_null(strstr(pkiws__buf_cstr(&h), want));
        pkiws__buf_dispose(&h);
    }
    static const char *const bad[] = {"s3cr3t-without-colon", ":s3cr3t", "user:s3cr3t\r\nX: 1",
                                      "user:s3cr3t\x7f"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        h = (pkiws_buf)PKIWS_BUF_INIT;
        assert_int_equal(pkiws__http1_connect_head(&h, &u, "ua", bad[i]), PKIWS_E_CONFIG);
        EXPECT_MSG("proxy credentials");
        EXPECT_MSG("not shown");
        assert_null(strstr(pkiws__err_message(), "s3cr3t"));
        pkiws__buf_dispose(&h);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http1_content_length_keepalive),
        cmocka_unit_test(test_http1_connection_close_and_http10),
        cmocka_unit_test(test_http1_chunked_extensions_trailers),
        cmocka_unit_test(test_http1_chunked_errors),
        cmocka_unit_test(test_http1_truncated_and_empty),
        cmocka_unit_test(test_http1_header_limits),
        cmocka_unit_test(test_http1_malformed_heads),
        cmocka_unit_test(test_http1_interim_answers),
        cmocka_unit_test(test_http1_url_parse),
        cmocka_unit_test(test_http1_request_heads),
        cmocka_unit_test(test_http1_connect_head_credentials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
