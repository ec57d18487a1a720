/* SPDX-License-Identifier: MIT */
/* pkiws_op_*: the sans-I/O operation handle, its exchanges and back-off (the host's or, for the
 * blocking calls and pkiws_op_perform, the session's transport); op_issue.c holds the steps of
 * an issuance, the files of the other operations their kinds of one exchange, op_driver.c the
 * exchanges pkiws performs on its threads. */
#include "pkiws_internal.h"

#include "api/op_int.h"

int pkiws__op_new(const pkiws__op_kind *kind, void *impl, pkiws__conf *conf, pkiws_op **out)
{
    *out = NULL;
    pkiws_op *op = pkiws__calloc(1, sizeof *op);
    pkiws_result *r = op ? pkiws__result_new() : NULL;
    if (!op || !r || pkiws__handle_add(op, PKIWS__MAGIC_OP)) {
        pkiws__free(op);
        pkiws_result_free(r);
        kind->dispose(impl);
        pkiws__conf_release(conf);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory starting an operation");
    }
    op->magic = PKIWS__MAGIC_OP;
    op->state = PKIWS__OP_RUN;
    op->kind = kind;
    op->impl = impl;
    op->conf = conf;
    op->result = r;
    *out = op;
    return PKIWS_OK;
}

int pkiws__op_start(const pkiws__op_kind *kind, void *impl, pkiws_session *s, pkiws_op **out)
{
    pkiws__conf *conf = NULL;
    int acq = pkiws__session_acquire(s, &conf);
    int rc = pkiws__op_new(kind, impl, conf, out);
    if (!rc && acq) /* the op ends at once with the failed result */
        pkiws__op_fail(*out, acq);
    return rc;
}

static void drop_exchange(pkiws_op *op)
{
    pkiws__op_job_drop(op);
    pkiws__xml_free(op->answer);
    op->answer = NULL;
    pkiws__exchange_dispose(&op->x);
}

void pkiws__op_done(pkiws_op *op, int rc)
{
    op->rc = rc;
    op->state = PKIWS__OP_DONE;
    drop_exchange(op);
}

/* What a kind of one exchange records of its exchange, answered or not: the attempts and the
 * clientTransactionID (once the exchange was prepared). */
static int put_call(pkiws_op *op)
{
    int rc = pkiws__result_set_int(op->result, PKIWS_RESULT_ATTEMPTS, op->info.attempts);
    if (!rc && op->sent && op->x.txid[0])
        rc = pkiws__result_set_str(op->result, PKIWS_RESULT_CLIENT_TXID, op->x.txid);
    return rc;
}

void pkiws__op_fail_call(pkiws_op *op, int rc)
{
    put_call(op);
    pkiws__result_fail(op->result, rc);
    pkiws__result_set_retryable(op->result, op->info.retryable);
}

void pkiws__op_fail(pkiws_op *op, int rc)
{
    if (op->state == PKIWS__OP_DONE)
        return;
    if (op->kind->fail)
        op->kind->fail(op, rc);
    else
        pkiws__op_fail_call(op, rc);
    pkiws__op_done(op, rc);
}

/* The step of a kind of one exchange: begin, then (with the answer) end. */
static int one_exchange(pkiws_op *op)
{
    if (!op->sent) {
        pkiws__client *c = NULL;
        int rc = pkiws__conf_client(op->conf, &c);
        if (rc)
            return rc;
        pkiws__op_new_exchange(op);
        op->sent = 1;
        return pkiws__op_exchange(op, op->kind->begin(op, c));
    }
    int rc = put_call(op);
    if (!rc)
        rc = op->kind->end(op);
    if (!rc)
        pkiws__op_done(op, PKIWS_OK);
    return rc;
}

void pkiws__op_new_exchange(pkiws_op *op)
{
    drop_exchange(op);
    memset(&op->info, 0, sizeof op->info);
    op->soft = op->soft_rc = 0;
}

int pkiws__op_exchange(pkiws_op *op, int rc)
{
    if (rc == PKIWS_OK)
        op->state = PKIWS__OP_HTTP;
    return rc;
}

void pkiws__op_drive(pkiws_op *op)
{
    for (int n = 0; op->state == PKIWS__OP_RUN; n++) {
        int rc = n >= 64          ? pkiws__fail(PKIWS_E_INTERNAL, "%s operation makes no progress",
                                                op->kind->name)
                 : op->kind->step ? op->kind->step(op)
                                  : one_exchange(op);
        pkiws__xml_free(op->answer);
        op->answer = NULL;
        if (rc)
            pkiws__op_fail(op, rc);
    }
    if (op->state == PKIWS__OP_WAIT && pkiws__monotonic_ms() >= op->wait_until)
        op->state = PKIWS__OP_HTTP;
}

void pkiws__op_take_answer(pkiws_op *op, int rc, const pkiws__http_response *resp)
{
    pkiws_xml_doc *doc = NULL;
    int64_t retry_ms;
    rc = pkiws__exchange_answer(&op->x, rc, resp, &doc, &retry_ms);
    op->info = op->x.info;
    if (retry_ms >= 0) {
        op->state = PKIWS__OP_WAIT;
        op->wait_until = pkiws__monotonic_ms() + retry_ms;
    } else if (rc && op->soft) { /* the step decides */
        op->soft_rc = rc;
        op->state = PKIWS__OP_RUN;
    } else if (rc) {
        pkiws__op_fail(op, rc);
    } else {
        /* answered: the request will not go out again (its copy is wiped if secret) */
        pkiws__buf_dispose(&op->x.body);
        op->answer = doc;
        op->state = PKIWS__OP_RUN;
    }
}

/* The final code, with the thread's last error describing it again, and the result. */
static int take_result(pkiws_op *op, pkiws_result **out)
{
    pkiws_result *r = op->result;
    op->result = NULL;
    op->result_taken = 1;
    *out = r;
    if (op->rc && pkiws__err_code() != op->rc) {
        /* the thread's error is no longer the op's (the host made other calls since): the
         * result keeps the exact remedy; the thread gets the code's (the last error borrows
         * its remedy string, so it must not point into the result) */
        const char *msg = pkiws_result_message(r);
        pkiws__fail(op->rc, "%s", msg ? msg : "");
        pkiws__err_set_retryable(pkiws_result_retryable(r));
    }
    return op->rc;
}

static void op_destroy(pkiws_op *op)
{
    op->magic = PKIWS__MAGIC_DEAD;
    drop_exchange(op);
    pkiws__op_wake_release(op->wake);
    op->kind->dispose(op->impl);
    pkiws_result_free(op->result);
    pkiws__conf_release(op->conf);
    pkiws__free(op);
}

/* The progress callback (when the session has one) on event; 1 when it cancelled the op. */
static int progress(pkiws_op *op, int event, int64_t ms)
{
    const pkiws__settings *set = &op->conf->set;
    int attempt = op->x.retries_done + 1;
    if (!set->progress || !set->progress(set->progress_data, op->kind->name, event, attempt, ms))
        return 0;
    static const char *const during[] = {"", "before sending to ", "waiting for the answer from ",
                                         "in back-off before retrying "};
    int rc = pkiws__fail(PKIWS_E_CANCELLED, "%s cancelled by the progress callback %s%s",
                         op->kind->name, during[event], op->x.url);
    pkiws__op_fail(op, rc);
    pkiws__result_set_retryable(op->result, 0);
    return 1;
}

/* The back-off of the blocking form, reporting it; 0 when it is over, 1 when cancelled. */
static int run_backoff(pkiws_op *op)
{
    for (;;) {
        int64_t left = op->wait_until - pkiws__monotonic_ms();
        if (left <= 0)
            return 0;
        if (op->conf->set.progress && progress(op, PKIWS_PROGRESS_BACKOFF, left))
            return 1;
        pkiws__sleep_ms(op->conf->set.progress && left > PKIWS_PROGRESS_TICK_MS
                            ? PKIWS_PROGRESS_TICK_MS
                            : left);
    }
}

/* One exchange of the blocking form: on this thread, or with a progress callback on a pkiws
 * thread while this one reports. */
static void run_exchange(pkiws_op *op)
{
    if (!op->conf->set.progress) {
        pkiws__exchange *x = &op->x;
        pkiws__http_request req = {x->url, x->action, x->body.data, x->body.len, x->txid};
        pkiws__http_response resp;
        int rc = pkiws__http_perform(&x->c->http, &req, &resp);
        pkiws__op_take_answer(op, rc, &resp);
        pkiws__http_response_dispose(&resp);
        return;
    }
    if (progress(op, PKIWS_PROGRESS_SEND, 0))
        return;
    int rc = pkiws__op_job_start(op);
    if (rc) {
        pkiws__op_fail(op, rc);
        return;
    }
    int64_t t0 = pkiws__monotonic_ms();
    for (;;) {
        pkiws__op_job_wait(op, PKIWS_PROGRESS_TICK_MS);
        if (pkiws__op_job_reap(op) ||
            progress(op, PKIWS_PROGRESS_WAITING, pkiws__monotonic_ms() - t0))
            return;
    }
}

int pkiws__op_run(pkiws_op *op, pkiws_result **out)
{
    for (;;) {
        pkiws__op_drive(op);
        if (op->state == PKIWS__OP_DONE)
            break;
        if (op->state == PKIWS__OP_WAIT) {
            if (!run_backoff(op))
                op->state = PKIWS__OP_HTTP;
            continue;
        }
        run_exchange(op);
    }
    pkiws__handle_remove(op, PKIWS__MAGIC_OP);
    int rc = take_result(op, out);
    op_destroy(op);
    return rc;
}

PKIWS_API int pkiws_op_next(pkiws_op *op, int *want)
{
    PKIWS__ENTER();
    int rc = pkiws__check_op(op, "pkiws_op_next");
    if (rc)
        return rc;
    if (!want)
        return pkiws__arg_fail("pkiws_op_next", "want is NULL");
    pkiws__op_drive(op);
    *want = op->state == PKIWS__OP_HTTP   ? PKIWS_OP_WANT_HTTP
            : op->state == PKIWS__OP_WAIT ? PKIWS_OP_WANT_WAIT
                                          : PKIWS_OP_DONE;
    return PKIWS_OK;
}

static int check_http(const pkiws_op *op, const char *fn)
{
    int rc = pkiws__check_op(op, fn);
    if (!rc && op->job)
        rc = pkiws__fail(PKIWS_E_STATE,
                         "%s: pkiws performs this exchange (pkiws_op_perform); wait on "
                         "pkiws_op_fds and call pkiws_op_perform until it is over",
                         fn);
    else if (!rc && op->state != PKIWS__OP_HTTP)
        rc = pkiws__fail(PKIWS_E_STATE,
                         "%s: the op wants no HTTP exchange now (call pkiws_op_next until it "
                         "says PKIWS_OP_WANT_HTTP)",
                         fn);
    return rc;
}

PKIWS_API int pkiws_op_http_request(pkiws_op *op, const char **url, const char **headers,
                                    const uint8_t **body, size_t *len)
{
    PKIWS__ENTER();
    int rc = check_http(op, "pkiws_op_http_request");
    if (rc)
        return rc;
    if (url)
        *url = op->x.url;
    if (headers)
        *headers = op->x.headers;
    if (body)
        *body = op->x.body.data;
    if (len)
        *len = op->x.body.len;
    return PKIWS_OK;
}

PKIWS_API int pkiws_op_feed(pkiws_op *op, int http_status, const char *headers, const void *body,
                            size_t len)
{
    PKIWS__ENTER();
    (void)headers; /* the status and the body decide; kept for hosts and later use */
    int rc = check_http(op, "pkiws_op_feed");
    if (rc)
        return rc;
    if (http_status < 100 || http_status > 599)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_op_feed: HTTP status %d is not 100..599",
                           http_status);
    if (!body && len)
        return pkiws__arg_fail("pkiws_op_feed", "body is NULL but len is not 0");
    pkiws__http_response resp;
    memset(&resp, 0, sizeof resp);
    resp.status = http_status;
    resp.request_sent = 1;
    resp.sends = 1;
    int trc = PKIWS_OK;
    if (len > (size_t)op->conf->set.max_response_bytes) {
        resp.status = 0;
        trc = pkiws__fail(PKIWS_E_LIMIT, "the answer from %s has %zu bytes; the limit is %lld",
                          op->x.url, len, (long long)op->conf->set.max_response_bytes);
    } else if (len && pkiws__buf_append(&resp.body, body, len)) {
        pkiws__http_response_dispose(&resp);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory taking an answer of %zu bytes", len);
    }
    pkiws__op_take_answer(op, trc, &resp);
    pkiws__http_response_dispose(&resp);
    return PKIWS_OK;
}

PKIWS_API int pkiws_op_feed_error(pkiws_op *op, int code, const char *message)
{
    PKIWS__ENTER();
    int rc = check_http(op, "pkiws_op_feed_error");
    if (rc)
        return rc;
    if (code >= 0 || !pkiws__error_name(code))
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "pkiws_op_feed_error: %d is not a PKIWS_E_* failure code", code);
    pkiws__http_response resp;
    memset(&resp, 0, sizeof resp);
    resp.request_sent = 1; /* unknown: it may have reached the CA */
    resp.sends = 1;
    int trc =
        pkiws__fail(code, "%s: %s", op->x.url, message ? message : "the host's transport failed");
    pkiws__op_take_answer(op, trc, &resp);
    return PKIWS_OK;
}

PKIWS_API int pkiws_op_wait_ms(pkiws_op *op, int64_t *ms)
{
    PKIWS__ENTER();
    int rc = pkiws__check_op(op, "pkiws_op_wait_ms");
    if (rc)
        return rc;
    if (!ms)
        return pkiws__arg_fail("pkiws_op_wait_ms", "ms is NULL");
    int64_t left = op->state == PKIWS__OP_WAIT ? op->wait_until - pkiws__monotonic_ms() : 0;
    *ms = left > 0 ? left : 0;
    return PKIWS_OK;
}

PKIWS_API int pkiws_op_result(pkiws_op *op, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_op_result", "out is NULL");
    *out = NULL;
    int rc = pkiws__check_op(op, "pkiws_op_result");
    if (rc)
        return rc;
    if (op->state != PKIWS__OP_DONE || op->result_taken)
        return pkiws__fail(PKIWS_E_STATE, "pkiws_op_result: %s",
                           op->result_taken ? "the result was already taken"
                                            : "the op is not finished (PKIWS_OP_DONE)");
    return take_result(op, out);
}

PKIWS_API int pkiws_op_cancel(pkiws_op *op)
{
    PKIWS__ENTER();
    int rc = pkiws__check_op(op, "pkiws_op_cancel");
    if (rc || op->state == PKIWS__OP_DONE)
        return rc;
    static const char *const during[] = {"between steps", "waiting for the answer from ",
                                         "in back-off before retrying "};
    rc =
        pkiws__fail(PKIWS_E_CANCELLED, "%s cancelled by the host (pkiws_op_cancel) %s%s",
                    op->kind->name, during[op->state], op->state == PKIWS__OP_RUN ? "" : op->x.url);
    pkiws__op_fail(op, rc);
    pkiws__result_set_retryable(op->result, 0);
    pkiws__err_clear();
    return PKIWS_OK;
}

PKIWS_API int pkiws_op_perform(pkiws_op *op, int *done)
{
    PKIWS__ENTER();
    int rc = pkiws__check_op(op, "pkiws_op_perform");
    if (rc)
        return rc;
    if (!done)
        return pkiws__arg_fail("pkiws_op_perform", "done is NULL");
    /* each turn takes one finished exchange or starts one: bounded by the op's exchanges */
    for (;;) {
        pkiws__op_drive(op);
        if (op->state != PKIWS__OP_HTTP)
            break;
        if (!op->job && (rc = pkiws__op_job_start(op))) {
            pkiws__op_fail(op, rc);
            continue;
        }
        if (!pkiws__op_job_reap(op))
            break;
    }
    *done = op->state == PKIWS__OP_DONE;
    return PKIWS_OK;
}

PKIWS_API int pkiws_op_fds(pkiws_op *op, int *fds, int *events, size_t cap, size_t *n,
                           int64_t *timeout_ms)
{
    PKIWS__ENTER();
    int rc = pkiws__check_op(op, "pkiws_op_fds");
    if (rc)
        return rc;
    if (!n || !timeout_ms || (cap && (!fds || !events)))
        return pkiws__arg_fail("pkiws_op_fds", "n, timeout_ms, fds or events is NULL");
    *n = 0;
    *timeout_ms = 0;
    if (op->job) {
        *n = 1;
        *timeout_ms = -1;
        if (cap < 1)
            return pkiws__fail(PKIWS_E_LIMIT, "pkiws_op_fds: room for %zu descriptors, 1 needed",
                               cap);
        fds[0] = pkiws__op_wake_fd(op);
        events[0] = PKIWS_POLL_IN;
    } else if (op->state == PKIWS__OP_WAIT) {
        int64_t left = op->wait_until - pkiws__monotonic_ms();
        *timeout_ms = left > 0 ? left : 0;
    }
    return PKIWS_OK;
}

PKIWS_API void pkiws_op_free(pkiws_op *op)
{
    if (pkiws__handle_release(op, PKIWS__MAGIC_OP))
        op_destroy(op);
}
