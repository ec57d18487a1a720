/* SPDX-License-Identifier: MIT */
/* Thread-local last error: every failing internal function records why, naming the input. */
#ifndef PKIWS_UTIL_ERR_H
#define PKIWS_UTIL_ERR_H

#include <stdarg.h>

#define PKIWS_ERR_MSG_MAX 1024

/* Record a failure on this thread and return code. The message must name the offending input
 * and must not contain secrets. Use pkiws__redact() (str.h) for identities. */
int pkiws__fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* As pkiws__fail, with a remedy for an administrator (static text, not copied). NULL remedy
 * means "the default remedy for the code" (see pkiws__default_remedy). */
int pkiws__fail_remedy(int code, const char *remedy, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix the current message with context: "while reading X: <old message>". Returns code. */
int pkiws__fail_context(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record a native (dependency) error code: domain is "mbedtls", "curl", "http", "soap". */
void pkiws__err_native(const char *domain, long long code);

int pkiws__err_code(void);
const char *pkiws__err_message(void);
const char *pkiws__err_remedy(void); /* NULL when none */
const char *pkiws__err_native_domain(void);
long long pkiws__err_native_code(void);
void pkiws__err_clear(void);

/* Static tables (also behind pkiws_strerror / pkiws_error_name). */
const char *pkiws__error_name(int code);   /* NULL for unknown codes */
const char *pkiws__error_text(int code);   /* NULL for unknown codes */
const char *pkiws__default_remedy(int code); /* NULL when the code has none */
/* 1 when the code may heal on retry (transport failures). */
int pkiws__error_retryable(int code);

/* Remedies from the seeds' troubleshooting table, for use with pkiws__fail_remedy. */
extern const char PKIWS__REMEDY_TIMEOUT[];
extern const char PKIWS__REMEDY_RA_MISSING[];
extern const char PKIWS__REMEDY_TLS_SERVER_UNTRUSTED[];
extern const char PKIWS__REMEDY_TLS_HOSTNAME[];
extern const char PKIWS__REMEDY_TLS_CLIENT_REFUSED[];
extern const char PKIWS__REMEDY_RA_KEY[];
extern const char PKIWS__REMEDY_PROFILE_NOT_FOUND[];
extern const char PKIWS__REMEDY_POLICY_MISMATCH[];
extern const char PKIWS__REMEDY_UNSUPPORTED_CHARS[];
extern const char PKIWS__REMEDY_CA_FQDN[];
extern const char PKIWS__REMEDY_CA_NAME[];
extern const char PKIWS__REMEDY_OTHERNAME[];
extern const char PKIWS__REMEDY_SAN_UNRESOLVED[];
extern const char PKIWS__REMEDY_THUMBPRINT[];
extern const char PKIWS__REMEDY_RA_EXPIRED[];

#endif
