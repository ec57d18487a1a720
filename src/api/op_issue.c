/* SPDX-License-Identifier: MIT */
/* The steps of an issuance or renewal as an op (pkiws_issue_start; pkiws_issue runs it with
 * pkiws__op_run): the policy exchange when no template is cached, the resolution, the seat's
 * searches for PKIWS_PROFILE_OPT_DUPLICATES, the key and CSR, the enrolment exchange, the PFX.
 * A poll (pkiws_poll_start) shares the policy exchange (its failure only leaves the poll
 * without a template) and the reading of the CA's answer. */
#include "pkiws_internal.h"

#include <stdio.h>

#include "api/op_int.h"
#include "core/search.h"

/* Pages of searchCertificate enough for a seat; more means a runaway answer. */
#define DUP_MAX_PAGES 20

enum { ST_START, ST_POLICY, ST_RESOLVE, ST_SEARCH, ST_ENROLL_BEGIN, ST_ENROLL, ST_QUERY_BEGIN };

typedef struct issue_op {
    int st;
    pkiws_request *r; /* borrowed: checked live at each step */
    pkiws_profile *p; /* referenced */
    pkiws__cert *old; /* the certificate renewed, or NULL */
    int poll;         /* a poll: QueryTokenStatus of the pending reference (ST_QUERY_BEGIN) */
    pkiws__client *c;
    pkiws__template *tpl;
    pkiws__resolution res;
    pkiws__key *key; /* the caller's (pkiws_request_set_key) */
    pkiws__issue_params ip;
    pkiws__issue_outcome o;
    /* the duplicate check */
    const char *seat;
    pkiws__search_outcome so;
    int page, start, dup_attempts, page_counted, verdict;
    size_t listed;
    char first[80];
} issue_op;

/* Hex serials equal ignoring case and leading zeros. */
static int same_serial(const char *a, const char *b)
{
    while (*a == '0')
        a++;
    while (*b == '0')
        b++;
    return pkiws__strcaseeq(a, b);
}

static int st_start(pkiws_op *op, issue_op *s)
{
    int rc = pkiws__conf_client(op->conf, &s->c);
    if (rc)
        return rc;
    int next = s->poll ? ST_QUERY_BEGIN : ST_RESOLVE, fetch = 1;
    rc = pkiws__request_template_possible(s->r, op->conf);
    if (!rc)
        rc = pkiws__profile_cached_template(s->p, &s->tpl);
    if (rc && s->poll) { /* a poll goes on without a template */
        pkiws__err_clear();
        rc = PKIWS_OK;
        fetch = 0;
    }
    if (rc)
        return rc; /* failed in ST_START: the error as the settings or the profile said it */
    if (s->tpl || !fetch) {
        s->st = next;
        return PKIWS_OK;
    }
    pkiws__op_new_exchange(op);
    op->soft = s->poll;
    s->st = ST_POLICY;
    return pkiws__op_exchange(op, pkiws__fetch_template_begin(s->c, s->p->oid, &op->x));
}

static int st_policy(pkiws_op *op, issue_op *s)
{
    pkiws__template *t = NULL;
    int rc = op->soft_rc ? op->soft_rc : pkiws__template_from_doc(op->answer, s->p->oid, &t);
    if (!rc && (rc = pkiws__template_dup(t, &s->tpl)))
        pkiws__template_free(t);
    if (!rc)
        pkiws__profile_install_template(s->p, op->conf, t);
    if (rc && s->poll) /* the template only completes the chain of what the CA sends */
        pkiws__err_clear();
    else if (rc)
        return rc;
    s->st = s->poll ? ST_QUERY_BEGIN : ST_RESOLVE;
    return PKIWS_OK;
}

static int search_page(pkiws_op *op, issue_op *s)
{
    pkiws__search_outcome_dispose(&s->so);
    pkiws__op_new_exchange(op);
    s->st = ST_SEARCH;
    s->page_counted = 0;
    pkiws__search_params sp = {s->seat, NULL, s->p->oid, s->start, "VALID"};
    return pkiws__op_exchange(op, pkiws__search_begin(s->c, &sp, &s->so, &op->x));
}

static int st_resolve(pkiws_op *op, issue_op *s)
{
    /* the caller's key (pkiws_request_set_key): its type is what the template must allow */
    int rc =
        s->r->key_der ? pkiws__key_parse(s->r->key_der, s->r->key_len, NULL, &s->key) : PKIWS_OK;
    if (rc)
        return rc;
    rc = pkiws__request_resolve(s->r, s->tpl, &s->res);
    int rc2 = pkiws__result_set_resolution(op->result, &s->res);
    if (rc || (rc = rc2))
        return rc;
    s->seat = pkiws__resolution_seat(&s->res);
    s->st = ST_ENROLL_BEGIN;
    if (s->p->duplicates == PKIWS_DUPLICATES_ALLOW || !s->seat || !*s->seat)
        return PKIWS_OK;
    return search_page(op, s);
}

/* The seat's VALID certificates of the profile (but the one renewed) into the result;
 * PKIWS_E_DUPLICATE when refusing and there are some. */
static int st_search(pkiws_op *op, issue_op *s)
{
    s->so.call = op->info;
    s->dup_attempts += op->info.attempts;
    s->page_counted = 1;
    const char *old_serial = s->old ? pkiws__cert_get_info(s->old)->serial : NULL;
    int rc = pkiws__soap_parse_search(op->answer, &s->so.page);
    for (size_t i = 0; !rc && i < s->so.page.nfound; i++) {
        const pkiws__soap_found *f = &s->so.page.found[i];
        if (old_serial && f->serial && same_serial(f->serial, old_serial))
            continue;
        if (!s->listed++)
            snprintf(s->first, sizeof s->first, "%s", f->serial ? f->serial : "?");
        rc = pkiws__result_add_found(op->result, f->der, f->der_len, f->serial, f->status, f->seat);
    }
    int more = s->so.page.more && s->so.page.nfound > 0;
    s->start += (int)s->so.page.nfound;
    if (rc)
        return rc;
    if (more && ++s->page < DUP_MAX_PAGES)
        return search_page(op, s);
    const pkiws__conf *conf = op->conf;
    char tmp[128];
    const char *who = pkiws__log_ident(&conf->set.log, s->seat, tmp, sizeof tmp);
    if (s->listed)
        pkiws__log(&conf->set.log, PKIWS_LOG_INFO, "core", "",
                   "seat %s has %zu VALID certificate(s) of profile %s, first serial %s", who,
                   s->listed, s->p->oid, s->first);
    if (s->listed && s->p->duplicates == PKIWS_DUPLICATES_REFUSE) {
        s->verdict = 1;
        return pkiws__fail(PKIWS_E_DUPLICATE,
                           "seat %s already has %zu VALID certificate(s) of profile %s (serial "
                           "%s%s); PKIWS_DUPLICATES_REFUSE issues no other",
                           who, s->listed, s->p->oid, s->first, s->listed > 1 ? ", ..." : "");
    }
    s->st = ST_ENROLL_BEGIN;
    return PKIWS_OK;
}

static int st_enroll_begin(pkiws_op *op, issue_op *s)
{
    pkiws_request *r = s->r;
    pkiws__issue_params ip = {s->tpl,
                              s->p->oid,
                              r->key_der_type ? r->key_der_type : r->key_type,
                              r->pfx_preset ? r->pfx_preset : r->profile_preset,
                              r->pfx_password,
                              r->friendly_name,
                              NULL,
                              s->key,
                              r->txid,
                              pkiws__conf_keypool(op->conf),
                              s->old};
    s->ip = ip;
    pkiws__op_new_exchange(op);
    s->st = ST_ENROLL;
    return pkiws__op_exchange(op, pkiws__issue_begin(s->c, &s->ip, &s->res, &s->o, &op->x));
}

/* What pkiws_issue logs and puts into the result once the enrolment is over (rc). */
static int enroll_outcome(pkiws_op *op, issue_op *s, int rc)
{
    s->o.call = op->info;
    s->o.call.attempts += s->dup_attempts; /* the duplicate check's searches */
    char what[80] = "issue";
    if (s->poll)
        snprintf(what, sizeof what, "poll");
    else if (s->old)
        snprintf(what, sizeof what, "renew of %s", pkiws__cert_get_info(s->old)->serial);
    pkiws__issue_log(&op->conf->set.log, what, &s->o, rc);
    return pkiws__issue_fill_result(op->result, s->r, &s->o);
}

static int st_enroll(pkiws_op *op, issue_op *s)
{
    s->o.call = op->info;
    int rc = pkiws__issue_end(&s->ip, &op->answer, &s->o);
    if (rc)
        return rc;
    if ((rc = enroll_outcome(op, s, PKIWS_OK))) {
        pkiws__result_fail(op->result, rc);
        pkiws__result_set_retryable(op->result, s->o.call.retryable);
    }
    pkiws__op_done(op, rc);
    return PKIWS_OK;
}

/* A poll: QueryTokenStatus with the kept key, unless the template says the CA makes the key. */
static int st_query_begin(pkiws_op *op, issue_op *s)
{
    pkiws_request *r = s->r;
    int rc = r->key_der ? pkiws__key_parse(r->key_der, r->key_len, NULL, &s->key) : PKIWS_OK;
    if (rc)
        return rc;
    if (!s->key && !(s->tpl && s->tpl->server_keygen))
        return pkiws__fail(
            PKIWS_E_STATE,
            "pkiws_poll of %s: profile %s %s, so the poll needs the key kept from "
            "the pending answer (pkiws_request_set_key)",
            r->pending_ref, s->p->oid,
            s->tpl ? "certifies the requester's key"
                   : "has no template (it could not be fetched) saying the CA makes the key");
    pkiws__issue_params ip = {s->tpl,
                              s->p->oid,
                              r->key_type,
                              r->pfx_preset ? r->pfx_preset : r->profile_preset,
                              r->pfx_password,
                              r->friendly_name,
                              r->pending_ref,
                              s->key,
                              r->txid,
                              NULL,
                              NULL};
    s->ip = ip;
    const char *seat = r->seat_id ? r->seat_id : r->upn ? r->upn : r->email ? r->email : r->cn;
    pkiws__op_new_exchange(op);
    s->st = ST_ENROLL;
    return pkiws__op_exchange(op, pkiws__poll_begin(s->c, &s->ip, seat, &s->o, &op->x));
}

static int issue_step(pkiws_op *op)
{
    issue_op *s = op->impl;
    if (!pkiws__handle_live(s->r, PKIWS__MAGIC_REQUEST))
        return pkiws__fail(PKIWS_E_INVALID_HANDLE,
                           "the request of this %s was freed before the op finished",
                           op->kind->name);
    switch (s->st) {
    case ST_START:
        return st_start(op, s);
    case ST_POLICY:
        return st_policy(op, s);
    case ST_RESOLVE:
        return st_resolve(op, s);
    case ST_SEARCH:
        return st_search(op, s);
    case ST_ENROLL_BEGIN:
        return st_enroll_begin(op, s);
    case ST_QUERY_BEGIN:
        return st_query_begin(op, s);
    default:
        return st_enroll(op, s);
    }
}

static void issue_fail(pkiws_op *op, int rc)
{
    issue_op *s = op->impl;
    pkiws_result *res = op->result;
    switch (s->st) {
    case ST_START:
    case ST_POLICY:
        s->o.call = op->info;
        pkiws__result_set_int(res, PKIWS_RESULT_ATTEMPTS, op->info.attempts);
        break;
    case ST_SEARCH:
        if (!s->verdict)
            rc = pkiws__fail_context(rc, "duplicate check (searchCertificate of the seat)");
        s->o.call = s->page_counted ? s->so.call : op->info;
        s->o.call.attempts = s->dup_attempts + (s->page_counted ? 0 : op->info.attempts);
        pkiws__result_set_int(res, PKIWS_RESULT_ATTEMPTS, s->o.call.attempts);
        break;
    case ST_ENROLL:
        enroll_outcome(op, s, rc);
        break;
    default: /* the resolution */
        break;
    }
    pkiws__result_fail(res, rc);
    pkiws__result_set_retryable(res, s->o.call.retryable);
}

static void issue_dispose(void *impl)
{
    issue_op *s = impl;
    if (!s)
        return;
    pkiws__search_outcome_dispose(&s->so);
    pkiws__issue_outcome_dispose(&s->o);
    pkiws__resolution_dispose(&s->res);
    pkiws__template_free(s->tpl);
    pkiws__key_free(s->key);
    pkiws__cert_free(s->old);
    if (s->p)
        pkiws__profile_unref(s->p);
    pkiws__free(s);
}

static const pkiws__op_kind issue_kind = {"issuance", issue_step, NULL,
                                          NULL,       issue_fail, issue_dispose};
static const pkiws__op_kind renew_kind = {"renewal", issue_step, NULL,
                                          NULL,      issue_fail, issue_dispose};
static const pkiws__op_kind poll_kind = {"poll", issue_step, NULL, NULL, issue_fail, issue_dispose};

int pkiws__op_issue_new(pkiws_request *r, pkiws__cert *old, int poll, pkiws_op **out)
{
    *out = NULL;
    issue_op *s = pkiws__calloc(1, sizeof *s);
    if (!s) {
        pkiws__cert_free(old);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory starting an issuance");
    }
    s->r = r;
    s->p = r->profile;
    atomic_fetch_add(&s->p->refs, 1);
    s->old = old;
    s->poll = poll;
    return pkiws__op_start(poll  ? &poll_kind
                           : old ? &renew_kind
                                 : &issue_kind,
                           s, s->p->session, out);
}
