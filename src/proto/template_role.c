/* SPDX-License-Identifier: MIT */
/* The attribute-role convention of product.md §4: the type attribute first, then name aliases. */
#include "pkiws_internal.h"

#include "proto/template.h"

#define OID_UPN "1.3.6.1.4.1.311.20.2.3"

static const char *const subject_rdns[] = {"CN", "E", "O", "OU", "L", "ST", "C"};

static const struct alias {
    const char *name;
    int role;
} aliases[] = {
    {"common_name", PKIWS__ROLE_CN},
    {"mail_email", PKIWS__ROLE_SUBJECT_EMAIL},
    {"emailAddress", PKIWS__ROLE_SUBJECT_EMAIL},
    {"mail", PKIWS__ROLE_SUBJECT_EMAIL},
    {"san_email", PKIWS__ROLE_SAN_EMAIL},
    {"rfc822Name", PKIWS__ROLE_SAN_EMAIL},
    {"san_upn", PKIWS__ROLE_SAN_UPN},
    {"upn", PKIWS__ROLE_SAN_UPN},
    {"userPrincipalName", PKIWS__ROLE_SAN_UPN},
    {"san_othername", PKIWS__ROLE_SAN_OTHERNAME},
    {"otherName", PKIWS__ROLE_SAN_OTHERNAME},
    {"mail_firstname", PKIWS__ROLE_GIVEN_NAME},
    {"mail_lastname", PKIWS__ROLE_FAMILY_NAME},
    {"seat_id", PKIWS__ROLE_SEAT_ID},
};

const char *pkiws__role_type_rdn(const char *type)
{
    if (!type)
        return NULL;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(subject_rdns); i++)
        if (pkiws__strcaseeq(type, subject_rdns[i]))
            return subject_rdns[i];
    return NULL;
}

const char *pkiws__role_type_othername_oid(const char *type)
{
    static const char prefix[] = "otherName:";
    if (!type || !pkiws__strncaseeq(type, prefix, sizeof prefix - 1))
        return NULL;
    return type + sizeof prefix - 1;
}

static int role_of_type(const char *type)
{
    const char *rdn = pkiws__role_type_rdn(type);
    if (rdn) {
        if (!strcmp(rdn, "CN"))
            return PKIWS__ROLE_CN;
        if (!strcmp(rdn, "E"))
            return PKIWS__ROLE_SUBJECT_EMAIL;
        return PKIWS__ROLE_SUBJECT_OTHER;
    }
    if (pkiws__strcaseeq(type, "rfc822Name"))
        return PKIWS__ROLE_SAN_EMAIL;
    if (pkiws__strcaseeq(type, "dNSName"))
        return PKIWS__ROLE_SAN_DNS;
    const char *oid = pkiws__role_type_othername_oid(type);
    if (oid && *oid)
        return strcmp(oid, OID_UPN) ? PKIWS__ROLE_SAN_OTHERNAME : PKIWS__ROLE_SAN_UPN;
    return PKIWS__ROLE_UNKNOWN;
}

int pkiws__role_from_type(const char *type, const char *name)
{
    if (type) {
        int role = role_of_type(type);
        if (role != PKIWS__ROLE_UNKNOWN)
            return role;
    }
    if (name)
        for (size_t i = 0; i < PKIWS_ARRAY_LEN(aliases); i++)
            if (pkiws__strcaseeq(name, aliases[i].name))
                return aliases[i].role;
    return PKIWS__ROLE_UNKNOWN;
}

const char *pkiws__role_rdn(int role)
{
    switch (role) {
    case PKIWS__ROLE_CN:
        return "CN";
    case PKIWS__ROLE_SUBJECT_EMAIL:
        return "E";
    default:
        return NULL;
    }
}

const char *pkiws__role_name(int role)
{
    switch (role) {
    case PKIWS__ROLE_CN:
        return "cn";
    case PKIWS__ROLE_SUBJECT_EMAIL:
        return "subject_email";
    case PKIWS__ROLE_SUBJECT_OTHER:
        return "subject_other";
    case PKIWS__ROLE_SAN_EMAIL:
        return "san_email";
    case PKIWS__ROLE_SAN_UPN:
        return "san_upn";
    case PKIWS__ROLE_SAN_OTHERNAME:
        return "san_othername";
    case PKIWS__ROLE_SAN_DNS:
        return "san_dns";
    case PKIWS__ROLE_GIVEN_NAME:
        return "given_name";
    case PKIWS__ROLE_FAMILY_NAME:
        return "family_name";
    case PKIWS__ROLE_SEAT_ID:
        return "seat_id";
    default:
        return "unknown";
    }
}
