/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include "core/recover.h"
#include "proto/soap.h"

int pkiws__recover_begin(pkiws__client *c, const pkiws__recover_params *p, char **transport_pw,
                         pkiws__issue_outcome *out, pkiws__exchange *x)
{
    memset(out, 0, sizeof *out);
    memset(x, 0, sizeof *x);
    *transport_pw = NULL;
    char txid[41];
    int rc = pkiws__client_random_txid("kr", txid);
    if (!rc)
        rc = pkiws__pfx_password_generate(transport_pw);
    if (rc)
        return rc;
    if (!(out->client_txid = pkiws__strdup(txid)))
        return PKIWS_E_NOMEM;
    pkiws__soap_key_recovery k = {txid, *transport_pw, p->serial, p->issuer, p->admin_id};
    pkiws_buf body = PKIWS_BUF_INIT;
    body.secret = 1; /* holds the transport password */
    rc = pkiws__soap_request_key_recovery(&k, &body);
    if (rc) {
        pkiws__buf_dispose(&body);
        return rc;
    }
    /* Asking again after a lost answer only repeats the same admin's request: safe to retry. */
    return pkiws__exchange_prepare(c, x, PKIWS__SVC_MGMT, PKIWS__ACTION_KEY_RECOVERY, &body, txid,
                                   1);
}

int pkiws__recover_end(const pkiws__recover_params *p, pkiws_xml_doc *doc, char **transport_pw,
                       pkiws__issue_outcome *out, int *approvals_pending)
{
    *approvals_pending = 0;
    pkiws__soap_recovery r;
    memset(&r, 0, sizeof r);
    int rc = pkiws__soap_parse_key_recovery(doc, &r);
    if (rc) {
        rc = pkiws__fail_context(rc, "keyRecovery of serial %s", p->serial);
        goto out;
    }
    out->server_txid = r.server_txid;
    r.server_txid = NULL;
    if (!r.pfx) {
        out->pending = 1;
        *approvals_pending = r.pending_count;
        goto out;
    }
    /* The CA's own password wins when it names one; else the one we sent. */
    char *pw = r.pfx_password ? r.pfx_password : *transport_pw;
    if (pw == r.pfx_password)
        r.pfx_password = NULL;
    else
        *transport_pw = NULL;
    rc = pkiws__take_ca_pfx(&r.pfx, &r.pfx_len, &pw, NULL, out);
    if (rc)
        rc = pkiws__fail_context(rc, "keyRecovery of serial %s", p->serial);
    else
        rc = pkiws__outcome_pfx(p->preset, p->pfx_password, NULL, out);
out:
    pkiws__soap_recovery_dispose(&r);
    return rc;
}
