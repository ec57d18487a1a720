/* SPDX-License-Identifier: MIT */
/* pkiws_revoke: updateCertificateStatus by serial or seat; pkiws_revoke_bulk: many ids in
 * chunks of bulkUpdateCertificateStatus. */
#include "pkiws_internal.h"

#include <ctype.h>

#include "api/api_int.h"
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

PKIWS_API int pkiws_revoke(pkiws_session *s, int operation, int selector, const char *id,
                           int reason, const char *comment, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_revoke", "out is NULL");
    *out = NULL;
    int hrc = pkiws__check_session(s, "pkiws_revoke");
    if (hrc)
        return hrc;
    const char *reason_name = NULL;
    if ((hrc = check_args("pkiws_revoke", operation, selector, 0, reason, &reason_name)))
        return hrc;
    if (pkiws__is_blank(id))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_revoke: the %s is empty",
                           selector == PKIWS_BY_SEAT ? "seat id" : "serial");
    pkiws_buf serial = PKIWS_BUF_INIT;
    int rc = PKIWS_OK;
    if (selector == PKIWS_BY_SERIAL && (rc = normalize_serial(id, &serial))) {
        pkiws__buf_dispose(&serial);
        return rc;
    }
    pkiws_result *r = pkiws__result_new();
    if (!r) {
        pkiws__buf_dispose(&serial);
        return PKIWS_E_NOMEM;
    }
    pkiws__revoke_outcome o;
    memset(&o, 0, sizeof o);
    pkiws__client *c = NULL;
    pkiws__conf *conf = NULL;
    rc = pkiws__session_acquire(s, &conf);
    if (!rc)
        rc = pkiws__conf_client(conf, &c);
    if (!rc)
        rc = pkiws__update_status(c, operation, selector == PKIWS_BY_SEAT,
                                  selector == PKIWS_BY_SEAT ? id : pkiws__buf_cstr(&serial),
                                  reason_name, comment, &o);
    pkiws__result_set_int(r, PKIWS_RESULT_ATTEMPTS, o.call.attempts);
    if (o.client_txid)
        pkiws__result_set_str(r, PKIWS_RESULT_CLIENT_TXID, o.client_txid);
    if (o.server_txid)
        pkiws__result_set_str(r, PKIWS_RESULT_SERVER_TXID, o.server_txid);
    if (o.message)
        pkiws__result_set_str(r, PKIWS_RESULT_DISPOSITION, o.message);
    if (o.call.attempts && (rc == PKIWS_OK || rc == PKIWS_E_REJECTED)) {
        pkiws__result_set_int(r, PKIWS_RESULT_SUCCESS_CODE, o.success_code);
        pkiws__result_set_int(r, PKIWS_RESULT_REVOCATION_COUNT, o.revocation_count);
    }
    if (selector == PKIWS_BY_SERIAL)
        pkiws__result_set_str(r, PKIWS_RESULT_SERIAL, pkiws__buf_cstr(&serial));
    if (rc) {
        int retryable = o.call.retryable;
        pkiws__result_fail(r, rc);
        pkiws__result_set_retryable(r, retryable);
    }
    if (conf)
        pkiws__log(&conf->set.log, rc ? PKIWS_LOG_WARN : PKIWS_LOG_INFO, "core",
                   o.client_txid ? o.client_txid : "", "updateCertificateStatus: %s (%d changed)",
                   rc ? pkiws__err_message() : "ok", o.revocation_count);
    pkiws__conf_release(conf);
    pkiws__revoke_outcome_dispose(&o);
    pkiws__buf_dispose(&serial);
    *out = r;
    return rc;
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

PKIWS_API int pkiws_revoke_bulk(pkiws_session *s, int operation, int selector,
                                const char *const *ids, size_t n, int reason, const char *comment,
                                pkiws_result **out)
{
    PKIWS__ENTER();
    const char *fn = "pkiws_revoke_bulk";
    if (!out)
        return pkiws__arg_fail(fn, "out is NULL");
    *out = NULL;
    int rc = pkiws__check_session(s, fn);
    if (rc)
        return rc;
    const char *reason_name = NULL;
    if ((rc = check_args(fn, operation, selector, 1, reason, &reason_name)))
        return rc;
    if (!ids || !n)
        return pkiws__arg_fail(fn, "no ids");
    char **norm = NULL;
    if ((rc = bulk_ids(selector, ids, n, &norm))) {
        free_ids(norm, n);
        return rc;
    }
    pkiws_result *r = pkiws__result_new();
    if (!r) {
        free_ids(norm, n);
        return PKIWS_E_NOMEM;
    }
    pkiws__bulk_outcome o;
    memset(&o, 0, sizeof o);
    pkiws__client *c = NULL;
    pkiws__conf *conf = NULL;
    rc = pkiws__session_acquire(s, &conf);
    if (!rc)
        rc = pkiws__conf_client(conf, &c);
    if (!rc) {
        int kind = selector == PKIWS_BY_SERIAL ? PKIWS__BULK_SERIAL
                   : selector == PKIWS_BY_SEAT ? PKIWS__BULK_SEAT
                                               : PKIWS__BULK_PROFILE;
        pkiws__bulk_params p = {operation, kind, reason_name, comment,
                                (size_t)conf->set.bulk_chunk};
        rc = pkiws__bulk_update_status(c, &p, (const char *const *)norm, n, &o);
    }
    pkiws__result_set_int(r, PKIWS_RESULT_ATTEMPTS, o.call.attempts);
    pkiws__result_set_int(r, PKIWS_RESULT_REVOCATION_COUNT, o.revocation_count);
    if (o.first_txid[0])
        pkiws__result_set_str(r, PKIWS_RESULT_CLIENT_TXID, o.first_txid);
    if (!rc)
        rc = bulk_result(r, norm, &o);
    if (rc) {
        int retryable = pkiws__err_retryable();
        pkiws__result_fail(r, rc);
        pkiws__result_set_retryable(r, retryable);
    }
    if (conf)
        pkiws__log(&conf->set.log, rc ? PKIWS_LOG_WARN : PKIWS_LOG_INFO, "core", o.first_txid,
                   "bulkUpdateCertificateStatus: %zu ids in %d chunk(s), %d re-tried singly, %d "
                   "changed: %s",
                   n, o.chunks, o.singles, o.revocation_count, rc ? pkiws__err_message() : "ok");
    pkiws__conf_release(conf);
    pkiws__bulk_outcome_dispose(&o);
    free_ids(norm, n);
    *out = r;
    return rc;
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
