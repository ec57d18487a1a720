/* SPDX-License-Identifier: MIT */
/* pkiws_recover (a loop over pkiws_recover_start): an escrowed key back (keyRecovery),
 * re-packaged as the caller's PFX. */
#include "pkiws_internal.h"

#include "api/op_int.h"
#include "core/recover.h"

/* The answer into the result (attempts and clientTransactionID are op.c's). */
static int fill(pkiws_result *r, const pkiws__issue_outcome *o, int approvals)
{
    int rc = o->server_txid ? pkiws__result_set_str(r, PKIWS_RESULT_SERVER_TXID, o->server_txid)
                            : PKIWS_OK;
    if (!rc)
        rc = pkiws__result_set_int(r, PKIWS_RESULT_APPROVALS_PENDING, approvals);
    if (rc || o->pending) {
        if (!rc)
            pkiws__result_set_status(r, PKIWS_STATUS_PENDING);
        return rc;
    }
    return pkiws__issue_fill_issued(r, o);
}

typedef struct recover_op {
    char *serial, *issuer, *admin_id, *pfx_password; /* copies; serial normalised */
    pkiws__recover_params p;
    char *transport_pw; /* secret */
    pkiws__issue_outcome o;
    int approvals;
} recover_op;

static int recover_begin(pkiws_op *op, pkiws__client *c)
{
    recover_op *s = op->impl;
    return pkiws__recover_begin(c, &s->p, &s->transport_pw, &s->o, &op->x);
}

static void recover_log(pkiws_op *op, int rc)
{
    recover_op *s = op->impl;
    if (op->conf)
        pkiws__log(&op->conf->set.log, rc ? PKIWS_LOG_WARN : PKIWS_LOG_INFO, "core", op->x.txid,
                   "keyRecovery of serial %s: %s", s->serial,
                   rc             ? pkiws__err_message()
                   : s->o.pending ? "pending administrator approval"
                                  : "key recovered");
}

static int recover_end(pkiws_op *op)
{
    recover_op *s = op->impl;
    s->o.call = op->info;
    int rc = pkiws__recover_end(&s->p, op->answer, &s->transport_pw, &s->o, &s->approvals);
    if (!rc)
        rc = fill(op->result, &s->o, s->approvals);
    if (!rc)
        recover_log(op, rc);
    return rc;
}

static void recover_fail(pkiws_op *op, int rc)
{
    recover_log(op, rc);
    pkiws__op_fail_call(op, rc);
}

static void recover_dispose(void *impl)
{
    recover_op *s = impl;
    pkiws__issue_outcome_dispose(&s->o);
    pkiws__free_secret(s->transport_pw, 0);
    pkiws__free_secret(s->pfx_password, 0);
    pkiws__free(s->serial);
    pkiws__free(s->issuer);
    pkiws__free(s->admin_id);
    pkiws__free(s);
}

static const pkiws__op_kind recover_kind = {"key recovery", NULL,         recover_begin,
                                            recover_end,    recover_fail, recover_dispose};

static int recover_op_new(const char *fn, pkiws_session *ses, const char *serial,
                          const char *issuer, const char *admin_id, const char *pfx_password,
                          int preset, pkiws_op **op)
{
    int rc = pkiws__check_session(ses, fn);
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
    recover_op *s = pkiws__calloc(1, sizeof *s);
    if (s)
        s->serial = (char *)pkiws__buf_detach(&hex, NULL);
    pkiws__buf_dispose(&hex);
    if (!s || !s->serial || !(s->issuer = pkiws__strdup(issuer)) ||
        !(s->admin_id = pkiws__strdup(admin_id)) ||
        (pfx_password && !(s->pfx_password = pkiws__strdup(pfx_password)))) {
        if (s)
            recover_dispose(s);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory starting a key recovery");
    }
    pkiws__recover_params p = {s->serial, s->issuer, s->admin_id,
                               preset ? preset : PKIWS_PFX_LEGACY, s->pfx_password};
    s->p = p;
    return pkiws__op_start(&recover_kind, s, ses, op);
}

PKIWS_API int pkiws_recover_start(pkiws_session *ses, const char *serial, const char *issuer,
                                  const char *admin_id, const char *pfx_password, int preset,
                                  pkiws_op **op)
{
    PKIWS__ENTER();
    if (!op)
        return pkiws__arg_fail("pkiws_recover_start", "op is NULL");
    *op = NULL;
    return recover_op_new("pkiws_recover_start", ses, serial, issuer, admin_id, pfx_password,
                          preset, op);
}

PKIWS_API int pkiws_recover(pkiws_session *ses, const char *serial, const char *issuer,
                            const char *admin_id, const char *pfx_password, int preset,
                            pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_recover", "out is NULL");
    *out = NULL;
    pkiws_op *op = NULL;
    int rc =
        recover_op_new("pkiws_recover", ses, serial, issuer, admin_id, pfx_password, preset, &op);
    return rc ? rc : pkiws__op_run(op, out);
}
