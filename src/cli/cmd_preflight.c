/* SPDX-License-Identifier: MIT */
/* `pkiws preflight`: resolve subject and SANs by the Intune rules and check the template. */
#include "cli.h"

#include <string.h>

static const pkiws__cli_opt OPTS[] = {
    {"template", 0, PKIWS__CLI_VALUE, "FILE", "template: a getPoliciesResponse document"},
    {"profile", 0, PKIWS__CLI_VALUE, "OID", "profile OID (Intune: certificate template name)"},
    {"subject-format", 0, PKIWS__CLI_VALUE, "cn|cn-email|cn-as-email",
     "subject name format (default cn)"},
    {"san", 0, PKIWS__CLI_VALUE, "LIST", "SAN types, comma-separated: email,upn,othername"},
    {"cn", 0, PKIWS__CLI_VALUE, "NAME", "common name"},
    {"email", 0, PKIWS__CLI_VALUE, "ADDRESS", "e-mail address"},
    {"upn", 0, PKIWS__CLI_VALUE, "UPN", "user principal name"},
    {"othername", 0, PKIWS__CLI_VALUE, "OID=HEX", "otherName SAN: OID and DER value as hex"},
    {"othername-compat", 0, PKIWS__CLI_FLAG, NULL,
     "send the otherName text base64-encoded unchecked, as the connector does"},
    {"seat", 0, PKIWS__CLI_VALUE, "ID", "seat id"},
    {"given-name", 0, PKIWS__CLI_VALUE, "NAME", "given name (default: from the UPN)"},
    {"family-name", 0, PKIWS__CLI_VALUE, "NAME", "family name (default: from the UPN)"},
    {"key", 0, PKIWS__CLI_VALUE, "rsa2048|rsa3072|rsa4096|p256|p384", "key type (default rsa2048)"},
    {"map", 0, PKIWS__CLI_VALUE, "FIELD=ATTRIBUTE",
     "fill template attribute ATTRIBUTE from FIELD (cn, email, upn, ...); repeatable"},
    {NULL, 0, 0, NULL, NULL},
};

/* The checked form of the options. */
typedef struct preflight {
    const char *template_path;
    const char *oid;
    int profile_int[4][2]; /* {option, value} pairs to set on the profile */
    size_t nprofile_int;
    char *othername_oid; /* owned */
    const char *othername_hex;
} preflight;

static void add_int(preflight *p, int option, int value)
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

static int check_usage(const pkiws__cli *cli, const pkiws__cli_args *args, preflight *p)
{
    int rc = pkiws__cli_conn_check(cli, args);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    p->template_path = pkiws__cli_arg(args, "template");
    p->oid = pkiws__cli_arg(args, "profile");
    if (p->oid == NULL)
        return pkiws__cli_usage_error(cli, "--profile OID is required");
    if (p->template_path == NULL)
        return pkiws__cli_usage_error(cli, "--template FILE is required (this version reads "
                                           "the template offline only)");
    const char *v;
    int n;
    if ((v = pkiws__cli_arg(args, "subject-format")) != NULL) {
        if (pkiws__cli_subject_format(v, &n) != 0)
            return pkiws__cli_usage_error(
                cli, "--subject-format '%s': expected cn, cn-email or cn-as-email", v);
        add_int(p, PKIWS_PROFILE_OPT_SUBJECT_FORMAT, n);
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

static int set_mappings(pkiws_profile *prof, const pkiws__cli_args *args)
{
    const char *v;
    for (int i = 0; (v = pkiws__cli_arg_nth(args, "map", i)) != NULL; i++) {
        char *name = NULL;
        const char *attr;
        int field = 0;
        split_eq(v, &name, &attr); /* checked in check_usage */
        pkiws__cli_field(name, &field);
        pkiws__cli_free(name);
        int rc = pkiws_profile_set_mapping(prof, field, attr);
        if (rc != PKIWS_OK)
            return rc;
    }
    return PKIWS_OK;
}

static int set_request(pkiws_request *req, const pkiws__cli_args *args, const preflight *p)
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

/* Everything up to the pre-flight; on a failure before it, *res stays NULL and o is set. */
static void run_preflight(const pkiws__cli *cli, const pkiws__cli_args *args, const preflight *p,
                          pkiws_result **res, pkiws__cli_outcome *o)
{
    pkiws_session *s = NULL;
    pkiws_profile *prof = NULL;
    pkiws_request *req = NULL;
    *res = NULL;
    if (pkiws__cli_session(cli, args, &s, o) != PKIWS_OK)
        return;
    int rc = pkiws_profile_new(&prof, s, p->oid);
    for (size_t i = 0; rc == PKIWS_OK && i < p->nprofile_int; i++)
        rc = pkiws_profile_set_int(prof, p->profile_int[i][0], p->profile_int[i][1]);
    if (rc == PKIWS_OK)
        rc = set_mappings(prof, args);
    if (rc == PKIWS_OK)
        rc = pkiws_profile_load_template_file(prof, p->template_path);
    if (rc == PKIWS_OK)
        rc = pkiws_request_new(&req, prof);
    if (rc == PKIWS_OK)
        rc = set_request(req, args, p);
    if (rc == PKIWS_OK) {
        rc = pkiws_preflight(req, res);
        pkiws__cli_outcome_result(o, *res, rc);
    } else
        pkiws__cli_outcome_last(o, rc);
    pkiws_request_free(req);
    pkiws_profile_free(prof);
    pkiws_session_free(s);
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    preflight p;
    memset(&p, 0, sizeof(p));
    int rc = check_usage(cli, args, &p);
    if (rc != PKIWS__CLI_EXIT_OK) {
        pkiws__cli_free(p.othername_oid);
        return rc;
    }
    pkiws__cli_outcome o;
    pkiws__cli_outcome_init(&o);
    pkiws_result *res = NULL;
    run_preflight(cli, args, &p, &res, &o);

    if (cli->json) {
        pkiws__cli_json j;
        pkiws__cli_json_begin(&j, &o);
        pkiws__cli_json_kstr(&j, "profile", p.oid);
        pkiws__cli_json_kstr(&j, "template", p.template_path);
        pkiws__cli_json_trace(&j, res);
        pkiws__cli_json_checks(&j, res);
        pkiws__cli_json_finish(&j);
    } else if (res != NULL) {
        printf("profile: %s\n", p.oid);
        pkiws__cli_print_trace(res);
        pkiws__cli_print_checks(res);
        printf("preflight: %s\n", o.code == PKIWS_OK ? "ok" : pkiws_error_name(o.code));
    }
    pkiws_result_free(res);
    pkiws__cli_free(p.othername_oid);
    return pkiws__cli_finish(cli, &o);
}

const pkiws__cli_cmd pkiws__cli_cmd_preflight = {
    "preflight",
    "resolve subject and SANs by the Intune rules and check them against the template",
    "--template FILE --profile OID [--subject-format F] [--san LIST] [--cn NAME] "
    "[--email ADDRESS] [--upn UPN] [--othername OID=HEX] [--seat ID] [OPTIONS]",
    OPTS,
    pkiws__cli_conn_opts,
    0,
    0,
    run,
};
