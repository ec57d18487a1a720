/* SPDX-License-Identifier: MIT */
/**
 * @file backend.h
 * @brief The plug-in ABI of pkiws: host-supplied HTTP and TLS backends.
 *
 * pkiws talks to the CA through two pluggable layers:
 *
 * - an **HTTP backend** does one HTTPS POST of a SOAP message with the RA certificate as TLS
 *   client credential: the built-in `curl` (libcurl) and `native` (pkiws's own HTTP/1.1 client
 *   over a TLS backend) ones, or a host's pkiws_http_methods;
 * - a **TLS backend** gives the `native` HTTP client its TLS connections over a byte stream
 *   that pkiws connects, times and pools: the built-in mbedTLS one
 *   (pkiws_tls_builtin_methods()), or a host's pkiws_tls_methods, which may also keep the RA
 *   private key in an HSM or TPM through its `sign` hook.
 *
 * Rules of the tables (the same for both, and for the built-ins, which go through the same
 * dispatch):
 *
 * - A table starts with `size` = `sizeof` the table as the plug-in was compiled, then `abi`
 *   (PKIWS_HTTP_ABI_1 / PKIWS_TLS_ABI_1) and `flags` (reserved, must be 0). pkiws accepts a
 *   `size` from the version-1 size up to PKIWS_BACKEND_TABLE_MAX; bytes beyond the fields this
 *   library knows must be zero (else PKIWS_E_UNSUPPORTED: the plug-in needs a newer pkiws).
 *   The table is copied into zeroed storage at registration, so it may live on the stack, and
 *   fields an older plug-in does not have read as NULL / 0.
 * - Required hooks must be non-NULL. An optional hook is used only when its PKIWS_*_CAP_* bit
 *   is set in `caps` and its pointer is non-NULL. Capability bits this library does not know
 *   are ignored. New hooks are only ever appended.
 * - Parameters are opaque objects read through accessors that take an item id; the id range
 *   encodes the kind of value (integers below 10000, strings 10000..19999, byte blobs
 *   20000..29999). An unknown id gives PKIWS_E_UNKNOWN_OPTION, the wrong kind
 *   PKIWS_E_OPTION_TYPE. Strings and blobs are borrowed for the duration documented at the
 *   hook. Certificates and keys travel as PEM blobs; no dependency type appears here.
 * - Hooks return PKIWS_OK or a negative PKIWS_E_* code. A hook that fails should record why
 *   with pkiws_backend_fail(), naming the offending input; that message (prefixed with the
 *   backend's name) is what the caller of pkiws sees.
 * - Hooks run on the thread that called into pkiws, or, for an op in driver mode
 *   (pkiws_op_perform) and a blocking call on a session with a progress callback, on the pkiws
 *   thread that performs the exchange (what they record with pkiws_backend_fail reaches the
 *   caller's thread all the same). No hook may call back into the session that is using it.
 *
 * Registration: pkiws_session_set_http_backend() / pkiws_session_set_tls_backend(). On
 * success the session owns `backend` and calls `backend_free(backend)` (when non-NULL) once,
 * after the last hook call, when the session is freed or another backend replaces it. On
 * failure ownership stays with the caller.
 */
#ifndef PKIWS_BACKEND_H
#define PKIWS_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include <pkiws/pkiws.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ============================================================================================
 * Common
 * ========================================================================================== */

/** Largest `size` a table may declare. */
#define PKIWS_BACKEND_TABLE_MAX 4096

/** Why a backend failed (pkiws_backend_fail()): selects the remedy shown to the administrator. */
enum pkiws_backend_cause {
    PKIWS_CAUSE_NONE = 0,                 /**< no particular cause: the code's default remedy */
    PKIWS_CAUSE_TLS_SERVER_UNTRUSTED = 1, /**< the server certificate does not verify */
    PKIWS_CAUSE_TLS_HOSTNAME = 2,         /**< the server certificate does not name the host */
    PKIWS_CAUSE_TLS_CLIENT_REFUSED = 3,   /**< the server refused the RA client certificate */
    PKIWS_CAUSE_RA_KEY = 4, /**< the RA key is unusable or does not match the RA certificate */
    PKIWS_CAUSE_TLS_PROTOCOL = 5,       /**< no TLS version in common (a TLS 1.0/1.1-only server) */
    PKIWS_CAUSE_TLS_SERVER_EXPIRED = 6, /**< the server certificate has expired */
    PKIWS_CAUSE_TLS_SERVER_NOT_YET_VALID = 7, /**< the server certificate is not valid yet */
    PKIWS_CAUSE_TLS_HANDSHAKE = 8,            /**< no cipher suite or parameters in common */
    PKIWS_CAUSE_TLS_NOT_TLS = 9,              /**< the peer does not speak TLS */
    PKIWS_CAUSE_RA_EXPIRED = 10, /**< the server refused the RA certificate as expired */
    PKIWS_CAUSE_PROXY_AUTH = 11  /**< the proxy refused the credentials (HTTP 407) */
};

/**
 * Record why a backend hook failed, on the calling thread, and return @p code (so that a hook
 * can `return pkiws_backend_fail(...)`). @p code is a PKIWS_E_* code; @p cause one of
 * pkiws_backend_cause; @p domain names the backend's own error space ("openssl", "hsm", ...;
 * may be NULL) and @p native_code its error code there; @p message is UTF-8 text that names
 * the offending input and never contains a secret (NULL: the code's description).
 */
PKIWS_API int pkiws_backend_fail(int code, int cause, const char *domain, int64_t native_code,
                                 const char *message);

/**
 * Receives one byte blob (e.g. one DER certificate). Return PKIWS_OK to continue, a negative
 * code to stop (that code is then returned by the function that called back).
 */
typedef int (*pkiws_blob_cb)(const uint8_t *data, size_t len, void *user_data);

/* ============================================================================================
 * HTTP backend
 * ========================================================================================== */

/** One request to perform; valid during the perform() call only. */
typedef struct pkiws_http_req pkiws_http_req;
/** Where perform() puts the answer; valid during the perform() call only. */
typedef struct pkiws_http_resp pkiws_http_resp;

/** Items of a request, read with pkiws_http_req_int/_str/_blob. */
enum pkiws_http_item {
    /* integers */
    PKIWS_HTTP_CONNECT_TIMEOUT_MS = 1, /**< TCP connect + TLS handshake; > 0 */
    PKIWS_HTTP_TIMEOUT_MS = 2,         /**< the whole exchange, connect included; > 0 */
    PKIWS_HTTP_MAX_RESPONSE_BYTES = 3, /**< body limit (also enforced by append_body) */
    PKIWS_HTTP_TLS_MIN_VERSION = 4,    /**< 0x0303: TLS 1.2 at least */
    /* strings (UTF-8, NUL-terminated) */
    PKIWS_HTTP_METHOD = 10000, /**< "POST" */
    PKIWS_HTTP_URL = 10001,    /**< https://host[:port]/path */
    PKIWS_HTTP_PROXY = 10002,  /**< http://host:port of an HTTP CONNECT proxy, or NULL */
    PKIWS_HTTP_TXID = 10003,   /**< client transaction id, for the backend's logs ("" if none) */
    PKIWS_HTTP_PROXY_CREDENTIALS = 10004, /**< "user:password" for the proxy, or NULL (a
                                               secret: never log it; Basic auth) */
    /* blobs (NULL, 0 when absent) */
    PKIWS_HTTP_BODY = 20000,            /**< the request body (SOAP envelope) */
    PKIWS_HTTP_CLIENT_CERT_PEM = 20001, /**< RA certificate, then its chain */
    PKIWS_HTTP_CLIENT_KEY_PEM = 20002,  /**< RA private key, unencrypted PKCS#8 (a secret).
                                             Deprecated (ABI 2 will not hand out the key);
                                             a signer session (pkiws_session_set_ra_signer,
                                             _pkcs11) cannot use an HTTP backend */
    PKIWS_HTTP_TRUST_PEM = 20003        /**< trust anchors; absent: the system's bundle */
};

/** Read an integer item of @p req into @p out. */
PKIWS_API int pkiws_http_req_int(const pkiws_http_req *req, int item, int64_t *out);
/** Read a string item of @p req; *out is borrowed for the perform() call (NULL when absent). */
PKIWS_API int pkiws_http_req_str(const pkiws_http_req *req, int item, const char **out);
/** Read a blob item of @p req; borrowed for the perform() call (NULL, 0 when absent). */
PKIWS_API int pkiws_http_req_blob(const pkiws_http_req *req, int item, const uint8_t **data,
                                  size_t *len);
/** Number of request headers to send (Content-Type, SOAPAction, User-Agent, ...). */
PKIWS_API size_t pkiws_http_req_header_count(const pkiws_http_req *req);
/** The @p index-th header to send; name and value borrowed for the perform() call. */
PKIWS_API int pkiws_http_req_header(const pkiws_http_req *req, size_t index, const char **name,
                                    const char **value);

/** Flags of pkiws_http_resp_set_int(). */
enum pkiws_http_resp_item {
    PKIWS_HTTP_RESP_REQUEST_SENT = 1, /**< 1: the request may have reached the server */
    PKIWS_HTTP_RESP_REUSED = 2,       /**< 1: an existing connection was reused */
    PKIWS_HTTP_RESP_RESENT = 3        /**< times the backend re-sent the request on its own (counted
                                           in the result's attempts) */
};

/** Set the HTTP status (100..999) of the answer. Required before perform() returns PKIWS_OK. */
PKIWS_API int pkiws_http_resp_set_status(pkiws_http_resp *resp, int status);
/** Add a response header (no CR or LF in either); Content-Type is the one pkiws reads. */
PKIWS_API int pkiws_http_resp_add_header(pkiws_http_resp *resp, const char *name,
                                         const char *value);
/**
 * Append body bytes (the body after any transfer coding is removed). PKIWS_E_LIMIT once the
 * body would exceed PKIWS_HTTP_MAX_RESPONSE_BYTES; the exchange then fails with that error
 * whatever perform() returns.
 */
PKIWS_API int pkiws_http_resp_append_body(pkiws_http_resp *resp, const void *data, size_t len);
/** Set a pkiws_http_resp_item (0 or 1). */
PKIWS_API int pkiws_http_resp_set_int(pkiws_http_resp *resp, int item, int64_t value);

#define PKIWS_HTTP_ABI_1 1u

/** perform() may run on several threads at once; without it, pkiws serialises the calls. */
#define PKIWS_HTTP_CAP_THREADSAFE (UINT64_C(1) << 0)
/** The backend tunnels through PKIWS_HTTP_PROXY; without it a configured proxy is refused. */
#define PKIWS_HTTP_CAP_PROXY (UINT64_C(1) << 1)
/** close_idle() is implemented. */
#define PKIWS_HTTP_CAP_CLOSE_IDLE (UINT64_C(1) << 2)

/** An HTTP backend. */
typedef struct pkiws_http_methods {
    size_t size;      /**< sizeof(pkiws_http_methods) as the plug-in was compiled */
    uint32_t abi;     /**< PKIWS_HTTP_ABI_1 */
    uint32_t flags;   /**< reserved, 0 */
    const char *name; /**< short name for messages and logs, e.g. "acme-http"; copied */
    uint64_t caps;    /**< PKIWS_HTTP_CAP_* */
    /**
     * Required. POST the body of @p req to its URL over TLS 1.2 or later, with the server
     * certificate verified against PKIWS_HTTP_TRUST_PEM (or the system's bundle) and the
     * host name checked, authenticating with the client certificate and key when given; honour
     * both timeouts and the proxy; fill @p resp. Return PKIWS_OK when an HTTP answer (any
     * status) was received, else PKIWS_E_TIMEOUT, PKIWS_E_CONNECT, PKIWS_E_TLS (with a
     * PKIWS_CAUSE_TLS_* cause), PKIWS_E_RA_CREDENTIAL, PKIWS_E_LIMIT, PKIWS_E_PROTOCOL
     * (malformed or truncated answer), PKIWS_E_NOMEM or PKIWS_E_BACKEND.
     */
    int (*perform)(void *backend, const pkiws_http_req *req, pkiws_http_resp *resp);
    /** Optional (PKIWS_HTTP_CAP_CLOSE_IDLE): drop idle kept-alive connections. */
    void (*close_idle)(void *backend);
    /* 1.1+: new fields are appended here, never inserted. */
} pkiws_http_methods;

/**
 * Use a host's HTTP backend for this session's exchanges with the CA instead of the built-in
 * transport (PKIWS_SESSION_OPT_TRANSPORT is then ignored). The table is validated and copied;
 * see the file comment for ownership of @p backend. @p methods NULL goes back to the built-in
 * transport (and frees the previous backend).
 */
PKIWS_API int pkiws_session_set_http_backend(pkiws_session *session,
                                             const pkiws_http_methods *methods, void *backend,
                                             void (*backend_free)(void *backend));

/* ============================================================================================
 * TLS backend (used by the native HTTP transport)
 * ========================================================================================== */

/** What a TLS configuration or connection needs; see the hooks for its lifetime. */
typedef struct pkiws_tls_params pkiws_tls_params;
/** The connected byte stream under one TLS connection (TCP, possibly through a proxy). */
typedef struct pkiws_tls_io pkiws_tls_io;

/** Items of pkiws_tls_params, read with pkiws_tls_params_int/_str/_blob. */
enum pkiws_tls_item {
    /* integers */
    PKIWS_TLS_MIN_VERSION = 1,  /**< lowest protocol version allowed: 0x0303 (TLS 1.2) */
    PKIWS_TLS_MAX_VERSION = 2,  /**< highest version to offer: 0x0303 (TLS 1.2) */
    PKIWS_TLS_PORT = 3,         /**< server port (connect() only) */
    PKIWS_TLS_KEY_EXTERNAL = 4, /**< 1: no key PEM; sign through pkiws_tls_params_sign() */
    /* strings */
    PKIWS_TLS_HOST = 10000, /**< server name for SNI and the host-name check (connect() only) */
    /* blobs (NULL, 0 when absent) */
    PKIWS_TLS_CLIENT_CERT_PEM = 20000, /**< RA certificate, then its chain */
    PKIWS_TLS_CLIENT_KEY_PEM = 20001,  /**< RA key, unencrypted PKCS#8 (a secret). Deprecated:
                                            a backend should accept PKIWS_TLS_KEY_EXTERNAL and
                                            sign through pkiws_tls_params_sign(); kept for ABI
                                            1 for a host table without PKIWS_TLS_CAP_SIGN when
                                            the RA key was loaded from PKCS#12, PEM or a store
                                            (the built-in backend never gets it) */
    PKIWS_TLS_TRUST_PEM = 20002        /**< trust anchors; absent: the system's bundle */
};

/** Read an integer item of @p params. */
PKIWS_API int pkiws_tls_params_int(const pkiws_tls_params *params, int item, int64_t *out);
/** Read a string item of @p params (borrowed like @p params). */
PKIWS_API int pkiws_tls_params_str(const pkiws_tls_params *params, int item, const char **out);
/** Read a blob item of @p params (borrowed like @p params; NULL, 0 when absent). */
PKIWS_API int pkiws_tls_params_blob(const pkiws_tls_params *params, int item, const uint8_t **data,
                                    size_t *len);

/* The signature algorithms (enum pkiws_sign_alg) are in pkiws.h, shared with RA signers. */

/**
 * Sign @p hash (@p hash_len bytes, made with the hash of @p alg) with the RA private key
 * through the session's sign hook, for a TLS backend whose PKIWS_TLS_KEY_EXTERNAL is 1. The
 * signature (at most @p cap bytes) goes to @p sig, its length to @p sig_len.
 * The session's RA signer (pkiws_session_set_ra_signer(), _pkcs11(), or the built-in key of
 * a PKCS#12/PEM/store credential) signs when it has one, else the backend's own sign hook.
 * @p alg is a pkiws_sign_alg of pkiws.h: ECDSA for an EC certificate (DER ECDSA-Sig-Value).
 * PKIWS_E_STATE when the key is not external.
 */
PKIWS_API int pkiws_tls_params_sign(const pkiws_tls_params *params, int alg, const uint8_t *hash,
                                    size_t hash_len, uint8_t *sig, size_t cap, size_t *sig_len);

/**
 * Send up to @p len bytes on the stream, blocking until at least one byte is sent; *n_out gets
 * the count. Deadlines are pkiws's: PKIWS_E_TIMEOUT when the current one passes,
 * PKIWS_E_CONNECT when the connection broke (the message says how). A TLS backend returns
 * these codes unchanged from its hooks.
 */
PKIWS_API int pkiws_tls_io_send(pkiws_tls_io *io, const uint8_t *data, size_t len, size_t *n_out);
/**
 * Receive up to @p cap bytes, blocking until at least one arrives; *n_out 0 means the peer
 * closed the stream. Errors as pkiws_tls_io_send().
 */
PKIWS_API int pkiws_tls_io_recv(pkiws_tls_io *io, uint8_t *buf, size_t cap, size_t *n_out);

#define PKIWS_TLS_ABI_1 1u

/** The sign hook is implemented: the RA key stays with the backend (HSM, TPM). */
#define PKIWS_TLS_CAP_SIGN (UINT64_C(1) << 0)
/** peer_chain() is implemented. */
#define PKIWS_TLS_CAP_PEER_CHAIN (UINT64_C(1) << 1)

/**
 * A TLS backend. pkiws makes the TCP connection (non-blocking connect with timeout,
 * TCP_NODELAY, proxy tunnel), keeps the deadlines and pools connections; the backend does TLS
 * over the pkiws_tls_io it is given. One config may serve connections on several threads at
 * once; one connection is used by one thread at a time.
 */
typedef struct pkiws_tls_methods {
    size_t size;      /**< sizeof(pkiws_tls_methods) as the plug-in was compiled */
    uint32_t abi;     /**< PKIWS_TLS_ABI_1 */
    uint32_t flags;   /**< reserved, 0 */
    const char *name; /**< short name for messages and logs; copied */
    uint64_t caps;    /**< PKIWS_TLS_CAP_* */
    /**
     * Required. Prepare a client configuration from @p params (client certificate and key,
     * trust anchors, protocol versions) for connections made later. @p params stays valid
     * until config_free(). A key that is unusable or does not match the certificate is
     * PKIWS_E_RA_CREDENTIAL with PKIWS_CAUSE_RA_KEY.
     */
    int (*config_new)(void *backend, const pkiws_tls_params *params, void **config_out);
    /** Required. Free a configuration (after every connection made with it is closed). */
    void (*config_free)(void *config);
    /**
     * Required. Start a TLS client over @p io for the server named by PKIWS_TLS_HOST and
     * PKIWS_TLS_PORT of @p params (which stays valid until close()); may resume an earlier
     * session with the same server. No bytes need to move yet.
     */
    int (*connect)(void *config, const pkiws_tls_params *params, pkiws_tls_io *io, void **conn_out);
    /**
     * Required. Complete the handshake: verify the server certificate against the trust
     * anchors (always) and the host name (always), present the client certificate. Failures:
     * PKIWS_E_TLS with PKIWS_CAUSE_TLS_SERVER_UNTRUSTED, _TLS_HOSTNAME or _TLS_CLIENT_REFUSED
     * when known, or the pkiws_tls_io_* code.
     */
    int (*handshake)(void *conn);
    /** Required. Read up to @p cap bytes of application data; *n_out 0 at the end of the stream. */
    int (*read)(void *conn, uint8_t *buf, size_t cap, size_t *n_out);
    /** Required. Write up to @p len bytes of application data; *n_out gets the count (> 0). */
    int (*write)(void *conn, const uint8_t *buf, size_t len, size_t *n_out);
    /**
     * Optional (PKIWS_TLS_CAP_PEER_CHAIN). Call @p cb with each DER certificate the server
     * presented, its own first.
     */
    int (*peer_chain)(void *conn, pkiws_blob_cb cb, void *user_data);
    /** Required. Send close_notify if possible and free the connection (never the io). */
    void (*close)(void *conn);
    /**
     * Optional (PKIWS_TLS_CAP_SIGN). Sign @p hash with the RA private key, which the backend
     * keeps (HSM, TPM): the session then needs the RA certificate only, and configurations get
     * PKIWS_TLS_KEY_EXTERNAL 1 and no key PEM; pkiws_tls_params_sign() lands here. @p alg is
     * a pkiws_sign_alg; the signature goes to @p sig (at most @p cap bytes). Called for the
     * first handshake with each server and once when a configuration is made (to check that
     * the key matches the certificate), possibly from several threads at once.
     */
    int (*sign)(void *backend, int alg, const uint8_t *hash, size_t hash_len, uint8_t *sig,
                size_t cap, size_t *sig_len);
    /* 1.1+: new fields are appended here, never inserted. */
} pkiws_tls_methods;

/**
 * The built-in mbedTLS backend's table (TLS 1.2, host name always checked). Its hooks ignore
 * their `backend` argument, so a host may copy the table and add only a `sign` hook (with
 * PKIWS_TLS_CAP_SIGN) to keep the RA key in an HSM. Never NULL.
 */
PKIWS_API const pkiws_tls_methods *pkiws_tls_builtin_methods(void);

/**
 * Use a host's TLS backend under this session's native HTTP transport
 * (PKIWS_TRANSPORT_NATIVE). The table is validated and copied; see the file comment for
 * ownership of @p backend. @p methods NULL goes back to the built-in mbedTLS backend.
 */
PKIWS_API int pkiws_session_set_tls_backend(pkiws_session *session,
                                            const pkiws_tls_methods *methods, void *backend,
                                            void (*backend_free)(void *backend));

#ifdef __cplusplus
}
#endif

#endif
