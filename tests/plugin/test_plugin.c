/* SPDX-License-Identifier: MIT */
/*
 * The plug-in ABI (include/pkiws/backend.h) proven with third-party-style plug-ins that see
 * only the public headers (plugins.h): table validation, the HTTP adapter's request items and
 * result mapping (replaying backend), an HTTP backend over libcurl and a TLS backend over
 * OpenSSL against pkiws-sim, and the sign hook keeping the RA key outside pkiws.
 *
 * The driver registers the tables through the internal adapters (what
 * pkiws_session_set_http_backend / _set_tls_backend do). Arguments: PKIWS_SIM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../tmpdir.h"

#include <signal.h>
#include <unistd.h>

#include "pkiws_internal.h"

#include "http/backends.h"
#include "plugins.h"
#include "proc.h"
#include "scripted.h"

#define EXPECT_MSG(needle)                                                                         \
    do {                                                                                           \
        if (!strstr(pkiws__err_message(), (needle)))                                               \
            fail_msg("message '%s' lacks '%s'", pkiws__err_message(), (needle));                   \
    } while (0)

#define BODY "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"/>"

static struct env {
    int ready;
    const char *sim;
    char dir[256], state[300];
    char *trust, *ra, *ra_key, *foreign_ra, *foreign_key;
    size_t trust_len, ra_len, ra_key_len, foreign_ra_len, foreign_key_len;
} E;

static const char hc_body[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
    "<soapenv:Body><hc:getStatusRequestMessage "
    "xmlns:hc=\"http://schemas.pki.symantec.com/pkiservices/healthcheck\">"
    "<hc:version>1.0</hc:version><hc:clientTransactionID>plugin-test-1</hc:clientTransactionID>"
    "<hc:operationType>ENROLL</hc:operationType>"
    "<hc:profileOID>2.16.840.1.113733.1.16.1.2.3.1.1.47196109</hc:profileOID>"
    "</hc:getStatusRequestMessage></soapenv:Body></soapenv:Envelope>";

/* ---- the simulator ---- */

typedef struct sim {
    pid_t pid;
    int port;
    char out[320];
} sim;

static int sim_start(sim *s, const char *fault)
{
    char port_file[320], err[320];
    snprintf(port_file, sizeof port_file, "%s/sim.port", E.dir);
    snprintf(s->out, sizeof s->out, "%s/sim.out", E.dir);
    snprintf(err, sizeof err, "%s/sim.err", E.dir);
    unlink(port_file);
    char *argv[] = {
        (char *)E.sim, "--listen", "127.0.0.1:0", "--port-file", port_file,
        "--state-dir", E.state,    "--stats",     "-q",          fault ? "--fault" : NULL,
        (char *)fault, NULL};
    s->pid = proc_spawn(argv, s->out, err);
    if (s->pid < 0)
        return -1;
    for (int i = 0; i < 600; i++) {
        char *t = file_slurp(port_file, NULL);
        if (t && *t) {
            s->port = atoi(t);
            free(t);
            return 0;
        }
        free(t);
        usleep(50000);
    }
    proc_stop(s->pid, SIGKILL);
    return -1;
}

static char *sim_stop(sim *s)
{
    assert_int_equal(proc_stop(s->pid, SIGTERM), 0);
    return file_slurp(s->out, NULL);
}

static char *state_file(const char *name, size_t *len)
{
    char path[320];
    snprintf(path, sizeof path, "%s/%s", E.state, name);
    return file_slurp(path, len);
}

static int group_setup(void **state)
{
    (void)state;
    if (!E.sim)
        return 0; /* run by hand without arguments: the network tests skip */
    if (access(E.sim, X_OK)) {
        fprintf(stderr, "cannot run %s\n", E.sim);
        return -1;
    }
    if (test_mkdtemp(E.dir, sizeof E.dir, "pkiws-plugin"))
        return -1;
    snprintf(E.state, sizeof E.state, "%s/state", E.dir);
    sim s; /* the first start makes the test PKI */
    if (sim_start(&s, NULL))
        return -1;
    free(sim_stop(&s));
    E.trust = state_file("trust.pem", &E.trust_len);
    E.ra = state_file("ra.pem", &E.ra_len);
    E.ra_key = state_file("ra.key", &E.ra_key_len);
    E.foreign_ra = state_file("foreign-ra.pem", &E.foreign_ra_len);
    E.foreign_key = state_file("foreign-ra.key", &E.foreign_key_len);
    E.ready = E.trust && E.ra && E.ra_key && E.foreign_ra && E.foreign_key;
    return E.ready ? 0 : -1;
}

/* A failed test stops at its first failed assertion: its simulator is killed here. */
static int test_teardown(void **state)
{
    (void)state;
    proc_kill_all(0);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    proc_kill_all(0);
    free(E.trust);
    free(E.ra);
    free(E.ra_key);
    free(E.foreign_ra);
    free(E.foreign_key);
    if (test_rmtree(E.dir, "pkiws-plugin"))
        return -1;
    return 0;
}

#define NEED_ENV()                                                                                 \
    do {                                                                                           \
        if (!E.ready)                                                                              \
            skip();                                                                                \
    } while (0)

static pkiws__http_config sim_config(const char *cert, size_t cert_len, const char *key,
                                     size_t key_len, int64_t timeout_ms)
{
    pkiws__http_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.client_cert_pem = (const uint8_t *)cert;
    cfg.client_cert_len = cert_len;
    cfg.client_key_pem = (const uint8_t *)key;
    cfg.client_key_len = key_len;
    cfg.trust_pem = (const uint8_t *)E.trust;
    cfg.trust_len = E.trust_len;
    cfg.connect_timeout_ms = 5000;
    cfg.timeout_ms = timeout_ms;
    cfg.max_response_bytes = 1 << 20;
    return cfg;
}

static int sim_post(pkiws__http *h, const char *host, int port, pkiws__http_response *resp)
{
    char url[160];
    snprintf(url, sizeof url, "https://%s:%d/pki-ws/healthcheckService", host, port);
    pkiws__http_request req = {url,
                               "http://schemas.pki.symantec.com/pkiservices/healthcheck/"
                               "getStatus",
                               (const uint8_t *)hc_body, sizeof hc_body - 1, "tx-plugin"};
    return pkiws__http_perform(h, &req, resp);
}

/* ---- table validation ---- */

static int noop_perform(void *b, const pkiws_http_req *req, pkiws_http_resp *resp)
{
    (void)b;
    (void)req;
    return pkiws_http_resp_set_status(resp, 204);
}

static int freed;
static void count_free(void *p)
{
    (void)p;
    freed++;
}

static void test_plugin_http_table_validation(void **state)
{
    (void)state;
    pkiws__http_plugin *p = NULL;
    /* the table a plug-in built against a larger, future header would pass */
    struct {
        pkiws_http_methods m;
        void (*future_hook)(void);
        uint8_t pad[64];
    } big;
    memset(&big, 0, sizeof big);
    big.m.size = sizeof big;
    big.m.abi = PKIWS_HTTP_ABI_1;
    big.m.name = "future";
    big.m.perform = noop_perform;
    assert_int_equal(pkiws__http_plugin_new(&big.m, NULL, count_free, &p), PKIWS_OK);
    pkiws__http_plugin_unref(p);
    assert_int_equal(freed, 1); /* the last reference frees the backend */
    big.future_hook = (void (*)(void))noop_perform;
    assert_int_equal(pkiws__http_plugin_new(&big.m, NULL, count_free, &p), PKIWS_E_UNSUPPORTED);
    EXPECT_MSG("needs a newer pkiws");
    assert_null(p);
    assert_int_equal(freed, 1); /* a refused registration keeps nothing */
    big.future_hook = NULL;
    /* an older, shorter table is fine: what it lacks reads as NULL */
    pkiws_http_methods m = big.m;
    m.size = offsetof(pkiws_http_methods, close_idle) + sizeof(void (*)(void));
    m.close_idle = (void (*)(void *))count_free; /* not declared by caps: never called */
    assert_int_equal(pkiws__http_plugin_new(&m, NULL, NULL, &p), PKIWS_OK);
    pkiws__http_config cfg;
    memset(&cfg, 0, sizeof cfg);
    pkiws__http h;
    assert_int_equal(pkiws__http_plugin_open(&h, p, &cfg), PKIWS_OK);
    pkiws__http_close(&h);
    assert_int_equal(freed, 1);
    pkiws__http_plugin_unref(p);
    static const struct {
        size_t size;
        uint32_t abi, flags;
        const char *name;
        int perform;
        int code;
        const char *msg;
    } bad[] = {
        {8, 1, 0, "x", 1, PKIWS_E_INVALID_ARG, "smaller than the version-1 table"},
        {8192, 1, 0, "x", 1, PKIWS_E_INVALID_ARG, "larger than PKIWS_BACKEND_TABLE_MAX"},
        {sizeof(pkiws_http_methods), 2, 0, "x", 1, PKIWS_E_UNSUPPORTED, "abi 2"},
        {sizeof(pkiws_http_methods), 1, 4, "x", 1, PKIWS_E_INVALID_ARG, ".flags is 0x4"},
        {sizeof(pkiws_http_methods), 1, 0, NULL, 1, PKIWS_E_INVALID_ARG, ".name is NULL"},
        {sizeof(pkiws_http_methods), 1, 0, "", 1, PKIWS_E_INVALID_ARG, ".name is empty"},
        {sizeof(pkiws_http_methods), 1, 0, "a\nb", 1, PKIWS_E_INVALID_ARG, "control character"},
        {sizeof(pkiws_http_methods), 1, 0, "\xff", 1, PKIWS_E_INVALID_ARG, "not UTF-8"},
        {sizeof(pkiws_http_methods), 1, 0, "x", 0, PKIWS_E_INVALID_ARG, ".perform is NULL"},
    };
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(bad); i++) {
        memset(&m, 0, sizeof m);
        m.size = bad[i].size;
        m.abi = bad[i].abi;
        m.flags = bad[i].flags;
        m.name = bad[i].name;
        m.perform = bad[i].perform ? noop_perform : NULL;
        int rc;
        if (bad[i].size > sizeof m) { /* a size beyond the maximum, on a big enough table */
            big.m.size = bad[i].size;
            rc = pkiws__http_plugin_new(&big.m, NULL, NULL, &p);
            big.m.size = sizeof big;
        } else {
            rc = pkiws__http_plugin_new(&m, NULL, NULL, &p);
        }
        if (rc != bad[i].code || !strstr(pkiws__err_message(), bad[i].msg))
            fail_msg("case %zu: rc %d '%s', want %d '%s'", i, rc, pkiws__err_message(), bad[i].code,
                     bad[i].msg);
        assert_null(p);
    }
    assert_int_equal(pkiws__http_plugin_new(NULL, NULL, NULL, &p), PKIWS_E_INVALID_ARG);
}

static int dummy_config_new(void *b, const pkiws_tls_params *p, void **out)
{
    (void)b;
    (void)p;
    *out = NULL;
    return PKIWS_OK;
}

static void test_plugin_tls_table_validation(void **state)
{
    (void)state;
    pkiws__tls *t = NULL;
    pkiws_tls_methods m = *ossl_plugin_methods();
    assert_int_equal(pkiws__tls_new(&m, NULL, NULL, &t), PKIWS_OK);
    assert_string_equal(pkiws__tls_name(t), "openssl-test");
    assert_int_equal(pkiws__tls_can_sign(t), 0);
    pkiws__tls_unref(t);
    /* each required hook, missing in turn */
    static const char *const hooks[] = {"config_new", "config_free", "connect", "handshake",
                                        "read",       "write",       "close"};
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(hooks); i++) {
        m = *ossl_plugin_methods();
        switch (i) {
        case 0:
            m.config_new = NULL;
            break;
        case 1:
            m.config_free = NULL;
            break;
        case 2:
            m.connect = NULL;
            break;
        case 3:
            m.handshake = NULL;
            break;
        case 4:
            m.read = NULL;
            break;
        case 5:
            m.write = NULL;
            break;
        default:
            m.close = NULL;
            break;
        }
        assert_int_equal(pkiws__tls_new(&m, NULL, NULL, &t), PKIWS_E_INVALID_ARG);
        char want[64];
        snprintf(want, sizeof want, "the required hook .%s is NULL", hooks[i]);
        EXPECT_MSG(want);
        assert_null(t);
    }
    /* a sign hook without its capability bit is not used */
    pkiws_tls_methods h;
    hsm_plugin_methods(&h);
    h.caps &= ~PKIWS_TLS_CAP_SIGN;
    assert_int_equal(pkiws__tls_new(&h, NULL, NULL, &t), PKIWS_OK);
    assert_int_equal(pkiws__tls_can_sign(t), 0);
    pkiws__tls_unref(t);
    hsm_plugin_methods(&h);
    assert_int_equal(pkiws__tls_new(&h, NULL, NULL, &t), PKIWS_OK);
    assert_int_equal(pkiws__tls_can_sign(t), 1);
    pkiws__tls_unref(t);
    /* the built-in is an ordinary table */
    const pkiws_tls_methods *b = pkiws_tls_builtin_methods();
    assert_int_equal(b->size, sizeof(pkiws_tls_methods));
    assert_int_equal(b->abi, PKIWS_TLS_ABI_1);
    assert_string_equal(b->name, "mbedtls");
    assert_true(b->caps & PKIWS_TLS_CAP_PEER_CHAIN);
    /* a config_new that reports success without a configuration */
    m = *ossl_plugin_methods();
    m.config_new = dummy_config_new;
    assert_int_equal(pkiws__tls_new(&m, NULL, NULL, &t), PKIWS_OK);
    pkiws__tls_config *cfg = NULL;
    pkiws__tls_settings s = {NULL, 0, NULL, 0, NULL, 0};
    assert_int_equal(pkiws__tls_config_new(t, &s, &cfg), PKIWS_E_BACKEND);
    EXPECT_MSG("config_new gave no configuration");
    pkiws__tls_unref(t);
}

/* ---- the HTTP adapter with a replaying backend ---- */

static void test_plugin_http_replay_items_and_results(void **state)
{
    (void)state;
    replay_plugin r;
    memset(&r, 0, sizeof r);
    r.status = 200;
    r.body = "<answer>from the replaying backend</answer>";
    r.fail_cause = -1;
    pkiws_http_methods m;
    replay_plugin_methods(&m, 0);
    pkiws__http_plugin *p;
    assert_int_equal(pkiws__http_plugin_new(&m, &r, NULL, &p), PKIWS_OK);
    pkiws__http_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.client_cert_pem = (const uint8_t *)"CERT";
    cfg.client_cert_len = 4;
    cfg.client_key_pem = (const uint8_t *)"SECRETKEY";
    cfg.client_key_len = 9;
    cfg.connect_timeout_ms = 1234;
    cfg.timeout_ms = 5678;
    cfg.max_response_bytes = 40;
    pkiws__http h;
    assert_int_equal(pkiws__http_plugin_open(&h, p, &cfg), PKIWS_OK);
    pkiws__http_request req = {"https://ca.test/pki-ws/policyService", "urn:getPolicies",
                               (const uint8_t *)BODY, strlen(BODY), "tx-42"};
    pkiws__http_response resp;
    /* the body is 43 bytes and the limit 40: the exchange fails with the limit */
    assert_int_equal(pkiws__http_perform(&h, &req, &resp), PKIWS_E_LIMIT);
    EXPECT_MSG("exceeds 40 bytes");
    assert_int_equal(r.append_rc, PKIWS_E_LIMIT);
    pkiws__http_response_dispose(&resp);
    /* what the backend was handed */
    assert_string_equal(r.url, "https://ca.test/pki-ws/policyService");
    assert_string_equal(r.method, "POST");
    assert_string_equal(r.proxy, "(null)");
    assert_string_equal(r.txid, "tx-42");
    assert_string_equal(r.soap_action, "\"urn:getPolicies\"");
    assert_string_equal(r.content_type, "text/xml; charset=utf-8");
    assert_string_equal(r.body_seen, BODY);
    assert_int_equal(r.connect_timeout_ms, 1234);
    assert_int_equal(r.timeout_ms, 5678);
    assert_int_equal(r.max_response, 40);
    assert_int_equal(r.tls_min, 0x0303);
    assert_int_equal(r.cert_len, 4);
    assert_int_equal(r.key_len, 9);
    assert_int_equal(r.trust_len, 0);
    assert_int_equal(r.nheaders, 3);
    assert_int_equal(r.wrong_kind_rc, PKIWS_E_OPTION_TYPE);
    assert_int_equal(r.unknown_rc, PKIWS_E_UNKNOWN_OPTION);
    pkiws__http_close(&h);
    /* a body within the limit */
    cfg.max_response_bytes = 1024;
    assert_int_equal(pkiws__http_plugin_open(&h, p, &cfg), PKIWS_OK);
    assert_int_equal(pkiws__http_perform(&h, &req, &resp), PKIWS_OK);
    assert_int_equal(resp.status, 200);
    assert_string_equal(pkiws__buf_cstr(&resp.body), "<answer>from the replaying backend</answer>");
    assert_string_equal(resp.content_type, "text/xml; charset=utf-8");
    assert_int_equal(resp.reused, 1);
    assert_int_equal(resp.request_sent, 1);
    pkiws__http_response_dispose(&resp);
    /* success without a status */
    r.status = 0;
    assert_int_equal(pkiws__http_perform(&h, &req, &resp), PKIWS_E_BACKEND);
    EXPECT_MSG("HTTP backend 'replay' reported success for https://ca.test/pki-ws/policyService "
               "without an HTTP status");
    pkiws__http_response_dispose(&resp);
    /* a failure the backend explains, with its cause's remedy */
    r.rc = PKIWS_E_TLS;
    r.fail_cause = PKIWS_CAUSE_TLS_CLIENT_REFUSED;
    assert_int_equal(pkiws__http_perform(&h, &req, &resp), PKIWS_E_TLS);
    assert_string_equal(pkiws__err_message(), "HTTP backend 'replay': replay: scripted failure");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_CLIENT_REFUSED);
    assert_string_equal(pkiws__err_native_domain(), "replay");
    assert_int_equal(pkiws__err_native_code(), 77);
    pkiws__http_response_dispose(&resp);
    /* a failure it does not explain */
    r.rc = PKIWS_E_TIMEOUT;
    r.fail_cause = -1;
    assert_int_equal(pkiws__http_perform(&h, &req, &resp), PKIWS_E_TIMEOUT);
    EXPECT_MSG("HTTP backend 'replay' failed for https://ca.test/pki-ws/policyService "
               "(PKIWS_E_TIMEOUT");
    pkiws__http_response_dispose(&resp);
    /* codes a transport cannot return */
    r.rc = PKIWS_E_SAN_UNRESOLVED;
    assert_int_equal(pkiws__http_perform(&h, &req, &resp), PKIWS_E_BACKEND);
    EXPECT_MSG("returned -500");
    pkiws__http_response_dispose(&resp);
    r.rc = 7;
    assert_int_equal(pkiws__http_perform(&h, &req, &resp), PKIWS_E_BACKEND);
    pkiws__http_response_dispose(&resp);
    pkiws__http_close(&h);
    /* a proxy needs PKIWS_HTTP_CAP_PROXY; a certificate needs its key */
    cfg.proxy = "http://proxy.test:3128";
    assert_int_equal(pkiws__http_plugin_open(&h, p, &cfg), PKIWS_E_UNSUPPORTED);
    EXPECT_MSG("cannot use a proxy");
    cfg.proxy = NULL;
    cfg.client_key_pem = NULL;
    assert_int_equal(pkiws__http_plugin_open(&h, p, &cfg), PKIWS_E_RA_CREDENTIAL);
    pkiws__http_plugin_unref(p);
}

struct replay_worker {
    pkiws__http *h;
    int ok;
};

static void *replay_worker_main(void *v)
{
    struct replay_worker *w = v;
    pkiws__http_request req = {"https://ca.test/x", "a", (const uint8_t *)"b", 1, NULL};
    for (int i = 0; i < 3; i++) {
        pkiws__http_response resp;
        if (pkiws__http_perform(w->h, &req, &resp) == PKIWS_OK)
            w->ok++;
        pkiws__http_response_dispose(&resp);
    }
    return NULL;
}

static int run_replay_threads(uint64_t caps, replay_plugin *r)
{
    memset(r, 0, sizeof *r);
    r->status = 200;
    r->body = "ok";
    r->fail_cause = -1;
    r->sleep_ms = 30;
    pkiws_http_methods m;
    replay_plugin_methods(&m, caps);
    pkiws__http_plugin *p;
    assert_int_equal(pkiws__http_plugin_new(&m, r, NULL, &p), PKIWS_OK);
    pkiws__http_config cfg;
    memset(&cfg, 0, sizeof cfg);
    pkiws__http h;
    assert_int_equal(pkiws__http_plugin_open(&h, p, &cfg), PKIWS_OK);
    pkiws__http_plugin_unref(p); /* the open transport keeps its own reference */
    struct replay_worker w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i].h = &h;
        w[i].ok = 0;
        assert_int_equal(pthread_create(&t[i], NULL, replay_worker_main, &w[i]), 0);
    }
    int ok = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ok;
    }
    pkiws__http_close(&h);
    return ok;
}

static void test_plugin_http_serialised_unless_threadsafe(void **state)
{
    (void)state;
    replay_plugin r;
    assert_int_equal(run_replay_threads(0, &r), 12);
    assert_int_equal(atomic_load(&r.calls), 12);
    assert_int_equal(atomic_load(&r.overlap), 0);
    assert_int_equal(run_replay_threads(PKIWS_HTTP_CAP_THREADSAFE, &r), 12);
    assert_true(atomic_load(&r.overlap) > 0);
}

/* ---- HTTP over libcurl ---- */

static void test_plugin_http_curl_sim(void **state)
{
    (void)state;
    NEED_ENV();
#ifndef HAVE_CURL_PLUGIN
    skip();
#else
    sim s;
    assert_int_equal(sim_start(&s, "delay:8000@4"), 0);
    curl_plugin *cp = curl_plugin_new();
    assert_non_null(cp);
    pkiws__http_plugin *p;
    assert_int_equal(pkiws__http_plugin_new(curl_plugin_methods(), cp, curl_plugin_free, &p),
                     PKIWS_OK);
    pkiws__http_config cfg = sim_config(E.ra, E.ra_len, E.ra_key, E.ra_key_len, 4000);
    pkiws__http h;
    assert_int_equal(pkiws__http_plugin_open(&h, p, &cfg), PKIWS_OK);
    pkiws__http_response resp;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sim_post(&h, "localhost", s.port, &resp), PKIWS_OK);
        assert_int_equal(resp.status, 200);
        assert_non_null(strstr(pkiws__buf_cstr(&resp.body), "<ns2:statusCode>UP<"));
        assert_non_null(strstr(resp.content_type, "text/xml"));
        assert_int_equal(resp.reused, i > 0);
        pkiws__http_response_dispose(&resp);
    }
    /* the fourth answer is 8 s late: the plug-in's timeout, reported through the ABI */
    assert_int_equal(sim_post(&h, "localhost", s.port, &resp), PKIWS_E_TIMEOUT);
    EXPECT_MSG("HTTP backend 'curl-plugin': curl-plugin: Operation timed out");
    assert_string_equal(pkiws__err_native_domain(), "curl");
    pkiws__http_response_dispose(&resp);
    assert_int_equal(curl_plugin_performs(cp), 4);
    pkiws__http_close(&h);
    /* the foreign RA: refused, told apart by the plug-in's cause */
    cfg = sim_config(E.foreign_ra, E.foreign_ra_len, E.foreign_key, E.foreign_key_len, 5000);
    assert_int_equal(pkiws__http_plugin_open(&h, p, &cfg), PKIWS_OK);
    assert_int_equal(sim_post(&h, "localhost", s.port, &resp), PKIWS_E_TLS);
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_CLIENT_REFUSED);
    pkiws__http_response_dispose(&resp);
    pkiws__http_close(&h);
    pkiws__http_plugin_unref(p);
    char *stats = sim_stop(&s);
    assert_int_equal(stat_value(stats, "requests"), 4); /* the late one is counted on arrival */
    assert_int_equal(stat_value(stats, "tls_refused"), 1);
    free(stats);
#endif
}

/* ---- TLS over OpenSSL under the native transport ---- */

static int count_certs(const uint8_t *der, size_t len, void *ud)
{
    (void)der;
    *(int *)ud += len > 100;
    return PKIWS_OK;
}

static void test_plugin_tls_openssl_sim(void **state)
{
    (void)state;
    NEED_ENV();
    sim s;
    assert_int_equal(sim_start(&s, "truncate@3"), 0);
    ossl_plugin op;
    memset(&op, 0, sizeof op);
    pkiws__tls *t;
    assert_int_equal(pkiws__tls_new(ossl_plugin_methods(), &op, NULL, &t), PKIWS_OK);
    pkiws__http_config cfg = sim_config(E.ra, E.ra_len, E.ra_key, E.ra_key_len, 5000);
    pkiws__http h;
    assert_int_equal(pkiws__http_native_open(&h, t, &cfg), PKIWS_OK);
    pkiws__http_response resp;
    /* two on one connection, the third cut short (the connection dies), the fourth resumes */
    for (int i = 0; i < 4; i++) {
        int rc = sim_post(&h, "localhost", s.port, &resp);
        if (i == 2) {
            assert_int_equal(rc, PKIWS_E_PROTOCOL);
            EXPECT_MSG("cut short");
        } else {
            assert_int_equal(rc, PKIWS_OK);
            assert_non_null(strstr(pkiws__buf_cstr(&resp.body), "<ns2:statusCode>UP<"));
        }
        pkiws__http_response_dispose(&resp);
    }
    assert_int_equal(atomic_load(&op.handshakes), 2);
    assert_int_equal(atomic_load(&op.resumed), 1);
    /* by IP address: this plug-in matches iPAddress SANs (mbedTLS 2.28 cannot) */
    assert_int_equal(sim_post(&h, "127.0.0.1", s.port, &resp), PKIWS_OK);
    pkiws__http_response_dispose(&resp);
    pkiws__http_close(&h);
    assert_int_equal(atomic_load(&op.live), 0);
    /* a name the certificate lacks, reached through a proxy (which connects to 127.0.0.1) */
    proxy px;
    px.answer = NULL;
    assert_int_equal(proxy_start(&px), 0);
    char purl[64];
    snprintf(purl, sizeof purl, "http://127.0.0.1:%d", px.port);
    cfg.proxy = purl;
    assert_int_equal(pkiws__http_native_open(&h, t, &cfg), PKIWS_OK);
    assert_int_equal(sim_post(&h, "pki-ws.symauth.com", s.port, &resp), PKIWS_E_TLS);
    EXPECT_MSG("TLS backend 'openssl-test': openssl-test: the server certificate does not name "
               "'pki-ws.symauth.com'");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_HOSTNAME);
    pkiws__http_response_dispose(&resp);
    pkiws__http_close(&h);
    proxy_stop(&px);
    cfg.proxy = NULL;
    /* trust anchors that do not include the server's root */
    cfg.trust_pem = (const uint8_t *)E.foreign_ra;
    cfg.trust_len = E.foreign_ra_len;
    assert_int_equal(pkiws__http_native_open(&h, t, &cfg), PKIWS_OK);
    assert_int_equal(sim_post(&h, "localhost", s.port, &resp), PKIWS_E_TLS);
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_SERVER_UNTRUSTED);
    EXPECT_MSG("does not verify");
    pkiws__http_response_dispose(&resp);
    pkiws__http_close(&h);
    /* no client certificate */
    cfg = sim_config(NULL, 0, NULL, 0, 5000);
    assert_int_equal(pkiws__http_native_open(&h, t, &cfg), PKIWS_OK);
    assert_int_equal(sim_post(&h, "localhost", s.port, &resp), PKIWS_E_TLS);
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_TLS_CLIENT_REFUSED);
    pkiws__http_response_dispose(&resp);
    pkiws__http_close(&h);
    /* a key that does not belong to the certificate: refused when the transport opens */
    cfg = sim_config(E.ra, E.ra_len, E.foreign_key, E.foreign_key_len, 5000);
    assert_int_equal(pkiws__http_native_open(&h, t, &cfg), PKIWS_E_RA_CREDENTIAL);
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_RA_KEY);
    EXPECT_MSG("cannot be used together");
    /* the peer chain through the table's optional hook */
    pkiws__tls_config *tc;
    pkiws__tls_settings ts = {(const uint8_t *)E.ra,     E.ra_len,
                              (const uint8_t *)E.ra_key, E.ra_key_len,
                              (const uint8_t *)E.trust,  E.trust_len};
    assert_int_equal(pkiws__tls_config_new(t, &ts, &tc), PKIWS_OK);
    int fd;
    assert_int_equal(
        pkiws__tls_tcp_connect("127.0.0.1", s.port, pkiws__tls_now_ms() + 5000, 5000, &fd),
        PKIWS_OK);
    pkiws_tls_io io;
    pkiws__tls_io_init(&io, fd, "localhost", s.port);
    pkiws__tls_io_set_deadline(&io, pkiws__tls_now_ms() + 5000, 5000,
                               "during the TLS handshake with");
    pkiws__tls_conn *conn;
    assert_int_equal(pkiws__tls_connect(tc, "localhost", s.port, &io, &conn), PKIWS_OK);
    int ncerts = 0;
    assert_int_equal(pkiws__tls_peer_chain(conn, count_certs, &ncerts), PKIWS_OK);
    assert_true(ncerts >= 1);
    pkiws__tls_close(conn);
    pkiws__tls_tcp_close(fd);
    pkiws__tls_config_free(tc);
    pkiws__tls_unref(t);
    char *stats = sim_stop(&s);
    /* A+B (resumed) for localhost, C by IP, D (proxy), E (untrusted), F (no certificate), G */
    assert_int_equal(stat_value(stats, "connections"), 7);
    assert_int_equal(stat_value(stats, "requests"), 5);
    assert_int_equal(stat_value(stats, "tls_refused"), 1); /* F; D and E are refused by us */
    assert_int_equal(atomic_load(&op.handshakes), 4);
    free(stats);
}

/* ---- the sign hook: the RA key outside pkiws ---- */

static void test_plugin_tls_hsm_sign_hook(void **state)
{
    (void)state;
    NEED_ENV();
    sim s;
    assert_int_equal(sim_start(&s, "truncate@3"), 0);
    hsm_plugin *hsm = hsm_plugin_new(E.ra_key, E.ra_key_len);
    assert_non_null(hsm);
    pkiws_tls_methods m;
    hsm_plugin_methods(&m);
    pkiws__tls *t;
    assert_int_equal(pkiws__tls_new(&m, hsm, hsm_plugin_free, &t), PKIWS_OK);
    /* the session has the RA certificate only */
    pkiws__http_config cfg = sim_config(E.ra, E.ra_len, NULL, 0, 5000);
    pkiws__http h;
    assert_int_equal(pkiws__http_native_open(&h, t, &cfg), PKIWS_OK);
    assert_int_equal(hsm_plugin_signs(hsm), 1); /* the key-matches-certificate probe */
    pkiws__http_response resp;
    for (int i = 0; i < 4; i++) {
        int rc = sim_post(&h, "localhost", s.port, &resp);
        assert_int_equal(rc, i == 2 ? PKIWS_E_PROTOCOL : PKIWS_OK);
        pkiws__http_response_dispose(&resp);
    }
    /* one full handshake signed by the HSM; the reconnect after the cut resumed the session,
     * which needs no signature */
    assert_int_equal(hsm_plugin_signs(hsm), 2);
    pkiws__http_close(&h);
    /* a token that fails: its own message and remedy reach the caller */
    assert_int_equal(pkiws__http_native_open(&h, t, &cfg), PKIWS_OK);
    hsm_plugin_fail_next(hsm);
    assert_int_equal(sim_post(&h, "localhost", s.port, &resp), PKIWS_E_RA_CREDENTIAL);
    EXPECT_MSG("test-hsm: the token holding the RA key was removed");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_RA_KEY);
    pkiws__http_response_dispose(&resp);
    pkiws__http_close(&h);
    pkiws__tls_unref(t);
    /* an HSM holding another key: caught when the transport opens */
    hsm = hsm_plugin_new(E.foreign_key, E.foreign_key_len);
    assert_non_null(hsm);
    assert_int_equal(pkiws__tls_new(&m, hsm, hsm_plugin_free, &t), PKIWS_OK);
    assert_int_equal(pkiws__http_native_open(&h, t, &cfg), PKIWS_E_RA_CREDENTIAL);
    EXPECT_MSG("the key behind the sign hook does not match the RA certificate");
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_RA_KEY);
    pkiws__tls_unref(t);
    char *stats = sim_stop(&s);
    assert_int_equal(stat_value(stats, "requests.getStatus"), 4);
    assert_int_equal(stat_value(stats, "connections"), 3);
    free(stats);
}

int main(int argc, char **argv)
{
    if (argc >= 2)
        E.sim = argv[1];
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_plugin_http_table_validation, test_teardown),
        cmocka_unit_test_teardown(test_plugin_tls_table_validation, test_teardown),
        cmocka_unit_test_teardown(test_plugin_http_replay_items_and_results, test_teardown),
        cmocka_unit_test_teardown(test_plugin_http_serialised_unless_threadsafe, test_teardown),
        cmocka_unit_test_teardown(test_plugin_http_curl_sim, test_teardown),
        cmocka_unit_test_teardown(test_plugin_tls_openssl_sim, test_teardown),
        cmocka_unit_test_teardown(test_plugin_tls_hsm_sign_hook, test_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
