/* SPDX-License-Identifier: MIT */
/* Bulk revocation: chunks of bulkUpdateCertificateStatus, and an honest outcome per id. */
#include "pkiws_internal.h"

#include <stdio.h>

#include "core/bulk.h"
#include "core/search.h"
#include "crypto/crypto.h"

/* "pkiws-<kind>-" and hex of SHA-256 over the request's parameters and ids: 40 characters. */
static void derive_txid(const char *kind, const pkiws__bulk_params *p, const char *const *ids,
                        size_t n, char out[41])
{
    pkiws_buf in = PKIWS_BUF_INIT;
    pkiws__buf_printf(&in, "%d\n%d\n%s\n%s\n", p->operation, p->kind, p->reason ? p->reason : "",
                      p->comment ? p->comment : "");
    for (size_t i = 0; i < n; i++) {
        pkiws__buf_puts(&in, ids[i]);
        pkiws__buf_putc(&in, '\n');
    }
    uint8_t h[32];
    /* on a failed allocation the digest of what was written still names the request */
    pkiws__sha256(in.data, in.len, h);
    pkiws__buf_dispose(&in);
    int len = snprintf(out, 41, "pkiws-%s-", kind);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; len < 40; i++) {
        out[len++] = hex[h[i / 2] >> (i % 2 ? 0 : 4) & 15];
    }
    out[40] = 0;
}

static void call_add(pkiws__call_info *sum, const pkiws__call_info *one)
{
    int attempts = sum->attempts + one->attempts;
    *sum = *one;
    sum->attempts = attempts;
}

/* The status request of ids[0..n) (bulk when bulk, else updateCertificateStatus of ids[0])
 * prepared in *x. */
static int status_begin(pkiws__client *c, const pkiws__bulk_params *p, int bulk,
                        const char *const *ids, size_t n, const char *txid, pkiws__exchange *x)
{
    pkiws_buf body = PKIWS_BUF_INIT;
    int rc;
    if (bulk) {
        pkiws__soap_bulk_status b = {txid, p->operation, p->reason, p->comment, p->kind, ids, n};
        rc = pkiws__soap_bulk_update_certificate_status(&b, &body);
    } else {
        int seat = p->kind == PKIWS__BULK_SEAT;
        pkiws__soap_update_status u = {txid, p->operation,         p->reason,           p->comment,
                                       NULL, seat ? NULL : ids[0], seat ? ids[0] : NULL};
        rc = pkiws__soap_update_certificate_status(&u, &body);
    }
    if (rc) {
        pkiws__buf_dispose(&body);
        return rc;
    }
    /* A status change repeated after a lost answer changes nothing more: safe to retry. */
    return pkiws__exchange_prepare(
        c, x, PKIWS__SVC_MGMT,
        bulk ? PKIWS__ACTION_BULK_UPDATE_STATUS : PKIWS__ACTION_UPDATE_STATUS, &body, txid, 1);
}

static const char *target_status(int operation)
{
    return operation == PKIWS__OP_REVOKE    ? "REVOKED"
           : operation == PKIWS__OP_SUSPEND ? "SUSPENDED"
                                            : "VALID";
}

#define SEARCH_MAX_PAGES 200 /* a profile's certificates, page by page, at the most */

static int set_item(pkiws__bulk_item *it, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int set_item(pkiws__bulk_item *it, int code, const char *fmt, ...)
{
    pkiws_buf m = PKIWS_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    pkiws__buf_vprintf(&m, fmt, ap);
    va_end(ap);
    int rc = pkiws__buf_status(&m);
    pkiws__free(it->message);
    it->message = rc ? NULL : (char *)pkiws__buf_detach(&m, NULL);
    it->code = code;
    pkiws__buf_dispose(&m);
    return rc;
}

int pkiws__bulk_begin(pkiws__bulk_job *j, const pkiws__bulk_params *p, const char *const *ids,
                      size_t n)
{
    memset(j, 0, sizeof *j);
    if (p->chunk < 1 || p->chunk > PKIWS__BULK_MAX)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "bulk chunk size %zu is not 1..%d", p->chunk,
                           PKIWS__BULK_MAX);
    j->p = *p;
    j->ids = ids;
    j->phase = n ? PKIWS__BULK_CHUNK : PKIWS__BULK_END;
    j->k = n < p->chunk ? n : p->chunk;
    if (!n)
        return PKIWS_OK;
    j->out.items = pkiws__calloc(n, sizeof *j->out.items);
    if (!j->out.items)
        return PKIWS_E_NOMEM;
    j->out.n = n;
    return PKIWS_OK;
}

/* The next chunk, or the end. */
static void next_chunk(pkiws__bulk_job *j)
{
    j->at += j->k;
    size_t left = j->out.n - j->at;
    j->k = left < j->p.chunk ? left : j->p.chunk;
    j->i = 0;
    j->phase = left ? PKIWS__BULK_CHUNK : PKIWS__BULK_END;
}

/* The next id of the chunk on its own, or the next chunk. */
static void next_single(pkiws__bulk_job *j)
{
    if (++j->i < j->k)
        j->phase = PKIWS__BULK_SINGLE;
    else
        next_chunk(j);
}

int pkiws__bulk_next(pkiws__bulk_job *j, pkiws__client *c, pkiws__exchange *x, int *more)
{
    memset(x, 0, sizeof *x);
    *more = j->phase != PKIWS__BULK_END;
    const char *const *id = j->ids + j->at + j->i;
    switch (j->phase) {
    case PKIWS__BULK_CHUNK:
        derive_txid("bulk", &j->p, j->ids + j->at, j->k, j->txid);
        if (!j->out.chunks)
            memcpy(j->out.first_txid, j->txid, sizeof j->txid);
        j->out.chunks++;
        return status_begin(c, &j->p, 1, j->ids + j->at, j->k, j->txid, x);
    case PKIWS__BULK_SINGLE:
        derive_txid("one", &j->p, id, 1, j->txid);
        j->out.singles++;
        return status_begin(c, &j->p, j->p.kind == PKIWS__BULK_PROFILE, id, 1, j->txid, x);
    case PKIWS__BULK_SEARCH:
        pkiws__search_outcome_dispose(&j->so);
        return pkiws__search_begin(c, &j->sp, &j->so, x);
    default:
        return PKIWS_OK;
    }
}

/* A transport failure that survived the client's retries: nothing more is sent; the ids of this
 * chunk and all later ones not yet decided fail with it. */
static int stop(pkiws__bulk_job *j, int rc)
{
    char why[PKIWS_ERR_MSG_MAX];
    snprintf(why, sizeof why, "%s", pkiws__err_message());
    j->phase = PKIWS__BULK_END;
    for (size_t i = j->at; i < j->out.n; i++)
        if (!j->out.items[i].message &&
            set_item(&j->out.items[i], rc, "not confirmed: %s", why) != PKIWS_OK)
            return PKIWS_E_NOMEM;
    pkiws__err_clear();
    return PKIWS_OK;
}

static int chunk_answer(pkiws__bulk_job *j, int rc, pkiws_xml_doc *doc,
                        const pkiws__call_info *call)
{
    if (rc && call->retryable)
        return stop(j, rc);
    pkiws__soap_status_result sr;
    memset(&sr, 0, sizeof sr);
    if (!rc)
        rc = pkiws__soap_parse_bulk_update_status(doc, &sr);
    int confirmed = !rc && sr.success_code == 0 && sr.revocation_count >= 0 &&
                    (size_t)sr.revocation_count >= j->k;
    if (!rc)
        j->out.revocation_count += sr.revocation_count; /* the singles count only what is left */
    pkiws__err_clear();
    int nomem = PKIWS_OK;
    for (size_t i = 0; confirmed && !nomem && i < j->k; i++)
        nomem = set_item(&j->out.items[j->at + i], PKIWS_OK, "%s (bulk %s)",
                         sr.success_msg ? sr.success_msg : "", j->txid);
    pkiws__soap_status_result_dispose(&sr);
    if (confirmed)
        next_chunk(j);
    else
        j->phase = PKIWS__BULK_SINGLE; /* every id of the chunk on its own, from the first */
    return nomem;
}

static int single_answer(pkiws__bulk_job *j, int rc, pkiws_xml_doc *doc,
                         const pkiws__call_info *call)
{
    pkiws__bulk_item *it = &j->out.items[j->at + j->i];
    pkiws__soap_status_result sr;
    memset(&sr, 0, sizeof sr);
    if (!rc)
        rc = j->p.kind == PKIWS__BULK_PROFILE ? pkiws__soap_parse_bulk_update_status(doc, &sr)
                                              : pkiws__soap_parse_update_status(doc, &sr);
    if (rc) {
        pkiws__soap_status_result_dispose(&sr);
        if (set_item(it, rc, "%s", pkiws__err_message()))
            return PKIWS_E_NOMEM;
        if (call->retryable)
            return stop(j, rc);
        pkiws__err_clear();
        next_single(j);
        return PKIWS_OK;
    }
    j->out.revocation_count += sr.revocation_count;
    const char *msg = sr.success_msg ? sr.success_msg : "";
    int nomem;
    if (sr.success_code == 0 && sr.revocation_count > 0) {
        nomem = set_item(it, PKIWS_OK, "%s", msg);
        next_single(j);
    } else {
        /* it changed nothing: done only if a search shows it already in the requested state;
         * the refusal is kept for the item in case it does not */
        nomem = set_item(it, PKIWS_E_REJECTED, "successCode %d: %s", sr.success_code, msg);
        const char *id = j->ids[j->at + j->i];
        pkiws__search_params sp = {j->p.kind == PKIWS__BULK_SEAT ? id : NULL,
                                   j->p.kind == PKIWS__BULK_SERIAL ? id : NULL,
                                   j->p.kind == PKIWS__BULK_PROFILE ? id : NULL, 0, NULL};
        j->sp = sp;
        j->pages = 0;
        j->total = 0;
        j->phase = PKIWS__BULK_SEARCH;
    }
    pkiws__soap_status_result_dispose(&sr);
    return nomem;
}

/* A page of the confirming search: on to the next page while all are in the requested state. */
static int search_answer(pkiws__bulk_job *j, int rc, pkiws_xml_doc *doc)
{
    const pkiws__soap_search_result *page = &j->so.page;
    if (!rc)
        rc = pkiws__soap_parse_search(doc, &j->so.page);
    int more = !rc && page->more && page->nfound > 0, done = !rc;
    for (size_t i = 0; done && i < page->nfound; i++)
        done =
            page->found[i].status && !strcmp(page->found[i].status, target_status(j->p.operation));
    j->total += rc ? 0 : page->nfound;
    j->sp.start_index += rc ? 0 : (int)page->nfound;
    pkiws__search_outcome_dispose(&j->so);
    if (rc)
        pkiws__err_clear();
    if (done && more && ++j->pages < SEARCH_MAX_PAGES)
        return PKIWS_OK; /* phase stays SEARCH */
    int nomem = PKIWS_OK;
    if (done && !more && j->total > 0)
        nomem = set_item(&j->out.items[j->at + j->i], PKIWS_OK, "already %s (searchCertificate)",
                         target_status(j->p.operation));
    next_single(j);
    return nomem;
}

int pkiws__bulk_answer(pkiws__bulk_job *j, int rc, pkiws_xml_doc *doc, const pkiws__call_info *call)
{
    call_add(&j->out.call, call);
    switch (j->phase) {
    case PKIWS__BULK_CHUNK:
        return chunk_answer(j, rc, doc, call);
    case PKIWS__BULK_SINGLE:
        return single_answer(j, rc, doc, call);
    case PKIWS__BULK_SEARCH:
        return search_answer(j, rc, doc);
    default:
        return pkiws__fail(PKIWS_E_INTERNAL, "bulk job: an answer after its end");
    }
}

void pkiws__bulk_job_dispose(pkiws__bulk_job *j)
{
    pkiws__search_outcome_dispose(&j->so);
    for (size_t i = 0; i < j->out.n; i++)
        pkiws__free(j->out.items[i].message);
    pkiws__free(j->out.items);
    memset(j, 0, sizeof *j);
}
