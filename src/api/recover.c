/* SPDX-License-Identifier: MIT */
/* pkiws_recover: an escrowed key back (keyRecovery), re-packaged as the caller's PFX. */
#include "pkiws_internal.h"

#include "api/api_int.h"
#include "api/op_int.h"
#include "core/recover.h"

static int fill(pkiws_result *r, const pkiws__issue_outcome *o, int approvals)
{
    int rc = pkiws__result_set_int(r, PKIWS_RESULT_ATTEMPTS, o->call.attempts);
    if (!rc && o->client_txid)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_CLIENT_TXID, o->client_txid);
    if (!rc && o->server_txid)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_SERVER_TXID, o->server_txid);
    if (!rc)
        rc = pkiws__result_set_int(r, PKIWS_RESULT_APPROVALS_PENDING, approvals);
    if (rc || o->pending) {
        if (!rc)
            pkiws__result_set_status(r, PKIWS_STATUS_PENDING);
        return rc;
    }
    if (!o->leaf) /* the recovery failed: nothing more to report (and the error stays) */
        return PKIWS_OK;
    return pkiws__issue_fill_issued(r, o);
}

PKIWS_API int pkiws_recover(pkiws_session *s, const char *serial, const char *issuer,
                            const char *admin_id, const char *pfx_password, int preset,
                            pkiws_result **out)
{
    PKIWS__ENTER();
    const char *fn = "pkiws_recover";
    if (!out)
        return pkiws__arg_fail(fn, "out is NULL");
    *out = NULL;
    int rc = pkiws__check_session(s, fn);
    if (rc)
        return rc;
    if (pkiws__is_blank(serial) || pkiws__is_blank(issuer) || pkiws__is_blank(admin_id))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: the %s is empty", fn,
                           pkiws__is_blank(serial)   ? "serial"
                           : pkiws__is_blank(issuer) ? "issuer DN"
                                                     : "admin id");
    if (preset != 0 && preset != PKIWS_PFX_LEGACY && preset != PKIWS_PFX_MODERN)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: preset %d is not a PKIWS_PFX_*", fn, preset);
    pkiws_buf hex = PKIWS_BUF_INIT;
    if ((rc = pkiws__normalize_serial(serial, &hex))) {
        pkiws__buf_dispose(&hex);
        return pkiws__fail_context(rc, "%s", fn);
    }
    pkiws_result *r = pkiws__result_new();
    if (!r) {
        pkiws__buf_dispose(&hex);
        return PKIWS_E_NOMEM;
    }
    pkiws__issue_outcome o;
    memset(&o, 0, sizeof o);
    int approvals = 0;
    pkiws__client *c = NULL;
    pkiws__conf *conf = NULL;
    rc = pkiws__session_acquire(s, &conf);
    if (!rc)
        rc = pkiws__conf_client(conf, &c);
    if (!rc) {
        pkiws__recover_params p = {pkiws__buf_cstr(&hex), issuer, admin_id,
                                   preset ? preset : PKIWS_PFX_LEGACY, pfx_password};
        rc = pkiws__recover(c, &p, &o, &approvals);
    }
    int rc2 = fill(r, &o, approvals);
    if (!rc)
        rc = rc2;
    if (rc) {
        int retryable = o.call.retryable;
        pkiws__result_fail(r, rc);
        pkiws__result_set_retryable(r, retryable);
    }
    if (conf)
        pkiws__log(&conf->set.log, rc ? PKIWS_LOG_WARN : PKIWS_LOG_INFO, "core",
                   o.client_txid ? o.client_txid : "", "keyRecovery of serial %s: %s",
                   pkiws__buf_cstr(&hex),
                   rc          ? pkiws__err_message()
                   : o.pending ? "pending administrator approval"
                               : "key recovered");
    pkiws__conf_release(conf);
    pkiws__issue_outcome_dispose(&o);
    pkiws__buf_dispose(&hex);
    *out = r;
    return rc;
}
