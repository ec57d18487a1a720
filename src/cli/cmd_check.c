/* SPDX-License-Identifier: MIT */
/* `pkiws check`: the health report (configuration, RA credential, network, TLS, service). */
#include "cli.h"

#include <string.h>

static const pkiws__cli_opt OPTS[] = {
    {"profile", 0, PKIWS__CLI_VALUE, "OID", "also ask the service about this profile"},
    {NULL, 0, 0, NULL, NULL},
};

/* Short verdict words for the text report. */
static const char *word(int verdict)
{
    switch (verdict) {
    case PKIWS_VERDICT_OK:
        return "ok";
    case PKIWS_VERDICT_WARN:
        return "warn";
    default:
        return "FAIL";
    }
}

static void print_steps(const pkiws_result *res)
{
    size_t n = pkiws_result_check_count(res);
    for (size_t i = 0; i < n; i++) {
        const char *name = NULL, *detail = NULL, *remedy = NULL;
        int verdict = 0;
        if (pkiws_result_check(res, i, &name, &verdict, &detail, &remedy) != PKIWS_OK)
            continue;
        printf("  %-4s  %-20s %s\n", word(verdict), name ? name : "", detail ? detail : "");
        if (verdict != PKIWS_VERDICT_OK && remedy && *remedy)
            printf("  %-4s  %-20s remedy: %s\n", "", "", remedy);
    }
}

/* When the options cannot make a session, that is the first failing step: the JSON still has
 * a "checks" list naming it. */
static void json_options_step(pkiws__cli_json *j, const pkiws__cli_outcome *o)
{
    pkiws__cli_json_key(j, "checks");
    pkiws__cli_json_array(j);
    pkiws__cli_json_object(j);
    pkiws__cli_json_kstr(j, "name", "options");
    pkiws__cli_json_kstr(j, "verdict", pkiws_verdict_name(PKIWS_VERDICT_FAIL));
    pkiws__cli_json_kstr(j, "detail", o->message);
    pkiws__cli_json_kstr(j, "remedy", o->remedy);
    pkiws__cli_json_end(j);
    pkiws__cli_json_end(j);
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    int rc = pkiws__cli_conn_check(cli, args);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    const char *oid = pkiws__cli_arg(args, "profile");
    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    if (pkiws__cli_session(cli, args, &r.s, &r.o) == PKIWS_OK) {
        rc = pkiws_check(r.s, oid, &r.res);
        pkiws__cli_outcome_result(&r.o, r.res, rc);
    }

    if (pkiws__cli_run_json(cli, &r)) {
        pkiws__cli_json_kstr(&r.j, "profile", oid);
        if (r.s == NULL)
            json_options_step(&r.j, &r.o);
        else
            pkiws__cli_json_checks(&r.j, r.res);
    } else if (r.res != NULL) {
        printf("health check%s%s:\n", oid ? " for profile " : "", oid ? oid : "");
        print_steps(r.res);
        printf("check: %s\n", r.o.code == PKIWS_OK ? "ok" : pkiws_error_name(r.o.code));
    }
    return pkiws__cli_run_end(cli, &r);
}

const pkiws__cli_cmd pkiws__cli_cmd_check = {
    .name = "check",
    .summary = "health report: configuration, RA credential, name, TCP, TLS, service, policy",
    .synopsis = "[--profile OID] (--ca FQDN | --base-url URL) RA-CREDENTIAL [--trust FILE]",
    .groups = {{"Options", OPTS},
               {"Connection options", pkiws__cli_conn_opts},
               {NULL, NULL},
               {NULL, NULL}},
    .min_pos = 0,
    .max_pos = 0,
    .run = run,
};
