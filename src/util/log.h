/* SPDX-License-Identifier: MIT */
/* Per-session logging: level checked before formatting, records handed pre-formatted to the
 * host's callback, silent by default. Identities are redacted unless the host opted in. */
#ifndef PKIWS_UTIL_LOG_H
#define PKIWS_UTIL_LOG_H

#include <stddef.h>

#include <pkiws/pkiws.h>

#include "util/buf.h"

typedef struct pkiws__logger {
    pkiws_log_cb cb;
    void *user_data;
    int level;     /* PKIWS_LOG_* ; records above it are dropped */
    int sensitive; /* 1: identities are logged as they are */
} pkiws__logger;

void pkiws__log(const pkiws__logger *lg, int level, const char *domain, const char *txid,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A SOAP message at TRACE: unless sensitive logging is on, the text of the elements that carry
 * identities or secrets (value, binarySecurityToken, seatId, emailAddress, commonName,
 * certificate, pKCS12Password, comment) is replaced by "[redacted N bytes]". */
void pkiws__log_soap(const pkiws__logger *lg, const char *domain, const char *txid,
                     const char *what, const char *xml, size_t len);
/* The redaction itself (also for tests). */
int pkiws__redact_soap(const char *xml, size_t len, pkiws_buf *out);

/* An identity as it may appear in logs: itself when sensitive logging is on, else redacted. */
const char *pkiws__log_ident(const pkiws__logger *lg, const char *value, char *tmp, size_t cap);

#endif
