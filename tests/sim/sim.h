/* SPDX-License-Identifier: MIT */
/* pkiws-sim: the simulator of the pki-ws service; types shared by its source files. */
#ifndef PKIWS_SIM_H
#define PKIWS_SIM_H

#include "pkiws_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "crypto/crypto_int.h"
#include "proto/template.h"
#include "xml/xml.h"

#define SIM_MAX_FAULTS 32
#define SIM_NS_WST_WRONG "http://docs.oasis-open.org/ws-sx/ws-trust/200512"
#define SIM_NS_SOAP12 "http://www.w3.org/2003/05/soap-envelope"
#define SIM_NS_USERMGMT "http://schemas.verisign.com/pkiservices/2011/08/usermanagement"

/* Token and request type URIs of the enrollment schema. */
#define SIM_TOKEN_PKCS7                                                                            \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#PKCS7"
#define SIM_TOKEN_X509                                                                             \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
#define SIM_TOKEN_PKCS12 "http://schemas.verisign.com/pkiservices/2009/07/PKCS12"
#define SIM_VALUE_PKCS10 "http://schemas.verisign.com/pkiservices/2009/07/PKCS10"
#define SIM_ENCODING_B64                                                                           \
    "http://docs.oasis-open.org/wss/2004/01/"                                                      \
    "oasis-200401-wss-wssecurity-secext-1.0.xsd#base64binary"
#define SIM_REQ_ISSUE "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue"
#define SIM_REQ_RENEW "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Renew"
#define SIM_REQ_QUERY "http://schemas.verisign.com/pkiservices/2009/07/QueryTokenStatus"

/* The faultstring of an unknown profile (protocol.md §6.2, note "is", not "was"). */
#define SIM_NOT_UNDERSTOOD "A request element is not understood."

/* ---- operations (stats, --log-requests file names) ---- */
enum sim_op {
    SIM_OP_GET_POLICIES = 0,
    SIM_OP_RST,
    SIM_OP_UPDATE_STATUS,
    SIM_OP_SEARCH,
    SIM_OP_GET_STATUS,
    SIM_OP_BULK_UPDATE_STATUS,
    SIM_OP_KEY_RECOVERY,
    SIM_OP_OTHER,
    SIM_OP_COUNT
};
const char *sim_op_name(int op);

/* ---- faults (faults.c) ---- */
enum sim_fault_kind {
    SIM_F_DELAY = 1,
    SIM_F_RESET,
    SIM_F_DROP_AFTER_ISSUE,
    SIM_F_TRUNCATE,
    SIM_F_HTTP500,
    SIM_F_HTTP503,
    SIM_F_SOAP_FAULT,
    SIM_F_MALFORMED_XML,
    SIM_F_WRONG_NAMESPACE,
    SIM_F_EMPTY_TOKEN,
    SIM_F_NOT_PKCS7,
    SIM_F_HUGE_RESPONSE,
    SIM_F_SLOW_DRIP,
    SIM_F_PENDING
};

typedef struct sim_fault {
    int kind;
    long long arg;     /* delay ms, drip ms per byte, huge bytes, pending polls */
    char *text;        /* soap-fault text */
    unsigned only_nth; /* 0: every request; N: only the N-th request */
} sim_fault;

/* The faults that apply to one request. */
typedef struct sim_active {
    int any;
    long long delay_ms;
    int reset, drop_after_issue, truncate, http500, http503, malformed_xml, wrong_namespace;
    int empty_token, not_pkcs7, huge_response, slow_drip, pending;
    long long drip_ms, huge_bytes, pending_polls;
    const char *soap_fault_text;
} sim_active;

/* Parse "NAME[:ARG][@N]"; on error prints why to stderr and returns -1. */
int sim_fault_parse(const char *spec, sim_fault *out);
void sim_fault_free(sim_fault *f);
void sim_faults_for(const sim_fault *v, size_t n, unsigned reqno, sim_active *out);

/* ---- options ---- */
typedef struct sim_options {
    const char *listen;
    const char *port_file;
    const char *state_dir;
    const char *policy_file;
    const char *log_dir;
    int stats;
    int quiet;
    size_t max_request_bytes;
    long long request_timeout_ms;
    long long idle_timeout_ms;
    int max_connections;
    int page_size;
    int dual_admin; /* --dual-admin: every escrowed key needs two administrators to recover */
    long long escrow_pending; /* --escrow-pending N: escrow issuances held for N polls (0: no) */
    sim_fault faults[SIM_MAX_FAULTS];
    size_t nfaults;
} sim_options;

/* ---- the test PKI (pki.c) ---- */
typedef struct sim_pki {
    mbedtls_x509_crt root, issuing, ra_ca;
    mbedtls_x509_crt server_chain; /* server certificate, then the issuing CA */
    mbedtls_pk_context root_key, issuing_key, server_key;
    char *issuing_dn; /* "CN=pkiws-sim Issuing CA, O=pkiws test, C=US" */
} sim_pki;

struct sim_server;
/* Load the PKI of the state directory, creating it on first start. 0 or -1 (printed). */
int sim_pki_init(struct sim_server *srv, const char *dir);
void sim_pki_free(sim_pki *pki);

/* ---- certificate writing (certgen.c) ---- */
typedef struct sim_dn_part {
    const char *oid; /* DER content bytes of the attribute type */
    size_t oid_len;
    int tag; /* MBEDTLS_ASN1_UTF8_STRING, _IA5_STRING, _PRINTABLE_STRING */
    const char *value;
} sim_dn_part;

typedef struct sim_certspec {
    const sim_dn_part *subject;
    size_t nsubject;
    const mbedtls_x509_crt *issuer_crt; /* NULL: self-signed */
    mbedtls_pk_context *issuer_key;
    mbedtls_pk_context *subject_key;
    int64_t not_before, not_after; /* epoch seconds */
    int is_ca;
    int pathlen;            /* for CAs; -1 unlimited */
    unsigned key_usage;     /* MBEDTLS_X509_KU_* */
    const char *const *eku; /* dotted OIDs */
    size_t neku;
    const uint8_t *san_der; /* GeneralNames SEQUENCE, or NULL */
    size_t san_len;
    int san_critical;
    const char *policy_oid; /* certificatePolicies with this OID, or NULL */
} sim_certspec;

/* Write and sign a certificate; serial_hex receives its serial (upper-case hex). */
int sim_cert_build(struct sim_server *srv, const sim_certspec *spec, pkiws_buf *der,
                   char serial_hex[41]);
/* Append one GeneralName to a list being collected (forward order), then finish as
 * SEQUENCE OF GeneralName. */
typedef struct sim_san_list {
    pkiws_buf items; /* concatenated DER GeneralNames in order */
} sim_san_list;
int sim_san_add_text(sim_san_list *l, int tag, const char *text); /* 0x81, 0x82 */
int sim_san_add_othername(sim_san_list *l, const uint8_t *oid, size_t oid_len,
                          const uint8_t *value_der, size_t value_len); /* 0xA0 */
int sim_san_add_ip4(sim_san_list *l, const uint8_t ip[4]);             /* 0x87 */
int sim_san_finish(sim_san_list *l, pkiws_buf *out);
/* Length of one complete DER TLV at p (n bytes available), 0 when it is not one. */
size_t sim_der_tlv_len(const uint8_t *p, size_t n);
/* Epoch seconds of an mbedtls_x509_time. */
int64_t sim_x509_time(const mbedtls_x509_time *t);

/* ---- catalogue (catalogue.c) ---- */
typedef struct sim_profile {
    char *oid;
    pkiws__template *tpl;
    const pkiws_xml_node *policy; /* the policy element in the catalogue document */
    int pending;                  /* rAPolicy/verifyUser is true: answers PENDING */
    int seat_mandatory;
    int escrow;      /* the service makes the key (PKCS#12 answer) and escrows it */
    int dual_admin;  /* keyRecoveryDualAdminApprovalRequired */
    char **email_cn; /* CN attributes whose sourceAttributeName is mail_email */
    size_t n_email_cn;
} sim_profile;

typedef struct sim_catalogue {
    pkiws_buf text;
    pkiws_xml_doc *doc;
    const pkiws_xml_node *resp; /* getPoliciesResponse */
    sim_profile *profiles;
    size_t n;
    char *account_id;
} sim_catalogue;

int sim_catalogue_load(sim_catalogue *cat, const char *path /* NULL: built-in */);
void sim_catalogue_free(sim_catalogue *cat);
const sim_profile *sim_catalogue_find(const sim_catalogue *cat, const char *oid);

/* ---- SOAP errors and writing (soap.c) ---- */
typedef struct sim_error {
    int set;
    int http;              /* 500 */
    const char *faultcode; /* "S:Server" / "S:Client" / "S:VersionMismatch" */
    int errorcode;
    char message[768];
} sim_error;

int sim_err(sim_error *e, int errorcode, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sim_err_client(sim_error *e, int errorcode, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Error codes in fault details (README "Faults"). */
enum {
    SIM_EC_NOT_UNDERSTOOD = 1012,
    SIM_EC_MALFORMED = 1001,
    SIM_EC_MISSING = 1002,
    SIM_EC_INVALID = 1003,
    SIM_EC_POLICY_ATTR = 2001,
    SIM_EC_POLICY_MANDATORY = 2002,
    SIM_EC_SPECIAL_CHARS = 2003,
    SIM_EC_BAD_VALUE = 2004,
    SIM_EC_BAD_CSR = 2005,
    SIM_EC_KEY = 2006,
    SIM_EC_TXID_REUSED = 2007,
    SIM_EC_RENEW_UNKNOWN = 2008, /* the certificate to renew was not issued here */
    SIM_EC_RENEW_STATE = 2009,   /* revoked, suspended, expired, other profile or seat */
    SIM_EC_PENDING_REF = 3001,
    SIM_EC_UNSUPPORTED = 3002,
    SIM_EC_INJECTED = 9000
};

/* Envelope start/end around a response element (S: prefix, JAX-WS style). */
void sim_soap_begin(pkiws_xml_writer *w);
int sim_soap_end(pkiws_xml_writer *w, pkiws_buf *out);
/* A complete SOAP fault document. */
int sim_soap_fault(const sim_error *e, pkiws_buf *out);
/* New server transaction id (20 hex digits). */
void sim_server_txid(struct sim_server *srv, char out[21]);
/* Trimmed text of child {ns}local of node, or NULL when absent. */
const char *sim_child_text(pkiws_xml_doc *doc, const pkiws_xml_node *node, const char *ns,
                           const char *local);
/* Copy s into out, cut to at most max bytes on a UTF-8 boundary with "..." when cut. */
const char *sim_clip(const char *s, size_t max, char *out, size_t cap);
/* Check an optional clientTransactionID (<= 40 characters). */
int sim_check_txid(const char *txid, sim_error *e);

/* ---- store of issued certificates (store.c) ---- */
enum sim_cert_status { SIM_VALID = 0, SIM_REVOKED, SIM_SUSPENDED };

typedef struct sim_issued {
    char serial[41];
    uint8_t *der;
    size_t der_len;
    char *seat, *cn, *email, *profile_oid;
    int64_t not_before, not_after;
    int status;
    int64_t revoke_at;
    char *revoke_reason, *revoke_comment;
    uint8_t *escrow_key; /* PKCS#8 DER of the key the service made (escrow profiles), or NULL */
    size_t escrow_len;
    char **approvers; /* adminIDs that asked to recover the key (distinct) */
    size_t napprovers;
} sim_issued;

typedef struct sim_nvp {
    char *name, *value;
} sim_nvp;

typedef struct sim_pending {
    char ref[48];
    char *profile_oid;
    char *txid;
    char *csr_text; /* the binarySecurityToken text as received */
    sim_nvp *nvps;
    size_t nnvps;
    long long polls_left;
    long issued_index;   /* -1 until issued */
    uint8_t *escrow_key; /* escrow profiles: the key made at request time, PKCS#8 DER (secret) */
    size_t escrow_len;
} sim_pending;

typedef struct sim_txid {
    char *txid;
    char *profile_oid;
    uint8_t key_hash[32];
    long issued_index;  /* -1 when pending */
    long pending_index; /* -1 when issued directly */
} sim_txid;

typedef struct sim_store {
    pthread_mutex_t lock;
    sim_issued *certs;
    size_t ncerts, capcerts;
    sim_pending *pend;
    size_t npend, cappend;
    sim_txid *tx;
    size_t ntx, captx;
    unsigned long pending_seq;
} sim_store;

void sim_store_init(sim_store *s);
void sim_store_free(sim_store *s);
/* With the lock held: */
long sim_store_add_cert(sim_store *s, sim_issued *c); /* takes the contents; index or -1 */
sim_txid *sim_store_find_txid(sim_store *s, const char *txid);
int sim_store_add_txid(sim_store *s, const char *txid, const char *oid, const uint8_t hash[32],
                       long issued, long pending);
sim_pending *sim_store_find_pending(sim_store *s, const char *ref);
long sim_store_add_pending(sim_store *s, sim_pending *p); /* takes the contents */
void sim_nvps_free(sim_nvp *v, size_t n);
/* Serial comparison: case-insensitive, leading zeros, spaces and colons ignored. */
int sim_serial_eq(const char *a, const char *b);

/* ---- issuance (issue.c) ---- */
typedef struct sim_csr {
    mbedtls_x509_csr csr;
    uint8_t key_hash[32]; /* SHA-256 of the SubjectPublicKeyInfo */
    uint8_t *der;
    size_t der_len;
} sim_csr;

/* Parse a CSR given as base64 DER or PEM text and verify its signature. */
int sim_csr_parse(const char *text, sim_csr *out, sim_error *e);
void sim_csr_free(sim_csr *c);
/* Check the CSR key and the nameValuePairs against the profile, build and sign the
 * certificate, fill *out (not yet stored). */
int sim_issue(struct sim_server *srv, const sim_profile *p, sim_csr *csr, const sim_nvp *nvps,
              size_t nnvps, int dry_run, sim_issued *out, sim_error *e);
void sim_issued_dispose(sim_issued *c);

/* ---- the server ---- */
typedef struct sim_stats {
    atomic_ulong requests;
    atomic_ulong by_op[SIM_OP_COUNT];
    atomic_ulong faults_returned; /* SOAP faults sent (service errors, not injected) */
    atomic_ulong faults_injected;
    atomic_ulong http_errors;
    atomic_ulong connections;
    atomic_ulong tls_refused;
    atomic_ulong issued;
    atomic_ulong reissued;
    atomic_ulong pending;
    atomic_ulong status_changes;
} sim_stats;

typedef struct sim_server {
    sim_options opt;
    sim_pki pki;
    sim_catalogue cat;
    sim_store store;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_ssl_config tls;
    mbedtls_ssl_cache_context cache;
    atomic_uint reqno;
    atomic_int stop;
    atomic_uint log_seq;
    int port;
    sim_stats stats;
} sim_server;

int sim_rng(void *srv, unsigned char *out, size_t n);
void sim_log(const sim_server *srv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int64_t sim_now_ms(void); /* monotonic */
/* Sleep up to ms, returning early (1) when the server stops. */
int sim_sleep_ms(sim_server *srv, long long ms);

/* ---- the HTTP request as the services see it ---- */
typedef struct sim_http_request {
    char method[16];
    char *target;
    char *path;
    int http_minor;
    char *content_type;
    char *soap_action;
    int keep_alive;
    int expect_continue;
    int chunked;
    long long content_length; /* -1 when absent */
    pkiws_buf body;
} sim_http_request;

typedef struct sim_response {
    int status;
    const char *content_type;
    pkiws_buf body;
    int op;                    /* SIM_OP_* */
    int issued;                /* a certificate was issued or re-sent (drop-after-issue) */
    const char *extra_headers; /* static, e.g. "Retry-After: 1\r\n" */
} sim_response;

/* Route and answer one request (dispatch.c). */
void sim_dispatch(sim_server *srv, const sim_http_request *req, unsigned reqno,
                  const sim_active *faults, sim_response *resp);

/* Services. Each fills resp->body with a complete envelope or sets *e. */
int sim_svc_policy(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *body,
                   sim_response *resp, sim_error *e);
int sim_svc_enroll(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *body,
                   const sim_http_request *req, const sim_active *f, sim_response *resp,
                   sim_error *e);
int sim_svc_update_status(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *body,
                          sim_response *resp, sim_error *e);
int sim_svc_bulk_update_status(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *body,
                               sim_response *resp, sim_error *e);
int sim_svc_key_recovery(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *body,
                         sim_response *resp, sim_error *e);
/* Escrow (recover.c): make a key for an escrow profile and a CSR for it (base64 DER), as the
 * service would; the key's PKCS#8 DER into *key (secret). */
int sim_escrow_keygen(const sim_profile *p, pkiws_buf *key, pkiws_buf *csr_b64, sim_error *e);
/* A PKCS#12 of the escrowed key, the certificate and the CA chain under password (base64). */
int sim_escrow_pfx(sim_server *srv, const uint8_t *key, size_t key_len, const uint8_t *cert,
                   size_t cert_len, const char *password, pkiws_buf *b64);
/* A fresh 16-character password. */
void sim_escrow_password(sim_server *srv, char out[17]);
int sim_svc_search(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *body,
                   sim_response *resp, sim_error *e);
int sim_svc_health(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *body,
                   sim_response *resp, sim_error *e);

/* Listener and connections (server.c). */
int sim_serve(sim_server *srv);
int sim_tls_setup(sim_server *srv);

/* The built-in catalogue (generated from default-policy.xml at build time). */
extern const unsigned char sim_default_policy[];
extern const size_t sim_default_policy_len;

#endif
