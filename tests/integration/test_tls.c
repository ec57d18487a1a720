/* SPDX-License-Identifier: MIT */
/*
 * "Could not create SSL/TLS secure channel", told apart, over the transport chosen by
 * PKIWS_TEST_TRANSPORT: server not trusted, host-name mismatch, client certificate refused by
 * the server; and an RA key that does not belong to the RA certificate. Against servers this
 * test starts (openssl s_server with a PKI made by tests/unit/http/mkpki.sh, and a plain-HTTP
 * listener): a TLS 1.0/1.1-only server, an expired and a not-yet-valid server certificate, no
 * cipher suite in common, a server that does not speak TLS. Each ends in its code and its own
 * remedy, and none is retryable.
 *
 * Environment: PKIWS_OPENSSL and PKIWS_MKPKI (without them the s_server cases skip).
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
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proc.h"
#include "sim_harness.h"

#define PROFILE "2.16.840.1.113733.1.16.1.2.3.1.1.12"

static sim the_sim; /* on 127.0.0.1, reached as localhost (the name its certificate has) */
static sim far_sim; /* on 127.0.0.2: loopback too, but not a name the certificate carries */

static char pki[256]; /* mkpki.sh's directory, "" without openssl */

static int group_setup(void **state)
{
    (void)state;
    const char *quiet[] = {"-q", NULL};
    sim_start(&the_sim, quiet);
    const char *far[] = {"--listen", "127.0.0.2:0", "-q", NULL};
    sim_start_shared(&far_sim, &the_sim, far);
    const char *openssl = getenv("PKIWS_OPENSSL"), *mkpki = getenv("PKIWS_MKPKI");
    if (openssl && mkpki && *openssl && *mkpki) {
        if (test_mkdtemp(pki, sizeof pki, "pkiws-tlsit") != 0)
            return -1;
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "bash '%s' '%s' '%s'", mkpki, openssl, pki);
        if (system(cmd) != 0)
            return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    proc_kill_all(0);
    sim_cleanup(&far_sim);
    sim_cleanup(&the_sim);
    if (test_rmtree(pki, "pkiws-tlsit"))
        return -1;
    return 0;
}

/* A failed test stops at its first failed assertion: its servers are stopped here. */
static int test_teardown(void **state)
{
    (void)state;
    proc_kill_all(0);
    return 0;
}

static pkiws_session *session_by_ip(const sim *at, const char *ip)
{
    pkiws_session *s = sim_session(at);
    char url[160];
    snprintf(url, sizeof url, "https://%s:%d/pki-ws", ip, at->port);
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_BASE_URL, url), PKIWS_OK);
    return s;
}

static void state_file(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", the_sim.state, name);
}

/* The plug-in transport's TLS backend (tests/plugin/plugin_openssl.c) tells apart only the
 * causes of the public enum; for the others it gives a remedy of its own choosing. */
static int strict_remedies(void)
{
    const char *t = getenv("PKIWS_TEST_TRANSPORT");
    return !t || strcmp(t, "plugin") != 0;
}

/* An issue through the session (its first exchange is getPolicies): code, remedy, retryable. */
static void expect_failure(pkiws_session *s, int code, const char *remedy_part, const char *what)
{
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_profile_new(&p, s, PROFILE), PKIWS_OK);
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_request_new(&r, p), PKIWS_OK);
    pkiws_result *res = NULL;
    int rc = pkiws_issue(r, &res);
    fprintf(stderr, "%-24s -> %s: %s\n   remedy: %s\n", what, pkiws_error_name(rc),
            pkiws_result_message(res), pkiws_result_remedy(res) ? pkiws_result_remedy(res) : "");
    if (rc != code)
        fail_msg("%s: got %s (%s), want %s", what, pkiws_error_name(rc), pkiws_result_message(res),
                 pkiws_error_name(code));
    const char *remedy = pkiws_result_remedy(res);
    if (!remedy || (remedy_part && !strstr(remedy, remedy_part)))
        fail_msg("%s: remedy '%s' lacks '%s'", what, remedy ? remedy : "(none)",
                 remedy_part ? remedy_part : "(any)");
    assert_int_equal(pkiws_result_retryable(res), 0);
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
}

static void test_tls_server_not_trusted(void **state)
{
    (void)state;
    pkiws_session *s = sim_session(&the_sim); /* by name: only the trust is wrong */
    char path[400];
    state_file(path, sizeof path, "foreign-ra.pem"); /* anchors that did not issue the server */
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_TRUST_FILE, path), PKIWS_OK);
    expect_failure(s, PKIWS_E_TLS, "trust anchor", "server not trusted");
    pkiws_session_free(s);
}

static void test_tls_hostname_mismatch(void **state)
{
    (void)state;
    pkiws_session *s = session_by_ip(&far_sim, "127.0.0.2");
    expect_failure(s, PKIWS_E_TLS, "FQDN", "host-name mismatch");
    pkiws_session_free(s);
}

static void test_tls_client_certificate_refused(void **state)
{
    (void)state;
    pkiws_session *s = sim_session(&the_sim);
    char cert[400], key[400];
    state_file(cert, sizeof cert, "foreign-ra.pem");
    state_file(key, sizeof key, "foreign-ra.key");
    assert_int_equal(pkiws_session_set_ra_pem_files(s, cert, key, NULL), PKIWS_OK);
    expect_failure(s, PKIWS_E_TLS, "RA certificate", "client cert refused");
    pkiws_session_free(s);
}

static void test_tls_ra_key_not_matching(void **state)
{
    (void)state;
    pkiws_session *s = sim_session(&the_sim);
    char cert[400], key[400];
    state_file(cert, sizeof cert, "ra.pem");
    state_file(key, sizeof key, "foreign-ra.key");
    assert_int_equal(pkiws_session_set_ra_pem_files(s, cert, key, NULL), PKIWS_E_RA_CREDENTIAL);
    if (!strstr(pkiws_last_error_message(), "does not belong"))
        fail_msg("message: %s", pkiws_last_error_message());
    if (!strstr(pkiws_last_error_remedy(), "private key"))
        fail_msg("remedy: %s", pkiws_last_error_remedy());
    pkiws_session_free(s);
}

/* ---- servers this test starts ---- */

/* openssl s_server without client authentication, serving cert (a file of the PKI) with the
 * extra arguments; its port. */
static int s_server(const char *cert, const char *const *extra, pid_t *pid)
{
    char crt[320], key[320], out[320], err[320];
    snprintf(crt, sizeof crt, "%s/%s", pki, cert);
    snprintf(key, sizeof key, "%s/server.key", pki);
    static int nth; /* a fresh output file each time: the port is read from it */
    nth++;
    snprintf(out, sizeof out, "%s/s_server%d.out", pki, nth);
    snprintf(err, sizeof err, "%s/s_server%d.err", pki, nth);
    char *argv[24];
    int n = 0;
    argv[n++] = (char *)getenv("PKIWS_OPENSSL");
    argv[n++] = "s_server";
    argv[n++] = "-accept";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "-cert";
    argv[n++] = crt;
    argv[n++] = "-key";
    argv[n++] = key;
    argv[n++] = "-www";
    argv[n++] = "-naccept";
    argv[n++] = "50";
    for (; extra && *extra && n < 22; extra++)
        argv[n++] = (char *)*extra;
    argv[n] = NULL;
    *pid = proc_spawn(argv, out, err);
    assert_true(*pid > 0);
    if (proc_wait_file(*pid, out, "ACCEPT 127.0.0.1:", 20000))
        fail_msg("openssl s_server %s did not start", cert);
    char *t = file_slurp(out, NULL);
    int port = atoi(strstr(t, "ACCEPT 127.0.0.1:") + 17);
    free(t);
    return port;
}

/* A session for https://localhost:port that trusts the PKI's root. */
static pkiws_session *session_at(int port)
{
    pkiws_session *s = sim_session(&the_sim);
    char url[160], root[320];
    snprintf(url, sizeof url, "https://localhost:%d/pki-ws", port);
    snprintf(root, sizeof root, "%s/root.pem", pki);
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_BASE_URL, url), PKIWS_OK);
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_TRUST_FILE, root), PKIWS_OK);
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_RETRIES, 0), PKIWS_OK);
    return s;
}

/* Start s_server, expect the cause's code and remedy through pkiws, stop it. */
static void expect_server_cause(const char *cert, const char *const *extra, int code,
                                const char *remedy_part, const char *what)
{
    if (!pki[0])
        skip();
    pid_t pid;
    int port = s_server(cert, extra, &pid);
    pkiws_session *s = session_at(port);
    expect_failure(s, code, strict_remedies() ? remedy_part : NULL, what);
    pkiws_session_free(s);
    proc_stop(pid, SIGTERM);
}

static void test_tls_server_tls11_only(void **state)
{
    (void)state;
    const char *tls11[] = {"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", NULL};
    expect_server_cause("server.pem", tls11, PKIWS_E_TLS, "no TLS version in common",
                        "TLS 1.1-only server");
    const char *tls10[] = {"-tls1", "-cipher", "DEFAULT@SECLEVEL=0", NULL};
    expect_server_cause("server.pem", tls10, PKIWS_E_TLS, "no TLS version in common",
                        "TLS 1.0-only server");
}

static void test_tls_server_certificate_expired(void **state)
{
    (void)state;
    const char *tls12[] = {"-tls1_2", NULL};
    expect_server_cause("server-expired.pem", tls12, PKIWS_E_TLS, "has expired",
                        "expired server cert");
}

static void test_tls_server_certificate_not_yet_valid(void **state)
{
    (void)state;
    const char *tls12[] = {"-tls1_2", NULL};
    expect_server_cause("server-future.pem", tls12, PKIWS_E_TLS, "not valid yet",
                        "future server cert");
}

static void test_tls_no_common_cipher(void **state)
{
    (void)state;
    const char *nulls[] = {"-tls1_2", "-cipher", "NULL-SHA256:@SECLEVEL=0", NULL};
    expect_server_cause("server.pem", nulls, PKIWS_E_TLS, "no TLS parameters in common",
                        "no common cipher");
}

/* A plain-HTTP listener: answers whatever arrives with a 400 and closes. */
struct plain {
    int lfd, port;
    pthread_t thread;
    atomic_int stop;
};

static void *plain_main(void *v)
{
    struct plain *p = v;
    while (!atomic_load(&p->stop)) {
        int fd = accept(p->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        char buf[2048];
        if (read(fd, buf, sizeof buf) > 0) {
            static const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                      "Connection: close\r\n\r\n";
            if (write(fd, bad, sizeof bad - 1) < 0)
                fprintf(stderr, "plain: write failed\n");
        }
        close(fd);
    }
    return NULL;
}

static void test_tls_server_not_tls(void **state)
{
    (void)state;
    struct plain p;
    memset(&p, 0, sizeof p);
    p.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    assert_int_equal(bind(p.lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(p.lfd, 8), 0);
    assert_int_equal(getsockname(p.lfd, (struct sockaddr *)&sa, &len), 0);
    p.port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&p.thread, NULL, plain_main, &p), 0);
    pkiws_session *s = sim_session(&the_sim);
    char url[160];
    snprintf(url, sizeof url, "https://localhost:%d/pki-ws", p.port);
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_BASE_URL, url), PKIWS_OK);
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_RETRIES, 0), PKIWS_OK);
    expect_failure(s, PKIWS_E_TLS, strict_remedies() ? "does not speak TLS" : NULL,
                   "plain HTTP server");
    pkiws_session_free(s);
    atomic_store(&p.stop, 1);
    shutdown(p.lfd, SHUT_RDWR);
    close(p.lfd);
    pthread_join(p.thread, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls_hostname_mismatch),
        cmocka_unit_test(test_tls_client_certificate_refused),
        cmocka_unit_test(test_tls_ra_key_not_matching),
        cmocka_unit_test(test_tls_server_not_trusted),
        cmocka_unit_test_teardown(test_tls_server_tls11_only, test_teardown),
        cmocka_unit_test_teardown(test_tls_server_certificate_expired, test_teardown),
        cmocka_unit_test_teardown(test_tls_server_certificate_not_yet_valid, test_teardown),
        cmocka_unit_test_teardown(test_tls_no_common_cipher, test_teardown),
        cmocka_unit_test(test_tls_server_not_tls),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
