/* SPDX-License-Identifier: MIT */
/* A profile's certificate template from a getPoliciesResponse (protocol.md §3.3). */
#include "pkiws_internal.h"

#include <stdio.h>

#include "proto/template.h"
#include "proto/soap.h"

#define P PKIWS_NS_POLICY
#define WHAT "policy response"
#define OID_SAN "2.5.29.17"
#define OID_EKU "2.5.29.37"
#define OID_EC_PUBLIC_KEY "1.2.840.10045.2.1"
#define FAULT_NOT_UNDERSTOOD "A request element is not understood"

typedef struct oid_ref {
    unsigned long long id;
    const char *value; /* trimmed text (arena), NULL when nil */
    const pkiws_xml_node *node;
} oid_ref;

typedef struct ctx {
    pkiws_xml_doc *doc;
    const pkiws_xml_node *resp; /* getPoliciesResponse */
    oid_ref *oids;
    size_t noids;
    const char *profile; /* for messages: "policy for profile OID x" */
} ctx;

static pkiws_xml_node *pc(const pkiws_xml_node *n, const char *local)
{
    return pkiws__xml_child(n, P, local);
}

static pkiws_xml_node *pnext(const pkiws_xml_node *n, const char *local)
{
    return pkiws__xml_next_named(n, P, local);
}

/* Trimmed text; NULL when the element is absent or xsi:nil. */
static const char *text_of(ctx *c, const pkiws_xml_node *n)
{
    if (!n || pkiws__xml_is_nil(n))
        return NULL;
    return pkiws__xml_text_trim(c->doc, n);
}

/* Trimmed text that is not empty, else NULL. */
static const char *nonempty(ctx *c, const pkiws_xml_node *n)
{
    const char *s = text_of(c, n);
    return s && *s ? s : NULL;
}

static int oom(void)
{
    return pkiws__fail(PKIWS_E_NOMEM, "%s: out of memory while reading the template", WHAT);
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;
    if (!s)
        return -1;
    if (*s == '+')
        s++;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* xs:boolean: 1/0 into *out; -1 when the text is not a boolean. */
static int parse_bool(const char *s, int *out)
{
    if (!s)
        return -1;
    if (pkiws__strcaseeq(s, "true") || !strcmp(s, "1"))
        *out = 1;
    else if (pkiws__strcaseeq(s, "false") || !strcmp(s, "0"))
        *out = 0;
    else
        return -1;
    return 0;
}

/* A number element: *out stays untouched when it is absent or nil. */
static int read_uint(ctx *c, const pkiws_xml_node *n, const char *path, unsigned long long max,
                     unsigned long long *out)
{
    const char *s = text_of(c, n);
    if (!s)
        return PKIWS_OK;
    if (parse_uint(s, max, out))
        return pkiws__fail(PKIWS_E_PROTOCOL, "%s: %s: %s '%.64s' is not a number from 0 to %llu",
                           WHAT, c->profile, path, s, max);
    return PKIWS_OK;
}

/* A boolean element: *out stays untouched when it is absent or nil. */
static int read_bool(ctx *c, const pkiws_xml_node *n, const char *path, int *out)
{
    const char *s = text_of(c, n);
    if (s && parse_bool(s, out))
        return pkiws__fail(PKIWS_E_PROTOCOL, "%s: %s: %s '%.64s' is not a boolean", WHAT,
                           c->profile, path, s);
    return PKIWS_OK;
}

/* ---- SOAP fault ---- */

static int soap_fault(ctx *c, const pkiws_xml_node *fault, const char *oid)
{
    const char *fs = text_of(c, pkiws__xml_child(fault, NULL, "faultstring"));
    const char *fc = text_of(c, pkiws__xml_child(fault, NULL, "faultcode"));
    const pkiws_xml_node *detail = pkiws__xml_child(fault, NULL, "detail");
    const char *ec = text_of(c, pkiws__xml_find(detail, NULL, "errorcode"));
    const char *dm = text_of(c, pkiws__xml_find(detail, NULL, "message"));
    size_t n = fs ? strlen(fs) : 0;
    if (n && fs[n - 1] == '.')
        n--;
    int rc;
    if (n == strlen(FAULT_NOT_UNDERSTOOD) && pkiws__strncaseeq(fs, FAULT_NOT_UNDERSTOOD, n)) {
        rc = pkiws__fail_remedy(PKIWS_E_PROFILE_NOT_FOUND, PKIWS__REMEDY_PROFILE_NOT_FOUND,
                                "%s: the policy service answered the request for profile OID %s "
                                "with the SOAP fault \"%s\": the CA has no certificate profile "
                                "with this OID for this RA",
                                WHAT, oid ? oid : "(any)", fs);
    } else {
        pkiws_buf d = PKIWS_BUF_INIT;
        if (ec || dm)
            pkiws__buf_printf(&d, " (detail%s%.64s%s%.200s%s)", ec ? " errorcode " : "",
                              ec ? ec : "", dm ? " message \"" : "", dm ? dm : "", dm ? "\"" : "");
        rc = pkiws__fail(PKIWS_E_SOAP_FAULT,
                         "%s: SOAP fault from the policy service: faultcode %.64s, faultstring "
                         "\"%.300s\"%s",
                         WHAT, fc ? fc : "(none)", fs ? fs : "(none)", pkiws__buf_cstr(&d));
        pkiws__buf_dispose(&d);
    }
    unsigned long long code;
    if (ec && !parse_uint(ec, (unsigned long long)INT64_MAX, &code))
        pkiws__err_native("soap", (long long)code);
    return rc;
}

/* ---- the response element and its OID table ---- */

static int open_response(ctx *c, pkiws_xml_doc *doc, const char *oid)
{
    c->doc = doc;
    c->profile = "getPoliciesResponse";
    pkiws_xml_node *body = pkiws__xml_soap_body_child(doc);
    if (!body)
        return pkiws__fail(PKIWS_E_PROTOCOL, "%s: the SOAP Body is empty", WHAT);
    if (pkiws__xml_is(body, PKIWS_NS_SOAP, "Fault"))
        return soap_fault(c, body, oid);
    if (!pkiws__xml_is(body, P, "getPoliciesResponse"))
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "%s: expected {%s}getPoliciesResponse, found {%.120s}%.64s", WHAT, P,
                           body->ns, body->local);
    c->resp = body;
    const pkiws_xml_node *oids = pc(body, "oIDs");
    size_t n = 0;
    for (const pkiws_xml_node *o = pc(oids, "oID"); o; o = pnext(o, "oID"))
        n++;
    if (!n)
        return PKIWS_OK;
    c->oids = pkiws__calloc(n, sizeof *c->oids);
    if (!c->oids)
        return oom();
    for (const pkiws_xml_node *o = pc(oids, "oID"); o; o = pnext(o, "oID")) {
        oid_ref *r = &c->oids[c->noids];
        const char *id = text_of(c, pc(o, "oIDReferenceID"));
        if (parse_uint(id, UINT32_MAX, &r->id))
            return pkiws__fail(PKIWS_E_PROTOCOL,
                               "%s: oIDs/oID[%zu]: oIDReferenceID '%.64s' is missing or not a "
                               "number",
                               WHAT, c->noids + 1, id ? id : "(absent)");
        r->value = text_of(c, pc(o, "value"));
        r->node = o;
        c->noids++;
    }
    return PKIWS_OK;
}

static const oid_ref *find_oid(const ctx *c, unsigned long long id)
{
    for (size_t i = 0; i < c->noids; i++)
        if (c->oids[i].id == id)
            return &c->oids[i];
    return NULL;
}

/* Resolve an ...OIDReference element to its dotted OID. */
static int resolve_oid(ctx *c, const pkiws_xml_node *ref, const char *path, const oid_ref **out)
{
    const char *s = text_of(c, ref);
    unsigned long long id;
    if (!s || parse_uint(s, UINT32_MAX, &id))
        return pkiws__fail(PKIWS_E_PROTOCOL, "%s: %s: %s '%.64s' is missing or not a number", WHAT,
                           c->profile, path, s ? s : "(absent)");
    const oid_ref *r = find_oid(c, id);
    if (!r)
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "%s: %s: %s %llu refers to no oIDs/oID (no oIDReferenceID %llu)", WHAT,
                           c->profile, path, id, id);
    const char *why = NULL;
    if (!r->value || !pkiws__oid_valid(r->value, &why))
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "%s: oIDs/oID with oIDReferenceID %llu (used by %s): value '%.80s' is "
                           "not a dotted OID (%s)",
                           WHAT, id, path, r->value ? r->value : "(nil)",
                           why ? why : "it is missing");
    *out = r;
    return PKIWS_OK;
}

/* The policies in document order with their profile OIDs; arrays freed by the caller. */
static int list_policies(ctx *c, const pkiws_xml_node ***nodes, const char ***values, size_t *n)
{
    *nodes = NULL;
    *values = NULL;
    *n = 0;
    const pkiws_xml_node *response = pc(c->resp, "response");
    if (!response)
        return pkiws__fail(PKIWS_E_PROTOCOL, "%s: getPoliciesResponse has no response element",
                           WHAT);
    const pkiws_xml_node *policies = pc(response, "policies");
    if (!policies || pkiws__xml_is_nil(policies))
        return PKIWS_OK;
    size_t count = 0;
    for (const pkiws_xml_node *p = pc(policies, "policy"); p; p = pnext(p, "policy"))
        count++;
    if (!count)
        return PKIWS_OK;
    *nodes = pkiws__calloc(count, sizeof **nodes);
    *values = pkiws__calloc(count, sizeof **values);
    if (!*nodes || !*values)
        return oom();
    for (const pkiws_xml_node *p = pc(policies, "policy"); p; p = pnext(p, "policy")) {
        char path[96];
        const oid_ref *r;
        snprintf(path, sizeof path, "response/policies/policy[%zu]/policyOIDReference", *n + 1);
        int rc = resolve_oid(c, pc(p, "policyOIDReference"), path, &r);
        if (rc)
            return rc;
        (*nodes)[*n] = p;
        (*values)[*n] = r->value;
        (*n)++;
    }
    return PKIWS_OK;
}

/* ---- attributes ---- */

typedef struct attr_list {
    pkiws__template *t;
    size_t cap;
} attr_list;

static pkiws__tpl_attr *new_attr(attr_list *l)
{
    pkiws__template *t = l->t;
    if (t->nattrs == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        pkiws__tpl_attr *a = pkiws__realloc(t->attrs, cap * sizeof *a);
        if (!a)
            return NULL;
        memset(a + l->cap, 0, (cap - l->cap) * sizeof *a);
        t->attrs = a;
        l->cap = cap;
    }
    return &t->attrs[t->nattrs++];
}

static int set_str(char **dst, const char *s)
{
    if (!s)
        return PKIWS_OK;
    *dst = pkiws__strdup(s);
    return *dst ? PKIWS_OK : oom();
}

/* OR a boolean text (white space around it allowed) into *flag; NULL text: absent. */
static int read_flag(ctx *c, const char *text, const char *path, const char *what, int *flag)
{
    int v;
    size_t n;
    char tmp[8];
    if (!text)
        return PKIWS_OK;
    const char *t = pkiws__trim(text, strlen(text), &n);
    if (n < sizeof tmp) {
        memcpy(tmp, t, n);
        tmp[n] = 0;
    }
    if (n >= sizeof tmp || parse_bool(tmp, &v))
        return pkiws__fail(PKIWS_E_PROTOCOL, "%s: %s: %s: %s '%.64s' is not a boolean", WHAT,
                           c->profile, path, what, text);
    *flag |= v;
    return PKIWS_OK;
}

static void attr_clear(pkiws__tpl_attr *a)
{
    pkiws__free(a->name);
    pkiws__free(a->type);
    pkiws__free(a->fixed_value);
    pkiws__free(a->ext_oid);
    pkiws__free(a->rdn);
    pkiws__free(a->othername_oid);
    pkiws__free(a->source_attr);
    memset(a, 0, sizeof *a);
}

/* Fill a from one AttributeNameValuePairType element; a is cleared by the caller on failure. */
static int read_pair(ctx *c, pkiws__tpl_attr *a, const pkiws_xml_node *pair, const char *path,
                     const char *ext_oid)
{
    const char *name = nonempty(c, pc(pair, "attributeName"));
    if (!name)
        return pkiws__fail(PKIWS_E_PROTOCOL, "%s: %s: %s: attributeName is missing or empty", WHAT,
                           c->profile, path);
    const pkiws_xml_node *anv = pc(pair, "attributeNameValue");
    const pkiws_xml_node *prop = pc(pair, "attributeNameValueProperty");
    const char *fixed = NULL;
    int rc;
    if (anv) {
        const char *tv = pkiws__xml_attr(anv, "", "type");
        size_t tl = 0;
        if (tv)
            tv = pkiws__trim(tv, strlen(tv), &tl);
        if (tl && !(a->type = pkiws__strndup(tv, tl)))
            return oom();
        if ((rc = read_flag(c, pkiws__xml_attr(anv, "", "mandatory"), path,
                            "attributeNameValue/@mandatory", &a->mandatory)))
            return rc;
        fixed = nonempty(c, anv);
    }
    if (prop) {
        if ((rc = read_flag(c, text_of(c, pc(prop, "mandatory")), path,
                            "attributeNameValueProperty/mandatory", &a->mandatory)))
            return rc;
        if (!fixed)
            fixed = nonempty(c, pc(prop, "value"));
        if ((rc = set_str(&a->source_attr, nonempty(c, pc(prop, "sourceAttributeName")))))
            return rc;
    }
    const char *on = pkiws__role_type_othername_oid(a->type);
    const char *why = NULL;
    if (on && !pkiws__oid_valid(on, &why))
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "%s: %s: %s: attribute '%.64s' has type '%.100s' whose OID is not a "
                           "dotted OID (%s)",
                           WHAT, c->profile, path, name, a->type, why);
    a->in_san = ext_oid && !strcmp(ext_oid, OID_SAN);
    a->role = pkiws__role_from_type(a->type, name);
    const char *rdn = pkiws__role_rdn(a->role);
    if (a->role == PKIWS__ROLE_SUBJECT_OTHER)
        rdn = pkiws__role_type_rdn(a->type);
    if ((rc = set_str(&a->name, name)) || (rc = set_str(&a->fixed_value, fixed)) ||
        (rc = set_str(&a->ext_oid, ext_oid)) || (rc = set_str(&a->rdn, rdn)))
        return rc;
    if (on && (a->role == PKIWS__ROLE_SAN_UPN || a->role == PKIWS__ROLE_SAN_OTHERNAME))
        return set_str(&a->othername_oid, on);
    return PKIWS_OK;
}

static int parse_pair(ctx *c, attr_list *l, const pkiws_xml_node *pair, const char *path,
                      const char *ext_oid)
{
    pkiws__tpl_attr a;
    memset(&a, 0, sizeof a);
    int rc = read_pair(c, &a, pair, path, ext_oid);
    pkiws__tpl_attr *slot = rc ? NULL : new_attr(l);
    if (!rc && !slot)
        rc = oom();
    if (rc) {
        attr_clear(&a);
        return rc;
    }
    *slot = a;
    return PKIWS_OK;
}

static int parse_subject(ctx *c, attr_list *l, const pkiws_xml_node *attrs)
{
    const pkiws_xml_node *sni = pc(attrs, "subjectNameInfo");
    if (!sni || pkiws__xml_is_nil(sni))
        return PKIWS_OK;
    size_t k = 0;
    for (const pkiws_xml_node *sa = pc(sni, "subjectNameAttribute"); sa;
         sa = pnext(sa, "subjectNameAttribute")) {
        size_t j = 0;
        k++;
        for (const pkiws_xml_node *p = pc(sa, "subjectNameAttributeNameValuePair"); p;
             p = pnext(p, "subjectNameAttributeNameValuePair")) {
            char path[160];
            snprintf(path, sizeof path,
                     "subjectNameInfo/subjectNameAttribute[%zu]/"
                     "subjectNameAttributeNameValuePair[%zu]",
                     k, ++j);
            int rc = parse_pair(c, l, p, path, NULL);
            if (rc)
                return rc;
        }
    }
    return PKIWS_OK;
}

static int add_eku(ctx *c, pkiws__template *t, const char *oid, const char *path)
{
    const char *why = NULL;
    if (!oid || !pkiws__oid_valid(oid, &why))
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "%s: %s: %s: EKU value '%.80s' is not a dotted OID (%s)", WHAT,
                           c->profile, path, oid ? oid : "(nil)", why ? why : "it is missing");
    for (size_t i = 0; i < t->n_fixed_eku; i++)
        if (!strcmp(t->fixed_eku_oids[i], oid))
            return PKIWS_OK;
    char **e = pkiws__realloc(t->fixed_eku_oids, (t->n_fixed_eku + 1) * sizeof *e);
    if (!e)
        return oom();
    t->fixed_eku_oids = e;
    if (!(e[t->n_fixed_eku] = pkiws__strdup(oid)))
        return oom();
    t->n_fixed_eku++;
    return PKIWS_OK;
}

static int parse_extensions(ctx *c, attr_list *l, const pkiws_xml_node *attrs)
{
    const pkiws_xml_node *exts = pc(attrs, "extensions");
    if (!exts || pkiws__xml_is_nil(exts))
        return PKIWS_OK;
    size_t k = 0;
    for (const pkiws_xml_node *e = pc(exts, "Extension"); e; e = pnext(e, "Extension")) {
        char path[160];
        const oid_ref *r;
        int rc;
        snprintf(path, sizeof path, "extensions/Extension[%zu]/extensionOIDReference", ++k);
        if ((rc = resolve_oid(c, pc(e, "extensionOIDReference"), path, &r)))
            return rc;
        const pkiws_xml_node *syn = pc(e, "extensionSyntax");
        if (!syn || pkiws__xml_is_nil(syn))
            continue;
        size_t j = 0;
        for (const pkiws_xml_node *p = pc(syn, "extensionAttributeNameValuePair"); p;
             p = pnext(p, "extensionAttributeNameValuePair")) {
            snprintf(path, sizeof path,
                     "extensions/Extension[%zu] (%s)/extensionAttributeNameValuePair[%zu]", k,
                     r->value, ++j);
            if ((rc = parse_pair(c, l, p, path, r->value)))
                return rc;
        }
        if (strcmp(r->value, OID_EKU))
            continue;
        j = 0;
        for (const pkiws_xml_node *v = pc(syn, "extensionValue"); v;
             v = pnext(v, "extensionValue")) {
            const char *type = pkiws__xml_attr(v, "", "type");
            size_t tl;
            j++;
            if (!type || pkiws__is_blank(type))
                continue;
            type = pkiws__trim(type, strlen(type), &tl);
            if (tl != 3 || !pkiws__strncaseeq(type, "OID", 3))
                continue;
            snprintf(path, sizeof path, "extensions/Extension[%zu] (%s)/extensionValue[%zu]", k,
                     r->value, j);
            if ((rc = add_eku(c, l->t, nonempty(c, v), path)))
                return rc;
        }
    }
    return PKIWS_OK;
}

/* ---- key, validity, delivery, seat ---- */

static int parse_misc(ctx *c, pkiws__template *t, const pkiws_xml_node *attrs)
{
    unsigned long long v;
    int rc;
    const pkiws_xml_node *cv = pc(attrs, "certificateValidity");
    v = 0;
    if ((rc = read_uint(c, pc(cv, "validityPeriodDays"), "certificateValidity/validityPeriodDays",
                        UINT32_MAX, &v)))
        return rc;
    t->validity_days = (unsigned)v;
    v = 0;
    if ((rc = read_uint(c, pc(cv, "renewalPeriodDays"), "certificateValidity/renewalPeriodDays",
                        UINT32_MAX, &v)))
        return rc;
    t->renewal_days = (unsigned)v;

    const pkiws_xml_node *pk = pc(attrs, "privateKeyAttributes");
    v = 0;
    if ((rc = read_uint(c, pc(pk, "keysize"), "privateKeyAttributes/keysize", 65536, &v)))
        return rc;
    t->key_size = (unsigned)v;
    const pkiws_xml_node *alg = pc(pk, "algorithmOIDReference");
    if (alg && !pkiws__xml_is_nil(alg)) {
        const oid_ref *r;
        if ((rc = resolve_oid(c, alg, "privateKeyAttributes/algorithmOIDReference", &r)))
            return rc;
        if ((rc = set_str(&t->key_alg_oid, r->value)))
            return rc;
        t->key_is_ec = !strcmp(r->value, OID_EC_PUBLIC_KEY);
    }

    if ((rc = read_bool(c, pc(pc(pk, "keyEscrowPolicy"), "keyEscrowEnabled"),
                        "privateKeyAttributes/keyEscrowPolicy/keyEscrowEnabled", &t->key_escrow)))
        return rc;
    if ((rc = read_bool(c, pc(pc(pk, "keyEscrowPolicy"), "keyRecoveryDualAdminApprovalRequired"),
                        "privateKeyAttributes/keyEscrowPolicy/keyRecoveryDualAdminApprovalRequired",
                        &t->recovery_dual_admin)))
        return rc;

    const char *df = nonempty(c, pc(pc(attrs, "systemInfo"), "certificateDeliveryFormat"));
    if ((rc = set_str(&t->delivery_format, df)))
        return rc;
    t->server_keygen = t->key_escrow || (df && !strcmp(df, PKIWS__TOKEN_PKCS12));
    const char *seat = nonempty(c, pc(pc(attrs, "seatIdInfo"), "attributeNameValue"));
    return set_str(&t->seat_attr, seat);
}

/* ---- CA certificates ---- */

/* 1 when der is exactly one DER SEQUENCE (a certificate's outer shape). */
static int der_sequence_ok(const uint8_t *der, size_t n)
{
    if (n < 2 || der[0] != 0x30)
        return 0;
    size_t len, hdr;
    if (der[1] < 0x80) {
        len = der[1];
        hdr = 2;
    } else {
        size_t nb = der[1] & 0x7f;
        if (nb == 0 || nb > 4 || n < 2 + nb)
            return 0;
        len = 0;
        for (size_t i = 0; i < nb; i++)
            len = len << 8 | der[2 + i];
        hdr = 2 + nb;
    }
    return len == n - hdr;
}

typedef struct ca_list {
    pkiws__template *t;
    uint8_t **roots;
    size_t *root_len;
    size_t nroots;
} ca_list;

static int push_der(uint8_t ***ders, size_t **lens, size_t *n, pkiws_buf *b)
{
    for (size_t i = 0; i < *n; i++)
        if ((*lens)[i] == b->len && !memcmp((*ders)[i], b->data, b->len))
            return PKIWS_OK; /* the same certificate twice */
    uint8_t **d = pkiws__realloc(*ders, (*n + 1) * sizeof *d);
    if (!d)
        return oom();
    *ders = d;
    size_t *l = pkiws__realloc(*lens, (*n + 1) * sizeof *l);
    if (!l)
        return oom();
    *lens = l;
    size_t len;
    d[*n] = pkiws__buf_detach(b, &len);
    l[*n] = len;
    (*n)++;
    return PKIWS_OK;
}

static void remove_der(pkiws__template *t, const uint8_t *der, size_t len)
{
    for (size_t j = 0; j < t->nca; j++)
        if (t->ca_len[j] == len && !memcmp(t->ca_der[j], der, len)) {
            pkiws__free(t->ca_der[j]);
            memmove(t->ca_der + j, t->ca_der + j + 1, (t->nca - j - 1) * sizeof *t->ca_der);
            memmove(t->ca_len + j, t->ca_len + j + 1, (t->nca - j - 1) * sizeof *t->ca_len);
            t->nca--;
            return;
        }
}

static int add_cert(ctx *c, ca_list *cl, const pkiws_xml_node *n, unsigned long long id,
                    const char *elem, int root)
{
    const char *s = text_of(c, n);
    if (!s)
        return PKIWS_OK;
    pkiws_buf b = PKIWS_BUF_INIT;
    int rc = pkiws__b64_decode(s, strlen(s), &b);
    if (rc == PKIWS_E_NOMEM)
        rc = oom();
    else if (rc)
        rc = pkiws__fail_context(rc, "%s: cAs/cA[cAReferenceID %llu]/%s", WHAT, id, elem);
    else if (!der_sequence_ok(b.data, b.len))
        rc = pkiws__fail(PKIWS_E_PROTOCOL,
                         "%s: cAs/cA[cAReferenceID %llu]/%s: %zu bytes that are not one DER "
                         "certificate",
                         WHAT, id, elem, b.len);
    else if (root)
        rc = push_der(&cl->roots, &cl->root_len, &cl->nroots, &b);
    else
        rc = push_der(&cl->t->ca_der, &cl->t->ca_len, &cl->t->nca, &b);
    pkiws__buf_dispose(&b);
    return rc;
}

static const pkiws_xml_node *find_ca(ctx *c, unsigned long long id)
{
    const pkiws_xml_node *cas = pc(c->resp, "cAs");
    for (const pkiws_xml_node *ca = pc(cas, "cA"); ca; ca = pnext(ca, "cA")) {
        unsigned long long v;
        const char *s = text_of(c, pc(ca, "cAReferenceID"));
        if (s && !parse_uint(s, UINT32_MAX, &v) && v == id)
            return ca;
    }
    return NULL;
}

static int parse_cas(ctx *c, pkiws__template *t, const pkiws_xml_node *policy)
{
    const pkiws_xml_node *refs = pc(policy, "cAs");
    if (!refs || pkiws__xml_is_nil(refs))
        return PKIWS_OK;
    ca_list cl = {t, NULL, NULL, 0};
    int rc = PKIWS_OK;
    size_t k = 0;
    for (const pkiws_xml_node *r = pc(refs, "cAReference"); r && !rc; r = pnext(r, "cAReference")) {
        unsigned long long id = 0;
        const char *s = text_of(c, r);
        k++;
        if (!s || parse_uint(s, UINT32_MAX, &id)) {
            rc = pkiws__fail(PKIWS_E_PROTOCOL,
                             "%s: %s: cAs/cAReference[%zu] '%.64s' is not a number", WHAT,
                             c->profile, k, s ? s : "(nil)");
            break;
        }
        const pkiws_xml_node *ca = find_ca(c, id);
        if (!ca) {
            rc = pkiws__fail(PKIWS_E_PROTOCOL,
                             "%s: %s: cAs/cAReference %llu refers to no cAs/cA (no cAReferenceID "
                             "%llu)",
                             WHAT, c->profile, id, id);
            break;
        }
        const pkiws_xml_node *cert = pc(ca, "certificate");
        if (!nonempty(c, cert)) {
            rc = pkiws__fail(PKIWS_E_PROTOCOL,
                             "%s: cAs/cA[cAReferenceID %llu]: the certificate is missing or empty",
                             WHAT, id);
            break;
        }
        rc = add_cert(c, &cl, cert, id, "certificate", 0);
        for (const pkiws_xml_node *i = pc(ca, "intermediateCACertificates"); i && !rc;
             i = pnext(i, "intermediateCACertificates"))
            rc = add_cert(c, &cl, i, id, "intermediateCACertificates", 0);
        if (!rc)
            rc = add_cert(c, &cl, pc(ca, "rootCACertificate"), id, "rootCACertificate", 1);
    }
    /* the roots go last, even when a root is also listed as an issuing or intermediate CA */
    for (size_t i = 0; i < cl.nroots; i++) {
        if (!rc) {
            remove_der(t, cl.roots[i], cl.root_len[i]);
            pkiws_buf b = {cl.roots[i], cl.root_len[i], cl.root_len[i], 0, 0};
            rc = push_der(&t->ca_der, &t->ca_len, &t->nca, &b);
            if (!rc)
                t->has_root = 1;
            if (!b.data)
                continue; /* ownership moved */
        }
        pkiws__free(cl.roots[i]);
    }
    pkiws__free(cl.roots);
    pkiws__free(cl.root_len);
    return rc;
}

/* ---- entry points ---- */

static int fill(ctx *c, pkiws__template *t, const pkiws_xml_node *policy, const char *oid,
                const pkiws_xml_node *oid_node)
{
    int rc;
    if ((rc = set_str(&t->profile_oid, oid)) ||
        (rc = set_str(&t->name, nonempty(c, pc(oid_node, "defaultName")))))
        return rc;
    t->next_update_hours = -1;
    unsigned long long h = 0;
    const pkiws_xml_node *nuh = pc(pc(c->resp, "response"), "nextUpdateHours");
    if (text_of(c, nuh)) {
        if ((rc = read_uint(c, nuh, "response/nextUpdateHours", UINT32_MAX, &h)))
            return rc;
        t->next_update_hours = h > INT32_MAX ? INT32_MAX : (int)h;
    }
    const pkiws_xml_node *attrs = pc(policy, "attributes");
    if (!attrs || pkiws__xml_is_nil(attrs))
        return pkiws__fail(PKIWS_E_PROTOCOL, "%s: %s has no attributes element", WHAT, c->profile);
    attr_list l = {t, 0};
    if ((rc = parse_subject(c, &l, attrs)) || (rc = parse_extensions(c, &l, attrs)) ||
        (rc = parse_misc(c, t, attrs)))
        return rc;
    return parse_cas(c, t, policy);
}

static int not_found(const char *oid, const char **values, size_t n)
{
    pkiws_buf b = PKIWS_BUF_INIT;
    for (size_t i = 0; i < n; i++)
        pkiws__buf_printf(&b, "%s%s", i ? ", " : "", values[i]);
    int rc = pkiws__fail_remedy(PKIWS_E_PROFILE_NOT_FOUND, PKIWS__REMEDY_PROFILE_NOT_FOUND,
                                "%s: no policy for profile OID %s; the response offers %s%s", WHAT,
                                oid, n ? "" : "no profile at all", pkiws__buf_cstr(&b));
    pkiws__buf_dispose(&b);
    return rc;
}

int pkiws__template_from_doc(pkiws_xml_doc *doc, const char *oid, pkiws__template **out)
{
    if (!out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: no output pointer", WHAT);
    *out = NULL;
    const char *why = NULL;
    if (!doc)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: the document is NULL", WHAT);
    if (!oid || !pkiws__oid_valid(oid, &why))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "profile OID '%.80s' is not a dotted OID (%s)",
                           oid ? oid : "(null)", why ? why : "it is NULL");
    ctx c = {0};
    const pkiws_xml_node **nodes = NULL;
    const char **values = NULL;
    size_t n = 0;
    pkiws__template *t = NULL;
    char profile[160];
    int rc = open_response(&c, doc, oid);
    if (!rc)
        rc = list_policies(&c, &nodes, &values, &n);
    if (!rc) {
        size_t i = 0;
        while (i < n && strcmp(values[i], oid))
            i++;
        if (i == n) {
            rc = not_found(oid, values, n);
        } else if (!(t = pkiws__calloc(1, sizeof *t))) {
            rc = oom();
        } else {
            snprintf(profile, sizeof profile, "policy for profile OID %s", oid);
            c.profile = profile;
            unsigned long long id = 0;
            parse_uint(text_of(&c, pc(nodes[i], "policyOIDReference")), UINT32_MAX, &id);
            const oid_ref *r = find_oid(&c, id);
            rc = fill(&c, t, nodes[i], oid, r ? r->node : NULL);
        }
    }
    pkiws__free(nodes);
    pkiws__free(values);
    pkiws__free(c.oids);
    if (rc) {
        pkiws__template_free(t);
        return rc;
    }
    *out = t;
    return PKIWS_OK;
}

int pkiws__template_list_oids(pkiws_xml_doc *doc, char ***oids, size_t *n)
{
    if (!oids || !n)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: no output pointer", WHAT);
    *oids = NULL;
    *n = 0;
    if (!doc)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: the document is NULL", WHAT);
    ctx c = {0};
    const pkiws_xml_node **nodes = NULL;
    const char **values = NULL;
    size_t count = 0;
    int rc = open_response(&c, doc, NULL);
    if (!rc)
        rc = list_policies(&c, &nodes, &values, &count);
    char **list = NULL;
    size_t k = 0;
    if (!rc && count) {
        if (!(list = pkiws__calloc(count, sizeof *list)))
            rc = oom();
        for (; !rc && k < count; k++)
            if (!(list[k] = pkiws__strdup(values[k])))
                rc = oom();
    }
    pkiws__free(nodes);
    pkiws__free(values);
    pkiws__free(c.oids);
    if (rc) {
        pkiws__template_free_oids(list, k);
        return rc;
    }
    *oids = list;
    *n = count;
    return PKIWS_OK;
}

int pkiws__template_parse(const char *xml, size_t len, const char *oid,
                          const pkiws_xml_limits *limits, pkiws__template **out)
{
    if (!out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: no output pointer", WHAT);
    *out = NULL;
    pkiws_xml_doc *doc = NULL;
    int rc = pkiws__xml_parse(xml, len, limits, WHAT, &doc);
    if (rc)
        return rc;
    rc = pkiws__template_from_doc(doc, oid, out);
    pkiws__xml_free(doc);
    return rc;
}
