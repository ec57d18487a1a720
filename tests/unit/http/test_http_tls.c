/* SPDX-License-Identifier: MIT */
/*
 * The built-in mbedTLS backend and the native transport over real TLS servers:
 * `openssl s_server -Verify 1 -verify_return_error` with a PKI made by openssl (mkpki.sh) for
 * the TLS causes, resumption and the peer chain; pkiws-sim for POSTs with keep-alive,
 * truncated and slow answers, refusals and threads.
 *
 * Arguments: OPENSSL MKPKI_SH PKIWS_SIM EXAMPLES_DIR (the tests skip without them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../tmpdir.h"

#include <signal.h>
#include <unistd.h>

#include "pkiws_internal.h"

/* The thread's last error message contains needle (else the test fails showing it). */
#define EXPECT_MSG(needle)                                                                         \
    do {                                                                                           \
        if (!strstr(pkiws__err_message(), (needle)))                                               \
            fail_msg("message '%s' lacks '%s'", pkiws__err_message(), (needle));                   \
    } while (0)

#include "http/backends.h"
#include "proc.h"
#include "scripted.h"

static struct env {
    int ready;
    const char *openssl, *mkpki, *sim, *examples;
    char dir[256], sim_state[300];
    pid_t s_server;
    int s_port;
    char *root, *foreign, *ra, *ra_key, *foreign_ra, *foreign_key, *ec, *ec_key, *server_der;
    size_t root_len, foreign_len, ra_len, ra_key_len, foreign_ra_len, foreign_key_len, ec_len,
        ec_key_len, server_der_len;
    char *hc;
    size_t hc_len, hc_off;
} E;

static char *load(const char *name, size_t *len)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", E.dir, name);
    char *p = file_slurp(path, len);
    if (!p)
        fail_msg("cannot read %s", path);
    return p;
}

static int group_setup(void **state)
{
    (void)state;
    if (!E.openssl)
        return 0; /* run by hand without arguments: the tests skip */
    if (access(E.openssl, X_OK) || access(E.sim, X_OK)) {
        fprintf(stderr, "cannot run %s or %s\n", E.openssl, E.sim);
        return -1;
    }
    if (test_mkdtemp(E.dir, sizeof E.dir, "pkiws-tls"))
        return -1;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "bash '%s' '%s' '%s'", E.mkpki, E.openssl, E.dir);
    if (system(cmd) != 0)
        return -1;
    E.root = load("root.pem", &E.root_len);
    E.foreign = load("foreign.pem", &E.foreign_len);
    E.ra = load("ra.pem", &E.ra_len);
    E.ra_key = load("ra.p8", &E.ra_key_len);
    E.foreign_ra = load("foreign-ra.pem", &E.foreign_ra_len);
    E.foreign_key = load("foreign-ra.p8", &E.foreign_key_len);
    E.ec = load("ec-ra.pem", &E.ec_len);
    E.ec_key = load("ec-ra.p8", &E.ec_key_len);
    E.server_der = load("server.der", &E.server_der_len);
    char hc[300];
    snprintf(hc, sizeof hc, "%s/healthcheck-getStatusRequestMessage.xml", E.examples);
    E.hc = file_slurp(hc, &E.hc_len);
    if (!E.hc)
        return -1;
    /* the example carries its HTTP request head: send only the body */
    const char *crlf = strstr(E.hc, "\r\n\r\n"), *lf = strstr(E.hc, "\n\n");
    const char *end = crlf && (!lf || crlf < lf) ? crlf + 4 : lf ? lf + 2 : NULL;
    E.hc_off = !strncmp(E.hc, "POST ", 5) && end ? (size_t)(end - E.hc) : 0;
    /* s_server requiring a client certificate that verifies under the root */
    char cert[320], key[320], ca[320], out[320], err[320];
    snprintf(cert, sizeof cert, "%s/server.pem", E.dir);
    snprintf(key, sizeof key, "%s/server.key", E.dir);
    snprintf(ca, sizeof ca, "%s/root.pem", E.dir);
    snprintf(out, sizeof out, "%s/s_server.out", E.dir);
    snprintf(err, sizeof err, "%s/s_server.err", E.dir);
    char *argv[] = {(char *)E.openssl,
                    "s_server",
                    "-accept",
                    "127.0.0.1:0",
                    "-cert",
                    cert,
                    "-key",
                    key,
                    "-CAfile",
                    ca,
                    "-Verify",
                    "1",
                    "-verify_return_error",
                    "-www",
                    NULL};
    E.s_server = proc_spawn(argv, out, err);
    if (E.s_server < 0 || proc_wait_file(E.s_server, out, "ACCEPT 127.0.0.1:", 10000))
        return -1;
    char *t = file_slurp(out, NULL);
    E.s_port = atoi(strstr(t, "ACCEPT 127.0.0.1:") + 17);
    free(t);
    snprintf(E.sim_state, sizeof E.sim_state, "%s/sim-state", E.dir);
    E.ready = 1;
    return 0;
}

/* A failed test stops at its first failed assertion: its servers are killed here. */
static int test_teardown(void **state)
{
    (void)state;
    proc_kill_all(E.s_server);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    proc_kill_all(0);
    free(E.root);
    free(E.foreign);
    free(E.ra);
    free(E.ra_key);
    free(E.foreign_ra);
    free(E.foreign_key);
    free(E.ec);
    free(E.ec_key);
    free(E.server_der);
    free(E.hc);
    if (test_rmtree(E.dir, "pkiws-tls"))
        return -1;
    return 0;
}

#define NEED_ENV()                                                                                 \
    do {                                                                                           \
        if (!E.ready)                                                                              \
            skip();                                                                                \
    } while (0)

/* ---- the TLS layer against s_server ---- */

static int make_config(const char *cert, size_t cert_len, const char *key, size_t key_len,
                       const char *trust, size_t trust_len, pkiws__tls_config **out)
{
    pkiws__tls *t = NULL;
    int rc = pkiws__tls_builtin(&t);
    assert_int_equal(rc, PKIWS_OK);
    pkiws__tls_settings s = {(const uint8_t *)cert,  cert_len, (const uint8_t *)key, key_len,
                             (const uint8_t *)trust, trust_len};
    rc = pkiws__tls_config_new(t, &s, out);
    pkiws__tls_unref(t);
    return rc;
}

static int collect(const uint8_t *der, size_t len, void *ud)
{
    pkiws_buf *b = ud;
    if (b->len == 0)
        pkiws__buf_append(b, der, len); /* keep the first: the server's own */
    return PKIWS_OK;
}

/* TCP to s_server, TLS as `host`, "GET /", the page into page; the chain's first DER to leaf. */
static int get_page(pkiws__tls_config *cfg, const char *host, int port, pkiws_buf *page,
                    pkiws_buf *leaf, int64_t timeout_ms)
{
    int64_t dl = pkiws__tls_now_ms() + timeout_ms;
    int fd;
    int rc = pkiws__tls_tcp_connect("127.0.0.1", port, dl, timeout_ms, &fd);
    if (rc)
        return rc;
    pkiws_tls_io io;
    pkiws__tls_io_init(&io, fd, host, port);
    pkiws__tls_io_set_deadline(&io, dl, timeout_ms, "during the TLS handshake with");
    pkiws__tls_conn *c = NULL;
    rc = pkiws__tls_connect(cfg, host, port, &io, &c);
    if (!rc && leaf)
        rc = pkiws__tls_peer_chain(c, collect, leaf);
    static const char get[] = "GET / HTTP/1.0\r\n\r\n";
    if (!rc)
        rc = pkiws__tls_write_all(c, (const uint8_t *)get, sizeof get - 1);
    while (!rc) {
        uint8_t buf[4096];
        size_t n;
        rc = pkiws__tls_read(c, buf, sizeof buf, &n);
        if (rc || n == 0)
            break;
        pkiws__buf_append(page, buf, n);
    }
    pkiws__tls_close(c);
    pkiws__tls_tcp_close(fd);
    return rc;
}

static void test_tls_mbedtls_resumption_and_peer_chain(void **state)
{
    (void)state;
    NEED_ENV();
    pkiws__tls_config *cfg;
    assert_int_equal(make_config(E.ra, E.ra_len, E.ra_key, E.ra_key_len, E.root, E.root_len, &cfg),
                     PKIWS_OK);
    pkiws_buf page = PKIWS_BUF_INIT, leaf = PKIWS_BUF_INIT;
    assert_int_equal(get_page(cfg, "localhost", E.s_port, &page, &leaf, 5000), PKIWS_OK);
    /* s_server's status page: a full TLS 1.2 handshake, our RA certificate seen */
    assert_non_null(strstr(pkiws__buf_cstr(&page), "New, TLSv1.2"));
    assert_non_null(strstr(pkiws__buf_cstr(&page), "Subject: O=pkiws test, CN=pkiws RA"));
    assert_int_equal(leaf.len, E.server_der_len);
    assert_memory_equal(leaf.data, E.server_der, E.server_der_len);
    pkiws__buf_clear(&page);
    assert_int_equal(get_page(cfg, "localhost", E.s_port, &page, NULL, 5000), PKIWS_OK);
    assert_non_null(strstr(pkiws__buf_cstr(&page), "Reused, TLSv1.2"));
    pkiws__buf_dispose(&page);
    pkiws__buf_dispose(&leaf);
    pkiws__tls_config_free(cfg);
}

static void test_tls_mbedtls_server_untrusted(void **state)
{
    (void)state;
    NEED_ENV();
    pkiws__tls_config *cfg;
    assert_int_equal(
        make_config(E.ra, E.ra_len, E.ra_key, E.ra_key_len, E.foreign, E.foreign_len, &cfg),
        PKIWS_OK);
    pkiws_buf page = PKIWS_BUF_INIT;
    assert_int_equal(get_page(cfg, "localhost", E.s_port, &page, NULL, 5000), PKIWS_E_TLS);
    const char *m = pkiws__err_message();
    assert_non_null(strstr(m, "server not trusted"));
    assert_non_null(strstr(m, "CN=localhost"));
    assert_non_null(strstr(m, "issued by CN=pkiws test root"));
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_SERVER_UNTRUSTED);
    pkiws__buf_dispose(&page);
    pkiws__tls_config_free(cfg);
}

static void test_tls_mbedtls_hostname_mismatch(void **state)
{
    (void)state;
    NEED_ENV();
    pkiws__tls_config *cfg;
    assert_int_equal(make_config(E.ra, E.ra_len, E.ra_key, E.ra_key_len, E.root, E.root_len, &cfg),
                     PKIWS_OK);
    pkiws_buf page = PKIWS_BUF_INIT;
    /* the certificate has IP:127.0.0.1, but mbedTLS 2.28 matches DNS names only */
    assert_int_equal(get_page(cfg, "127.0.0.1", E.s_port, &page, NULL, 5000), PKIWS_E_TLS);
    const char *m = pkiws__err_message();
    assert_non_null(strstr(m, "host name mismatch"));
    assert_non_null(strstr(m, "does not name '127.0.0.1'"));
    assert_non_null(strstr(m, "DNS:localhost"));
    assert_non_null(strstr(m, "connect by the DNS name"));
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_HOSTNAME);
    assert_int_equal(get_page(cfg, "pki-ws.symauth.com", E.s_port, &page, NULL, 5000), PKIWS_E_TLS);
    EXPECT_MSG("does not name 'pki-ws.symauth.com'");
    assert_null(strstr(pkiws__err_message(), "IP addresses"));
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_HOSTNAME);
    pkiws__buf_dispose(&page);
    pkiws__tls_config_free(cfg);
}

static void test_tls_mbedtls_client_refused(void **state)
{
    (void)state;
    NEED_ENV();
    pkiws__tls_config *cfg;
    pkiws_buf page = PKIWS_BUF_INIT;
    /* no client certificate at all */
    assert_int_equal(make_config(NULL, 0, NULL, 0, E.root, E.root_len, &cfg), PKIWS_OK);
    assert_int_equal(get_page(cfg, "localhost", E.s_port, &page, NULL, 5000), PKIWS_E_TLS);
    EXPECT_MSG("no RA certificate is configured");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_CLIENT_REFUSED);
    pkiws__tls_config_free(cfg);
    /* a certificate from a CA the server does not trust */
    assert_int_equal(make_config(E.foreign_ra, E.foreign_ra_len, E.foreign_key, E.foreign_key_len,
                                 E.root, E.root_len, &cfg),
                     PKIWS_OK);
    assert_int_equal(get_page(cfg, "localhost", E.s_port, &page, NULL, 5000), PKIWS_E_TLS);
    EXPECT_MSG("refused the RA client certificate");
    EXPECT_MSG("CN=pkiws RA");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_CLIENT_REFUSED);
    pkiws__tls_config_free(cfg);
    pkiws__buf_dispose(&page);
}

static void test_tls_mbedtls_ra_key_unusable(void **state)
{
    (void)state;
    NEED_ENV();
    pkiws__tls_config *cfg = NULL;
    /* the key of another certificate */
    assert_int_equal(
        make_config(E.ra, E.ra_len, E.foreign_key, E.foreign_key_len, E.root, E.root_len, &cfg),
        PKIWS_E_RA_CREDENTIAL);
    EXPECT_MSG("does not match the RA certificate (O=pkiws test, CN=pkiws RA)");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_RA_KEY);
    assert_null(cfg);
    /* an EC key for the RSA certificate */
    assert_int_equal(make_config(E.ra, E.ra_len, E.ec_key, E.ec_key_len, E.root, E.root_len, &cfg),
                     PKIWS_E_RA_CREDENTIAL);
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_RA_KEY);
    /* not a key at all */
    static const char junk[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    assert_int_equal(make_config(E.ra, E.ra_len, junk, sizeof junk - 1, E.root, E.root_len, &cfg),
                     PKIWS_E_RA_CREDENTIAL);
    char want[64];
    snprintf(want, sizeof want, "the RA private key (%zu bytes) cannot be used", sizeof junk - 1);
    EXPECT_MSG(want);
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_RA_KEY);
    /* a key without certificate, a certificate without key (the built-in has no sign hook) */
    assert_int_equal(make_config(NULL, 0, E.ra_key, E.ra_key_len, E.root, E.root_len, &cfg),
                     PKIWS_E_RA_CREDENTIAL);
    assert_int_equal(make_config(E.ra, E.ra_len, NULL, 0, E.root, E.root_len, &cfg),
                     PKIWS_E_RA_CREDENTIAL);
    EXPECT_MSG("has no sign hook");
    /* trust anchors that are not certificates */
    assert_int_equal(make_config(E.ra, E.ra_len, E.ra_key, E.ra_key_len, "garbage", 7, &cfg),
                     PKIWS_E_CONFIG);
    EXPECT_MSG("trust anchors (7 bytes)");
    /* an EC credential is fine */
    assert_int_equal(make_config(E.ec, E.ec_len, E.ec_key, E.ec_key_len, E.root, E.root_len, &cfg),
                     PKIWS_OK);
    pkiws_buf page = PKIWS_BUF_INIT;
    assert_int_equal(get_page(cfg, "localhost", E.s_port, &page, NULL, 5000), PKIWS_OK);
    assert_non_null(strstr(pkiws__buf_cstr(&page), "Subject: CN=pkiws EC RA"));
    pkiws__buf_dispose(&page);
    pkiws__tls_config_free(cfg);
}

static void test_tls_mbedtls_handshake_timeout_and_eof(void **state)
{
    (void)state;
    NEED_ENV();
    srv s;
    assert_int_equal(srv_start(&s), 0);
    srv_add(&s, STEP_SILENT, NULL);
    pkiws__tls_config *cfg;
    assert_int_equal(make_config(E.ra, E.ra_len, E.ra_key, E.ra_key_len, E.root, E.root_len, &cfg),
                     PKIWS_OK);
    pkiws_buf page = PKIWS_BUF_INIT;
    /* a TCP peer that never speaks TLS: the handshake runs into the deadline */
    int64_t t0 = pkiws__tls_now_ms();
    assert_int_equal(get_page(cfg, "localhost", s.port, &page, NULL, 300), PKIWS_E_TIMEOUT);
    int64_t ms = pkiws__tls_now_ms() - t0;
    assert_true(ms >= 290 && ms < 1500);
    EXPECT_MSG("timed out after 300 ms during the TLS handshake with localhost:");
    srv_stop(&s);
    /* a peer that closes at once: not TLS, not a timeout */
    assert_int_equal(srv_start(&s), 0);
    atomic_store(&s.close_on_accept, 1);
    assert_int_equal(get_page(cfg, "localhost", s.port, &page, NULL, 2000), PKIWS_E_CONNECT);
    EXPECT_MSG("during the TLS handshake");
    srv_stop(&s);
    pkiws__buf_dispose(&page);
    pkiws__tls_config_free(cfg);
}

/* An s_server without client authentication that serves `name` (server, server-expired,
 * server-future) and speaks only `version`; its port. */
static int spawn_s_server_cert(const char *name, const char *version, const char *cipher,
                               pid_t *pid)
{
    char cert[320], key[320], out[320], err[320];
    snprintf(cert, sizeof cert, "%s/%s.pem", E.dir, name);
    snprintf(key, sizeof key, "%s/server.key", E.dir);
    static int nth; /* a fresh output file each time: the port is read from it */
    nth++;
    snprintf(out, sizeof out, "%s/s_server%d%s.out", E.dir, nth, version);
    snprintf(err, sizeof err, "%s/s_server%d%s.err", E.dir, nth, version);
    char *argv[] = {(char *)E.openssl,
                    "s_server",
                    "-accept",
                    "127.0.0.1:0",
                    "-cert",
                    cert,
                    "-key",
                    key,
                    "-www",
                    (char *)version,
                    cipher ? "-cipher" : NULL,
                    (char *)cipher,
                    NULL};
    *pid = proc_spawn(argv, out, err);
    assert_true(*pid > 0);
    assert_int_equal(proc_wait_file(*pid, out, "ACCEPT 127.0.0.1:", 10000), 0);
    char *t = file_slurp(out, NULL);
    int port = atoi(strstr(t, "ACCEPT 127.0.0.1:") + 17);
    free(t);
    return port;
}

static int spawn_s_server(const char *version, const char *cipher, pid_t *pid)
{
    return spawn_s_server_cert("server", version, cipher, pid);
}

/* A server certificate outside its validity: its own cause and remedy, not "untrusted". */
static void test_tls_mbedtls_server_dates(void **state)
{
    (void)state;
    NEED_ENV();
    pkiws__tls_config *cfg;
    assert_int_equal(make_config(E.ra, E.ra_len, E.ra_key, E.ra_key_len, E.root, E.root_len, &cfg),
                     PKIWS_OK);
    pkiws_buf page = PKIWS_BUF_INIT;
    pid_t pid;
    int port = spawn_s_server_cert("server-expired", "-tls1_2", NULL, &pid);
    assert_int_equal(get_page(cfg, "localhost", port, &page, NULL, 5000), PKIWS_E_TLS);
    EXPECT_MSG("the server certificate has expired: CN=localhost was valid until 2020-02-01");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_SERVER_EXPIRED);
    proc_stop(pid, SIGTERM);
    port = spawn_s_server_cert("server-future", "-tls1_2", NULL, &pid);
    assert_int_equal(get_page(cfg, "localhost", port, &page, NULL, 5000), PKIWS_E_TLS);
    EXPECT_MSG("the server certificate is not valid yet: CN=localhost is valid from 2090-01-01");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_SERVER_NOT_YET_VALID);
    proc_stop(pid, SIGTERM);
    /* expired and from an untrusted root: the trust is the cause */
    pkiws__tls_config_free(cfg);
    assert_int_equal(
        make_config(E.ra, E.ra_len, E.ra_key, E.ra_key_len, E.foreign, E.foreign_len, &cfg),
        PKIWS_OK);
    port = spawn_s_server_cert("server-expired", "-tls1_2", "DEFAULT", &pid);
    assert_int_equal(get_page(cfg, "localhost", port, &page, NULL, 5000), PKIWS_E_TLS);
    EXPECT_MSG("server not trusted");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_SERVER_UNTRUSTED);
    proc_stop(pid, SIGTERM);
    /* no cipher suite in common, no client certificate asked for */
    pkiws__tls_config_free(cfg);
    assert_int_equal(make_config(E.ra, E.ra_len, E.ra_key, E.ra_key_len, E.root, E.root_len, &cfg),
                     PKIWS_OK);
    port = spawn_s_server_cert("server", "-tls1_2", "NULL-SHA256:@SECLEVEL=0", &pid);
    assert_int_equal(get_page(cfg, "localhost", port, &page, NULL, 5000), PKIWS_E_TLS);
    EXPECT_MSG("no TLS parameters in common");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_HANDSHAKE);
    proc_stop(pid, SIGTERM);
    pkiws__buf_dispose(&page);
    pkiws__tls_config_free(cfg);
}

static void test_tls_mbedtls_tls12_only(void **state)
{
    (void)state;
    NEED_ENV();
    pkiws__tls_config *cfg;
    assert_int_equal(make_config(E.ra, E.ra_len, E.ra_key, E.ra_key_len, E.root, E.root_len, &cfg),
                     PKIWS_OK);
    pkiws_buf page = PKIWS_BUF_INIT;
    pid_t pid;
    /* a server stuck at TLS 1.1 (which this mbedTLS build could speak): refused by us */
    int port = spawn_s_server("-tls1_1", "DEFAULT@SECLEVEL=0", &pid);
    assert_int_equal(get_page(cfg, "localhost", port, &page, NULL, 5000), PKIWS_E_TLS);
    EXPECT_MSG("TLS 1.2");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_PROTOCOL);
    proc_stop(pid, SIGTERM);
    /* a TLS 1.3-only server: we offer TLS 1.2 at most */
    port = spawn_s_server("-tls1_3", NULL, &pid);
    assert_int_equal(get_page(cfg, "localhost", port, &page, NULL, 5000), PKIWS_E_TLS);
    EXPECT_MSG("protocol_version");
    EXPECT_MSG("must allow TLS 1.2");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_PROTOCOL);
    proc_stop(pid, SIGTERM);
    /* and the same server at TLS 1.2 works */
    port = spawn_s_server("-tls1_2", NULL, &pid);
    assert_int_equal(get_page(cfg, "localhost", port, &page, NULL, 5000), PKIWS_OK);
    assert_non_null(strstr(pkiws__buf_cstr(&page), "New, TLSv1.2"));
    proc_stop(pid, SIGTERM);
    pkiws__buf_dispose(&page);
    pkiws__tls_config_free(cfg);
}

/* ---- the native transport against pkiws-sim ---- */

typedef struct sim {
    pid_t pid;
    int port;
    char out[320];
} sim;

static void sim_start(sim *s, const char *fault1, const char *fault2)
{
    char port_file[320], err[320];
    snprintf(port_file, sizeof port_file, "%s/sim.port", E.dir);
    snprintf(s->out, sizeof s->out, "%s/sim.out", E.dir);
    snprintf(err, sizeof err, "%s/sim.err", E.dir);
    unlink(port_file);
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)E.sim;
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--port-file";
    argv[n++] = port_file;
    argv[n++] = "--state-dir";
    argv[n++] = E.sim_state;
    argv[n++] = "--stats";
    argv[n++] = "-q";
    if (fault1) {
        argv[n++] = "--fault";
        argv[n++] = (char *)fault1;
    }
    if (fault2) {
        argv[n++] = "--fault";
        argv[n++] = (char *)fault2;
    }
    argv[n] = NULL;
    s->pid = proc_spawn(argv, s->out, err);
    assert_true(s->pid > 0);
    char *t = NULL;
    for (int i = 0; i < 600 && !t; i++) {
        t = file_slurp(port_file, NULL);
        if (t && !*t) {
            free(t);
            t = NULL;
        }
        if (!t)
            usleep(50000);
    }
    if (!t)
        fail_msg("pkiws-sim wrote no port file");
    s->port = atoi(t);
    free(t);
}

/* Stop the simulator; its --stats text (caller frees). */
static char *sim_stop(sim *s)
{
    assert_int_equal(proc_stop(s->pid, SIGTERM), 0);
    return file_slurp(s->out, NULL);
}

static char *state_file(const char *name, size_t *len)
{
    char path[320];
    snprintf(path, sizeof path, "%s/%s", E.sim_state, name);
    char *p = file_slurp(path, len);
    assert_non_null(p);
    return p;
}

typedef struct sim_client {
    char *cert, *key, *trust;
    size_t cert_len, key_len, trust_len;
    pkiws__http http;
    char url[160];
} sim_client;

static int sim_client_open(sim_client *c, const sim *s, const char *cert, const char *key,
                           const char *host, int64_t timeout_ms)
{
    memset(c, 0, sizeof *c);
    c->trust = state_file("trust.pem", &c->trust_len);
    if (cert) {
        c->cert = state_file(cert, &c->cert_len);
        c->key = state_file(key, &c->key_len);
    }
    snprintf(c->url, sizeof c->url, "https://%s:%d/pki-ws/healthcheckService", host, s->port);
    pkiws__http_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.client_cert_pem = (const uint8_t *)c->cert;
    cfg.client_cert_len = c->cert_len;
    cfg.client_key_pem = (const uint8_t *)c->key;
    cfg.client_key_len = c->key_len;
    cfg.trust_pem = (const uint8_t *)c->trust;
    cfg.trust_len = c->trust_len;
    cfg.connect_timeout_ms = 5000;
    cfg.timeout_ms = timeout_ms;
    cfg.max_response_bytes = 1 << 20;
    /* the ordinary methods table: what the session uses for PKIWS_TRANSPORT_NATIVE */
    return pkiws__http_open(&c->http, pkiws__http_native_methods(), &cfg);
}

static void sim_client_close(sim_client *c)
{
    pkiws__http_close(&c->http);
    free(c->cert);
    free(c->key);
    free(c->trust);
}

static int sim_post(sim_client *c, pkiws__http_response *resp)
{
    pkiws__http_request req = {c->url,
                               "http://schemas.pki.symantec.com/pkiservices/healthcheck/getStatus",
                               (const uint8_t *)E.hc + E.hc_off, E.hc_len - E.hc_off, "tx-sim"};
    return pkiws__http_perform(&c->http, &req, resp);
}

static void test_tls_native_sim_keepalive(void **state)
{
    (void)state;
    NEED_ENV();
    sim s;
    sim_start(&s, NULL, NULL);
    sim_client c;
    assert_int_equal(sim_client_open(&c, &s, "ra.pem", "ra.key", "localhost", 10000), PKIWS_OK);
    for (int i = 0; i < 3; i++) {
        pkiws__http_response resp;
        assert_int_equal(sim_post(&c, &resp), PKIWS_OK);
        assert_int_equal(resp.status, 200);
        assert_non_null(strstr(pkiws__buf_cstr(&resp.body), "getStatusResponseMessage"));
        assert_non_null(strstr(resp.content_type, "text/xml"));
        assert_int_equal(resp.reused, i > 0);
        pkiws__http_response_dispose(&resp);
    }
    sim_client_close(&c);
    char *stats = sim_stop(&s);
    assert_non_null(stats);
    assert_int_equal(stat_value(stats, "requests"), 3);
    assert_int_equal(stat_value(stats, "requests.getStatus"), 3);
    assert_int_equal(stat_value(stats, "connections"), 1); /* one TLS connection for three */
    assert_int_equal(stat_value(stats, "tls_refused"), 0);
    free(stats);
}

static void test_tls_native_sim_truncated_and_timeout(void **state)
{
    (void)state;
    NEED_ENV();
    sim s;
    sim_start(&s, "truncate@2", "delay:3000@3");
    sim_client c;
    assert_int_equal(sim_client_open(&c, &s, "ra.pem", "ra.key", "localhost", 1000), PKIWS_OK);
    pkiws__http_response resp;
    assert_int_equal(sim_post(&c, &resp), PKIWS_OK);
    pkiws__http_response_dispose(&resp);
    assert_int_equal(sim_post(&c, &resp), PKIWS_E_PROTOCOL);
    EXPECT_MSG("cut short");
    EXPECT_MSG("bytes of the body received");
    assert_int_equal(resp.request_sent, 1);
    pkiws__http_response_dispose(&resp);
    int64_t t0 = pkiws__tls_now_ms();
    assert_int_equal(sim_post(&c, &resp), PKIWS_E_TIMEOUT);
    int64_t ms = pkiws__tls_now_ms() - t0;
    assert_true(ms >= 990 && ms < 2500);
    EXPECT_MSG("timed out after 1000 ms waiting for the answer "
               "from localhost:");
    pkiws__http_response_dispose(&resp);
    /* the next request works again on a fresh connection */
    assert_int_equal(sim_post(&c, &resp), PKIWS_OK);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.reused, 0);
    pkiws__http_response_dispose(&resp);
    sim_client_close(&c);
    char *stats = sim_stop(&s);
    assert_int_equal(stat_value(stats, "faults_injected"), 2);
    free(stats);
}

static void test_tls_native_sim_refusals(void **state)
{
    (void)state;
    NEED_ENV();
    sim s;
    sim_start(&s, NULL, NULL);
    sim_client c;
    pkiws__http_response resp;
    /* no client certificate */
    assert_int_equal(sim_client_open(&c, &s, NULL, NULL, "localhost", 5000), PKIWS_OK);
    assert_int_equal(sim_post(&c, &resp), PKIWS_E_TLS);
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_CLIENT_REFUSED);
    assert_int_equal(resp.request_sent, 0);
    pkiws__http_response_dispose(&resp);
    sim_client_close(&c);
    /* the foreign RA */
    assert_int_equal(sim_client_open(&c, &s, "foreign-ra.pem", "foreign-ra.key", "localhost", 5000),
                     PKIWS_OK);
    assert_int_equal(sim_post(&c, &resp), PKIWS_E_TLS);
    EXPECT_MSG("refused the RA client certificate");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_CLIENT_REFUSED);
    pkiws__http_response_dispose(&resp);
    sim_client_close(&c);
    /* by IP address: host name mismatch, although the certificate has IP:127.0.0.1 */
    assert_int_equal(sim_client_open(&c, &s, "ra.pem", "ra.key", "127.0.0.1", 5000), PKIWS_OK);
    assert_int_equal(sim_post(&c, &resp), PKIWS_E_TLS);
    EXPECT_MSG("host name mismatch");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_HOSTNAME);
    pkiws__http_response_dispose(&resp);
    sim_client_close(&c);
    char *stats = sim_stop(&s);
    assert_int_equal(stat_value(stats, "requests"), 0);
    assert_true(stat_value(stats, "tls_refused") >= 2);
    free(stats);
}

struct tls_worker {
    sim_client *c;
    int ok;
};

static void *tls_worker_main(void *v)
{
    struct tls_worker *w = v;
    for (int i = 0; i < 5; i++) {
        pkiws__http_response resp;
        if (sim_post(w->c, &resp) == PKIWS_OK && resp.status == 200)
            w->ok++;
        pkiws__http_response_dispose(&resp);
    }
    return NULL;
}

static void test_tls_native_sim_threads(void **state)
{
    (void)state;
    NEED_ENV();
    sim s;
    sim_start(&s, NULL, NULL);
    sim_client c;
    assert_int_equal(sim_client_open(&c, &s, "ra.pem", "ra.key", "localhost", 10000), PKIWS_OK);
    struct tls_worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i].c = &c;
        w[i].ok = 0;
        assert_int_equal(pthread_create(&t[i], NULL, tls_worker_main, &w[i]), 0);
    }
    int ok = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
    }
    assert_int_equal(ok, 20);
    sim_client_close(&c);
    char *stats = sim_stop(&s);
    assert_int_equal(stat_value(stats, "requests"), 20);
    long conns = stat_value(stats, "connections");
    assert_true(conns >= 1 && conns <= 4);
    free(stats);
}

int main(int argc, char **argv)
{
    if (argc >= 5) {
        E.openssl = argv[1];
        E.mkpki = argv[2];
        E.sim = argv[3];
        E.examples = argv[4];
    }
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_tls_mbedtls_resumption_and_peer_chain, test_teardown),
        cmocka_unit_test_teardown(test_tls_mbedtls_server_untrusted, test_teardown),
        cmocka_unit_test_teardown(test_tls_mbedtls_hostname_mismatch, test_teardown),
        cmocka_unit_test_teardown(test_tls_mbedtls_client_refused, test_teardown),
        cmocka_unit_test_teardown(test_tls_mbedtls_ra_key_unusable, test_teardown),
        cmocka_unit_test_teardown(test_tls_mbedtls_handshake_timeout_and_eof, test_teardown),
        cmocka_unit_test_teardown(test_tls_mbedtls_tls12_only, test_teardown),
        cmocka_unit_test_teardown(test_tls_mbedtls_server_dates, test_teardown),
        cmocka_unit_test_teardown(test_tls_native_sim_keepalive, test_teardown),
        cmocka_unit_test_teardown(test_tls_native_sim_truncated_and_timeout, test_teardown),
        cmocka_unit_test_teardown(test_tls_native_sim_refusals, test_teardown),
        cmocka_unit_test_teardown(test_tls_native_sim_threads, test_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
