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

/* One status request (bulk when bulk, else updateCertificateStatus of ids[0]). */
static int status_call(pkiws__client *c, const pkiws__bulk_params *p, int bulk,
                       const char *const *ids, size_t n, const char *txid,
                       pkiws__soap_status_result *sr, pkiws__call_info *call)
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
    pkiws_xml_doc *doc = NULL;
    /* A status change repeated after a lost answer changes nothing more: safe to retry. */
    if (!rc)
        rc = pkiws__client_call(c, PKIWS__SVC_MGMT,
                                bulk ? PKIWS__ACTION_BULK_UPDATE_STATUS
                                     : PKIWS__ACTION_UPDATE_STATUS,
                                &body, txid, 1, &doc, call);
    if (!rc)
        rc = bulk ? pkiws__soap_parse_bulk_update_status(doc, sr)
                  : pkiws__soap_parse_update_status(doc, sr);
    pkiws__xml_free(doc);
    pkiws__buf_dispose(&body);
    return rc;
}

static const char *target_status(int operation)
{
    return operation == PKIWS__OP_REVOKE    ? "REVOKED"
           : operation == PKIWS__OP_SUSPEND ? "SUSPENDED"
                                            : "VALID";
}

#define SEARCH_MAX_PAGES 200 /* a profile's certificates, page by page, at the most */

/* 1 when a search finds certificates for id and all of them (every page) in the requested
 * state. */
static int already_done(pkiws__client *c, const pkiws__bulk_params *p, const char *id,
                        pkiws__call_info *sum)
{
    pkiws__search_params sp = {p->kind == PKIWS__BULK_SEAT ? id : NULL,
                               p->kind == PKIWS__BULK_SERIAL ? id : NULL,
                               p->kind == PKIWS__BULK_PROFILE ? id : NULL, 0, NULL};
    int done = 1, rc = PKIWS_OK, more = 1, pages = 0;
    size_t total = 0;
    while (done && more && pages++ < SEARCH_MAX_PAGES) {
        pkiws__search_outcome so;
        rc = pkiws__search(c, &sp, &so);
        call_add(sum, &so.call);
        more = !rc && so.page.more && so.page.nfound > 0;
        done = !rc;
        for (size_t i = 0; done && i < so.page.nfound; i++)
            done = so.page.found[i].status &&
                   !strcmp(so.page.found[i].status, target_status(p->operation));
        total += rc ? 0 : so.page.nfound;
        sp.start_index += rc ? 0 : (int)so.page.nfound;
        pkiws__search_outcome_dispose(&so);
    }
    if (rc)
        pkiws__err_clear();
    return done && !more && total > 0;
}

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

/* Re-try one id on its own. Returns PKIWS_OK, or a transport code that stops the run. */
static int single(pkiws__client *c, const pkiws__bulk_params *p, const char *id,
                  pkiws__bulk_item *it, pkiws__bulk_outcome *out)
{
    char txid[41];
    derive_txid("one", p, &id, 1, txid);
    pkiws__soap_status_result sr;
    memset(&sr, 0, sizeof sr);
    pkiws__call_info call;
    memset(&call, 0, sizeof call);
    int bulk = p->kind == PKIWS__BULK_PROFILE;
    int rc = status_call(c, p, bulk, &id, 1, txid, &sr, &call);
    call_add(&out->call, &call);
    out->singles++;
    int stop = PKIWS_OK;
    if (rc) {
        set_item(it, rc, "%s", pkiws__err_message());
        if (call.retryable)
            stop = rc;
    } else {
        out->revocation_count += sr.revocation_count;
        const char *msg = sr.success_msg ? sr.success_msg : "";
        if (sr.success_code == 0 && sr.revocation_count > 0)
            rc = set_item(it, PKIWS_OK, "%s", msg);
        else if (already_done(c, p, id, &out->call))
            rc = set_item(it, PKIWS_OK, "already %s (searchCertificate)",
                          target_status(p->operation));
        else
            rc = set_item(it, PKIWS_E_REJECTED, "successCode %d: %s", sr.success_code, msg);
        stop = rc; /* NOMEM */
    }
    pkiws__soap_status_result_dispose(&sr);
    return stop;
}

static int chunk(pkiws__client *c, const pkiws__bulk_params *p, const char *const *ids, size_t n,
                 pkiws__bulk_item *items, pkiws__bulk_outcome *out)
{
    char txid[41];
    derive_txid("bulk", p, ids, n, txid);
    if (!out->chunks)
        memcpy(out->first_txid, txid, sizeof txid);
    out->chunks++;
    pkiws__soap_status_result sr;
    memset(&sr, 0, sizeof sr);
    pkiws__call_info call;
    memset(&call, 0, sizeof call);
    int rc = status_call(c, p, 1, ids, n, txid, &sr, &call);
    call_add(&out->call, &call);
    if (rc && call.retryable) {
        /* the service is unreachable after the client's retries: nothing more is sent */
        pkiws__soap_status_result_dispose(&sr);
        return rc;
    }
    int confirmed =
        !rc && sr.success_code == 0 && sr.revocation_count >= 0 && (size_t)sr.revocation_count >= n;
    if (!rc)
        out->revocation_count += sr.revocation_count; /* the singles count only what is left */
    pkiws__err_clear();
    int stop = PKIWS_OK;
    for (size_t i = 0; !stop && i < n; i++) {
        if (confirmed)
            stop = set_item(&items[i], PKIWS_OK, "%s (bulk %s)",
                            sr.success_msg ? sr.success_msg : "", txid);
        else
            stop = single(c, p, ids[i], &items[i], out);
    }
    pkiws__soap_status_result_dispose(&sr);
    return stop;
}

int pkiws__bulk_update_status(pkiws__client *c, const pkiws__bulk_params *p, const char *const *ids,
                              size_t n, pkiws__bulk_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (p->chunk < 1 || p->chunk > PKIWS__BULK_MAX)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "bulk chunk size %zu is not 1..%d", p->chunk,
                           PKIWS__BULK_MAX);
    if (!n)
        return PKIWS_OK;
    out->items = pkiws__calloc(n, sizeof *out->items);
    if (!out->items)
        return PKIWS_E_NOMEM;
    out->n = n;
    size_t done = 0;
    int stop = PKIWS_OK;
    while (!stop && done < n) {
        size_t k = n - done < p->chunk ? n - done : p->chunk;
        stop = chunk(c, p, ids + done, k, out->items + done, out);
        if (!stop)
            done += k;
    }
    if (stop == PKIWS_E_NOMEM)
        return stop;
    if (stop) {
        /* ids of the failed chunk and those after it were not confirmed */
        char why[PKIWS_ERR_MSG_MAX];
        snprintf(why, sizeof why, "%s", pkiws__err_message());
        for (size_t i = done; i < n; i++)
            if (!out->items[i].message &&
                set_item(&out->items[i], stop, "not confirmed: %s", why) != PKIWS_OK)
                return PKIWS_E_NOMEM;
    }
    pkiws__err_clear();
    return PKIWS_OK;
}

void pkiws__bulk_outcome_dispose(pkiws__bulk_outcome *o)
{
    for (size_t i = 0; i < o->n; i++)
        pkiws__free(o->items[i].message);
    pkiws__free(o->items);
    memset(o, 0, sizeof *o);
}
