/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <stdio.h>

#include "core/search.h"
#include "crypto/crypto.h"

int pkiws__search_begin(pkiws__client *c, const pkiws__search_params *p, pkiws__search_outcome *out,
                        pkiws__exchange *x)
{
    memset(out, 0, sizeof *out);
    memset(x, 0, sizeof *x);
    int rc = pkiws__client_random_txid("srch", out->client_txid);
    if (rc)
        return rc;
    pkiws__soap_search s = {out->client_txid, p->seat, p->profile_oid, NULL,
                            p->status,        NULL,    p->serial,      p->start_index};
    pkiws_buf body = PKIWS_BUF_INIT;
    rc = pkiws__soap_search_certificate(&s, &body);
    if (rc) {
        pkiws__buf_dispose(&body);
        return rc;
    }
    /* a search changes nothing: safe to retry */
    return pkiws__exchange_prepare(c, x, PKIWS__SVC_MGMT, PKIWS__ACTION_SEARCH, &body,
                                   out->client_txid, 1);
}

int pkiws__search(pkiws__client *c, const pkiws__search_params *p, pkiws__search_outcome *out)
{
    pkiws__exchange x;
    pkiws_xml_doc *doc = NULL;
    int rc = pkiws__search_begin(c, p, out, &x);
    if (!rc)
        rc = pkiws__exchange_run(&x, &doc);
    out->call = x.info;
    if (!rc)
        rc = pkiws__soap_parse_search(doc, &out->page);
    pkiws__xml_free(doc);
    pkiws__exchange_dispose(&x);
    return rc;
}

void pkiws__search_outcome_dispose(pkiws__search_outcome *o)
{
    pkiws__soap_search_result_dispose(&o->page);
}
