/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <stdio.h>

#include "core/search.h"
#include "crypto/crypto.h"

int pkiws__search(pkiws__client *c, const pkiws__search_params *p, pkiws__search_outcome *out)
{
    memset(out, 0, sizeof *out);
    int rc = pkiws__client_random_txid("srch", out->client_txid);
    if (rc)
        return rc;
    pkiws__soap_search s = {out->client_txid, p->seat, p->profile_oid, NULL,
                            p->status,        NULL,    p->serial,      p->start_index};
    pkiws_buf body = PKIWS_BUF_INIT;
    pkiws_xml_doc *doc = NULL;
    rc = pkiws__soap_search_certificate(&s, &body);
    /* a search changes nothing: safe to retry */
    if (!rc)
        rc = pkiws__client_call(c, PKIWS__SVC_MGMT, PKIWS__ACTION_SEARCH, &body, out->client_txid,
                                1, &doc, &out->call);
    if (!rc)
        rc = pkiws__soap_parse_search(doc, &out->page);
    pkiws__xml_free(doc);
    pkiws__buf_dispose(&body);
    return rc;
}

void pkiws__search_outcome_dispose(pkiws__search_outcome *o)
{
    pkiws__soap_search_result_dispose(&o->page);
}
