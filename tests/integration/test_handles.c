/* SPDX-License-Identifier: MIT */
/*
 * Safe handles (issue 9, item 3) and the caller's key and transaction id (item 4):
 * - a freed handle is refused (PKIWS_E_INVALID_HANDLE) even while profiles keep its memory, and
 *   a second free is a no-op; handles of one kind are refused as another;
 * - settings changes never free what a running operation uses: threads issue on one session
 *   while the main thread changes timeouts, the key pool, the log callback and trust anchors;
 * - a log callback that calls back into pkiws is refused (PKIWS_E_RECURSIVE_API_CALL) and the
 *   outer call's error is left as it was;
 * - a verified profile is immutable (PKIWS_E_STATE);
 * - option ids outside every range are PKIWS_E_UNKNOWN_OPTION;
 * - pkiws_request_set_key: the certificate carries that key, and a second issuance with the
 *   same key gets the same certificate (the derived transaction id makes retries safe);
 *   PKIWS_REQUEST_OPT_TRANSACTION_ID is sent as given.
 * Runs under valgrind in scripts/test (no invalid reads, no leaks).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pkiws/backend.h>

#include "sim_harness.h"

#define OID(n) "2.16.840.1.113733.1.16.1.2.3.1.1." #n

static sim the_sim;
static char dir[256];

static int group_setup(void **state)
{
    (void)state;
    sim_start(&the_sim, NULL);
    snprintf(dir, sizeof dir, "%s", the_sim.dir);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return sim_finish(&the_sim) ? -1 : 0;
}

static pkiws_request *new_request(pkiws_profile *p, const char *cn, const char *email)
{
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_request_new(&r, p), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, cn), PKIWS_OK);
    if (email)
        assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_EMAIL, email), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_PFX_PASSWORD, "pw"), PKIWS_OK);
    return r;
}

/* ---- freed handles ---- */

static void test_freed_session_is_refused(void **state)
{
    (void)state;
    pkiws_session *s = sim_session(&the_sim);
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_profile_new(&p, s, OID(1)), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_EMAIL),
                     PKIWS_OK);
    pkiws_session_free(s); /* the profile keeps the memory, but the handle is dead */
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_CA, "pki-ws.symauth.com"),
                     PKIWS_E_INVALID_HANDLE);
    assert_non_null(strstr(pkiws_last_error_message(), "pkiws_session_set_str"));
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_TIMEOUT_MS, 5),
                     PKIWS_E_INVALID_HANDLE);
    pkiws_session_free(s); /* a second free is a no-op */
    /* the profile still works: it holds the session's settings */
    pkiws_request *r = new_request(p, "Alice", "alice@contoso.com");
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_issue(r, &res), PKIWS_OK);
    pkiws_result_free(res);
    pkiws_result_free(res); /* no-op */
    pkiws_request_free(r);
    pkiws_request_free(r); /* no-op */
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, "x"), PKIWS_E_INVALID_HANDLE);
    pkiws_profile_free(p); /* the last reference: everything goes */
    pkiws_profile_free(p);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_KEY_TYPE, PKIWS_KEY_EC_P256),
                     PKIWS_E_INVALID_HANDLE);
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_CA, "x"), PKIWS_E_INVALID_HANDLE);
}

static void test_handle_kinds_are_not_confused(void **state)
{
    (void)state;
    pkiws_session *s = NULL;
    assert_int_equal(pkiws_session_new(&s), PKIWS_OK);
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_profile_new(&p, s, OID(1)), PKIWS_OK);
    assert_int_equal(
        pkiws_session_set_int((pkiws_session *)(void *)p, PKIWS_SESSION_OPT_TIMEOUT_MS, 5),
        PKIWS_E_INVALID_HANDLE);
    assert_int_equal(pkiws_profile_set_int((pkiws_profile *)(void *)s, PKIWS_PROFILE_OPT_KEY_TYPE,
                                           PKIWS_KEY_EC_P256),
                     PKIWS_E_INVALID_HANDLE);
    int local = 0;
    assert_int_equal(
        pkiws_session_set_int((pkiws_session *)(void *)&local, PKIWS_SESSION_OPT_TIMEOUT_MS, 5),
        PKIWS_E_INVALID_HANDLE);
    pkiws_profile_free((pkiws_profile *)(void *)s); /* wrong kind: ignored */
    pkiws_profile_free(p);
    pkiws_session_free(s);
}

/* ---- the key pool setter no longer frees the host's backends ---- */

static int failing_perform(void *backend, const pkiws_http_req *req, pkiws_http_resp *resp)
{
    (void)backend;
    (void)req;
    (void)resp;
    return pkiws_backend_fail(PKIWS_E_BACKEND, PKIWS_CAUSE_NONE, "test", 1, "test backend");
}

static int backend_freed;
static void backend_free(void *b)
{
    (void)b;
    backend_freed++;
}

static void test_key_pool_setter_keeps_backends(void **state)
{
    (void)state;
    pkiws_session *s = sim_session(&the_sim);
    static const pkiws_http_methods m = {.size = sizeof(pkiws_http_methods),
                                         .abi = PKIWS_HTTP_ABI_1,
                                         .name = "test-http",
                                         .caps = PKIWS_HTTP_CAP_THREADSAFE,
                                         .perform = failing_perform};
    backend_freed = 0;
    assert_int_equal(pkiws_session_set_http_backend(s, &m, &backend_freed, backend_free), PKIWS_OK);
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_KEY_POOL_SIZE, 1), PKIWS_OK);
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_KEY_POOL_SIZE, 0), PKIWS_OK);
    assert_int_equal(backend_freed, 0);
    /* the backend is still the session's: an operation reaches it */
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_search(s, PKIWS_BY_SEAT, "alice", NULL, 0, &res), PKIWS_E_BACKEND);
    pkiws_result_free(res);
    pkiws_session_free(s);
    assert_int_equal(backend_freed, 1);
}

/* ---- settings change under load ---- */

struct worker {
    pkiws_profile *p;
    int id, ok, failed;
    char why[256];
};

static void *issue_loop(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 4; i++) {
        char cn[64], email[96];
        snprintf(cn, sizeof cn, "Worker %d-%d", w->id, i);
        snprintf(email, sizeof email, "w%d.%d@contoso.com", w->id, i);
        pkiws_request *r = NULL;
        if (pkiws_request_new(&r, w->p) || pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, cn) ||
            pkiws_request_set_str(r, PKIWS_REQUEST_OPT_EMAIL, email)) {
            w->failed++;
            pkiws_request_free(r);
            continue;
        }
        pkiws_result *res = NULL;
        if (pkiws_issue(r, &res) == PKIWS_OK) {
            w->ok++;
        } else {
            w->failed++;
            snprintf(w->why, sizeof w->why, "%s", res ? pkiws_result_message(res) : "?");
        }
        pkiws_result_free(res);
        pkiws_request_free(r);
    }
    return NULL;
}

static void quiet_log(int level, const char *domain, const char *txid, const char *msg,
                      void *user_data)
{
    (void)level;
    (void)domain;
    (void)txid;
    (void)msg;
    (*(int *)user_data)++;
}

static void test_settings_change_while_issuing(void **state)
{
    (void)state;
    pkiws_session *s = sim_session(&the_sim);
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_profile_new(&p, s, OID(12)), PKIWS_OK); /* EC P-256: fast keys */
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_KEY_TYPE, PKIWS_KEY_EC_P256),
                     PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_EMAIL),
                     PKIWS_OK);
    enum { N = 3 };
    struct worker w[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].p = p;
        w[i].id = i;
        assert_int_equal(pthread_create(&t[i], NULL, issue_loop, &w[i]), 0);
    }
    char trust[400];
    snprintf(trust, sizeof trust, "%s/trust.pem", the_sim.state);
    int logged = 0;
    for (int k = 0; k < 40; k++) {
        assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_TIMEOUT_MS, 30000 + k),
                         PKIWS_OK);
        assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_KEY_POOL_SIZE, k % 3),
                         PKIWS_OK);
        assert_int_equal(pkiws_session_set_log_cb(s, k % 2 ? quiet_log : NULL, &logged), PKIWS_OK);
        assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_TRUST_FILE, trust), PKIWS_OK);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        if (w[i].failed)
            fprintf(stderr, "worker %d: %s\n", i, w[i].why);
        assert_int_equal(w[i].failed, 0);
        assert_int_equal(w[i].ok, 4);
    }
    pkiws_profile_free(p);
    pkiws_session_free(s);
}

/* ---- re-entry ---- */

struct reentry {
    pkiws_session *s;
    pkiws_request *r;
    int calls, set_rc, issue_rc;
};

static void reentrant_log(int level, const char *domain, const char *txid, const char *msg,
                          void *user_data)
{
    (void)level;
    (void)domain;
    (void)txid;
    (void)msg;
    struct reentry *e = user_data;
    e->calls++;
    e->set_rc = pkiws_session_set_int(e->s, PKIWS_SESSION_OPT_TIMEOUT_MS, 1000);
    pkiws_session_free(e->s); /* refused too: the session stays usable */
    if (e->r) {
        pkiws_result *res = NULL;
        e->issue_rc = pkiws_issue(e->r, &res);
        pkiws_result_free(res);
    }
}

static void test_log_callback_reentry_refused(void **state)
{
    (void)state;
    pkiws_session *s = sim_session(&the_sim);
    struct reentry e = {s, NULL, 0, 0, 0};
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_LOG_LEVEL, PKIWS_LOG_INFO),
                     PKIWS_OK);
    assert_int_equal(pkiws_session_set_log_cb(s, reentrant_log, &e), PKIWS_OK);
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_profile_new(&p, s, OID(1)), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_EMAIL),
                     PKIWS_OK);
    e.r = new_request(p, "Alice", "alice@contoso.com");
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_issue(e.r, &res), PKIWS_OK); /* logs at INFO: the callback runs */
    assert_true(e.calls > 0);
    assert_int_equal(e.set_rc, PKIWS_E_RECURSIVE_API_CALL);
    assert_int_equal(e.issue_rc, PKIWS_E_RECURSIVE_API_CALL);
    pkiws_result_free(res);
    /* the outer call's error survives the callback's refused calls */
    pkiws_result *bad = NULL;
    pkiws_request *r2 = new_request(p, "Bob", NULL); /* no e-mail for the EMAIL SAN */
    assert_int_equal(pkiws_issue(r2, &bad), PKIWS_E_SAN_UNRESOLVED);
    assert_int_equal(pkiws_last_error_code(), PKIWS_E_SAN_UNRESOLVED);
    assert_int_equal(pkiws_result_error(bad), PKIWS_E_SAN_UNRESOLVED);
    pkiws_result_free(bad);
    pkiws_request_free(r2);
    /* outside the callback, the same calls work */
    assert_int_equal(pkiws_session_set_log_cb(s, NULL, NULL), PKIWS_OK);
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_TIMEOUT_MS, 1000), PKIWS_OK);
    pkiws_request_free(e.r);
    pkiws_profile_free(p);
    pkiws_session_free(s);
}

/* ---- a verified profile is immutable ---- */

static void test_verified_profile_is_frozen(void **state)
{
    (void)state;
    pkiws_session *s = sim_session(&the_sim);
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_profile_new(&p, s, OID(1)), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_EMAIL),
                     PKIWS_OK);
    assert_int_equal(pkiws_profile_fetch_policy(p), PKIWS_OK);
    pkiws_result *v = NULL;
    assert_int_equal(pkiws_profile_verify(p, &v), PKIWS_OK);
    pkiws_result_free(v);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_UPN),
                     PKIWS_E_STATE);
    assert_non_null(strstr(pkiws_last_error_message(), "immutable"));
    assert_int_equal(pkiws_profile_set_mapping(p, PKIWS_FIELD_CN, "cn"), PKIWS_E_STATE);
    /* the policy can still be refreshed */
    assert_int_equal(pkiws_profile_fetch_policy(p), PKIWS_OK);
    pkiws_profile_free(p);
    pkiws_session_free(s);
}

/* ---- option ids ---- */

static void test_option_ranges(void **state)
{
    (void)state;
    pkiws_session *s = NULL;
    assert_int_equal(pkiws_session_new(&s), PKIWS_OK);
    static const int ids[] = {30000, 30001, 45000, 99999, -1};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        assert_int_equal(pkiws_session_set_int(s, ids[i], 1), PKIWS_E_UNKNOWN_OPTION);
        assert_int_equal(pkiws_session_set_str(s, ids[i], "x"), PKIWS_E_UNKNOWN_OPTION);
        assert_int_equal(pkiws_session_set_blob(s, ids[i], "x", 1), PKIWS_E_UNKNOWN_OPTION);
        int64_t v;
        const char *str;
        assert_int_equal(pkiws_session_get_int(s, ids[i], &v), PKIWS_E_UNKNOWN_OPTION);
        assert_int_equal(pkiws_session_get_str(s, ids[i], &str), PKIWS_E_UNKNOWN_OPTION);
    }
    /* in a range of another kind: OPTION_TYPE; unknown in its own range: UNKNOWN_OPTION */
    assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_CA, 1), PKIWS_E_OPTION_TYPE);
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_TIMEOUT_MS, "1"),
                     PKIWS_E_OPTION_TYPE);
    assert_int_equal(pkiws_session_set_blob(s, PKIWS_SESSION_OPT_CA, "x", 1), PKIWS_E_OPTION_TYPE);
    assert_int_equal(pkiws_session_set_str(s, 19999, "x"), PKIWS_E_UNKNOWN_OPTION);
    assert_int_equal(pkiws_session_set_int(s, 9999, 1), PKIWS_E_UNKNOWN_OPTION);
    assert_int_equal(pkiws_session_set_blob(s, 29999, "x", 1), PKIWS_E_UNKNOWN_OPTION);
    /* proxy credentials: a secret, never read back, never in a message */
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_PROXY_CREDENTIALS, "nocolon"),
                     PKIWS_E_CONFIG);
    assert_null(strstr(pkiws_last_error_message(), "nocolon"));
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_PROXY_CREDENTIALS, "user:s3cret"),
                     PKIWS_OK);
    const char *str = "unset";
    assert_int_equal(pkiws_session_get_str(s, PKIWS_SESSION_OPT_PROXY_CREDENTIALS, &str),
                     PKIWS_E_INVALID_ARG);
    assert_null(str);
    pkiws_session_free(s);
}

static void test_profile_oid_is_trimmed(void **state)
{
    (void)state;
    pkiws_session *s = sim_session(&the_sim);
    pkiws_profile *p = NULL;
    /* as pasted from the seed: trailing white space and a line break */
    assert_int_equal(pkiws_profile_new(&p, s, " " OID(1) " \t\r\n"), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_EMAIL),
                     PKIWS_OK);
    assert_int_equal(pkiws_profile_fetch_policy(p), PKIWS_OK); /* found by the CA */
    pkiws_profile_free(p);
    assert_int_equal(pkiws_profile_new(&p, s, OID(1) " x"), PKIWS_E_CONFIG);
    pkiws_session_free(s);
}

/* ---- the caller's key and transaction id ---- */

static void read_file(const char *path, char *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    *len = fread(buf, 1, cap - 1, f);
    buf[*len] = 0;
    fclose(f);
}

static void test_request_key_is_used(void **state)
{
    (void)state;
    char key[400], cmd[2000], pub_key[400], pub_cert[400], certf[400];
    snprintf(key, sizeof key, "%s/given.key", dir);
    snprintf(pub_key, sizeof pub_key, "%s/given.pub", dir);
    snprintf(pub_cert, sizeof pub_cert, "%s/cert.pub", dir);
    snprintf(certf, sizeof certf, "%s/cert.pem", dir);
    snprintf(cmd, sizeof cmd,
             "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out '%s' 2>/dev/null "
             "&& openssl pkey -in '%s' -pubout -out '%s'",
             key, key, pub_key);
    assert_int_equal(system(cmd), 0);
    char pem[8192];
    size_t pem_len;
    read_file(key, pem, sizeof pem, &pem_len);

    pkiws_session *s = sim_session(&the_sim);
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_profile_new(&p, s, OID(1)), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_EMAIL),
                     PKIWS_OK);
    char serial[2][128], txid[2][64];
    for (int i = 0; i < 2; i++) { /* e.g. a retry from a restarted process */
        pkiws_request *r = new_request(p, "Carol Key", "carol@contoso.com");
        assert_int_equal(pkiws_request_set_key(r, pem, pem_len, NULL), PKIWS_OK);
        pkiws_result *res = NULL;
        assert_int_equal(pkiws_issue(r, &res), PKIWS_OK);
        snprintf(serial[i], sizeof serial[i], "%s", pkiws_result_str(res, PKIWS_RESULT_SERIAL));
        snprintf(txid[i], sizeof txid[i], "%s", pkiws_result_str(res, PKIWS_RESULT_CLIENT_TXID));
        FILE *f = fopen(certf, "w");
        assert_non_null(f);
        fputs(pkiws_result_str(res, PKIWS_RESULT_CERT_PEM), f);
        fclose(f);
        snprintf(cmd, sizeof cmd, "openssl x509 -in '%s' -pubkey -noout > '%s' && cmp -s '%s' '%s'",
                 certf, pub_cert, pub_cert, pub_key);
        assert_int_equal(system(cmd), 0); /* the certificate carries the given key */
        pkiws_result_free(res);
        pkiws_request_free(r);
    }
    assert_string_equal(txid[0], txid[1]);
    assert_string_equal(serial[0], serial[1]); /* the CA answered the retry with the same one */

    /* an explicit transaction id is sent as given */
    pkiws_request *r = new_request(p, "Dave Txid", "dave@contoso.com");
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_TRANSACTION_ID, "bad id!"),
                     PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws_last_error_message(), "character 4"));
    char long_id[64];
    memset(long_id, 'a', 41);
    long_id[41] = 0;
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_TRANSACTION_ID, long_id),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_TRANSACTION_ID, "mdm-42:dave.1"),
                     PKIWS_OK);
    pkiws_result *res = NULL;
    assert_int_equal(pkiws_issue(r, &res), PKIWS_OK);
    assert_string_equal(pkiws_result_str(res, PKIWS_RESULT_CLIENT_TXID), "mdm-42:dave.1");
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    pkiws_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_freed_session_is_refused),
        cmocka_unit_test(test_handle_kinds_are_not_confused),
        cmocka_unit_test(test_key_pool_setter_keeps_backends),
        cmocka_unit_test(test_settings_change_while_issuing),
        cmocka_unit_test(test_log_callback_reentry_refused),
        cmocka_unit_test(test_verified_profile_is_frozen),
        cmocka_unit_test(test_option_ranges),
        cmocka_unit_test(test_profile_oid_is_trimmed),
        cmocka_unit_test(test_request_key_is_used),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
