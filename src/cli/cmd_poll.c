/* SPDX-License-Identifier: MIT */
/* `pkiws poll`: finish a pending request from its pending file and write the PFX. */
#include "cli.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static const pkiws__cli_opt OPTS[] = {
    {"pending", 0, PKIWS__CLI_VALUE, "FILE.pfx.pending", "the pending file 'pkiws issue' wrote"},
    {"pfx-pass", 0, PKIWS__CLI_SECRET, "PASS",
     "the PFX password the pending key is encrypted with (optional when the CA makes the key: "
     "one is made and printed)"},
    {"out", 0, PKIWS__CLI_VALUE, "FILE.pfx",
     "where to write the PFX (default: the pending file's "
     "name without .pending)"},
    {"chain-out", 0, PKIWS__CLI_VALUE, "FILE.pem", "also write the chain (issuing CA first), PEM"},
    {"pfx-preset", 0, PKIWS__CLI_VALUE, "legacy|modern", "PFX preset (default: as at issue)"},
    {"friendly-name", 0, PKIWS__CLI_VALUE, "NAME", "friendlyName (default: as at issue)"},
    {"template", 0, PKIWS__CLI_VALUE, "FILE",
     "template document, only to complete the chain (default: the policy service's)"},
    {NULL, 0, 0, NULL, NULL},
};

static const char SUFFIX[] = ".pending";

/* The checked options. */
typedef struct poll_args {
    const char *pending;
    char *out; /* owned */
    int preset;
} poll_args;

static int check_usage(const pkiws__cli *cli, const pkiws__cli_args *args, poll_args *a)
{
    int rc = pkiws__cli_conn_check(cli, args);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    a->pending = pkiws__cli_arg(args, "pending");
    if (a->pending == NULL)
        return pkiws__cli_usage_error(cli, "--pending FILE is required");
    const char *v = pkiws__cli_arg(args, "pfx-preset");
    if (v && pkiws__cli_pfx_preset(v, &a->preset) != 0)
        return pkiws__cli_usage_error(cli, "--pfx-preset '%s': expected legacy or modern", v);
    const char *out = pkiws__cli_arg(args, "out");
    size_t len = strlen(a->pending), sl = sizeof(SUFFIX) - 1;
    if (out)
        a->out = pkiws__cli_strdup(out);
    else if (len > sl && strcmp(a->pending + len - sl, SUFFIX) == 0)
        a->out = pkiws__cli_printf("%.*s", (int)(len - sl), a->pending);
    else
        return pkiws__cli_usage_error(
            cli, "--pending '%s' does not end in '%s': give --out FILE.pfx", a->pending, SUFFIX);
    const char *chain = pkiws__cli_arg(args, "chain-out");
    if (strcmp(a->out, a->pending) == 0 || (chain && strcmp(chain, a->pending) == 0))
        return pkiws__cli_usage_error(
            cli, "--out/--chain-out would overwrite the pending file '%s'", a->pending);
    if (chain && strcmp(chain, a->out) == 0)
        return pkiws__cli_usage_error(cli, "--chain-out and --out name the same file '%s'", chain);
    return PKIWS__CLI_EXIT_OK;
}

/* The request from the pending file and the options. */
static int make_request(pkiws_profile *prof, const pkiws__cli_args *args, const poll_args *a,
                        const pkiws__cli_pending *pf, pkiws_request **out, pkiws__cli_outcome *o)
{
    int preset = a->preset;
    if (preset == 0 && pf->pfx_preset && pkiws__cli_pfx_preset(pf->pfx_preset, &preset) != 0) {
        pkiws__cli_outcome_fail(o, PKIWS_E_INVALID_ARG,
                                "pending file '%s': pfx-preset '%s' is not legacy or modern",
                                a->pending, pf->pfx_preset);
        return PKIWS_E_INVALID_ARG;
    }
    const char *fname = pkiws__cli_arg(args, "friendly-name");
    if (fname == NULL)
        fname = pf->friendly_name;
    const char *pass = pkiws__cli_arg(args, "pfx-pass");
    const struct {
        int option;
        const char *value;
    } strs[] = {
        {PKIWS_REQUEST_OPT_PENDING_REF, pf->reference}, {PKIWS_REQUEST_OPT_CN, pf->cn},
        {PKIWS_REQUEST_OPT_EMAIL, pf->email},           {PKIWS_REQUEST_OPT_UPN, pf->upn},
        {PKIWS_REQUEST_OPT_SEAT_ID, pf->seat},          {PKIWS_REQUEST_OPT_PFX_PASSWORD, pass},
        {PKIWS_REQUEST_OPT_FRIENDLY_NAME, fname},
    };
    pkiws_request *req = NULL;
    int rc = pkiws_request_new(&req, prof);
    for (size_t i = 0; rc == PKIWS_OK && i < sizeof(strs) / sizeof(strs[0]); i++)
        if (strs[i].value)
            rc = pkiws_request_set_str(req, strs[i].option, strs[i].value);
    if (rc == PKIWS_OK && preset)
        rc = pkiws_request_set_int(req, PKIWS_REQUEST_OPT_PFX_PRESET, preset);
    if (rc == PKIWS_OK && pf->key_pem && pass == NULL) {
        pkiws__cli_outcome_fail(o, PKIWS_E_INVALID_ARG,
                                "--pfx-pass PASS (or --pfx-pass-env VAR) is required: the key in "
                                "pending file '%s' is encrypted with it",
                                a->pending);
        pkiws_request_free(req);
        return PKIWS_E_INVALID_ARG;
    }
    if (rc == PKIWS_OK && pf->key_pem) /* else the CA makes the key (key-made-by: ca) */
        rc = pkiws_request_set_key(req, pf->key_pem, strlen(pf->key_pem), pass);
    if (rc != PKIWS_OK) {
        pkiws__cli_outcome_last(o, rc);
        pkiws_request_free(req);
        return rc;
    }
    *out = req;
    return PKIWS_OK;
}

/* Read the pending file, poll, write the PFX; *removed tells whether the file is gone. */
static void poll(const pkiws__cli *cli, const pkiws__cli_args *args, const poll_args *a,
                 pkiws__cli_run *r, int *removed, char **profile)
{
    pkiws__cli_outcome *o = &r->o;
    pkiws__cli_data data;
    pkiws__cli_pending pf;
    memset(&pf, 0, sizeof(pf));
    pkiws_profile *prof = NULL;
    pkiws_request *req = NULL;
    const char *tmpl = pkiws__cli_arg(args, "template");
    *removed = 0;
    r->w.pending_file = pkiws__cli_strdup(a->pending);
    r->w.password_generated = pkiws__cli_arg(args, "pfx-pass") == NULL; /* CA-made keys only */
    const char *chain = pkiws__cli_arg(args, "chain-out");
    if (pkiws__cli_check_writable("PFX file", a->out, o) != PKIWS_OK ||
        (chain && pkiws__cli_check_writable("chain file", chain, o) != PKIWS_OK))
        return; /* before the CA hands out a certificate that could not be saved */
    if (pkiws__cli_read("pending file", a->pending, 1, &data, o) != PKIWS_OK)
        return;
    int rc = pkiws__cli_pending_parse(a->pending, (const char *)data.p, data.len, &pf, o);
    pkiws__cli_data_dispose(&data);
    if (rc == PKIWS_OK)
        rc = pkiws__cli_session(cli, args, &r->s, o);
    if (rc == PKIWS_OK) {
        rc = pkiws_profile_new(&prof, r->s, pf.profile);
        if (rc == PKIWS_OK && tmpl)
            rc = pkiws_profile_load_template_file(prof, tmpl);
        if (rc != PKIWS_OK)
            pkiws__cli_outcome_last(o, rc);
    }
    if (rc == PKIWS_OK)
        rc = make_request(prof, args, a, &pf, &req, o);
    if (rc == PKIWS_OK) {
        rc = pkiws_poll(req, &r->res);
        pkiws__cli_outcome_result(o, r->res, rc);
    }
    if (r->res != NULL && o->code == PKIWS_OK && o->status == PKIWS_STATUS_OK &&
        pkiws__cli_write_issued(r->res, a->out, chain, &r->w, o) == PKIWS_OK) {
        if (unlink(a->pending) == 0)
            *removed = 1;
        else
            fprintf(stderr, "pkiws poll: warning: cannot remove the pending file '%s': %s\n",
                    a->pending, strerror(errno));
    }
    *profile = pf.profile ? pkiws__cli_strdup(pf.profile) : NULL;
    pkiws__cli_pending_dispose(&pf);
    pkiws_request_free(req);
    pkiws_profile_free(prof);
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    poll_args a;
    memset(&a, 0, sizeof(a));
    int rc = check_usage(cli, args, &a);
    if (rc != PKIWS__CLI_EXIT_OK) {
        pkiws__cli_free(a.out);
        return rc;
    }
    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    int removed = 0;
    char *profile = NULL;
    poll(cli, args, &a, &r, &removed, &profile);

    if (pkiws__cli_run_json(cli, &r)) {
        pkiws__cli_json_kstr(&r.j, "profile", profile);
        pkiws__cli_json_issued(&r.j, r.res, &r.w);
        pkiws__cli_json_kbool(&r.j, "pending_file_removed", removed);
    } else if (r.res != NULL && pkiws_result_status(r.res) != PKIWS_STATUS_FAILED) {
        printf("%-22s %s\n", "profile:", profile);
        pkiws__cli_print_issued(r.res, &r.w);
        if (removed)
            printf("%-22s %s\n", "removed pending file:", a.pending);
        else if (pkiws_result_status(r.res) == PKIWS_STATUS_PENDING)
            printf("still pending: run the same command again later\n");
    }
    pkiws__cli_free(profile);
    pkiws__cli_free(a.out);
    return pkiws__cli_run_end(cli, &r);
}

const pkiws__cli_cmd pkiws__cli_cmd_poll = {
    .name = "poll",
    .summary = "finish a pending request and write its PFX",
    .synopsis = "--pending FILE.pfx.pending --pfx-pass PASS [--out FILE.pfx] "
                "[--chain-out FILE.pem] (--ca FQDN | --base-url URL) RA-CREDENTIAL",
    .groups = {{"Options", OPTS},
               {"Connection options", pkiws__cli_conn_opts},
               {NULL, NULL},
               {NULL, NULL}},
    .min_pos = 0,
    .max_pos = 0,
    .run = run,
};
