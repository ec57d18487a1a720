/* SPDX-License-Identifier: MIT */
/* pkiws_revoke: updateCertificateStatus by serial or seat; pkiws_revoke_bulk: many ids in
 * chunks of bulkUpdateCertificateStatus. */
#include "pkiws_internal.h"

#include <ctype.h>

#include "api/op_int.h"
#include "core/bulk.h"
#include "core/enroll.h"
#include "proto/soap.h"

static const char *reason_text(int reason)
{
    switch (reason) {
    case PKIWS_REASON_UNSPECIFIED:
        return "Unspecified";
    case PKIWS_REASON_KEY_COMPROMISE:
        return "KeyCompromise";
    case PKIWS_REASON_CA_COMPROMISE:
        return "CACompromise";
    case PKIWS_REASON_AFFILIATION_CHANGED:
        return "AffiliationChanged";
    case PKIWS_REASON_SUPERSEDED:
        return "Superseded";
    case PKIWS_REASON_CESSATION_OF_OPERATION:
        return "CessationOfOperation";
    case PKIWS_REASON_CERTIFICATE_HOLD:
        return "CertificateHold";
    case PKIWS_REASON_REMOVE_FROM_CRL:
        return "RemoveFromCRL";
    case PKIWS_REASON_PRIVILEGE_WITHDRAWN:
        return "PrivilegeWithdrawn";
    case PKIWS_REASON_AA_COMPROMISE:
        return "AACompromise";
    default:
        return NULL;
    }
}

/* Serial as hex: separators and leading zeros dropped, upper-cased. */
static int normalize_serial(const char *in, pkiws_buf *out)
{
    size_t digits = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ':' || *p == ' ' || *p == '-')
            continue;
        if (!isxdigit((unsigned char)*p))
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "serial '%s' has '%c' at position %zu, which is not a hex digit", in,
                               *p, (size_t)(p - in) + 1);
        if (digits == 0 && *p == '0')
            continue;
        pkiws__buf_putc(out, (char)toupper((unsigned char)*p));
        digits++;
    }
    if (digits == 0)
        pkiws__buf_putc(out, '0');
    return pkiws__buf_status(out);
}

/* Operation, selector (PKIWS_BY_PROFILE only when profile_ok) and reason. */
static int check_args(const char *fn, int operation, int selector, int profile_ok, int reason,
                      const char **reason_name)
{
    if (operation < PKIWS_OP_REVOKE || operation > PKIWS_OP_RESUME)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: operation %d is not a PKIWS_OP_*", fn,
                           operation);
    if (selector != PKIWS_BY_SERIAL && selector != PKIWS_BY_SEAT &&
        !(profile_ok && selector == PKIWS_BY_PROFILE))
        return pkiws__fail(
            PKIWS_E_INVALID_ARG, "%s: selector %d is not PKIWS_BY_SERIAL%s", fn, selector,
            profile_ok ? ", PKIWS_BY_SEAT or PKIWS_BY_PROFILE" : " or PKIWS_BY_SEAT");
    *reason_name = NULL;
    if (reason != PKIWS_REASON_NONE && !(*reason_name = reason_text(reason)))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: reason %d is not a PKIWS_REASON_*", fn,
                           reason);
    return PKIWS_OK;
}

typedef struct revoke_op {
    int operation, by_seat;
    const char *reason_name; /* static */
    char *id, *comment;      /* copies; a serial normalised */
    pkiws__revoke_outcome o;
} revoke_op;

static int revoke_begin(pkiws_op *op, pkiws__client *c)
{
    revoke_op *s = op->impl;
    char txid[41];
    int rc = pkiws__client_random_txid("rev", txid);
    return rc ? rc
              : pkiws__update_status_begin(c, txid, s->operation, s->by_seat, s->id, s->reason_name,
                                           s->comment, &s->o, &op->x);
}

/* What the CA said into the result (also for a refusal), and the log record. */
static void revoke_record(pkiws_op *op, int rc)
{
    revoke_op *s = op->impl;
    pkiws__revoke_outcome *o = &s->o;
    pkiws_result *r = op->result;
    if (o->server_txid)
        pkiws__result_set_str(r, PKIWS_RESULT_SERVER_TXID, o->server_txid);
    if (o->message)
        pkiws__result_set_str(r, PKIWS_RESULT_DISPOSITION, o->message);
    if (op->info.attempts && (rc == PKIWS_OK || rc == PKIWS_E_REJECTED)) {
        pkiws__result_set_int(r, PKIWS_RESULT_SUCCESS_CODE, o->success_code);
        pkiws__result_set_int(r, PKIWS_RESULT_REVOCATION_COUNT, o->revocation_count);
    }
    if (op->conf)
        pkiws__log(&op->conf->set.log, rc ? PKIWS_LOG_WARN : PKIWS_LOG_INFO, "core", op->x.txid,
                   "updateCertificateStatus: %s (%d changed)", rc ? pkiws__err_message() : "ok",
                   o->revocation_count);
}

static int revoke_end(pkiws_op *op)
{
    revoke_op *s = op->impl;
    int rc = pkiws__update_status_end(op->answer, s->by_seat, s->id, &s->o);
    if (!rc)
        revoke_record(op, rc);
    return rc;
}

static void revoke_fail(pkiws_op *op, int rc)
{
    revoke_record(op, rc);
    pkiws__op_fail_call(op, rc);
}

static void revoke_dispose(void *impl)
{
    revoke_op *s = impl;
    pkiws__revoke_outcome_dispose(&s->o);
    pkiws__free(s->id);
    pkiws__free(s->comment);
    pkiws__free(s);
}

static const pkiws__op_kind revoke_kind = {"revocation", NULL,        revoke_begin,
                                           revoke_end,   revoke_fail, revoke_dispose};

static int revoke_op_new(const char *fn, pkiws_session *ses, int operation, int selector,
                         const char *id, int reason, const char *comment, pkiws_op **op)
{
    int rc = pkiws__check_session(ses, fn);
    if (rc)
        return rc;
    const char *reason_name = NULL;
    if ((rc = check_args(fn, operation, selector, 0, reason, &reason_name)))
        return rc;
    if (pkiws__is_blank(id))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: the %s is empty", fn,
                           selector == PKIWS_BY_SEAT ? "seat id" : "serial");
    pkiws_buf norm = PKIWS_BUF_INIT;
    if (selector == PKIWS_BY_SERIAL) {
        rc = normalize_serial(id, &norm);
    } else {
        pkiws__buf_puts(&norm, id);
        rc = pkiws__buf_status(&norm);
    }
    if (rc) {
        pkiws__buf_dispose(&norm);
        return rc;
    }
    revoke_op *s = pkiws__calloc(1, sizeof *s);
    if (!s || (comment && !(s->comment = pkiws__strdup(comment)))) {
        pkiws__buf_dispose(&norm);
        if (s)
            revoke_dispose(s);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory starting a revocation");
    }
    s->id = (char *)pkiws__buf_detach(&norm, NULL);
    s->operation = operation;
    s->by_seat = selector == PKIWS_BY_SEAT;
    s->reason_name = reason_name;
    if ((rc = pkiws__op_start(&revoke_kind, s, ses, op)))
        return rc;
    if (!s->by_seat)
        pkiws__result_set_str((*op)->result, PKIWS_RESULT_SERIAL, s->id);
    return PKIWS_OK;
}

PKIWS_API int pkiws_revoke_start(pkiws_session *ses, int operation, int selector, const char *id,
                                 int reason, const char *comment, pkiws_op **op)
{
    PKIWS__ENTER();
    if (!op)
        return pkiws__arg_fail("pkiws_revoke_start", "op is NULL");
    *op = NULL;
    return revoke_op_new("pkiws_revoke_start", ses, operation, selector, id, reason, comment, op);
}

PKIWS_API int pkiws_revoke(pkiws_session *ses, int operation, int selector, const char *id,
                           int reason, const char *comment, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_revoke", "out is NULL");
    *out = NULL;
    pkiws_op *op = NULL;
    int rc = revoke_op_new("pkiws_revoke", ses, operation, selector, id, reason, comment, &op);
    return rc ? rc : pkiws__op_run(op, out);
}

/* The ids as sent: serials normalised, seats and profile OIDs trimmed of nothing (as given). */
static int bulk_ids(int selector, const char *const *ids, size_t n, char ***out)
{
    char **v = pkiws__calloc(n, sizeof *v);
    if (!v)
        return PKIWS_E_NOMEM;
    *out = v;
    for (size_t i = 0; i < n; i++) {
        if (pkiws__is_blank(ids[i]))
            return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_revoke_bulk: id %zu of %zu is empty",
                               i + 1, n);
        if (selector != PKIWS_BY_SERIAL) {
            if (!(v[i] = pkiws__strdup(ids[i])))
                return PKIWS_E_NOMEM;
            continue;
        }
        pkiws_buf b = PKIWS_BUF_INIT;
        int rc = normalize_serial(ids[i], &b);
        if (rc) {
            pkiws__buf_dispose(&b);
            return pkiws__fail_context(rc, "pkiws_revoke_bulk: id %zu", i + 1);
        }
        if (!(v[i] = (char *)pkiws__buf_detach(&b, NULL)))
            return PKIWS_E_NOMEM;
    }
    return PKIWS_OK;
}

static void free_ids(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        pkiws__free(v[i]);
    pkiws__free(v);
}

/* Items into the result; the overall code is the first failed item's. */
static int bulk_result(pkiws_result *r, char *const *ids, const pkiws__bulk_outcome *o)
{
    int first = PKIWS_OK;
    size_t failed = 0, first_at = 0;
    for (size_t i = 0; i < o->n; i++) {
        const pkiws__bulk_item *it = &o->items[i];
        if (pkiws__result_add_item(r, ids[i], it->code, it->message))
            return PKIWS_E_NOMEM;
        if (it->code && !failed++) {
            first = it->code;
            first_at = i;
        }
    }
    if (!failed)
        return PKIWS_OK;
    return pkiws__fail(first, "%zu of %zu ids not confirmed; first: %s: %s", failed, o->n,
                       ids[first_at], o->items[first_at].message ? o->items[first_at].message : "");
}

typedef struct bulk_op {
    char **ids; /* as sent: serials normalised */
    size_t n;
    int operation, kind, started;
    const char *reason_name; /* static */
    char *comment;
    pkiws__bulk_job job;
} bulk_op;

/* The job's outcome into the result, and its log record; the overall code. */
static int bulk_finish(pkiws_op *op, int rc)
{
    bulk_op *b = op->impl;
    const pkiws__bulk_outcome *o = &b->job.out;
    pkiws_result *r = op->result;
    pkiws__result_set_int(r, PKIWS_RESULT_ATTEMPTS, o->call.attempts);
    pkiws__result_set_int(r, PKIWS_RESULT_REVOCATION_COUNT, o->revocation_count);
    if (o->first_txid[0])
        pkiws__result_set_str(r, PKIWS_RESULT_CLIENT_TXID, o->first_txid);
    if (!rc && o->n == b->n)
        rc = bulk_result(r, b->ids, o);
    if (rc) {
        int retryable = pkiws__err_retryable();
        pkiws__result_fail(r, rc);
        pkiws__result_set_retryable(r, retryable);
    }
    if (op->conf)
        pkiws__log(&op->conf->set.log, rc ? PKIWS_LOG_WARN : PKIWS_LOG_INFO, "core", o->first_txid,
                   "bulkUpdateCertificateStatus: %zu ids in %d chunk(s), %d re-tried singly, %d "
                   "changed: %s",
                   b->n, o->chunks, o->singles, o->revocation_count,
                   rc ? pkiws__err_message() : "ok");
    return rc;
}

/* The answer of the last exchange (when there was one) into the job, then the next exchange,
 * or the end. Every exchange may fail: the job decides (op->soft). */
static int bulk_step(pkiws_op *op)
{
    bulk_op *b = op->impl;
    int rc;
    if (!b->started) {
        b->started = 1;
        pkiws__bulk_params p = {b->operation, b->kind, b->reason_name, b->comment,
                                (size_t)op->conf->set.bulk_chunk};
        if ((rc = pkiws__bulk_begin(&b->job, &p, (const char *const *)b->ids, b->n)))
            return rc;
    } else if ((rc = pkiws__bulk_answer(&b->job, op->soft_rc, op->answer, &op->info))) {
        return rc;
    }
    pkiws__client *c = NULL;
    if ((rc = pkiws__conf_client(op->conf, &c)))
        return rc;
    pkiws__op_new_exchange(op);
    op->soft = 1;
    int more = 0;
    rc = pkiws__bulk_next(&b->job, c, &op->x, &more);
    if (rc || more)
        return pkiws__op_exchange(op, rc);
    pkiws__op_done(op, bulk_finish(op, PKIWS_OK));
    return PKIWS_OK;
}

static void bulk_fail(pkiws_op *op, int rc)
{
    bulk_finish(op, rc);
}

static void bulk_dispose(void *impl)
{
    bulk_op *b = impl;
    pkiws__bulk_job_dispose(&b->job);
    free_ids(b->ids, b->n);
    pkiws__free(b->comment);
    pkiws__free(b);
}

static const pkiws__op_kind bulk_kind = {"bulk status change", bulk_step, NULL, NULL, bulk_fail,
                                         bulk_dispose};

static int bulk_op_new(const char *fn, pkiws_session *ses, int operation, int selector,
                       const char *const *ids, size_t n, int reason, const char *comment,
                       pkiws_op **op)
{
    int rc = pkiws__check_session(ses, fn);
    if (rc)
        return rc;
    const char *reason_name = NULL;
    if ((rc = check_args(fn, operation, selector, 1, reason, &reason_name)))
        return rc;
    if (!ids || !n)
        return pkiws__arg_fail(fn, "no ids");
    bulk_op *b = pkiws__calloc(1, sizeof *b);
    if (!b)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory starting a bulk status change");
    b->n = n;
    if ((rc = bulk_ids(selector, ids, n, &b->ids)) ||
        (comment && !(b->comment = pkiws__strdup(comment)) && (rc = PKIWS_E_NOMEM))) {
        bulk_dispose(b);
        return rc;
    }
    b->operation = operation;
    b->kind = selector == PKIWS_BY_SERIAL ? PKIWS__BULK_SERIAL
              : selector == PKIWS_BY_SEAT ? PKIWS__BULK_SEAT
                                          : PKIWS__BULK_PROFILE;
    b->reason_name = reason_name;
    return pkiws__op_start(&bulk_kind, b, ses, op);
}

PKIWS_API int pkiws_revoke_bulk_start(pkiws_session *ses, int operation, int selector,
                                      const char *const *ids, size_t n, int reason,
                                      const char *comment, pkiws_op **op)
{
    PKIWS__ENTER();
    if (!op)
        return pkiws__arg_fail("pkiws_revoke_bulk_start", "op is NULL");
    *op = NULL;
    return bulk_op_new("pkiws_revoke_bulk_start", ses, operation, selector, ids, n, reason, comment,
                       op);
}

PKIWS_API int pkiws_revoke_bulk(pkiws_session *ses, int operation, int selector,
                                const char *const *ids, size_t n, int reason, const char *comment,
                                pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_revoke_bulk", "out is NULL");
    *out = NULL;
    pkiws_op *op = NULL;
    int rc =
        bulk_op_new("pkiws_revoke_bulk", ses, operation, selector, ids, n, reason, comment, &op);
    return rc ? rc : pkiws__op_run(op, out);
}

/* For the outbox (api/outbox.c), which queues what pkiws_revoke sends. */
const char *pkiws__reason_text(int reason)
{
    return reason_text(reason);
}

int pkiws__normalize_serial(const char *in, pkiws_buf *out)
{
    return normalize_serial(in, out);
}
