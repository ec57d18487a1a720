/* SPDX-License-Identifier: MIT */
/* pkiws_result: the immutable outcome handed to the caller, and its builder. */
#include "pkiws_internal.h"

#include "api/api_int.h"
#include "crypto/crypto.h"

#define STR_ITEMS 16
#define INT_ITEMS 16
#define BLOB_ITEMS 4

struct trace_entry {
    int field;
    char *value;
    int source;
};

struct check_entry {
    char *name;
    int verdict;
    char *detail;
    char *remedy;
};

struct found_entry {
    uint8_t *der;
    size_t len;
    char *serial, *status, *seat;
};

struct item_entry {
    char *id;
    int code;
    char *message;
};

struct pkiws_result {
    uint32_t magic;
    int status;
    int error;
    char *message;
    char *remedy;
    int retryable;
    char *str[STR_ITEMS];
    unsigned str_secret; /* bit per item */
    int64_t ints[INT_ITEMS];
    unsigned ints_set;
    uint8_t *blob[BLOB_ITEMS];
    size_t blob_len[BLOB_ITEMS];
    unsigned blob_secret;
    uint8_t **chain;
    size_t *chain_len;
    size_t nchain;
    struct trace_entry *trace;
    size_t ntrace;
    struct check_entry *checks;
    size_t nchecks;
    struct found_entry *found;
    size_t nfound;
    struct item_entry *items;
    size_t nitems;
};

static int ok_result(const pkiws_result *r)
{
    return pkiws__handle_live(r, PKIWS__MAGIC_RESULT);
}

pkiws_result *pkiws__result_new(void)
{
    pkiws_result *r = pkiws__calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->magic = PKIWS__MAGIC_RESULT;
    r->status = PKIWS_STATUS_OK;
    if (pkiws__handle_add(r, PKIWS__MAGIC_RESULT)) {
        pkiws__free(r);
        return NULL;
    }
    return r;
}

int pkiws__result_fail(pkiws_result *r, int code)
{
    r->status = PKIWS_STATUS_FAILED;
    r->error = code;
    pkiws__free(r->message);
    pkiws__free(r->remedy);
    const char *msg = pkiws__err_code() == code ? pkiws__err_message() : "";
    if (!*msg)
        msg = pkiws_strerror(code);
    const char *rem = pkiws__err_code() == code ? pkiws__err_remedy() : pkiws__default_remedy(code);
    r->message = pkiws__strdup(msg);
    r->remedy = rem ? pkiws__strdup(rem) : NULL;
    /* the one rule (util/err.h): the code's default, unless the transport that saw this very
     * failure said otherwise */
    r->retryable =
        pkiws__err_code() == code ? pkiws__err_retryable() : pkiws__error_retryable(code);
    return code;
}

void pkiws__result_set_status(pkiws_result *r, int status)
{
    r->status = status;
}

void pkiws__result_set_retryable(pkiws_result *r, int retryable)
{
    r->retryable = retryable;
}

int pkiws__result_set_str(pkiws_result *r, int item, const char *value)
{
    if (item <= 0 || item >= STR_ITEMS)
        return PKIWS_E_INTERNAL;
    if (r->str_secret & (1u << item))
        pkiws__free_secret(r->str[item], 0);
    else
        pkiws__free(r->str[item]);
    r->str_secret &= ~(1u << item);
    r->str[item] = NULL;
    if (!value)
        return PKIWS_OK;
    r->str[item] = pkiws__strdup(value);
    return r->str[item] ? PKIWS_OK : PKIWS_E_NOMEM;
}

int pkiws__result_set_secret_str(pkiws_result *r, int item, const char *value)
{
    int rc = pkiws__result_set_str(r, item, value);
    if (rc == PKIWS_OK && value)
        r->str_secret |= 1u << item;
    return rc;
}

int pkiws__result_set_int(pkiws_result *r, int item, int64_t value)
{
    if (item <= 0 || item >= INT_ITEMS)
        return PKIWS_E_INTERNAL;
    r->ints[item] = value;
    r->ints_set |= 1u << item;
    return PKIWS_OK;
}

int pkiws__result_set_blob(pkiws_result *r, int item, const uint8_t *p, size_t n, int secret)
{
    if (item <= 0 || item >= BLOB_ITEMS)
        return PKIWS_E_INTERNAL;
    if (r->blob_secret & (1u << item))
        pkiws__free_secret(r->blob[item], r->blob_len[item]);
    else
        pkiws__free(r->blob[item]);
    r->blob[item] = pkiws__memdup(p, n);
    r->blob_len[item] = n;
    if (secret)
        r->blob_secret |= 1u << item;
    else
        r->blob_secret &= ~(1u << item);
    return r->blob[item] ? PKIWS_OK : PKIWS_E_NOMEM;
}

int pkiws__result_add_chain(pkiws_result *r, const uint8_t *der, size_t n)
{
    uint8_t **c = pkiws__realloc(r->chain, (r->nchain + 1) * sizeof *c);
    if (!c)
        return PKIWS_E_NOMEM;
    r->chain = c;
    size_t *l = pkiws__realloc(r->chain_len, (r->nchain + 1) * sizeof *l);
    if (!l)
        return PKIWS_E_NOMEM;
    r->chain_len = l;
    r->chain[r->nchain] = pkiws__memdup(der, n);
    if (!r->chain[r->nchain])
        return PKIWS_E_NOMEM;
    r->chain_len[r->nchain++] = n;
    return pkiws__result_set_int(r, PKIWS_RESULT_CHAIN_LENGTH, (int64_t)r->nchain);
}

int pkiws__result_add_trace(pkiws_result *r, int field, const char *value, int source)
{
    struct trace_entry *t = pkiws__realloc(r->trace, (r->ntrace + 1) * sizeof *t);
    if (!t)
        return PKIWS_E_NOMEM;
    r->trace = t;
    t[r->ntrace].field = field;
    t[r->ntrace].source = source;
    t[r->ntrace].value = pkiws__strdup(value ? value : "");
    if (!t[r->ntrace].value)
        return PKIWS_E_NOMEM;
    r->ntrace++;
    return PKIWS_OK;
}

int pkiws__result_add_check(pkiws_result *r, const char *name, int verdict, const char *detail,
                            const char *remedy)
{
    struct check_entry *c = pkiws__realloc(r->checks, (r->nchecks + 1) * sizeof *c);
    if (!c)
        return PKIWS_E_NOMEM;
    r->checks = c;
    struct check_entry *e = &c[r->nchecks];
    e->verdict = verdict;
    e->name = pkiws__strdup(name ? name : "");
    e->detail = pkiws__strdup(detail ? detail : "");
    e->remedy = remedy ? pkiws__strdup(remedy) : NULL;
    if (!e->name || !e->detail || (remedy && !e->remedy)) {
        pkiws__free(e->name);
        pkiws__free(e->detail);
        pkiws__free(e->remedy);
        return PKIWS_E_NOMEM;
    }
    r->nchecks++;
    return PKIWS_OK;
}

int pkiws__result_add_item(pkiws_result *r, const char *id, int code, const char *message)
{
    struct item_entry *v = pkiws__realloc(r->items, (r->nitems + 1) * sizeof *v);
    if (!v)
        return PKIWS_E_NOMEM;
    r->items = v;
    struct item_entry *e = &v[r->nitems];
    e->id = pkiws__strdup(id ? id : "");
    e->code = code;
    e->message = pkiws__strdup(message ? message : "");
    if (!e->id || !e->message) {
        pkiws__free(e->id);
        pkiws__free(e->message);
        return PKIWS_E_NOMEM;
    }
    r->nitems++;
    return PKIWS_OK;
}

int pkiws__result_add_found(pkiws_result *r, const uint8_t *der, size_t len, const char *serial,
                            const char *status, const char *seat)
{
    struct found_entry *f = pkiws__realloc(r->found, (r->nfound + 1) * sizeof *f);
    if (!f)
        return PKIWS_E_NOMEM;
    r->found = f;
    struct found_entry *e = &f[r->nfound];
    e->der = pkiws__memdup(der, len);
    e->len = len;
    e->serial = pkiws__strdup(serial ? serial : "");
    e->status = pkiws__strdup(status ? status : "");
    e->seat = pkiws__strdup(seat ? seat : "");
    if (!e->der || !e->serial || !e->status || !e->seat) {
        pkiws__free(e->der);
        pkiws__free(e->serial);
        pkiws__free(e->status);
        pkiws__free(e->seat);
        return PKIWS_E_NOMEM;
    }
    r->nfound++;
    return PKIWS_OK;
}

int pkiws__result_set_cert(pkiws_result *r, const pkiws__cert *c)
{
    const pkiws__cert_info *ci = pkiws__cert_get_info(c);
    size_t n;
    const uint8_t *der = pkiws__cert_der(c, &n);
    pkiws_buf pem = PKIWS_BUF_INIT;
    int rc = pkiws__cert_pem(c, &pem);
    if (!rc)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_CERT_PEM, pkiws__buf_cstr(&pem));
    pkiws__buf_dispose(&pem);
    if (!rc)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_SUBJECT, ci->subject);
    if (!rc)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_ISSUER, ci->issuer);
    if (!rc)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_SERIAL, ci->serial);
    if (!rc)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_THUMBPRINT, ci->thumbprint);
    if (!rc)
        rc = pkiws__result_set_int(r, PKIWS_RESULT_NOT_BEFORE, ci->not_before);
    if (!rc)
        rc = pkiws__result_set_int(r, PKIWS_RESULT_NOT_AFTER, ci->not_after);
    if (!rc)
        rc = pkiws__result_set_blob(r, PKIWS_RESULT_CERT_DER, der, n, 0);
    return rc;
}

int pkiws__result_set_resolution(pkiws_result *r, const pkiws__resolution *res)
{
    int rc = PKIWS_OK;
    if (res->subject)
        rc = pkiws__result_set_str(r, PKIWS_RESULT_SUBJECT, res->subject);
    for (size_t i = 0; !rc && i < res->ntrace; i++)
        rc = pkiws__result_add_trace(r, res->trace[i].field, res->trace[i].value,
                                     res->trace[i].source);
    for (size_t i = 0; !rc && i < res->nverdicts; i++) {
        const pkiws__verdict *v = &res->verdicts[i];
        const char *remedy = NULL;
        if (v->verdict == PKIWS_VERDICT_MISSING_FROM_TEMPLATE ||
            v->verdict == PKIWS_VERDICT_UNFILLABLE)
            remedy = PKIWS__REMEDY_POLICY_MISMATCH;
        rc = pkiws__result_add_check(r, v->name, v->verdict, v->detail, remedy);
    }
    return rc;
}

/* ---------------------------------------------------------------- public accessors ---- */

PKIWS_API void pkiws_result_free(pkiws_result *r)
{
    if (!r || !pkiws__handle_remove(r, PKIWS__MAGIC_RESULT))
        return;
    r->magic = PKIWS__MAGIC_DEAD;
    pkiws__free(r->message);
    pkiws__free(r->remedy);
    for (int i = 0; i < STR_ITEMS; i++) {
        if (r->str_secret & (1u << i))
            pkiws__free_secret(r->str[i], 0);
        else
            pkiws__free(r->str[i]);
    }
    for (int i = 0; i < BLOB_ITEMS; i++) {
        if (r->blob_secret & (1u << i))
            pkiws__free_secret(r->blob[i], r->blob_len[i] ? r->blob_len[i] : 1);
        else
            pkiws__free(r->blob[i]);
    }
    for (size_t i = 0; i < r->nchain; i++)
        pkiws__free(r->chain[i]);
    pkiws__free(r->chain);
    pkiws__free(r->chain_len);
    for (size_t i = 0; i < r->ntrace; i++)
        pkiws__free(r->trace[i].value);
    pkiws__free(r->trace);
    for (size_t i = 0; i < r->nchecks; i++) {
        pkiws__free(r->checks[i].name);
        pkiws__free(r->checks[i].detail);
        pkiws__free(r->checks[i].remedy);
    }
    pkiws__free(r->checks);
    for (size_t i = 0; i < r->nfound; i++) {
        pkiws__free(r->found[i].der);
        pkiws__free(r->found[i].serial);
        pkiws__free(r->found[i].status);
        pkiws__free(r->found[i].seat);
    }
    pkiws__free(r->found);
    for (size_t i = 0; i < r->nitems; i++) {
        pkiws__free(r->items[i].id);
        pkiws__free(r->items[i].message);
    }
    pkiws__free(r->items);
    pkiws__free(r);
}

PKIWS_API int pkiws_result_status(const pkiws_result *r)
{
    return ok_result(r) ? r->status : PKIWS_STATUS_FAILED;
}

PKIWS_API int pkiws_result_error(const pkiws_result *r)
{
    return ok_result(r) ? r->error : PKIWS_E_INVALID_HANDLE;
}

PKIWS_API const char *pkiws_result_message(const pkiws_result *r)
{
    if (!ok_result(r))
        return "invalid result handle";
    return r->message ? r->message : "";
}

PKIWS_API const char *pkiws_result_remedy(const pkiws_result *r)
{
    return ok_result(r) ? r->remedy : NULL;
}

PKIWS_API int pkiws_result_retryable(const pkiws_result *r)
{
    return ok_result(r) ? r->retryable : 0;
}

PKIWS_API const char *pkiws_result_str(const pkiws_result *r, int item)
{
    if (!ok_result(r) || item <= 0 || item >= STR_ITEMS)
        return NULL;
    return r->str[item];
}

PKIWS_API int pkiws_result_int(const pkiws_result *r, int item, int64_t *out)
{
    PKIWS__ENTER();
    if (out)
        *out = 0;
    if (!ok_result(r))
        return pkiws__fail(PKIWS_E_INVALID_HANDLE, "pkiws_result_int: invalid result handle");
    if (!out)
        return pkiws__arg_fail("pkiws_result_int", "out is NULL");
    if (item <= 0 || item >= INT_ITEMS)
        return pkiws__fail(PKIWS_E_UNKNOWN_OPTION, "pkiws_result_int: unknown item %d", item);
    if (!(r->ints_set & (1u << item)))
        return pkiws__fail(PKIWS_E_STATE, "pkiws_result_int: item %d is not in this result", item);
    *out = r->ints[item];
    return PKIWS_OK;
}

PKIWS_API int pkiws_result_blob(const pkiws_result *r, int item, const uint8_t **data, size_t *len)
{
    PKIWS__ENTER();
    if (data)
        *data = NULL;
    if (len)
        *len = 0;
    if (!ok_result(r))
        return pkiws__fail(PKIWS_E_INVALID_HANDLE, "pkiws_result_blob: invalid result handle");
    if (!data || !len)
        return pkiws__arg_fail("pkiws_result_blob", "data or len is NULL");
    if (item <= 0 || item >= BLOB_ITEMS)
        return pkiws__fail(PKIWS_E_UNKNOWN_OPTION, "pkiws_result_blob: unknown item %d", item);
    if (!r->blob[item])
        return pkiws__fail(PKIWS_E_STATE, "pkiws_result_blob: item %d is not in this result", item);
    *data = r->blob[item];
    *len = r->blob_len[item];
    return PKIWS_OK;
}

PKIWS_API size_t pkiws_result_chain_count(const pkiws_result *r)
{
    return ok_result(r) ? r->nchain : 0;
}

PKIWS_API int pkiws_result_chain_cert(const pkiws_result *r, size_t index, const uint8_t **data,
                                      size_t *len)
{
    PKIWS__ENTER();
    if (data)
        *data = NULL;
    if (len)
        *len = 0;
    if (!ok_result(r))
        return pkiws__fail(PKIWS_E_INVALID_HANDLE, "pkiws_result_chain_cert: invalid handle");
    if (!data || !len)
        return pkiws__arg_fail("pkiws_result_chain_cert", "data or len is NULL");
    if (index >= r->nchain)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "pkiws_result_chain_cert: index %zu, the chain has %zu", index,
                           r->nchain);
    *data = r->chain[index];
    *len = r->chain_len[index];
    return PKIWS_OK;
}

PKIWS_API size_t pkiws_result_trace_count(const pkiws_result *r)
{
    return ok_result(r) ? r->ntrace : 0;
}

PKIWS_API int pkiws_result_trace(const pkiws_result *r, size_t index, int *field,
                                 const char **value, int *source)
{
    PKIWS__ENTER();
    if (!ok_result(r))
        return pkiws__fail(PKIWS_E_INVALID_HANDLE, "pkiws_result_trace: invalid handle");
    if (index >= r->ntrace)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_result_trace: index %zu, trace has %zu",
                           index, r->ntrace);
    if (field)
        *field = r->trace[index].field;
    if (value)
        *value = r->trace[index].value;
    if (source)
        *source = r->trace[index].source;
    return PKIWS_OK;
}

PKIWS_API size_t pkiws_result_check_count(const pkiws_result *r)
{
    return ok_result(r) ? r->nchecks : 0;
}

PKIWS_API int pkiws_result_check(const pkiws_result *r, size_t index, const char **name,
                                 int *verdict, const char **detail, const char **remedy)
{
    PKIWS__ENTER();
    if (!ok_result(r))
        return pkiws__fail(PKIWS_E_INVALID_HANDLE, "pkiws_result_check: invalid handle");
    if (index >= r->nchecks)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_result_check: index %zu, there are %zu",
                           index, r->nchecks);
    const struct check_entry *e = &r->checks[index];
    if (name)
        *name = e->name;
    if (verdict)
        *verdict = e->verdict;
    if (detail)
        *detail = e->detail;
    if (remedy)
        *remedy = e->remedy;
    return PKIWS_OK;
}

PKIWS_API size_t pkiws_result_found_count(const pkiws_result *r)
{
    return ok_result(r) ? r->nfound : 0;
}

PKIWS_API int pkiws_result_found(const pkiws_result *r, size_t index, const uint8_t **der,
                                 size_t *len, const char **serial, const char **status,
                                 const char **seat)
{
    PKIWS__ENTER();
    if (!ok_result(r))
        return pkiws__fail(PKIWS_E_INVALID_HANDLE, "pkiws_result_found: invalid handle");
    if (index >= r->nfound)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_result_found: index %zu, there are %zu",
                           index, r->nfound);
    const struct found_entry *e = &r->found[index];
    if (der)
        *der = e->der;
    if (len)
        *len = e->len;
    if (serial)
        *serial = e->serial;
    if (status)
        *status = e->status;
    if (seat)
        *seat = e->seat;
    return PKIWS_OK;
}

PKIWS_API size_t pkiws_result_item_count(const pkiws_result *r)
{
    return ok_result(r) ? r->nitems : 0;
}

PKIWS_API int pkiws_result_item(const pkiws_result *r, size_t index, const char **id, int *code,
                                const char **message)
{
    PKIWS__ENTER();
    if (!ok_result(r))
        return pkiws__fail(PKIWS_E_INVALID_HANDLE, "pkiws_result_item: invalid handle");
    if (index >= r->nitems)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_result_item: index %zu, there are %zu",
                           index, r->nitems);
    const struct item_entry *e = &r->items[index];
    if (id)
        *id = e->id;
    if (code)
        *code = e->code;
    if (message)
        *message = e->message;
    return PKIWS_OK;
}
