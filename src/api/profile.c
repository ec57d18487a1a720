/* SPDX-License-Identifier: MIT */
/* pkiws_profile: the Intune PKCS profile's selections and the CA's template. */
#include "pkiws_internal.h"

#include "api/op_int.h"
#include "core/enroll.h"
#include "core/settings.h"

PKIWS_API int pkiws_profile_new(pkiws_profile **out, pkiws_session *session, const char *oid)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_profile_new", "out is NULL");
    *out = NULL;
    int rc = pkiws__check_session(session, "pkiws_profile_new");
    if (rc)
        return rc;
    /* an OID pasted from the portal or the seed may carry white space around it */
    char *trimmed = NULL;
    if (oid) {
        size_t n;
        const char *t = pkiws__trim(oid, strlen(oid), &n);
        if (!(trimmed = pkiws__calloc(1, n + 1)))
            return pkiws__fail(PKIWS_E_NOMEM, "pkiws_profile_new: out of memory");
        memcpy(trimmed, t, n);
    }
    rc = pkiws__check_profile_oid(trimmed ? trimmed : oid);
    pkiws_profile *p = rc ? NULL : pkiws__calloc(1, sizeof *p);
    if (!rc && !p)
        rc = pkiws__fail(PKIWS_E_NOMEM, "pkiws_profile_new: out of memory");
    if (!rc)
        rc = pkiws__handle_add(p, PKIWS__MAGIC_PROFILE);
    if (rc) {
        pkiws__free(trimmed);
        pkiws__free(p);
        return rc;
    }
    p->oid = trimmed;
    p->magic = PKIWS__MAGIC_PROFILE;
    atomic_init(&p->refs, 1);
    pthread_mutex_init(&p->lock, NULL);
    atomic_fetch_add(&session->refs, 1);
    p->session = session;
    p->subject_format = PKIWS_SUBJECT_CN;
    p->key_type = PKIWS_KEY_RSA2048;
    p->pfx_preset = PKIWS_PFX_LEGACY;
    *out = p;
    return PKIWS_OK;
}

static void profile_destroy(pkiws_profile *p)
{
    p->magic = PKIWS__MAGIC_DEAD;
    pkiws__free(p->oid);
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(p->mapping); i++)
        pkiws__free(p->mapping[i]);
    pkiws__template_free(p->tpl);
    pthread_mutex_destroy(&p->lock);
    pkiws__session_unref(p->session);
    pkiws__free(p);
}

void pkiws__profile_unref(pkiws_profile *p)
{
    if (p && atomic_fetch_sub(&p->refs, 1) == 1)
        profile_destroy(p);
}

PKIWS_API void pkiws_profile_free(pkiws_profile *p)
{
    /* Dead for the caller at once; the memory goes with the last request made from it. */
    if (pkiws__handle_release(p, PKIWS__MAGIC_PROFILE))
        pkiws__profile_unref(p);
}

/* Selections are final once the profile has been verified (product.md §2). */
static int check_mutable(pkiws_profile *p, const char *fn)
{
    int rc = pkiws__check_profile(p, fn);
    if (!rc && atomic_load(&p->frozen))
        rc = pkiws__fail(PKIWS_E_STATE,
                         "%s: profile %s was verified and is now immutable (it may be shared by "
                         "threads); make a new profile to change its selections",
                         fn, p->oid);
    return rc;
}

PKIWS_API int pkiws_profile_set_int(pkiws_profile *p, int option, int64_t value)
{
    PKIWS__ENTER();
    int rc = check_mutable(p, "pkiws_profile_set_int");
    if (rc)
        return rc;
    switch (option) {
    case PKIWS_PROFILE_OPT_SUBJECT_FORMAT:
        if (value < PKIWS_SUBJECT_CN || value > PKIWS_SUBJECT_CN_AS_EMAIL)
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "subject format %lld is not PKIWS_SUBJECT_CN (1), CN_EMAIL (2) or "
                               "CN_AS_EMAIL (3)",
                               (long long)value);
        p->subject_format = (int)value;
        return PKIWS_OK;
    case PKIWS_PROFILE_OPT_SAN_TYPES:
        if (value < 0 || value > (PKIWS_SAN_EMAIL | PKIWS_SAN_UPN | PKIWS_SAN_OTHERNAME))
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "SAN types 0x%llx has bits other than EMAIL, UPN, OTHERNAME",
                               (long long)value);
        p->san_types = (unsigned)value;
        return PKIWS_OK;
    case PKIWS_PROFILE_OPT_KEY_TYPE:
        if (value < PKIWS_KEY_RSA2048 || value > PKIWS_KEY_EC_P384)
            return pkiws__fail(PKIWS_E_INVALID_ARG, "key type %lld is not a PKIWS_KEY_* value",
                               (long long)value);
        p->key_type = (int)value;
        return PKIWS_OK;
    case PKIWS_PROFILE_OPT_PFX_PRESET:
        if (value != PKIWS_PFX_LEGACY && value != PKIWS_PFX_MODERN)
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "PFX preset %lld is not PKIWS_PFX_LEGACY (1) or MODERN (2)",
                               (long long)value);
        p->pfx_preset = (int)value;
        return PKIWS_OK;
    case PKIWS_PROFILE_OPT_OTHERNAME_COMPAT:
        if (value != 0 && value != 1)
            return pkiws__fail(PKIWS_E_INVALID_ARG, "OTHERNAME_COMPAT must be 0 or 1");
        p->othername_compat = (int)value;
        return PKIWS_OK;
    case PKIWS_PROFILE_OPT_DUPLICATES:
        if (value < PKIWS_DUPLICATES_ALLOW || value > PKIWS_DUPLICATES_REFUSE)
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "DUPLICATES %lld is not PKIWS_DUPLICATES_ALLOW (0), REPORT (1) or "
                               "REFUSE (2)",
                               (long long)value);
        p->duplicates = (int)value;
        return PKIWS_OK;
    default:
        return pkiws__fail(option >= 10000 ? PKIWS_E_OPTION_TYPE : PKIWS_E_UNKNOWN_OPTION,
                           "pkiws_profile_set_int: unknown integer option %d", option);
    }
}

PKIWS_API int pkiws_profile_set_mapping(pkiws_profile *p, int field, const char *attribute_name)
{
    PKIWS__ENTER();
    int rc = check_mutable(p, "pkiws_profile_set_mapping");
    if (rc)
        return rc;
    if (field < PKIWS_FIELD_CN || field > PKIWS_FIELD_SEAT_ID)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "mapping: %d is not a PKIWS_FIELD_* value", field);
    if (attribute_name && pkiws__is_blank(attribute_name))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "mapping for %s: attribute name is empty",
                           pkiws_field_name(field));
    char *copy = NULL;
    if (attribute_name && !(copy = pkiws__strdup(attribute_name)))
        return PKIWS_E_NOMEM;
    pkiws__free(p->mapping[field]);
    p->mapping[field] = copy;
    return PKIWS_OK;
}

PKIWS_API int pkiws_profile_load_template(pkiws_profile *p, const void *xml, size_t len)
{
    PKIWS__ENTER();
    int rc = pkiws__check_profile(p, "pkiws_profile_load_template");
    if (rc)
        return rc;
    if (!xml || !len)
        return pkiws__arg_fail("pkiws_profile_load_template", "no document");
    pkiws__conf *conf = NULL;
    if ((rc = pkiws__session_acquire(p->session, &conf)))
        return rc;
    pkiws_xml_limits lim = {(size_t)conf->set.max_response_bytes, (unsigned)conf->set.max_xml_depth,
                            0};
    pkiws__conf_release(conf);
    pkiws__template *t = NULL;
    size_t off = pkiws__http_body_offset(xml, len); /* a captured answer with its HTTP head */
    rc = pkiws__template_parse((const char *)xml + off, len - off, p->oid, &lim, &t);
    if (rc)
        return rc;
    pthread_mutex_lock(&p->lock);
    pkiws__template_free(p->tpl);
    p->tpl = t;
    p->tpl_expires = 0;
    pthread_mutex_unlock(&p->lock);
    return PKIWS_OK;
}

void pkiws__profile_install_template(pkiws_profile *p, const pkiws__conf *conf, pkiws__template *t)
{
    int64_t hours = t->next_update_hours >= 0 ? t->next_update_hours : conf->set.policy_cache_hours;
    size_t nattrs = t->nattrs;
    pthread_mutex_lock(&p->lock);
    pkiws__template_free(p->tpl);
    p->tpl = t;
    p->tpl_expires = pkiws__now() + hours * 3600;
    if (p->tpl_expires == 0)
        p->tpl_expires = 1;
    pthread_mutex_unlock(&p->lock);
    pkiws__log(&conf->set.log, PKIWS_LOG_INFO, "core", NULL,
               "policy of profile %s fetched: %zu attributes, cached for %lld hours", p->oid,
               nattrs, (long long)hours);
}

int pkiws__profile_cached_template(pkiws_profile *p, pkiws__template **out)
{
    *out = NULL;
    pthread_mutex_lock(&p->lock);
    int fresh = p->tpl && (p->tpl_expires == 0 || p->tpl_expires > pkiws__now());
    int rc = fresh ? pkiws__template_dup(p->tpl, out) : PKIWS_OK;
    pthread_mutex_unlock(&p->lock);
    return rc;
}

/* pkiws_profile_fetch_policy as an op: the GetPolicies exchange, the template installed. */
static int policy_begin(pkiws_op *op, pkiws__client *c)
{
    pkiws_profile *p = op->impl;
    return pkiws__fetch_template_begin(c, p->oid, &op->x);
}

static int policy_end(pkiws_op *op)
{
    pkiws_profile *p = op->impl;
    pkiws__template *t = NULL;
    int rc = pkiws__template_from_doc(op->answer, p->oid, &t);
    if (!rc)
        pkiws__profile_install_template(p, op->conf, t);
    return rc;
}

static void policy_dispose(void *impl)
{
    pkiws__profile_unref(impl);
}

static const pkiws__op_kind policy_kind = {"policy fetch", NULL, policy_begin,
                                           policy_end,     NULL, policy_dispose};

int pkiws__profile_template(pkiws_profile *p, pkiws__conf *conf, pkiws__template **out)
{
    *out = NULL;
    int rc = pkiws__profile_cached_template(p, out);
    if (rc || *out)
        return rc;
    /* the policy op over this snapshot (the lock is not held during the exchange) */
    atomic_fetch_add(&p->refs, 1);
    atomic_fetch_add(&conf->refs, 1);
    pkiws_op *op = NULL;
    pkiws_result *r = NULL;
    if (!(rc = pkiws__op_new(&policy_kind, p, conf, &op)))
        rc = pkiws__op_run(op, &r);
    pkiws_result_free(r);
    if (rc)
        return rc;
    pthread_mutex_lock(&p->lock);
    rc = p->tpl ? pkiws__template_dup(p->tpl, out)
                : pkiws__fail(PKIWS_E_STATE, "profile %s has no template", p->oid);
    pthread_mutex_unlock(&p->lock);
    return rc;
}

static int policy_op_new(const char *fn, pkiws_profile *p, pkiws_op **op)
{
    int rc = pkiws__check_profile(p, fn);
    if (rc)
        return rc;
    atomic_fetch_add(&p->refs, 1);
    return pkiws__op_start(&policy_kind, p, p->session, op);
}

PKIWS_API int pkiws_profile_fetch_policy_start(pkiws_profile *p, pkiws_op **op)
{
    PKIWS__ENTER();
    if (!op)
        return pkiws__arg_fail("pkiws_profile_fetch_policy_start", "op is NULL");
    *op = NULL;
    return policy_op_new("pkiws_profile_fetch_policy_start", p, op);
}

PKIWS_API int pkiws_profile_fetch_policy(pkiws_profile *p)
{
    PKIWS__ENTER();
    pkiws_op *op = NULL;
    pkiws_result *r = NULL;
    int rc = policy_op_new("pkiws_profile_fetch_policy", p, &op);
    if (!rc)
        rc = pkiws__op_run(op, &r);
    pkiws_result_free(r);
    return rc;
}

PKIWS_API int pkiws_profile_load_template_file(pkiws_profile *p, const char *path)
{
    PKIWS__ENTER();
    int rc = pkiws__check_profile(p, "pkiws_profile_load_template_file");
    if (rc)
        return rc;
    if (!path)
        return pkiws__arg_fail("pkiws_profile_load_template_file", "path is NULL");
    pkiws__conf *conf = NULL;
    if ((rc = pkiws__session_acquire(p->session, &conf)))
        return rc;
    size_t max = (size_t)conf->set.max_response_bytes;
    pkiws__conf_release(conf);
    pkiws_buf data = PKIWS_BUF_INIT;
    rc = pkiws__file_read(path, max, &data);
    if (!rc)
        rc = pkiws_profile_load_template(p, data.data, data.len);
    if (rc && rc != PKIWS_E_NOMEM && rc != PKIWS_E_IO)
        pkiws__fail_context(rc, "template file '%s'", path);
    pkiws__buf_dispose(&data);
    return rc;
}

void pkiws__profile_selection(const pkiws_profile *p, pkiws__selection *sel)
{
    memset(sel, 0, sizeof *sel);
    sel->subject_format = p->subject_format;
    sel->san_types = p->san_types;
    sel->othername_compat = p->othername_compat;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(sel->mapping); i++)
        sel->mapping[i] = p->mapping[i];
}

PKIWS_API int pkiws_profile_verify(pkiws_profile *p, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_profile_verify", "out is NULL");
    *out = NULL;
    int rc = pkiws__check_profile(p, "pkiws_profile_verify");
    if (rc)
        return rc;
    pkiws__template *tpl = NULL;
    pthread_mutex_lock(&p->lock);
    rc = p->tpl ? pkiws__template_dup(p->tpl, &tpl)
                : pkiws__fail(PKIWS_E_STATE,
                              "profile %s has no template yet: load one with "
                              "pkiws_profile_load_template or fetch the policy",
                              p->oid);
    pthread_mutex_unlock(&p->lock);
    if (rc)
        return rc;
    pkiws_result *r = pkiws__result_new();
    if (!r) {
        pkiws__template_free(tpl);
        return PKIWS_E_NOMEM;
    }
    pkiws__selection sel;
    pkiws__profile_selection(p, &sel);
    pkiws__resolution res;
    memset(&res, 0, sizeof res);
    rc = pkiws__verify(tpl, &sel, &res);
    pkiws__template_free(tpl);
    int rc2 = pkiws__result_set_resolution(r, &res);
    pkiws__resolution_dispose(&res);
    if (rc2 && !rc)
        rc = rc2;
    if (rc)
        pkiws__result_fail(r, rc);
    else
        atomic_store(&p->frozen, 1);
    *out = r;
    return rc;
}

PKIWS_API int pkiws_profile_template_int(const pkiws_profile *p, int item, int64_t *out)
{
    PKIWS__ENTER();
    int rc = pkiws__check_profile(p, "pkiws_profile_template_int");
    if (rc)
        return rc;
    if (!out)
        return pkiws__arg_fail("pkiws_profile_template_int", "out is NULL");
    *out = 0;
    pkiws_profile *mp = (pkiws_profile *)p;
    pthread_mutex_lock(&mp->lock);
    const pkiws__template *t = p->tpl;
    if (!t) {
        rc = pkiws__fail(PKIWS_E_STATE, "profile %s has no template yet", p->oid);
    } else {
        switch (item) {
        case PKIWS_TEMPLATE_KEY_SIZE:
            *out = t->key_size;
            break;
        case PKIWS_TEMPLATE_KEY_IS_EC:
            *out = t->key_is_ec;
            break;
        case PKIWS_TEMPLATE_VALIDITY_DAYS:
            *out = t->validity_days;
            break;
        case PKIWS_TEMPLATE_NEXT_UPDATE_HOURS:
            *out = t->next_update_hours;
            break;
        case PKIWS_TEMPLATE_CA_COUNT:
            *out = (int64_t)t->nca;
            break;
        case PKIWS_TEMPLATE_ATTRIBUTE_COUNT:
            *out = (int64_t)t->nattrs;
            break;
        default:
            rc = pkiws__fail(PKIWS_E_UNKNOWN_OPTION, "pkiws_profile_template_int: unknown item %d",
                             item);
        }
    }
    pthread_mutex_unlock(&mp->lock);
    return rc;
}

PKIWS_API int pkiws_profile_template_attribute(const pkiws_profile *p, size_t index,
                                               const char **name, const char **type,
                                               const char **fixed_value, int *mandatory,
                                               int *in_san, int *field)
{
    PKIWS__ENTER();
    int rc = pkiws__check_profile(p, "pkiws_profile_template_attribute");
    if (rc)
        return rc;
    pkiws_profile *mp = (pkiws_profile *)p;
    pthread_mutex_lock(&mp->lock);
    const pkiws__template *t = p->tpl;
    if (!t) {
        rc = pkiws__fail(PKIWS_E_STATE, "profile %s has no template yet", p->oid);
    } else if (index >= t->nattrs) {
        rc = pkiws__fail(PKIWS_E_INVALID_ARG,
                         "pkiws_profile_template_attribute: index %zu, the template has %zu", index,
                         t->nattrs);
    } else {
        const pkiws__tpl_attr *a = &t->attrs[index];
        pkiws__selection sel;
        pkiws__profile_selection(p, &sel);
        if (name)
            *name = a->name;
        if (type)
            *type = a->type;
        if (fixed_value)
            *fixed_value = a->fixed_value;
        if (mandatory)
            *mandatory = a->mandatory;
        if (in_san)
            *in_san = a->in_san;
        if (field)
            *field = pkiws__san_attr_field(t, &sel, index);
    }
    pthread_mutex_unlock(&mp->lock);
    return rc;
}
