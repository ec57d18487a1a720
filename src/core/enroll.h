/* SPDX-License-Identifier: MIT */
/* The online jobs of product.md §6: fetch the policy, issue (key, CSR, RequestSecurityToken,
 * PKCS#7 → leaf + chain, PFX), poll a pending request, revoke/suspend/resume, health check. */
#ifndef PKIWS_CORE_ENROLL_H
#define PKIWS_CORE_ENROLL_H

#include "core/client.h"
#include "core/keypool.h"
#include "core/san.h"
#include "crypto/crypto.h"

int pkiws__fetch_template(pkiws__client *c, const char *oid, pkiws__template **out,
                          pkiws__call_info *info);
/* The same in steps: the GetPolicies exchange in *x (pkiws__template_from_doc reads its
 * answer). */
int pkiws__fetch_template_begin(pkiws__client *c, const char *oid, pkiws__exchange *x);

typedef struct pkiws__issue_params {
    const pkiws__template *tpl;
    const char *profile_oid;
    int key_type;
    int preset;
    const char *pfx_password;  /* NULL: generate one */
    const char *friendly_name; /* NULL: the subject CN */
    const char *pending_ref;   /* poll: the reference to query */
    const pkiws__key *key;     /* issue: the caller's key (NULL: pool or new); poll: the key
                                  kept from the pending answer */
    const char *txid;          /* the caller's clientTransactionID, or NULL: derived */
    pkiws__keypool *keypool;   /* NULL: generate the key now */
    const pkiws__cert *renew;  /* issue: non-NULL renews this certificate (requestType Renew,
                                  same seat); the answer is handled as an issue answer */
} pkiws__issue_params;

typedef struct pkiws__issue_outcome {
    int pending;
    char *pending_ref;
    char *client_txid, *server_txid, *disposition;
    pkiws__key *key; /* always kept (the caller decides what to expose) */
    pkiws__cert *leaf;
    pkiws__certlist chain; /* issuing CA first, root last */
    pkiws_buf pfx;
    char *pfx_password; /* secret */
    pkiws__call_info call;
} pkiws__issue_outcome;

/* Deterministic clientTransactionID (<= 40 characters) from profile OID, seat and public key. */
int pkiws__client_txid(const char *profile_oid, const char *seat, const pkiws__key *key,
                       char out[41]);

/* PKIWS_OK when txid can be sent as clientTransactionID: 1..40 characters of
 * [A-Za-z0-9._:-] (the schema's limit is 40; the character set keeps it safe in logs and in
 * file names of captures). Otherwise PKIWS_E_INVALID_ARG naming the bad character. */
int pkiws__check_txid(const char *txid);

/* The seat the CA files a certificate under: the resolved seat id, else the CN; NULL when the
 * resolution has neither. */
const char *pkiws__resolution_seat(const pkiws__resolution *res);

/* An issuance in steps (res from a successful pkiws__resolve for the same template): the key
 * (the caller's, the pool's, or generated now: CPU only), the CSR and the RequestSecurityToken
 * exchange in *x (dispose it in every case); then the answer of that exchange into out
 * (pending, or leaf, chain and PFX); *doc is freed (and set to NULL) as soon as it is read,
 * before the PFX is built. */
int pkiws__issue_begin(pkiws__client *c, const pkiws__issue_params *p, const pkiws__resolution *res,
                       pkiws__issue_outcome *out, pkiws__exchange *x);
int pkiws__issue_end(const pkiws__issue_params *p, pkiws_xml_doc **doc, pkiws__issue_outcome *out);
/* QueryTokenStatus for p->pending_ref with p->key, as an exchange in *x (dispose it in every
 * case) whose answer pkiws__issue_end reads; p->key NULL: a server-side key issuance (tokenType
 * PKCS12; the key comes in the CA's PKCS#12, else PKIWS_E_PROTOCOL). */
int pkiws__poll_begin(pkiws__client *c, const pkiws__issue_params *p, const char *seat,
                      pkiws__issue_outcome *out, pkiws__exchange *x);
void pkiws__issue_outcome_dispose(pkiws__issue_outcome *o);
/* Open the CA's PKCS#12 (server-side key, recovered key) with password (NULL: ""): its key into
 * out->key, the certificate matching it into out->leaf, the rest ordered into out->chain
 * (completed from tpl, which may be NULL). *pfx and *password are wiped, freed and set to NULL
 * in every case, right after the read. */
int pkiws__take_ca_pfx(uint8_t **pfx, size_t *pfx_len, char **password, const pkiws__template *tpl,
                       pkiws__issue_outcome *out);
/* A PFX password of 20 characters from an unambiguous alphabet (~116 bits); free with
 * pkiws__free_secret. */
int pkiws__pfx_password_generate(char **out);
/* out->pfx from out->key, out->leaf and out->chain: preset PKIWS_PFX_*, the caller's password
 * (NULL: a generated one), friendly name (NULL: the subject CN); out->pfx_password is set. */
int pkiws__outcome_pfx(int preset, const char *pfx_password, const char *friendly_name,
                       pkiws__issue_outcome *out);
/* Complete chain (the certificates above leaf, issuer first) from the policy's CA certificates
 * by issuer links, up to a self-signed root: what the CA's answer lacks (a bare X.509 answer,
 * a PKCS#7 without the root) comes from the template. */
int pkiws__complete_chain(const pkiws__cert *leaf, pkiws__certlist *chain,
                          const pkiws__template *tpl);

typedef struct pkiws__revoke_outcome {
    char *client_txid, *server_txid, *message;
    int success_code, revocation_count;
    pkiws__call_info call;
} pkiws__revoke_outcome;
/* updateCertificateStatus of a serial or seat with the caller's clientTransactionID (a random
 * one, or the outbox's, chosen when it was queued); successCode != 0 is PKIWS_E_REJECTED (the
 * outcome filled). */
int pkiws__update_status_txid(pkiws__client *c, const char *txid, int operation, int by_seat,
                              const char *id, const char *reason, const char *comment,
                              pkiws__revoke_outcome *out);
/* The same in steps: the exchange in *x (dispose it in every case), then its answer. */
int pkiws__update_status_begin(pkiws__client *c, const char *txid, int operation, int by_seat,
                               const char *id, const char *reason, const char *comment,
                               pkiws__revoke_outcome *out, pkiws__exchange *x);
int pkiws__update_status_end(pkiws_xml_doc *doc, int by_seat, const char *id,
                             pkiws__revoke_outcome *out);
void pkiws__revoke_outcome_dispose(pkiws__revoke_outcome *o);

/* 1 when now is at or after notAfter - renewal_days days (or after notAfter), else 0. */
int pkiws__renewal_due(const pkiws__cert *cert, int64_t now, unsigned renewal_days);

#endif
