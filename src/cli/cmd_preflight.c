/* SPDX-License-Identifier: MIT */
/* `pkiws preflight`: resolve subject and SANs by the Intune rules and check the template. */
#include "cli.h"

#include <string.h>

/* Everything up to the pre-flight; on a failure before it, *res stays NULL and o is set. */
static void run_preflight(const pkiws__cli *cli, const pkiws__cli_args *args,
                          const pkiws__cli_profile_args *p, pkiws_result **res,
                          pkiws__cli_outcome *o)
{
    pkiws_session *s = NULL;
    pkiws_profile *prof = NULL;
    pkiws_request *req = NULL;
    *res = NULL;
    if (pkiws__cli_session(cli, args, &s, o) != PKIWS_OK)
        return;
    if (pkiws__cli_profile_make(s, args, p, &prof, o) == PKIWS_OK) {
        int rc = pkiws_request_new(&req, prof);
        if (rc == PKIWS_OK)
            rc = pkiws__cli_identity_set(req, args, p);
        if (rc == PKIWS_OK) {
            rc = pkiws_preflight(req, res); /* fetches the template when none was loaded */
            pkiws__cli_outcome_result(o, *res, rc);
        } else
            pkiws__cli_outcome_last(o, rc);
    }
    pkiws_request_free(req);
    pkiws_profile_free(prof);
    pkiws_session_free(s);
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    pkiws__cli_profile_args p;
    int rc = pkiws__cli_profile_args_read(cli, args, &p);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
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
    pkiws__cli_profile_args_dispose(&p);
    return pkiws__cli_finish(cli, &o);
}

const pkiws__cli_cmd pkiws__cli_cmd_preflight = {
    .name = "preflight",
    .summary = "resolve subject and SANs by the Intune rules and check them against the template",
    .synopsis = "--profile OID [--template FILE] [--subject-format F] [--san LIST] [--cn NAME] "
                "[--email ADDRESS] [--upn UPN] [--othername OID=HEX] [--seat ID] [OPTIONS]",
    .groups = {{"Profile options", pkiws__cli_profile_opts},
               {"Identity options", pkiws__cli_identity_opts},
               {"Connection options (to fetch the template when there is no --template)",
                pkiws__cli_conn_opts},
               {NULL, NULL}},
    .min_pos = 0,
    .max_pos = 0,
    .run = run,
};
