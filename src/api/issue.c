/* SPDX-License-Identifier: MIT */
/* pkiws_issue, pkiws_renew and pkiws_poll: the request, the CA, the PFX; the renewal window;
 * the seat's duplicates (PKIWS_PROFILE_OPT_DUPLICATES). */
#include "pkiws_internal.h"

#include <stdio.h>

#include "api/op_int.h"

int pkiws__issue_fill_result(pkiws_result *r, const pkiws_request *req, pkiws__issue_outcome *o)
{
    int rc = pkiws__result_set_int(r, PKIWS_RESULT_ATTEMPTS, o->call.attempts);
    if (!rc && o->client_txid)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_CLIENT_TXID, o->client_txid);
    if (!rc && o->server_txid)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_SERVER_TXID, o->server_txid);
    if (!rc && o->disposition)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_DISPOSITION, o->disposition);
    /* a server-side key issuance held pending has no key yet (the CA makes it): still pending */
    if (rc || (!o->key && !o->pending))
        return rc;
    if (o->key && (o->pending || req->return_key)) {
        pkiws_buf der = PKIWS_BUF_INIT;
        der.secret = 1;
        rc = pkiws__key_pkcs8_der(o->key, &der);
        if (!rc)
            rc = pkiws__result_set_blob(r, PKIWS_RESULT_KEY_PKCS8, der.data, der.len, 1);
        pkiws__buf_dispose(&der);
    }
    if (rc)
        return rc;
    if (o->pending) {
        pkiws__result_set_status(r, PKIWS_STATUS_PENDING);
        return pkiws__result_set_str(r, PKIWS_RESULT_PENDING_REF, o->pending_ref);
    }
    return pkiws__issue_fill_issued(r, o);
}

int pkiws__issue_fill_issued(pkiws_result *r, const pkiws__issue_outcome *o)
{
    int rc = o->leaf ? pkiws__result_set_cert(r, o->leaf) : PKIWS_OK;
    for (size_t i = 0; !rc && i < o->chain.n; i++) {
        size_t n;
        const uint8_t *der = pkiws__cert_der(o->chain.v[i], &n);
        rc = pkiws__result_add_chain(r, der, n);
    }
    if (!rc)
        rc = pkiws__result_set_int(r, PKIWS_RESULT_CHAIN_LENGTH, (int64_t)o->chain.n);
    if (!rc && o->pfx.data)
        rc = pkiws__result_set_blob(r, PKIWS_RESULT_PFX, o->pfx.data, o->pfx.len, 0);
    if (!rc && o->pfx_password)
        rc = pkiws__result_set_secret_str(r, PKIWS_RESULT_PFX_PASSWORD, o->pfx_password);
    return rc;
}

void pkiws__issue_log(const pkiws__logger *lg, const char *what, const pkiws__issue_outcome *o,
                      int rc)
{
    const char *txid = o->client_txid ? o->client_txid : "";
    if (rc)
        pkiws__log(lg, PKIWS_LOG_WARN, "core", txid, "%s failed after %d attempt(s): %s", what,
                   o->call.attempts, pkiws__err_message());
    else if (o->pending)
        pkiws__log(lg, PKIWS_LOG_INFO, "core", txid, "%s pending (reference %s)", what,
                   o->pending_ref);
    else
        pkiws__log(lg, PKIWS_LOG_INFO, "core", txid, "%s: issued serial %s in %.1f ms", what,
                   o->leaf ? pkiws__cert_get_info(o->leaf)->serial : "?", o->call.seconds * 1000);
}

/* Issue (old NULL) or renew old (taken): what pkiws_issue and pkiws_renew share once their
 * arguments are checked, a loop over the op of pkiws_issue_start. Sets *out but on NOMEM. */
static int issue(pkiws_request *r, pkiws__cert *old, pkiws_result **out)
{
    pkiws_op *op = NULL;
    int rc = pkiws__op_issue_new(r, old, 0, &op);
    return rc ? rc : pkiws__op_run(op, out);
}

PKIWS_API int pkiws_issue(pkiws_request *r, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_issue", "out is NULL");
    *out = NULL;
    int rc = pkiws__check_request(r, "pkiws_issue");
    return rc ? rc : issue(r, NULL, out);
}

PKIWS_API int pkiws_renew(pkiws_request *r, const void *old_cert, size_t len, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_renew", "out is NULL");
    *out = NULL;
    if (!old_cert || !len)
        return pkiws__arg_fail("pkiws_renew", "old_cert is NULL or empty");
    int rc = pkiws__check_request(r, "pkiws_renew");
    if (rc)
        return rc;
    pkiws__cert *old = NULL;
    if ((rc = pkiws__cert_parse(old_cert, len, &old)))
        return pkiws__fail_context(rc, "pkiws_renew: the certificate to renew");
    return issue(r, old, out);
}

PKIWS_API int pkiws_issue_start(pkiws_request *r, pkiws_op **op)
{
    PKIWS__ENTER();
    if (!op)
        return pkiws__arg_fail("pkiws_issue_start", "op is NULL");
    *op = NULL;
    int rc = pkiws__check_request(r, "pkiws_issue_start");
    return rc ? rc : pkiws__op_issue_new(r, NULL, 0, op);
}

PKIWS_API int pkiws_renew_start(pkiws_request *r, const void *old_cert, size_t len, pkiws_op **op)
{
    PKIWS__ENTER();
    if (!op)
        return pkiws__arg_fail("pkiws_renew_start", "op is NULL");
    *op = NULL;
    if (!old_cert || !len)
        return pkiws__arg_fail("pkiws_renew_start", "old_cert is NULL or empty");
    int rc = pkiws__check_request(r, "pkiws_renew_start");
    pkiws__cert *old = NULL;
    if (!rc && (rc = pkiws__cert_parse(old_cert, len, &old)))
        return pkiws__fail_context(rc, "pkiws_renew_start: the certificate to renew");
    return rc ? rc : pkiws__op_issue_new(r, old, 0, op);
}

PKIWS_API int pkiws_cert_renewal_due(const void *cert, size_t len, int64_t now, int renewal_days,
                                     int *due)
{
    PKIWS__ENTER();
    if (!due)
        return pkiws__arg_fail("pkiws_cert_renewal_due", "due is NULL");
    *due = 0;
    if (!cert || !len)
        return pkiws__arg_fail("pkiws_cert_renewal_due", "cert is NULL or empty");
    if (renewal_days < 0)
        return pkiws__arg_fail("pkiws_cert_renewal_due", "renewal_days is negative");
    pkiws__cert *c = NULL;
    int rc = pkiws__cert_parse(cert, len, &c);
    if (rc)
        return pkiws__fail_context(rc, "pkiws_cert_renewal_due");
    *due = pkiws__renewal_due(c, now, (unsigned)renewal_days);
    pkiws__cert_free(c);
    return PKIWS_OK;
}

PKIWS_API int pkiws_request_set_key(pkiws_request *r, const void *key, size_t len,
                                    const char *password)
{
    PKIWS__ENTER();
    int rc = pkiws__check_request(r, "pkiws_request_set_key");
    if (rc)
        return rc;
    uint8_t *copy = NULL;
    size_t copy_len = 0;
    int type = 0;
    if (key) {
        /* kept decrypted, as PKCS#8 DER, in wiped memory */
        pkiws__key *k = NULL;
        if ((rc = pkiws__key_parse(key, len, password, &k)))
            return pkiws__fail_context(rc, "pkiws_request_set_key");
        pkiws_buf der = PKIWS_BUF_INIT;
        der.secret = 1;
        rc = pkiws__key_pkcs8_der(k, &der);
        type = pkiws__key_type(k);
        pkiws__key_free(k);
        if (rc) {
            pkiws__buf_dispose(&der);
            return rc;
        }
        copy = pkiws__buf_detach(&der, &copy_len);
        if (!copy)
            return PKIWS_E_NOMEM;
    }
    pkiws__free_secret(r->key_der, r->key_len + 1);
    r->key_der = copy;
    r->key_len = copy_len;
    r->key_der_type = type;
    return PKIWS_OK;
}

/* The checks of pkiws_poll and pkiws_poll_start, and the op. */
static int poll_op_new(const char *fn, pkiws_request *r, pkiws_op **op)
{
    int rc = pkiws__check_request(r, fn);
    if (rc)
        return rc;
    if (!r->pending_ref)
        return pkiws__fail(PKIWS_E_STATE,
                           "%s: the request needs the pending reference "
                           "(PKIWS_REQUEST_OPT_PENDING_REF)",
                           fn);
    return pkiws__op_issue_new(r, NULL, 1, op);
}

PKIWS_API int pkiws_poll_start(pkiws_request *r, pkiws_op **op)
{
    PKIWS__ENTER();
    if (!op)
        return pkiws__arg_fail("pkiws_poll_start", "op is NULL");
    *op = NULL;
    return poll_op_new("pkiws_poll_start", r, op);
}

PKIWS_API int pkiws_poll(pkiws_request *r, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_poll", "out is NULL");
    *out = NULL;
    pkiws_op *op = NULL;
    int rc = poll_op_new("pkiws_poll", r, &op);
    return rc ? rc : pkiws__op_run(op, out);
}
