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
/* Whether the last failure may heal on retry. The one rule: every failure recorded starts with
 * its code's default (pkiws__error_retryable); only the transport that saw the failure
 * overrides it (pkiws__err_set_retryable, from core/client.c), and the override survives
 * pkiws__fail_context on the same code. Results and the CLI read it from here. */
int pkiws__err_retryable(void);
void pkiws__err_set_retryable(int retryable);
const char *pkiws__err_native_domain(void);
long long pkiws__err_native_code(void);
void pkiws__err_clear(void);

/* The whole last error, to carry it from the thread that saw it to the one that reports it. */
typedef struct pkiws__err_state {
    int code;
    char msg[PKIWS_ERR_MSG_MAX];
    const char *remedy; /* static text */
    int retryable;
    char native_domain[16];
    long long native_code;
} pkiws__err_state;
void pkiws__err_save(pkiws__err_state *st);
void pkiws__err_restore(const pkiws__err_state *st);

/* Static tables (also behind pkiws_strerror / pkiws_error_name). */
const char *pkiws__error_name(int code);     /* NULL for unknown codes */
const char *pkiws__error_text(int code);     /* NULL for unknown codes */
const char *pkiws__default_remedy(int code); /* NULL when the code has none */
/* 1 when the code may heal on retry (transport failures). */
int pkiws__error_retryable(int code);

/* Remedies from the seeds' troubleshooting table, for use with pkiws__fail_remedy. */
extern const char pkiws__remedy_connect[];
#define PKIWS__REMEDY_CONNECT pkiws__remedy_connect
extern const char pkiws__remedy_timeout[];
#define PKIWS__REMEDY_TIMEOUT pkiws__remedy_timeout
extern const char pkiws__remedy_ra_missing[];
#define PKIWS__REMEDY_RA_MISSING pkiws__remedy_ra_missing
extern const char pkiws__remedy_tls_server_untrusted[];
#define PKIWS__REMEDY_TLS_SERVER_UNTRUSTED pkiws__remedy_tls_server_untrusted
extern const char pkiws__remedy_tls_hostname[];
#define PKIWS__REMEDY_TLS_HOSTNAME pkiws__remedy_tls_hostname
extern const char pkiws__remedy_tls_client_refused[];
#define PKIWS__REMEDY_TLS_CLIENT_REFUSED pkiws__remedy_tls_client_refused
extern const char pkiws__remedy_ra_key[];
#define PKIWS__REMEDY_RA_KEY pkiws__remedy_ra_key
extern const char pkiws__remedy_profile_not_found[];
#define PKIWS__REMEDY_PROFILE_NOT_FOUND pkiws__remedy_profile_not_found
extern const char pkiws__remedy_policy_mismatch[];
#define PKIWS__REMEDY_POLICY_MISMATCH pkiws__remedy_policy_mismatch
extern const char pkiws__remedy_unsupported_chars[];
#define PKIWS__REMEDY_UNSUPPORTED_CHARS pkiws__remedy_unsupported_chars
extern const char pkiws__remedy_ca_fqdn[];
#define PKIWS__REMEDY_CA_FQDN pkiws__remedy_ca_fqdn
extern const char pkiws__remedy_ca_name[];
#define PKIWS__REMEDY_CA_NAME pkiws__remedy_ca_name
extern const char pkiws__remedy_othername[];
#define PKIWS__REMEDY_OTHERNAME pkiws__remedy_othername
extern const char pkiws__remedy_san_unresolved[];
#define PKIWS__REMEDY_SAN_UNRESOLVED pkiws__remedy_san_unresolved
extern const char pkiws__remedy_thumbprint[];
#define PKIWS__REMEDY_THUMBPRINT pkiws__remedy_thumbprint
extern const char pkiws__remedy_ra_expired[];
#define PKIWS__REMEDY_RA_EXPIRED pkiws__remedy_ra_expired
/* One remedy per TLS cause (besides the untrusted / host-name / client-refused / RA-key ones). */
extern const char pkiws__remedy_tls_protocol[];
#define PKIWS__REMEDY_TLS_PROTOCOL pkiws__remedy_tls_protocol
extern const char pkiws__remedy_tls_server_expired[];
#define PKIWS__REMEDY_TLS_SERVER_EXPIRED pkiws__remedy_tls_server_expired
extern const char pkiws__remedy_tls_server_not_yet_valid[];
#define PKIWS__REMEDY_TLS_SERVER_NOT_YET_VALID pkiws__remedy_tls_server_not_yet_valid
extern const char pkiws__remedy_tls_handshake[];
#define PKIWS__REMEDY_TLS_HANDSHAKE pkiws__remedy_tls_handshake
extern const char pkiws__remedy_tls_not_tls[];
#define PKIWS__REMEDY_TLS_NOT_TLS pkiws__remedy_tls_not_tls
extern const char pkiws__remedy_tls[];
#define PKIWS__REMEDY_TLS pkiws__remedy_tls /* any other TLS failure (the code's default) */
/* The proxy asked for credentials (HTTP 407) or refused the tunnel. */
extern const char pkiws__remedy_proxy_auth[];
#define PKIWS__REMEDY_PROXY_AUTH pkiws__remedy_proxy_auth
extern const char pkiws__remedy_proxy_refused[];
#define PKIWS__REMEDY_PROXY_REFUSED pkiws__remedy_proxy_refused

#endif
