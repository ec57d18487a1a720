/* SPDX-License-Identifier: MIT */
/* pkiws_search: searchCertificate, one page. */
#include "pkiws_internal.h"

#include "api/api_int.h"
#include "core/search.h"

PKIWS_API int pkiws_search(pkiws_session *s, int selector, const char *id, const char *profile_oid,
                           int start_index, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_search", "out is NULL");
    *out = NULL;
    int hrc = pkiws__check_session(s, "pkiws_search");
    if (hrc)
        return hrc;
    if (selector != 0 && selector != PKIWS_BY_SERIAL && selector != PKIWS_BY_SEAT)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "pkiws_search: selector %d is not 0, PKIWS_BY_SERIAL or PKIWS_BY_SEAT",
                           selector);
    if (selector && pkiws__is_blank(id))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_search: the %s is empty",
                           selector == PKIWS_BY_SEAT ? "seat id" : "serial");
    if (start_index < 0)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_search: start index %d is negative",
                           start_index);
    pkiws_result *r = pkiws__result_new();
    if (!r)
        return PKIWS_E_NOMEM;
    pkiws__search_params p = {selector == PKIWS_BY_SEAT ? id : NULL,
                              selector == PKIWS_BY_SERIAL ? id : NULL, profile_oid, start_index,
                              NULL};
    pkiws__search_outcome o;
    memset(&o, 0, sizeof o);
    pkiws__client *c = NULL;
    pkiws__conf *conf = NULL;
    int rc = pkiws__session_acquire(s, &conf);
    if (!rc)
        rc = pkiws__conf_client(conf, &c);
    if (!rc)
        rc = pkiws__search(c, &p, &o);
    pkiws__result_set_int(r, PKIWS_RESULT_ATTEMPTS, o.call.attempts);
    if (o.client_txid[0])
        pkiws__result_set_str(r, PKIWS_RESULT_CLIENT_TXID, o.client_txid);
    if (!rc) {
        pkiws__result_set_int(r, PKIWS_RESULT_SEARCH_TOTAL, o.page.count);
        pkiws__result_set_int(r, PKIWS_RESULT_SEARCH_MORE, o.page.more);
        if (o.page.server_txid)
            pkiws__result_set_str(r, PKIWS_RESULT_SERVER_TXID, o.page.server_txid);
        for (size_t i = 0; !rc && i < o.page.nfound; i++) {
            const pkiws__soap_found *f = &o.page.found[i];
            rc = pkiws__result_add_found(r, f->der, f->der_len, f->serial, f->status, f->seat);
        }
    }
    if (rc) {
        int retryable = o.call.retryable;
        pkiws__result_fail(r, rc);
        pkiws__result_set_retryable(r, retryable);
    }
    pkiws__search_outcome_dispose(&o);
    pkiws__conf_release(conf);
    *out = r;
    return rc;
}
