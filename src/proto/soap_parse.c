/* SPDX-License-Identifier: MIT */
/* Response parsers: by namespace URI and local name, whatever prefixes the server picks. */
#include "pkiws_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "proto/soap.h"

static int has_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (pkiws__strncaseeq(hay, needle, n))
            return 1;
    return 0;
}

/* The raw text of an element (not trimmed: a password may begin or end with a space). */
static const char *tok_text(const pkiws_xml_node *n)
{
    return n->text ? n->text : "";
}

static char *dup_text(pkiws_xml_doc *doc, const pkiws_xml_node *n)
{
    const char *t = pkiws__xml_text_trim(doc, n);
    return t ? pkiws__strdup(t) : NULL;
}

int pkiws__soap_check_fault(pkiws_xml_doc *doc, const char *operation)
{
    pkiws_xml_node *body = pkiws__xml_soap_body_child(doc);
    if (!body || !pkiws__xml_is(body, PKIWS_NS_SOAP, "Fault"))
        return PKIWS_OK;
    /* faultcode/faultstring/detail are unqualified in SOAP 1.1; accept any namespace. */
    const char *fs = pkiws__xml_text_trim(doc, pkiws__xml_child(body, NULL, "faultstring"));
    const char *fc = pkiws__xml_text_trim(doc, pkiws__xml_child(body, NULL, "faultcode"));
    pkiws_xml_node *detail = pkiws__xml_child(body, NULL, "detail");
    const char *ec =
        detail ? pkiws__xml_text_trim(doc, pkiws__xml_find(detail, NULL, "errorcode")) : NULL;
    const char *dm =
        detail ? pkiws__xml_text_trim(doc, pkiws__xml_find(detail, NULL, "message")) : NULL;
    if (!fs)
        fs = "";
    char extra[600] = "";
    if ((ec && *ec) || (dm && *dm && strcmp(dm, fs) != 0))
        snprintf(extra, sizeof extra, " [detail:%s%s%s%s]", ec && *ec ? " errorcode " : "",
                 ec && *ec ? ec : "", dm && *dm && strcmp(dm, fs) ? " message " : "",
                 dm && *dm && strcmp(dm, fs) ? dm : "");
    if (ec)
        pkiws__err_native("soap", strtoll(ec, NULL, 10));
    const char *all = fs;
    if (has_ci(all, "request element is not understood") ||
        (dm && has_ci(dm, "request element is not understood")))
        return pkiws__fail_remedy(PKIWS_E_PROFILE_NOT_FOUND, PKIWS__REMEDY_PROFILE_NOT_FOUND,
                                  "%s: the CA answered \"%s\"%s: no certificate profile template "
                                  "for this OID",
                                  operation, fs, extra);
    if (has_ci(all, "special character") || (dm && has_ci(dm, "special character")))
        return pkiws__fail_remedy(PKIWS_E_UNSUPPORTED_CHARS, PKIWS__REMEDY_UNSUPPORTED_CHARS,
                                  "%s: the CA answered \"%s\"%s", operation, fs, extra);
    if (has_ci(all, "policy verification") || has_ci(all, "template attribute") ||
        has_ci(all, "not in the template") || has_ci(all, "mandatory attribute"))
        return pkiws__fail_remedy(PKIWS_E_POLICY_MISMATCH, PKIWS__REMEDY_POLICY_MISMATCH,
                                  "%s: the CA answered \"%s\"%s", operation, fs, extra);
    if (fc && has_ci(fc, "Client"))
        return pkiws__fail(PKIWS_E_REJECTED, "%s: the CA rejected the request: \"%s\"%s", operation,
                           fs, extra);
    return pkiws__fail(PKIWS_E_SOAP_FAULT, "%s: SOAP fault %s \"%s\"%s", operation, fc ? fc : "",
                       fs, extra);
}

static pkiws_xml_node *expect_body(pkiws_xml_doc *doc, const char *ns, const char *local,
                                   const char *operation)
{
    pkiws_xml_node *body = pkiws__xml_soap_body_child(doc);
    if (!body) {
        pkiws__fail(PKIWS_E_PROTOCOL, "%s: the answer has no SOAP Body content", operation);
        return NULL;
    }
    if (!pkiws__xml_is(body, ns, local)) {
        pkiws__fail(PKIWS_E_PROTOCOL, "%s: expected {%s}%s in the SOAP Body, got {%s}%s", operation,
                    ns, local, body->ns, body->local);
        return NULL;
    }
    return body;
}

/* The response element {ns}local of a non-fault answer: a SOAP fault gives its mapped code, any
 * other body PKIWS_E_PROTOCOL; *rc says which (PKIWS_OK with a node). */
static pkiws_xml_node *response(pkiws_xml_doc *doc, const char *ns, const char *local,
                                const char *operation, int *rc)
{
    if ((*rc = pkiws__soap_check_fault(doc, operation)))
        return NULL;
    pkiws_xml_node *r = expect_body(doc, ns, local, operation);
    if (!r)
        *rc = pkiws__err_code();
    return r;
}

void pkiws__soap_token_dispose(pkiws__soap_token *t)
{
    pkiws__free(t->client_txid);
    pkiws__free(t->server_txid);
    pkiws__free(t->disposition);
    pkiws__free(t->pending_ref);
    if (t->is_pkcs12)
        pkiws__free_secret(t->token, t->token_len);
    else
        pkiws__free(t->token);
    pkiws__free_secret(t->pkcs12_password, 0);
    memset(t, 0, sizeof *t);
}

int pkiws__soap_parse_token(pkiws_xml_doc *doc, pkiws__soap_token *out)
{
    memset(out, 0, sizeof *out);
    const char *op = "RequestSecurityToken";
    int rc = pkiws__soap_check_fault(doc, op);
    if (rc)
        return rc;
    pkiws_xml_node *body = pkiws__xml_soap_body_child(doc);
    pkiws_xml_node *rstr = NULL;
    if (body && pkiws__xml_is(body, PKIWS_NS_WST, "RequestSecurityTokenResponseCollection"))
        rstr = pkiws__xml_child(body, PKIWS_NS_WST, "RequestSecurityTokenResponse");
    else
        rstr = expect_body(doc, PKIWS_NS_WST, "RequestSecurityTokenResponse", op);
    if (!rstr)
        return body && pkiws__xml_is(body, PKIWS_NS_WST, "RequestSecurityTokenResponseCollection")
                   ? pkiws__fail(PKIWS_E_PROTOCOL,
                                 "%s: empty RequestSecurityTokenResponseCollection", op)
                   : pkiws__err_code();
    pkiws_xml_node *r = pkiws__xml_child(rstr, PKIWS_NS_ENROLL, "RequestVSSecurityTokenResponse");
    if (!r)
        return pkiws__fail(
            PKIWS_E_PROTOCOL,
            "%s: RequestSecurityTokenResponse has no {%s}RequestVSSecurityTokenResponse", op,
            PKIWS_NS_ENROLL);
    out->client_txid = dup_text(doc, pkiws__xml_child(r, PKIWS_NS_ENROLL, "clientTransactionID"));
    out->server_txid = dup_text(doc, pkiws__xml_child(r, PKIWS_NS_ENROLL, "serverTransactionID"));
    out->disposition = dup_text(doc, pkiws__xml_child(r, PKIWS_NS_ENROLL, "dispositionMessage"));
    pkiws_xml_node *req = pkiws__xml_child(r, PKIWS_NS_ENROLL, "requestedVSSecurityToken");
    if (!req) {
        rc =
            pkiws__fail(PKIWS_E_PROTOCOL,
                        "%s: the answer has neither a certificate nor a pending reference "
                        "(no requestedVSSecurityToken)%s%s",
                        op, out->disposition ? ": " : "", out->disposition ? out->disposition : "");
        goto fail;
    }
    pkiws_xml_node *pend = pkiws__xml_child(req, PKIWS_NS_ENROLL, "pendingTokenReferenceID");
    if (pend) {
        out->pending_ref = dup_text(doc, pend);
        if (!out->pending_ref || !*out->pending_ref) {
            rc = pkiws__fail(PKIWS_E_PROTOCOL, "%s: empty pendingTokenReferenceID", op);
            goto fail;
        }
        return PKIWS_OK;
    }
    pkiws_xml_node *tok = pkiws__xml_child(req, PKIWS_NS_ENROLL, "binarySecurityToken");
    if (!tok) {
        rc = pkiws__fail(PKIWS_E_PROTOCOL,
                         "%s: requestedVSSecurityToken has no binarySecurityToken", op);
        goto fail;
    }
    pkiws_buf der = PKIWS_BUF_INIT;
    const char *text = tok->text ? tok->text : "";
    size_t tl;
    pkiws__trim(text, strlen(text), &tl);
    if (tl == 0) {
        rc = pkiws__fail(PKIWS_E_PROTOCOL, "%s: the binarySecurityToken is empty", op);
        goto fail;
    }
    /* Server-side key generation: a PKCS#12 with its password beside it. Whether the CA sets
     * the ValueType is [?] (protocol.md §2.3), so the password alone says PKCS#12 too. */
    const char *vt = pkiws__xml_attr(tok, "", "ValueType");
    pkiws_xml_node *pw = pkiws__xml_child(req, PKIWS_NS_ENROLL, "pKCS12Password");
    out->is_pkcs12 = pw || (vt && !strcmp(vt, PKIWS__TOKEN_PKCS12));
    der.secret = out->is_pkcs12;
    if (pw && !(out->pkcs12_password = pkiws__strdup(tok_text(pw)))) {
        rc = PKIWS_E_NOMEM;
        goto fail;
    }
    rc = pkiws__b64_decode(text, strlen(text), &der);
    if (rc) {
        pkiws__buf_dispose(&der);
        rc = pkiws__fail_context(PKIWS_E_PROTOCOL, "%s: binarySecurityToken", op);
        goto fail;
    }
    out->token = pkiws__buf_detach(&der, &out->token_len);
    return out->token ? PKIWS_OK : PKIWS_E_NOMEM;
fail:
    pkiws__soap_token_dispose(out);
    return rc;
}

static int parse_int(const char *s, int *out)
{
    if (!s || !*s)
        return 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || v < INT32_MIN || v > INT32_MAX)
        return 0;
    *out = (int)v;
    return 1;
}

void pkiws__soap_recovery_dispose(pkiws__soap_recovery *r)
{
    pkiws__free(r->server_txid);
    pkiws__free_secret(r->pfx_password, 0);
    pkiws__free_secret(r->pfx, r->pfx_len);
    memset(r, 0, sizeof *r);
}

int pkiws__soap_parse_key_recovery(pkiws_xml_doc *doc, pkiws__soap_recovery *out)
{
    memset(out, 0, sizeof *out);
    out->pending_count = -1;
    const char *op = "keyRecovery";
    int rc;
    pkiws_xml_node *r = response(doc, PKIWS_NS_MGMT, "requestKeyRecoveryResponseMessage", op, &rc);
    if (!r)
        return rc;
    out->server_txid = dup_text(doc, pkiws__xml_child(r, PKIWS_NS_MGMT, "serverTransactionID"));
    const char *cnt =
        pkiws__xml_text_trim(doc, pkiws__xml_child(r, PKIWS_NS_MGMT, "adminApprovalPendingCount"));
    if (cnt && (!parse_int(cnt, &out->pending_count) || out->pending_count < 0)) {
        rc = pkiws__fail(PKIWS_E_PROTOCOL, "%s: adminApprovalPendingCount '%.32s' is not a count",
                         op, cnt);
        goto fail;
    }
    pkiws_xml_node *pw = pkiws__xml_child(r, PKIWS_NS_MGMT, "pKCS12Password");
    if (pw && !(out->pfx_password = pkiws__strdup(tok_text(pw)))) {
        rc = PKIWS_E_NOMEM;
        goto fail;
    }
    /* pKCS12Message is 0..n strings; what more than one would mean is [?] (protocol.md §4.5):
     * the first non-empty one is the recovered PKCS#12 (base64 DER). */
    for (pkiws_xml_node *m = pkiws__xml_child(r, PKIWS_NS_MGMT, "pKCS12Message"); m && !out->pfx;
         m = pkiws__xml_next_named(m, PKIWS_NS_MGMT, "pKCS12Message")) {
        const char *b64 = pkiws__xml_text_trim(doc, m);
        if (!b64 || !*b64)
            continue;
        pkiws_buf der = PKIWS_BUF_INIT;
        der.secret = 1;
        if ((rc = pkiws__b64_decode(b64, strlen(b64), &der))) {
            pkiws__buf_dispose(&der);
            rc = pkiws__fail_context(PKIWS_E_PROTOCOL, "%s: pKCS12Message", op);
            goto fail;
        }
        if (!(out->pfx = pkiws__buf_detach(&der, &out->pfx_len))) {
            rc = PKIWS_E_NOMEM;
            goto fail;
        }
    }
    if (!out->pfx && out->pending_count <= 0) {
        rc = pkiws__fail(PKIWS_E_PROTOCOL,
                         "%s: the answer has neither a PKCS#12 (pKCS12Message) nor a pending "
                         "approval count (adminApprovalPendingCount)",
                         op);
        goto fail;
    }
    return PKIWS_OK;
fail:
    pkiws__soap_recovery_dispose(out);
    return rc;
}

void pkiws__soap_status_result_dispose(pkiws__soap_status_result *r)
{
    pkiws__free(r->server_txid);
    pkiws__free(r->success_msg);
    memset(r, 0, sizeof *r);
}

/* op: "updateCertificateStatus" or "bulkUpdateCertificateStatus"; the answer is op + "Response". */
static int parse_status(pkiws_xml_doc *doc, const char *op, pkiws__soap_status_result *out)
{
    memset(out, 0, sizeof *out);
    char element[64];
    snprintf(element, sizeof element, "%sResponse", op);
    int rc;
    pkiws_xml_node *r = response(doc, PKIWS_NS_MGMT, element, op, &rc);
    if (!r)
        return rc;
    const char *sc = pkiws__xml_text_trim(doc, pkiws__xml_child(r, PKIWS_NS_MGMT, "successCode"));
    if (!parse_int(sc, &out->success_code))
        return pkiws__fail(PKIWS_E_PROTOCOL, "%s: successCode '%s' is not a number", op,
                           sc ? sc : "(missing)");
    const char *cnt =
        pkiws__xml_text_trim(doc, pkiws__xml_child(r, PKIWS_NS_MGMT, "revocationCount"));
    if (cnt && !parse_int(cnt, &out->revocation_count))
        return pkiws__fail(PKIWS_E_PROTOCOL, "%s: revocationCount '%s' is not a number", op, cnt);
    out->success_msg = dup_text(doc, pkiws__xml_child(r, PKIWS_NS_MGMT, "successMsg"));
    out->server_txid = dup_text(doc, pkiws__xml_child(r, PKIWS_NS_MGMT, "serverTransactionID"));
    return PKIWS_OK;
}

int pkiws__soap_parse_update_status(pkiws_xml_doc *doc, pkiws__soap_status_result *out)
{
    return parse_status(doc, "updateCertificateStatus", out);
}

int pkiws__soap_parse_bulk_update_status(pkiws_xml_doc *doc, pkiws__soap_status_result *out)
{
    return parse_status(doc, "bulkUpdateCertificateStatus", out);
}

void pkiws__soap_health_dispose(pkiws__soap_health *h)
{
    pkiws__free(h->server_txid);
    pkiws__free(h->message);
    memset(h, 0, sizeof *h);
}

int pkiws__soap_parse_health(pkiws_xml_doc *doc, pkiws__soap_health *out)
{
    memset(out, 0, sizeof *out);
    const char *op = "getStatus";
    int rc;
    pkiws_xml_node *r = response(doc, PKIWS_NS_HEALTH, "getStatusResponseMessage", op, &rc);
    if (!r)
        return rc;
    const char *code =
        pkiws__xml_text_trim(doc, pkiws__xml_child(r, PKIWS_NS_HEALTH, "statusCode"));
    if (!code || (strcmp(code, "UP") && strcmp(code, "DOWN")))
        return pkiws__fail(PKIWS_E_PROTOCOL, "%s: statusCode '%s' is neither UP nor DOWN", op,
                           code ? code : "(missing)");
    out->up = strcmp(code, "UP") == 0;
    out->message = dup_text(doc, pkiws__xml_child(r, PKIWS_NS_HEALTH, "statusMessage"));
    out->server_txid = dup_text(doc, pkiws__xml_child(r, PKIWS_NS_HEALTH, "serverTransactionID"));
    return PKIWS_OK;
}

void pkiws__soap_search_result_dispose(pkiws__soap_search_result *r)
{
    for (size_t i = 0; i < r->nfound; i++) {
        pkiws__free(r->found[i].der);
        pkiws__free(r->found[i].seat);
        pkiws__free(r->found[i].status);
        pkiws__free(r->found[i].serial);
    }
    pkiws__free(r->found);
    pkiws__free(r->server_txid);
    memset(r, 0, sizeof *r);
}

int pkiws__soap_parse_search(pkiws_xml_doc *doc, pkiws__soap_search_result *out)
{
    memset(out, 0, sizeof *out);
    const char *op = "searchCertificate";
    int rc;
    pkiws_xml_node *r = response(doc, PKIWS_NS_MGMT, "searchCertificateResponse", op, &rc);
    if (!r)
        return rc;
    const char *cnt =
        pkiws__xml_text_trim(doc, pkiws__xml_child(r, PKIWS_NS_MGMT, "certificateCount"));
    if (!parse_int(cnt, &out->count) || out->count < 0)
        return pkiws__fail(PKIWS_E_PROTOCOL, "%s: certificateCount '%s' is not a count", op,
                           cnt ? cnt : "(missing)");
    const char *more =
        pkiws__xml_text_trim(doc, pkiws__xml_child(r, PKIWS_NS_MGMT, "moreCertificateAvailable"));
    out->more = more && (!strcmp(more, "true") || !strcmp(more, "1"));
    out->server_txid = dup_text(doc, pkiws__xml_child(r, PKIWS_NS_MGMT, "serverTransactionID"));
    pkiws_xml_node *list = pkiws__xml_child(r, PKIWS_NS_MGMT, "certificateList");
    for (pkiws_xml_node *ci = list ? list->first_child : NULL; ci && rc == PKIWS_OK;
         ci = ci->next) {
        if (!pkiws__xml_is(ci, PKIWS_NS_MGMT, "certificateInformation"))
            continue;
        pkiws__soap_found *f = pkiws__realloc(out->found, (out->nfound + 1) * sizeof *f);
        if (!f) {
            rc = PKIWS_E_NOMEM;
            break;
        }
        out->found = f;
        f = &out->found[out->nfound++];
        memset(f, 0, sizeof *f);
        const char *b64 =
            pkiws__xml_text_trim(doc, pkiws__xml_child(ci, PKIWS_NS_MGMT, "certificate"));
        pkiws_buf der = PKIWS_BUF_INIT;
        if (!b64 || !*b64)
            rc = pkiws__fail(PKIWS_E_PROTOCOL, "%s: certificateInformation #%zu has no certificate",
                             op, out->nfound);
        else if ((rc = pkiws__b64_decode(b64, strlen(b64), &der)))
            rc = pkiws__fail_context(PKIWS_E_PROTOCOL, "%s: certificateInformation #%zu", op,
                                     out->nfound);
        if (rc) {
            pkiws__buf_dispose(&der);
            break;
        }
        f->der = pkiws__buf_detach(&der, &f->der_len);
        f->seat = dup_text(doc, pkiws__xml_child(ci, PKIWS_NS_MGMT, "seatId"));
        f->status = dup_text(doc, pkiws__xml_child(ci, PKIWS_NS_MGMT, "status"));
        f->serial = dup_text(doc, pkiws__xml_child(ci, PKIWS_NS_MGMT, "serialNumber"));
        if (!f->der)
            rc = PKIWS_E_NOMEM;
    }
    if (rc)
        pkiws__soap_search_result_dispose(out);
    return rc;
}
