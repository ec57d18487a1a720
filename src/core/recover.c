/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include "core/recover.h"
#include "proto/soap.h"

int pkiws__recover(pkiws__client *c, const pkiws__recover_params *p, pkiws__issue_outcome *out,
                   int *approvals_pending)
{
    memset(out, 0, sizeof *out);
    *approvals_pending = 0;
    char txid[41];
    char *transport_pw = NULL; /* protects the CA's PKCS#12 on the wire; never the caller's */
    int rc = pkiws__client_random_txid("kr", txid);
    if (!rc)
        rc = pkiws__pfx_password_generate(&transport_pw);
    if (rc)
        return rc;
    if (!(out->client_txid = pkiws__strdup(txid))) {
        pkiws__free_secret(transport_pw, 0);
        return PKIWS_E_NOMEM;
    }
    pkiws__soap_key_recovery k = {txid, transport_pw, p->serial, p->issuer, p->admin_id};
    pkiws_buf body = PKIWS_BUF_INIT;
    pkiws_xml_doc *doc = NULL;
    pkiws__soap_recovery r;
    memset(&r, 0, sizeof r);
    rc = pkiws__soap_request_key_recovery(&k, &body);
    /* Asking again after a lost answer only repeats the same admin's request: safe to retry. */
    if (!rc)
        rc = pkiws__client_call(c, PKIWS__SVC_MGMT, PKIWS__ACTION_KEY_RECOVERY, &body, txid, 1,
                                &doc, &out->call);
    pkiws__buf_dispose(&body); /* secret: wiped */
    if (!rc)
        rc = pkiws__soap_parse_key_recovery(doc, &r);
    pkiws__xml_free(doc);
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
    char *pw = r.pfx_password ? r.pfx_password : transport_pw;
    if (pw == r.pfx_password)
        r.pfx_password = NULL;
    else
        transport_pw = NULL;
    rc = pkiws__take_ca_pfx(&r.pfx, &r.pfx_len, &pw, NULL, out);
    if (rc)
        rc = pkiws__fail_context(rc, "keyRecovery of serial %s", p->serial);
    else
        rc = pkiws__outcome_pfx(p->preset, p->pfx_password, NULL, out);
out:
    pkiws__soap_recovery_dispose(&r);
    pkiws__free_secret(transport_pw, 0);
    return rc;
}
