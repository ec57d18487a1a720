/* SPDX-License-Identifier: MIT */
/* The four handles behind the public API, and the result builder. Private to src/api/. */
#ifndef PKIWS_API_INT_H
#define PKIWS_API_INT_H

#include <stdatomic.h>

#include <pthread.h>

#include "core/client.h"
#include "core/connector_config.h"
#include "core/keypool.h"
#include "core/ra.h"
#include "core/san.h"
#include "util/log.h"

#define PKIWS__MAGIC_SESSION 0x53455331u /* "SES1" */
#define PKIWS__MAGIC_PROFILE 0x50524f31u /* "PRO1" */
#define PKIWS__MAGIC_REQUEST 0x52455131u /* "REQ1" */
#define PKIWS__MAGIC_RESULT 0x52455331u  /* "RES1" */
#define PKIWS__MAGIC_OUTBOX 0x4f425831u  /* "OBX1" */
#define PKIWS__MAGIC_OP 0x4f505231u      /* "OPR1" */
#define PKIWS__MAGIC_DEAD 0xDEADBEEFu

/* A reference-counted holder of an immutable object shared by session settings snapshots
 * (the RA credential, the key pool): the last release frees the object. */
typedef struct pkiws__box {
    atomic_int refs;
    void *obj;
    void (*free_fn)(void *obj);
} pkiws__box;

/* The settings of a session. The session keeps the one that setters edit (under its lock);
 * operations run on an immutable copy of it (pkiws__conf). */
typedef struct pkiws__settings {
    int64_t connect_timeout_ms, timeout_ms, max_response_bytes, max_xml_depth, retries,
        policy_cache_hours, transport, retry_backoff_ms, key_pool_size, bulk_chunk;
    pkiws__box *keypool;             /* NULL unless PKIWS_SESSION_OPT_KEY_POOL_SIZE > 0 */
    pkiws__http_plugin *http_plugin; /* host HTTP backend, or NULL */
    pkiws__tls *tls;                 /* host TLS backend for the native transport, or NULL */
    pkiws__logger log;
    pkiws_progress_cb progress; /* pkiws_session_set_progress_cb, or NULL */
    void *progress_data;
    char *ca, *base_url, *ca_name, *proxy, *trust_file;
    char *proxy_credentials; /* secret */
    uint8_t *trust_pem;
    size_t trust_len;
    pkiws__box *ra; /* pkiws__ra */
} pkiws__settings;

/* An immutable snapshot of the settings that operations run with: made on the first operation
 * after a change, referenced by each operation that starts under it, freed (with its SOAP
 * client and connections) when the last of them ends. A setter never frees what a running
 * operation uses; it only makes the next operation take a new snapshot. */
typedef struct pkiws__conf {
    atomic_int refs;
    pkiws__settings set;
    pthread_mutex_t client_lock; /* the client is made on first online use */
    int client_ready;
    pkiws__client client;
} pkiws__conf;

static inline pkiws__ra *pkiws__conf_ra(const pkiws__conf *c)
{
    return c->set.ra ? (pkiws__ra *)c->set.ra->obj : NULL;
}
static inline pkiws__keypool *pkiws__conf_keypool(const pkiws__conf *c)
{
    return c->set.keypool ? (pkiws__keypool *)c->set.keypool->obj : NULL;
}

struct pkiws_session {
    uint32_t magic;
    atomic_int refs;      /* the caller's reference plus one per profile */
    pthread_mutex_t lock; /* guards set, conf and cfg */
    pkiws__settings set;
    pkiws__conf *conf; /* the current snapshot, or NULL: made by the next operation */
    pkiws__connector_config cfg;
};

struct pkiws_profile {
    uint32_t magic;
    atomic_int refs; /* the caller's reference plus one per request */
    pkiws_session *session;
    char *oid;
    int subject_format, key_type, pfx_preset, othername_compat;
    int duplicates; /* PKIWS_DUPLICATES_* */
    unsigned san_types;
    char *mapping[9];     /* by PKIWS_FIELD_* */
    atomic_int frozen;    /* 1 after a successful pkiws_profile_verify: selections are final */
    pthread_mutex_t lock; /* guards tpl and tpl_expires for threads that share the profile */
    pkiws__template *tpl;
    int64_t tpl_expires; /* epoch seconds; 0 = never (loaded offline) */
};

struct pkiws_request {
    uint32_t magic;
    pkiws_profile *profile; /* kept alive; its template is used, its selections are not: */
    /* the profile's selections as they were when the request was made (later profile edits
     * never alter an existing request) */
    int subject_format, key_type, profile_preset, othername_compat;
    unsigned san_types;
    char *mapping[9];
    char *cn, *email, *upn, *seat_id, *given_name, *family_name, *othername_oid, *othername_hex,
        *friendly_name;
    char *pfx_password; /* secret */
    int pfx_preset;     /* 0: the profile's */
    int return_key;
    char *pending_ref;
    uint8_t *key_der; /* secret: the caller's key, or the key of a pending request (PKCS#8 DER) */
    int key_der_type; /* PKIWS_KEY_* of key_der, 0 without one */
    char *txid;       /* clientTransactionID given by the caller, or NULL: derived */
    size_t key_len;
};

/* ---- session/profile references (profiles and requests keep their parent alive) ---- */
void pkiws__session_unref(pkiws_session *s);
void pkiws__profile_unref(pkiws_profile *p);
/* The profile's selections as the SAN engine wants them (pointers borrowed from p). */
void pkiws__profile_selection(const pkiws_profile *p, pkiws__selection *sel);

/* ---- result builder ---- */
pkiws_result *pkiws__result_new(void);
/* Record status FAILED with the calling thread's last error (code, message, remedy). */
int pkiws__result_fail(pkiws_result *r, int code);
int pkiws__result_set_str(pkiws_result *r, int item, const char *value);
void pkiws__result_set_status(pkiws_result *r, int status);
/* Overrides the code's default retryable flag (from what the transport saw). */
void pkiws__result_set_retryable(pkiws_result *r, int retryable);
int pkiws__result_set_secret_str(pkiws_result *r, int item, const char *value);
int pkiws__result_set_int(pkiws_result *r, int item, int64_t value);
/* Takes a copy. */
int pkiws__result_set_blob(pkiws_result *r, int item, const uint8_t *p, size_t n, int secret);
int pkiws__result_add_chain(pkiws_result *r, const uint8_t *der, size_t n);
int pkiws__result_add_trace(pkiws_result *r, int field, const char *value, int source);
int pkiws__result_add_item(pkiws_result *r, const char *id, int code, const char *message);
int pkiws__result_add_found(pkiws_result *r, const uint8_t *der, size_t len, const char *serial,
                            const char *status, const char *seat);
int pkiws__result_add_check(pkiws_result *r, const char *name, int verdict, const char *detail,
                            const char *remedy);
/* Certificate facts (subject, serial, thumbprint, issuer, PEM, DER, validity). */
int pkiws__result_set_cert(pkiws_result *r, const pkiws__cert *c);
/* Trace and verdicts of a resolution. */
int pkiws__result_set_resolution(pkiws_result *r, const pkiws__resolution *res);

/* Make ra the session's RA credential (taken, also on failure) and log it. */
int pkiws__session_install_ra(pkiws_session *s, pkiws__ra *ra);

/* The settings snapshot for one operation (a new reference; release it when done). */
int pkiws__session_acquire(pkiws_session *s, pkiws__conf **out);
void pkiws__conf_release(pkiws__conf *c);
/* The snapshot's SOAP client, made on first use (PKIWS_E_CONFIG without a CA address,
 * PKIWS_E_RA_CREDENTIAL without an RA credential). Valid while the snapshot is held. */
int pkiws__conf_client(pkiws__conf *c, pkiws__client **out);
/* The service base URL of a snapshot ("" when neither a CA nor a base URL is set). */
int pkiws__conf_base_url(const pkiws__conf *c, pkiws_buf *out);
/* A template snapshot for one operation: fetched with conf when none is cached or it expired
 * (the policy op of profile.c, run on this thread). */
int pkiws__profile_template(pkiws_profile *p, pkiws__conf *conf, pkiws__template **out);
/* A copy of the profile's template in *out when one is cached and fresh, else *out = NULL. */
int pkiws__profile_cached_template(pkiws_profile *p, pkiws__template **out);
/* Make t (taken) the profile's template, cached for its nextUpdateHours or the session's. */
void pkiws__profile_install_template(pkiws_profile *p, const pkiws__conf *conf, pkiws__template *t);
int64_t pkiws__now(void);
/* PKIWS_E_STATE when the profile has no template and the session no CA to fetch it from. */
int pkiws__request_template_possible(pkiws_request *r, const pkiws__conf *conf);
/* Template snapshot for a request (fetched if needed and possible). */
int pkiws__request_template(pkiws_request *r, pkiws__conf *conf, pkiws__template **tpl);
/* The request's snapshot of the selections (pointers borrowed from r). */
void pkiws__request_selection(const pkiws_request *r, pkiws__selection *sel);
/* Resolution of the request against tpl, with the key-type verdict. */
int pkiws__request_resolve(pkiws_request *r, const pkiws__template *tpl, pkiws__resolution *res);

/* Entry-point guard: clears the thread's last error. */
#define PKIWS__ENTER() pkiws__err_clear()
/* Record an API-level argument failure and return it. */
int pkiws__arg_fail(const char *fn, const char *what);
/* The registry of live public handles (handles.c), by address and kind (the magic number). */
int pkiws__handle_add(const void *h, unsigned kind);
int pkiws__handle_remove(const void *h, unsigned kind); /* 1 when h was live */
int pkiws__handle_live(const void *h, unsigned kind);
/* A *_free entry point: 1 when h is a live handle of that kind that may be freed now (not from
 * inside a pkiws callback); the handle is then no longer live for any call. */
int pkiws__handle_release(const void *h, unsigned kind);

/* PKIWS_OK, or PKIWS_E_INVALID_HANDLE naming fn when the handle is NULL, freed or foreign,
 * or PKIWS_E_RECURSIVE_API_CALL when called from inside a pkiws callback. */
int pkiws__check_session(const pkiws_session *s, const char *fn);
int pkiws__check_profile(const pkiws_profile *p, const char *fn);
int pkiws__check_request(const pkiws_request *r, const char *fn);
int pkiws__check_outbox(const pkiws_outbox *o, const char *fn);
int pkiws__check_op(const pkiws_op *o, const char *fn);

/* ---- revoke.c, shared with the outbox ---- */
/* The service's RevokeReasonCodeEnum name of a PKIWS_REASON_*, or NULL. */
const char *pkiws__reason_text(int reason);
/* A serial as hex: separators and leading zeros dropped, upper-cased (PKIWS_E_INVALID_ARG naming
 * a character that is not a hex digit). */
int pkiws__normalize_serial(const char *in, pkiws_buf *out);

#endif
