/* SPDX-License-Identifier: MIT */
/* bulkUpdateCertificateStatus in chunks, with an outcome per id (protocol.md §4.3). */
#ifndef PKIWS_CORE_BULK_H
#define PKIWS_CORE_BULK_H

#include "core/client.h"
#include "core/search.h"
#include "proto/soap.h"

typedef struct pkiws__bulk_params {
    int operation;       /* PKIWS__OP_* */
    int kind;            /* PKIWS__BULK_* */
    const char *reason;  /* RevokeReasonCodeEnum text, or NULL */
    const char *comment; /* or NULL */
    size_t chunk;        /* ids per request, 1..PKIWS__BULK_MAX */
} pkiws__bulk_params;

typedef struct pkiws__bulk_item {
    int code;      /* PKIWS_OK: the CA confirms the requested state; else PKIWS_E_* */
    char *message; /* the CA's successMsg, or why the item failed */
} pkiws__bulk_item;

typedef struct pkiws__bulk_outcome {
    pkiws__bulk_item *items; /* one per id, in order */
    size_t n;
    int chunks;            /* bulk requests answered or attempted */
    int singles;           /* ids re-tried one by one */
    int revocation_count;  /* certificates whose status changed, all requests */
    char first_txid[41];   /* of the first chunk */
    pkiws__call_info call; /* attempts summed; the last call's other fields */
} pkiws__bulk_outcome;

enum { PKIWS__BULK_CHUNK, PKIWS__BULK_SINGLE, PKIWS__BULK_SEARCH, PKIWS__BULK_END };

/* A bulk job in steps (an op drives it: api/revoke.c). */
typedef struct pkiws__bulk_job {
    pkiws__bulk_params p;
    const char *const *ids; /* borrowed */
    pkiws__bulk_outcome out;
    int phase;               /* PKIWS__BULK_*: what the next exchange is */
    size_t at, k, i;         /* the chunk ids[at..at+k); ids[at+i] re-tried on its own */
    char txid[41];           /* of the status request in flight */
    pkiws__search_params sp; /* the confirming search of ids[at+i] */
    pkiws__search_outcome so;
    int pages;
    size_t total;
} pkiws__bulk_job;

/*
 * Send ids in chunks of p->chunk. A chunk answered with successCode 0 and a revocationCount of
 * at least its number of ids marks all its ids done. Any other chunk (non-zero successCode,
 * fewer changes, a SOAP fault) is re-tried id by id: updateCertificateStatus for serials and
 * seats, a bulk request of that one id for profile OIDs. An id the single request does not
 * change is done when a searchCertificate shows every certificate of it in the requested
 * state (already revoked), else it fails with PKIWS_E_REJECTED and the CA's message. A
 * transport failure that survives the client's retries fails that chunk's ids and all later
 * ones with its code (nothing more is sent). clientTransactionIDs are derived from the
 * operation, reason, comment and the ids, so the same chunk is always the same request.
 *
 * pkiws__bulk_begin: PKIWS_E_INVALID_ARG (chunk size) or PKIWS_E_NOMEM. Then, until *more is
 * 0: pkiws__bulk_next prepares the next exchange in *x (dispose it in every case), and
 * pkiws__bulk_answer reads its outcome (rc PKIWS_OK with the answer doc, or the failure that
 * survived the client's retries; call its info); both fail only with PKIWS_E_NOMEM. The item
 * outcomes are in j->out.
 */
int pkiws__bulk_begin(pkiws__bulk_job *j, const pkiws__bulk_params *p, const char *const *ids,
                      size_t n);
int pkiws__bulk_next(pkiws__bulk_job *j, pkiws__client *c, pkiws__exchange *x, int *more);
int pkiws__bulk_answer(pkiws__bulk_job *j, int rc, pkiws_xml_doc *doc,
                       const pkiws__call_info *call);
void pkiws__bulk_job_dispose(pkiws__bulk_job *j);

#endif
