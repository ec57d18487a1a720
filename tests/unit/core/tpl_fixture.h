/* SPDX-License-Identifier: MIT */
/* Hand-built certificate templates for the SAN engine tests (no parser involved). */
#ifndef PKIWS_TESTS_TPL_FIXTURE_H
#define PKIWS_TESTS_TPL_FIXTURE_H

#include <string.h>

#include "core/san.h"

#define UPN_OID "1.3.6.1.4.1.311.20.2.3"
#define GUID_OID "1.3.6.1.4.1.311.25.1"

typedef struct tpl_fx {
    pkiws__template t;
    pkiws__tpl_attr a[24];
} tpl_fx;

static inline void tpl_init(tpl_fx *f)
{
    memset(f, 0, sizeof *f);
    f->t.attrs = f->a;
    f->t.profile_oid = (char *)"2.16.840.1.113733.1.16.1.2.3.1.1.47196109";
    f->t.next_update_hours = -1;
}

/* An attribute by role, as the template parser would produce it. */
static inline pkiws__tpl_attr *tpl_add(tpl_fx *f, const char *name, int role, int mandatory)
{
    pkiws__tpl_attr *a = &f->a[f->t.nattrs++];
    memset(a, 0, sizeof *a);
    a->name = (char *)name;
    a->role = role;
    a->mandatory = mandatory;
    switch (role) {
    case PKIWS__ROLE_CN:
        a->type = (char *)"CN";
        a->rdn = (char *)"CN";
        break;
    case PKIWS__ROLE_SUBJECT_EMAIL:
        a->type = (char *)"E";
        a->rdn = (char *)"E";
        break;
    case PKIWS__ROLE_SAN_EMAIL:
        a->type = (char *)"rfc822Name";
        break;
    case PKIWS__ROLE_SAN_UPN:
        a->type = (char *)"otherName:" UPN_OID;
        a->othername_oid = (char *)UPN_OID;
        break;
    case PKIWS__ROLE_SAN_DNS:
        a->type = (char *)"dNSName";
        break;
    default:
        break;
    }
    if (role >= PKIWS__ROLE_SAN_EMAIL && role <= PKIWS__ROLE_SAN_DNS) {
        a->in_san = 1;
        a->ext_oid = (char *)"2.5.29.17";
    }
    return a;
}

/* A subject RDN (O, OU, ...) with an optional fixed value. */
static inline pkiws__tpl_attr *tpl_rdn(tpl_fx *f, const char *name, const char *rdn,
                                       const char *fixed, int mandatory)
{
    pkiws__tpl_attr *a = tpl_add(f, name, PKIWS__ROLE_SUBJECT_OTHER, mandatory);
    a->type = (char *)rdn;
    a->rdn = (char *)rdn;
    a->fixed_value = (char *)fixed;
    return a;
}

/* The usual Intune template: CN mandatory, E optional, O fixed, the three SAN kinds optional. */
static inline void tpl_standard(tpl_fx *f)
{
    tpl_init(f);
    tpl_add(f, "common_name", PKIWS__ROLE_CN, 1);
    tpl_add(f, "mail_email", PKIWS__ROLE_SUBJECT_EMAIL, 0);
    tpl_rdn(f, "corp_company", "O", "Contoso Ltd", 1);
    tpl_add(f, "san_email", PKIWS__ROLE_SAN_EMAIL, 0);
    tpl_add(f, "san_upn", PKIWS__ROLE_SAN_UPN, 0);
    pkiws__tpl_attr *o = tpl_add(f, "san_othername", PKIWS__ROLE_SAN_OTHERNAME, 0);
    o->type = (char *)"otherName:" GUID_OID;
    o->othername_oid = (char *)GUID_OID;
}

static inline pkiws__selection sel_make(int format, unsigned sans)
{
    pkiws__selection s;
    memset(&s, 0, sizeof s);
    s.subject_format = format;
    s.san_types = sans;
    return s;
}

/* Index of the verdict named name, or -1. */
static inline int verdict_find(const pkiws__resolution *r, const char *name)
{
    for (size_t i = 0; i < r->nverdicts; i++)
        if (!strcmp(r->verdicts[i].name, name))
            return (int)i;
    return -1;
}

/* Value of the nameValuePair named name, or NULL. */
static inline const char *nvp_get(const pkiws__resolution *r, const char *name)
{
    for (size_t i = 0; i < r->nnvps; i++)
        if (!strcmp(r->nvps[i].name, name))
            return r->nvps[i].value;
    return NULL;
}

/* Index of the first trace entry for field, or -1. */
static inline int trace_find(const pkiws__resolution *r, int field)
{
    for (size_t i = 0; i < r->ntrace; i++)
        if (r->trace[i].field == field)
            return (int)i;
    return -1;
}

#endif
