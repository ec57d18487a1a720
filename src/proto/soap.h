/* SPDX-License-Identifier: MIT */
/*
 * The pki-ws SOAP 1.1 messages (protocol.md): request builders in schema order with exact
 * namespaces, and response parsers that match by namespace URI whatever the prefixes. Pure:
 * no I/O. Every request built here must validate with shared/tools/pkiws-validate.
 */
#ifndef PKIWS_PROTO_SOAP_H
#define PKIWS_PROTO_SOAP_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "xml/xml.h"

/* Service paths under the base URL, and SOAPActions (protocol.md §2.1, §3.1, §4.1, §5.2). */
#define PKIWS__SVC_POLICY "policyService"
#define PKIWS__SVC_ENROLL "enrollmentService"
#define PKIWS__SVC_MGMT "certificateManagementService"
#define PKIWS__SVC_HEALTH "healthcheckService"
#define PKIWS__ACTION_POLICY                                                                       \
    "http://schemas.verisign.com/pkiservices/2009/07/policy/requestPolicies"
#define PKIWS__ACTION_ENROLL                                                                       \
    "http://schemas.verisign.com/pkiservices/2009/07/enrollment/requestSecurityToken"
#define PKIWS__ACTION_UPDATE_STATUS                                                                \
    "http://schemas.verisign.com/pkiservices/2009/07/management/updateCertificateStatus"
#define PKIWS__ACTION_BULK_UPDATE_STATUS                                                           \
    "http://schemas.verisign.com/pkiservices/2009/07/management/bulkUpdateCertificateStatus"
#define PKIWS__ACTION_SEARCH                                                                       \
    "http://schemas.verisign.com/pkiservices/2009/07/management/searchCertificate"
#define PKIWS__ACTION_KEY_RECOVERY                                                                 \
    "http://schemas.verisign.com/pkiservices/2009/07/management/keyRecovery"
/* tokenType / ValueType of a PKCS#12 (server-side key generation, protocol.md §2.3). */
#define PKIWS__TOKEN_PKCS12 "http://schemas.verisign.com/pkiservices/2009/07/PKCS12"
#define PKIWS__ACTION_HEALTH "http://schemas.pki.symantec.com/pkiservices/healthcheck/getStatus"

/* ---- requests ---- */
int pkiws__soap_get_policies(const char *oid /* NULL: xsi:nil filter */, const char *txid,
                             pkiws_buf *out);

typedef struct pkiws__soap_nvp {
    const char *name;
    const char *value;
} pkiws__soap_nvp;

typedef struct pkiws__soap_enroll {
    const char *profile_oid;
    const char *txid;       /* <= 40 characters */
    const uint8_t *csr_der; /* Issue: the PKCS#10 */
    size_t csr_len;
    const char *pending_ref; /* non-NULL: QueryTokenStatus for this reference */
    const pkiws__soap_nvp *nvps;
    size_t nnvps;
    /* non-NULL: requestType Renew, the certificate to renew (DER) sent as a second
     * binarySecurityToken of ValueType X509v3 after the CSR (protocol.md §2.2) */
    const uint8_t *old_cert_der;
    size_t old_cert_len;
    /* 1: server-side key generation: tokenType PKCS12, and csr_der may be NULL (no
     * binarySecurityToken: the CA makes the key; protocol.md leaves open whether a CSR is still
     * expected [?], the schema allows 0..n tokens) */
    int want_pkcs12;
} pkiws__soap_enroll;
int pkiws__soap_request_security_token(const pkiws__soap_enroll *e, pkiws_buf *out);

/* requestKeyRecoveryMessage (protocol.md §4.5). */
typedef struct pkiws__soap_key_recovery {
    const char *txid;
    const char *pfx_password; /* pKCS12Password for the recovered PKCS#12, or NULL */
    const char *serial, *issuer, *admin_id;
} pkiws__soap_key_recovery;
/* out is marked secret when a password is sent. */
int pkiws__soap_request_key_recovery(const pkiws__soap_key_recovery *k, pkiws_buf *out);

#define PKIWS__OP_REVOKE 1
#define PKIWS__OP_SUSPEND 2
#define PKIWS__OP_RESUME 3
typedef struct pkiws__soap_update_status {
    const char *txid;
    int operation;       /* PKIWS__OP_* */
    const char *reason;  /* RevokeReasonCodeEnum text, or NULL */
    const char *comment; /* or NULL */
    const char *issuer;  /* certificateIssuer DN, or NULL */
    const char *serial;  /* exactly one of serial and seat */
    const char *seat;
} pkiws__soap_update_status;
int pkiws__soap_update_certificate_status(const pkiws__soap_update_status *u, pkiws_buf *out);

/* bulkUpdateCertificateStatusRequest (protocol.md §4.3): ids of one kind, 1..100 of them. */
#define PKIWS__BULK_MAX 100
#define PKIWS__BULK_SERIAL 1
#define PKIWS__BULK_SEAT 2
#define PKIWS__BULK_PROFILE 3
typedef struct pkiws__soap_bulk_status {
    const char *txid;
    int operation;       /* PKIWS__OP_* */
    const char *reason;  /* RevokeReasonCodeEnum text, or NULL */
    const char *comment; /* or NULL */
    int kind;            /* PKIWS__BULK_*: certificateSerialNumber, seatId or profileOID */
    const char *const *ids;
    size_t n;
} pkiws__soap_bulk_status;
int pkiws__soap_bulk_update_certificate_status(const pkiws__soap_bulk_status *b, pkiws_buf *out);

typedef struct pkiws__soap_search {
    const char *txid;
    const char *seat, *profile_oid, *common_name, *status, *email, *serial;
    int start_index; /* < 0: omitted */
} pkiws__soap_search;
int pkiws__soap_search_certificate(const pkiws__soap_search *s, pkiws_buf *out);

int pkiws__soap_get_status(const char *profile_oid, const char *txid, pkiws_buf *out);

/* ---- responses ---- */
/* If the body is a SOAP Fault, record it and return its code: "A request element is not
 * understood." → PKIWS_E_PROFILE_NOT_FOUND; text about special characters →
 * PKIWS_E_UNSUPPORTED_CHARS; about template/policy attributes → PKIWS_E_POLICY_MISMATCH;
 * other faults of enrolment → PKIWS_E_REJECTED; anything else → PKIWS_E_SOAP_FAULT. The
 * message quotes faultstring and detail//errorcode, detail//message (any depth). Returns
 * PKIWS_OK when the body is not a fault. */
int pkiws__soap_check_fault(pkiws_xml_doc *doc, const char *operation);

typedef struct pkiws__soap_token {
    char *client_txid, *server_txid, *disposition, *pending_ref;
    uint8_t *token; /* decoded binarySecurityToken (PKCS#7, X.509 or PKCS#12 DER) */
    size_t token_len;
    /* The token is a PKCS#12 (ValueType .../2009/07/PKCS12, or a pKCS12Password beside it):
     * token and pkcs12_password are secret (the CA's key) and wiped by the dispose. */
    int is_pkcs12;
    char *pkcs12_password; /* pKCS12Password, or NULL */
} pkiws__soap_token;
/* RequestSecurityTokenResponse or ...ResponseCollection (first response). Either a token or a
 * pendingTokenReferenceID; neither → PKIWS_E_PROTOCOL. */
int pkiws__soap_parse_token(pkiws_xml_doc *doc, pkiws__soap_token *out);
void pkiws__soap_token_dispose(pkiws__soap_token *t);

typedef struct pkiws__soap_recovery {
    char *server_txid;
    int pending_count;  /* adminApprovalPendingCount; -1 when absent */
    char *pfx_password; /* pKCS12Password (secret), or NULL */
    uint8_t *pfx;       /* the first pKCS12Message, decoded (secret), or NULL */
    size_t pfx_len;
} pkiws__soap_recovery;
/* requestKeyRecoveryResponseMessage. A count > 0 without a PKCS#12 is "pending"; neither a
 * count nor a PKCS#12: PKIWS_E_PROTOCOL. */
int pkiws__soap_parse_key_recovery(pkiws_xml_doc *doc, pkiws__soap_recovery *out);
void pkiws__soap_recovery_dispose(pkiws__soap_recovery *r);

typedef struct pkiws__soap_status_result {
    char *server_txid;
    int success_code;
    char *success_msg;
    int revocation_count;
} pkiws__soap_status_result;
int pkiws__soap_parse_update_status(pkiws_xml_doc *doc, pkiws__soap_status_result *out);
/* bulkUpdateCertificateStatusResponse: the same fields. */
int pkiws__soap_parse_bulk_update_status(pkiws_xml_doc *doc, pkiws__soap_status_result *out);
void pkiws__soap_status_result_dispose(pkiws__soap_status_result *r);

typedef struct pkiws__soap_found {
    uint8_t *der; /* the certificate */
    size_t der_len;
    char *seat, *status, *serial; /* status: VALID, EXPIRED, REVOKED, SUSPENDED */
} pkiws__soap_found;

typedef struct pkiws__soap_search_result {
    char *server_txid;
    int count; /* certificateCount: all matches */
    int more;  /* moreCertificateAvailable */
    pkiws__soap_found *found;
    size_t nfound; /* on this page */
} pkiws__soap_search_result;
int pkiws__soap_parse_search(pkiws_xml_doc *doc, pkiws__soap_search_result *out);
void pkiws__soap_search_result_dispose(pkiws__soap_search_result *r);

typedef struct pkiws__soap_health {
    char *server_txid;
    int up; /* statusCode UP */
    char *message;
} pkiws__soap_health;
int pkiws__soap_parse_health(pkiws_xml_doc *doc, pkiws__soap_health *out);
void pkiws__soap_health_dispose(pkiws__soap_health *h);

#endif
