/* SPDX-License-Identifier: MIT */
/* The profile and identity options of preflight, issue and policy: checks and application. */
#include "cli.h"

#include <string.h>

const pkiws__cli_opt pkiws__cli_profile_opts[] = {
    {"profile", 0, PKIWS__CLI_VALUE, "OID", "profile OID (Intune: certificate template name)"},
    {"template", 0, PKIWS__CLI_VALUE, "FILE",
     "template from a getPoliciesResponse document instead of the policy service"},
    {"subject-format", 0, PKIWS__CLI_VALUE, "cn|cn-email|cn-as-email",
     "subject name format (default cn)"},
    {"san", 0, PKIWS__CLI_VALUE, "LIST", "SAN types, comma-separated: email,upn,othername"},
    {"key", 0, PKIWS__CLI_VALUE, "rsa2048|rsa3072|rsa4096|p256|p384", "key type (default rsa2048)"},
    {"othername-compat", 0, PKIWS__CLI_FLAG, NULL,
     "send the otherName text base64-encoded unchecked, as the connector does"},
    {"map", 0, PKIWS__CLI_VALUE, "FIELD=ATTRIBUTE",
     "fill template attribute ATTRIBUTE from FIELD (cn, email, upn, ...); repeatable"},
    {NULL, 0, 0, NULL, NULL},
};

const pkiws__cli_opt pkiws__cli_identity_opts[] = {
    {"cn", 0, PKIWS__CLI_VALUE, "NAME", "common name"},
    {"email", 0, PKIWS__CLI_VALUE, "ADDRESS", "e-mail address"},
    {"upn", 0, PKIWS__CLI_VALUE, "UPN", "user principal name"},
    {"othername", 0, PKIWS__CLI_VALUE, "OID=HEX", "otherName SAN: OID and DER value as hex"},
    {"seat", 0, PKIWS__CLI_VALUE, "ID", "seat id"},
    {"given-name", 0, PKIWS__CLI_VALUE, "NAME", "given name (default: from the UPN)"},
    {"family-name", 0, PKIWS__CLI_VALUE, "NAME", "family name (default: from the UPN)"},
    {NULL, 0, 0, NULL, NULL},
};

static void add_int(pkiws__cli_profile_args *p, int option, int value)
{
    p->profile_int[p->nprofile_int][0] = option;
    p->profile_int[p->nprofile_int][1] = value;
    p->nprofile_int++;
}

/* Split "LEFT=RIGHT" at the first '='; 0, or -1 without '=' or with an empty side. */
static int split_eq(const char *text, char **left, const char **right)
{
    const char *eq = strchr(text, '=');
    if (eq == NULL || eq == text || eq[1] == '\0')
        return -1;
    *left = pkiws__cli_printf("%.*s", (int)(eq - text), text);
    *right = eq + 1;
    return 0;
}

int pkiws__cli_profile_check(const pkiws__cli *cli, const pkiws__cli_args *args,
                             pkiws__cli_profile_args *p)
{
    memset(p, 0, sizeof(*p));
    p->template_path = pkiws__cli_arg(args, "template");
    p->oid = pkiws__cli_arg(args, "profile");
    if (p->oid == NULL)
        return pkiws__cli_usage_error(cli, "--profile OID is required");
    const char *v;
    int n;
    if ((v = pkiws__cli_arg(args, "subject-format")) != NULL) {
        if (pkiws__cli_subject_format(v, &n) != 0)
            return pkiws__cli_usage_error(
                cli, "--subject-format '%s': expected cn, cn-email or cn-as-email", v);
        add_int(p, PKIWS_PROFILE_OPT_SUBJECT_FORMAT, n);
        p->selections = 1;
    }
    if ((v = pkiws__cli_arg(args, "san")) != NULL) {
        unsigned set;
        const char *bad;
        size_t bad_len;
        if (pkiws__cli_san_types(v, &set, &bad, &bad_len) != 0)
            return pkiws__cli_usage_error(cli,
                                          "--san '%s': '%.*s' at position %zu is not a SAN "
                                          "type; expected email, upn or othername",
                                          v, (int)bad_len, bad, (size_t)(bad - v) + 1);
        add_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, (int)set);
        p->selections = 1;
    }
    if ((v = pkiws__cli_arg(args, "key")) != NULL) {
        if (pkiws__cli_key_type(v, &n) != 0)
            return pkiws__cli_usage_error(
                cli, "--key '%s': expected rsa2048, rsa3072, rsa4096, p256 or p384", v);
        add_int(p, PKIWS_PROFILE_OPT_KEY_TYPE, n);
    }
    if (pkiws__cli_arg(args, "othername-compat"))
        add_int(p, PKIWS_PROFILE_OPT_OTHERNAME_COMPAT, 1);
    if ((v = pkiws__cli_arg(args, "othername")) != NULL &&
        split_eq(v, &p->othername_oid, &p->othername_hex) != 0)
        return pkiws__cli_usage_error(cli, "--othername '%s': expected OID=HEX", v);
    for (int i = 0; (v = pkiws__cli_arg_nth(args, "map", i)) != NULL; i++) {
        char *field = NULL;
        const char *attr;
        if (split_eq(v, &field, &attr) != 0)
            return pkiws__cli_usage_error(cli, "--map '%s': expected FIELD=ATTRIBUTE", v);
        int ok = pkiws__cli_field(field, &n) == 0;
        pkiws__cli_free(field);
        if (!ok)
            return pkiws__cli_usage_error(cli,
                                          "--map '%s': unknown field; expected cn, "
                                          "subject_email, email, upn, othername, given_name, "
                                          "family_name or seat_id",
                                          v);
    }
    return PKIWS__CLI_EXIT_OK;
}

int pkiws__cli_template_source_check(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    if (pkiws__cli_arg(args, "template") || pkiws__cli_arg(args, "ca") ||
        pkiws__cli_arg(args, "base-url"))
        return PKIWS__CLI_EXIT_OK;
    return pkiws__cli_usage_error(cli, "--template FILE is required, or --ca / --base-url with "
                                       "the RA credential to fetch the template from the CA");
}

static int set_mappings(pkiws_profile *prof, const pkiws__cli_args *args)
{
    const char *v;
    for (int i = 0; (v = pkiws__cli_arg_nth(args, "map", i)) != NULL; i++) {
        char *name = NULL;
        const char *attr;
        int field = 0;
        split_eq(v, &name, &attr); /* checked in pkiws__cli_profile_check */
        pkiws__cli_field(name, &field);
        pkiws__cli_free(name);
        int rc = pkiws_profile_set_mapping(prof, field, attr);
        if (rc != PKIWS_OK)
            return rc;
    }
    return PKIWS_OK;
}

int pkiws__cli_profile_make(pkiws_session *s, const pkiws__cli_args *args,
                            const pkiws__cli_profile_args *p, pkiws_profile **out,
                            pkiws__cli_outcome *o)
{
    pkiws_profile *prof = NULL;
    *out = NULL;
    int rc = pkiws_profile_new(&prof, s, p->oid);
    for (size_t i = 0; rc == PKIWS_OK && i < p->nprofile_int; i++)
        rc = pkiws_profile_set_int(prof, p->profile_int[i][0], p->profile_int[i][1]);
    if (rc == PKIWS_OK)
        rc = set_mappings(prof, args);
    if (rc == PKIWS_OK && p->template_path)
        rc = pkiws_profile_load_template_file(prof, p->template_path);
    if (rc != PKIWS_OK) {
        pkiws__cli_outcome_last(o, rc);
        pkiws_profile_free(prof);
        return rc;
    }
    *out = prof;
    return PKIWS_OK;
}

int pkiws__cli_identity_set(pkiws_request *req, const pkiws__cli_args *args,
                            const pkiws__cli_profile_args *p)
{
    static const struct {
        const char *name;
        int option;
    } strs[] = {
        {"cn", PKIWS_REQUEST_OPT_CN},
        {"email", PKIWS_REQUEST_OPT_EMAIL},
        {"upn", PKIWS_REQUEST_OPT_UPN},
        {"seat", PKIWS_REQUEST_OPT_SEAT_ID},
        {"given-name", PKIWS_REQUEST_OPT_GIVEN_NAME},
        {"family-name", PKIWS_REQUEST_OPT_FAMILY_NAME},
    };
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        const char *v = pkiws__cli_arg(args, strs[i].name);
        int rc = v ? pkiws_request_set_str(req, strs[i].option, v) : PKIWS_OK;
        if (rc != PKIWS_OK)
            return rc;
    }
    if (p->othername_oid)
        return pkiws_request_set_othername(req, p->othername_oid, p->othername_hex);
    return PKIWS_OK;
}

void pkiws__cli_profile_args_dispose(pkiws__cli_profile_args *p)
{
    pkiws__cli_free(p->othername_oid);
    p->othername_oid = NULL;
}

int pkiws__cli_conn_profile_check(const pkiws__cli *cli, const pkiws__cli_args *args,
                                  pkiws__cli_profile_args *p)
{
    memset(p, 0, sizeof(*p));
    int rc = pkiws__cli_conn_check(cli, args);
    return rc == PKIWS__CLI_EXIT_OK ? pkiws__cli_profile_check(cli, args, p) : rc;
}

int pkiws__cli_profile_args_read(const pkiws__cli *cli, const pkiws__cli_args *args,
                                 pkiws__cli_profile_args *p)
{
    int rc = pkiws__cli_conn_profile_check(cli, args, p);
    if (rc == PKIWS__CLI_EXIT_OK)
        rc = pkiws__cli_template_source_check(cli, args);
    if (rc != PKIWS__CLI_EXIT_OK)
        pkiws__cli_profile_args_dispose(p);
    return rc;
}
