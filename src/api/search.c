/* SPDX-License-Identifier: MIT */
/* pkiws_search (a loop over pkiws_search_start): searchCertificate, one page. */
#include "pkiws_internal.h"

#include "api/op_int.h"
#include "core/search.h"

typedef struct search_op {
    char *id, *profile_oid; /* copies */
    int selector, start_index;
    pkiws__search_outcome o;
} search_op;

static int search_begin(pkiws_op *op, pkiws__client *c)
{
    search_op *s = op->impl;
    pkiws__search_params p = {s->selector == PKIWS_BY_SEAT ? s->id : NULL,
                              s->selector == PKIWS_BY_SERIAL ? s->id : NULL, s->profile_oid,
                              s->start_index, NULL};
    return pkiws__search_begin(c, &p, &s->o, &op->x);
}

static int search_end(pkiws_op *op)
{
    search_op *s = op->impl;
    pkiws_result *r = op->result;
    int rc = pkiws__soap_parse_search(op->answer, &s->o.page);
    if (rc)
        return rc;
    const pkiws__soap_search_result *page = &s->o.page;
    pkiws__result_set_int(r, PKIWS_RESULT_SEARCH_TOTAL, page->count);
    pkiws__result_set_int(r, PKIWS_RESULT_SEARCH_MORE, page->more);
    if (page->server_txid)
        pkiws__result_set_str(r, PKIWS_RESULT_SERVER_TXID, page->server_txid);
    for (size_t i = 0; !rc && i < page->nfound; i++) {
        const pkiws__soap_found *f = &page->found[i];
        rc = pkiws__result_add_found(r, f->der, f->der_len, f->serial, f->status, f->seat);
    }
    return rc;
}

static void search_dispose(void *impl)
{
    search_op *s = impl;
    pkiws__search_outcome_dispose(&s->o);
    pkiws__free(s->id);
    pkiws__free(s->profile_oid);
    pkiws__free(s);
}

static const pkiws__op_kind search_kind = {"search",   NULL, search_begin,
                                           search_end, NULL, search_dispose};

static int search_op_new(const char *fn, pkiws_session *ses, int selector, const char *id,
                         const char *profile_oid, int start_index, pkiws_op **op)
{
    int rc = pkiws__check_session(ses, fn);
    if (rc)
        return rc;
    if (selector != 0 && selector != PKIWS_BY_SERIAL && selector != PKIWS_BY_SEAT)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "%s: selector %d is not 0, PKIWS_BY_SERIAL or PKIWS_BY_SEAT", fn,
                           selector);
    if (selector && pkiws__is_blank(id))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: the %s is empty", fn,
                           selector == PKIWS_BY_SEAT ? "seat id" : "serial");
    if (start_index < 0)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: start index %d is negative", fn, start_index);
    search_op *s = pkiws__calloc(1, sizeof *s);
    if (!s || (selector && !(s->id = pkiws__strdup(id))) ||
        (profile_oid && !(s->profile_oid = pkiws__strdup(profile_oid)))) {
        if (s)
            search_dispose(s);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory starting a search");
    }
    s->selector = selector;
    s->start_index = start_index;
    return pkiws__op_start(&search_kind, s, ses, op);
}

PKIWS_API int pkiws_search_start(pkiws_session *ses, int selector, const char *id,
                                 const char *profile_oid, int start_index, pkiws_op **op)
{
    PKIWS__ENTER();
    if (!op)
        return pkiws__arg_fail("pkiws_search_start", "op is NULL");
    *op = NULL;
    return search_op_new("pkiws_search_start", ses, selector, id, profile_oid, start_index, op);
}

PKIWS_API int pkiws_search(pkiws_session *ses, int selector, const char *id,
                           const char *profile_oid, int start_index, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_search", "out is NULL");
    *out = NULL;
    pkiws_op *op = NULL;
    int rc = search_op_new("pkiws_search", ses, selector, id, profile_oid, start_index, &op);
    return rc ? rc : pkiws__op_run(op, out);
}
