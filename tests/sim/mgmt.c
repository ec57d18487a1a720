/* SPDX-License-Identifier: MIT */
/* Certificate management service: updateCertificateStatus (Revoke / Suspend / Resume by serial
 * or seat, state kept), bulkUpdateCertificateStatus (up to 100 serials, seats or profile OIDs)
 * and searchCertificate (filters and paging). */
#include "sim.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

/* SDK enumeration, then the two values the live service adds. */
static const char *const reasons[] = {
    "Unspecified",          "KeyCompromise",      "CACompromise", "AffiliationChanged",
    "CessationOfOperation", "PrivilegeWithdrawn", "AACompromise", "Superseded",
    "CertificateHold",      "RemoveFromCRL"};
#define SDK_REASONS 8

static int reason_index(const char *r)
{
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(reasons); i++)
        if (!strcmp(reasons[i], r))
            return (int)i;
    return -1;
}

static const char *status_name(const sim_issued *c, int64_t now)
{
    if (c->status == SIM_REVOKED)
        return "REVOKED";
    if (c->status == SIM_SUSPENDED)
        return "SUSPENDED";
    return c->not_after < now ? "EXPIRED" : "VALID";
}

/* Revoke (kind 0), suspend (1) or resume (2) the certificates of one serial, seat or profile
 * OID (exactly one non-NULL); *matched counts the certificates selected. Returns how many
 * changed. */
static int apply_status(sim_server *srv, int kind, const char *serial, const char *seat,
                        const char *profile, const char *reason, const char *comment, int64_t now,
                        int *matched)
{
    /* A Suspend is a revocation with reason CertificateHold. */
    const char *stored_reason = kind == 1 ? "CertificateHold" : reason ? reason : "Unspecified";
    sim_store *s = &srv->store;
    int changed = 0;
    *matched = 0;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->ncerts; i++) {
        sim_issued *c = &s->certs[i];
        if (serial ? !sim_serial_eq(serial, c->serial)
            : seat ? strcmp(seat, c->seat) != 0
                   : strcmp(profile, c->profile_oid) != 0)
            continue;
        (*matched)++;
        int to;
        if (kind == 0)
            to = c->status == SIM_REVOKED ? -1 : SIM_REVOKED;
        else if (kind == 1)
            to = c->status == SIM_VALID ? SIM_SUSPENDED : -1;
        else
            to = c->status == SIM_SUSPENDED ? SIM_VALID : -1;
        if (to < 0)
            continue;
        c->status = to;
        pkiws__free(c->revoke_reason);
        pkiws__free(c->revoke_comment);
        c->revoke_reason = to == SIM_VALID ? NULL : pkiws__strdup(stored_reason);
        c->revoke_comment = to == SIM_VALID || !comment ? NULL : pkiws__strdup(comment);
        c->revoke_at = to == SIM_VALID ? 0 : now;
        changed++;
    }
    pthread_mutex_unlock(&s->lock);
    atomic_fetch_add(&srv->stats.status_changes, (unsigned long)changed);
    return changed;
}

/* clientTransactionID, operationType, revocationReason and comment, checked as both update
 * operations need them: the kind (0 Revoke, 1 Suspend, 2 Resume) or -1 with *e set. */
static int check_update(pkiws_xml_doc *doc, const pkiws_xml_node *body, const char **txid,
                        const char **reason, const char **comment, sim_error *e)
{
    const char *ns = PKIWS_NS_MGMT;
    *txid = sim_child_text(doc, body, ns, "clientTransactionID");
    if (sim_check_txid(*txid, e))
        return -1;
    const char *op = sim_child_text(doc, body, ns, "operationType");
    *reason = sim_child_text(doc, body, ns, "revocationReason");
    *comment = sim_child_text(doc, body, ns, "comment");
    char clip[120];
    if (!op)
        return sim_err_client(e, SIM_EC_MISSING, "operationType is missing");
    int kind = !strcmp(op, "Revoke")    ? 0
               : !strcmp(op, "Suspend") ? 1
               : !strcmp(op, "Resume")  ? 2
                                        : -1;
    if (kind < 0)
        return sim_err_client(e, SIM_EC_INVALID,
                              "operationType '%s' is not Revoke, Suspend or Resume",
                              sim_clip(op, 100, clip, sizeof clip));
    if (*reason && reason_index(*reason) < 0)
        return sim_err_client(e, SIM_EC_INVALID, "revocationReason '%s' is not one of the schema's",
                              sim_clip(*reason, 100, clip, sizeof clip));
    if (*comment && strlen(*comment) > 512)
        return sim_err_client(e, SIM_EC_INVALID, "comment is longer than 512 characters");
    return kind;
}

/* The answer of both update operations: element local name, echo, code, message, count. */
static int status_answer(sim_server *srv, const char *element, const char *txid, int code,
                         const char *msg, int changed, sim_response *resp, sim_error *e)
{
    char stx[21], count[16], codes[16], qn[64];
    sim_server_txid(srv, stx);
    snprintf(count, sizeof count, "%d", changed);
    snprintf(codes, sizeof codes, "%d", code);
    snprintf(qn, sizeof qn, "ns2:%s", element);
    pkiws_xml_writer w;
    sim_soap_begin(&w);
    pkiws__xmlw_start(&w, qn);
    pkiws__xmlw_attr(&w, "xmlns:ns2", PKIWS_NS_MGMT);
    if (txid)
        pkiws__xmlw_leaf(&w, "ns2:clientTransactionID", txid);
    pkiws__xmlw_leaf(&w, "ns2:serverTransactionID", stx);
    pkiws__xmlw_leaf(&w, "ns2:version", "1.0");
    pkiws__xmlw_leaf(&w, "ns2:successCode", codes);
    pkiws__xmlw_leaf(&w, "ns2:successMsg", msg);
    pkiws__xmlw_leaf(&w, "ns2:revocationCount", count);
    pkiws__xmlw_end(&w);
    int rc = sim_soap_end(&w, &resp->body);
    pkiws__xmlw_dispose(&w);
    return rc == PKIWS_OK ? 0 : sim_err(e, SIM_EC_MALFORMED, "cannot write the answer");
}

static const char *not_in_state(int kind)
{
    return kind == 0 ? "valid or suspended" : kind == 1 ? "valid" : "suspended";
}

int sim_svc_update_status(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *body,
                          sim_response *resp, sim_error *e)
{
    const char *ns = PKIWS_NS_MGMT;
    const char *txid, *reason, *comment;
    int kind = check_update(doc, body, &txid, &reason, &comment, e);
    const char *serial = sim_child_text(doc, body, ns, "certificateSerialNumber");
    const char *seat = sim_child_text(doc, body, ns, "seatId");
    if (kind < 0)
        return -1;
    char clip[120];
    if ((!serial || !*serial) && (!seat || !*seat))
        return sim_err_client(e, SIM_EC_MISSING,
                              "give certificateSerialNumber or seatId: which certificate?");
    if (serial && !*serial)
        serial = NULL;

    int64_t now = (int64_t)time(NULL);
    int matched = 0;
    int changed = apply_status(srv, kind, serial, seat, NULL, reason, comment, now, &matched);

    /* successCode 0 = success; failures are answered, not faulted (protocol.md §9 item 6,
     * decided in README.md). */
    char msg[300];
    int code = 0;
    const char *what = serial ? "serial number" : "seat";
    const char *which = sim_clip(serial ? serial : seat, 100, clip, sizeof clip);
    if (!matched) {
        code = -1;
        snprintf(msg, sizeof msg, "No certificate found for %s %s", what, which);
    } else if (!changed) {
        code = -2;
        snprintf(msg, sizeof msg, "No certificate of %s %s is %s", what, which, not_in_state(kind));
    } else {
        snprintf(msg, sizeof msg, "Success");
    }
    sim_log(srv, "updateCertificateStatus %s %s %s: %d of %d changed",
            sim_child_text(doc, body, ns, "operationType"), what, which, changed, matched);
    return status_answer(srv, "updateCertificateStatusResponse", txid, code, msg, changed, resp, e);
}

/* The SDK schema's limit of ids per bulk request. */
#define BULK_MAX 100

int sim_svc_bulk_update_status(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *body,
                               sim_response *resp, sim_error *e)
{
    const char *ns = PKIWS_NS_MGMT;
    const char *txid, *reason, *comment;
    int kind = check_update(doc, body, &txid, &reason, &comment, e);
    if (kind < 0)
        return -1;
    /* one list: certificateSerialNumber, seatId or profileOID (the SDK's xs:choice) */
    static const char *const lists[] = {"certificateSerialNumber", "seatId", "profileOID"};
    static const char *const names[] = {"serial number", "seat", "profile"};
    int which = -1;
    size_t n = 0;
    for (int l = 0; l < 3; l++) {
        size_t k = 0;
        for (const pkiws_xml_node *c = pkiws__xml_child(body, ns, lists[l]); c;
             c = pkiws__xml_next_named(c, ns, lists[l]))
            k++;
        if (k && which >= 0)
            return sim_err_client(e, SIM_EC_INVALID, "give one list: %s and %s are both present",
                                  lists[which], lists[l]);
        if (k) {
            which = l;
            n = k;
        }
    }
    if (which < 0)
        return sim_err_client(e, SIM_EC_MISSING,
                              "give certificateSerialNumber, seatId or profileOID: which "
                              "certificates?");
    if (n > BULK_MAX)
        return sim_err_client(e, SIM_EC_INVALID, "%zu %s elements: a bulk request takes at most %d",
                              n, lists[which], BULK_MAX);
    int64_t now = (int64_t)time(NULL);
    int changed = 0, unknown = 0, unchanged = 0;
    char first_bad[120] = "";
    for (const pkiws_xml_node *c = pkiws__xml_child(body, ns, lists[which]); c;
         c = pkiws__xml_next_named(c, ns, lists[which])) {
        const char *id = pkiws__xml_text_trim(doc, c);
        int matched = 0, ch = 0;
        if (id && *id)
            ch = apply_status(srv, kind, which == 0 ? id : NULL, which == 1 ? id : NULL,
                              which == 2 ? id : NULL, reason, comment, now, &matched);
        changed += ch;
        if (!matched || !ch) {
            unknown += !matched;
            unchanged += matched && !ch;
            if (!first_bad[0])
                sim_clip(id && *id ? id : "(empty)", 100, first_bad, sizeof first_bad);
        }
    }
    /* Like the single update: answered, not faulted; every id is processed, the code says
     * whether all of them changed something. */
    char msg[400];
    int code = unknown ? -1 : unchanged ? -2 : 0;
    if (code)
        snprintf(msg, sizeof msg,
                 "%d of %zu ids not found, %d with no certificate that is %s; first: %s %s",
                 unknown, n, unchanged, not_in_state(kind), names[which], first_bad);
    else
        snprintf(msg, sizeof msg, "Success");
    sim_log(srv, "bulkUpdateCertificateStatus %s %zu %s ids: %d changed, %d unknown",
            sim_child_text(doc, body, ns, "operationType"), n, names[which], changed, unknown);
    return status_answer(srv, "bulkUpdateCertificateStatusResponse", txid, code, msg, changed, resp,
                         e);
}

static int parse_long(const char *s, long long *out)
{
    if (!s)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 1;
}

typedef struct search_filter {
    const char *seat, *account, *profile, *cn, *status, *email, *serial;
    pkiws_buf issuing_ca;
    int has_ca, has_from, has_to;
    long long from, to;
} search_filter;

static int matches(const sim_server *srv, const search_filter *f, const sim_issued *c, int64_t now)
{
    if (f->seat && strcmp(f->seat, c->seat))
        return 0;
    if (f->account && strcmp(f->account, srv->cat.account_id))
        return 0;
    if (f->profile && strcmp(f->profile, c->profile_oid))
        return 0;
    if (f->cn && strcmp(f->cn, c->cn))
        return 0;
    if (f->status && strcmp(f->status, status_name(c, now)))
        return 0;
    if (f->email && (!c->email || !pkiws__strcaseeq(f->email, c->email)))
        return 0;
    if (f->serial && !sim_serial_eq(f->serial, c->serial))
        return 0;
    if (f->has_ca && (f->issuing_ca.len != srv->pki.issuing.raw.len ||
                      memcmp(f->issuing_ca.data, srv->pki.issuing.raw.p, f->issuing_ca.len)))
        return 0;
    if (f->has_from && c->not_before < f->from)
        return 0;
    if (f->has_to && c->not_after > f->to)
        return 0;
    return 1;
}

static void leaf_num(pkiws_xml_writer *w, const char *qn, long long v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", v);
    pkiws__xmlw_leaf(w, qn, b);
}

static void nil_leaf(pkiws_xml_writer *w, const char *qn)
{
    pkiws__xmlw_start(w, qn);
    pkiws__xmlw_attr(w, "xsi:nil", "true");
    pkiws__xmlw_end(w);
}

int sim_svc_search(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *body,
                   sim_response *resp, sim_error *e)
{
    const char *ns = PKIWS_NS_MGMT;
    const char *txid = sim_child_text(doc, body, ns, "clientTransactionID");
    if (sim_check_txid(txid, e))
        return -1;
    search_filter f;
    memset(&f, 0, sizeof f);
    f.seat = sim_child_text(doc, body, ns, "seatId");
    f.account = sim_child_text(doc, body, ns, "accountId");
    f.profile = sim_child_text(doc, body, ns, "profileOID");
    f.cn = sim_child_text(doc, body, ns, "commonName");
    f.status = sim_child_text(doc, body, ns, "status");
    f.email = sim_child_text(doc, body, ns, "emailAddress");
    f.serial = sim_child_text(doc, body, ns, "serialNumber");
    const char *ca = sim_child_text(doc, body, ns, "issuingCA");
    long long start = 0;
    char clip[120];
    int r1 = parse_long(sim_child_text(doc, body, ns, "validFrom"), &f.from);
    int r2 = parse_long(sim_child_text(doc, body, ns, "validTo"), &f.to);
    int r3 = parse_long(sim_child_text(doc, body, ns, "startIndex"), &start);
    if (r1 < 0 || r2 < 0 || r3 < 0 || start < 0)
        return sim_err_client(
            e, SIM_EC_INVALID,
            "validFrom, validTo and startIndex must be integers (startIndex >= 0)");
    f.has_from = r1 > 0;
    f.has_to = r2 > 0;
    if (f.status && strcmp(f.status, "VALID") && strcmp(f.status, "EXPIRED") &&
        strcmp(f.status, "REVOKED") && strcmp(f.status, "SUSPENDED"))
        return sim_err_client(e, SIM_EC_INVALID,
                              "status '%s' is not VALID, EXPIRED, REVOKED or SUSPENDED",
                              sim_clip(f.status, 100, clip, sizeof clip));
    if (ca) {
        f.has_ca = 1;
        if (pkiws__b64_decode(ca, strlen(ca), &f.issuing_ca) != PKIWS_OK) {
            pkiws__buf_dispose(&f.issuing_ca);
            return sim_err_client(e, SIM_EC_INVALID, "issuingCA is not base64: %s",
                                  pkiws__err_message());
        }
    }
    /* Empty strings are absent filters (JAXB clients send empty elements). */
    const char **strs[] = {&f.seat, &f.account, &f.profile, &f.cn, &f.status, &f.email, &f.serial};
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(strs); i++)
        if (*strs[i] && !**strs[i])
            *strs[i] = NULL;

    int64_t now = (int64_t)time(NULL);
    char stx[21];
    sim_server_txid(srv, stx);
    pkiws_xml_writer w;
    sim_soap_begin(&w);
    pkiws__xmlw_start(&w, "ns2:searchCertificateResponse");
    pkiws__xmlw_attr(&w, "xmlns:ns2", PKIWS_NS_MGMT);
    pkiws__xmlw_attr(&w, "xmlns:xsi", PKIWS_NS_XSI);
    if (txid)
        pkiws__xmlw_leaf(&w, "ns2:clientTransactionID", txid);
    pkiws__xmlw_leaf(&w, "ns2:serverTransactionID", stx);

    sim_store *s = &srv->store;
    pthread_mutex_lock(&s->lock);
    long long total = 0;
    for (size_t i = 0; i < s->ncerts; i++)
        total += matches(srv, &f, &s->certs[i], now);
    leaf_num(&w, "ns2:certificateCount", total);
    long long page = srv->opt.page_size, seen = 0, sent = 0;
    if (start < total) {
        pkiws__xmlw_start(&w, "ns2:certificateList");
        for (size_t i = 0; i < s->ncerts && sent < page; i++) {
            const sim_issued *c = &s->certs[i];
            if (!matches(srv, &f, c, now) || seen++ < start)
                continue;
            sent++;
            pkiws_buf b64 = PKIWS_BUF_INIT;
            pkiws__b64_encode(c->der, c->der_len, &b64);
            pkiws__xmlw_start(&w, "ns2:certificateInformation");
            pkiws__xmlw_leaf(&w, "ns2:certificate", pkiws__buf_cstr(&b64));
            pkiws__xmlw_leaf(&w, "ns2:seatId", c->seat);
            pkiws__xmlw_leaf(&w, "ns2:commonName", c->cn);
            pkiws__xmlw_leaf(&w, "ns2:accountId", srv->cat.account_id);
            pkiws__xmlw_leaf(&w, "ns2:profileOID", c->profile_oid);
            if (c->email)
                pkiws__xmlw_leaf(&w, "ns2:emailAddress", c->email);
            else
                nil_leaf(&w, "ns2:emailAddress");
            pkiws__xmlw_leaf(&w, "ns2:status", status_name(c, now));
            if (c->status != SIM_VALID) {
                leaf_num(&w, "ns2:revokeAt", c->revoke_at);
                /* The SDK schema lacks CertificateHold/RemoveFromCRL: leave those out. */
                int ri = c->revoke_reason ? reason_index(c->revoke_reason) : -1;
                if (ri >= 0 && ri < SDK_REASONS)
                    pkiws__xmlw_leaf(&w, "ns2:revokeReason", c->revoke_reason);
            }
            leaf_num(&w, "ns2:validFrom", c->not_before);
            leaf_num(&w, "ns2:validTo", c->not_after);
            pkiws__xmlw_leaf(&w, "ns2:serialNumber", c->serial);
            pkiws__xmlw_leaf(&w, "ns2:isEscrowed", "false");
            nil_leaf(&w, "ns2:enrollmentNotes");
            if (c->revoke_comment)
                pkiws__xmlw_leaf(&w, "ns2:revokeComments", c->revoke_comment);
            else
                nil_leaf(&w, "ns2:revokeComments");
            pkiws__xmlw_end(&w);
            pkiws__buf_dispose(&b64);
        }
        pkiws__xmlw_end(&w);
    }
    pthread_mutex_unlock(&s->lock);
    pkiws__xmlw_leaf(&w, "ns2:moreCertificateAvailable", start + sent < total ? "true" : "false");
    pkiws__xmlw_leaf(&w, "ns2:version", "1.0");
    pkiws__xmlw_end(&w);
    int rc = sim_soap_end(&w, &resp->body);
    pkiws__xmlw_dispose(&w);
    pkiws__buf_dispose(&f.issuing_ca);
    return rc == PKIWS_OK ? 0 : sim_err(e, SIM_EC_MALFORMED, "cannot write the answer");
}
