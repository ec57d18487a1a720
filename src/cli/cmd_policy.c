/* SPDX-License-Identifier: MIT */
/* `pkiws policy`: show a profile's template (fetched from the policy service or a file). */
#include "cli.h"

#include <string.h>

/* The template facts of pkiws_profile_template_int, as JSON members / text. */
static const struct {
    const char *key;
    int item;
} FACTS[] = {
    {"key_size", PKIWS_TEMPLATE_KEY_SIZE},
    {"validity_days", PKIWS_TEMPLATE_VALIDITY_DAYS},
    {"next_update_hours", PKIWS_TEMPLATE_NEXT_UPDATE_HOURS},
    {"ca_count", PKIWS_TEMPLATE_CA_COUNT},
};

/* A profile with its template; the verdicts into r->res when --subject-format / --san were
 * given. */
static void load(const pkiws__cli *cli, const pkiws__cli_args *args,
                 const pkiws__cli_profile_args *p, pkiws_profile **prof, pkiws__cli_run *r)
{
    *prof = NULL;
    if (pkiws__cli_session(cli, args, &r->s, &r->o) != PKIWS_OK)
        return;
    if (pkiws__cli_profile_make(r->s, args, p, prof, &r->o) != PKIWS_OK)
        return;
    int rc = PKIWS_OK;
    if (p->template_path == NULL && (rc = pkiws_profile_fetch_policy(*prof)) != PKIWS_OK) {
        pkiws__cli_outcome_last(&r->o, rc);
        pkiws_profile_free(*prof);
        *prof = NULL;
        return;
    }
    if (p->selections) {
        rc = pkiws_profile_verify(*prof, &r->res);
        pkiws__cli_outcome_result(&r->o, r->res, rc);
    }
}

/* One template attribute. */
typedef struct attr {
    const char *name, *type, *fixed;
    int mandatory, in_san, field;
} attr;

/* Attribute @p i; -1 when the library does not have it. */
static int get_attr(const pkiws_profile *prof, size_t i, attr *a)
{
    memset(a, 0, sizeof(*a));
    return pkiws_profile_template_attribute(prof, i, &a->name, &a->type, &a->fixed, &a->mandatory,
                                            &a->in_san, &a->field) == PKIWS_OK
               ? 0
               : -1;
}

static int64_t fact(const pkiws_profile *prof, int item, int *have)
{
    int64_t v = 0;
    *have = prof && pkiws_profile_template_int(prof, item, &v) == PKIWS_OK;
    return v;
}

static void json_policy(pkiws__cli_json *j, const pkiws_profile *prof)
{
    int have;
    for (size_t i = 0; i < sizeof(FACTS) / sizeof(FACTS[0]); i++) {
        int64_t v = fact(prof, FACTS[i].item, &have);
        if (!have || (FACTS[i].item == PKIWS_TEMPLATE_NEXT_UPDATE_HOURS && v < 0))
            pkiws__cli_json_kstr(j, FACTS[i].key, NULL);
        else
            pkiws__cli_json_kint(j, FACTS[i].key, v);
    }
    int64_t ec = fact(prof, PKIWS_TEMPLATE_KEY_IS_EC, &have);
    pkiws__cli_json_kstr(j, "key_algorithm", have ? (ec ? "ec" : "rsa") : NULL);
    int64_t n = fact(prof, PKIWS_TEMPLATE_ATTRIBUTE_COUNT, &have);
    pkiws__cli_json_key(j, "attributes");
    pkiws__cli_json_array(j);
    for (size_t i = 0; have && i < (size_t)n; i++) {
        attr a;
        if (get_attr(prof, i, &a) != 0)
            continue;
        pkiws__cli_json_object(j);
        pkiws__cli_json_kstr(j, "name", a.name);
        pkiws__cli_json_kstr(j, "type", a.type);
        pkiws__cli_json_kstr(j, "fixed_value", a.fixed);
        pkiws__cli_json_kbool(j, "mandatory", a.mandatory);
        pkiws__cli_json_kstr(j, "part", a.in_san ? "san" : "subject");
        pkiws__cli_json_kstr(j, "field", a.field ? pkiws_field_name(a.field) : NULL);
        pkiws__cli_json_end(j);
    }
    pkiws__cli_json_end(j);
}

static void print_policy(const char *oid, const pkiws_profile *prof, const char *source)
{
    int have;
    printf("profile: %s (template from %s)\n", oid, source);
    int64_t size = fact(prof, PKIWS_TEMPLATE_KEY_SIZE, &have);
    int64_t ec = fact(prof, PKIWS_TEMPLATE_KEY_IS_EC, &have);
    printf("key: %s", ec ? "EC" : "RSA");
    if (size > 0)
        printf(" %lld bits", (long long)size);
    printf("\n");
    int64_t days = fact(prof, PKIWS_TEMPLATE_VALIDITY_DAYS, &have);
    if (have && days > 0)
        printf("validity: %lld days\n", (long long)days);
    int64_t hours = fact(prof, PKIWS_TEMPLATE_NEXT_UPDATE_HOURS, &have);
    if (have && hours >= 0)
        printf("next update: %lld hours\n", (long long)hours);
    else
        printf("next update: not given (the session's cache time applies)\n");
    printf("CA certificates: %lld\n", (long long)fact(prof, PKIWS_TEMPLATE_CA_COUNT, &have));
    int64_t n = fact(prof, PKIWS_TEMPLATE_ATTRIBUTE_COUNT, &have);
    printf("attributes:\n  %-20s %-38s %-9s %-7s %-14s %s\n", "name", "type", "mandatory", "part",
           "filled from", "fixed value");
    for (size_t i = 0; have && i < (size_t)n; i++) {
        attr a;
        if (get_attr(prof, i, &a) != 0)
            continue;
        const char *from = a.field ? pkiws_field_name(a.field) : a.fixed ? "(fixed)" : "-";
        printf("  %-20s %-38s %-9s %-7s ", a.name ? a.name : "", a.type ? a.type : "-",
               a.mandatory ? "yes" : "no", a.in_san ? "SAN" : "subject");
        if (a.fixed)
            printf("%-14s %s\n", from, a.fixed);
        else
            printf("%s\n", from);
    }
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    pkiws__cli_profile_args p;
    int rc = pkiws__cli_profile_args_read(cli, args, &p);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    pkiws_profile *prof = NULL;
    load(cli, args, &p, &prof, &r);
    const char *source = p.template_path ? p.template_path : "the policy service";

    if (pkiws__cli_run_json(cli, &r)) {
        pkiws__cli_json_kstr(&r.j, "profile", p.oid);
        pkiws__cli_json_kstr(&r.j, "template", p.template_path);
        json_policy(&r.j, prof);
        pkiws__cli_json_checks(&r.j, r.res);
    } else if (prof != NULL) {
        print_policy(p.oid, prof, source);
        if (r.res)
            pkiws__cli_print_checks(r.res);
    }
    pkiws_profile_free(prof);
    pkiws__cli_profile_args_dispose(&p);
    return pkiws__cli_run_end(cli, &r);
}

const pkiws__cli_cmd pkiws__cli_cmd_policy = {
    .name = "policy",
    .summary = "show a profile's template: attributes, key, validity, CA certificates",
    .synopsis = "--profile OID [--template FILE] [--map FIELD=ATTRIBUTE] [--subject-format F "
                "--san LIST] [(--ca FQDN | --base-url URL) RA-CREDENTIAL]",
    .groups = {{"Profile options", pkiws__cli_profile_opts},
               {"Connection options (to fetch the template when there is no --template)",
                pkiws__cli_conn_opts},
               {NULL, NULL},
               {NULL, NULL}},
    .min_pos = 0,
    .max_pos = 0,
    .run = run,
};
