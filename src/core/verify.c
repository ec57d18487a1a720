/* SPDX-License-Identifier: MIT */
/* Pre-flight of a profile's selections against its template: one verdict per attribute and
 * per selection (the connector's "Policy verification failed", explained). */
#include "pkiws_internal.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/san_int.h"

/*
 * Which field fills which attribute:
 *  1. a per-profile mapping (sel->mapping[field], attribute name, case-insensitive) wins; when
 *     several fields name the same attribute, the lowest PKIWS_FIELD_* wins;
 *  2. else the attribute's role (template.h), unless that role's field is mapped to another
 *     attribute by the profile (the override moves the field, the old attribute loses it);
 *  3. an attribute of unknown role named like the template's seatIdInfo attribute is the seat.
 * Roles without a field (SUBJECT_OTHER, SAN_DNS, UNKNOWN) are sent only with a fixed value.
 *
 * What can fill a field, knowing only the selections:
 *  CN: always (every subject format has a CN). Subject E: formats CN_EMAIL and CN_AS_EMAIL;
 *  with format CN only when the CN is e-mail shaped (identity-dependent: a mandatory E gets a
 *  WARN verdict here and is checked by pkiws__resolve). SAN e-mail / UPN / otherName: only when
 *  that SAN type is selected. Given / family name: the request's names or the UPN
 *  (identity-dependent). Seat id: always (seat id, UPN, e-mail or CN).
 */

enum { FILL_NEVER = 0, FILL_ALWAYS = 1, FILL_MAYBE = 2 };

static int role_field(int role)
{
    switch (role) {
    case PKIWS__ROLE_CN:
        return PKIWS_FIELD_CN;
    case PKIWS__ROLE_SUBJECT_EMAIL:
        return PKIWS_FIELD_SUBJECT_EMAIL;
    case PKIWS__ROLE_SAN_EMAIL:
        return PKIWS_FIELD_SAN_EMAIL;
    case PKIWS__ROLE_SAN_UPN:
        return PKIWS_FIELD_SAN_UPN;
    case PKIWS__ROLE_SAN_OTHERNAME:
        return PKIWS_FIELD_SAN_OTHERNAME;
    case PKIWS__ROLE_GIVEN_NAME:
        return PKIWS_FIELD_GIVEN_NAME;
    case PKIWS__ROLE_FAMILY_NAME:
        return PKIWS_FIELD_FAMILY_NAME;
    case PKIWS__ROLE_SEAT_ID:
        return PKIWS_FIELD_SEAT_ID;
    default:
        return 0;
    }
}

const char *pkiws__san_field_label(int field)
{
    switch (field) {
    case PKIWS_FIELD_CN:
        return "subject CN";
    case PKIWS_FIELD_SUBJECT_EMAIL:
        return "subject E";
    case PKIWS_FIELD_SAN_EMAIL:
        return "SAN type EMAIL";
    case PKIWS_FIELD_SAN_UPN:
        return "SAN type UPN";
    case PKIWS_FIELD_SAN_OTHERNAME:
        return "SAN type OTHERNAME";
    case PKIWS_FIELD_GIVEN_NAME:
        return "given name";
    case PKIWS_FIELD_FAMILY_NAME:
        return "family name";
    case PKIWS_FIELD_SEAT_ID:
        return "seat id";
    default:
        return "no field";
    }
}

/* Where the built-in convention looks for a field's attribute (product.md §4). */
static const char *field_convention(int field)
{
    switch (field) {
    case PKIWS_FIELD_CN:
        return "type CN or the name common_name";
    case PKIWS_FIELD_SUBJECT_EMAIL:
        return "type E or the names mail_email, emailAddress, mail";
    case PKIWS_FIELD_SAN_EMAIL:
        return "type rfc822Name or the names san_email, rfc822Name";
    case PKIWS_FIELD_SAN_UPN:
        return "type otherName:1.3.6.1.4.1.311.20.2.3 or the names san_upn, upn, "
               "userPrincipalName";
    case PKIWS_FIELD_SAN_OTHERNAME:
        return "type otherName:<OID> or the names san_othername, otherName";
    case PKIWS_FIELD_GIVEN_NAME:
        return "the name mail_firstname";
    case PKIWS_FIELD_FAMILY_NAME:
        return "the name mail_lastname";
    case PKIWS_FIELD_SEAT_ID:
        return "the name seat_id or the seatIdInfo attribute";
    default:
        return "";
    }
}

int pkiws__san_takes_email(const pkiws__tpl_attr *a)
{
    if (!a || a->role != PKIWS__ROLE_CN || !a->source_attr || !a->source_attr[0])
        return 0;
    int r = pkiws__role_from_type(NULL, a->source_attr);
    return r == PKIWS__ROLE_SUBJECT_EMAIL || r == PKIWS__ROLE_SAN_EMAIL || r == PKIWS__ROLE_SAN_UPN;
}

int pkiws__san_mapped(const pkiws__selection *sel, int field)
{
    return field > 0 && field < (int)PKIWS_ARRAY_LEN(sel->mapping) && sel->mapping[field] &&
           sel->mapping[field][0];
}

int pkiws__san_attr_field(const pkiws__template *t, const pkiws__selection *sel, size_t i)
{
    const pkiws__tpl_attr *a = &t->attrs[i];
    for (int f = 1; f < (int)PKIWS_ARRAY_LEN(sel->mapping); f++)
        if (pkiws__san_mapped(sel, f) && a->name && pkiws__strcaseeq(sel->mapping[f], a->name))
            return f;
    int f = role_field(a->role);
    if (!f && a->role == PKIWS__ROLE_UNKNOWN && t->seat_attr && a->name &&
        pkiws__strcaseeq(t->seat_attr, a->name))
        f = PKIWS_FIELD_SEAT_ID;
    if (f && pkiws__san_mapped(sel, f))
        return 0; /* the profile moved this field to another attribute */
    return f;
}

static int vappend(void **arr, size_t n, size_t size)
{
    void *p = pkiws__realloc(*arr, (n + 1) * size);
    if (!p)
        return PKIWS_E_NOMEM;
    *arr = p;
    return PKIWS_OK;
}

static char *vformat(const char *fmt, va_list ap)
{
    pkiws_buf b = PKIWS_BUF_INIT;
    pkiws__buf_vprintf(&b, fmt, ap);
    if (pkiws__buf_status(&b)) {
        pkiws__buf_dispose(&b);
        return NULL;
    }
    if (!b.data)
        return pkiws__strdup("");
    return (char *)pkiws__buf_detach(&b, NULL);
}

int pkiws__san_add_verdict(pkiws__resolution *res, const char *name, int verdict, const char *fmt,
                           ...)
{
    void *arr = res->verdicts;
    if (vappend(&arr, res->nverdicts, sizeof *res->verdicts))
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory recording the verdict for '%s'", name);
    res->verdicts = arr;
    va_list ap;
    va_start(ap, fmt);
    char *detail = vformat(fmt, ap);
    va_end(ap);
    char *n = pkiws__strdup(name ? name : "");
    if (!detail || !n) {
        pkiws__free(detail);
        pkiws__free(n);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory recording the verdict for '%s'", name);
    }
    pkiws__verdict *v = &res->verdicts[res->nverdicts++];
    v->name = n;
    v->verdict = verdict;
    v->detail = detail;
    return PKIWS_OK;
}

int pkiws__san_set_verdict(pkiws__resolution *res, size_t i, int verdict, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *detail = vformat(fmt, ap);
    va_end(ap);
    if (!detail)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory recording a verdict");
    pkiws__free(res->verdicts[i].detail);
    res->verdicts[i].detail = detail;
    res->verdicts[i].verdict = verdict;
    return PKIWS_OK;
}

static int fillable(const pkiws__selection *sel, int field)
{
    switch (field) {
    case PKIWS_FIELD_CN:
    case PKIWS_FIELD_SEAT_ID:
        return FILL_ALWAYS;
    case PKIWS_FIELD_SUBJECT_EMAIL:
        return sel->subject_format == PKIWS_SUBJECT_CN ? FILL_MAYBE : FILL_ALWAYS;
    case PKIWS_FIELD_SAN_EMAIL:
        return (sel->san_types & PKIWS_SAN_EMAIL) ? FILL_ALWAYS : FILL_NEVER;
    case PKIWS_FIELD_SAN_UPN:
        return (sel->san_types & PKIWS_SAN_UPN) ? FILL_ALWAYS : FILL_NEVER;
    case PKIWS_FIELD_SAN_OTHERNAME:
        return (sel->san_types & PKIWS_SAN_OTHERNAME) ? FILL_ALWAYS : FILL_NEVER;
    case PKIWS_FIELD_GIVEN_NAME:
    case PKIWS_FIELD_FAMILY_NAME:
        return FILL_MAYBE;
    default:
        return FILL_NEVER;
    }
}

static const char *format_name(int format)
{
    switch (format) {
    case PKIWS_SUBJECT_CN:
        return "CN";
    case PKIWS_SUBJECT_CN_EMAIL:
        return "CN_EMAIL";
    default:
        return "CN_AS_EMAIL";
    }
}

/* The verdict of one template attribute. */
static int verdict_attr(const pkiws__template *t, const pkiws__selection *sel,
                        pkiws__resolution *res, size_t i)
{
    const pkiws__tpl_attr *a = &t->attrs[i];
    const char *name = a->name ? a->name : "(unnamed)";
    int f = pkiws__san_attr_field(t, sel, i);
    const char *how = pkiws__san_mapped(sel, f) ? " (per-profile mapping)" : "";
    const char *label = pkiws__san_field_label(f);
    const char *fixed = a->fixed_value && a->fixed_value[0] ? a->fixed_value : NULL;
    if (!f) {
        if (fixed)
            return pkiws__san_add_verdict(res, name, PKIWS_VERDICT_OK,
                                          "fixed value '%s' from the template", fixed);
        if (a->mandatory)
            return pkiws__san_add_verdict(
                res, name, PKIWS_VERDICT_UNFILLABLE,
                "mandatory, but no field fills it (type '%s', not a role pkiws fills) and the "
                "template gives no fixed value; map a field to it or give it a fixed value in "
                "the template",
                a->type ? a->type : "none");
        return pkiws__san_add_verdict(res, name, PKIWS_VERDICT_OK,
                                      "optional; not sent (no field fills it, no fixed value)");
    }
    switch (fillable(sel, f)) {
    case FILL_ALWAYS:
        if (f == PKIWS_FIELD_CN && pkiws__san_takes_email(a) &&
            sel->subject_format != PKIWS_SUBJECT_CN_AS_EMAIL)
            return pkiws__san_add_verdict(
                res, name, PKIWS_VERDICT_WARN,
                "filled by the %s%s, but the template takes it from the e-mail address "
                "(sourceAttributeName %s): the CN must be e-mail shaped; subject format "
                "CN_AS_EMAIL makes it so",
                label, how, a->source_attr);
        return pkiws__san_add_verdict(res, name, PKIWS_VERDICT_OK, "filled by the %s%s", label,
                                      how);
    case FILL_MAYBE:
        if (f == PKIWS_FIELD_SUBJECT_EMAIL) {
            if (fixed)
                return pkiws__san_add_verdict(res, name, PKIWS_VERDICT_OK,
                                              "filled by the CN when it is e-mail shaped%s, "
                                              "else the template's fixed value",
                                              how);
            return pkiws__san_add_verdict(
                res, name, a->mandatory ? PKIWS_VERDICT_WARN : PKIWS_VERDICT_OK,
                "%ssubject format CN has no E, so it is filled only when the CN is e-mail "
                "shaped%s",
                a->mandatory ? "mandatory, but " : "optional; ", how);
        }
        return pkiws__san_add_verdict(res, name, PKIWS_VERDICT_OK,
                                      "filled by the %s%s, from the request or derived from the "
                                      "UPN",
                                      label, how);
    default:
        if (fixed)
            return pkiws__san_add_verdict(res, name, PKIWS_VERDICT_OK,
                                          "%s is not selected; the template's fixed value '%s' "
                                          "is sent",
                                          label, fixed);
        if (a->mandatory)
            return pkiws__san_add_verdict(res, name, PKIWS_VERDICT_UNFILLABLE,
                                          "mandatory, but it takes the %s%s, which is not "
                                          "selected in the profile, so nothing fills it",
                                          label, how);
        return pkiws__san_add_verdict(res, name, PKIWS_VERDICT_OK,
                                      "optional; not sent (%s is not selected)", label);
    }
}

/* The verdict of one selection (subject part or SAN type): is it a template attribute? */
static int verdict_selection(const pkiws__template *t, const pkiws__selection *sel,
                             pkiws__resolution *res, int field)
{
    const char *label = pkiws__san_field_label(field);
    for (size_t i = 0; i < t->nattrs; i++)
        if (pkiws__san_attr_field(t, sel, i) == field)
            return pkiws__san_add_verdict(
                res, label, PKIWS_VERDICT_OK, "selected; template attribute '%s'%s",
                t->attrs[i].name ? t->attrs[i].name : "(unnamed)",
                pkiws__san_mapped(sel, field) ? " (per-profile mapping)" : "");
    if (pkiws__san_mapped(sel, field))
        return pkiws__san_add_verdict(res, label, PKIWS_VERDICT_MISSING_FROM_TEMPLATE,
                                      "selected, but the profile maps it to '%s', which is not "
                                      "an attribute of the template",
                                      sel->mapping[field]);
    return pkiws__san_add_verdict(res, label, PKIWS_VERDICT_MISSING_FROM_TEMPLATE,
                                  "selected, but the template has no attribute for it (looked "
                                  "for %s)",
                                  field_convention(field));
}

static int selected(const pkiws__selection *sel, int field)
{
    switch (field) {
    case PKIWS_FIELD_CN:
        return 1;
    case PKIWS_FIELD_SUBJECT_EMAIL:
        return sel->subject_format == PKIWS_SUBJECT_CN_EMAIL;
    case PKIWS_FIELD_SAN_EMAIL:
        return (sel->san_types & PKIWS_SAN_EMAIL) != 0;
    case PKIWS_FIELD_SAN_UPN:
        return (sel->san_types & PKIWS_SAN_UPN) != 0;
    case PKIWS_FIELD_SAN_OTHERNAME:
        return (sel->san_types & PKIWS_SAN_OTHERNAME) != 0;
    default:
        return 0;
    }
}

int pkiws__verify(const pkiws__template *t, const pkiws__selection *sel, pkiws__resolution *res)
{
    if (!res)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "template check: the resolution is NULL");
    memset(res, 0, sizeof *res);
    if (!t || !sel)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "template check: the %s is NULL",
                           t ? "selection" : "template");
    if (t->nattrs && !t->attrs)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "template check: %zu attributes but no array",
                           t->nattrs);
    if (sel->subject_format < PKIWS_SUBJECT_CN || sel->subject_format > PKIWS_SUBJECT_CN_AS_EMAIL)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "subject format %d is not CN (1), CN_EMAIL (2) or CN_AS_EMAIL (3)",
                           sel->subject_format);
    if (sel->san_types & ~(PKIWS_SAN_EMAIL | PKIWS_SAN_UPN | PKIWS_SAN_OTHERNAME))
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "SAN types 0x%X has bits other than EMAIL (0x1), UPN (0x2) and "
                           "OTHERNAME (0x4)",
                           sel->san_types);
    int rc;
    for (size_t i = 0; i < t->nattrs; i++)
        if ((rc = verdict_attr(t, sel, res, i)))
            return rc;
    for (int f = PKIWS_FIELD_CN; f <= PKIWS_FIELD_SAN_OTHERNAME; f++)
        if (selected(sel, f) && (rc = verdict_selection(t, sel, res, f)))
            return rc;
    /* A mapping that names no attribute of the template (selections already said so). */
    for (int f = 1; f < (int)PKIWS_ARRAY_LEN(sel->mapping); f++) {
        if (!pkiws__san_mapped(sel, f) || selected(sel, f))
            continue;
        size_t i = 0;
        while (i < t->nattrs &&
               !(t->attrs[i].name && pkiws__strcaseeq(t->attrs[i].name, sel->mapping[f])))
            i++;
        if (i == t->nattrs) {
            char name[96];
            snprintf(name, sizeof name, "mapping of the %s", pkiws__san_field_label(f));
            if ((rc = pkiws__san_add_verdict(res, name, PKIWS_VERDICT_MISSING_FROM_TEMPLATE,
                                             "the profile maps the %s to '%s', which is not an "
                                             "attribute of the template",
                                             pkiws__san_field_label(f), sel->mapping[f])))
                return rc;
        }
    }
    pkiws_buf msg = PKIWS_BUF_INIT;
    size_t bad = 0;
    for (size_t i = 0; i < res->nverdicts; i++) {
        const pkiws__verdict *v = &res->verdicts[i];
        if (v->verdict != PKIWS_VERDICT_MISSING_FROM_TEMPLATE &&
            v->verdict != PKIWS_VERDICT_UNFILLABLE)
            continue;
        pkiws__buf_printf(&msg, "%s%s%s: %s", bad ? "; " : "",
                          v->verdict == PKIWS_VERDICT_UNFILLABLE ? "template attribute " : "",
                          v->name, v->detail);
        bad++;
    }
    if (!bad)
        return PKIWS_OK;
    if (pkiws__buf_status(&msg)) {
        pkiws__buf_dispose(&msg);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory describing the template check");
    }
    rc = pkiws__fail_remedy(PKIWS_E_POLICY_MISMATCH, PKIWS__REMEDY_POLICY_MISMATCH,
                            "policy verification failed for profile %s (subject format %s): "
                            "%zu problem%s: %s",
                            t->profile_oid ? t->profile_oid : "(no OID)",
                            format_name(sel->subject_format), bad, bad == 1 ? "" : "s",
                            pkiws__buf_cstr(&msg));
    pkiws__buf_dispose(&msg);
    return rc;
}

/* ---- the key type against the template (pkiws_preflight's "key type" verdict) ---- */

#define OID_RSA_ENCRYPTION "1.2.840.113549.1.1.1"
#define OID_EC_PUBLIC_KEY "1.2.840.10045.2.1"

enum { ALG_ANY, ALG_RSA, ALG_EC, ALG_OTHER };

static int key_bits(int key_type, int *is_ec)
{
    *is_ec = key_type == PKIWS_KEY_EC_P256 || key_type == PKIWS_KEY_EC_P384;
    switch (key_type) {
    case PKIWS_KEY_RSA2048:
        return 2048;
    case PKIWS_KEY_RSA3072:
        return 3072;
    case PKIWS_KEY_RSA4096:
        return 4096;
    case PKIWS_KEY_EC_P256:
        return 256;
    case PKIWS_KEY_EC_P384:
        return 384;
    default:
        return 0;
    }
}

/* The template's key algorithm; *inferred = 1 when read from keysize alone. */
static int template_alg(const pkiws__template *t, int *inferred)
{
    *inferred = 0;
    if (t->key_is_ec)
        return ALG_EC;
    if (t->key_alg_oid && t->key_alg_oid[0])
        return strcmp(t->key_alg_oid, OID_RSA_ENCRYPTION) ? ALG_OTHER : ALG_RSA;
    *inferred = 1;
    if (t->key_size == 256 || t->key_size == 384 || t->key_size == 521)
        return ALG_EC;
    return t->key_size ? ALG_RSA : ALG_ANY;
}

int pkiws__verify_key(const pkiws__template *t, int key_type, pkiws__resolution *res)
{
    if (!t || !res)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "key check: the %s is NULL",
                           t ? "resolution" : "template");
    if (t->server_keygen)
        return pkiws__san_add_verdict(
            res, "key type", PKIWS_VERDICT_OK,
            "the key is generated by the CA (server-side key generation%s): pkiws makes no key "
            "and sends no CSR; the CA's PKCS#12 is re-packaged with this request's preset and "
            "password",
            t->key_escrow ? ", key escrowed for recovery" : "");
    int is_ec, inferred;
    int bits = key_bits(key_type, &is_ec);
    int alg = template_alg(t, &inferred);
    unsigned size = t->key_size;
    char detail[320], tpl[160];
    const char *how = inferred ? " (keysize alone: the template names no key algorithm)" : "";
    int bad = 1;
    if (!size)
        snprintf(tpl, sizeof tpl, "%s", alg == ALG_EC ? "EC, any curve" : "RSA, any size");
    else if (alg == ALG_EC)
        snprintf(tpl, sizeof tpl, "EC, keysize %u", size);
    else
        snprintf(tpl, sizeof tpl, "RSA, at least %u bits", size);
    if (!bits) {
        snprintf(detail, sizeof detail, "key type %d is not one pkiws makes", key_type);
    } else if (alg == ALG_OTHER) {
        snprintf(detail, sizeof detail,
                 "the template asks for key algorithm %s, which is neither RSA (%s) nor EC (%s); "
                 "pkiws makes RSA and EC keys only",
                 t->key_alg_oid, OID_RSA_ENCRYPTION, OID_EC_PUBLIC_KEY);
    } else if (alg == ALG_EC && !is_ec) {
        snprintf(detail, sizeof detail,
                 "the template asks for an EC key (%s, %s)%s; the "
                 "profile selects RSA %d",
                 t->key_alg_oid ? t->key_alg_oid : "id-ecPublicKey", tpl, how, bits);
    } else if (alg == ALG_RSA && is_ec) {
        if (inferred)
            snprintf(detail, sizeof detail,
                     "the template asks for RSA keys of at least %u bits%s; EC keys need an EC "
                     "template",
                     size, how);
        else
            snprintf(detail, sizeof detail,
                     "the template asks for key algorithm %s; EC keys need an EC template",
                     t->key_alg_oid);
    } else if (alg == ALG_EC && size && size != 256 && size != 384) {
        snprintf(detail, sizeof detail,
                 "the template asks for EC keys of %u bits%s; pkiws makes P-256 and P-384 only",
                 size, how);
    } else if (alg == ALG_EC && size && (unsigned)bits != size) {
        snprintf(detail, sizeof detail,
                 "the template asks for EC P-%u keys (keysize %u)%s; the profile selects P-%d",
                 size, size, how, bits);
    } else if (!is_ec && size && (unsigned)bits < size) {
        snprintf(detail, sizeof detail,
                 "the template asks for RSA keys of at least %u bits%s; the profile selects RSA "
                 "%d",
                 size, how, bits);
    } else {
        bad = 0;
        snprintf(detail, sizeof detail, "%s%d fits the template (%s)", is_ec ? "EC P-" : "RSA ",
                 bits, alg == ALG_ANY ? "any key" : tpl);
    }
    int rc = pkiws__san_add_verdict(res, "key type", bad ? PKIWS_VERDICT_FAIL : PKIWS_VERDICT_OK,
                                    "%s", detail);
    if (rc)
        return rc;
    if (bad)
        return pkiws__fail_remedy(PKIWS_E_POLICY_MISMATCH, PKIWS__REMEDY_POLICY_MISMATCH,
                                  "policy verification failed: key type: %s", detail);
    return PKIWS_OK;
}
