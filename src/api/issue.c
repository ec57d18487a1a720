/* SPDX-License-Identifier: MIT */
/* pkiws_issue, pkiws_renew and pkiws_poll: the request, the CA, the PFX; the renewal window;
 * the seat's duplicates (PKIWS_PROFILE_OPT_DUPLICATES). */
#include "pkiws_internal.h"

#include <stdio.h>

#include "api/api_int.h"
#include "core/enroll.h"
#include "core/search.h"

static int fill_outcome(pkiws_result *r, const pkiws_request *req, pkiws__issue_outcome *o)
{
    int rc = pkiws__result_set_int(r, PKIWS_RESULT_ATTEMPTS, o->call.attempts);
    if (!rc && o->client_txid)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_CLIENT_TXID, o->client_txid);
    if (!rc && o->server_txid)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_SERVER_TXID, o->server_txid);
    if (!rc && o->disposition)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_DISPOSITION, o->disposition);
    /* a server-side key issuance held pending has no key yet (the CA makes it): still pending */
    if (rc || (!o->key && !o->pending))
        return rc;
    if (o->key && (o->pending || req->return_key)) {
        pkiws_buf der = PKIWS_BUF_INIT;
        der.secret = 1;
        rc = pkiws__key_pkcs8_der(o->key, &der);
        if (!rc)
            rc = pkiws__result_set_blob(r, PKIWS_RESULT_KEY_PKCS8, der.data, der.len, 1);
        pkiws__buf_dispose(&der);
    }
    if (rc)
        return rc;
    if (o->pending) {
        pkiws__result_set_status(r, PKIWS_STATUS_PENDING);
        return pkiws__result_set_str(r, PKIWS_RESULT_PENDING_REF, o->pending_ref);
    }
    if (o->leaf)
        rc = pkiws__result_set_cert(r, o->leaf);
    for (size_t i = 0; !rc && i < o->chain.n; i++) {
        size_t n;
        const uint8_t *der = pkiws__cert_der(o->chain.v[i], &n);
        rc = pkiws__result_add_chain(r, der, n);
    }
    if (!rc)
        rc = pkiws__result_set_int(r, PKIWS_RESULT_CHAIN_LENGTH, (int64_t)o->chain.n);
    if (!rc && o->pfx.data)
        rc = pkiws__result_set_blob(r, PKIWS_RESULT_PFX, o->pfx.data, o->pfx.len, 0);
    if (!rc && o->pfx_password)
        rc = pkiws__result_set_secret_str(r, PKIWS_RESULT_PFX_PASSWORD, o->pfx_password);
    return rc;
}

static void log_outcome(const pkiws__logger *lg, const char *what, const pkiws__issue_outcome *o,
                        int rc)
{
    const char *txid = o->client_txid ? o->client_txid : "";
    if (rc)
        pkiws__log(lg, PKIWS_LOG_WARN, "core", txid, "%s failed after %d attempt(s): %s", what,
                   o->call.attempts, pkiws__err_message());
    else if (o->pending)
        pkiws__log(lg, PKIWS_LOG_INFO, "core", txid, "%s pending (reference %s)", what,
                   o->pending_ref);
    else
        pkiws__log(lg, PKIWS_LOG_INFO, "core", txid, "%s: issued serial %s in %.1f ms", what,
                   o->leaf ? pkiws__cert_get_info(o->leaf)->serial : "?", o->call.seconds * 1000);
}

/* The seat the CA files the certificate under: the seat id, else the CN (as enroll.c sends
 * them). NULL when the request has neither. */
static const char *resolved_seat(const pkiws__resolution *res)
{
    const char *cn = NULL;
    for (size_t i = 0; i < res->ntrace; i++) {
        if (res->trace[i].field == PKIWS_FIELD_SEAT_ID)
            return res->trace[i].value;
        if (res->trace[i].field == PKIWS_FIELD_CN && !cn)
            cn = res->trace[i].value;
    }
    return cn;
}

/* Hex serials equal ignoring case and leading zeros. */
static int same_serial(const char *a, const char *b)
{
    while (*a == '0')
        a++;
    while (*b == '0')
        b++;
    return pkiws__strcaseeq(a, b);
}

/* Pages of searchCertificate enough for a seat; more means a runaway answer. */
#define DUP_MAX_PAGES 20

/* PKIWS_PROFILE_OPT_DUPLICATES: list the seat's VALID certificates of the profile (but old,
 * the one renewed) in out; PKIWS_E_DUPLICATE when refusing and there are some. */
static int check_duplicates(pkiws__client *c, const pkiws_profile *p, const pkiws__resolution *res,
                            const pkiws__cert *old, const pkiws__conf *conf, pkiws_result *out,
                            pkiws__call_info *info)
{
    const char *seat = resolved_seat(res);
    if (p->duplicates == PKIWS_DUPLICATES_ALLOW || !seat || !*seat)
        return PKIWS_OK;
    const char *old_serial = old ? pkiws__cert_get_info(old)->serial : NULL;
    size_t listed = 0;
    char first[80] = "";
    int rc = PKIWS_OK, start = 0, attempts = 0;
    for (int page = 0; !rc && page < DUP_MAX_PAGES; page++) {
        pkiws__search_params sp = {seat, NULL, p->oid, start, "VALID"};
        pkiws__search_outcome so;
        rc = pkiws__search(c, &sp, &so);
        attempts += so.call.attempts;
        *info = so.call;
        for (size_t i = 0; !rc && i < so.page.nfound; i++) {
            const pkiws__soap_found *f = &so.page.found[i];
            if (old_serial && f->serial && same_serial(f->serial, old_serial))
                continue;
            if (!listed++)
                snprintf(first, sizeof first, "%s", f->serial ? f->serial : "?");
            rc = pkiws__result_add_found(out, f->der, f->der_len, f->serial, f->status, f->seat);
        }
        int more = so.page.more && so.page.nfound > 0;
        start += (int)so.page.nfound;
        pkiws__search_outcome_dispose(&so);
        if (!more)
            break;
    }
    info->attempts = attempts;
    if (rc)
        return pkiws__fail_context(rc, "duplicate check (searchCertificate of the seat)");
    char tmp[128];
    const char *who = pkiws__log_ident(&conf->set.log, seat, tmp, sizeof tmp);
    if (listed)
        pkiws__log(&conf->set.log, PKIWS_LOG_INFO, "core", "",
                   "seat %s has %zu VALID certificate(s) of profile %s, first serial %s", who,
                   listed, p->oid, first);
    if (listed && p->duplicates == PKIWS_DUPLICATES_REFUSE)
        return pkiws__fail(PKIWS_E_DUPLICATE,
                           "seat %s already has %zu VALID certificate(s) of profile %s (serial "
                           "%s%s); PKIWS_DUPLICATES_REFUSE issues no other",
                           who, listed, p->oid, first, listed > 1 ? ", ..." : "");
    return PKIWS_OK;
}

/* Issue (old NULL) or renew old: what pkiws_issue and pkiws_renew share once their
 * arguments are checked. Always sets *out. */
static int issue(pkiws_request *r, const pkiws__cert *old, pkiws_result **out)
{
    pkiws_result *res_out = pkiws__result_new();
    if (!res_out)
        return PKIWS_E_NOMEM;
    int rc;
    pkiws_profile *p = r->profile;
    pkiws__template *tpl = NULL;
    pkiws__resolution res;
    memset(&res, 0, sizeof res);
    pkiws__issue_outcome o;
    memset(&o, 0, sizeof o);
    pkiws__call_info info;
    memset(&info, 0, sizeof info);
    pkiws__client *c = NULL;
    pkiws__key *key = NULL;
    pkiws__conf *conf = NULL;
    rc = pkiws__session_acquire(p->session, &conf);
    if (!rc)
        rc = pkiws__conf_client(conf, &c);
    if (!rc)
        rc = pkiws__request_template(r, conf, &tpl, &info);
    if (rc) {
        o.call = info;
        pkiws__result_set_int(res_out, PKIWS_RESULT_ATTEMPTS, info.attempts);
        goto out;
    }
    /* the caller's key (pkiws_request_set_key): its type is what the template must allow */
    if (r->key_der && (rc = pkiws__key_parse(r->key_der, r->key_len, NULL, &key)))
        goto out;
    rc = pkiws__request_resolve(r, tpl, &res);
    int rc2 = pkiws__result_set_resolution(res_out, &res);
    if (rc || (rc = rc2))
        goto out;
    memset(&info, 0, sizeof info);
    if ((rc = check_duplicates(c, p, &res, old, conf, res_out, &info))) {
        o.call = info;
        pkiws__result_set_int(res_out, PKIWS_RESULT_ATTEMPTS, info.attempts);
        goto out;
    }
    pkiws__issue_params ip = {tpl,
                              p->oid,
                              r->key_der_type ? r->key_der_type : r->key_type,
                              r->pfx_preset ? r->pfx_preset : r->profile_preset,
                              r->pfx_password,
                              r->friendly_name,
                              NULL,
                              key,
                              r->txid,
                              pkiws__conf_keypool(conf),
                              old};
    rc = pkiws__issue(c, &ip, &res, &o);
    o.call.attempts += info.attempts; /* the duplicate check's searches */
    char what[80] = "issue";
    if (old)
        snprintf(what, sizeof what, "renew of %s", pkiws__cert_get_info(old)->serial);
    log_outcome(&conf->set.log, what, &o, rc);
    int rc3 = fill_outcome(res_out, r, &o);
    if (!rc)
        rc = rc3;
out:
    if (rc) {
        int retryable = o.call.retryable;
        pkiws__result_fail(res_out, rc);
        pkiws__result_set_retryable(res_out, retryable);
    }
    pkiws__issue_outcome_dispose(&o);
    pkiws__resolution_dispose(&res);
    pkiws__template_free(tpl);
    pkiws__key_free(key);
    pkiws__conf_release(conf);
    *out = res_out;
    return rc;
}

PKIWS_API int pkiws_issue(pkiws_request *r, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_issue", "out is NULL");
    *out = NULL;
    int rc = pkiws__check_request(r, "pkiws_issue");
    return rc ? rc : issue(r, NULL, out);
}

PKIWS_API int pkiws_renew(pkiws_request *r, const void *old_cert, size_t len, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_renew", "out is NULL");
    *out = NULL;
    if (!old_cert || !len)
        return pkiws__arg_fail("pkiws_renew", "old_cert is NULL or empty");
    int rc = pkiws__check_request(r, "pkiws_renew");
    if (rc)
        return rc;
    pkiws__cert *old = NULL;
    if ((rc = pkiws__cert_parse(old_cert, len, &old)))
        return pkiws__fail_context(rc, "pkiws_renew: the certificate to renew");
    rc = issue(r, old, out);
    pkiws__cert_free(old);
    return rc;
}

PKIWS_API int pkiws_cert_renewal_due(const void *cert, size_t len, int64_t now, int renewal_days,
                                     int *due)
{
    PKIWS__ENTER();
    if (!due)
        return pkiws__arg_fail("pkiws_cert_renewal_due", "due is NULL");
    *due = 0;
    if (!cert || !len)
        return pkiws__arg_fail("pkiws_cert_renewal_due", "cert is NULL or empty");
    if (renewal_days < 0)
        return pkiws__arg_fail("pkiws_cert_renewal_due", "renewal_days is negative");
    pkiws__cert *c = NULL;
    int rc = pkiws__cert_parse(cert, len, &c);
    if (rc)
        return pkiws__fail_context(rc, "pkiws_cert_renewal_due");
    *due = pkiws__renewal_due(c, now, (unsigned)renewal_days);
    pkiws__cert_free(c);
    return PKIWS_OK;
}

PKIWS_API int pkiws_request_set_key(pkiws_request *r, const void *key, size_t len,
                                    const char *password)
{
    PKIWS__ENTER();
    int rc = pkiws__check_request(r, "pkiws_request_set_key");
    if (rc)
        return rc;
    uint8_t *copy = NULL;
    size_t copy_len = 0;
    int type = 0;
    if (key) {
        /* kept decrypted, as PKCS#8 DER, in wiped memory */
        pkiws__key *k = NULL;
        if ((rc = pkiws__key_parse(key, len, password, &k)))
            return pkiws__fail_context(rc, "pkiws_request_set_key");
        pkiws_buf der = PKIWS_BUF_INIT;
        der.secret = 1;
        rc = pkiws__key_pkcs8_der(k, &der);
        type = pkiws__key_type(k);
        pkiws__key_free(k);
        if (rc) {
            pkiws__buf_dispose(&der);
            return rc;
        }
        copy = pkiws__buf_detach(&der, &copy_len);
        if (!copy)
            return PKIWS_E_NOMEM;
    }
    pkiws__free_secret(r->key_der, r->key_len + 1);
    r->key_der = copy;
    r->key_len = copy_len;
    r->key_der_type = type;
    return PKIWS_OK;
}

PKIWS_API int pkiws_poll(pkiws_request *r, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_poll", "out is NULL");
    *out = NULL;
    int rc = pkiws__check_request(r, "pkiws_poll");
    if (rc)
        return rc;
    /* the kept key (pkiws_request_set_key) is needed unless the CA makes the key */
    if (!r->pending_ref)
        return pkiws__fail(PKIWS_E_STATE, "pkiws_poll: the request needs the pending reference "
                                          "(PKIWS_REQUEST_OPT_PENDING_REF)");
    pkiws_result *res_out = pkiws__result_new();
    if (!res_out)
        return PKIWS_E_NOMEM;
    pkiws_profile *p = r->profile;
    pkiws__template *tpl = NULL;
    pkiws__key *key = NULL;
    pkiws__issue_outcome o;
    memset(&o, 0, sizeof o);
    pkiws__call_info info;
    pkiws__client *c = NULL;
    pkiws__conf *conf = NULL;
    rc = pkiws__session_acquire(p->session, &conf);
    if (!rc)
        rc = pkiws__conf_client(conf, &c);
    if (!rc && r->key_der)
        rc = pkiws__key_parse(r->key_der, r->key_len, NULL, &key);
    /* the template completes the chain: a poll works without one, but not without the kept key
     * unless the template says the CA makes the key (then the key comes in its PKCS#12) */
    if (!rc && pkiws__request_template(r, conf, &tpl, &info) != PKIWS_OK)
        pkiws__err_clear();
    if (!rc && !key && !(tpl && tpl->server_keygen)) {
        rc = pkiws__fail(
            PKIWS_E_STATE,
            "pkiws_poll of %s: profile %s %s, so the poll needs the key kept from "
            "the pending answer (pkiws_request_set_key)",
            r->pending_ref, p->oid,
            tpl ? "certifies the requester's key"
                : "has no template (it could not be fetched) saying the CA makes the key");
        pkiws_result_free(res_out);
        res_out = NULL;
        goto out;
    }
    if (!rc) {
        pkiws__issue_params ip = {tpl,
                                  p->oid,
                                  r->key_type,
                                  r->pfx_preset ? r->pfx_preset : r->profile_preset,
                                  r->pfx_password,
                                  r->friendly_name,
                                  r->pending_ref,
                                  key,
                                  r->txid,
                                  NULL,
                                  NULL};
        const char *seat = r->seat_id ? r->seat_id : r->upn ? r->upn : r->email ? r->email : r->cn;
        rc = pkiws__poll(c, &ip, seat, &o);
        log_outcome(&conf->set.log, "poll", &o, rc);
        int rc3 = fill_outcome(res_out, r, &o);
        if (!rc)
            rc = rc3;
    }
    if (rc) {
        int retryable = o.call.retryable;
        pkiws__result_fail(res_out, rc);
        pkiws__result_set_retryable(res_out, retryable);
    }
out:
    pkiws__issue_outcome_dispose(&o);
    pkiws__key_free(key);
    pkiws__template_free(tpl);
    pkiws__conf_release(conf);
    *out = res_out;
    return rc;
}
