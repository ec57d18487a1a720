/* SPDX-License-Identifier: MIT */
/* `pkiws recover`: an escrowed key back from the CA (keyRecovery) as a PFX; a recovery that
 * still needs another administrator's approval answers pending with the count. */
#include "cli.h"

#include <string.h>

static const pkiws__cli_opt OPTS[] = {
    {"serial", 0, PKIWS__CLI_VALUE, "HEX",
     "serial of the certificate whose key to recover (case, colons, leading zeros ignored)"},
    {"issuer", 0, PKIWS__CLI_VALUE, "DN", "its issuer DN, e.g. 'CN=Contoso Issuing CA, O=Contoso'"},
    {"admin", 0, PKIWS__CLI_VALUE, "ID",
     "the administrator asking (adminID); each distinct id is one approval"},
    {"out", 0, PKIWS__CLI_VALUE, "FILE.pfx", "where to write the recovered PFX (mode 0600)"},
    {"pfx-pass", 0, PKIWS__CLI_SECRET, "PASS", "PFX password (default: a generated one, printed)"},
    {"preset", 0, PKIWS__CLI_VALUE, "legacy|modern",
     "legacy: 3DES + HMAC-SHA-1 (default); modern: AES-256 + HMAC-SHA-256"},
    {"chain-out", 0, PKIWS__CLI_VALUE, "FILE.pem", "also write the chain (issuing CA first), PEM"},
    {NULL, 0, 0, NULL, NULL},
};

typedef struct recover_args {
    const char *serial, *issuer, *admin, *out, *chain;
    int preset; /* 0: the library's default (legacy) */
} recover_args;

static int check_usage(const pkiws__cli *cli, const pkiws__cli_args *args, recover_args *a)
{
    int rc = pkiws__cli_conn_check(cli, args);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    a->serial = pkiws__cli_arg(args, "serial");
    a->issuer = pkiws__cli_arg(args, "issuer");
    a->admin = pkiws__cli_arg(args, "admin");
    a->out = pkiws__cli_arg(args, "out");
    a->chain = pkiws__cli_arg(args, "chain-out");
    if (a->serial == NULL)
        return pkiws__cli_usage_error(cli, "--serial HEX (the certificate's serial) is required");
    if (a->issuer == NULL)
        return pkiws__cli_usage_error(cli, "--issuer DN (the certificate's issuer) is required");
    if (a->admin == NULL)
        return pkiws__cli_usage_error(cli, "--admin ID (the administrator asking) is required");
    if (a->out == NULL)
        return pkiws__cli_usage_error(cli, "--out FILE.pfx is required");
    const char *v = pkiws__cli_arg(args, "preset");
    if (v && pkiws__cli_pfx_preset(v, &a->preset) != 0)
        return pkiws__cli_usage_error(cli, "--preset '%s': expected legacy or modern", v);
    if (a->chain && strcmp(a->chain, a->out) == 0)
        return pkiws__cli_usage_error(cli, "--chain-out and --out name the same file '%s'", a->out);
    return PKIWS__CLI_EXIT_OK;
}

static void recover(const pkiws__cli *cli, const pkiws__cli_args *args, const recover_args *a,
                    pkiws__cli_run *r)
{
    if (pkiws__cli_check_writable("PFX file", a->out, &r->o) != PKIWS_OK ||
        (a->chain && pkiws__cli_check_writable("chain file", a->chain, &r->o) != PKIWS_OK))
        return;
    const char *pass = pkiws__cli_arg(args, "pfx-pass");
    r->w.password_generated = pass == NULL;
    if (pkiws__cli_session(cli, args, &r->s, &r->o) != PKIWS_OK)
        return;
    int rc = pkiws_recover(r->s, a->serial, a->issuer, a->admin, pass, a->preset, &r->res);
    pkiws__cli_outcome_result(&r->o, r->res, rc);
    if (r->res != NULL && r->o.code == PKIWS_OK && r->o.status == PKIWS_STATUS_OK)
        pkiws__cli_write_issued(r->res, a->out, a->chain, &r->w, &r->o);
}

/* Approvals still needed; -1 when the result does not say. */
static int64_t approvals_pending(const pkiws_result *res)
{
    int64_t v = -1;
    if (res == NULL || pkiws_result_int(res, PKIWS_RESULT_APPROVALS_PENDING, &v) != PKIWS_OK)
        return -1;
    return v;
}

static void print_pending(const recover_args *a, const pkiws_result *res)
{
    printf("%-22s %s\n", "serial:", a->serial);
    printf("%-22s %s\n", "admin:", a->admin);
    printf("%-22s the CA holds the recovery for approval: %lld more administrator approval(s) "
           "needed\n",
           "pending:", (long long)approvals_pending(res));
    int64_t attempts;
    if (pkiws_result_int(res, PKIWS_RESULT_ATTEMPTS, &attempts) == PKIWS_OK)
        printf("%-22s %lld\n", "attempts:", (long long)attempts);
    const char *tx = pkiws_result_str(res, PKIWS_RESULT_CLIENT_TXID);
    if (tx)
        printf("%-22s %s\n", "client transaction id:", tx);
    tx = pkiws_result_str(res, PKIWS_RESULT_SERVER_TXID);
    if (tx)
        printf("%-22s %s\n", "server transaction id:", tx);
    printf("next: another administrator runs pkiws recover --admin ID with the same --serial "
           "and --issuer\n");
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    recover_args a;
    memset(&a, 0, sizeof(a));
    int rc = check_usage(cli, args, &a);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    recover(cli, args, &a, &r);

    if (pkiws__cli_run_json(cli, &r)) {
        pkiws__cli_json_kstr(&r.j, "recovered_serial", a.serial);
        pkiws__cli_json_kstr(&r.j, "admin", a.admin);
        int64_t pending = r.o.code == PKIWS_OK ? approvals_pending(r.res) : -1;
        if (pending >= 0)
            pkiws__cli_json_kint(&r.j, "approvals_pending", pending);
        else
            pkiws__cli_json_kstr(&r.j, "approvals_pending", NULL);
        pkiws__cli_json_issued(&r.j, r.res, &r.w);
    } else if (r.res != NULL && r.o.code == PKIWS_OK && r.o.status == PKIWS_STATUS_PENDING) {
        print_pending(&a, r.res);
    } else if (r.res != NULL && r.o.code == PKIWS_OK && r.o.status == PKIWS_STATUS_OK) {
        printf("%-22s %s\n", "recovered by:", a.admin);
        pkiws__cli_print_issued(r.res, &r.w);
    }
    return pkiws__cli_run_end(cli, &r);
}

const pkiws__cli_cmd pkiws__cli_cmd_recover = {
    .name = "recover",
    .summary = "recover an escrowed key (keyRecovery) and write it as a PFX",
    .synopsis = "--serial HEX --issuer DN --admin ID --out FILE.pfx [--pfx-pass PASS] "
                "[--preset legacy|modern] [--chain-out FILE.pem] (--ca FQDN | --base-url URL) "
                "RA-CREDENTIAL",
    .groups = {{"Options", OPTS},
               {"Connection options", pkiws__cli_conn_opts},
               {NULL, NULL},
               {NULL, NULL}},
    .min_pos = 0,
    .max_pos = 0,
    .run = run,
};
