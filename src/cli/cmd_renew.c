/* SPDX-License-Identifier: MIT */
/* `pkiws renew`: renew a certificate for the same seat (RequestSecurityToken Renew) and write
 * the new PFX; with --if-due only inside the renewal window. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const pkiws__cli_opt OPTS[] = {
    {"cert", 0, PKIWS__CLI_VALUE, "FILE", "the certificate to renew, PEM or DER"},
    {"out", 0, PKIWS__CLI_VALUE, "FILE.pfx", "where to write the new PFX (mode 0600)"},
    {"pfx-pass", 0, PKIWS__CLI_SECRET, "PASS", "PFX password (default: a generated one, printed)"},
    {"pfx-preset", 0, PKIWS__CLI_VALUE, "legacy|modern",
     "legacy: 3DES + HMAC-SHA-1 (default); modern: AES-256 + HMAC-SHA-256"},
    {"chain-out", 0, PKIWS__CLI_VALUE, "FILE.pem", "also write the chain (issuing CA first), PEM"},
    {"friendly-name", 0, PKIWS__CLI_VALUE, "NAME", "friendlyName of the key in the PFX"},
    {"if-due", 0, PKIWS__CLI_VALUE, "DAYS",
     "renew only when the certificate expires within DAYS days (or has expired); else exit 0 "
     "without contacting the CA"},
    {NULL, 0, 0, NULL, NULL},
};

typedef struct renew_args {
    const char *cert, *out, *chain;
    int preset;
    int if_due; /* -1: renew in any case */
} renew_args;

static int check_usage(const pkiws__cli *cli, const pkiws__cli_args *args, renew_args *a)
{
    a->cert = pkiws__cli_arg(args, "cert");
    a->out = pkiws__cli_arg(args, "out");
    a->chain = pkiws__cli_arg(args, "chain-out");
    a->if_due = -1;
    if (a->cert == NULL)
        return pkiws__cli_usage_error(cli, "--cert FILE (the certificate to renew) is required");
    if (a->out == NULL)
        return pkiws__cli_usage_error(cli, "--out FILE.pfx is required");
    const char *v = pkiws__cli_arg(args, "pfx-preset");
    if (v && pkiws__cli_pfx_preset(v, &a->preset) != 0)
        return pkiws__cli_usage_error(cli, "--pfx-preset '%s': expected legacy or modern", v);
    if ((v = pkiws__cli_arg(args, "if-due")) != NULL) {
        char *end = NULL;
        long d = strtol(v, &end, 10);
        if (end == v || *end || d < 0 || d > 36500)
            return pkiws__cli_usage_error(cli, "--if-due '%s': expected days, 0 to 36500", v);
        a->if_due = (int)d;
    }
    if (strcmp(a->out, a->cert) == 0 || (a->chain && strcmp(a->chain, a->cert) == 0))
        return pkiws__cli_usage_error(cli, "--out/--chain-out would overwrite --cert '%s'",
                                      a->cert);
    if (a->chain && strcmp(a->chain, a->out) == 0)
        return pkiws__cli_usage_error(cli, "--chain-out and --out name the same file '%s'", a->out);
    return PKIWS__CLI_EXIT_OK;
}

/* *due = 0 when --if-due says not yet. */
static void renew(const pkiws__cli *cli, const pkiws__cli_args *args,
                  const pkiws__cli_profile_args *p, const renew_args *a, int *due,
                  pkiws__cli_run *r)
{
    pkiws__cli_outcome *o = &r->o;
    pkiws__cli_data cert;
    memset(&cert, 0, sizeof(cert));
    pkiws_profile *prof = NULL;
    pkiws_request *req = NULL;
    *due = 1;
    if (pkiws__cli_read("certificate file", a->cert, 0, &cert, o) != PKIWS_OK)
        return;
    int rc = PKIWS_OK;
    if (a->if_due >= 0) {
        rc = pkiws_cert_renewal_due(cert.p, cert.len, (int64_t)time(NULL), a->if_due, due);
        if (rc != PKIWS_OK)
            pkiws__cli_outcome_last(o, rc);
        if (rc != PKIWS_OK || !*due)
            goto out;
    }
    if (pkiws__cli_check_writable("PFX file", a->out, o) != PKIWS_OK ||
        (a->chain && pkiws__cli_check_writable("chain file", a->chain, o) != PKIWS_OK))
        goto out;
    r->w.password_generated = pkiws__cli_arg(args, "pfx-pass") == NULL;
    if (pkiws__cli_session(cli, args, &r->s, o) != PKIWS_OK ||
        pkiws__cli_profile_make(r->s, args, p, &prof, o) != PKIWS_OK)
        goto out;
    rc = pkiws_request_new(&req, prof);
    if (rc == PKIWS_OK)
        rc = pkiws__cli_identity_set(req, args, p);
    const char *pass = pkiws__cli_arg(args, "pfx-pass");
    const char *fname = pkiws__cli_arg(args, "friendly-name");
    if (rc == PKIWS_OK && pass)
        rc = pkiws_request_set_str(req, PKIWS_REQUEST_OPT_PFX_PASSWORD, pass);
    if (rc == PKIWS_OK && fname)
        rc = pkiws_request_set_str(req, PKIWS_REQUEST_OPT_FRIENDLY_NAME, fname);
    if (rc == PKIWS_OK && a->preset)
        rc = pkiws_request_set_int(req, PKIWS_REQUEST_OPT_PFX_PRESET, a->preset);
    if (rc != PKIWS_OK) {
        pkiws__cli_outcome_last(o, rc);
        goto out;
    }
    rc = pkiws_renew(req, cert.p, cert.len, &r->res);
    pkiws__cli_outcome_result(o, r->res, rc);
    if (r->res != NULL && o->code == PKIWS_OK && o->status == PKIWS_STATUS_OK)
        pkiws__cli_write_issued(r->res, a->out, a->chain, &r->w, o);
    else if (r->res != NULL && o->code == PKIWS_OK && o->status == PKIWS_STATUS_PENDING)
        pkiws__cli_outcome_fail(o, PKIWS_E_UNSUPPORTED,
                                "the CA holds the renewal for approval (reference %s); "
                                "pkiws renew does not keep pending renewals: run it again "
                                "once approved",
                                pkiws_result_str(r->res, PKIWS_RESULT_PENDING_REF));
out:
    pkiws__cli_data_dispose(&cert);
    pkiws_request_free(req);
    pkiws_profile_free(prof);
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    pkiws__cli_profile_args p;
    renew_args a;
    memset(&a, 0, sizeof(a));
    int rc = pkiws__cli_conn_profile_check(cli, args, &p);
    if (rc == PKIWS__CLI_EXIT_OK)
        rc = check_usage(cli, args, &a);
    if (rc != PKIWS__CLI_EXIT_OK) {
        pkiws__cli_profile_args_dispose(&p);
        return rc;
    }
    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    int due = 1;
    renew(cli, args, &p, &a, &due, &r);

    if (pkiws__cli_run_json(cli, &r)) {
        pkiws__cli_json_kstr(&r.j, "profile", p.oid);
        pkiws__cli_json_kstr(&r.j, "renewed_cert", a.cert);
        pkiws__cli_json_kbool(&r.j, "due", due);
        pkiws__cli_json_issued(&r.j, r.res, &r.w);
    } else if (!due) {
        printf("not due: '%s' expires in more than %d days; nothing renewed\n", a.cert, a.if_due);
    } else if (r.res != NULL && pkiws_result_status(r.res) == PKIWS_STATUS_OK &&
               r.o.code == PKIWS_OK) {
        printf("%-22s %s\n", "profile:", p.oid);
        printf("%-22s %s\n", "renewed:", a.cert);
        pkiws__cli_print_issued(r.res, &r.w);
    }
    pkiws__cli_profile_args_dispose(&p);
    return pkiws__cli_run_end(cli, &r);
}

const pkiws__cli_cmd pkiws__cli_cmd_renew = {
    .name = "renew",
    .summary = "renew a certificate for the same seat and write the new PFX",
    .synopsis = "--cert FILE --profile OID --out FILE.pfx [--if-due DAYS] [--pfx-pass PASS] "
                "[--chain-out FILE.pem] [--cn NAME] [--email ADDRESS] [--upn UPN] [--seat ID] "
                "[OPTIONS] (--ca FQDN | --base-url URL) RA-CREDENTIAL",
    .groups = {{"Options", OPTS},
               {"Profile options", pkiws__cli_profile_opts},
               {"Identity options", pkiws__cli_identity_opts},
               {"Connection options", pkiws__cli_conn_opts}},
    .min_pos = 0,
    .max_pos = 0,
    .run = run,
};
