/* SPDX-License-Identifier: MIT */
/* Key recovery (protocol.md §4.5): keyRecovery of the certificate-management service, the
 * escrowed key back as a PKCS#12, re-packaged with the caller's preset and password. */
#ifndef PKIWS_CORE_RECOVER_H
#define PKIWS_CORE_RECOVER_H

#include "core/client.h"
#include "core/enroll.h"

typedef struct pkiws__recover_params {
    const char *serial;       /* hex, as sent */
    const char *issuer;       /* certificateIssuer DN */
    const char *admin_id;     /* adminID */
    int preset;               /* PKIWS_PFX_* of the re-packaged PFX */
    const char *pfx_password; /* NULL: generate one */
} pkiws__recover_params;

/* The keyRecovery exchange in *x (dispose it in every case), with a one-time password made
 * into *transport_pw (free with pkiws__free_secret) that protects the CA's PKCS#12 on the wire,
 * never the caller's. Its answer: either out->pending = 1 with *approvals_pending
 * (adminApprovalPendingCount, > 0), or out->key, out->leaf, out->chain, out->pfx and
 * out->pfx_password set (*approvals_pending 0); the CA's PKCS#12 is opened with the password the
 * CA returns, else *transport_pw (then taken and wiped). */
int pkiws__recover_begin(pkiws__client *c, const pkiws__recover_params *p, char **transport_pw,
                         pkiws__issue_outcome *out, pkiws__exchange *x);
int pkiws__recover_end(const pkiws__recover_params *p, pkiws_xml_doc *doc, char **transport_pw,
                       pkiws__issue_outcome *out, int *approvals_pending);

#endif
