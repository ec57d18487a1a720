/* SPDX-License-Identifier: MIT */
/*
 * The native HTTP transport end to end over plain TCP: the pass-through test TLS backend
 * (tls_plain.c, a host plug-in through the public table) against scripted servers. Keep-alive
 * and connection counts, Connection: close, chunked answers, truncation, the total timeout on
 * a silent server, stale pooled connections, body limits, proxies, and threads sharing one
 * transport.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkiws_internal.h"

/* The thread's last error message contains needle (else the test fails showing it). */
#define EXPECT_MSG(needle)                                                                         \
    do {                                                                                           \
        if (!strstr(pkiws__err_message(), (needle)))                                               \
            fail_msg("message '%s' lacks '%s'", pkiws__err_message(), (needle));                   \
    } while (0)

#include "core/enroll.h"
#include "http/backends.h"
#include "scripted.h"
#include "tls_plain.h"

#define BODY "<s:Envelope>ping</s:Envelope>"

typedef struct fixture {
    srv server;
    tls_plain_counters counters;
    pkiws__tls *tls;
    pkiws__http http;
    char url[128];
} fixture;

static int open_transport_creds(fixture *f, int64_t timeout_ms, size_t max_response,
                                const char *proxy_url, const char *credentials)
{
    pkiws__http_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.connect_timeout_ms = 2000;
    cfg.timeout_ms = timeout_ms;
    cfg.max_response_bytes = max_response;
    cfg.proxy = proxy_url;
    cfg.proxy_credentials = credentials;
    return pkiws__http_native_open(&f->http, f->tls, &cfg);
}

static int open_transport(fixture *f, int64_t timeout_ms, size_t max_response,
                          const char *proxy_url)
{
    return open_transport_creds(f, timeout_ms, max_response, proxy_url, NULL);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(srv_start(&f->server), 0);
    assert_int_equal(pkiws__tls_new(tls_plain_methods(), &f->counters, NULL, &f->tls), PKIWS_OK);
    snprintf(f->url, sizeof f->url, "https://localhost:%d/pki-ws/healthcheckService",
             f->server.port);
    assert_int_equal(open_transport(f, 5000, 1 << 20, NULL), PKIWS_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    pkiws__http_close(&f->http);
    srv_stop(&f->server);
    pkiws__tls_unref(f->tls);
    /* every connection the transport made is closed again */
    assert_int_equal(atomic_load(&f->counters.live_conns), 0);
    free(f);
    return 0;
}

static int post(fixture *f, pkiws__http_response *resp)
{
    pkiws__http_request req = {f->url, "urn:test#ping", (const uint8_t *)BODY, strlen(BODY),
                               "tx-1"};
    return pkiws__http_perform(&f->http, &req, resp);
}

static const char ok_xml[] = "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
                             "Content-Length: 13\r\n\r\n<ok>one</ok>\n";

static void test_native_keepalive_reuse(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 3; i++)
        srv_add(&f->server, STEP_REPLY, ok_xml);
    for (int i = 0; i < 3; i++) {
        pkiws__http_response resp;
        assert_int_equal(post(f, &resp), PKIWS_OK);
        assert_int_equal(resp.status, 200);
        assert_string_equal(pkiws__buf_cstr(&resp.body), "<ok>one</ok>\n");
        assert_string_equal(resp.content_type, "text/xml; charset=utf-8");
        assert_int_equal(resp.reused, i > 0);
        assert_int_equal(resp.request_sent, 1);
        pkiws__http_response_dispose(&resp);
    }
    /* one TCP connection, one TLS connection, three requests */
    assert_int_equal(atomic_load(&f->server.accepts), 1);
    assert_int_equal(atomic_load(&f->server.requests), 3);
    assert_int_equal(atomic_load(&f->counters.connects), 1);
    assert_int_equal(atomic_load(&f->counters.handshakes), 1);
    assert_string_equal(f->counters.last_host, "localhost");
    assert_int_equal(f->counters.last_port, f->server.port);
    /* what the server received */
    char want[256];
    snprintf(want, sizeof want,
             "POST /pki-ws/healthcheckService HTTP/1.1\r\nHost: localhost:%d\r\n", f->server.port);
    assert_memory_equal(f->server.last_request, want, strlen(want));
    assert_non_null(strstr(f->server.last_request, "\r\nSOAPAction: \"urn:test#ping\"\r\n"));
    assert_non_null(strstr(f->server.last_request, "\r\nContent-Type: text/xml; charset=utf-8"));
    char cl[64];
    snprintf(cl, sizeof cl, "\r\nContent-Length: %zu\r\n\r\n" BODY, strlen(BODY));
    assert_non_null(strstr(f->server.last_request, cl));
}

static void test_native_connection_close_and_http10(void **state)
{
    fixture *f = *state;
    srv_add(&f->server, STEP_REPLY_CLOSE,
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    srv_add(&f->server, STEP_REPLY_CLOSE, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
    srv_add(&f->server, STEP_REPLY_CLOSE, "HTTP/1.1 200 OK\r\n\r\nuntil close");
    srv_add(&f->server, STEP_REPLY, ok_xml);
    const char *bodies[] = {"ok", "ok", "until close", "<ok>one</ok>\n"};
    for (int i = 0; i < 4; i++) {
        pkiws__http_response resp;
        assert_int_equal(post(f, &resp), PKIWS_OK);
        assert_string_equal(pkiws__buf_cstr(&resp.body), bodies[i]);
        assert_int_equal(resp.reused, 0);
        pkiws__http_response_dispose(&resp);
    }
    assert_int_equal(atomic_load(&f->server.accepts), 4);
    assert_int_equal(atomic_load(&f->counters.closes), 3); /* the fourth is pooled */
}

static void test_native_chunked_response(void **state)
{
    fixture *f = *state;
    srv_add(&f->server, STEP_REPLY,
            "HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: text/xml\r\n\r\n"
            "7;ext=1\r\n<fault>\r\n8\r\nboom</fa\r\n3\r\nult\r\n1\r\n>\r\n0\r\nX-T: 1\r\n\r\n");
    srv_add(&f->server, STEP_REPLY, ok_xml);
    pkiws__http_response resp;
    assert_int_equal(post(f, &resp), PKIWS_OK);
    assert_int_equal(resp.status, 500);
    assert_string_equal(pkiws__buf_cstr(&resp.body), "<fault>boom</fault>");
    pkiws__http_response_dispose(&resp);
    /* the chunked answer left the connection reusable */
    assert_int_equal(post(f, &resp), PKIWS_OK);
    assert_int_equal(resp.reused, 1);
    pkiws__http_response_dispose(&resp);
    assert_int_equal(atomic_load(&f->server.accepts), 1);
}

static void test_native_truncated_response(void **state)
{
    fixture *f = *state;
    srv_add(&f->server, STEP_REPLY_CLOSE,
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
    srv_add(&f->server, STEP_REPLY_CLOSE,
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc");
    pkiws__http_response resp;
    assert_int_equal(post(f, &resp), PKIWS_E_PROTOCOL);
    EXPECT_MSG("cut short: 10 of 100 bytes of the body");
    EXPECT_MSG(f->url);
    assert_int_equal(resp.request_sent, 1); /* the client core may retry (idempotent) */
    pkiws__http_response_dispose(&resp);
    assert_int_equal(post(f, &resp), PKIWS_E_PROTOCOL);
    EXPECT_MSG("3 of 16 bytes of chunk 1");
    pkiws__http_response_dispose(&resp);
    /* a server that closes without a byte: not a protocol error but a broken connection */
    srv_add(&f->server, STEP_CLOSE, NULL);
    assert_int_equal(post(f, &resp), PKIWS_E_CONNECT);
    EXPECT_MSG("closed the connection without answering");
    pkiws__http_response_dispose(&resp);
}

static void test_native_timeout_silent_peer(void **state)
{
    fixture *f = *state;
    pkiws__http_close(&f->http);
    assert_int_equal(open_transport(f, 400, 1 << 20, NULL), PKIWS_OK);
    srv_add(&f->server, STEP_SILENT, NULL);
    pkiws__http_response resp;
    int64_t t0 = pkiws__tls_now_ms();
    assert_int_equal(post(f, &resp), PKIWS_E_TIMEOUT);
    int64_t ms = pkiws__tls_now_ms() - t0;
    assert_true(ms >= 390 && ms < 1500);
    EXPECT_MSG("timed out after 400 ms waiting for the answer "
               "from localhost:");
    assert_int_equal(resp.request_sent, 1);
    assert_int_equal(resp.status, 0);
    pkiws__http_response_dispose(&resp);
    atomic_store(&f->server.stop, 1); /* release the silent connection */
}

static void test_native_stale_pooled_connection(void **state)
{
    fixture *f = *state;
    /* 1: the server answers and then drops the idle connection: the pool notices */
    srv_add(&f->server, STEP_REPLY_THEN_DROP, ok_xml);
    srv_add(&f->server, STEP_REPLY, ok_xml);
    /* 3: the server closes the kept-alive connection on the next request without answering:
     * the transport retries once on a fresh connection */
    srv_add(&f->server, STEP_CLOSE, NULL);
    srv_add(&f->server, STEP_REPLY, ok_xml);
    pkiws__http_response resp;
    assert_int_equal(post(f, &resp), PKIWS_OK);
    pkiws__http_response_dispose(&resp);
    struct timespec ts = {0, 200 * 1000000L};
    nanosleep(&ts, NULL);
    assert_int_equal(post(f, &resp), PKIWS_OK);
    assert_int_equal(resp.reused, 0);
    pkiws__http_response_dispose(&resp);
    assert_int_equal(atomic_load(&f->server.accepts), 2);
    assert_int_equal(post(f, &resp), PKIWS_OK);
    assert_string_equal(pkiws__buf_cstr(&resp.body), "<ok>one</ok>\n");
    assert_int_equal(resp.reused, 0); /* the answer came on the fresh connection */
    assert_int_equal(resp.sends, 2);  /* after the request went out twice */
    pkiws__http_response_dispose(&resp);
    assert_int_equal(atomic_load(&f->server.accepts), 3);
    assert_int_equal(atomic_load(&f->server.requests), 4);
}

static void test_native_body_limit_and_junk(void **state)
{
    fixture *f = *state;
    pkiws__http_close(&f->http);
    assert_int_equal(open_transport(f, 5000, 16, NULL), PKIWS_OK);
    srv_add(&f->server, STEP_REPLY,
            "HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n0123456789abcdefg");
    srv_add(&f->server, STEP_REPLY,
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\n");
    srv_add(&f->server, STEP_REPLY, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    pkiws__http_response resp;
    assert_int_equal(post(f, &resp), PKIWS_E_LIMIT);
    EXPECT_MSG("exceeds 16 bytes (Content-Length: 17)");
    pkiws__http_response_dispose(&resp);
    /* bytes after the answer that nobody asked for: answer kept, connection not */
    assert_int_equal(post(f, &resp), PKIWS_OK);
    assert_string_equal(pkiws__buf_cstr(&resp.body), "ok");
    pkiws__http_response_dispose(&resp);
    assert_int_equal(post(f, &resp), PKIWS_OK);
    assert_int_equal(resp.reused, 0);
    pkiws__http_response_dispose(&resp);
    assert_int_equal(atomic_load(&f->server.accepts), 3);
}

static void test_native_connect_errors(void **state)
{
    fixture *f = *state;
    pkiws__http_response resp;
    /* a port nobody listens on */
    srv s2;
    assert_int_equal(srv_start(&s2), 0);
    int dead_port = s2.port;
    srv_stop(&s2);
    char url[128];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/pki-ws/x", dead_port);
    pkiws__http_request req = {url, "a", (const uint8_t *)"x", 1, NULL};
    assert_int_equal(pkiws__http_perform(&f->http, &req, &resp), PKIWS_E_CONNECT);
    EXPECT_MSG("cannot connect to 127.0.0.1 port");
    EXPECT_MSG("refused");
    assert_int_equal(resp.request_sent, 0);
    pkiws__http_response_dispose(&resp);
    /* not https, a header injection attempt */
    req.url = "http://localhost/x";
    assert_int_equal(pkiws__http_perform(&f->http, &req, &resp), PKIWS_E_CONFIG);
    EXPECT_MSG("https only");
    req.url = f->url;
    req.soap_action = "x\r\nEvil: 1";
    assert_int_equal(pkiws__http_perform(&f->http, &req, &resp), PKIWS_E_INVALID_ARG);
    EXPECT_MSG("SOAPAction");
    pkiws__http_response_dispose(&resp);
    assert_int_equal(atomic_load(&f->server.accepts), 0);
}

static void test_native_proxy_tunnel(void **state)
{
    fixture *f = *state;
    proxy px;
    px.answer = NULL;
    assert_int_equal(proxy_start(&px), 0);
    char purl[64];
    snprintf(purl, sizeof purl, "http://127.0.0.1:%d", px.port);
    pkiws__http_close(&f->http);
    assert_int_equal(open_transport(f, 5000, 1 << 20, purl), PKIWS_OK);
    srv_add(&f->server, STEP_REPLY, ok_xml);
    srv_add(&f->server, STEP_REPLY, ok_xml);
    pkiws__http_response resp;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(post(f, &resp), PKIWS_OK);
        assert_string_equal(pkiws__buf_cstr(&resp.body), "<ok>one</ok>\n");
        assert_int_equal(resp.reused, i);
        pkiws__http_response_dispose(&resp);
    }
    char want[64];
    snprintf(want, sizeof want, "CONNECT localhost:%d HTTP/1.1", f->server.port);
    assert_string_equal(px.last_connect, want);
    assert_int_equal(atomic_load(&px.tunnels), 1);
    /* the TLS backend is told the origin, not the proxy */
    assert_string_equal(f->counters.last_host, "localhost");
    pkiws__http_close(&f->http);
    proxy_stop(&px);

    /* a proxy that wants credentials */
    px.answer = "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(proxy_start(&px), 0);
    snprintf(purl, sizeof purl, "127.0.0.1:%d", px.port);
    /* host:port without scheme is refused here (the session normalises it to http://) */
    assert_int_equal(open_transport(f, 5000, 1 << 20, purl), PKIWS_E_CONFIG);
    snprintf(purl, sizeof purl, "http://127.0.0.1:%d", px.port);
    assert_int_equal(open_transport(f, 5000, 1 << 20, purl), PKIWS_OK);
    assert_int_equal(post(f, &resp), PKIWS_E_CONNECT);
    EXPECT_MSG("requires authentication (HTTP 407)");
    EXPECT_MSG("no proxy credentials are set");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_PROXY_AUTH);
    assert_int_equal(resp.permanent, 1); /* retrying cannot help */
    assert_int_equal(resp.sends, 0);     /* the request never left */
    pkiws__http_response_dispose(&resp);
    proxy_stop(&px);
    /* https:// proxies are refused when the transport opens */
    pkiws__http_close(&f->http);
    assert_int_equal(open_transport(f, 5000, 1 << 20, "https://proxy.test:3128"),
                     PKIWS_E_UNSUPPORTED);
    EXPECT_MSG("http:// proxies only");
    assert_int_equal(open_transport(f, 5000, 1 << 20, NULL), PKIWS_OK);
}

/* Basic proxy authentication: sent on every CONNECT, refused credentials end in a 407 with
 * its remedy and are never quoted; credentials need a proxy and a user:password shape. */
static void test_native_proxy_credentials(void **state)
{
    fixture *f = *state;
    proxy px;
    px.answer = NULL;
    assert_int_equal(proxy_start_auth(&px, "Basic dXNlcjpzM2NyM3Q="), 0); /* user:s3cr3t */
    char purl[64];
    snprintf(purl, sizeof purl, "http://127.0.0.1:%d", px.port);
    pkiws__http_close(&f->http);
    assert_int_equal(open_transport_creds(f, 5000, 1 << 20, purl, "user:s3cr3t"), PKIWS_OK);
    /* the first answer ends its connection: the second request needs a new tunnel */
    srv_add(&f->server, STEP_REPLY_CLOSE,
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 13\r\n\r\n<ok>one</ok>\n");
    srv_add(&f->server, STEP_REPLY, ok_xml);
    pkiws__http_response resp;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(post(f, &resp), PKIWS_OK);
        assert_string_equal(pkiws__buf_cstr(&resp.body), "<ok>one</ok>\n");
        assert_int_equal(resp.sends, 1);
        pkiws__http_response_dispose(&resp);
        assert_string_equal(px.last_auth, "Basic dXNlcjpzM2NyM3Q=");
    }
    assert_int_equal(atomic_load(&px.tunnels), 2);
    pkiws__http_close(&f->http);
    /* wrong credentials: 407, the remedy, not retryable, the password nowhere */
    assert_int_equal(open_transport_creds(f, 5000, 1 << 20, purl, "user:wr0ng"), PKIWS_OK);
    assert_int_equal(post(f, &resp), PKIWS_E_CONNECT);
    EXPECT_MSG("requires authentication (HTTP 407)");
    EXPECT_MSG("refused the proxy credentials");
    assert_null(strstr(pkiws__err_message(), "wr0ng"));
    assert_null(strstr(pkiws__err_message(), "dXNlcjp3cjBuZw")); /* nor its base64 */
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_PROXY_AUTH);
    assert_int_equal(resp.permanent, 1);
    pkiws__http_response_dispose(&resp);
    pkiws__http_close(&f->http);
    proxy_stop(&px);
    /* credentials without a proxy, or not user:password */
    assert_int_equal(open_transport_creds(f, 5000, 1 << 20, NULL, "user:s3cr3t"), PKIWS_E_CONFIG);
    EXPECT_MSG("no proxy");
    assert_int_equal(open_transport_creds(f, 5000, 1 << 20, purl, "s3cr3t"), PKIWS_E_CONFIG);
    assert_null(strstr(pkiws__err_message(), "s3cr3t"));
    assert_int_equal(open_transport(f, 5000, 1 << 20, NULL), PKIWS_OK);
}

/* A client over the transport of the fixture, for the retry rule. */
static void open_client(fixture *f, pkiws__client *c, int retries, int64_t timeout_ms,
                        const char *proxy_url)
{
    char base[96];
    snprintf(base, sizeof base, "https://localhost:%d/pki-ws", f->server.port);
    pkiws__client_config cc;
    memset(&cc, 0, sizeof cc);
    cc.base_url = base;
    cc.http.connect_timeout_ms = 2000;
    cc.http.timeout_ms = timeout_ms;
    cc.http.max_response_bytes = 1 << 20;
    cc.http.proxy = proxy_url;
    cc.native = 1;
    cc.tls = f->tls;
    cc.retries = retries;
    cc.backoff_ms = 1;
    cc.limits.max_bytes = 1 << 20;
    cc.limits.max_depth = 64;
    assert_int_equal(pkiws__client_init(c, &cc), PKIWS_OK);
}

/* The one retry rule (util/err.h): a failure is retryable by its code's default unless the
 * transport saw otherwise, and the last error carries it to results and the CLI. Checked on a
 * policy fetch: a timeout is retryable (as for an issue), a 404 is not although PKIWS_E_HTTP
 * is by default, a 503 is, a proxy's 407 is not although PKIWS_E_CONNECT is. */
static void test_native_retry_rule_policy(void **state)
{
    fixture *f = *state;
    pkiws__client c;
    pkiws__template *t = NULL;
    pkiws__call_info info;
    /* a silent server: the timeout, retryable, one attempt without retries */
    srv_add(&f->server, STEP_SILENT, NULL);
    open_client(f, &c, 0, 300, NULL);
    assert_int_equal(pkiws__fetch_template(&c, "1.2.3.4", &t, &info), PKIWS_E_TIMEOUT);
    assert_int_equal(pkiws__err_retryable(), 1);
    assert_int_equal(info.retryable, 1);
    assert_int_equal(info.attempts, 1);
    /* the flag survives context added on the same code, and falls back to the default when
     * another code is recorded */
    pkiws__fail_context(PKIWS_E_TIMEOUT, "policy of 1.2.3.4");
    assert_int_equal(pkiws__err_retryable(), 1);
    pkiws__client_dispose(&c);
    srv_stop(&f->server);

    assert_int_equal(srv_start(&f->server), 0);
    srv_add(&f->server, STEP_REPLY, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    open_client(f, &c, 2, 5000, NULL);
    assert_int_equal(pkiws__fetch_template(&c, "1.2.3.4", &t, &info), PKIWS_E_HTTP);
    assert_int_equal(pkiws__error_retryable(PKIWS_E_HTTP), 1);
    assert_int_equal(pkiws__err_retryable(), 0); /* the transport's verdict */
    assert_int_equal(info.attempts, 1);          /* and not retried */
    pkiws__fail_context(PKIWS_E_HTTP, "policy");
    assert_int_equal(pkiws__err_retryable(), 0);
    pkiws__fail(PKIWS_E_HTTP, "another failure");
    assert_int_equal(pkiws__err_retryable(), 1);
    pkiws__client_dispose(&c);
    srv_stop(&f->server);

    assert_int_equal(srv_start(&f->server), 0);
    srv_add(&f->server, STEP_REPLY,
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
    srv_add(&f->server, STEP_REPLY,
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
    open_client(f, &c, 1, 5000, NULL);
    assert_int_equal(pkiws__fetch_template(&c, "1.2.3.4", &t, &info), PKIWS_E_HTTP);
    assert_int_equal(pkiws__err_retryable(), 1);
    assert_int_equal(info.attempts, 2);
    pkiws__client_dispose(&c);

    proxy px;
    px.answer = "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(proxy_start(&px), 0);
    char purl[64];
    snprintf(purl, sizeof purl, "http://127.0.0.1:%d", px.port);
    open_client(f, &c, 2, 5000, purl);
    assert_int_equal(pkiws__fetch_template(&c, "1.2.3.4", &t, &info), PKIWS_E_CONNECT);
    assert_int_equal(pkiws__err_retryable(), 0);
    assert_int_equal(info.attempts, 1); /* not retried */
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_PROXY_AUTH);
    pkiws__client_dispose(&c);
    proxy_stop(&px);
    assert_null(t);
}

/* The HTTP plug-in adapter hands the proxy credentials to a backend with PKIWS_HTTP_CAP_PROXY
 * and counts a re-send the backend reports (items by value until backend.h names them). */
struct fake_http {
    char creds[64];
    int calls;
};

static int fake_perform(void *backend, const pkiws_http_req *req, pkiws_http_resp *resp)
{
    struct fake_http *b = backend;
    const char *creds = NULL;
    b->calls++;
    if (pkiws_http_req_str(req, PKIWS__HTTP_PROXY_CREDENTIALS, &creds))
        return PKIWS_E_BACKEND;
    snprintf(b->creds, sizeof b->creds, "%s", creds ? creds : "(none)");
    pkiws_http_resp_set_int(resp, PKIWS_HTTP_RESP_REQUEST_SENT, 1);
    pkiws_http_resp_set_int(resp, PKIWS__HTTP_RESP_RESENT, 1);
    pkiws_http_resp_set_status(resp, 200);
    return pkiws_http_resp_append_body(resp, "<ok/>", 5);
}

static void test_plugin_adapter_proxy_credentials_and_resend(void **state)
{
    (void)state;
    static const pkiws_http_methods m = {sizeof(pkiws_http_methods),
                                         PKIWS_HTTP_ABI_1,
                                         0,
                                         "fake-http",
                                         PKIWS_HTTP_CAP_PROXY | PKIWS_HTTP_CAP_THREADSAFE,
                                         fake_perform,
                                         NULL};
    struct fake_http b;
    memset(&b, 0, sizeof b);
    pkiws__http_plugin *p = NULL;
    assert_int_equal(pkiws__http_plugin_new(&m, &b, NULL, &p), PKIWS_OK);
    pkiws__http_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.timeout_ms = 1000;
    cfg.proxy = "http://127.0.0.1:3128";
    cfg.proxy_credentials = "user:s3cr3t";
    pkiws__http h;
    assert_int_equal(pkiws__http_plugin_open(&h, p, &cfg), PKIWS_OK);
    pkiws__http_request req = {"https://localhost:1/pki-ws/x", "urn:a", (const uint8_t *)"<a/>", 4,
                               "tx"};
    pkiws__http_response resp;
    assert_int_equal(pkiws__http_perform(&h, &req, &resp), PKIWS_OK);
    assert_string_equal(b.creds, "user:s3cr3t");
    assert_int_equal(resp.sends, 2);
    pkiws__http_response_dispose(&resp);
    pkiws__http_close(&h);
    /* without a proxy the credentials are refused; malformed ones unquoted */
    cfg.proxy = NULL;
    assert_int_equal(pkiws__http_plugin_open(&h, p, &cfg), PKIWS_E_CONFIG);
    cfg.proxy = "http://127.0.0.1:3128";
    cfg.proxy_credentials = "s3cr3t";
    assert_int_equal(pkiws__http_plugin_open(&h, p, &cfg), PKIWS_E_CONFIG);
    assert_null(strstr(pkiws__err_message(), "s3cr3t"));
    cfg.proxy_credentials = NULL;
    assert_int_equal(pkiws__http_plugin_open(&h, p, &cfg), PKIWS_OK);
    assert_int_equal(pkiws__http_perform(&h, &req, &resp), PKIWS_OK);
    assert_string_equal(b.creds, "(none)");
    pkiws__http_response_dispose(&resp);
    pkiws__http_close(&h);
    pkiws__http_plugin_unref(p);
}

static void test_native_connect_timeout(void **state)
{
    fixture *f = *state;
    /* a listener whose accept queue is full drops further SYNs: the connect hangs */
    int l = socket(AF_INET, SOCK_STREAM, 0), filler = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(l, 0), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&a, &alen), 0);
    assert_int_equal(connect(filler, (struct sockaddr *)&a, sizeof a), 0);
    pkiws__http_close(&f->http);
    pkiws__http_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.connect_timeout_ms = 300;
    cfg.timeout_ms = 10000;
    assert_int_equal(pkiws__http_native_open(&f->http, f->tls, &cfg), PKIWS_OK);
    char url[96];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/pki-ws/x", ntohs(a.sin_port));
    pkiws__http_request req = {url, "a", (const uint8_t *)"x", 1, NULL};
    pkiws__http_response resp;
    int64_t t0 = pkiws__tls_now_ms();
    assert_int_equal(pkiws__http_perform(&f->http, &req, &resp), PKIWS_E_TIMEOUT);
    int64_t ms = pkiws__tls_now_ms() - t0;
    assert_true(ms >= 290 && ms < 1500);
    char want[96];
    snprintf(want, sizeof want, "timed out after 300 ms connecting to 127.0.0.1 port %d",
             ntohs(a.sin_port));
    EXPECT_MSG(want);
    assert_int_equal(resp.request_sent, 0);
    pkiws__http_response_dispose(&resp);
    close(filler);
    close(l);
}

struct worker {
    fixture *f;
    int ok;
    int reused;
};

static void *worker_main(void *v)
{
    struct worker *w = v;
    for (int i = 0; i < 10; i++) {
        pkiws__http_response resp;
        if (post(w->f, &resp) == PKIWS_OK && resp.status == 200 &&
            !strcmp(pkiws__buf_cstr(&resp.body), "<ok>one</ok>\n"))
            w->ok++;
        w->reused += resp.reused;
        pkiws__http_response_dispose(&resp);
    }
    return NULL;
}

static void test_native_threads_share_pool(void **state)
{
    fixture *f = *state;
    f->server.fallback.response = ok_xml;
    struct worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i].f = f;
        w[i].ok = w[i].reused = 0;
        assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
    }
    int ok = 0, reused = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
        reused += w[i].reused;
    }
    assert_int_equal(ok, 40);
    int accepts = atomic_load(&f->server.accepts);
    /* at most one connection per thread; every other request reused one */
    assert_true(accepts >= 1 && accepts <= 4);
    assert_int_equal(reused, 40 - accepts);
    assert_int_equal(atomic_load(&f->server.requests), 40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_native_keepalive_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_connection_close_and_http10, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_chunked_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_truncated_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_timeout_silent_peer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_stale_pooled_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_body_limit_and_junk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_connect_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_proxy_tunnel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_proxy_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_retry_rule_policy, setup, teardown),
        cmocka_unit_test(test_plugin_adapter_proxy_credentials_and_resend),
        cmocka_unit_test_setup_teardown(test_native_threads_share_pool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_native_connect_timeout, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
