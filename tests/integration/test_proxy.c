/* SPDX-License-Identifier: MIT */
/*
 * Through a real HTTP CONNECT proxy (tinyproxy, started here on a free loopback port with Basic
 * authentication), over the transport chosen by PKIWS_TEST_TRANSPORT: issuance with the proxy
 * credentials; wrong or missing credentials end in PKIWS_E_CONNECT with the proxy remedy and
 * are not retried; the credentials appear in no log record, even at TRACE; and pkiws_check's
 * name-resolution and TCP steps go to the proxy and through its tunnel (the proxy's log shows
 * a CONNECT for the TCP step as well as for the TLS step).
 *
 * Environment: PKIWS_TINYPROXY (the program; without it the test is skipped, exit 77).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proc.h"
#include "sim_harness.h"

#define PROFILE "2.16.840.1.113733.1.16.1.2.3.1.1.12"
#define USER_PASS "pkiws-user:s3cr3t-Pa55"
#define USER_PASS_B64 "cGtpd3MtdXNlcjpzM2NyM3QtUGE1NQ=="

static sim the_sim;
static struct {
    pid_t pid;
    int port;
    char dir[256], log[300];
} tp;

/* A port that was free a moment ago. */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* tinyproxy in the foreground with a temporary configuration; a few tries in case another
 * process took the port in between. */
static int start_tinyproxy(const char *exe)
{
    if (test_mkdtemp(tp.dir, sizeof tp.dir, "pkiws-proxy") != 0)
        return -1;
    snprintf(tp.log, sizeof tp.log, "%s/tinyproxy.log", tp.dir);
    for (int attempt = 0; attempt < 5; attempt++) {
        tp.port = free_port();
        char conf[300], out[300], err[300];
        snprintf(conf, sizeof conf, "%s/tinyproxy.conf", tp.dir);
        snprintf(out, sizeof out, "%s/tinyproxy.out", tp.dir);
        snprintf(err, sizeof err, "%s/tinyproxy.err", tp.dir);
        unlink(tp.log);
        FILE *f = fopen(conf, "w");
        if (!f)
            return -1;
        fprintf(f,
                "Port %d\nListen 127.0.0.1\nTimeout 60\nLogFile \"%s\"\nLogLevel Info\n"
                "PidFile \"%s/tinyproxy.pid\"\nMaxClients 50\nAllow 127.0.0.1\n"
                "BasicAuth pkiws-user s3cr3t-Pa55\nConnectPort %d\nDisableViaHeader Yes\n",
                tp.port, tp.log, tp.dir, the_sim.port);
        fclose(f);
        char *argv[] = {(char *)exe, "-d", "-c", conf, NULL};
        tp.pid = proc_spawn(argv, out, err);
        if (tp.pid > 0 && proc_wait_file(tp.pid, tp.log, "Accepting connections", 10000) == 0)
            return 0;
        if (tp.pid > 0)
            proc_stop(tp.pid, SIGKILL);
    }
    return -1;
}

static int group_setup(void **state)
{
    (void)state;
    const char *quiet[] = {"-q", NULL};
    sim_start(&the_sim, quiet);
    return start_tinyproxy(getenv("PKIWS_TINYPROXY"));
}

static int group_teardown(void **state)
{
    (void)state;
    if (tp.pid > 0)
        proc_stop(tp.pid, SIGTERM);
    sim_cleanup(&the_sim);
    if (test_rmtree(tp.dir, "pkiws-proxy"))
        return -1;
    return 0;
}

/* CONNECTs to the simulator in the proxy's log so far. */
static int tunnels(void)
{
    char needle[64];
    snprintf(needle, sizeof needle, "CONNECT localhost:%d ", the_sim.port);
    char *t = file_slurp(tp.log, NULL);
    int n = 0;
    for (const char *p = t; p && (p = strstr(p, needle)); p++)
        n++;
    free(t);
    return n;
}

/* Every log record, at TRACE. */
static char logged[1 << 20];
static size_t logged_len;

static void on_log(int level, const char *domain, const char *txid, const char *msg, void *ud)
{
    (void)ud;
    int n = snprintf(logged + logged_len, sizeof logged - logged_len, "%d %s %s %s\n", level,
                     domain, txid, msg);
    if (n > 0 && logged_len + (size_t)n < sizeof logged)
        logged_len += (size_t)n;
}

static pkiws_session *proxied(const char *credentials)
{
    pkiws_session *s = sim_session(&the_sim);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", tp.port);
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_PROXY, url), PKIWS_OK);
    if (credentials)
        assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_PROXY_CREDENTIALS, credentials),
                         PKIWS_OK);
    logged_len = 0;
    logged[0] = 0;
    assert_int_equal(pkiws_session_set_log_cb(s, on_log, NULL), PKIWS_OK);
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_LOG_LEVEL, PKIWS_LOG_TRACE),
                     PKIWS_OK);
    return s;
}

/* No log record and no message carries the credentials, plain or base64. */
static void expect_no_secret(const char *message)
{
    if (strstr(logged, "s3cr3t") || strstr(logged, USER_PASS_B64))
        fail_msg("the proxy credentials were logged");
    if (message &&
        (strstr(message, "s3cr3t") || strstr(message, USER_PASS_B64) || strstr(message, "wr0ng")))
        fail_msg("the proxy credentials are in the message: %s", message);
}

static int issue(pkiws_session *s, pkiws_result **res)
{
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_profile_new(&p, s, PROFILE), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_EMAIL),
                     PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_KEY_TYPE, PKIWS_KEY_EC_P256),
                     PKIWS_OK);
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_request_new(&r, p), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "Proxy Tester"), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_EMAIL, "pt@contoso.com"), PKIWS_OK);
    int rc = pkiws_issue(r, res);
    fprintf(stderr, "issue through the proxy -> %s: %s\n   remedy: %s\n", pkiws_error_name(rc),
            pkiws_result_message(*res), pkiws_result_remedy(*res) ? pkiws_result_remedy(*res) : "");
    pkiws_request_free(r);
    pkiws_profile_free(p);
    return rc;
}

static void test_proxy_issue_with_credentials(void **state)
{
    (void)state;
    int before = tunnels();
    pkiws_session *s = proxied(USER_PASS);
    pkiws_result *res = NULL;
    assert_int_equal(issue(s, &res), PKIWS_OK);
    assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_OK);
    assert_true(tunnels() > before); /* it went through the proxy */
    expect_no_secret(NULL);
    assert_true(logged_len > 0); /* TRACE was on */
    pkiws_result_free(res);
    pkiws_session_free(s);
}

static void expect_refused(const char *credentials, const char *why)
{
    pkiws_session *s = proxied(credentials);
    pkiws_result *res = NULL;
    assert_int_equal(issue(s, &res), PKIWS_E_CONNECT);
    const char *m = pkiws_result_message(res), *remedy = pkiws_result_remedy(res);
    if (!strstr(m, "requires authentication (HTTP 40") || !strstr(m, why))
        fail_msg("message: %s", m);
    if (!remedy || !strstr(remedy, "PKIWS_SESSION_OPT_PROXY_CREDENTIALS"))
        fail_msg("remedy: %s", remedy ? remedy : "(none)");
    assert_int_equal(pkiws_result_retryable(res), 0); /* the same credentials will not heal */
    int64_t attempts = -1;
    assert_int_equal(pkiws_result_int(res, PKIWS_RESULT_ATTEMPTS, &attempts), PKIWS_OK);
    assert_int_equal(attempts, 1); /* and it was not retried */
    expect_no_secret(m);
    pkiws_result_free(res);
    pkiws_session_free(s);
}

static void test_proxy_wrong_credentials(void **state)
{
    (void)state;
    /* tinyproxy 1.11 answers 401 to wrong credentials, 407 to none */
    expect_refused("pkiws-user:wr0ng", "it refused the proxy credentials");
}

static void test_proxy_no_credentials(void **state)
{
    (void)state;
    expect_refused(NULL, "no proxy credentials are set");
}

/* The detail of step `name`; fails when there is none. */
static const char *step_detail(const pkiws_result *res, const char *name, int *verdict)
{
    for (size_t i = 0; i < pkiws_result_check_count(res); i++) {
        const char *n = NULL, *d = NULL;
        if (pkiws_result_check(res, i, &n, verdict, &d, NULL) == PKIWS_OK && !strcmp(n, name))
            return d;
    }
    fail_msg("no check step '%s'", name);
    return NULL;
}

static void test_proxy_check_goes_through_the_proxy(void **state)
{
    (void)state;
    int before = tunnels();
    pkiws_session *s = proxied(USER_PASS);
    pkiws_result *res = NULL;
    int rc = pkiws_check(s, NULL, &res);
    if (rc != PKIWS_OK)
        fail_msg("pkiws_check: %s", pkiws_result_message(res));
    int verdict = -1;
    const char *d = step_detail(res, "name resolution", &verdict);
    fprintf(stderr, "name resolution: %s\n", d);
    assert_non_null(strstr(d, "proxy 127.0.0.1 resolves to 127.0.0.1"));
    assert_int_equal(verdict, PKIWS_VERDICT_OK);
    d = step_detail(res, "TCP connect", &verdict);
    fprintf(stderr, "TCP connect: %s\n", d);
    char want[96];
    snprintf(want, sizeof want,
             "proxy 127.0.0.1:%d accepts connections and opened a tunnel to "
             "localhost:%d",
             tp.port, the_sim.port);
    assert_non_null(strstr(d, want));
    assert_int_equal(verdict, PKIWS_VERDICT_OK);
    /* one tunnel for the TCP step, one for the TLS step: nothing went to the CA directly */
    assert_int_equal(tunnels() - before, 2);
    expect_no_secret(NULL);
    pkiws_result_free(res);
    pkiws_session_free(s);

    /* wrong credentials: the TCP step fails with the proxy remedy, not retryable */
    s = proxied("pkiws-user:wr0ng");
    assert_int_equal(pkiws_check(s, NULL, &res), PKIWS_E_CONNECT);
    d = step_detail(res, "TCP connect", &verdict);
    fprintf(stderr, "TCP connect, wrong credentials: %s\n", d);
    assert_int_equal(verdict, PKIWS_VERDICT_FAIL);
    assert_non_null(strstr(d, "requires authentication"));
    assert_non_null(strstr(pkiws_result_remedy(res), "PKIWS_SESSION_OPT_PROXY_CREDENTIALS"));
    assert_int_equal(pkiws_result_retryable(res), 0);
    expect_no_secret(d);
    pkiws_result_free(res);
    pkiws_session_free(s);
}

int main(void)
{
    const char *exe = getenv("PKIWS_TINYPROXY");
    if (!exe || !*exe || access(exe, X_OK) != 0) {
        fprintf(stderr, "tinyproxy is not installed: skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proxy_issue_with_credentials),
        cmocka_unit_test(test_proxy_wrong_credentials),
        cmocka_unit_test(test_proxy_no_credentials),
        cmocka_unit_test(test_proxy_check_goes_through_the_proxy),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
