/* SPDX-License-Identifier: MIT */
/* pkiws_request: one identity, and the pre-flight that resolves it offline. */
#include "pkiws_internal.h"

#include <stdio.h>

#include "api/api_int.h"
#include "core/enroll.h"
#include "core/offline.h"

#include <pthread.h>

PKIWS_API int pkiws_request_new(pkiws_request **out, pkiws_profile *profile)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_request_new", "out is NULL");
    *out = NULL;
    int rc = pkiws__check_profile(profile, "pkiws_request_new");
    if (rc)
        return rc;
    pkiws_request *r = pkiws__calloc(1, sizeof *r);
    if (!r)
        return pkiws__fail(PKIWS_E_NOMEM, "pkiws_request_new: out of memory");
    if ((rc = pkiws__handle_add(r, PKIWS__MAGIC_REQUEST))) {
        pkiws__free(r);
        return rc;
    }
    r->magic = PKIWS__MAGIC_REQUEST;
    r->subject_format = profile->subject_format;
    r->key_type = profile->key_type;
    r->profile_preset = profile->pfx_preset;
    r->othername_compat = profile->othername_compat;
    r->san_types = profile->san_types;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(r->mapping); i++) {
        if (profile->mapping[i] && !(r->mapping[i] = pkiws__strdup(profile->mapping[i]))) {
            for (size_t j = 0; j < i; j++)
                pkiws__free(r->mapping[j]);
            pkiws__handle_remove(r, PKIWS__MAGIC_REQUEST);
            pkiws__free(r);
            return pkiws__fail(PKIWS_E_NOMEM, "pkiws_request_new: out of memory");
        }
    }
    atomic_fetch_add(&profile->refs, 1);
    r->profile = profile;
    *out = r;
    return PKIWS_OK;
}

PKIWS_API void pkiws_request_free(pkiws_request *r)
{
    if (!pkiws__handle_release(r, PKIWS__MAGIC_REQUEST))
        return;
    r->magic = PKIWS__MAGIC_DEAD;
    char **fields[] = {&r->cn,           &r->email,       &r->upn,           &r->seat_id,
                       &r->given_name,   &r->family_name, &r->othername_oid, &r->othername_hex,
                       &r->friendly_name};
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(fields); i++)
        pkiws__free_secret(*fields[i], 0); /* identities: wiped too */
    pkiws__free_secret(r->pfx_password, 0);
    pkiws__free(r->pending_ref);
    pkiws__free(r->txid);
    pkiws__free_secret(r->key_der, r->key_len);
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(r->mapping); i++)
        pkiws__free(r->mapping[i]);
    pkiws__profile_unref(r->profile);
    pkiws__free(r);
}

static char **str_slot(pkiws_request *r, int option)
{
    switch (option) {
    case PKIWS_REQUEST_OPT_CN:
        return &r->cn;
    case PKIWS_REQUEST_OPT_EMAIL:
        return &r->email;
    case PKIWS_REQUEST_OPT_UPN:
        return &r->upn;
    case PKIWS_REQUEST_OPT_SEAT_ID:
        return &r->seat_id;
    case PKIWS_REQUEST_OPT_GIVEN_NAME:
        return &r->given_name;
    case PKIWS_REQUEST_OPT_FAMILY_NAME:
        return &r->family_name;
    case PKIWS_REQUEST_OPT_PFX_PASSWORD:
        return &r->pfx_password;
    case PKIWS_REQUEST_OPT_FRIENDLY_NAME:
        return &r->friendly_name;
    case PKIWS_REQUEST_OPT_PENDING_REF:
        return &r->pending_ref;
    case PKIWS_REQUEST_OPT_TRANSACTION_ID:
        return &r->txid;
    default:
        return NULL;
    }
}

PKIWS_API int pkiws_request_set_str(pkiws_request *r, int option, const char *value)
{
    PKIWS__ENTER();
    int rc = pkiws__check_request(r, "pkiws_request_set_str");
    if (rc)
        return rc;
    char **slot = str_slot(r, option);
    if (!slot)
        return pkiws__fail(option < 10000 ? PKIWS_E_OPTION_TYPE : PKIWS_E_UNKNOWN_OPTION,
                           "pkiws_request_set_str: option %d is not a string option", option);
    size_t bad;
    if (value && !pkiws__utf8_valid(value, strlen(value), &bad))
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "request option %d: value is not valid UTF-8 (byte %zu)", option,
                           bad + 1);
    if (value && option == PKIWS_REQUEST_OPT_TRANSACTION_ID && (rc = pkiws__check_txid(value)))
        return rc;
    char *copy = NULL;
    if (value && !(copy = pkiws__strdup(value)))
        return PKIWS_E_NOMEM;
    pkiws__free_secret(*slot, 0);
    *slot = copy;
    return PKIWS_OK;
}

PKIWS_API int pkiws_request_set_int(pkiws_request *r, int option, int64_t value)
{
    PKIWS__ENTER();
    int rc = pkiws__check_request(r, "pkiws_request_set_int");
    if (rc)
        return rc;
    if (option == PKIWS_REQUEST_OPT_RETURN_KEY) {
        if (value != 0 && value != 1)
            return pkiws__fail(PKIWS_E_INVALID_ARG, "RETURN_KEY must be 0 or 1");
        r->return_key = (int)value;
        return PKIWS_OK;
    }
    if (option != PKIWS_REQUEST_OPT_PFX_PRESET)
        return pkiws__fail(option >= 10000 ? PKIWS_E_OPTION_TYPE : PKIWS_E_UNKNOWN_OPTION,
                           "pkiws_request_set_int: unknown integer option %d", option);
    if (value != 0 && value != PKIWS_PFX_LEGACY && value != PKIWS_PFX_MODERN)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "PFX preset %lld is not PKIWS_PFX_LEGACY (1) or MODERN (2)",
                           (long long)value);
    r->pfx_preset = (int)value;
    return PKIWS_OK;
}

PKIWS_API int pkiws_request_set_othername(pkiws_request *r, const char *oid, const char *hex)
{
    PKIWS__ENTER();
    int rc = pkiws__check_request(r, "pkiws_request_set_othername");
    if (rc)
        return rc;
    if (!oid && !hex) {
        pkiws__free(r->othername_oid);
        pkiws__free_secret(r->othername_hex, 0);
        r->othername_oid = r->othername_hex = NULL;
        return PKIWS_OK;
    }
    const char *why;
    if (!oid || !pkiws__oid_valid(oid, &why))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "otherName type OID '%s' is not a dotted OID: %s",
                           oid ? oid : "", oid ? why : "it is missing");
    if (!hex)
        return pkiws__arg_fail("pkiws_request_set_othername", "hex value is NULL");
    char *o = pkiws__strdup(oid), *h = pkiws__strdup(hex);
    if (!o || !h) {
        pkiws__free(o);
        pkiws__free(h);
        return PKIWS_E_NOMEM;
    }
    pkiws__free(r->othername_oid);
    pkiws__free_secret(r->othername_hex, 0);
    r->othername_oid = o;
    r->othername_hex = h;
    return PKIWS_OK;
}

void pkiws__request_selection(const pkiws_request *r, pkiws__selection *sel)
{
    memset(sel, 0, sizeof *sel);
    sel->subject_format = r->subject_format;
    sel->san_types = r->san_types;
    sel->othername_compat = r->othername_compat;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(sel->mapping); i++)
        sel->mapping[i] = r->mapping[i];
}

int pkiws__request_resolve(pkiws_request *r, const pkiws__template *tpl, pkiws__resolution *res)
{
    pkiws__selection sel;
    pkiws__request_selection(r, &sel);
    pkiws__identity id = {
        r->cn,      r->email,      r->upn,        r->othername_oid, r->othername_hex,
        r->seat_id, r->given_name, r->family_name};
    int rc = pkiws__resolve(tpl, &sel, &id, res);
    /* The key-type verdict is added in every case; the first failure keeps the message. */
    int saved_code = pkiws__err_code();
    char saved_msg[PKIWS_ERR_MSG_MAX];
    const char *saved_remedy = pkiws__err_remedy();
    snprintf(saved_msg, sizeof saved_msg, "%s", pkiws__err_message());
    int krc = pkiws__check_key_policy(tpl, r->key_der_type ? r->key_der_type : r->key_type, res);
    if (rc && krc)
        pkiws__fail_remedy(saved_code, saved_remedy, "%s", saved_msg);
    return rc ? rc : krc;
}

int pkiws__request_template_possible(pkiws_request *r, const pkiws__conf *conf)
{
    pkiws_profile *p = r->profile;
    pthread_mutex_lock(&p->lock);
    int have = p->tpl != NULL;
    pthread_mutex_unlock(&p->lock);
    if (!have && !conf->set.ca && !conf->set.base_url)
        return pkiws__fail(PKIWS_E_STATE,
                           "profile %s has no template yet: load one with "
                           "pkiws_profile_load_template, or set the CA so that the policy can "
                           "be fetched",
                           p->oid);
    return PKIWS_OK;
}

int pkiws__request_template(pkiws_request *r, pkiws__conf *conf, pkiws__template **tpl)
{
    *tpl = NULL;
    int rc = pkiws__request_template_possible(r, conf);
    return rc ? rc : pkiws__profile_template(r->profile, conf, tpl);
}

PKIWS_API int pkiws_preflight(pkiws_request *r, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_preflight", "out is NULL");
    *out = NULL;
    int rc = pkiws__check_request(r, "pkiws_preflight");
    if (rc)
        return rc;
    pkiws_result *res_out = pkiws__result_new();
    if (!res_out)
        return PKIWS_E_NOMEM;
    pkiws__template *tpl = NULL;
    pkiws__conf *conf = NULL;
    rc = pkiws__session_acquire(r->profile->session, &conf);
    if (!rc)
        rc = pkiws__request_template(r, conf, &tpl);
    pkiws__conf_release(conf);
    if (rc) {
        pkiws__result_fail(res_out, rc);
        *out = res_out;
        return rc;
    }
    pkiws__resolution res;
    memset(&res, 0, sizeof res);
    rc = pkiws__request_resolve(r, tpl, &res);
    int rc2 = pkiws__result_set_resolution(res_out, &res);
    pkiws__resolution_dispose(&res);
    pkiws__template_free(tpl);
    if (rc2 && !rc)
        rc = rc2;
    if (rc)
        pkiws__result_fail(res_out, rc);
    *out = res_out;
    return rc;
}
