/* SPDX-License-Identifier: MIT */
/* Library-wide entry points: version, features, global init, memory, error texts, names. */
#include "pkiws_internal.h"

#include <stdatomic.h>

#include "api/api_int.h"
#include "util/callback.h"

static atomic_int global_refs;

int pkiws__arg_fail(const char *fn, const char *what)
{
    return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: %s", fn, what);
}

static int check_handle(const void *h, unsigned kind, const char *what, const char *fn)
{
    if (pkiws__in_callback())
        return pkiws__fail(PKIWS_E_RECURSIVE_API_CALL,
                           "%s: called from inside a pkiws callback (a log or transport "
                           "callback); return from the callback first and make the call after",
                           fn);
    if (!h)
        return pkiws__fail(PKIWS_E_INVALID_HANDLE, "%s: the %s handle is NULL", fn, what);
    if (!pkiws__handle_live(h, kind))
        return pkiws__fail(PKIWS_E_INVALID_HANDLE, "%s: invalid or freed %s handle", fn, what);
    return PKIWS_OK;
}

int pkiws__check_session(const pkiws_session *s, const char *fn)
{
    return check_handle(s, PKIWS__MAGIC_SESSION, "session", fn);
}

int pkiws__check_profile(const pkiws_profile *p, const char *fn)
{
    return check_handle(p, PKIWS__MAGIC_PROFILE, "profile", fn);
}

int pkiws__check_request(const pkiws_request *r, const char *fn)
{
    return check_handle(r, PKIWS__MAGIC_REQUEST, "request", fn);
}

int pkiws__check_outbox(const pkiws_outbox *o, const char *fn)
{
    return check_handle(o, PKIWS__MAGIC_OUTBOX, "outbox", fn);
}

int pkiws__check_op(const pkiws_op *o, const char *fn)
{
    return check_handle(o, PKIWS__MAGIC_OP, "op", fn);
}

int pkiws__handle_release(const void *h, unsigned kind)
{
    /* A free from inside a callback could pull the handle from under the running call: it is
     * ignored (the handle stays valid; free it after the call returns). */
    if (!h || pkiws__in_callback())
        return 0;
    return pkiws__handle_remove(h, kind);
}

PKIWS_API uint32_t pkiws_version(void)
{
    return PKIWS_VERSION_NUM;
}

PKIWS_API const char *pkiws_version_string(void)
{
    return PKIWS_VERSION_STRING;
}

PKIWS_API uint64_t pkiws_features(void)
{
    uint64_t f = PKIWS_FEATURE_THREADSAFE;
#if PKIWS_HAVE_NATIVE
    f |= PKIWS_FEATURE_NATIVE;
#endif
#if PKIWS_HAVE_CURL
    f |= PKIWS_FEATURE_CURL;
#endif
#if PKIWS_HAVE_SQLITE
    f |= PKIWS_FEATURE_OUTBOX;
#endif
    return f;
}

PKIWS_API int pkiws_global_init(uint32_t flags)
{
    PKIWS__ENTER();
    if (flags)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_global_init: unknown flags 0x%x",
                           (unsigned)flags);
    /* Global state (the DRBG) is created lazily and thread-safely on first use. */
    atomic_fetch_add(&global_refs, 1);
    return PKIWS_OK;
}

PKIWS_API void pkiws_global_cleanup(void)
{
    int v = atomic_load(&global_refs);
    while (v > 0 && !atomic_compare_exchange_weak(&global_refs, &v, v - 1))
        ;
}

PKIWS_API void pkiws_free(void *p)
{
    pkiws__free(p);
}

PKIWS_API void pkiws_free_secret(void *p, size_t len)
{
    pkiws__free_secret(p, len);
}

PKIWS_API const char *pkiws_strerror(int code)
{
    const char *t = pkiws__error_text(code);
    return t ? t : "unknown error code";
}

PKIWS_API const char *pkiws_error_name(int code)
{
    const char *n = pkiws__error_name(code);
    return n ? n : "PKIWS_E_UNKNOWN";
}

PKIWS_API int pkiws_last_error_code(void)
{
    return pkiws__err_code();
}

PKIWS_API const char *pkiws_last_error_message(void)
{
    return pkiws__err_message();
}

PKIWS_API const char *pkiws_last_error_remedy(void)
{
    const char *r = pkiws__err_remedy();
    return r ? r : "";
}

PKIWS_API int pkiws_last_error_retryable(void)
{
    return pkiws__err_code() != PKIWS_OK && pkiws__err_retryable();
}

PKIWS_API void pkiws_last_error_clear(void)
{
    pkiws__err_clear();
}

PKIWS_API const char *pkiws_source_name(int source)
{
    switch (source) {
    case PKIWS_SOURCE_REQUEST_CN:
        return "request.cn";
    case PKIWS_SOURCE_REQUEST_EMAIL:
        return "request.email";
    case PKIWS_SOURCE_REQUEST_UPN:
        return "request.upn";
    case PKIWS_SOURCE_SUBJECT_E:
        return "subject.E";
    case PKIWS_SOURCE_SUBJECT_CN:
        return "subject.CN";
    case PKIWS_SOURCE_REQUEST_OTHERNAME:
        return "request.othername";
    case PKIWS_SOURCE_DERIVED_FROM_UPN:
        return "derived from UPN";
    case PKIWS_SOURCE_REQUEST_NAME:
        return "request.name";
    case PKIWS_SOURCE_TEMPLATE:
        return "template";
    case PKIWS_SOURCE_REQUEST_SEAT:
        return "request.seat_id";
    default:
        return "none";
    }
}

PKIWS_API const char *pkiws_field_name(int field)
{
    switch (field) {
    case PKIWS_FIELD_CN:
        return "cn";
    case PKIWS_FIELD_SUBJECT_EMAIL:
        return "subject_email";
    case PKIWS_FIELD_SAN_EMAIL:
        return "email";
    case PKIWS_FIELD_SAN_UPN:
        return "upn";
    case PKIWS_FIELD_SAN_OTHERNAME:
        return "othername";
    case PKIWS_FIELD_GIVEN_NAME:
        return "given_name";
    case PKIWS_FIELD_FAMILY_NAME:
        return "family_name";
    case PKIWS_FIELD_SEAT_ID:
        return "seat_id";
    default:
        return "unknown";
    }
}

PKIWS_API const char *pkiws_verdict_name(int verdict)
{
    switch (verdict) {
    case PKIWS_VERDICT_OK:
        return "ok";
    case PKIWS_VERDICT_WARN:
        return "warn";
    case PKIWS_VERDICT_MISSING_FROM_TEMPLATE:
        return "missing from template";
    case PKIWS_VERDICT_UNFILLABLE:
        return "mandatory but unfillable";
    case PKIWS_VERDICT_FAIL:
        return "fail";
    default:
        return "unknown";
    }
}
