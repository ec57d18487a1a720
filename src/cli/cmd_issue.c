/* SPDX-License-Identifier: MIT */
/* `pkiws issue`: issue a certificate from the CA and write the PFX (or the pending file). */
#include "cli.h"

#include <string.h>

static const pkiws__cli_opt OPTS[] = {
    {"out", 0, PKIWS__CLI_VALUE, "FILE.pfx", "where to write the PFX (mode 0600)"},
    {"pfx-pass", 0, PKIWS__CLI_SECRET, "PASS", "PFX password (default: a generated one, printed)"},
    {"pfx-preset", 0, PKIWS__CLI_VALUE, "legacy|modern",
     "legacy: 3DES + HMAC-SHA-1 (default); modern: AES-256 + HMAC-SHA-256"},
    {"chain-out", 0, PKIWS__CLI_VALUE, "FILE.pem", "also write the chain (issuing CA first), PEM"},
    {"friendly-name", 0, PKIWS__CLI_VALUE, "NAME", "friendlyName of the key in the PFX"},
    {"batch", 0, PKIWS__CLI_VALUE, "FILE",
     "one identity per line, JSON (see pkiws(1)); '-' is stdin; JSON lines out"},
    {"parallel", 0, PKIWS__CLI_VALUE, "N", "--batch: issuances at a time, 1..64 (default 4)"},
    {"duplicates", 0, PKIWS__CLI_VALUE, "allow|report|refuse",
     "the seat's VALID certificates of the profile: not searched (allow, default), listed "
     "(report) or a reason to refuse (refuse)"},
    {NULL, 0, 0, NULL, NULL},
};

/* Characters of a password the tool makes for a pending request. */
#define PENDING_PASSWORD_CHARS 20

static char *dup_or_null(const char *s)
{
    return s ? pkiws__cli_strdup(s) : NULL;
}

/* PENDING: keep the reference, the identity and the key (encrypted with the PFX password)
 * in OUT.pfx.pending, for `pkiws poll`; with server-side keys (no key in the result) there is
 * no key to keep and no password to make. */
static int write_pending(const pkiws_result *res, const pkiws__cli_ident *id, const char *oid,
                         pkiws__cli_written *w, pkiws__cli_outcome *o)
{
    const uint8_t *key = NULL;
    size_t key_len = 0;
    const char *ref = pkiws_result_str(res, PKIWS_RESULT_PENDING_REF);
    if (ref == NULL) {
        pkiws__cli_outcome_fail(o, PKIWS_E_INTERNAL,
                                "the library answered PENDING without the reference");
        return PKIWS_E_INTERNAL;
    }
    int ca_key = pkiws_result_blob(res, PKIWS_RESULT_KEY_PKCS8, &key, &key_len) != PKIWS_OK;
    const char *pass = id->pfx_pass;
    if (pass == NULL && !ca_key) {
        w->password = pkiws__cli_random_password(PENDING_PASSWORD_CHARS);
        if (w->password == NULL) {
            pkiws__cli_outcome_fail(o, PKIWS_E_IO,
                                    "cannot make a PFX password: the system gave no random "
                                    "bytes; give --pfx-pass");
            return PKIWS_E_IO;
        }
        pass = w->password;
    }
    pkiws__cli_pending pf;
    memset(&pf, 0, sizeof(pf));
    int rc = ca_key ? PKIWS_OK : pkiws_key_encrypt(key, key_len, NULL, pass, &pf.key_pem);
    if (rc != PKIWS_OK) {
        pkiws__cli_outcome_last(o, rc);
        return rc;
    }
    if (ca_key) {
        pf.key_maker = pkiws__cli_strdup("ca");
    } else { /* the library's copy is freed with pkiws_free_secret(); the struct's with ours */
        char *key_pem = pf.key_pem;
        pf.key_pem = pkiws__cli_strdup(key_pem);
        pkiws_free_secret(key_pem, 0);
    }
    pf.reference = pkiws__cli_strdup(ref);
    pf.profile = pkiws__cli_strdup(oid);
    pf.cn = dup_or_null(id->cn);
    pf.email = dup_or_null(id->email);
    pf.upn = dup_or_null(id->upn);
    pf.seat = dup_or_null(id->seat);
    pf.pfx_preset = dup_or_null(id->pfx_preset);
    pf.friendly_name = dup_or_null(id->friendly_name);
    pf.client_txid = dup_or_null(pkiws_result_str(res, PKIWS_RESULT_CLIENT_TXID));
    char *text = pkiws__cli_pending_format(&pf);
    pkiws__cli_pending_dispose(&pf);

    char *path = pkiws__cli_printf("%s.pending", id->out);
    pkiws__cli_staged st;
    rc = pkiws__cli_stage("pending file", path, text, strlen(text), 1, &st, o);
    if (rc == PKIWS_OK)
        rc = pkiws__cli_commit("pending file", &st, o);
    pkiws__cli_free_secret(text, 0);
    if (rc == PKIWS_OK)
        w->pending_file = path;
    else
        pkiws__cli_free(path);
    return rc;
}

/* The identity on the request. */
static int identity_set(pkiws_request *req, const pkiws__cli_ident *id)
{
    const struct {
        const char *value;
        int option;
    } strs[] = {
        {id->cn, PKIWS_REQUEST_OPT_CN},
        {id->email, PKIWS_REQUEST_OPT_EMAIL},
        {id->upn, PKIWS_REQUEST_OPT_UPN},
        {id->seat, PKIWS_REQUEST_OPT_SEAT_ID},
        {id->given_name, PKIWS_REQUEST_OPT_GIVEN_NAME},
        {id->family_name, PKIWS_REQUEST_OPT_FAMILY_NAME},
        {id->pfx_pass, PKIWS_REQUEST_OPT_PFX_PASSWORD},
        {id->friendly_name, PKIWS_REQUEST_OPT_FRIENDLY_NAME},
    };
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        int rc =
            strs[i].value ? pkiws_request_set_str(req, strs[i].option, strs[i].value) : PKIWS_OK;
        if (rc != PKIWS_OK)
            return rc;
    }
    if (id->othername_oid) {
        int rc = pkiws_request_set_othername(req, id->othername_oid, id->othername_hex);
        if (rc != PKIWS_OK)
            return rc;
    }
    return id->preset ? pkiws_request_set_int(req, PKIWS_REQUEST_OPT_PFX_PRESET, id->preset)
                      : PKIWS_OK;
}

void pkiws__cli_issue_one(pkiws_profile *prof, const char *oid, const pkiws__cli_ident *id,
                          pkiws_result **res, pkiws__cli_written *w, pkiws__cli_outcome *o)
{
    pkiws_request *req = NULL;
    *res = NULL;
    if (pkiws__cli_check_writable("PFX file", id->out, o) != PKIWS_OK ||
        (id->chain_out && pkiws__cli_check_writable("chain file", id->chain_out, o) != PKIWS_OK))
        return; /* before the CA issues a certificate that could not be saved */
    w->password_generated = id->pfx_pass == NULL;
    int rc = pkiws_request_new(&req, prof);
    if (rc == PKIWS_OK)
        rc = identity_set(req, id);
    if (rc == PKIWS_OK) {
        rc = pkiws_issue(req, res);
        pkiws__cli_outcome_result(o, *res, rc);
    } else
        pkiws__cli_outcome_last(o, rc);
    if (*res != NULL && o->code == PKIWS_OK) {
        if (o->status == PKIWS_STATUS_OK)
            pkiws__cli_write_issued(*res, id->out, id->chain_out, w, o);
        else if (o->status == PKIWS_STATUS_PENDING)
            write_pending(*res, id, oid, w, o);
    }
    pkiws_request_free(req);
}

/* Session, profile, then pkiws__cli_issue_one. */
static void issue(const pkiws__cli *cli, const pkiws__cli_args *args,
                  const pkiws__cli_profile_args *p, int preset, pkiws__cli_run *r)
{
    pkiws_profile *prof = NULL;
    pkiws__cli_ident id = {
        .cn = pkiws__cli_arg(args, "cn"),
        .email = pkiws__cli_arg(args, "email"),
        .upn = pkiws__cli_arg(args, "upn"),
        .seat = pkiws__cli_arg(args, "seat"),
        .given_name = pkiws__cli_arg(args, "given-name"),
        .family_name = pkiws__cli_arg(args, "family-name"),
        .othername_oid = p->othername_oid,
        .othername_hex = p->othername_hex,
        .out = pkiws__cli_arg(args, "out"),
        .chain_out = pkiws__cli_arg(args, "chain-out"),
        .pfx_pass = pkiws__cli_arg(args, "pfx-pass"),
        .pfx_preset = pkiws__cli_arg(args, "pfx-preset"),
        .preset = preset,
        .friendly_name = pkiws__cli_arg(args, "friendly-name"),
    };
    if (pkiws__cli_check_writable("PFX file", id.out, &r->o) != PKIWS_OK ||
        (id.chain_out && pkiws__cli_check_writable("chain file", id.chain_out, &r->o) != PKIWS_OK))
        return; /* before connecting: the RA credential is not even needed to say so */
    if (pkiws__cli_session(cli, args, &r->s, &r->o) != PKIWS_OK)
        return;
    if (pkiws__cli_profile_make(r->s, args, p, &prof, &r->o) == PKIWS_OK)
        pkiws__cli_issue_one(prof, p->oid, &id, &r->res, &r->w, &r->o);
    pkiws_profile_free(prof);
}

/* --duplicates into the profile options; an exit status. */
static int duplicates_usage(const pkiws__cli *cli, const pkiws__cli_args *args,
                            pkiws__cli_profile_args *p)
{
    static const char *const names[] = {"allow", "report", "refuse"};
    const char *v = pkiws__cli_arg(args, "duplicates");
    if (v == NULL)
        return PKIWS__CLI_EXIT_OK;
    for (int i = 0; i < 3; i++)
        if (strcmp(v, names[i]) == 0) {
            p->profile_int[p->nprofile_int][0] = PKIWS_PROFILE_OPT_DUPLICATES;
            p->profile_int[p->nprofile_int][1] = PKIWS_DUPLICATES_ALLOW + i;
            p->nprofile_int++;
            return PKIWS__CLI_EXIT_OK;
        }
    return pkiws__cli_usage_error(cli, "--duplicates '%s': expected allow, report or refuse", v);
}

static void print_duplicates(const pkiws_result *res)
{
    size_t n = pkiws_result_found_count(res);
    for (size_t i = 0; i < n; i++) {
        const char *serial, *status;
        if (pkiws_result_found(res, i, NULL, NULL, &serial, &status, NULL) == PKIWS_OK)
            printf("%-22s %s (%s)\n", i ? "" : "seat already has:", serial, status);
    }
}

/* Usage checks beyond the shared option groups; an exit status. */
static int check_usage(const pkiws__cli *cli, const pkiws__cli_args *args, int *preset)
{
    const char *out = pkiws__cli_arg(args, "out");
    const char *chain = pkiws__cli_arg(args, "chain-out");
    const char *tmpl = pkiws__cli_arg(args, "template");
    const char *v = pkiws__cli_arg(args, "pfx-preset");
    *preset = 0;
    if (v && pkiws__cli_pfx_preset(v, preset) != 0)
        return pkiws__cli_usage_error(cli, "--pfx-preset '%s': expected legacy or modern", v);
    if (pkiws__cli_arg(args, "batch"))
        return pkiws__cli_batch_usage(cli, args);
    if (pkiws__cli_arg(args, "parallel"))
        return pkiws__cli_usage_error(cli, "--parallel goes with --batch");
    if (out == NULL)
        return pkiws__cli_usage_error(cli, "--out FILE.pfx is required");
    if (chain && strcmp(chain, out) == 0)
        return pkiws__cli_usage_error(cli, "--chain-out and --out name the same file '%s'", out);
    if (tmpl && (strcmp(tmpl, out) == 0 || (chain && strcmp(tmpl, chain) == 0)))
        return pkiws__cli_usage_error(cli, "--template '%s' would be overwritten", tmpl);
    return PKIWS__CLI_EXIT_OK;
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    pkiws__cli_profile_args p;
    int preset = 0;
    int rc = pkiws__cli_conn_profile_check(cli, args, &p);
    if (rc == PKIWS__CLI_EXIT_OK)
        rc = check_usage(cli, args, &preset);
    if (rc == PKIWS__CLI_EXIT_OK)
        rc = duplicates_usage(cli, args, &p);
    if (rc != PKIWS__CLI_EXIT_OK) {
        pkiws__cli_profile_args_dispose(&p);
        return rc;
    }
    if (pkiws__cli_arg(args, "batch")) {
        rc = pkiws__cli_issue_batch(cli, args, &p, preset);
        pkiws__cli_profile_args_dispose(&p);
        return rc;
    }
    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    issue(cli, args, &p, preset, &r);

    if (pkiws__cli_run_json(cli, &r)) {
        pkiws__cli_json_kstr(&r.j, "profile", p.oid);
        pkiws__cli_json_kstr(&r.j, "template", p.template_path);
        pkiws__cli_json_issued(&r.j, r.res, &r.w);
        pkiws__cli_json_duplicates(&r.j, r.res);
    } else if (r.res != NULL && pkiws_result_status(r.res) != PKIWS_STATUS_FAILED) {
        printf("%-22s %s\n", "profile:", p.oid);
        pkiws__cli_print_issued(r.res, &r.w);
        print_duplicates(r.res);
    } else if (r.res != NULL && pkiws_result_found_count(r.res) > 0) {
        print_duplicates(r.res); /* refused: what the seat has */
    } else if (r.res != NULL &&
               pkiws_result_trace_count(r.res) + pkiws_result_check_count(r.res) > 0) {
        pkiws__cli_print_trace(r.res); /* what was resolved before the failure */
        pkiws__cli_print_checks(r.res);
    }
    pkiws__cli_profile_args_dispose(&p);
    return pkiws__cli_run_end(cli, &r);
}

const pkiws__cli_cmd pkiws__cli_cmd_issue = {
    .name = "issue",
    .summary = "issue a certificate from the CA and write the PFX",
    .synopsis = "--profile OID --out FILE.pfx [--pfx-pass PASS] [--chain-out FILE.pem] "
                "[--subject-format F] [--san LIST] [--cn NAME] [--email ADDRESS] [--upn UPN] "
                "[--seat ID] [--duplicates allow|report|refuse] [OPTIONS] (--ca FQDN | "
                "--base-url URL) RA-CREDENTIAL\n"
                "       pkiws issue --batch FILE [--parallel N] --profile OID [OPTIONS] "
                "(--ca FQDN | --base-url URL) RA-CREDENTIAL",
    .groups = {{"Options", OPTS},
               {"Profile options", pkiws__cli_profile_opts},
               {"Identity options", pkiws__cli_identity_opts},
               {"Connection options", pkiws__cli_conn_opts}},
    .min_pos = 0,
    .max_pos = 0,
    .run = run,
};
