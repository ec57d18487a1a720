/* SPDX-License-Identifier: MIT */
/*
 * The PKCS#11 adapter: the only file that includes <p11-kit/pkcs11.h> (Debian's p11-kit
 * headers; the module itself is loaded with dlopen, nothing links p11-kit). A module is
 * initialised once per process with CKF_OS_LOCKING_OK and finalised when its last pkiws user
 * goes (a module that the host initialised itself is left initialised). Each credential
 * keeps one PKCS#11 session; C_SignInit + C_Sign run under its mutex, so one pkiws session
 * may sign from many threads. The PIN stays (zeroised on free) to log in again when the
 * token lost the login (CKR_USER_NOT_LOGGED_IN), and is never logged.
 */
#include "pkiws_internal.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include <p11-kit/pkcs11.h>

#include "pkcs11/pkcs11.h"

/* ---- modules, shared in the process ---------------------------------------------------- */

typedef struct p11_module {
    struct p11_module *next;
    char *path;
    void *dl;
    CK_FUNCTION_LIST_PTR f;
    int refs;
    int initialized; /* we called C_Initialize: we finalise */
} p11_module;

static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static p11_module *modules;

static const char *rv_name(CK_RV rv)
{
    switch (rv) {
    case CKR_PIN_INCORRECT:
        return "CKR_PIN_INCORRECT";
    case CKR_PIN_LOCKED:
        return "CKR_PIN_LOCKED";
    case CKR_PIN_LEN_RANGE:
        return "CKR_PIN_LEN_RANGE";
    case CKR_USER_NOT_LOGGED_IN:
        return "CKR_USER_NOT_LOGGED_IN";
    case CKR_TOKEN_NOT_PRESENT:
        return "CKR_TOKEN_NOT_PRESENT";
    case CKR_DEVICE_ERROR:
        return "CKR_DEVICE_ERROR";
    case CKR_DEVICE_REMOVED:
        return "CKR_DEVICE_REMOVED";
    case CKR_KEY_HANDLE_INVALID:
        return "CKR_KEY_HANDLE_INVALID";
    case CKR_KEY_TYPE_INCONSISTENT:
        return "CKR_KEY_TYPE_INCONSISTENT";
    case CKR_MECHANISM_INVALID:
        return "CKR_MECHANISM_INVALID";
    case CKR_SESSION_HANDLE_INVALID:
        return "CKR_SESSION_HANDLE_INVALID";
    case CKR_SESSION_CLOSED:
        return "CKR_SESSION_CLOSED";
    case CKR_ARGUMENTS_BAD:
        return "CKR_ARGUMENTS_BAD";
    case CKR_FUNCTION_FAILED:
        return "CKR_FUNCTION_FAILED";
    case CKR_GENERAL_ERROR:
        return "CKR_GENERAL_ERROR";
    case CKR_HOST_MEMORY:
        return "CKR_HOST_MEMORY";
    case CKR_CANT_LOCK:
        return "CKR_CANT_LOCK";
    default:
        return "CKR_*";
    }
}

/* Record a PKCS#11 failure of fn on what; returns code. */
static int p11_fail(int code, CK_RV rv, const char *fn, const char *what)
{
    pkiws__fail_remedy(code, PKIWS__REMEDY_RA_KEY, "PKCS#11 %s: %s failed: %s (0x%lx)", what, fn,
                       rv_name(rv), (unsigned long)rv);
    pkiws__err_native("pkcs11", (long long)rv);
    return code;
}

static void module_release(p11_module *m)
{
    pthread_mutex_lock(&modules_lock);
    if (--m->refs == 0) {
        for (p11_module **pp = &modules; *pp; pp = &(*pp)->next)
            if (*pp == m) {
                *pp = m->next;
                break;
            }
        if (m->initialized)
            m->f->C_Finalize(NULL);
        dlclose(m->dl);
        pkiws__free(m->path);
        pkiws__free(m);
    }
    pthread_mutex_unlock(&modules_lock);
}

static int module_get(const char *path, p11_module **out)
{
    *out = NULL;
    int rc = PKIWS_OK;
    pthread_mutex_lock(&modules_lock);
    p11_module *m = modules;
    while (m && strcmp(m->path, path))
        m = m->next;
    if (m) {
        m->refs++;
        goto out;
    }
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        const char *why = dlerror();
        rc = pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                "PKCS#11 module '%.300s' cannot be loaded: %.300s", path,
                                why ? why : "dlopen failed");
        goto out;
    }
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)(uintptr_t)dlsym(dl, "C_GetFunctionList");
    CK_FUNCTION_LIST_PTR f = NULL;
    CK_RV rv = get ? get(&f) : CKR_FUNCTION_NOT_SUPPORTED;
    if (rv != CKR_OK || !f) {
        dlclose(dl);
        rc = pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                "'%.300s' is not a PKCS#11 module (no usable C_GetFunctionList)",
                                path);
        goto out;
    }
    CK_C_INITIALIZE_ARGS args;
    memset(&args, 0, sizeof args);
    args.flags = CKF_OS_LOCKING_OK;
    rv = f->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        dlclose(dl);
        rc = p11_fail(PKIWS_E_RA_CREDENTIAL, rv, "C_Initialize", path);
        goto out;
    }
    m = pkiws__calloc(1, sizeof *m);
    if (!m || !(m->path = pkiws__strdup(path))) {
        if (rv == CKR_OK)
            f->C_Finalize(NULL);
        dlclose(dl);
        pkiws__free(m);
        m = NULL;
        rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory loading a PKCS#11 module");
        goto out;
    }
    m->dl = dl;
    m->f = f;
    m->refs = 1;
    m->initialized = rv == CKR_OK;
    m->next = modules;
    modules = m;
out:
    pthread_mutex_unlock(&modules_lock);
    *out = m;
    return rc;
}

/* ---- one key ---------------------------------------------------------------------------- */

typedef struct p11_key {
    p11_module *mod;
    CK_SESSION_HANDLE sh;
    int open;
    CK_OBJECT_HANDLE key;
    CK_KEY_TYPE type;
    pthread_mutex_t lock;
    char *pin; /* secret; NULL: no login */
    char what[160];
} p11_key;

static void key_free(void *ctx)
{
    p11_key *k = ctx;
    if (!k)
        return;
    if (k->open)
        k->mod->f->C_CloseSession(k->sh);
    if (k->mod)
        module_release(k->mod);
    pkiws__free_secret(k->pin, 0);
    pthread_mutex_destroy(&k->lock);
    pkiws__free(k);
}

static CK_RV login(p11_key *k)
{
    if (!k->pin)
        return CKR_USER_NOT_LOGGED_IN;
    CK_RV rv = k->mod->f->C_Login(k->sh, CKU_USER, (CK_UTF8CHAR_PTR)k->pin, strlen(k->pin));
    return rv == CKR_USER_ALREADY_LOGGED_IN ? CKR_OK : rv;
}

static CK_RV sign_once(p11_key *k, CK_MECHANISM_TYPE mech, const uint8_t *in, size_t in_len,
                       uint8_t *out, CK_ULONG *out_len)
{
    CK_MECHANISM m = {mech, NULL, 0};
    CK_RV rv = k->mod->f->C_SignInit(k->sh, &m, k->key);
    if (rv == CKR_OK)
        rv = k->mod->f->C_Sign(k->sh, (CK_BYTE_PTR)in, in_len, out, out_len);
    return rv;
}

static int key_sign(void *ctx, int alg, const uint8_t *hash, size_t hash_len, uint8_t *sig,
                    size_t cap, size_t *sig_len)
{
    p11_key *k = ctx;
    *sig_len = 0;
    int ec = pkiws__sign_alg_is_ecdsa(alg);
    if (ec != (k->type == CKK_EC))
        return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_KEY,
                                  "PKCS#11 %s: a %s signature was asked of a%s key", k->what,
                                  ec ? "ECDSA" : "RSA", k->type == CKK_EC ? "n EC" : "n RSA");
    uint8_t in[19 + 64];
    size_t in_len = 0;
    if (ec) {
        if (hash_len != pkiws__sign_alg_hash_len(alg) || hash_len > sizeof in)
            return pkiws__fail(PKIWS_E_INVALID_ARG, "PKCS#11: bad digest length %zu", hash_len);
        memcpy(in, hash, hash_len);
        in_len = hash_len;
    } else {
        int rc = pkiws__p11_digest_info(alg, hash, hash_len, in, sizeof in, &in_len);
        if (rc)
            return rc;
    }
    uint8_t out[1024]; /* RSA up to 8192 bits; ECDSA r || s */
    CK_ULONG out_len = sizeof out;
    pthread_mutex_lock(&k->lock);
    CK_RV rv = sign_once(k, ec ? CKM_ECDSA : CKM_RSA_PKCS, in, in_len, out, &out_len);
    if (rv == CKR_USER_NOT_LOGGED_IN && k->pin && login(k) == CKR_OK) {
        out_len = sizeof out;
        rv = sign_once(k, ec ? CKM_ECDSA : CKM_RSA_PKCS, in, in_len, out, &out_len);
    }
    pthread_mutex_unlock(&k->lock);
    if (rv != CKR_OK)
        return p11_fail(PKIWS_E_RA_CREDENTIAL, rv, "C_Sign", k->what);
    if (ec)
        return pkiws__p11_ecdsa_der(out, out_len, sig, cap, sig_len);
    if (out_len > cap)
        return pkiws__fail(PKIWS_E_LIMIT, "PKCS#11 %s: a %lu-byte signature does not fit in %zu",
                           k->what, (unsigned long)out_len, cap);
    memcpy(sig, out, out_len);
    *sig_len = out_len;
    return PKIWS_OK;
}

/* ---- finding the token, the key and the certificate ------------------------------------- */

/* 1 when the blank-padded field equals want (NULL: any). */
static int field_eq(const unsigned char *field, size_t n, const char *want)
{
    if (!want)
        return 1;
    size_t len = n;
    while (len && field[len - 1] == ' ')
        len--;
    return strlen(want) == len && !memcmp(field, want, len);
}

static int find_slot(p11_key *k, const pkiws__p11_uri *u, CK_SLOT_ID *slot, CK_FLAGS *flags)
{
    CK_FUNCTION_LIST_PTR f = k->mod->f;
    CK_ULONG n = 0;
    CK_RV rv = f->C_GetSlotList(CK_TRUE, NULL, &n);
    if (rv != CKR_OK)
        return p11_fail(PKIWS_E_RA_CREDENTIAL, rv, "C_GetSlotList", k->what);
    CK_SLOT_ID *slots = pkiws__calloc(n ? n : 1, sizeof *slots);
    if (!slots)
        return PKIWS_E_NOMEM;
    rv = f->C_GetSlotList(CK_TRUE, slots, &n);
    if (rv != CKR_OK) {
        pkiws__free(slots);
        return p11_fail(PKIWS_E_RA_CREDENTIAL, rv, "C_GetSlotList", k->what);
    }
    size_t found = 0;
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO ti;
        if (f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
            continue;
        if (!(ti.flags & CKF_TOKEN_INITIALIZED) || !field_eq(ti.label, sizeof ti.label, u->token) ||
            !field_eq(ti.manufacturerID, sizeof ti.manufacturerID, u->manufacturer) ||
            !field_eq(ti.model, sizeof ti.model, u->model) ||
            !field_eq(ti.serialNumber, sizeof ti.serialNumber, u->serial))
            continue;
        if (found++ == 0) {
            *slot = slots[i];
            *flags = ti.flags;
        }
    }
    pkiws__free(slots);
    if (found == 1)
        return PKIWS_OK;
    return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                              found ? "PKCS#11 %s: %zu tokens match the URI; name one with "
                                      "serial= in the URI"
                                    : "PKCS#11 %s: no initialised token matches the URI (of %zu "
                                      "token slots)",
                              k->what, found ? found : (size_t)n);
}

/* The one object of the template; PKIWS_E_RA_CREDENTIAL naming kind when none or several. */
static int find_one(p11_key *k, CK_ATTRIBUTE *tpl, CK_ULONG n, const char *kind,
                    CK_OBJECT_HANDLE *out)
{
    CK_FUNCTION_LIST_PTR f = k->mod->f;
    CK_RV rv = f->C_FindObjectsInit(k->sh, tpl, n);
    if (rv != CKR_OK)
        return p11_fail(PKIWS_E_RA_CREDENTIAL, rv, "C_FindObjectsInit", k->what);
    CK_OBJECT_HANDLE h[2];
    CK_ULONG got = 0;
    rv = f->C_FindObjects(k->sh, h, 2, &got);
    f->C_FindObjectsFinal(k->sh);
    if (rv != CKR_OK)
        return p11_fail(PKIWS_E_RA_CREDENTIAL, rv, "C_FindObjects", k->what);
    if (got != 1)
        return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                  got ? "PKCS#11 %s: several %ss match; name one with id= or "
                                        "object="
                                      : "PKCS#11 %s: no %s found (logged in: is the PIN given?)",
                                  k->what, kind);
    *out = h[0];
    return PKIWS_OK;
}

/* A variable-length attribute into a new buffer. */
static int get_attr(p11_key *k, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, pkiws_buf *out)
{
    CK_ATTRIBUTE a = {type, NULL, 0};
    CK_RV rv = k->mod->f->C_GetAttributeValue(k->sh, o, &a, 1);
    if (rv != CKR_OK || a.ulValueLen == (CK_ULONG)-1 || a.ulValueLen > (1u << 20))
        return p11_fail(PKIWS_E_RA_CREDENTIAL, rv == CKR_OK ? CKR_ATTRIBUTE_VALUE_INVALID : rv,
                        "C_GetAttributeValue", k->what);
    pkiws__buf_clear(out);
    int rc = pkiws__buf_grow(out, a.ulValueLen + 1);
    if (rc)
        return rc;
    a.pValue = out->data;
    rv = k->mod->f->C_GetAttributeValue(k->sh, o, &a, 1);
    if (rv != CKR_OK)
        return p11_fail(PKIWS_E_RA_CREDENTIAL, rv, "C_GetAttributeValue", k->what);
    out->len = a.ulValueLen;
    out->data[out->len] = 0;
    return PKIWS_OK;
}

static int open_key(p11_key *k, const pkiws__p11_uri *u, pkiws_buf *cert_der)
{
    CK_FUNCTION_LIST_PTR f = k->mod->f;
    CK_SLOT_ID slot = 0;
    CK_FLAGS tflags = 0;
    int rc = find_slot(k, u, &slot, &tflags);
    if (rc)
        return rc;
    CK_RV rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &k->sh);
    if (rv != CKR_OK)
        return p11_fail(PKIWS_E_RA_CREDENTIAL, rv, "C_OpenSession", k->what);
    k->open = 1;
    if (k->pin && (rv = login(k)) != CKR_OK)
        return p11_fail(PKIWS_E_RA_CREDENTIAL, rv, "C_Login", k->what);
    if (!k->pin && (tflags & CKF_LOGIN_REQUIRED))
        return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                  "PKCS#11 %s: the token needs a PIN, and none was given", k->what);
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE tpl[3] = {{CKA_CLASS, &cls, sizeof cls}};
    CK_ULONG n = 1;
    if (u->object)
        tpl[n++] = (CK_ATTRIBUTE){CKA_LABEL, u->object, strlen(u->object)};
    if (u->id)
        tpl[n++] = (CK_ATTRIBUTE){CKA_ID, u->id, u->id_len};
    if ((rc = find_one(k, tpl, n, "private key", &k->key)))
        return rc;
    CK_ATTRIBUTE kt = {CKA_KEY_TYPE, &k->type, sizeof k->type};
    if ((rv = f->C_GetAttributeValue(k->sh, k->key, &kt, 1)) != CKR_OK)
        return p11_fail(PKIWS_E_RA_CREDENTIAL, rv, "C_GetAttributeValue(CKA_KEY_TYPE)", k->what);
    if (k->type != CKK_RSA && k->type != CKK_EC)
        return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_KEY,
                                  "PKCS#11 %s: the key is of type 0x%lx; RSA and EC keys are "
                                  "supported",
                                  k->what, (unsigned long)k->type);
    /* the certificate is the token's certificate object with the key's CKA_ID */
    pkiws_buf id = PKIWS_BUF_INIT;
    if ((rc = get_attr(k, k->key, CKA_ID, &id)) == PKIWS_OK) {
        CK_OBJECT_CLASS ccls = CKO_CERTIFICATE;
        CK_ATTRIBUTE ctpl[2] = {{CKA_CLASS, &ccls, sizeof ccls}, {CKA_ID, id.data, id.len}};
        CK_OBJECT_HANDLE cert = 0;
        rc = find_one(k, ctpl, 2, "certificate with the key's CKA_ID", &cert);
        if (!rc)
            rc = get_attr(k, cert, CKA_VALUE, cert_der);
    }
    pkiws__buf_dispose(&id);
    return rc;
}

int pkiws__pkcs11_open(const char *module_path, const char *uri, const char *pin,
                       pkiws__signer **signer, pkiws_buf *cert_der, pkiws_buf *label)
{
    *signer = NULL;
    pkiws__p11_uri u;
    int rc = pkiws__p11_uri_parse(uri, &u);
    if (rc)
        return rc;
    const char *path = module_path ? module_path : u.module_path;
    if (!path || path[0] != '/') {
        rc = pkiws__fail(PKIWS_E_INVALID_ARG,
                         "PKCS#11 module path %s%.300s%s: give the absolute path of the module "
                         "(e.g. /usr/lib/softhsm/libsofthsm2.so)",
                         path ? "'" : "", path ? path : "(none)", path ? "' is not absolute" : "");
        pkiws__p11_uri_dispose(&u);
        return rc;
    }
    p11_key *k = pkiws__calloc(1, sizeof *k);
    if (!k) {
        pkiws__p11_uri_dispose(&u);
        return PKIWS_E_NOMEM;
    }
    pthread_mutex_init(&k->lock, NULL);
    pkiws_buf idtext = PKIWS_BUF_INIT;
    for (size_t i = 0; u.id && i < u.id_len; i++)
        pkiws__buf_printf(&idtext, "%%%02x", u.id[i]);
    snprintf(k->what, sizeof k->what, "token '%.40s' key '%.40s'", u.token ? u.token : "*",
             u.object ? u.object : pkiws__buf_cstr(&idtext));
    pkiws__buf_dispose(&idtext);
    const char *p = pin ? pin : u.pin;
    if (p && !(k->pin = pkiws__strdup(p)))
        rc = PKIWS_E_NOMEM;
    if (!rc)
        rc = module_get(path, &k->mod);
    if (!rc)
        rc = open_key(k, &u, cert_der);
    pkiws__p11_uri_dispose(&u);
    if (!rc)
        rc = pkiws__buf_printf(label, "PKCS#11 %s", k->what);
    if (rc) {
        key_free(k);
        return rc;
    }
    return pkiws__signer_new(key_sign, k, key_free, 1, signer);
}
