/* SPDX-License-Identifier: MIT */
/* Subject and SAN resolution by the Intune connector's rules (product.md §5), with a trace. */
#include "pkiws_internal.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/san_int.h"

/*
 * Decisions this file pins (the unit tests pin them too):
 *  - NULL, "" and white-space-only identity values count as absent.
 *  - Subject: CN -> CN=<request.cn>; CN_EMAIL -> CN=<request.cn>,E=<request.email ->
 *    request.upn>; CN_AS_EMAIL -> CN=<request.email -> request.upn -> request.cn>, the first
 *    one present is used (no skipping to the UPN when the e-mail is present but badly shaped,
 *    nor to request.cn) and must be e-mail shaped, else PKIWS_E_SAN_UNRESOLVED saying why.
 *    (request.cn comes last: the e-mail and the UPN win, per product.md §5; an e-mail shaped
 *    --cn alone is the CN, and then the subject-derived e-mail, traced as subject.CN.)
 *    Fixed-value template attributes of role SUBJECT_OTHER (O, OU, L, ST, C) follow, in
 *    template order. Subject text: "CN=...,E=...,O=..." with RFC 4514 escaping.
 *  - Subject-derived e-mail: E for CN_EMAIL, else the CN when it is e-mail shaped.
 *  - SANs (in the order EMAIL, UPN, OTHERNAME) by the §5 table; otherName takes the request's
 *    type-id, else the template attribute's otherName:<OID>; when both are given they must
 *    agree (PKIWS_E_POLICY_MISMATCH). nameValuePair value of an otherName: base64 of its bytes.
 *  - Given / family name, each on its own: the request's when set, else derived from the local
 *    part of request.upn (before '@'): split at the first '.', given = before, family = after
 *    (the rest, dots and all), capitalisation left as is; when there is no '.', or it is the
 *    first or last character, given = family = the whole local part (both attributes are then
 *    filled, and a CA refusing the characters says so). Names are only computed, checked and
 *    traced when a template attribute takes them; bad characters are PKIWS_E_UNSUPPORTED_CHARS.
 *  - Seat id: request.seat_id -> request.upn -> request.email -> the subject CN. When the
 *    template's seatIdInfo names an attribute that is not among its attributes, one more
 *    nameValuePair (that name, the seat id) is sent at the end, unless the profile maps the seat.
 *  - nameValuePairs: one per attribute with a value, in template order: the value of its field
 *    when there is one, else its fixed value. A mandatory attribute left without value: its
 *    verdict becomes UNFILLABLE and the call fails with PKIWS_E_SAN_UNRESOLVED.
 *  - Trace, in this order: subject CN, subject E (for CN_EMAIL, or when an attribute takes the
 *    subject e-mail), each SAN, given name, family name, seat id (when sent).
 *  - Messages name the field, the sources tried and why each failed; identity values appear
 *    only redacted (pkiws__redact: "a***@contoso.com").
 */

struct rctx {
    const pkiws__template *t;
    const pkiws__selection *sel;
    const pkiws__identity *id;
    pkiws__resolution *res;
    int need[9]; /* need[f]: some attribute takes field f */
    const char *cn, *e, *derived;
    int cn_src, e_src, derived_src;
    const char *san_email, *san_upn;
    int san_email_src, san_upn_src;
    char *othername_b64;
    char *given, *family;
    int given_src, family_src;
    const char *seat;
    int seat_src;
    int extra_seat;
};

static int field_of(const struct rctx *c, size_t i)
{
    return pkiws__san_attr_field(c->t, c->sel, i);
}

static int nomem(const char *what)
{
    return pkiws__fail(PKIWS_E_NOMEM, "out of memory while resolving %s", what);
}

static int grow(void **arr, size_t n, size_t size)
{
    void *p = pkiws__realloc(*arr, (n + 1) * size);
    if (!p)
        return PKIWS_E_NOMEM;
    *arr = p;
    return PKIWS_OK;
}

static int add_trace(pkiws__resolution *res, int field, const char *value, int source)
{
    void *arr = res->trace;
    if (grow(&arr, res->ntrace, sizeof *res->trace))
        return nomem("the trace");
    res->trace = arr;
    char *v = pkiws__strdup(value);
    if (!v)
        return nomem("the trace");
    res->trace[res->ntrace++] = (pkiws__trace){field, v, source};
    return PKIWS_OK;
}

static int add_dn(pkiws__resolution *res, const char *type, const char *value)
{
    void *a = res->dn_type, *b = res->dn_value;
    if (grow(&a, res->ndn, sizeof *res->dn_type))
        return nomem("the subject");
    res->dn_type = a;
    if (grow(&b, res->ndn, sizeof *res->dn_value))
        return nomem("the subject");
    res->dn_value = b;
    char *t = pkiws__strdup(type), *v = pkiws__strdup(value);
    if (!t || !v) {
        pkiws__free(t);
        pkiws__free(v);
        return nomem("the subject");
    }
    res->dn_type[res->ndn] = t;
    res->dn_value[res->ndn] = v;
    res->ndn++;
    return PKIWS_OK;
}

static int add_nvp(pkiws__resolution *res, const char *name, const char *value)
{
    void *arr = res->nvps;
    if (grow(&arr, res->nnvps, sizeof *res->nvps))
        return nomem("the nameValuePairs");
    res->nvps = arr;
    char *n = pkiws__strdup(name), *v = pkiws__strdup(value);
    if (!n || !v) {
        pkiws__free(n);
        pkiws__free(v);
        return nomem("the nameValuePairs");
    }
    res->nvps[res->nnvps++] = (pkiws__nvp){n, v};
    return PKIWS_OK;
}

static pkiws__san_value *add_san(pkiws__resolution *res, int type)
{
    void *arr = res->sans;
    if (grow(&arr, res->nsans, sizeof *res->sans))
        return NULL;
    res->sans = arr;
    pkiws__san_value *s = &res->sans[res->nsans++];
    memset(s, 0, sizeof *s);
    s->type = type;
    return s;
}

/* RFC 4514 value escaping. */
static void dn_escape(pkiws_buf *b, const char *v)
{
    size_t n = strlen(v);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if ((i == 0 && (ch == ' ' || ch == '#')) || (i == n - 1 && ch == ' ') ||
            (ch && strchr(",+\"\\<>;=", ch))) {
            pkiws__buf_putc(b, '\\');
            pkiws__buf_putc(b, (char)ch);
        } else if (ch < 0x20 || ch == 0x7F) {
            pkiws__buf_printf(b, "\\%02X", (unsigned)ch);
        } else {
            pkiws__buf_putc(b, (char)ch);
        }
    }
}

static int build_subject(pkiws__resolution *res)
{
    pkiws_buf b = PKIWS_BUF_INIT;
    for (size_t i = 0; i < res->ndn; i++) {
        if (i)
            pkiws__buf_putc(&b, ',');
        pkiws__buf_puts(&b, res->dn_type[i]);
        pkiws__buf_putc(&b, '=');
        dn_escape(&b, res->dn_value[i]);
    }
    if (pkiws__buf_status(&b)) {
        pkiws__buf_dispose(&b);
        return nomem("the subject");
    }
    res->subject = (char *)pkiws__buf_detach(&b, NULL);
    return res->subject ? PKIWS_OK : nomem("the subject");
}

#define REDACT(var, value)                                                                         \
    char var[96];                                                                                  \
    pkiws__redact((value), var, sizeof var)

static int unresolved(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int unresolved(const char *fmt, ...)
{
    char msg[PKIWS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pkiws__fail_remedy(PKIWS_E_SAN_UNRESOLVED, PKIWS__REMEDY_SAN_UNRESOLVED, "%s", msg);
}

static const char *source_text(int src)
{
    switch (src) {
    case PKIWS_SOURCE_REQUEST_EMAIL:
        return "request.email";
    case PKIWS_SOURCE_REQUEST_UPN:
        return "request.upn";
    case PKIWS_SOURCE_REQUEST_CN:
        return "request.cn";
    case PKIWS_SOURCE_SUBJECT_E:
        return "subject.E";
    case PKIWS_SOURCE_SUBJECT_CN:
        return "subject.CN";
    case PKIWS_SOURCE_REQUEST_OTHERNAME:
        return "request.othername";
    case PKIWS_SOURCE_DERIVED_FROM_UPN:
        return "derived from request.upn";
    case PKIWS_SOURCE_REQUEST_SEAT:
        return "request.seat_id";
    default:
        return "the request";
    }
}

/* Subject (CN, E, fixed RDNs) and its trace. */
static int resolve_subject(struct rctx *c)
{
    const pkiws__identity *id = c->id;
    int fmt = c->sel->subject_format, rc;
    if (fmt == PKIWS_SUBJECT_CN_AS_EMAIL) {
        if (pkiws__san_present(id->email)) {
            c->cn = id->email;
            c->cn_src = PKIWS_SOURCE_REQUEST_EMAIL;
        } else if (pkiws__san_present(id->upn)) {
            c->cn = id->upn;
            c->cn_src = PKIWS_SOURCE_REQUEST_UPN;
        } else if (pkiws__san_present(id->cn)) {
            c->cn = id->cn;
            c->cn_src = PKIWS_SOURCE_REQUEST_CN;
        } else {
            return unresolved("subject format CN_AS_EMAIL needs an e-mail address for the CN: "
                              "tried request.email (not set), request.upn (not set) and "
                              "request.cn (not set)");
        }
        const char *why = pkiws__san_email_why(c->cn);
        if (why) {
            REDACT(r, c->cn);
            return unresolved("subject format CN_AS_EMAIL needs an e-mail shaped CN, but %s "
                              "'%s' is not e-mail shaped: %s%s",
                              source_text(c->cn_src), r, why,
                              c->cn_src == PKIWS_SOURCE_REQUEST_CN
                                  ? " (request.email and request.upn are not set)"
                                  : "");
        }
    } else {
        if (!pkiws__san_present(id->cn))
            return unresolved("subject format %s needs a common name: request.cn is not set",
                              fmt == PKIWS_SUBJECT_CN ? "CN" : "CN_EMAIL");
        c->cn = id->cn;
        c->cn_src = PKIWS_SOURCE_REQUEST_CN;
    }
    if ((rc = add_dn(c->res, "CN", c->cn)) ||
        (rc = add_trace(c->res, PKIWS_FIELD_CN, c->cn, c->cn_src)))
        return rc;
    if (fmt == PKIWS_SUBJECT_CN_EMAIL) {
        if (pkiws__san_present(id->email)) {
            c->e = id->email;
            c->e_src = PKIWS_SOURCE_REQUEST_EMAIL;
        } else if (pkiws__san_present(id->upn)) {
            c->e = id->upn;
            c->e_src = PKIWS_SOURCE_REQUEST_UPN;
        } else {
            return unresolved("subject format CN_EMAIL needs an e-mail address for E: tried "
                              "request.email (not set) and request.upn (not set)");
        }
        if ((rc = add_dn(c->res, "E", c->e)) ||
            (rc = add_trace(c->res, PKIWS_FIELD_SUBJECT_EMAIL, c->e, c->e_src)))
            return rc;
    }
    for (size_t i = 0; i < c->t->nattrs; i++) {
        const pkiws__tpl_attr *a = &c->t->attrs[i];
        if (a->role == PKIWS__ROLE_SUBJECT_OTHER && !a->in_san && a->rdn && a->rdn[0] &&
            a->fixed_value && a->fixed_value[0] && !field_of(c, i) &&
            (rc = add_dn(c->res, a->rdn, a->fixed_value)))
            return rc;
    }
    return build_subject(c->res);
}

/* The subject-derived e-mail, and why there is none (for messages). */
static void derive_email(struct rctx *c, char *why, size_t cap)
{
    if (c->e) {
        c->derived = c->e;
        c->derived_src = PKIWS_SOURCE_SUBJECT_E;
        return;
    }
    const char *w = pkiws__san_email_why(c->cn);
    if (!w) {
        c->derived = c->cn;
        c->derived_src = PKIWS_SOURCE_SUBJECT_CN;
        return;
    }
    REDACT(r, c->cn);
    snprintf(why, cap, "the subject has no E and its CN '%s' is not e-mail shaped: %s", r, w);
}

static int resolve_text_san(struct rctx *c, int type, const char *why_no_derived)
{
    const pkiws__identity *id = c->id;
    int upn = type == PKIWS_SAN_UPN;
    const char *first = upn ? id->upn : id->email, *second = upn ? id->email : id->upn;
    int first_src = upn ? PKIWS_SOURCE_REQUEST_UPN : PKIWS_SOURCE_REQUEST_EMAIL;
    int second_src = upn ? PKIWS_SOURCE_REQUEST_EMAIL : PKIWS_SOURCE_REQUEST_UPN;
    const char *v;
    int src;
    if (pkiws__san_present(first)) {
        v = first;
        src = first_src;
    } else if (pkiws__san_present(second)) {
        v = second;
        src = second_src;
    } else if (c->derived) {
        v = c->derived;
        src = c->derived_src;
    } else {
        return unresolved("SAN type %s has no value: tried %s (not set), %s (not set) and the "
                          "subject-derived e-mail (%s)",
                          upn ? "UPN" : "EMAIL", source_text(first_src), source_text(second_src),
                          why_no_derived);
    }
    pkiws__san_value *s = add_san(c->res, type);
    if (!s || !(s->text = pkiws__strdup(v)))
        return nomem("the SANs");
    if (upn) {
        c->san_upn = v;
        c->san_upn_src = src;
    } else {
        c->san_email = v;
        c->san_email_src = src;
    }
    return add_trace(c->res, upn ? PKIWS_FIELD_SAN_UPN : PKIWS_FIELD_SAN_EMAIL, v, src);
}

static int othername_oid(struct rctx *c, const char **oid)
{
    const char *tpl = NULL, *tpl_attr = NULL;
    for (size_t i = 0; i < c->t->nattrs && !tpl; i++)
        if (field_of(c, i) == PKIWS_FIELD_SAN_OTHERNAME && c->t->attrs[i].othername_oid &&
            c->t->attrs[i].othername_oid[0]) {
            tpl = c->t->attrs[i].othername_oid;
            tpl_attr = c->t->attrs[i].name;
        }
    const char *req = pkiws__san_present(c->id->othername_oid) ? c->id->othername_oid : NULL;
    const char *why;
    if (req && !pkiws__oid_valid(req, &why))
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "request.othername type-id '%.64s' is not a dotted OID: %s", req, why);
    if (req && tpl && strcmp(req, tpl) != 0) {
        for (size_t i = 0; i < c->res->nverdicts; i++)
            if (!strcmp(c->res->verdicts[i].name,
                        pkiws__san_field_label(PKIWS_FIELD_SAN_OTHERNAME)))
                pkiws__san_set_verdict(c->res, i, PKIWS_VERDICT_FAIL,
                                       "the request's otherName type-id %s differs from the "
                                       "template attribute '%s' (otherName:%s)",
                                       req, tpl_attr ? tpl_attr : "", tpl);
        return pkiws__fail_remedy(PKIWS_E_POLICY_MISMATCH, PKIWS__REMEDY_POLICY_MISMATCH,
                                  "SAN type OTHERNAME: request.othername type-id %.64s differs "
                                  "from otherName:%.64s of template attribute '%s'",
                                  req, tpl, tpl_attr ? tpl_attr : "");
    }
    *oid = req ? req : tpl;
    if (!*oid)
        return unresolved("SAN type OTHERNAME needs a type-id OID: request.othername has none "
                          "and the template attribute does not name one (otherName:<OID>)");
    return PKIWS_OK;
}

static int resolve_othername(struct rctx *c)
{
    if (!pkiws__san_present(c->id->othername_hex))
        return unresolved("SAN type OTHERNAME has no value: request.othername is not set (the "
                          "otherName has no fallback)");
    const char *oid;
    int rc = othername_oid(c, &oid);
    if (rc)
        return rc;
    pkiws_buf der = PKIWS_BUF_INIT, hex = PKIWS_BUF_INIT, b64 = PKIWS_BUF_INIT;
    if ((rc = pkiws__othername_bytes(c->id->othername_hex, c->sel->othername_compat, &der)))
        goto out;
    if (pkiws__hex_encode(der.data, der.len, &hex) || pkiws__b64_encode(der.data, der.len, &b64)) {
        rc = nomem("the otherName");
        goto out;
    }
    pkiws__san_value *s = add_san(c->res, PKIWS_SAN_OTHERNAME);
    if (!s || !(s->oid = pkiws__strdup(oid))) {
        rc = nomem("the SANs");
        goto out;
    }
    s->der = pkiws__buf_detach(&der, &s->der_len);
    c->othername_b64 = (char *)pkiws__buf_detach(&b64, NULL);
    if (!s->der || !c->othername_b64) {
        rc = nomem("the otherName");
        goto out;
    }
    rc = add_trace(c->res, PKIWS_FIELD_SAN_OTHERNAME, pkiws__buf_cstr(&hex),
                   PKIWS_SOURCE_REQUEST_OTHERNAME);
out:
    pkiws__buf_dispose(&der);
    pkiws__buf_dispose(&hex);
    pkiws__buf_dispose(&b64);
    return rc;
}

static const char *attr_name_for(struct rctx *c, int field)
{
    for (size_t i = 0; i < c->t->nattrs; i++)
        if (field_of(c, i) == field && c->t->attrs[i].name)
            return c->t->attrs[i].name;
    return "";
}

/* One name (given or family): from the request, else derived from the UPN; then checked. */
static int resolve_name(struct rctx *c, int field)
{
    int given = field == PKIWS_FIELD_GIVEN_NAME;
    const char *req = given ? c->id->given_name : c->id->family_name;
    char **dst = given ? &c->given : &c->family;
    int *src = given ? &c->given_src : &c->family_src;
    if (pkiws__san_present(req)) {
        *dst = pkiws__strdup(req);
        *src = PKIWS_SOURCE_REQUEST_NAME;
    } else if (pkiws__san_present(c->id->upn)) {
        const char *u = c->id->upn, *at = strchr(u, '@');
        size_t n = at ? (size_t)(at - u) : strlen(u);
        const char *dot = memchr(u, '.', n);
        if (!n)
            return PKIWS_OK; /* "@contoso.com": nothing to derive */
        if (dot && dot != u && dot != u + n - 1)
            *dst = given ? pkiws__strndup(u, (size_t)(dot - u))
                         : pkiws__strndup(dot + 1, n - (size_t)(dot - u) - 1);
        else
            *dst = pkiws__strndup(u, n);
        *src = PKIWS_SOURCE_DERIVED_FROM_UPN;
    } else {
        return PKIWS_OK;
    }
    if (!*dst)
        return nomem("the names");
    uint32_t bad;
    size_t pos;
    if (!pkiws__san_name_chars_find(*dst, &bad, &pos)) {
        char what[48];
        /* check_utf8 ran first: bad is a real code point */
        if (bad < 0x20 || bad == 0x7F || (bad >= 0x80 && bad < 0xA0))
            snprintf(what, sizeof what, "control character U+%04X", (unsigned)bad);
        else {
            pkiws_buf ch = PKIWS_BUF_INIT;
            pkiws__utf8_put(&ch, bad);
            snprintf(what, sizeof what, "'%s' (U+%04X)", pkiws__buf_cstr(&ch), (unsigned)bad);
            pkiws__buf_dispose(&ch);
        }
        REDACT(rn, *dst);
        char from[160];
        if (*src == PKIWS_SOURCE_DERIVED_FROM_UPN) {
            REDACT(ru, c->id->upn);
            snprintf(from, sizeof from, "derived from request.upn '%s'", ru);
        } else {
            snprintf(from, sizeof from, "from request.%s", given ? "given_name" : "family_name");
        }
        return pkiws__fail_remedy(PKIWS_E_UNSUPPORTED_CHARS, PKIWS__REMEDY_UNSUPPORTED_CHARS,
                                  "%s '%s' (%s) for template attribute '%s' has %s at position "
                                  "%zu; the CA accepts only letters, digits, space, '.', '-' "
                                  "and the apostrophe there",
                                  given ? "given name" : "family name", rn, from,
                                  attr_name_for(c, field), what, pos);
    }
    return add_trace(c->res, field, *dst, *src);
}

static void resolve_seat(struct rctx *c)
{
    const pkiws__identity *id = c->id;
    if (pkiws__san_present(id->seat_id)) {
        c->seat = id->seat_id;
        c->seat_src = PKIWS_SOURCE_REQUEST_SEAT;
    } else if (pkiws__san_present(id->upn)) {
        c->seat = id->upn;
        c->seat_src = PKIWS_SOURCE_REQUEST_UPN;
    } else if (pkiws__san_present(id->email)) {
        c->seat = id->email;
        c->seat_src = PKIWS_SOURCE_REQUEST_EMAIL;
    } else {
        c->seat = c->cn;
        c->seat_src = PKIWS_SOURCE_SUBJECT_CN;
    }
}

/* The value of field f for this identity, or NULL. */
static const char *field_value(struct rctx *c, int f)
{
    switch (f) {
    case PKIWS_FIELD_CN:
        return c->cn;
    case PKIWS_FIELD_SUBJECT_EMAIL:
        return c->e ? c->e : c->derived;
    case PKIWS_FIELD_SAN_EMAIL:
        return c->san_email;
    case PKIWS_FIELD_SAN_UPN:
        return c->san_upn;
    case PKIWS_FIELD_SAN_OTHERNAME:
        return c->othername_b64;
    case PKIWS_FIELD_GIVEN_NAME:
        return c->given;
    case PKIWS_FIELD_FAMILY_NAME:
        return c->family;
    case PKIWS_FIELD_SEAT_ID:
        return c->seat;
    default:
        return NULL;
    }
}

/* Why field f has no value for this identity (for the UNFILLABLE verdict and message). */
static const char *why_empty(int f, const char *why_no_derived)
{
    switch (f) {
    case PKIWS_FIELD_SUBJECT_EMAIL:
        return why_no_derived;
    case PKIWS_FIELD_GIVEN_NAME:
        return "request.given_name is not set and there is no request.upn to derive it from";
    case PKIWS_FIELD_FAMILY_NAME:
        return "request.family_name is not set and there is no request.upn to derive it from";
    default:
        return "the field is not selected or has no value";
    }
}

/* ---- the values the CA refuses (pre-flight checks what the CA checks) ---- */

/*
 * Every nameValuePair value is checked by the meaning of its template attribute (its role, as
 * the CA reads it), before anything is sent; pkiws-sim refuses exactly the same (tests/sim):
 *  - a value other than the template's fixed value: PKIWS_E_POLICY_MISMATCH;
 *  - subject CN: e-mail shaped when the attribute takes the e-mail address
 *    (sourceAttributeName names an e-mail attribute by the alias table, e.g. mail_email);
 *  - subject E and SAN rfc822Name: e-mail shaped (PKIWS_E_SAN_UNRESOLVED, as for CN_AS_EMAIL)
 *    and ASCII, since both are IA5String (PKIWS_E_UNSUPPORTED_CHARS); SAN UPN: e-mail shaped
 *    (UTF8String: any script);
 *  - RFC 5280 Appendix A upper bounds, in characters (not bytes): CN, O, OU 64, L, ST 128,
 *    E 255, given / family name in the subject ub-name 32768 (PKIWS_E_LIMIT); C exactly two
 *    letters (PrintableString SIZE (2)): other length PKIWS_E_LIMIT, other characters
 *    PKIWS_E_UNSUPPORTED_CHARS; names: the characters of pkiws__name_chars_ok; a fixed
 *    dNSName: letters, digits, '-', '.', a leading '*', 1..253 characters.
 * The vendor schema gives no length or pattern facets for attribute values (nothing to parse):
 * the limits are RFC 5280's. The otherName value is already checked in strict mode; the
 * connector-compatible mode sends it unchecked, as documented.
 */

static const char remedy_limit[] =
    "Shorten the value to the limit the message names (an upper bound of RFC 5280 that the CA "
    "enforces). When it is the template's fixed value, correct the certificate profile in the "
    "CA portal.";
static const char remedy_ascii[] =
    "The subject E (emailAddress) and the rfc822Name SAN are IA5String, ASCII only: give the "
    "e-mail address in ASCII (an internationalised domain in its xn-- form), or carry an "
    "internationalised address in the UPN SAN, which is UTF-8.";
static const char remedy_email_shape[] =
    "Give an e-mail address of the form user@example.com: exactly one '@', a non-empty part "
    "before it without white space, and a domain of two or more dot-separated labels of "
    "letters, digits and hyphens.";
static const char remedy_cn_email[] =
    "The template takes the common name from the e-mail address: select subject format "
    "CN_AS_EMAIL (the CN is then the request's e-mail or UPN), or give an e-mail shaped CN.";
static const char remedy_fixed[] =
    "The template fixes this attribute's value: leave the field unset or map it elsewhere, or "
    "change the fixed value of the certificate profile in the CA portal.";
static const char remedy_template_value[] =
    "The template's fixed value breaks a rule of RFC 5280 that the CA enforces: correct the "
    "certificate profile in the CA portal.";

static size_t char_count(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

/* "subject CN", "SAN rfc822Name", ... for messages: what the CA makes of the attribute. */
static const char *role_label(const pkiws__tpl_attr *a, char *buf, size_t cap)
{
    switch (a->role) {
    case PKIWS__ROLE_CN:
        return "subject CN";
    case PKIWS__ROLE_SUBJECT_EMAIL:
        return "subject E";
    case PKIWS__ROLE_SUBJECT_OTHER:
        snprintf(buf, cap, "subject %s", a->rdn ? a->rdn : "RDN");
        return buf;
    case PKIWS__ROLE_GIVEN_NAME:
        return a->in_san ? "given name" : "given name, subject GN";
    case PKIWS__ROLE_FAMILY_NAME:
        return a->in_san ? "family name" : "family name, subject SN";
    case PKIWS__ROLE_SAN_EMAIL:
        return "SAN rfc822Name";
    case PKIWS__ROLE_SAN_UPN:
        return "SAN UPN";
    case PKIWS__ROLE_SAN_OTHERNAME:
        return "SAN otherName";
    case PKIWS__ROLE_SAN_DNS:
        return "SAN dNSName";
    case PKIWS__ROLE_SEAT_ID:
        return "seat id";
    default:
        return "no certificate field";
    }
}

static int field_source(const struct rctx *c, int f)
{
    switch (f) {
    case PKIWS_FIELD_CN:
        return c->cn_src;
    case PKIWS_FIELD_SUBJECT_EMAIL:
        return c->e ? c->e_src : c->derived_src;
    case PKIWS_FIELD_SAN_EMAIL:
        return c->san_email_src;
    case PKIWS_FIELD_SAN_UPN:
        return c->san_upn_src;
    case PKIWS_FIELD_SAN_OTHERNAME:
        return PKIWS_SOURCE_REQUEST_OTHERNAME;
    case PKIWS_FIELD_GIVEN_NAME:
        return c->given_src;
    case PKIWS_FIELD_FAMILY_NAME:
        return c->family_src;
    case PKIWS_FIELD_SEAT_ID:
        return c->seat_src;
    default:
        return PKIWS_SOURCE_NONE;
    }
}

/* Text naming the value: "request.cn 'A***'" (redacted identity) or "the template's fixed
 * value 'Contoso Ltd'" (template text, clipped on a character boundary). */
static void describe_value(const struct rctx *c, int f, int fixed, const char *v, char *out,
                           size_t cap)
{
    if (fixed) {
        size_t n = 0, chars = 0;
        while (v[n] && chars < 48) {
            n++;
            while ((v[n] & 0xC0) == 0x80)
                n++;
            chars++;
        }
        snprintf(out, cap, "the template's fixed value '%.*s%s'", (int)n, v, v[n] ? "..." : "");
        return;
    }
    int src = field_source(c, f);
    const char *from =
        src == PKIWS_SOURCE_REQUEST_NAME
            ? (f == PKIWS_FIELD_GIVEN_NAME ? "request.given_name" : "request.family_name")
            : source_text(src);
    REDACT(r, v);
    snprintf(out, cap, "%s '%s'", from, r);
}

/* Fail on template attribute i: its verdict becomes FAIL with the same explanation. */
static int refuse(struct rctx *c, size_t i, int code, const char *remedy, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int refuse(struct rctx *c, size_t i, int code, const char *remedy, const char *fmt, ...)
{
    char msg[PKIWS_ERR_MSG_MAX], lb[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (i < c->res->nverdicts &&
        pkiws__san_set_verdict(c->res, i, PKIWS_VERDICT_FAIL, "%s", msg) != PKIWS_OK)
        return PKIWS_E_NOMEM;
    const pkiws__tpl_attr *a = &c->t->attrs[i];
    return pkiws__fail_remedy(code, remedy, "template attribute '%s' (%s): %s",
                              a->name ? a->name : "", role_label(a, lb, sizeof lb), msg);
}

/* An RFC 5280 upper bound, in characters. */
static int check_ub(struct rctx *c, size_t i, const char *v, const char *what, int fixed,
                    const char *ub, size_t max)
{
    size_t n = char_count(v);
    if (n <= max)
        return PKIWS_OK;
    return refuse(c, i, PKIWS_E_LIMIT, fixed ? remedy_template_value : remedy_limit,
                  "%s has %zu characters; RFC 5280 %s allows at most %zu", what, n, ub, max);
}

/* E-mail shaped; ia5: ASCII only too (emailAddress, rfc822Name). */
static int check_email(struct rctx *c, size_t i, const char *v, const char *what, int fixed,
                       int ia5)
{
    const char *why = pkiws__san_email_why(v);
    if (why)
        return refuse(c, i, PKIWS_E_SAN_UNRESOLVED,
                      fixed ? remedy_template_value : remedy_email_shape,
                      "%s is not e-mail shaped: %s", what, why);
    if (!ia5)
        return PKIWS_OK;
    size_t len = strlen(v), k = 0;
    for (size_t off = 0; off < len;) {
        uint32_t cp;
        size_t n = pkiws__utf8_next(v + off, len - off, &cp);
        k++;
        if (cp >= 0x80) {
            pkiws_buf ch = PKIWS_BUF_INIT;
            pkiws__utf8_put(&ch, cp);
            int rc = refuse(c, i, PKIWS_E_UNSUPPORTED_CHARS,
                            fixed ? remedy_template_value : remedy_ascii,
                            "%s has '%s' (U+%04X) at position %zu; an e-mail address there is an "
                            "IA5String (RFC 5280): ASCII only",
                            what, pkiws__buf_cstr(&ch), (unsigned)cp, k);
            pkiws__buf_dispose(&ch);
            return rc;
        }
        off += n ? n : 1;
    }
    return PKIWS_OK;
}

static int is_ascii_letter(int ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

static int check_subject_other(struct rctx *c, size_t i, const char *v, const char *what, int fixed)
{
    const char *rdn = c->t->attrs[i].rdn ? c->t->attrs[i].rdn : "";
    static const struct {
        const char *rdn, *ub;
        size_t max;
    } ubs[] = {{"O", "ub-organization-name", 64},
               {"OU", "ub-organizational-unit-name", 64},
               {"L", "ub-locality-name", 128},
               {"ST", "ub-state-name", 128}};
    for (size_t k = 0; k < PKIWS_ARRAY_LEN(ubs); k++)
        if (pkiws__strcaseeq(rdn, ubs[k].rdn))
            return check_ub(c, i, v, what, fixed, ubs[k].ub, ubs[k].max);
    if (!pkiws__strcaseeq(rdn, "C"))
        return PKIWS_OK;
    const char *remedy = fixed ? remedy_template_value : remedy_limit;
    for (size_t k = 0; v[k]; k++)
        if (!is_ascii_letter((unsigned char)v[k])) {
            uint32_t cp = (unsigned char)v[k];
            pkiws__utf8_next(v + k, strlen(v + k), &cp);
            return refuse(c, i, PKIWS_E_UNSUPPORTED_CHARS, remedy,
                          "%s has U+%04X at position %zu; a country name is two letters (RFC "
                          "5280: PrintableString SIZE (2), ISO 3166 alpha-2)",
                          what, (unsigned)cp, char_count(v) - char_count(v + k) + 1);
        }
    size_t n = strlen(v);
    if (n != 2)
        return refuse(c, i, PKIWS_E_LIMIT, remedy,
                      "%s has %zu characters; a country name is exactly 2 letters (RFC 5280: "
                      "PrintableString SIZE (2), ISO 3166 alpha-2)",
                      what, n);
    return PKIWS_OK;
}

static int check_name(struct rctx *c, size_t i, const char *v, const char *what, int fixed)
{
    uint32_t bad;
    size_t pos;
    if (!pkiws__san_name_chars_find(v, &bad, &pos))
        return refuse(c, i, PKIWS_E_UNSUPPORTED_CHARS, PKIWS__REMEDY_UNSUPPORTED_CHARS,
                      "%s has U+%04X at position %zu; the CA accepts only letters, digits, space, "
                      "'.', '-' and the apostrophe there",
                      what, (unsigned)bad, pos);
    if (c->t->attrs[i].in_san)
        return PKIWS_OK;
    return check_ub(c, i, v, what, fixed, "ub-name", 32768);
}

static int check_dns(struct rctx *c, size_t i, const char *v, const char *what, int fixed)
{
    const char *remedy = fixed ? remedy_template_value : remedy_limit;
    for (size_t k = 0; v[k]; k++) {
        int ch = (unsigned char)v[k];
        if (!(is_ascii_letter(ch) || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
              (ch == '*' && k == 0)))
            return refuse(c, i, PKIWS_E_UNSUPPORTED_CHARS, remedy,
                          "%s has byte 0x%02X at offset %zu; a dNSName holds letters, digits, "
                          "'-', '.' and a leading '*' only",
                          what, (unsigned)ch, k);
    }
    size_t n = strlen(v);
    if (n == 0 || n > 253)
        return refuse(c, i, PKIWS_E_LIMIT, remedy, "%s has %zu characters; a dNSName has 1 to 253",
                      what, n);
    return PKIWS_OK;
}

/* What the CA would refuse in the value v sent for template attribute i (filled by field f,
 * or the template's fixed value when from_fixed). */
static int check_value(struct rctx *c, size_t i, int f, const char *v, int from_fixed)
{
    const pkiws__tpl_attr *a = &c->t->attrs[i];
    char what[192];
    describe_value(c, f, from_fixed, v, what, sizeof what);
    const char *fixed = a->fixed_value && a->fixed_value[0] ? a->fixed_value : NULL;
    if (!from_fixed && fixed && strcmp(v, fixed) != 0) {
        char fx[160];
        describe_value(c, f, 1, fixed, fx, sizeof fx);
        return refuse(c, i, PKIWS_E_POLICY_MISMATCH, remedy_fixed,
                      "%s is given, but the template fixes the value: %s", what, fx);
    }
    const char *why;
    switch (a->role) {
    case PKIWS__ROLE_CN:
        if (pkiws__san_takes_email(a) && (why = pkiws__san_email_why(v)))
            return refuse(c, i, PKIWS_E_SAN_UNRESOLVED, remedy_cn_email,
                          "the template takes it from the e-mail address (sourceAttributeName "
                          "%s), but %s is not e-mail shaped: %s",
                          a->source_attr, what, why);
        return check_ub(c, i, v, what, from_fixed, "ub-common-name", 64);
    case PKIWS__ROLE_SUBJECT_EMAIL: {
        int rc = check_email(c, i, v, what, from_fixed, 1);
        return rc ? rc : check_ub(c, i, v, what, from_fixed, "ub-emailaddress-length", 255);
    }
    case PKIWS__ROLE_SUBJECT_OTHER:
        return check_subject_other(c, i, v, what, from_fixed);
    case PKIWS__ROLE_GIVEN_NAME:
    case PKIWS__ROLE_FAMILY_NAME:
        return check_name(c, i, v, what, from_fixed);
    case PKIWS__ROLE_SAN_EMAIL:
        return check_email(c, i, v, what, from_fixed, 1);
    case PKIWS__ROLE_SAN_UPN:
        return check_email(c, i, v, what, from_fixed, 0);
    case PKIWS__ROLE_SAN_DNS:
        return check_dns(c, i, v, what, from_fixed);
    default:
        return PKIWS_OK;
    }
}

static int build_nvps(struct rctx *c, const char *why_no_derived)
{
    int rc;
    for (size_t i = 0; i < c->t->nattrs; i++) {
        const pkiws__tpl_attr *a = &c->t->attrs[i];
        int f = field_of(c, i);
        const char *v = field_value(c, f);
        int from_fixed = 0;
        if (!v && a->fixed_value && a->fixed_value[0]) {
            v = a->fixed_value;
            from_fixed = 1;
        }
        if (v) {
            if ((rc = check_value(c, i, f, v, from_fixed)) ||
                (rc = add_nvp(c->res, a->name ? a->name : "", v)))
                return rc;
            continue;
        }
        if (!a->mandatory)
            continue;
        const char *why = why_empty(f, why_no_derived);
        if (i < c->res->nverdicts)
            pkiws__san_set_verdict(c->res, i, PKIWS_VERDICT_UNFILLABLE,
                                   "mandatory, but has no value for this request: %s", why);
        return unresolved("template attribute '%s' (%s) is mandatory but has no value for this "
                          "request: %s",
                          a->name ? a->name : "", pkiws__san_field_label(f), why);
    }
    if (c->extra_seat && (rc = add_nvp(c->res, c->t->seat_attr, c->seat)))
        return rc;
    return PKIWS_OK;
}

static int check_utf8(const pkiws__identity *id)
{
    const struct {
        const char *name, *v;
    } f[] = {{"cn", id->cn},
             {"email", id->email},
             {"upn", id->upn},
             {"othername type-id", id->othername_oid},
             {"othername", id->othername_hex},
             {"seat_id", id->seat_id},
             {"given_name", id->given_name},
             {"family_name", id->family_name}};
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(f); i++) {
        size_t off;
        if (f[i].v && !pkiws__utf8_valid(f[i].v, strlen(f[i].v), &off))
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "request.%s is not valid UTF-8 (bad byte 0x%02X at offset %zu)",
                               f[i].name, (unsigned)(unsigned char)f[i].v[off], off);
    }
    return PKIWS_OK;
}

int pkiws__resolve(const pkiws__template *t, const pkiws__selection *sel, const pkiws__identity *id,
                   pkiws__resolution *res)
{
    /* A policy mismatch is reported, but the resolution still runs (best effort) so that the
     * result explains the subject and SANs too; its own failures then give way. */
    int vrc = pkiws__verify(t, sel, res);
    if (vrc && vrc != PKIWS_E_POLICY_MISMATCH)
        return vrc;
    char vmsg[PKIWS_ERR_MSG_MAX];
    const char *vremedy = pkiws__err_remedy();
    snprintf(vmsg, sizeof vmsg, "%s", pkiws__err_message());
    int rc;
    if (!id)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "resolve: the identity is NULL");
    if ((rc = check_utf8(id)))
        return rc;
    struct rctx c;
    memset(&c, 0, sizeof c);
    c.t = t;
    c.sel = sel;
    c.id = id;
    c.res = res;
    for (size_t i = 0; i < t->nattrs; i++) {
        c.need[field_of(&c, i)] = 1;
    }
    if (t->seat_attr && t->seat_attr[0] && !pkiws__san_mapped(sel, PKIWS_FIELD_SEAT_ID)) {
        size_t i = 0;
        while (i < t->nattrs &&
               !(t->attrs[i].name && pkiws__strcaseeq(t->attrs[i].name, t->seat_attr)))
            i++;
        c.extra_seat = i == t->nattrs;
    }
    char why_no_derived[256] = "";
    if ((rc = resolve_subject(&c)))
        goto out;
    derive_email(&c, why_no_derived, sizeof why_no_derived);
    if (!c.e && c.derived && c.need[PKIWS_FIELD_SUBJECT_EMAIL] &&
        (rc = add_trace(res, PKIWS_FIELD_SUBJECT_EMAIL, c.derived, c.derived_src)))
        goto out;
    if ((sel->san_types & PKIWS_SAN_EMAIL) &&
        (rc = resolve_text_san(&c, PKIWS_SAN_EMAIL, why_no_derived)))
        goto out;
    if ((sel->san_types & PKIWS_SAN_UPN) &&
        (rc = resolve_text_san(&c, PKIWS_SAN_UPN, why_no_derived)))
        goto out;
    if ((sel->san_types & PKIWS_SAN_OTHERNAME) && (rc = resolve_othername(&c)))
        goto out;
    if (c.need[PKIWS_FIELD_GIVEN_NAME] && (rc = resolve_name(&c, PKIWS_FIELD_GIVEN_NAME)))
        goto out;
    if (c.need[PKIWS_FIELD_FAMILY_NAME] && (rc = resolve_name(&c, PKIWS_FIELD_FAMILY_NAME)))
        goto out;
    if (c.need[PKIWS_FIELD_SEAT_ID] || c.extra_seat) {
        resolve_seat(&c);
        if ((rc = add_trace(res, PKIWS_FIELD_SEAT_ID, c.seat, c.seat_src)))
            goto out;
    }
    if (!vrc)
        rc = build_nvps(&c, why_no_derived);
out:
    pkiws__free(c.othername_b64);
    pkiws__free(c.given);
    pkiws__free(c.family);
    if (vrc)
        return pkiws__fail_remedy(vrc, vremedy, "%s", vmsg);
    return rc;
}

void pkiws__resolution_dispose(pkiws__resolution *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->ndn; i++) {
        pkiws__free(res->dn_type[i]);
        pkiws__free(res->dn_value[i]);
    }
    pkiws__free(res->dn_type);
    pkiws__free(res->dn_value);
    pkiws__free(res->subject);
    for (size_t i = 0; i < res->nsans; i++) {
        pkiws__free(res->sans[i].text);
        pkiws__free(res->sans[i].oid);
        pkiws__free(res->sans[i].der);
    }
    pkiws__free(res->sans);
    for (size_t i = 0; i < res->nnvps; i++) {
        pkiws__free(res->nvps[i].name);
        pkiws__free(res->nvps[i].value);
    }
    pkiws__free(res->nvps);
    for (size_t i = 0; i < res->ntrace; i++)
        pkiws__free(res->trace[i].value);
    pkiws__free(res->trace);
    for (size_t i = 0; i < res->nverdicts; i++) {
        pkiws__free(res->verdicts[i].name);
        pkiws__free(res->verdicts[i].detail);
    }
    pkiws__free(res->verdicts);
    memset(res, 0, sizeof *res);
}
