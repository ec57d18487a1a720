/* SPDX-License-Identifier: MIT */
/* Request builders: elements in schema order, namespaces exact (protocol.md §2.2, §3.2, §4.2,
 * §4.4, §5.2). Prefixes are ours; only the namespace URIs matter. */
#include "pkiws_internal.h"

#include <stdio.h>

#include "proto/soap.h"

#define WST_ISSUE "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue"
#define WST_RENEW "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Renew"
#define TOKEN_X509V3                                                                               \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
#define VS_QUERY "http://schemas.verisign.com/pkiservices/2009/07/QueryTokenStatus"
#define VS_PKCS10 "http://schemas.verisign.com/pkiservices/2009/07/PKCS10"
#define WSSE_B64                                                                                   \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#"           \
    "base64binary"
#define TOKEN_PKCS7                                                                                \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#PKCS7"

static void envelope_open(pkiws_xml_writer *w)
{
    pkiws__xmlw_init(w);
    pkiws__xmlw_start(w, "soapenv:Envelope");
    pkiws__xmlw_attr(w, "xmlns:soapenv", PKIWS_NS_SOAP);
    pkiws__xmlw_start(w, "soapenv:Body");
}

static int envelope_close(pkiws_xml_writer *w, pkiws_buf *out)
{
    pkiws__xmlw_end(w); /* Body */
    pkiws__xmlw_end(w); /* Envelope */
    int rc = pkiws__xmlw_finish(w, out);
    pkiws__xmlw_dispose(w);
    return rc;
}

static int check_txid(const char *txid)
{
    if (txid && strlen(txid) > 40)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "clientTransactionID '%s' is longer than 40 characters", txid);
    return PKIWS_OK;
}

int pkiws__soap_get_policies(const char *oid, const char *txid, pkiws_buf *out)
{
    int rc = check_txid(txid);
    if (rc)
        return rc;
    pkiws_xml_writer w;
    envelope_open(&w);
    pkiws__xmlw_start(&w, "pol:getPolicies");
    pkiws__xmlw_attr(&w, "xmlns:pol", PKIWS_NS_POLICY);
    pkiws__xmlw_leaf(&w, "pol:version", "2.0");
    if (txid)
        pkiws__xmlw_leaf(&w, "pol:clientTransactionID", txid);
    pkiws__xmlw_start(&w, "pol:requestFilter");
    if (oid) {
        pkiws__xmlw_start(&w, "pol:policyIDs");
        pkiws__xmlw_leaf(&w, "pol:oid", oid);
        pkiws__xmlw_end(&w);
    } else {
        pkiws__xmlw_attr(&w, "xmlns:xsi", PKIWS_NS_XSI);
        pkiws__xmlw_attr(&w, "xsi:nil", "true");
    }
    pkiws__xmlw_end(&w); /* requestFilter */
    pkiws__xmlw_end(&w); /* getPolicies */
    return envelope_close(&w, out);
}

int pkiws__soap_request_security_token(const pkiws__soap_enroll *e, pkiws_buf *out)
{
    const uint8_t *old_cert_der = e->old_cert_der;
    int rc = check_txid(e->txid);
    if (rc)
        return rc;
    if (old_cert_der && (e->pending_ref || !e->old_cert_len || (!e->csr_der && !e->want_pkcs12)))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "Renew needs the CSR and the old certificate");
    if (!e->pending_ref && !e->csr_der && !e->want_pkcs12)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "Issue needs a CSR unless the CA makes the key");
    pkiws_buf b64 = PKIWS_BUF_INIT;
    if (!e->pending_ref && e->csr_der && (rc = pkiws__b64_encode(e->csr_der, e->csr_len, &b64)))
        return rc;
    pkiws_buf old64 = PKIWS_BUF_INIT;
    if (!e->pending_ref && old_cert_der &&
        (rc = pkiws__b64_encode(old_cert_der, e->old_cert_len, &old64))) {
        pkiws__buf_dispose(&b64);
        return rc;
    }
    pkiws_xml_writer w;
    envelope_open(&w);
    pkiws__xmlw_start(&w, "wst:RequestSecurityToken");
    pkiws__xmlw_attr(&w, "xmlns:wst", PKIWS_NS_WST);
    pkiws__xmlw_start(&w, "vs:requestVSSecurityToken");
    pkiws__xmlw_attr(&w, "xmlns:vs", PKIWS_NS_ENROLL);
    pkiws__xmlw_attr(&w, "preferredLanguage", "en-US");
    pkiws__xmlw_leaf(&w, "vs:certificateProfileID", e->profile_oid);
    if (e->txid)
        pkiws__xmlw_leaf(&w, "vs:clientTransactionID", e->txid);
    if (e->pending_ref) {
        pkiws__xmlw_leaf(&w, "vs:requestType", VS_QUERY);
        pkiws__xmlw_leaf(&w, "vs:pendingTokenReferenceID", e->pending_ref);
    } else {
        pkiws__xmlw_leaf(&w, "vs:tokenType", e->want_pkcs12 ? PKIWS__TOKEN_PKCS12 : TOKEN_PKCS7);
        pkiws__xmlw_leaf(&w, "vs:requestType", old_cert_der ? WST_RENEW : WST_ISSUE);
        if (e->csr_der) {
            pkiws__xmlw_start(&w, "vs:binarySecurityToken");
            pkiws__xmlw_attr(&w, "ValueType", VS_PKCS10);
            pkiws__xmlw_attr(&w, "EncodingType", WSSE_B64);
            pkiws__xmlw_text(&w, pkiws__buf_cstr(&b64));
            pkiws__xmlw_end(&w);
        }
        if (old_cert_der) {
            pkiws__xmlw_start(&w, "vs:binarySecurityToken");
            pkiws__xmlw_attr(&w, "ValueType", TOKEN_X509V3);
            pkiws__xmlw_attr(&w, "EncodingType", WSSE_B64);
            pkiws__xmlw_text(&w, pkiws__buf_cstr(&old64));
            pkiws__xmlw_end(&w);
        }
        for (size_t i = 0; i < e->nnvps; i++) {
            pkiws__xmlw_start(&w, "vs:nameValuePair");
            pkiws__xmlw_leaf(&w, "vs:name", e->nvps[i].name);
            pkiws__xmlw_leaf(&w, "vs:value", e->nvps[i].value);
            pkiws__xmlw_end(&w);
        }
    }
    pkiws__xmlw_leaf(&w, "vs:version", "2.0");
    pkiws__xmlw_end(&w); /* requestVSSecurityToken */
    pkiws__xmlw_end(&w); /* RequestSecurityToken */
    pkiws__buf_dispose(&b64);
    pkiws__buf_dispose(&old64);
    return envelope_close(&w, out);
}

int pkiws__soap_request_key_recovery(const pkiws__soap_key_recovery *k, pkiws_buf *out)
{
    int rc = check_txid(k->txid);
    if (rc)
        return rc;
    if (!k->serial || !k->issuer || !k->admin_id)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "keyRecovery needs the serial, the issuer and the admin id");
    pkiws_xml_writer w;
    envelope_open(&w);
    w.out.secret = k->pfx_password != NULL; /* wiped on growth and when freed */
    pkiws__xmlw_start(&w, "m:requestKeyRecoveryMessage");
    pkiws__xmlw_attr(&w, "xmlns:m", PKIWS_NS_MGMT);
    if (k->txid)
        pkiws__xmlw_leaf(&w, "m:clientTransactionID", k->txid);
    if (k->pfx_password)
        pkiws__xmlw_leaf(&w, "m:pKCS12Password", k->pfx_password);
    pkiws__xmlw_leaf(&w, "m:certificateSerialNumber", k->serial);
    pkiws__xmlw_leaf(&w, "m:certificateIssuer", k->issuer);
    pkiws__xmlw_leaf(&w, "m:adminID", k->admin_id);
    pkiws__xmlw_leaf(&w, "m:version", "1.0");
    pkiws__xmlw_end(&w);
    return envelope_close(&w, out);
}

static const char *op_name(int operation)
{
    static const char *const ops[] = {NULL, "Revoke", "Suspend", "Resume"};
    return operation >= PKIWS__OP_REVOKE && operation <= PKIWS__OP_RESUME ? ops[operation] : NULL;
}

int pkiws__soap_update_certificate_status(const pkiws__soap_update_status *u, pkiws_buf *out)
{
    int rc = check_txid(u->txid);
    if (rc)
        return rc;
    if (!u->serial == !u->seat)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "updateCertificateStatus needs exactly one of serial and seat id");
    const char *op = op_name(u->operation);
    if (!op)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "unknown certificate operation %d", u->operation);
    pkiws_xml_writer w;
    envelope_open(&w);
    pkiws__xmlw_start(&w, "m:updateCertificateStatusRequest");
    pkiws__xmlw_attr(&w, "xmlns:m", PKIWS_NS_MGMT);
    if (u->txid)
        pkiws__xmlw_leaf(&w, "m:clientTransactionID", u->txid);
    pkiws__xmlw_leaf(&w, "m:version", "1.0");
    if (u->issuer)
        pkiws__xmlw_leaf(&w, "m:certificateIssuer", u->issuer);
    if (u->reason)
        pkiws__xmlw_leaf(&w, "m:revocationReason", u->reason);
    if (u->comment)
        pkiws__xmlw_leaf(&w, "m:comment", u->comment);
    if (u->serial)
        pkiws__xmlw_leaf(&w, "m:certificateSerialNumber", u->serial);
    else
        pkiws__xmlw_leaf(&w, "m:seatId", u->seat);
    pkiws__xmlw_leaf(&w, "m:operationType", op);
    pkiws__xmlw_end(&w);
    return envelope_close(&w, out);
}

int pkiws__soap_bulk_update_certificate_status(const pkiws__soap_bulk_status *b, pkiws_buf *out)
{
    int rc = check_txid(b->txid);
    if (rc)
        return rc;
    static const char *const lists[] = {NULL, "m:certificateSerialNumber", "m:seatId",
                                        "m:profileOID"};
    const char *op = op_name(b->operation);
    if (!op)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "unknown certificate operation %d", b->operation);
    if (b->kind < PKIWS__BULK_SERIAL || b->kind > PKIWS__BULK_PROFILE)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "unknown bulk id kind %d", b->kind);
    if (b->n < 1 || b->n > PKIWS__BULK_MAX)
        return pkiws__fail(PKIWS_E_LIMIT, "bulkUpdateCertificateStatus takes 1 to %d ids, not %zu",
                           PKIWS__BULK_MAX, b->n);
    pkiws_xml_writer w;
    envelope_open(&w);
    pkiws__xmlw_start(&w, "m:bulkUpdateCertificateStatusRequest");
    pkiws__xmlw_attr(&w, "xmlns:m", PKIWS_NS_MGMT);
    if (b->txid)
        pkiws__xmlw_leaf(&w, "m:clientTransactionID", b->txid);
    pkiws__xmlw_leaf(&w, "m:version", "1.0");
    if (b->reason)
        pkiws__xmlw_leaf(&w, "m:revocationReason", b->reason);
    if (b->comment)
        pkiws__xmlw_leaf(&w, "m:comment", b->comment);
    for (size_t i = 0; i < b->n; i++)
        pkiws__xmlw_leaf(&w, lists[b->kind], b->ids[i]);
    pkiws__xmlw_leaf(&w, "m:operationType", op);
    pkiws__xmlw_end(&w);
    return envelope_close(&w, out);
}

int pkiws__soap_search_certificate(const pkiws__soap_search *s, pkiws_buf *out)
{
    int rc = check_txid(s->txid);
    if (rc)
        return rc;
    pkiws_xml_writer w;
    envelope_open(&w);
    pkiws__xmlw_start(&w, "m:searchCertificateRequest");
    pkiws__xmlw_attr(&w, "xmlns:m", PKIWS_NS_MGMT);
    if (s->txid)
        pkiws__xmlw_leaf(&w, "m:clientTransactionID", s->txid);
    if (s->seat)
        pkiws__xmlw_leaf(&w, "m:seatId", s->seat);
    if (s->profile_oid)
        pkiws__xmlw_leaf(&w, "m:profileOID", s->profile_oid);
    if (s->common_name)
        pkiws__xmlw_leaf(&w, "m:commonName", s->common_name);
    if (s->status)
        pkiws__xmlw_leaf(&w, "m:status", s->status);
    if (s->email)
        pkiws__xmlw_leaf(&w, "m:emailAddress", s->email);
    if (s->serial)
        pkiws__xmlw_leaf(&w, "m:serialNumber", s->serial);
    if (s->start_index >= 0) {
        char idx[16];
        snprintf(idx, sizeof idx, "%d", s->start_index);
        pkiws__xmlw_leaf(&w, "m:startIndex", idx);
    }
    pkiws__xmlw_leaf(&w, "m:version", "1.0");
    pkiws__xmlw_end(&w);
    return envelope_close(&w, out);
}

int pkiws__soap_get_status(const char *profile_oid, const char *txid, pkiws_buf *out)
{
    int rc = check_txid(txid);
    if (rc)
        return rc;
    pkiws_xml_writer w;
    envelope_open(&w);
    pkiws__xmlw_start(&w, "hc:getStatusRequestMessage");
    pkiws__xmlw_attr(&w, "xmlns:hc", PKIWS_NS_HEALTH);
    pkiws__xmlw_leaf(&w, "hc:version", "1.0");
    if (txid)
        pkiws__xmlw_leaf(&w, "hc:clientTransactionID", txid);
    pkiws__xmlw_leaf(&w, "hc:operationType", "ENROLL");
    if (profile_oid)
        pkiws__xmlw_leaf(&w, "hc:profileOid", profile_oid);
    pkiws__xmlw_end(&w);
    return envelope_close(&w, out);
}
