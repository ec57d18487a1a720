/* SPDX-License-Identifier: MIT */
/* searchCertificate: the certificates of a seat, serial or profile, page by page. */
#ifndef PKIWS_CORE_SEARCH_H
#define PKIWS_CORE_SEARCH_H

#include "core/client.h"
#include "proto/soap.h"

typedef struct pkiws__search_params {
    const char *seat, *serial, *profile_oid;
    int start_index;
    const char *status; /* VALID, EXPIRED, REVOKED, SUSPENDED, or NULL: any */
} pkiws__search_params;

typedef struct pkiws__search_outcome {
    char client_txid[41];
    pkiws__soap_search_result page;
    pkiws__call_info call;
} pkiws__search_outcome;

int pkiws__search(pkiws__client *c, const pkiws__search_params *p, pkiws__search_outcome *out);
/* The same in steps: the searchCertificate exchange in *x (dispose it in every case);
 * pkiws__soap_parse_search reads its answer into out->page. */
int pkiws__search_begin(pkiws__client *c, const pkiws__search_params *p, pkiws__search_outcome *out,
                        pkiws__exchange *x);
void pkiws__search_outcome_dispose(pkiws__search_outcome *o);

#endif
