/* SPDX-License-Identifier: MIT */
/*
 * Ops that pkiws performs itself (driver mode: pkiws_op_perform + pkiws_op_fds, one poll(2)
 * loop for all), every kind of op (issue, poll, search, revoke, bulk, policy fetch) driven
 * that way over the session's transport (PKIWS_TEST_TRANSPORT), with simulator faults; a cancel
 * while pkiws performs the exchange; and the progress callback of the blocking calls, which
 * sees the exchanges and the back-off and cancels a call whose answer is held back by the
 * simulator without waiting for it. Every request validated; valgrind-clean.
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sim_harness.h"

#define OID(n) "2.16.840.1.113733.1.16.1.2.3.1.1." #n
/* EC P-256, CN x EMAIL: keys made quickly inside pkiws_op_perform */
#define PROFILE OID(12)

static sim pki;

static int slow(void)
{
    const char *v = getenv("PKIWS_TEST_SLOW");
    return v && strcmp(v, "1") == 0;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Drive ops[0..n) to PKIWS_OP_DONE with pkiws_op_perform, waiting in one poll(2) on all their
 * descriptors; returns how many times some op was in back-off (a timeout, no descriptor). */
static int drive_all(pkiws_op **ops, int n)
{
    struct pollfd *pfd = calloc((size_t)n, sizeof *pfd);
    int *done = calloc((size_t)n, sizeof *done);
    assert_non_null(pfd);
    assert_non_null(done);
    int left = n, backoffs = 0;
    int64_t deadline = mono_ms() + (slow() ? 1200000 : 240000);
    while (left) {
        assert_true(mono_ms() < deadline);
        nfds_t m = 0;
        int64_t timeout = -1;
        for (int i = 0; i < n; i++) {
            if (done[i])
                continue;
            int d = 0;
            assert_int_equal(pkiws_op_perform(ops[i], &d), PKIWS_OK);
            if (d) {
                done[i] = 1;
                left--;
                continue;
            }
            int fds[4], ev[4];
            size_t k = 0;
            int64_t t = 0;
            assert_int_equal(pkiws_op_fds(ops[i], fds, ev, 4, &k, &t), PKIWS_OK);
            assert_true(k <= 1);
            if (k == 1) {
                assert_int_equal(ev[0], PKIWS_POLL_IN);
                pfd[m].fd = fds[0];
                pfd[m].events = POLLIN;
                m++;
            } else {
                assert_true(t >= 0); /* not waiting on anything: a back-off or "now" */
                backoffs += t > 0;
            }
            if (t >= 0 && (timeout < 0 || t < timeout))
                timeout = t;
        }
        if (left)
            poll(pfd, m, timeout < 0 || timeout > 1000 ? 1000 : (int)timeout);
    }
    free(pfd);
    free(done);
    return backoffs;
}

static pkiws_result *take(pkiws_op *op, int expect_rc)
{
    pkiws_result *res = NULL;
    int rc = pkiws_op_result(op, &res);
    if (rc != expect_rc)
        fail_msg("op ended with %s, not %s: %s", pkiws_error_name(rc), pkiws_error_name(expect_rc),
                 pkiws_last_error_message());
    assert_non_null(res);
    pkiws_op_free(op);
    return res;
}

static pkiws_request *new_request(pkiws_profile *p, const char *cn, const char *email)
{
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_request_new(&r, p), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, cn), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_EMAIL, email), PKIWS_OK);
    return r;
}

static pkiws_profile *new_profile(pkiws_session *ses, const char *oid, int key_type)
{
    pkiws_profile *p = NULL;
    assert_int_equal(pkiws_profile_new(&p, ses, oid), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_EMAIL),
                     PKIWS_OK);
    if (key_type)
        assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_KEY_TYPE, key_type), PKIWS_OK);
    return p;
}

/* ---- many issuances and every other kind of op, performed by pkiws, one poll loop ---------- */

static void test_driver_every_kind(void **state)
{
    (void)state;
    const int n_iss = slow() ? 10 : 50;
    const char *faults[] = {"--fault", "http503@3", "--fault", "reset@9", "-q", NULL};
    sim sv;
    sim_start_shared(&sv, &pki, faults);
    pkiws_session *ses = sim_session(&sv);
    assert_int_equal(pkiws_session_set_int(ses, PKIWS_SESSION_OPT_RETRY_BACKOFF_MS, 200), PKIWS_OK);
    pkiws_profile *p = new_profile(ses, PROFILE, PKIWS_KEY_EC_P256);

    /* the policy first, as an op of its own */
    pkiws_op *op = NULL;
    assert_int_equal(pkiws_profile_fetch_policy_start(p, &op), PKIWS_OK);
    drive_all(&op, 1);
    pkiws_result *res = take(op, PKIWS_OK);
    assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_OK);
    pkiws_result_free(res);
    int64_t v = -1;
    assert_int_equal(pkiws_profile_template_int(p, PKIWS_TEMPLATE_ATTRIBUTE_COUNT, &v), PKIWS_OK);
    assert_true(v > 0);

    /* n issuances and a pending one at once */
    pkiws_op **ops = calloc((size_t)n_iss + 1, sizeof *ops);
    pkiws_request **reqs = calloc((size_t)n_iss + 1, sizeof *reqs);
    assert_non_null(ops);
    assert_non_null(reqs);
    for (int i = 0; i < n_iss; i++) {
        char cn[64], mail[64];
        snprintf(cn, sizeof cn, "Driver %d", i);
        snprintf(mail, sizeof mail, "driver%d@contoso.com", i);
        reqs[i] = new_request(p, cn, mail);
        assert_int_equal(pkiws_issue_start(reqs[i], &ops[i]), PKIWS_OK);
    }
    pkiws_profile *pending = new_profile(ses, OID(11), 0);
    reqs[n_iss] = new_request(pending, "Pending Pat", "pat@contoso.com");
    assert_int_equal(pkiws_issue_start(reqs[n_iss], &ops[n_iss]), PKIWS_OK);
    /* the 503 (request 3) is answered inside this batch: its op backs off before the retry,
     * which pkiws_op_fds reports right after the pkiws_op_perform that read the 503 */
    assert_true(drive_all(ops, n_iss + 1) >= 1);
    char first_serial[80] = "", more[2][80] = {"", ""};
    for (int i = 0; i < n_iss; i++) {
        res = take(ops[i], PKIWS_OK);
        assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_OK);
        const uint8_t *pfx;
        size_t len;
        assert_int_equal(pkiws_result_blob(res, PKIWS_RESULT_PFX, &pfx, &len), PKIWS_OK);
        const char *sn = pkiws_result_str(res, PKIWS_RESULT_SERIAL);
        if (!i)
            snprintf(first_serial, sizeof first_serial, "%s", sn);
        else if (i < 3)
            snprintf(more[i - 1], sizeof more[i - 1], "%s", sn);
        pkiws_result_free(res);
        pkiws_request_free(reqs[i]);
    }
    res = take(ops[n_iss], PKIWS_OK);
    assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_PENDING);

    /* the pending one polled, the first revoked and searched, all at once */
    pkiws_request *again = NULL;
    assert_int_equal(pkiws_request_new(&again, pending), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(again, PKIWS_REQUEST_OPT_CN, "Pending Pat"), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(again, PKIWS_REQUEST_OPT_PENDING_REF,
                                           pkiws_result_str(res, PKIWS_RESULT_PENDING_REF)),
                     PKIWS_OK);
    const uint8_t *key;
    size_t klen;
    assert_int_equal(pkiws_result_blob(res, PKIWS_RESULT_KEY_PKCS8, &key, &klen), PKIWS_OK);
    assert_int_equal(pkiws_request_set_key(again, key, klen, NULL), PKIWS_OK);
    pkiws_result_free(res);
    pkiws_request_free(reqs[n_iss]);
    pkiws_op *three[4];
    const char *bulk_ids[] = {more[0], more[1]};
    assert_int_equal(pkiws_poll_start(again, &three[0]), PKIWS_OK);
    assert_int_equal(pkiws_revoke_start(ses, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, first_serial,
                                        PKIWS_REASON_SUPERSEDED, "driver test", &three[1]),
                     PKIWS_OK);
    assert_int_equal(pkiws_search_start(ses, 0, NULL, PROFILE, 0, &three[2]), PKIWS_OK);
    assert_int_equal(pkiws_revoke_bulk_start(ses, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, bulk_ids, 2,
                                             PKIWS_REASON_SUPERSEDED, NULL, &three[3]),
                     PKIWS_OK);
    drive_all(three, 4);
    /* the simulator holds a pending request for a few polls: poll until it is issued */
    res = take(three[0], PKIWS_OK);
    for (int polls = 0; pkiws_result_status(res) == PKIWS_STATUS_PENDING && polls < 5; polls++) {
        pkiws_result_free(res);
        assert_int_equal(pkiws_poll_start(again, &op), PKIWS_OK);
        drive_all(&op, 1);
        res = take(op, PKIWS_OK);
    }
    assert_int_equal(pkiws_result_status(res), PKIWS_STATUS_OK);
    assert_string_equal(pkiws_result_str(res, PKIWS_RESULT_SUBJECT), "CN=Pending Pat");
    pkiws_result_free(res);
    res = take(three[1], PKIWS_OK);
    assert_int_equal(pkiws_result_int(res, PKIWS_RESULT_REVOCATION_COUNT, &v), PKIWS_OK);
    assert_int_equal(v, 1);
    assert_string_equal(pkiws_result_str(res, PKIWS_RESULT_SERIAL), first_serial);
    pkiws_result_free(res);
    res = take(three[2], PKIWS_OK);
    assert_int_equal(pkiws_result_int(res, PKIWS_RESULT_SEARCH_TOTAL, &v), PKIWS_OK);
    assert_true(v >= n_iss);
    assert_true(pkiws_result_found_count(res) > 0);
    pkiws_result_free(res);
    res = take(three[3], PKIWS_OK);
    assert_int_equal(pkiws_result_item_count(res), 2);
    for (size_t i = 0; i < 2; i++) {
        const char *id = NULL;
        int code = -1;
        assert_int_equal(pkiws_result_item(res, i, &id, &code, NULL), PKIWS_OK);
        assert_int_equal(code, PKIWS_OK);
    }
    assert_int_equal(pkiws_result_int(res, PKIWS_RESULT_REVOCATION_COUNT, &v), PKIWS_OK);
    assert_int_equal(v, 2);
    pkiws_result_free(res);

    pkiws_request_free(again);
    pkiws_profile_free(pending);
    pkiws_profile_free(p);
    free(ops);
    free(reqs);
    pkiws_session_free(ses);
    assert_int_equal(sim_validate_requests(&sv), 0);
    assert_int_equal(sim_stop(&sv), n_iss + 1);
    sim_cleanup(&sv);
}

/* ---- a cancel while pkiws performs the exchange; the host cannot feed it -------------------- */

static void test_driver_cancel_in_flight(void **state)
{
    (void)state;
    /* the first answer is held back for a minute */
    const char *faults[] = {"--fault", "delay:60000@1", "-q", NULL};
    sim sv;
    sim_start_shared(&sv, &pki, faults);
    pkiws_session *ses = sim_session(&sv);
    pkiws_op *op = NULL;
    assert_int_equal(pkiws_search_start(ses, PKIWS_BY_SEAT, "nobody@contoso.com", NULL, 0, &op),
                     PKIWS_OK);
    int done = 1;
    assert_int_equal(pkiws_op_perform(op, &done), PKIWS_OK);
    assert_int_equal(done, 0);
    int fds[2], ev[2];
    size_t n = 0;
    int64_t t = 0;
    assert_int_equal(pkiws_op_fds(op, fds, ev, 0, &n, &t), PKIWS_E_LIMIT);
    assert_int_equal(n, 1);
    assert_int_equal(pkiws_op_fds(op, fds, ev, 2, &n, &t), PKIWS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(t, -1);
    /* the exchange is pkiws's: the host cannot take it over */
    assert_int_equal(pkiws_op_http_request(op, NULL, NULL, NULL, NULL), PKIWS_E_STATE);
    assert_int_equal(pkiws_op_feed(op, 200, NULL, "x", 1), PKIWS_E_STATE);
    struct pollfd p = {fds[0], POLLIN, 0};
    assert_int_equal(poll(&p, 1, 200), 0); /* nothing yet: the answer is held back */
    assert_int_equal(pkiws_op_cancel(op), PKIWS_OK);
    assert_int_equal(pkiws_op_perform(op, &done), PKIWS_OK);
    assert_int_equal(done, 1);
    pkiws_result *res = take(op, PKIWS_E_CANCELLED);
    assert_int_equal(pkiws_result_error(res), PKIWS_E_CANCELLED);
    assert_non_null(strstr(pkiws_result_message(res), "search"));
    pkiws_result_free(res);
    /* the session goes on while the cancelled exchange still waits on its thread */
    int64_t attempts = 0;
    res = NULL;
    assert_int_equal(pkiws_search(ses, PKIWS_BY_SEAT, "nobody@contoso.com", NULL, 0, &res),
                     PKIWS_OK);
    assert_int_equal(pkiws_result_int(res, PKIWS_RESULT_ATTEMPTS, &attempts), PKIWS_OK);
    assert_int_equal(attempts, 1);
    pkiws_result_free(res);
    pkiws_session_free(ses);
    assert_int_equal(sim_validate_requests(&sv), 0);
    sim_stop(&sv); /* ends the held-back exchange: its thread frees what it holds */
    sim_cleanup(&sv);
}

/* ---- the progress callback of the blocking calls -------------------------------------------- */

typedef struct seen {
    int sends, waits, backoffs, max_attempt;
    int cancel_after_ms; /* cancel once waiting that long (0: never) */
    char op[32];
} seen;

static int on_progress(void *ud, const char *operation, int event, int attempt, int64_t ms)
{
    seen *s = ud;
    snprintf(s->op, sizeof s->op, "%s", operation);
    if (attempt > s->max_attempt)
        s->max_attempt = attempt;
    switch (event) {
    case PKIWS_PROGRESS_SEND:
        assert_int_equal(ms, 0);
        s->sends++;
        break;
    case PKIWS_PROGRESS_WAITING:
        assert_true(ms >= 0);
        s->waits++;
        return s->cancel_after_ms && ms >= s->cancel_after_ms;
    case PKIWS_PROGRESS_BACKOFF:
        assert_true(ms > 0);
        s->backoffs++;
        break;
    default:
        fail_msg("unknown progress event %d", event);
    }
    return 0;
}

static void test_progress_sees_and_cancels(void **state)
{
    (void)state;
    /* the 1st answer is a 503 (retried after a back-off), the 3rd is held back for a minute */
    const char *faults[] = {"--fault", "http503@1", "--fault", "delay:60000@3", "-q", NULL};
    sim sv;
    sim_start_shared(&sv, &pki, faults);
    pkiws_session *ses = sim_session(&sv);
    assert_int_equal(pkiws_session_set_int(ses, PKIWS_SESSION_OPT_RETRY_BACKOFF_MS, 400), PKIWS_OK);
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(pkiws_session_set_progress_cb(ses, on_progress, &s), PKIWS_OK);

    /* a policy fetch: 503, back-off, the same request again */
    pkiws_profile *p = new_profile(ses, PROFILE, PKIWS_KEY_EC_P256);
    assert_int_equal(pkiws_profile_fetch_policy(p), PKIWS_OK);
    assert_string_equal(s.op, "policy fetch");
    assert_int_equal(s.sends, 2);
    assert_int_equal(s.max_attempt, 2);
    assert_true(s.backoffs >= 1); /* the back-off of 400 ms is reported each 100 ms */

    /* an issuance whose enrolment answer is held back: cancelled from the callback */
    memset(&s, 0, sizeof s);
    s.cancel_after_ms = 300;
    pkiws_request *r = new_request(p, "Progress Pia", "pia@contoso.com");
    pkiws_result *res = NULL;
    int64_t t0 = mono_ms();
    assert_int_equal(pkiws_issue(r, &res), PKIWS_E_CANCELLED);
    int64_t took = mono_ms() - t0;
    assert_string_equal(s.op, "issuance");
    assert_int_equal(s.sends, 1);
    assert_true(s.waits >= 2);
    /* long before the answer would come (60 s), whatever the machine */
    assert_true(took < 30000);
    assert_int_equal(pkiws_result_error(res), PKIWS_E_CANCELLED);
    assert_int_equal(pkiws_result_retryable(res), 0);
    assert_non_null(strstr(pkiws_result_message(res), "progress callback"));
    pkiws_result_free(res);

    /* without the callback, the same session blocks as before */
    assert_int_equal(pkiws_session_set_progress_cb(ses, NULL, NULL), PKIWS_OK);
    memset(&s, 0, sizeof s);
    res = NULL;
    assert_int_equal(pkiws_search(ses, 0, NULL, PROFILE, 0, &res), PKIWS_OK);
    assert_int_equal(s.sends, 0);
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    pkiws_session_free(ses);
    assert_int_equal(sim_validate_requests(&sv), 0);
    sim_stop(&sv);
    sim_cleanup(&sv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_driver_every_kind),
        cmocka_unit_test(test_driver_cancel_in_flight),
        cmocka_unit_test(test_progress_sees_and_cancels),
    };
    static const char *const extra[] = {"-q", NULL};
    sim_group_init(&pki, NULL, extra);
    return cmocka_run_group_tests(tests, sim_group_setup, sim_group_teardown);
}
