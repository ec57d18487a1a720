/* SPDX-License-Identifier: MIT */
/* `pkiws preflight`: resolve subject and SANs by the Intune rules and check the template. */
#include "cli.h"

#include <string.h>

/* Everything up to the pre-flight; on a failure before it, r->res stays NULL and r->o is set. */
static void run_preflight(const pkiws__cli *cli, const pkiws__cli_args *args,
                          const pkiws__cli_profile_args *p, pkiws__cli_run *r)
{
    pkiws_profile *prof = NULL;
    pkiws_request *req = NULL;
    if (pkiws__cli_session(cli, args, &r->s, &r->o) != PKIWS_OK)
        return;
    if (pkiws__cli_profile_make(r->s, args, p, &prof, &r->o) == PKIWS_OK) {
        int rc = pkiws_request_new(&req, prof);
        if (rc == PKIWS_OK)
            rc = pkiws__cli_identity_set(req, args, p);
        if (rc == PKIWS_OK) {
            rc = pkiws_preflight(req, &r->res); /* fetches the template when none was loaded */
            pkiws__cli_outcome_result(&r->o, r->res, rc);
        } else
            pkiws__cli_outcome_last(&r->o, rc);
    }
    pkiws_request_free(req);
    pkiws_profile_free(prof);
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    pkiws__cli_profile_args p;
    int rc = pkiws__cli_profile_args_read(cli, args, &p);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    run_preflight(cli, args, &p, &r);

    if (pkiws__cli_run_json(cli, &r)) {
        pkiws__cli_json_kstr(&r.j, "profile", p.oid);
        pkiws__cli_json_kstr(&r.j, "template", p.template_path);
        pkiws__cli_json_trace(&r.j, r.res);
        pkiws__cli_json_checks(&r.j, r.res);
    } else if (r.res != NULL) {
        printf("profile: %s\n", p.oid);
        pkiws__cli_print_trace(r.res);
        pkiws__cli_print_checks(r.res);
        printf("preflight: %s\n", r.o.code == PKIWS_OK ? "ok" : pkiws_error_name(r.o.code));
    }
    pkiws__cli_profile_args_dispose(&p);
    return pkiws__cli_run_end(cli, &r);
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
