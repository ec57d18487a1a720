/* SPDX-License-Identifier: MIT */
/**
 * @file pkiws.h
 * @brief pkiws: issue PKCS certificates (PFX bundles) from the Symantec / DigiCert PKI Manager
 *        web service (pki-ws), with the Intune Certificate Connector's subject and SAN rules.
 *
 * Conventions (read once, they hold for every declaration below):
 *
 * - Four opaque handles: pkiws_session (where the CA is, the RA credential, trust, timeouts,
 *   logging), pkiws_profile (one certificate profile and its template), pkiws_request (one
 *   identity) and pkiws_result (an outcome). Each `*_new` has a `*_free` that accepts NULL.
 * - Fallible functions return `int`: PKIWS_OK (0) or a negative PKIWS_E_* code. Output
 *   parameters come last and are named `out`; on failure `*out` is set to NULL (or 0).
 * - On failure the calling thread's last error (pkiws_last_error_*) names the offending input.
 * - Inputs are borrowed for the duration of the call; anything kept is copied.
 * - `const char *` and `(const uint8_t *, size_t)` returns are borrowed from the handle they
 *   came from and stay valid until that handle is freed or modified. Memory handed over
 *   through `char **out` / `uint8_t **out` is freed with pkiws_free() (pkiws_free_secret()
 *   for keys and passwords). Never free library memory with free().
 * - Text is UTF-8 and NUL-terminated. Times are int64_t seconds since the Unix epoch,
 *   durations int64_t milliseconds. No `long`, `time_t` or dependency type appears here.
 *
 * Threading: global functions, version/feature queries, pkiws_strerror and pkiws_error_name
 * are thread-safe. A handle is used by one thread at a time, except that a session and a
 * verified profile may be shared by threads that issue concurrently. Error details are kept
 * per thread; callbacks run on the thread that called in.
 *
 * Handle safety: a freed handle is refused with PKIWS_E_INVALID_HANDLE (its memory is not
 * read: live handles are registered), a second free is a no-op, and a handle of one kind
 * passed as another is refused. Session setters may run while other threads issue: each
 * operation runs on a snapshot of the settings taken when it starts, and a change takes
 * effect for operations that start after it (connections of the old settings close when the
 * last operation using them ends). A pkiws callback (log, HTTP/TLS plug-in) that calls back
 * into pkiws on a session, profile or request gets PKIWS_E_RECURSIVE_API_CALL, and a
 * *_free from inside a callback is ignored; the thread's last error is kept across a callback.
 */
#ifndef PKIWS_H
#define PKIWS_H

/* The layout of this header (aligned enum comments) is kept by hand for readers. */
/* clang-format off */

#include <stddef.h>
#include <stdint.h>

#include <pkiws/version.h>

#if defined(_WIN32) && !defined(PKIWS_STATIC)
#if defined(PKIWS_BUILDING)
#define PKIWS_API __declspec(dllexport)
#else
#define PKIWS_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define PKIWS_API __attribute__((visibility("default")))
#else
#define PKIWS_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ============================================================================================
 * Handles
 * ========================================================================================== */

/** Connection context: CA address, RA credential, trust anchors, timeouts, logging. */
typedef struct pkiws_session pkiws_session;
/** One certificate profile: OID, Intune-style selections and the CA's template. */
typedef struct pkiws_profile pkiws_profile;
/** One identity to issue for (CN, e-mail, UPN, otherName, seat, names). */
typedef struct pkiws_request pkiws_request;
/** The outcome of an operation: status, error, trace, certificate, PFX. */
typedef struct pkiws_result pkiws_result;

/* ============================================================================================
 * Error codes: explicit values grouped by domain, never renumbered or reused.
 * ========================================================================================== */

enum pkiws_error {
    PKIWS_OK = 0,
    /* -1..-99: API and general */
    PKIWS_E_INVALID_ARG = -1,    /**< a NULL or out-of-range argument */
    PKIWS_E_NOMEM = -2,          /**< out of memory */
    PKIWS_E_INVALID_HANDLE = -3, /**< a freed or foreign handle */
    PKIWS_E_STATE = -4,          /**< the handle is not in a state that allows this call */
    PKIWS_E_UNSUPPORTED = -5,    /**< not built into this library */
    PKIWS_E_UNKNOWN_OPTION = -6, /**< an option id this version does not know */
    PKIWS_E_OPTION_TYPE = -7,    /**< the option exists but takes another kind of value */
    PKIWS_E_LIMIT = -8,          /**< input exceeds a size or depth limit */
    PKIWS_E_INTERNAL = -9,       /**< a bug in pkiws; please report it */
    PKIWS_E_IO = -10,            /**< a local file could not be read or written */
    PKIWS_E_RECURSIVE_API_CALL = -11, /**< called from inside a pkiws callback on the same
                                           handle (as curl's CURLE_RECURSIVE_API_CALL) */
    PKIWS_E_CANCELLED = -12,          /**< the operation was cancelled (pkiws_op_cancel) */
    /* -100..-199: configuration, credentials, local crypto */
    PKIWS_E_CONFIG = -100,        /**< a session or profile setting is invalid */
    PKIWS_E_RA_CREDENTIAL = -101, /**< the RA certificate or key is missing or unusable */
    PKIWS_E_CRYPTO = -102,        /**< key, CSR, PKCS#7 or PKCS#12 processing failed */
    /* -200..-299: transport */
    PKIWS_E_CONNECT = -200, /**< name resolution or TCP connect failed */
    PKIWS_E_TIMEOUT = -201, /**< the operation timed out */
    PKIWS_E_TLS = -202,     /**< TLS handshake or verification failed */
    PKIWS_E_HTTP = -203,    /**< unexpected HTTP status without a SOAP fault */
    PKIWS_E_BACKEND = -204, /**< a host-supplied transport backend failed */
    /* -300..-399: protocol */
    PKIWS_E_PROTOCOL = -300,   /**< the answer is not what the schema promises */
    PKIWS_E_SOAP_FAULT = -301, /**< the service answered with a SOAP fault */
    /* -400..-499: profile and template */
    PKIWS_E_PROFILE_NOT_FOUND = -400, /**< no template for the profile OID */
    PKIWS_E_POLICY_MISMATCH = -401,   /**< selections and template disagree */
    PKIWS_E_REJECTED = -402,          /**< the CA refused the request */
    PKIWS_E_DUPLICATE = -403,         /**< the seat already has a VALID certificate of the
                                           profile (PKIWS_DUPLICATES_REFUSE) */
    /* -500..-599: identity, subject and SAN */
    PKIWS_E_SAN_UNRESOLVED = -500,     /**< no value for a selected subject part or SAN */
    PKIWS_E_UNSUPPORTED_CHARS = -501,  /**< characters the CA does not accept */
    PKIWS_E_OTHERNAME_ENCODING = -502  /**< otherName value is not usable hex */
};

/** Short English description of a code; never NULL (unknown codes get a fixed text). */
PKIWS_API const char *pkiws_strerror(int code);
/** Symbolic name of a code, e.g. "PKIWS_E_TIMEOUT"; never NULL ("PKIWS_E_UNKNOWN"). */
PKIWS_API const char *pkiws_error_name(int code);
/** The code of the calling thread's last failure, or PKIWS_OK. */
PKIWS_API int pkiws_last_error_code(void);
/** The message of the calling thread's last failure (names the bad input); never NULL. */
PKIWS_API const char *pkiws_last_error_message(void);
/** What an administrator should do about the last failure; never NULL ("" when none). */
PKIWS_API const char *pkiws_last_error_remedy(void);
/**
 * 1 when the calling thread's last failure may heal on retry (the code's default, unless the
 * transport that saw the failure knew better, e.g. a proxy refusing the credentials), else 0.
 * The same rule as pkiws_result_retryable().
 */
PKIWS_API int pkiws_last_error_retryable(void);
/** Forget the calling thread's last error. */
PKIWS_API void pkiws_last_error_clear(void);

/* ============================================================================================
 * Library: version, features, global init, memory
 * ========================================================================================== */

/** Run-time version as 0xMMmmpp; equals PKIWS_VERSION_NUM of the headers it was built with. */
PKIWS_API uint32_t pkiws_version(void);
/** Run-time version text, e.g. "0.1.0". */
PKIWS_API const char *pkiws_version_string(void);

#define PKIWS_FEATURE_THREADSAFE (UINT64_C(1) << 0) /**< see the threading statement above */
#define PKIWS_FEATURE_CURL (UINT64_C(1) << 1)       /**< the libcurl transport is built in */
#define PKIWS_FEATURE_NATIVE (UINT64_C(1) << 2)     /**< the mbedTLS transport is built in */
#define PKIWS_FEATURE_OUTBOX (UINT64_C(1) << 3)     /**< the durable outbox (SQLite) is built in */
/** Bit set of PKIWS_FEATURE_*. */
PKIWS_API uint64_t pkiws_features(void);

/**
 * Initialise global state (idempotent, reference-counted, thread-safe). Optional: the first
 * pkiws_session_new() does it too. @p flags must be 0.
 */
PKIWS_API int pkiws_global_init(uint32_t flags);
/** Drop one reference taken by pkiws_global_init(); the last one releases global state. */
PKIWS_API void pkiws_global_cleanup(void);

/** Free memory the library handed over through an `out` parameter. NULL is fine. */
PKIWS_API void pkiws_free(void *p);
/** Zeroise @p len bytes (a whole string when @p len is 0), then free. For keys and passwords. */
PKIWS_API void pkiws_free_secret(void *p, size_t len);

/* ============================================================================================
 * Logging
 * ========================================================================================== */

enum pkiws_log_level {
    PKIWS_LOG_NONE = 0,
    PKIWS_LOG_ERROR = 1,
    PKIWS_LOG_WARN = 2,
    PKIWS_LOG_INFO = 3,
    PKIWS_LOG_DEBUG = 4,
    PKIWS_LOG_TRACE = 5 /**< includes the SOAP on the wire (redacted) */
};

/**
 * Log callback. @p domain is "core", "xml", "crypto", "http" or "tls"; @p txid is the client
 * transaction id of the operation ("" outside one); @p msg is formatted UTF-8 without a trailing
 * newline. UPNs, e-mail addresses, names and secrets are redacted unless the session option
 * PKIWS_SESSION_OPT_LOG_SENSITIVE is 1.
 */
typedef void (*pkiws_log_cb)(int level, const char *domain, const char *txid, const char *msg,
                             void *user_data);

/** What a progress callback reports (pkiws_session_set_progress_cb). */
enum pkiws_progress_event {
    PKIWS_PROGRESS_SEND = 1,    /**< an exchange goes out (@p attempt 1, 2, ...; @p ms 0) */
    PKIWS_PROGRESS_WAITING = 2, /**< waiting for its answer for @p ms milliseconds */
    PKIWS_PROGRESS_BACKOFF = 3  /**< in back-off before a retry, @p ms milliseconds left */
};
/** How often (at most) PKIWS_PROGRESS_WAITING and PKIWS_PROGRESS_BACKOFF are reported. */
#define PKIWS_PROGRESS_TICK_MS 100

/**
 * Progress callback of the blocking operations (pkiws_issue, pkiws_poll, pkiws_renew,
 * pkiws_revoke, pkiws_search, pkiws_recover, pkiws_profile_fetch_policy): @p operation names
 * the operation ("issuance", "search", ...), @p event is a PKIWS_PROGRESS_*. Return 0 to go
 * on, anything else to cancel: the call returns PKIWS_E_CANCELLED at once (an exchange that
 * went out ends on its own; an enrolment may still be issued by the CA, see pkiws_op_cancel).
 * Called on the thread that made the call, never with a pkiws lock held.
 */
typedef int (*pkiws_progress_cb)(void *user_data, const char *operation, int event, int attempt,
                                 int64_t ms);

/* ============================================================================================
 * Session
 * ========================================================================================== */

/** HTTP transports (PKIWS_SESSION_OPT_TRANSPORT). */
enum pkiws_transport {
    PKIWS_TRANSPORT_CURL = 1,  /**< libcurl (PKIWS_FEATURE_CURL) */
    PKIWS_TRANSPORT_NATIVE = 2 /**< pkiws's HTTP/1.1 client over mbedTLS or a host TLS backend */
};

/** Option ids of pkiws_session_set_int/_str/_blob; the id range encodes the value kind. */
enum pkiws_session_opt {
    /* integers (0..9999) */
    PKIWS_SESSION_OPT_CONNECT_TIMEOUT_MS = 1, /**< default 10000; CloudCAConnTimeoutInMilliseconds */
    PKIWS_SESSION_OPT_TIMEOUT_MS = 2,         /**< total per request, default 60000 */
    PKIWS_SESSION_OPT_LOG_LEVEL = 3,          /**< PKIWS_LOG_*, default PKIWS_LOG_NONE */
    PKIWS_SESSION_OPT_LOG_SENSITIVE = 4,      /**< 1: do not redact identities in logs */
    PKIWS_SESSION_OPT_MAX_RESPONSE_BYTES = 5, /**< default 4 MiB */
    PKIWS_SESSION_OPT_MAX_XML_DEPTH = 6,      /**< default 64 */
    PKIWS_SESSION_OPT_RETRIES = 7,            /**< retries after a transport failure, default 2 */
    PKIWS_SESSION_OPT_POLICY_CACHE_HOURS = 8, /**< when the policy has no nextUpdateHours; 8 */
    PKIWS_SESSION_OPT_TRANSPORT = 9,          /**< PKIWS_TRANSPORT_*: CURL when built, else NATIVE */
    PKIWS_SESSION_OPT_RETRY_BACKOFF_MS = 10,  /**< first back-off between retries, default 200 */
    PKIWS_SESSION_OPT_KEY_POOL_SIZE = 11,     /**< keys generated ahead per key type by one
                                                   background thread at idle priority (0..256);
                                                   0 (default): off; sizing: docs/threading.md */
    PKIWS_SESSION_OPT_KEY_POOL_PREFILL = 12,  /**< a PKIWS_KEY_* type: fill the key pool with
                                                   KEY_POOL_SIZE keys of it now, blocking until
                                                   they exist (and again after a new size);
                                                   PKIWS_E_STATE without a pool; reads back the
                                                   type, 0 (default): filled as issuances ask */
    PKIWS_SESSION_OPT_BULK_CHUNK = 13,        /**< ids per bulkUpdateCertificateStatus request
                                                   of pkiws_revoke_bulk, 1..100 (the service's
                                                   limit), default 100 */
    /* strings (10000..19999) */
    PKIWS_SESSION_OPT_CA = 10000,         /**< CA base service FQDN[:port], e.g. pki-ws.symauth.com */
    PKIWS_SESSION_OPT_BASE_URL = 10001,   /**< full base URL instead, e.g. https://h:8443/pki-ws */
    PKIWS_SESSION_OPT_CA_NAME = 10002,    /**< optional; must be exactly "Symantec" */
    PKIWS_SESSION_OPT_PROXY = 10003,      /**< HTTP CONNECT proxy; host:port gets http:// */
    PKIWS_SESSION_OPT_TRUST_FILE = 10004, /**< PEM bundle of trust anchors for the CA server */
    PKIWS_SESSION_OPT_PROXY_CREDENTIALS = 10005, /**< "user:password" for the proxy (Basic);
                                                      a secret: never logged, zeroised */
    /* blobs (20000..29999) */
    PKIWS_SESSION_OPT_TRUST_PEM = 20000 /**< PEM bundle of trust anchors, in memory */
};

/** Make a session with default settings. Caller frees it with pkiws_session_free(). */
PKIWS_API int pkiws_session_new(pkiws_session **out);
/**
 * Free a session (NULL is fine). The handle is dead at once (every later call with it is
 * PKIWS_E_INVALID_HANDLE); profiles and results made from it stay usable.
 */
PKIWS_API void pkiws_session_free(pkiws_session *session);

/** Set an integer option (PKIWS_SESSION_OPT_* below 10000). */
PKIWS_API int pkiws_session_set_int(pkiws_session *session, int option, int64_t value);
/** Set a string option (10000..19999); the text is validated and copied, NULL resets. */
PKIWS_API int pkiws_session_set_str(pkiws_session *session, int option, const char *value);
/** Set a blob option (20000..29999); the bytes are copied, NULL resets. */
PKIWS_API int pkiws_session_set_blob(pkiws_session *session, int option, const void *data,
                                     size_t len);
/** Read an integer option. */
PKIWS_API int pkiws_session_get_int(const pkiws_session *session, int option, int64_t *out);
/** Read a string option as normalised; *out is borrowed (NULL when unset). */
PKIWS_API int pkiws_session_get_str(const pkiws_session *session, int option, const char **out);

/** Route log records to @p cb (NULL: silence). @p user_data is passed back untouched. */
PKIWS_API int pkiws_session_set_log_cb(pkiws_session *session, pkiws_log_cb cb, void *user_data);
/**
 * Report the progress of blocking operations to @p cb, which may cancel them (NULL: none).
 * With a callback set, the exchanges of a blocking call run on a pkiws thread while the
 * calling thread waits and reports, so that a cancel is never held up by the network.
 * Operations started after the call see it (like every setting).
 */
PKIWS_API int pkiws_session_set_progress_cb(pkiws_session *session, pkiws_progress_cb cb,
                                            void *user_data);

/**
 * RA credential from a PKCS#12 (PFX) in memory: 3DES, AES/PBES2 and RC2-40 certificate bags
 * are read. The key must match the certificate and the certificate must be valid now.
 */
PKIWS_API int pkiws_session_set_ra_pkcs12(pkiws_session *session, const void *der, size_t len,
                                          const char *password);
/** As pkiws_session_set_ra_pkcs12(), from a file. */
PKIWS_API int pkiws_session_set_ra_pkcs12_file(pkiws_session *session, const char *path,
                                               const char *password);
/**
 * RA credential from PEM: @p cert_pem holds the RA certificate, optionally followed by its
 * chain; @p key_pem the private key (PKCS#1, SEC1 or PKCS#8; @p key_password when encrypted,
 * else NULL).
 */
PKIWS_API int pkiws_session_set_ra_pem(pkiws_session *session, const char *cert_pem,
                                       size_t cert_len, const char *key_pem, size_t key_len,
                                       const char *key_password);
/** As pkiws_session_set_ra_pem(), from files. */
PKIWS_API int pkiws_session_set_ra_pem_files(pkiws_session *session, const char *cert_path,
                                             const char *key_path, const char *key_password);
/**
 * RA credential from a store directory: the certificate whose SHA-1 thumbprint is
 * @p thumbprint (normalised as pkiws_thumbprint_normalize() does) among the *.pem, *.crt,
 * *.cer, *.der, *.p12 and *.pfx files of @p dir, with its key in a *.key file of the same stem
 * or inside the PFX. @p password opens encrypted keys and PFX files (may be NULL).
 */
PKIWS_API int pkiws_session_set_ra_store(pkiws_session *session, const char *dir,
                                         const char *thumbprint, const char *password);
/** Signature algorithms of an RA signer: the scheme and the hash the digest was made with. */
enum pkiws_sign_alg {
    PKIWS_SIGN_RSA_PKCS1_SHA1 = 1,   /**< RSASSA-PKCS1-v1_5, DigestInfo of SHA-1 */
    PKIWS_SIGN_RSA_PKCS1_SHA224 = 2, /**< ... SHA-224 */
    PKIWS_SIGN_RSA_PKCS1_SHA256 = 3, /**< ... SHA-256 */
    PKIWS_SIGN_RSA_PKCS1_SHA384 = 4, /**< ... SHA-384 */
    PKIWS_SIGN_RSA_PKCS1_SHA512 = 5, /**< ... SHA-512 */
    PKIWS_SIGN_ECDSA_SHA1 = 6,       /**< ECDSA over a SHA-1 digest; DER ECDSA-Sig-Value */
    PKIWS_SIGN_ECDSA_SHA224 = 7,     /**< ... SHA-224 */
    PKIWS_SIGN_ECDSA_SHA256 = 8,     /**< ... SHA-256 */
    PKIWS_SIGN_ECDSA_SHA384 = 9,     /**< ... SHA-384 */
    PKIWS_SIGN_ECDSA_SHA512 = 10     /**< ... SHA-512 */
};

/**
 * Signs for the RA key that the host keeps (HSM, TPM, a key service): sign @p hash
 * (@p hash_len bytes, made with the hash of @p alg, a pkiws_sign_alg) and put the signature
 * in @p sig (at most @p cap bytes), its length in *@p sig_len. RSA: the RSASSA-PKCS1-v1_5
 * signature over the DigestInfo of the hash (as long as the modulus); ECDSA: the DER
 * ECDSA-Sig-Value. Return PKIWS_OK, or PKIWS_E_RA_CREDENTIAL / PKIWS_E_BACKEND / PKIWS_E_NOMEM
 * (the host may record why with pkiws_backend_fail()). Called for TLS handshakes with the CA
 * and once per connection configuration to prove the key matches the certificate, possibly
 * from several threads at once; it must not call back into the session.
 */
typedef int (*pkiws_sign_cb)(void *ctx, int alg, const uint8_t *hash, size_t hash_len,
                             uint8_t *sig, size_t cap, size_t *sig_len);

/**
 * RA credential whose private key stays outside pkiws: @p cert_chain (@p len bytes) holds the
 * RA certificate, then optionally its chain, as PEM or as one DER certificate; every TLS
 * signature with the RA key goes to @p sign_cb with @p ctx. @p sign_cb NULL: the session's
 * TLS backend signs with its own `sign` hook (backend.h, PKIWS_TLS_CAP_SIGN).
 *
 * Transports: the native one (PKIWS_TRANSPORT_NATIVE; built-in mbedTLS backend or a host TLS
 * backend, which sees PKIWS_TLS_KEY_EXTERNAL 1 and signs through pkiws_tls_params_sign()).
 * The libcurl transport cannot use a signer (its TLS library wants the key itself): an
 * operation of a signer session on it fails with PKIWS_E_UNSUPPORTED and the remedy "use the
 * native transport" (PKIWS_TRANSPORT_NATIVE); a host HTTP backend (which would need the key
 * as PEM) fails with PKIWS_E_RA_CREDENTIAL. The certificate must be valid now.
 * @p ctx must stay valid until the session is freed or its RA credential replaced and the
 * operations started before have returned.
 */
PKIWS_API int pkiws_session_set_ra_signer(pkiws_session *session, const void *cert_chain,
                                          size_t len, pkiws_sign_cb sign_cb, void *ctx);
/**
 * RA credential in a PKCS#11 token (HSM, smart card, TPM through tpm2-pkcs11, SoftHSM2): the
 * module at @p module_path (a shared object, loaded with dlopen; NULL: the module-path of
 * @p uri) is initialised with OS locking, the token and private key named by @p uri (RFC 7512:
 * `pkcs11:token=...;object=...;id=%01` — attributes token, manufacturer, model, serial,
 * object, id, type=private, and in the query pin-value, module-path; any other is refused,
 * naming it) are found, the session logs in with @p pin (NULL: the URI's pin-value, if any)
 * and the RA certificate is the token's certificate object with the key's CKA_ID. Signing is
 * C_Sign (CKM_RSA_PKCS over a DigestInfo, CKM_ECDSA); the key never leaves the token. The PIN
 * is kept (zeroised when freed) to log in again, never logged. One PKCS#11 session per pkiws
 * session, with C_Sign serialised. Native transport only, as pkiws_session_set_ra_signer().
 * Failures: PKIWS_E_INVALID_ARG (URI), PKIWS_E_UNSUPPORTED (built without PKCS#11 support),
 * PKIWS_E_RA_CREDENTIAL (module, token, PIN, key or certificate), each naming the input.
 */
PKIWS_API int pkiws_session_set_ra_pkcs11(pkiws_session *session, const char *module_path,
                                          const char *uri, const char *pin);
/**
 * SHA-1 thumbprint of the loaded RA certificate as 40 upper-case hex digits; borrowed.
 * PKIWS_E_STATE when no credential is loaded.
 */
PKIWS_API int pkiws_session_ra_thumbprint(const pkiws_session *session, const char **out);

/**
 * Read an Intune Certificate Connector `.exe.config` (appSettings: RACertThumbprint,
 * CloudCAConnTimeoutInMilliseconds, proxy keys) into the session. The thumbprint is kept
 * for pkiws_session_set_ra_store() and readable with pkiws_session_config_value().
 */
PKIWS_API int pkiws_session_load_connector_config(pkiws_session *session, const char *path);
/** Number of appSettings read by the last pkiws_session_load_connector_config(). */
PKIWS_API size_t pkiws_session_config_count(const pkiws_session *session);
/** The @p index-th appSetting read (key and value, borrowed); values of secrets are "***". */
PKIWS_API int pkiws_session_config_entry(const pkiws_session *session, size_t index,
                                         const char **key, const char **value);
/** The value of appSetting @p key (case-insensitive), or NULL. */
PKIWS_API const char *pkiws_session_config_value(const pkiws_session *session, const char *key);

/* ============================================================================================
 * Profile
 * ========================================================================================== */

/** Subject name formats of the Intune PKCS profile. */
enum pkiws_subject_format {
    PKIWS_SUBJECT_CN = 1,         /**< CN=<cn> */
    PKIWS_SUBJECT_CN_EMAIL = 2,   /**< CN=<cn>, E=<e-mail> */
    PKIWS_SUBJECT_CN_AS_EMAIL = 3 /**< CN=<e-mail> */
};

/** SAN types, a bit set. */
#define PKIWS_SAN_EMAIL 0x1u     /**< rfc822Name */
#define PKIWS_SAN_UPN 0x2u       /**< otherName 1.3.6.1.4.1.311.20.2.3, UTF8String */
#define PKIWS_SAN_OTHERNAME 0x4u /**< otherName with a caller-given OID and DER value */

/** Key types. */
enum pkiws_key_type {
    PKIWS_KEY_RSA2048 = 1,
    PKIWS_KEY_RSA3072 = 2,
    PKIWS_KEY_RSA4096 = 3,
    PKIWS_KEY_EC_P256 = 4,
    PKIWS_KEY_EC_P384 = 5
};

/** PFX presets. */
enum pkiws_pfx_preset {
    PKIWS_PFX_LEGACY = 1, /**< 3DES key and cert bags, HMAC-SHA-1: every client, OpenSSL 3 too */
    PKIWS_PFX_MODERN = 2  /**< PBES2 AES-256-CBC + PBKDF2-HMAC-SHA-256, HMAC-SHA-256 */
};

/** Identity fields, used for attribute mappings and in SAN traces. */
enum pkiws_field {
    PKIWS_FIELD_CN = 1,
    PKIWS_FIELD_SUBJECT_EMAIL = 2, /**< the subject's E */
    PKIWS_FIELD_SAN_EMAIL = 3,
    PKIWS_FIELD_SAN_UPN = 4,
    PKIWS_FIELD_SAN_OTHERNAME = 5,
    PKIWS_FIELD_GIVEN_NAME = 6,
    PKIWS_FIELD_FAMILY_NAME = 7,
    PKIWS_FIELD_SEAT_ID = 8
};

/** Option ids of pkiws_profile_set_int/_str. */
enum pkiws_profile_opt {
    PKIWS_PROFILE_OPT_SUBJECT_FORMAT = 1,  /**< PKIWS_SUBJECT_*, default PKIWS_SUBJECT_CN */
    PKIWS_PROFILE_OPT_SAN_TYPES = 2,       /**< PKIWS_SAN_* bit set, default 0 */
    PKIWS_PROFILE_OPT_KEY_TYPE = 3,        /**< PKIWS_KEY_*, default PKIWS_KEY_RSA2048 */
    PKIWS_PROFILE_OPT_PFX_PRESET = 4,      /**< PKIWS_PFX_*, default PKIWS_PFX_LEGACY */
    PKIWS_PROFILE_OPT_OTHERNAME_COMPAT = 5, /**< 1: base64 the otherName text unchecked */
    PKIWS_PROFILE_OPT_DUPLICATES = 6        /**< PKIWS_DUPLICATES_*, default ALLOW */
};

/**
 * What pkiws_issue and pkiws_renew do about the seat's existing certificates
 * (PKIWS_PROFILE_OPT_DUPLICATES). The seat is the one the request resolves to (its seat id,
 * else its CN), as the CA sees it.
 * - ALLOW: no search; every issuance takes a seat licence, silently.
 * - REPORT: before issuing, searchCertificate the seat's VALID certificates of this profile
 *   (all pages), issue, and list them in the result as found entries (pkiws_result_found).
 * - REFUSE: the same search; when it finds any, fail with PKIWS_E_DUPLICATE naming the
 *   first serial, nothing issued, the certificates listed in the result.
 * pkiws_renew never counts the certificate it renews. A failed search fails the issuance
 * with the search's code (a duplicate is never let through unseen). A retry of an issuance
 * that succeeded (same key or transaction id) finds the certificate it would get again: it is
 * reported (REPORT) or refused (REFUSE) like any other.
 */
enum pkiws_duplicates {
    PKIWS_DUPLICATES_ALLOW = 0,
    PKIWS_DUPLICATES_REPORT = 1,
    PKIWS_DUPLICATES_REFUSE = 2
};

/**
 * Make a profile for @p oid (dotted, e.g. 2.16.840.1.113733.1.16.1.2.3.1.1.47196109; white
 * space around it, as pasted, is trimmed) on @p session. The profile keeps what it needs from
 * the session. Caller frees it.
 */
PKIWS_API int pkiws_profile_new(pkiws_profile **out, pkiws_session *session, const char *oid);
/** Free a profile (NULL is fine); requests made from it stay usable. */
PKIWS_API void pkiws_profile_free(pkiws_profile *profile);
/** Set an integer option (PKIWS_PROFILE_OPT_*); PKIWS_E_STATE once the profile is verified. */
PKIWS_API int pkiws_profile_set_int(pkiws_profile *profile, int option, int64_t value);
/**
 * Override which template attribute a field fills: @p attribute_name is matched against the
 * template's attributeName, case-insensitive (NULL restores the built-in convention).
 * PKIWS_E_STATE once the profile is verified.
 */
PKIWS_API int pkiws_profile_set_mapping(pkiws_profile *profile, int field,
                                        const char *attribute_name);
/**
 * Load the profile's template offline from a getPoliciesResponse document (bare or inside a
 * SOAP envelope). PKIWS_E_PROFILE_NOT_FOUND when the document has no policy for the OID.
 */
PKIWS_API int pkiws_profile_load_template(pkiws_profile *profile, const void *xml, size_t len);
/** As pkiws_profile_load_template(), from a file. */
PKIWS_API int pkiws_profile_load_template_file(pkiws_profile *profile, const char *path);
/**
 * Pre-flight the selections against the template: every selected subject part and SAN type
 * must be a template attribute, every mandatory attribute fillable. The result carries one
 * verdict per attribute; returns PKIWS_E_POLICY_MISMATCH (with *out still set) on mismatch.
 * On success the profile's selections are final (immutable; it may be shared by threads):
 * pkiws_profile_set_* then fail with PKIWS_E_STATE. The template can still be refreshed.
 */
PKIWS_API int pkiws_profile_verify(pkiws_profile *profile, pkiws_result **out);

/** Integer facts of the profile's template (pkiws_profile_template_int). */
enum pkiws_template_int {
    PKIWS_TEMPLATE_KEY_SIZE = 1,          /**< privateKeyAttributes/keysize (0 when absent) */
    PKIWS_TEMPLATE_KEY_IS_EC = 2,         /**< 1 when the key algorithm is id-ecPublicKey */
    PKIWS_TEMPLATE_VALIDITY_DAYS = 3,     /**< certificateValidity/validityPeriodDays */
    PKIWS_TEMPLATE_NEXT_UPDATE_HOURS = 4, /**< policy nextUpdateHours (-1 when not given) */
    PKIWS_TEMPLATE_CA_COUNT = 5,          /**< CA certificates of the policy (root included) */
    PKIWS_TEMPLATE_ATTRIBUTE_COUNT = 6    /**< template attributes (subject, then SAN/other) */
};

/**
 * An integer fact of the template the profile holds (loaded or fetched). PKIWS_E_STATE when
 * there is no template yet.
 */
PKIWS_API int pkiws_profile_template_int(const pkiws_profile *profile, int item, int64_t *out);
/**
 * The @p index-th template attribute: @p name (attributeName, the nameValuePair key), @p type
 * (the type attribute, e.g. "CN", "rfc822Name", "otherName:1.3.6.1.4.1.311.20.2.3"; NULL when
 * absent), @p fixed_value (NULL unless the template fixes it), @p mandatory, @p in_san (1 for
 * SAN extension attributes) and @p field (the PKIWS_FIELD_* that fills it by the attribute
 * convention and this profile's mappings, 0 for none). Strings are borrowed until the profile's
 * template is replaced (load/fetch) or the profile is freed. Any output may be NULL.
 */
PKIWS_API int pkiws_profile_template_attribute(const pkiws_profile *profile, size_t index,
                                               const char **name, const char **type,
                                               const char **fixed_value, int *mandatory,
                                               int *in_san, int *field);

/* ============================================================================================
 * Request
 * ========================================================================================== */

/** Option ids of pkiws_request_set_str/_int. */
enum pkiws_request_opt {
    /* integers */
    PKIWS_REQUEST_OPT_PFX_PRESET = 1, /**< override the profile's preset for this request */
    PKIWS_REQUEST_OPT_RETURN_KEY = 2, /**< 1: the result also carries the key (PKCS#8) */
    /* strings */
    PKIWS_REQUEST_OPT_CN = 10000,
    PKIWS_REQUEST_OPT_EMAIL = 10001,
    PKIWS_REQUEST_OPT_UPN = 10002,
    PKIWS_REQUEST_OPT_SEAT_ID = 10003,
    PKIWS_REQUEST_OPT_GIVEN_NAME = 10004,
    PKIWS_REQUEST_OPT_FAMILY_NAME = 10005,
    PKIWS_REQUEST_OPT_PFX_PASSWORD = 10006, /**< default: a generated one, returned in the result */
    PKIWS_REQUEST_OPT_FRIENDLY_NAME = 10007,
    PKIWS_REQUEST_OPT_PENDING_REF = 10008, /**< pendingTokenReferenceID for pkiws_poll */
    PKIWS_REQUEST_OPT_TRANSACTION_ID = 10009 /**< clientTransactionID (1..40 characters of
                                                  [A-Za-z0-9._:-]); default: derived from the
                                                  profile OID, the seat and the public key */
};

/**
 * Make a request on @p profile. The request takes a snapshot of the profile's selections
 * (subject format, SAN types, key type, PFX preset, mappings): later profile edits do not alter
 * it. It keeps the profile alive and uses the profile's current template. Caller frees it.
 */
PKIWS_API int pkiws_request_new(pkiws_request **out, pkiws_profile *profile);
/** Free a request (NULL is fine); secrets are zeroised. */
PKIWS_API void pkiws_request_free(pkiws_request *request);
/** Set a string option (UTF-8, copied; NULL clears). */
PKIWS_API int pkiws_request_set_str(pkiws_request *request, int option, const char *value);
/** Set an integer option. */
PKIWS_API int pkiws_request_set_int(pkiws_request *request, int option, int64_t value);
/**
 * Set the otherName SAN: @p oid dotted, @p hex the DER value as hex (any case, spaces and
 * colons allowed).
 */
PKIWS_API int pkiws_request_set_othername(pkiws_request *request, const char *oid,
                                          const char *hex);

/**
 * Resolve subject and SANs by the Intune rules and check them against the template, without
 * any network call. Returns the first failure's code, with *out set in every case but
 * PKIWS_E_INVALID_ARG / PKIWS_E_NOMEM; the result carries the SAN trace and verdicts.
 */
PKIWS_API int pkiws_preflight(pkiws_request *request, pkiws_result **out);

/* ============================================================================================
 * Result
 * ========================================================================================== */

enum pkiws_status {
    PKIWS_STATUS_OK = 0,      /**< done (issued, verified, checked, packaged) */
    PKIWS_STATUS_PENDING = 1, /**< waiting for approval; see pkiws_poll */
    PKIWS_STATUS_FAILED = 2
};

/** String items of pkiws_result_str(). */
enum pkiws_result_str {
    PKIWS_RESULT_SUBJECT = 1,       /**< subject DN, e.g. "CN=Alice,E=alice@contoso.com" */
    PKIWS_RESULT_SERIAL = 2,        /**< certificate serial, upper-case hex */
    PKIWS_RESULT_THUMBPRINT = 3,    /**< SHA-1 of the certificate, 40 upper-case hex digits */
    PKIWS_RESULT_ISSUER = 4,        /**< issuer DN */
    PKIWS_RESULT_CERT_PEM = 5,      /**< end-entity certificate, PEM */
    PKIWS_RESULT_CLIENT_TXID = 6,   /**< clientTransactionID sent */
    PKIWS_RESULT_SERVER_TXID = 7,   /**< serverTransactionID received */
    PKIWS_RESULT_PENDING_REF = 8,   /**< pendingTokenReferenceID for pkiws_poll */
    PKIWS_RESULT_PFX_PASSWORD = 9,  /**< the PFX password (the generated one when none given) */
    PKIWS_RESULT_MAC_ALG = 10,      /**< PFX inspection: MAC digest, e.g. "sha256" */
    PKIWS_RESULT_KEY_BAG_ALG = 11,  /**< PFX inspection: key bag encryption */
    PKIWS_RESULT_CERT_BAG_ALG = 12, /**< PFX inspection: certificate bag encryption */
    PKIWS_RESULT_FRIENDLY_NAME = 13, /**< PFX inspection: friendlyName of the key */
    PKIWS_RESULT_DISPOSITION = 14,   /**< the CA's dispositionMessage / successMsg */
    PKIWS_RESULT_STATUS_MESSAGE = 15 /**< health check: the service's statusMessage */
};

/** Integer items of pkiws_result_int(). */
enum pkiws_result_int {
    PKIWS_RESULT_NOT_BEFORE = 1,   /**< certificate validity start, epoch seconds */
    PKIWS_RESULT_NOT_AFTER = 2,    /**< certificate validity end, epoch seconds */
    PKIWS_RESULT_ATTEMPTS = 3,     /**< requests sent, retries included */
    PKIWS_RESULT_CHAIN_LENGTH = 4, /**< certificates in the chain (end-entity excluded) */
    PKIWS_RESULT_MAC_ITERATIONS = 5,
    PKIWS_RESULT_REVOCATION_COUNT = 6, /**< certificates whose status changed */
    PKIWS_RESULT_SUCCESS_CODE = 7,     /**< updateCertificateStatus successCode */
    PKIWS_RESULT_SEARCH_TOTAL = 8,     /**< pkiws_search: certificates matching, all pages */
    PKIWS_RESULT_SEARCH_MORE = 9,      /**< pkiws_search: 1 when more pages follow */
    PKIWS_RESULT_APPROVALS_PENDING = 10 /**< pkiws_recover: administrator approvals still
                                             needed (adminApprovalPendingCount; 0 when done) */
};

/** Binary items of pkiws_result_blob(). */
enum pkiws_result_blob {
    PKIWS_RESULT_CERT_DER = 1, /**< end-entity certificate, DER */
    PKIWS_RESULT_PFX = 2,      /**< the PKCS#12 bundle */
    PKIWS_RESULT_KEY_PKCS8 = 3 /**< private key, PKCS#8 DER (only when requested) */
};

/** Where a subject part or SAN value came from (SAN trace). */
enum pkiws_source {
    PKIWS_SOURCE_NONE = 0,
    PKIWS_SOURCE_REQUEST_CN = 1,        /**< "request.cn" */
    PKIWS_SOURCE_REQUEST_EMAIL = 2,     /**< "request.email" */
    PKIWS_SOURCE_REQUEST_UPN = 3,       /**< "request.upn" */
    PKIWS_SOURCE_SUBJECT_E = 4,         /**< "subject.E" */
    PKIWS_SOURCE_SUBJECT_CN = 5,        /**< "subject.CN" */
    PKIWS_SOURCE_REQUEST_OTHERNAME = 6, /**< "request.othername" */
    PKIWS_SOURCE_DERIVED_FROM_UPN = 7,  /**< "derived from UPN" */
    PKIWS_SOURCE_REQUEST_NAME = 8,      /**< "request.name": the given / family name set */
    PKIWS_SOURCE_TEMPLATE = 9,          /**< a fixed value of the template */
    PKIWS_SOURCE_REQUEST_SEAT = 10      /**< "request.seat_id" */
};

/** Verdicts of template checks and health-check steps. */
enum pkiws_verdict {
    PKIWS_VERDICT_OK = 0,
    PKIWS_VERDICT_WARN = 1,
    PKIWS_VERDICT_MISSING_FROM_TEMPLATE = 2, /**< selected, but not a template attribute */
    PKIWS_VERDICT_UNFILLABLE = 3,            /**< mandatory template attribute without a value */
    PKIWS_VERDICT_FAIL = 4
};

/** Free a result (NULL is fine); keys and passwords are zeroised. */
PKIWS_API void pkiws_result_free(pkiws_result *result);
/** PKIWS_STATUS_*. */
PKIWS_API int pkiws_result_status(const pkiws_result *result);
/** PKIWS_OK or the PKIWS_E_* code of the failure. */
PKIWS_API int pkiws_result_error(const pkiws_result *result);
/** The failure message naming the offending input; "" on success. Never NULL. */
PKIWS_API const char *pkiws_result_message(const pkiws_result *result);
/** What to do about the failure; NULL when there is no remedy. */
PKIWS_API const char *pkiws_result_remedy(const pkiws_result *result);
/** 1 when repeating the same call may succeed (transport failures), else 0. */
PKIWS_API int pkiws_result_retryable(const pkiws_result *result);
/** A string item (PKIWS_RESULT_* of enum pkiws_result_str), borrowed; NULL when absent. */
PKIWS_API const char *pkiws_result_str(const pkiws_result *result, int item);
/** An integer item (enum pkiws_result_int) into *out; PKIWS_E_STATE when absent. */
PKIWS_API int pkiws_result_int(const pkiws_result *result, int item, int64_t *out);
/** A binary item (enum pkiws_result_blob), borrowed; PKIWS_E_STATE when absent. */
PKIWS_API int pkiws_result_blob(const pkiws_result *result, int item, const uint8_t **data,
                                size_t *len);
/** Number of chain certificates (issuing CA first, then up to the root). */
PKIWS_API size_t pkiws_result_chain_count(const pkiws_result *result);
/** The @p index-th chain certificate, DER, borrowed. */
PKIWS_API int pkiws_result_chain_cert(const pkiws_result *result, size_t index,
                                      const uint8_t **data, size_t *len);

/**
 * Number of SAN-trace entries: one per subject part and per SAN (and per derived name).
 */
PKIWS_API size_t pkiws_result_trace_count(const pkiws_result *result);
/**
 * The @p index-th trace entry: @p field a PKIWS_FIELD_*, @p value the value used (othername:
 * upper-case hex of the DER), @p source a PKIWS_SOURCE_*. Any output pointer may be NULL.
 */
PKIWS_API int pkiws_result_trace(const pkiws_result *result, size_t index, int *field,
                                 const char **value, int *source);
/** "request.email", "subject.CN", ... for a PKIWS_SOURCE_*; never NULL. */
PKIWS_API const char *pkiws_source_name(int source);
/** "cn", "subject_email", "email", "upn", "othername", ... for a PKIWS_FIELD_*; never NULL. */
PKIWS_API const char *pkiws_field_name(int field);

/**
 * Number of checks: template verdicts (one per template attribute and per selection) for
 * pkiws_profile_verify / pkiws_preflight.
 */
PKIWS_API size_t pkiws_result_check_count(const pkiws_result *result);
/**
 * The @p index-th check: @p name (attribute or step), @p verdict (PKIWS_VERDICT_*), @p detail
 * (explanation) and @p remedy (NULL when none). Any output pointer may be NULL.
 */
PKIWS_API int pkiws_result_check(const pkiws_result *result, size_t index, const char **name,
                                 int *verdict, const char **detail, const char **remedy);
/** "ok", "warn", "missing from template", "mandatory but unfillable", "fail"; never NULL. */
PKIWS_API const char *pkiws_verdict_name(int verdict);

/* ============================================================================================
 * Online operations (talk to the CA; need a CA address and an RA credential on the session)
 * ========================================================================================== */

/**
 * Fetch the profile's template from the policy service (getPolicies filtered by the OID) and
 * cache it for the policy's nextUpdateHours (else PKIWS_SESSION_OPT_POLICY_CACHE_HOURS).
 * "A request element is not understood." or an OID missing from the answer:
 * PKIWS_E_PROFILE_NOT_FOUND with the troubleshooting table's remedy.
 */
PKIWS_API int pkiws_profile_fetch_policy(pkiws_profile *profile);

/**
 * Issue a certificate for the request: fetch the template if none is cached, resolve subject
 * and SANs, generate the key, send the CSR with one nameValuePair per template attribute,
 * build the PFX. Returns PKIWS_OK for ISSUED and for PENDING (see pkiws_result_status; a
 * pending result carries PENDING_REF and the key as KEY_PKCS8 for pkiws_poll). *out is set in
 * every case but PKIWS_E_INVALID_ARG / PKIWS_E_NOMEM. Thread-safe on a shared session and
 * profile (one request per thread).
 */
PKIWS_API int pkiws_issue(pkiws_request *request, pkiws_result **out);

/**
 * Give a request its key (PKCS#8 DER or PEM, PKCS#1, SEC1; encrypted PKCS#8 with @p password,
 * else NULL). pkiws_issue then certifies this key instead of generating one; its type must be
 * one the template allows. As the clientTransactionID is derived from the profile OID, the
 * seat and the public key, issuing again with the same key (e.g. after a crash) gets the
 * certificate already issued instead of a second one. With PKIWS_REQUEST_OPT_PENDING_REF it
 * is the key kept from a PENDING result, so that pkiws_poll can finish it (also in another
 * process).
 */
PKIWS_API int pkiws_request_set_key(pkiws_request *request, const void *key, size_t len,
                                    const char *password);
/**
 * Ask again for a pending request (QueryTokenStatus); the result is as for pkiws_issue. The
 * request needs PKIWS_REQUEST_OPT_PENDING_REF and the key kept from the PENDING result
 * (pkiws_request_set_key), except on a profile where the CA generates the key: that pending
 * result has no KEY_PKCS8, and the key comes with the CA's PKCS#12 when the poll finishes.
 */
PKIWS_API int pkiws_poll(pkiws_request *request, pkiws_result **out);

/**
 * Renew a certificate (RequestSecurityToken with requestType Renew): a new key (generated, from
 * the key pool, or the one given with pkiws_request_set_key) and a CSR for the request's
 * identity, sent with @p old_cert, the certificate to renew (DER or PEM, @p len bytes). The
 * identity must resolve to the same seat as the old certificate's and the profile must be the
 * one it was issued under; the CA refuses unknown, revoked, suspended and expired certificates
 * with a SOAP fault (PKIWS_E_SOAP_FAULT). The old certificate stays valid until revoked. The
 * result is as for pkiws_issue (PFX, password, chain; PENDING when the CA holds it). A retry
 * with the same key (or PKIWS_REQUEST_OPT_TRANSACTION_ID) gets the same certificate, not a
 * second one.
 */
PKIWS_API int pkiws_renew(pkiws_request *request, const void *old_cert, size_t len,
                          pkiws_result **out);

/* ============================================================================================
 * Sans-I/O operations (docs/async.md): the host does the HTTP exchanges and the waiting.
 * ========================================================================================== */

/**
 * One operation in progress (an issuance, renewal, poll, search, revocation, bulk status
 * change, key recovery or policy fetch: pkiws_*_start), driven by the host: pkiws never blocks,
 * sleeps or does I/O inside pkiws_op_* calls (the key is generated inside pkiws_op_next or
 * pkiws_op_perform when the session has no key pool: CPU work, no I/O; pkiws_op_perform hands
 * exchanges to pkiws threads). An op is not thread-safe (one thread at a time), but different
 * ops may run on different threads. It holds the session's settings as they were at its start
 * for its whole life; a request must stay alive and unchanged until the op is freed (a freed
 * request fails the op with PKIWS_E_INVALID_HANDLE).
 */
typedef struct pkiws_op pkiws_op;

/** What an op wants next (pkiws_op_next). */
enum pkiws_op_want {
    PKIWS_OP_WANT_HTTP = 1, /**< perform pkiws_op_http_request, then pkiws_op_feed (or
                                 pkiws_op_feed_error) */
    PKIWS_OP_WANT_WAIT = 2, /**< back-off before a retry: call pkiws_op_next again after
                                 pkiws_op_wait_ms milliseconds */
    PKIWS_OP_DONE = 3       /**< finished (issued, pending, failed or cancelled):
                                 pkiws_op_result */
};

/**
 * Start an issuance of @p request without doing any of it: the first pkiws_op_next says what it
 * needs. The steps are those of pkiws_issue (the policy exchange when no template is cached,
 * the seat's searches for PKIWS_PROFILE_OPT_DUPLICATES, the key, the CSR, the enrolment
 * exchange, the PFX) with the same retries, back-off and clientTransactionID; the result is the
 * one pkiws_issue gives. PKIWS_E_INVALID_HANDLE, PKIWS_E_INVALID_ARG, PKIWS_E_NOMEM; every
 * other failure ends the op (PKIWS_OP_DONE) with a failed result. Free it with pkiws_op_free.
 */
PKIWS_API int pkiws_issue_start(pkiws_request *request, pkiws_op **op);
/** pkiws_renew as an op: @p old_cert (DER or PEM, @p len bytes) is copied. */
PKIWS_API int pkiws_renew_start(pkiws_request *request, const void *old_cert, size_t len,
                                pkiws_op **op);
/**
 * Advance the op as far as it goes without I/O and tell in *@p want (PKIWS_OP_WANT_* or
 * PKIWS_OP_DONE) what it needs. Calling it again without feeding gives the same answer
 * (PKIWS_OP_WANT_WAIT turns into PKIWS_OP_WANT_HTTP once the back-off has passed, on
 * CLOCK_MONOTONIC). Returns PKIWS_OK whatever the outcome of the operation (see
 * pkiws_op_result); PKIWS_E_INVALID_HANDLE, PKIWS_E_INVALID_ARG.
 */
PKIWS_API int pkiws_op_next(pkiws_op *op, int *want);
/**
 * The HTTP exchange wanted (PKIWS_OP_WANT_HTTP): POST @p body (*@p len bytes) to *@p url with
 * the request headers *@p headers ("Name: value\r\n" lines: Content-Type and SOAPAction),
 * over mutual TLS with the RA credential, trusting the CA the session trusts. The pointers stay
 * valid until the next pkiws_op_feed, pkiws_op_feed_error, pkiws_op_cancel or pkiws_op_free.
 * PKIWS_E_STATE when the op does not want an exchange. Any output pointer may be NULL.
 */
PKIWS_API int pkiws_op_http_request(pkiws_op *op, const char **url, const char **headers,
                                    const uint8_t **body, size_t *len);
/**
 * The answer to the exchange: the HTTP status and the body (@p len bytes, copied as needed);
 * @p headers ("Name: value\r\n" lines) may be NULL (pkiws decides on the status and the body).
 * Any status is an answer (a 5xx without a SOAP fault is retried as pkiws_issue does).
 * PKIWS_E_STATE when no exchange is wanted.
 */
PKIWS_API int pkiws_op_feed(pkiws_op *op, int http_status, const char *headers, const void *body,
                            size_t len);
/**
 * The exchange failed without an HTTP answer: @p code is the PKIWS_E_* that describes it
 * (PKIWS_E_CONNECT, PKIWS_E_TIMEOUT, PKIWS_E_PROTOCOL for a reset or truncated answer: retried
 * after a back-off, PKIWS_OP_WANT_WAIT, when the session's retries allow; PKIWS_E_TLS and the
 * others end the op); @p message (may be NULL) goes into the result's message. PKIWS_E_STATE
 * when no exchange is wanted; PKIWS_E_INVALID_ARG when @p code is not a failure code.
 */
PKIWS_API int pkiws_op_feed_error(pkiws_op *op, int code, const char *message);
/** Milliseconds left of the back-off (PKIWS_OP_WANT_WAIT; 0 when over or not waiting). */
PKIWS_API int pkiws_op_wait_ms(pkiws_op *op, int64_t *ms);
/**
 * Take the result of a finished op (PKIWS_OP_DONE): *@p out is the result pkiws_issue gives
 * (free it with pkiws_result_free) and the return value its code (PKIWS_OK for ISSUED and
 * PENDING). PKIWS_E_STATE (and *@p out NULL) while the op runs or when the result was taken.
 */
PKIWS_API int pkiws_op_result(pkiws_op *op, pkiws_result **out);
/**
 * Cancel the op: it is PKIWS_OP_DONE at once, with a failed result PKIWS_E_CANCELLED. An
 * enrolment whose request already went out may still be issued by the CA; issuing again with
 * the same key gets that certificate. No-op on a finished op.
 */
PKIWS_API int pkiws_op_cancel(pkiws_op *op);
/** Free the op (cancelled first when still running); NULL and freed ops are ignored. */
PKIWS_API void pkiws_op_free(pkiws_op *op);

/** Events of a file descriptor an op waits on (pkiws_op_fds). */
enum pkiws_poll_event {
    PKIWS_POLL_IN = 1, /**< readable (POLLIN) */
    PKIWS_POLL_OUT = 2 /**< writable (POLLOUT) */
};
/**
 * Driver mode (as curl_multi_perform): pkiws performs the op's exchanges over the session's
 * transport without blocking the caller, on a pkiws thread per exchange in flight. Advances
 * the op as far as it goes now; *@p done is 1 when it is PKIWS_OP_DONE (pkiws_op_result).
 * Between calls the host waits on pkiws_op_fds. An op whose exchange pkiws performs refuses
 * pkiws_op_http_request and pkiws_op_feed (PKIWS_E_STATE) until that exchange is over; the
 * host may drive some exchanges itself and let pkiws perform others.
 */
PKIWS_API int pkiws_op_perform(pkiws_op *op, int *done);
/**
 * What to wait on before the next pkiws_op_perform (as curl_multi_fdset / curl_multi_timeout):
 * up to @p cap descriptors into @p fds with their PKIWS_POLL_* bits in @p events (both arrays
 * of @p cap entries), their number in *@p n, and in *@p timeout_ms the longest wait (-1: only
 * the descriptors; 0: call pkiws_op_perform now). Today an op waits on at most one descriptor
 * (readable when its exchange is over; it stays the same for the op's life); hosts should
 * still pass room for more. PKIWS_E_LIMIT (and *@p n the number needed) when @p cap is short.
 */
PKIWS_API int pkiws_op_fds(pkiws_op *op, int *fds, int *events, size_t cap, size_t *n,
                           int64_t *timeout_ms);

/**
 * pkiws_poll as an op (the other operations as ops have the same checks, exchanges, retries
 * and results as their blocking forms, which are loops over them; strings are copied).
 */
PKIWS_API int pkiws_poll_start(pkiws_request *request, pkiws_op **op);
/** pkiws_profile_fetch_policy as an op; its result holds ATTEMPTS and CLIENT_TXID. */
PKIWS_API int pkiws_profile_fetch_policy_start(pkiws_profile *profile, pkiws_op **op);
/** pkiws_revoke as an op. */
PKIWS_API int pkiws_revoke_start(pkiws_session *session, int operation, int selector,
                                 const char *id, int reason, const char *comment, pkiws_op **op);
/** pkiws_revoke_bulk as an op (the ids are copied). */
PKIWS_API int pkiws_revoke_bulk_start(pkiws_session *session, int operation, int selector,
                                      const char *const *ids, size_t n, int reason,
                                      const char *comment, pkiws_op **op);
/** pkiws_search as an op. */
PKIWS_API int pkiws_search_start(pkiws_session *session, int selector, const char *id,
                                 const char *profile_oid, int start_index, pkiws_op **op);
/** pkiws_recover as an op (the password is kept in wiped memory). */
PKIWS_API int pkiws_recover_start(pkiws_session *session, const char *serial, const char *issuer,
                                  const char *admin_id, const char *pfx_password, int preset,
                                  pkiws_op **op);

/**
 * Whether a certificate (DER or PEM, @p len bytes) is inside its renewal window at @p now
 * (seconds since the epoch): *@p due = 1 when now >= notAfter - @p renewal_days days (an
 * expired certificate is due too), else 0. @p renewal_days is usually the template's
 * certificateValidity/renewalPeriodDays.
 */
PKIWS_API int pkiws_cert_renewal_due(const void *cert, size_t len, int64_t now, int renewal_days,
                                     int *due);

/** Certificate status operations (updateCertificateStatus operationType). */
enum pkiws_status_op {
    PKIWS_OP_REVOKE = 1,
    PKIWS_OP_SUSPEND = 2,
    PKIWS_OP_RESUME = 3
};
/** What identifies the certificates. */
enum pkiws_selector {
    PKIWS_BY_SERIAL = 1, /**< one certificate, by serial (hex; case and leading zeros ignored) */
    PKIWS_BY_SEAT = 2,   /**< every certificate of a seat */
    PKIWS_BY_PROFILE = 3 /**< every certificate of a profile OID (pkiws_revoke_bulk only) */
};
/** Revocation reasons (RFC 5280 numbers; names of the service's RevokeReasonCodeEnum). */
enum pkiws_reason {
    PKIWS_REASON_NONE = -1, /**< omit the reason */
    PKIWS_REASON_UNSPECIFIED = 0,
    PKIWS_REASON_KEY_COMPROMISE = 1,
    PKIWS_REASON_CA_COMPROMISE = 2,
    PKIWS_REASON_AFFILIATION_CHANGED = 3,
    PKIWS_REASON_SUPERSEDED = 4,
    PKIWS_REASON_CESSATION_OF_OPERATION = 5,
    PKIWS_REASON_CERTIFICATE_HOLD = 6,
    PKIWS_REASON_REMOVE_FROM_CRL = 8,
    PKIWS_REASON_PRIVILEGE_WITHDRAWN = 9,
    PKIWS_REASON_AA_COMPROMISE = 10
};
/**
 * Revoke, suspend or resume certificates (updateCertificateStatus) by serial or by seat.
 * successCode 0 is success; the result carries SUCCESS_CODE, DISPOSITION (successMsg) and
 * REVOCATION_COUNT. @p comment may be NULL.
 */
PKIWS_API int pkiws_revoke(pkiws_session *session, int operation, int selector, const char *id,
                           int reason, const char *comment, pkiws_result **out);

/**
 * Revoke, suspend or resume many certificates (bulkUpdateCertificateStatus): @p n ids of one
 * kind (@p selector PKIWS_BY_SERIAL, PKIWS_BY_SEAT or PKIWS_BY_PROFILE), sent in chunks of
 * PKIWS_SESSION_OPT_BULK_CHUNK ids (at most 100, the service's limit), with @p reason and
 * @p comment (may be NULL) as for pkiws_revoke. Serials are normalised as pkiws_revoke does.
 *
 * The service answers a whole chunk with one successCode and revocationCount, so the outcome
 * of each id is established as follows, and is in the result's items (pkiws_result_item):
 * - a chunk answered with successCode 0 and a revocationCount of at least its number of ids
 *   marks all its ids PKIWS_OK;
 * - any other chunk (a non-zero successCode, fewer changes, a SOAP fault) is re-tried id by
 *   id (updateCertificateStatus; a one-id bulk request for profile OIDs): successCode 0 with
 *   a change is PKIWS_OK; an id that changes nothing is PKIWS_OK only when a
 *   searchCertificate shows all its certificates in the requested state (e.g. already
 *   revoked, possibly by the chunk), else PKIWS_E_REJECTED with the CA's message ("No
 *   certificate found ...");
 * - a transport failure that outlasts PKIWS_SESSION_OPT_RETRIES stops the run: the ids not
 *   yet confirmed get its code (retryable), and nothing more is sent.
 * clientTransactionIDs are derived from the operation, selector, reason, comment and the
 * chunk's ids ("pkiws-bulk-..." per chunk, "pkiws-one-..." per single id), so running the same
 * job again sends recognisably the same requests.
 *
 * Returns PKIWS_OK when every id is confirmed, else the code of the first id that is not
 * (the result's message names it and counts the failures); *out is set in every case but
 * PKIWS_E_INVALID_ARG / PKIWS_E_NOMEM. The result has REVOCATION_COUNT (all requests),
 * ATTEMPTS (requests sent, searches and retries included), CLIENT_TXID (the first chunk's)
 * and one item per id, in the order given. Thread-safe on a shared session.
 */
PKIWS_API int pkiws_revoke_bulk(pkiws_session *session, int operation, int selector,
                                const char *const *ids, size_t n, int reason, const char *comment,
                                pkiws_result **out);
/** Number of per-id outcomes a pkiws_revoke_bulk result holds (0 for other results). */
PKIWS_API size_t pkiws_result_item_count(const pkiws_result *result);
/**
 * The @p index-th per-id outcome: @p id as sent (serials normalised), @p code PKIWS_OK or the
 * PKIWS_E_* of that id, @p message the CA's successMsg or why it failed (borrowed, never
 * NULL). Outputs may be NULL.
 */
PKIWS_API int pkiws_result_item(const pkiws_result *result, size_t index, const char **id,
                                int *code, const char **message);

/**
 * Recover an escrowed key (keyRecovery of the certificate-management service; the profile must
 * have had the CA generate and escrow the key) for the certificate with serial @p serial (hex;
 * case, separators and leading zeros ignored) issued by @p issuer (the issuer DN, e.g. the
 * result's ISSUER), asked for by the administrator @p admin_id. The CA's PKCS#12 is opened
 * and re-packaged like an issued PFX: preset @p preset (PKIWS_PFX_*, 0: PKIWS_PFX_LEGACY),
 * password @p pfx_password (NULL: a generated one, returned as PFX_PASSWORD); the result has
 * PFX, CERT_DER, SUBJECT, SERIAL, the chain and APPROVALS_PENDING 0. When the CA still waits
 * for administrators (dual-admin approval), returns PKIWS_OK with status PKIWS_STATUS_PENDING
 * and APPROVALS_PENDING > 0: ask again (e.g. as another administrator) later. The recovered key
 * is the certificate's original key: install it on a new device to read old mail.
 */
PKIWS_API int pkiws_recover(pkiws_session *session, const char *serial, const char *issuer,
                            const char *admin_id, const char *pfx_password, int preset,
                            pkiws_result **out);

/**
 * Search certificates (searchCertificate of the certificate-management service): by seat or
 * serial (@p selector PKIWS_BY_SEAT / PKIWS_BY_SERIAL with @p id), or all (@p selector 0, @p id
 * NULL), optionally within @p profile_oid (may be NULL); one page from @p start_index (0-based).
 * The result has SEARCH_TOTAL, SEARCH_MORE and one found entry per certificate of the page.
 */
PKIWS_API int pkiws_search(pkiws_session *session, int selector, const char *id,
                           const char *profile_oid, int start_index, pkiws_result **out);
/** Number of certificates a pkiws_search result holds (this page). */
PKIWS_API size_t pkiws_result_found_count(const pkiws_result *result);
/**
 * The @p index-th certificate found: DER (borrowed), serial (hex), status ("VALID", "EXPIRED",
 * "REVOKED", "SUSPENDED") and seat id as the service reports them. Outputs may be NULL.
 */
PKIWS_API int pkiws_result_found(const pkiws_result *result, size_t index, const uint8_t **der,
                                 size_t *len, const char **serial, const char **status,
                                 const char **seat);

/* ============================================================================================
 * The durable revocation outbox (docs/outbox.md)
 * ========================================================================================== */

/** A durable queue of revoke / suspend / resume requests in one SQLite file. */
typedef struct pkiws_outbox pkiws_outbox;

/** The states of an outbox entry. */
enum pkiws_outbox_state {
    PKIWS_OUTBOX_QUEUED = 1,   /**< stored, never sent */
    PKIWS_OUTBOX_SENT = 2,     /**< sent at least once (or about to be), no confirmation yet */
    PKIWS_OUTBOX_ACCEPTED = 3, /**< the CA answered successCode 0 (or -2 to a repeat): search next */
    PKIWS_OUTBOX_DONE = 4,     /**< a search showed the new status: finished */
    PKIWS_OUTBOX_FAILED = 5    /**< refused for good (e.g. unknown serial): finished, last error says why */
};
/** The worker's steps, as the step callback sees them (each after the step named). */
enum pkiws_outbox_step {
    PKIWS_OUTBOX_STEP_SEND = 1,     /**< the attempt is recorded (state SENT); the request goes out next */
    PKIWS_OUTBOX_STEP_SENT = 2,     /**< the send returned; its outcome is not recorded yet */
    PKIWS_OUTBOX_STEP_ACCEPTED = 3, /**< ACCEPTED is recorded; the search comes next */
    PKIWS_OUTBOX_STEP_SEARCHED = 4, /**< the search shows the new status; DONE is not recorded yet */
    PKIWS_OUTBOX_STEP_DONE = 5      /**< DONE is recorded */
};
/** What pkiws_outbox_entry_int / pkiws_outbox_entry_str read of an entry. */
enum pkiws_outbox_item {
    PKIWS_OUTBOX_ITEM_ID = 1,           /**< int: the entry id (from 1, never reused) */
    PKIWS_OUTBOX_ITEM_OPERATION = 2,    /**< int: PKIWS_OP_* */
    PKIWS_OUTBOX_ITEM_SELECTOR = 3,     /**< int: PKIWS_BY_SERIAL or PKIWS_BY_SEAT */
    PKIWS_OUTBOX_ITEM_REASON = 4,       /**< int: PKIWS_REASON_* */
    PKIWS_OUTBOX_ITEM_STATE = 5,        /**< int: PKIWS_OUTBOX_* */
    PKIWS_OUTBOX_ITEM_ATTEMPTS = 6,     /**< int: sends so far (a re-send after a crash counts) */
    PKIWS_OUTBOX_ITEM_SUCCESS_CODE = 7, /**< int: the CA's last successCode (0 before an answer) */
    PKIWS_OUTBOX_ITEM_LAST_CODE = 8,    /**< int: PKIWS_E_* of the last failure, 0 without one */
    PKIWS_OUTBOX_ITEM_NEXT_ATTEMPT = 9, /**< int: milliseconds since the epoch of the next try */
    PKIWS_OUTBOX_ITEM_CREATED = 10,     /**< int: when queued, milliseconds since the epoch */
    PKIWS_OUTBOX_ITEM_TARGET = 101,     /**< str: the serial (normalised hex) or the seat id */
    PKIWS_OUTBOX_ITEM_TXID = 102,       /**< str: the clientTransactionID of every send */
    PKIWS_OUTBOX_ITEM_LAST_ERROR = 103  /**< str: the last failure's message, NULL without one */
};
/** Called by pkiws_outbox_run after each step of an entry (observation, progress, tests). */
typedef void (*pkiws_outbox_step_cb)(int64_t entry_id, int step, void *user_data);

/**
 * Open (create) the outbox file @p path for @p session (kept alive by the outbox; its settings
 * at each pkiws_outbox_run apply). The file is SQLite in WAL mode with synchronous=FULL: what
 * pkiws_outbox_add returned, and every state change, survives kill -9 and a power loss.
 * PKIWS_E_UNSUPPORTED when the library is built without SQLite (no PKIWS_FEATURE_OUTBOX);
 * PKIWS_E_IO naming the file when it cannot be opened or is not a database.
 */
PKIWS_API int pkiws_outbox_open(pkiws_session *session, const char *path, pkiws_outbox **out);
/** Close the outbox (what it stored stays in the file). NULL and freed handles are ignored. */
PKIWS_API void pkiws_outbox_free(pkiws_outbox *outbox);
/**
 * Queue an operation (PKIWS_OP_*) for a certificate by serial or for a seat, with a reason
 * (PKIWS_REASON_*, PKIWS_REASON_NONE to omit it). Its clientTransactionID is chosen and stored
 * now: every send of the entry uses it. Nothing is sent here. A pending entry for the same
 * operation and target is not queued twice (*@p entry_id is then that entry's id).
 */
PKIWS_API int pkiws_outbox_add(pkiws_outbox *outbox, int operation, int selector, const char *id,
                               int reason, int64_t *entry_id);
/**
 * Work on the pending entries: send each due one (again, with its own id, after a failure or a
 * crash) until the CA confirms it (successCode 0, or -2 for a repeat of an earlier send) and a
 * searchCertificate shows the new status; retry with back-off (the session's
 * PKIWS_SESSION_OPT_RETRY_BACKOFF_MS, doubled per attempt, at most 5 minutes). Blocks until
 * nothing is pending or @p max_seconds have passed (0: no deadline). *@p pending (may be NULL):
 * what is left. Returns PKIWS_OK when the run ended normally (pending or not); a failure that no
 * retry heals (configuration, RA credential, TLS trust, the file) ends it early with that code.
 */
PKIWS_API int pkiws_outbox_run(pkiws_outbox *outbox, int max_seconds, int *pending);
/** Number of entries not yet DONE or FAILED. */
PKIWS_API int pkiws_outbox_pending_count(pkiws_outbox *outbox, int *count);
/**
 * Take a snapshot of the entries for the accessors below: the pending ones, or every entry
 * when @p all is 1; ordered by id. The snapshot lasts until the next pkiws_outbox_list or
 * pkiws_outbox_free.
 */
PKIWS_API int pkiws_outbox_list(pkiws_outbox *outbox, int all, size_t *count);
/** An integer item (PKIWS_OUTBOX_ITEM_*) of snapshot entry @p index. */
PKIWS_API int pkiws_outbox_entry_int(pkiws_outbox *outbox, size_t index, int item,
                                     int64_t *value);
/** A text item of snapshot entry @p index (borrowed, valid with the snapshot), or NULL. */
PKIWS_API const char *pkiws_outbox_entry_str(pkiws_outbox *outbox, size_t index, int item);
/** Set (NULL: remove) the step callback of pkiws_outbox_run; it runs on the caller's thread. */
PKIWS_API int pkiws_outbox_set_step_callback(pkiws_outbox *outbox, pkiws_outbox_step_cb cb,
                                             void *user_data);
/** "queued", "sent", "accepted", "done", "failed"; "unknown" for other values. */
PKIWS_API const char *pkiws_outbox_state_name(int state);

/**
 * Health report, the troubleshooting table run by a machine: configuration, RA credential
 * (match, validity, clientAuth EKU, expiry within 30 days), name resolution, TCP connect, TLS
 * with client authentication, getStatus of the health-check service, and a policy fetch for
 * @p profile_oid (may be NULL to skip). One check per step (pass / warn / fail + remedy);
 * returns the first failing step's code, with *out set.
 */
PKIWS_API int pkiws_check(pkiws_session *session, const char *profile_oid, pkiws_result **out);

/* ============================================================================================
 * Offline utilities (what the seeds do with certreq, certutil and the MMC)
 * ========================================================================================== */

/**
 * Normalise a thumbprint as copied from Windows: spaces, colons, quotes (" “ ”) and invisible
 * marks (U+200E, U+200F, U+FEFF, zero-width spaces) removed, upper-cased. Anything that is then
 * not 40 hex digits fails with PKIWS_E_CONFIG naming the character and its position.
 * *out (41 bytes) is freed with pkiws_free().
 */
PKIWS_API int pkiws_thumbprint_normalize(const char *text, char **out);
/**
 * SHA-1 thumbprint (40 upper-case hex digits) of a certificate (PEM or DER) or of the
 * end-entity certificate of a PFX (opened with @p password). *out freed with pkiws_free().
 */
PKIWS_API int pkiws_thumbprint(const void *data, size_t len, const char *password, char **out);

/**
 * Make an RA key and CSR, as the seeds do with certreq and an INI file: subject @p subject_dn
 * ("CN=...,O=..."), key usage digitalSignature + keyEncipherment (0xa0; digitalSignature only
 * for an EC key), EKU clientAuth, SHA-256. *key_pem (PKCS#8 PEM) is freed with pkiws_free_secret(), *csr_pem with pkiws_free().
 */
PKIWS_API int pkiws_ra_csr(const char *subject_dn, int key_type, char **key_pem,
                           char **csr_pem);

/**
 * Encrypt a private key for keeping at rest (e.g. the key of a pending request): @p key in any
 * form pkiws reads (with @p key_password when it is encrypted, else NULL) becomes encrypted
 * PKCS#8 PEM under @p password (PBES2: PBKDF2-HMAC-SHA-256 + AES-256-CBC), which OpenSSL and
 * pkiws_request_set_key read. *pem is freed with pkiws_free_secret().
 */
PKIWS_API int pkiws_key_encrypt(const void *key, size_t len, const char *key_password,
                                const char *password, char **pem);

/**
 * Package a key and certificate (and chain) into a PFX. @p cert (PEM or DER) is the end-entity
 * certificate, optionally followed by chain certificates in the same PEM; @p chain adds more
 * (may be NULL); @p key is PEM or DER (@p key_password when encrypted). @p preset PKIWS_PFX_*,
 * @p friendly_name may be NULL. The PFX is re-read before it is returned.
 * *out is freed with pkiws_free().
 */
PKIWS_API int pkiws_pfx_package(const void *cert, size_t cert_len, const void *key,
                                size_t key_len, const char *key_password, const void *chain,
                                size_t chain_len, const char *password, int preset,
                                const char *friendly_name, uint8_t **out, size_t *out_len);
/**
 * Open a PFX and describe it: the result has SUBJECT, SERIAL, THUMBPRINT, ISSUER, CERT_DER,
 * the chain, CHAIN_LENGTH, MAC_ALG, MAC_ITERATIONS, KEY_BAG_ALG, CERT_BAG_ALG, FRIENDLY_NAME.
 * Without an end-entity certificate (a PFX of CA certificates) SUBJECT, SERIAL, THUMBPRINT,
 * ISSUER and CERT_DER are absent and every certificate is in the chain; KEY_BAG_ALG is absent
 * when the PFX holds no key. A PFX with more than one key is refused (PKIWS_E_CRYPTO).
 */
PKIWS_API int pkiws_pfx_inspect(const void *pfx, size_t len, const char *password,
                                pkiws_result **out);

#ifdef __cplusplus
}
#endif

/* clang-format on */

#endif /* PKIWS_H */
