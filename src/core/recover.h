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

/* On success either out->pending = 1 with *approvals_pending (adminApprovalPendingCount, > 0)
 * or out->key, out->leaf, out->chain, out->pfx and out->pfx_password set (*approvals_pending
 * 0). The CA's PKCS#12 is opened with a one-time password sent in the request (or the one
 * the CA returns), never with the caller's. */
int pkiws__recover(pkiws__client *c, const pkiws__recover_params *p, pkiws__issue_outcome *out,
                   int *approvals_pending);

#endif
