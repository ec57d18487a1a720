/* SPDX-License-Identifier: MIT */
/* `pkiws revoke`: revoke, suspend or resume certificates by serial or by seat. */
#include "cli.h"

#include <string.h>

static const pkiws__cli_opt OPTS[] = {
    {"serial", 0, PKIWS__CLI_VALUE, "HEX",
     "the certificate's serial (case, colons, leading zeros "
     "ignored)"},
    {"seat", 0, PKIWS__CLI_VALUE, "ID", "every certificate of this seat instead"},
    {"reason", 0, PKIWS__CLI_VALUE, "NAME", "KeyCompromise, Superseded, ... (case-insensitive)"},
    {"comment", 0, PKIWS__CLI_VALUE, "TEXT", "a comment for the CA's records"},
    {"suspend", 0, PKIWS__CLI_FLAG, NULL, "suspend (certificate hold) instead of revoking"},
    {"resume", 0, PKIWS__CLI_FLAG, NULL, "resume a suspended certificate"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *op_name(int op)
{
    return op == PKIWS_OP_SUSPEND ? "suspend" : op == PKIWS_OP_RESUME ? "resume" : "revoke";
}

typedef struct revoke_args {
    int op;
    int selector;
    const char *id;
    int reason;
} revoke_args;

static int check_usage(const pkiws__cli *cli, const pkiws__cli_args *args, revoke_args *a)
{
    int rc = pkiws__cli_conn_check(cli, args);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    const char *serial = pkiws__cli_arg(args, "serial");
    const char *seat = pkiws__cli_arg(args, "seat");
    if (!serial == !seat)
        return pkiws__cli_usage_error(cli, "give exactly one of --serial HEX and --seat ID");
    a->selector = serial ? PKIWS_BY_SERIAL : PKIWS_BY_SEAT;
    a->id = serial ? serial : seat;
    int suspend = pkiws__cli_arg(args, "suspend") != NULL;
    int resume = pkiws__cli_arg(args, "resume") != NULL;
    if (suspend && resume)
        return pkiws__cli_usage_error(cli, "--suspend and --resume exclude each other");
    a->op = suspend ? PKIWS_OP_SUSPEND : resume ? PKIWS_OP_RESUME : PKIWS_OP_REVOKE;
    a->reason = PKIWS_REASON_NONE;
    const char *reason = pkiws__cli_arg(args, "reason");
    if (reason && pkiws__cli_reason(reason, &a->reason) != 0)
        return pkiws__cli_usage_error(cli, "--reason '%s': expected one of %s", reason,
                                      pkiws__cli_reason_list());
    return PKIWS__CLI_EXIT_OK;
}

static void revoke(const pkiws__cli *cli, const pkiws__cli_args *args, const revoke_args *a,
                   pkiws_result **res, pkiws__cli_outcome *o)
{
    pkiws_session *s = NULL;
    *res = NULL;
    if (pkiws__cli_session(cli, args, &s, o) != PKIWS_OK)
        return;
    int rc =
        pkiws_revoke(s, a->op, a->selector, a->id, a->reason, pkiws__cli_arg(args, "comment"), res);
    pkiws__cli_outcome_result(o, *res, rc);
    pkiws_session_free(s);
}

static void json_int_item(pkiws__cli_json *j, const char *key, const pkiws_result *res, int item)
{
    int64_t v;
    if (res && pkiws_result_int(res, item, &v) == PKIWS_OK)
        pkiws__cli_json_kint(j, key, v);
    else
        pkiws__cli_json_kstr(j, key, NULL);
}

static void print_result(const revoke_args *a, const pkiws_result *res)
{
    const char *serial = pkiws_result_str(res, PKIWS_RESULT_SERIAL);
    printf("%-22s %s\n", "operation:", op_name(a->op));
    if (a->selector == PKIWS_BY_SERIAL)
        printf("%-22s %s\n", "serial:", serial ? serial : a->id);
    else
        printf("%-22s %s\n", "seat:", a->id);
    if (a->reason != PKIWS_REASON_NONE)
        printf("%-22s %s\n", "reason:", pkiws__cli_reason_name(a->reason));
    int64_t v;
    if (pkiws_result_int(res, PKIWS_RESULT_SUCCESS_CODE, &v) == PKIWS_OK)
        printf("%-22s %lld\n", "successCode:", (long long)v);
    const char *msg = pkiws_result_str(res, PKIWS_RESULT_DISPOSITION);
    if (msg)
        printf("%-22s %s\n", "message:", msg);
    if (pkiws_result_int(res, PKIWS_RESULT_REVOCATION_COUNT, &v) == PKIWS_OK)
        printf("%-22s %lld\n", "revocationCount:", (long long)v);
    if (pkiws_result_int(res, PKIWS_RESULT_ATTEMPTS, &v) == PKIWS_OK)
        printf("%-22s %lld\n", "attempts:", (long long)v);
    const char *tx = pkiws_result_str(res, PKIWS_RESULT_CLIENT_TXID);
    if (tx)
        printf("%-22s %s\n", "client transaction id:", tx);
    tx = pkiws_result_str(res, PKIWS_RESULT_SERVER_TXID);
    if (tx)
        printf("%-22s %s\n", "server transaction id:", tx);
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    revoke_args a;
    memset(&a, 0, sizeof(a));
    int rc = check_usage(cli, args, &a);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    pkiws__cli_outcome o;
    pkiws__cli_outcome_init(&o);
    pkiws_result *res = NULL;
    revoke(cli, args, &a, &res, &o);

    if (cli->json) {
        pkiws__cli_json j;
        pkiws__cli_json_begin(&j, &o);
        pkiws__cli_json_kstr(&j, "operation", op_name(a.op));
        const char *serial = res ? pkiws_result_str(res, PKIWS_RESULT_SERIAL) : NULL;
        if (a.selector == PKIWS_BY_SERIAL)
            pkiws__cli_json_kstr(&j, "serial", serial ? serial : a.id);
        else
            pkiws__cli_json_kstr(&j, "serial", NULL);
        pkiws__cli_json_kstr(&j, "seat", a.selector == PKIWS_BY_SEAT ? a.id : NULL);
        pkiws__cli_json_kstr(&j, "reason", pkiws__cli_reason_name(a.reason));
        json_int_item(&j, "success_code", res, PKIWS_RESULT_SUCCESS_CODE);
        pkiws__cli_json_kstr(&j, "success_message",
                             res ? pkiws_result_str(res, PKIWS_RESULT_DISPOSITION) : NULL);
        json_int_item(&j, "revocation_count", res, PKIWS_RESULT_REVOCATION_COUNT);
        json_int_item(&j, "attempts", res, PKIWS_RESULT_ATTEMPTS);
        pkiws__cli_json_kstr(&j, "client_transaction_id",
                             res ? pkiws_result_str(res, PKIWS_RESULT_CLIENT_TXID) : NULL);
        pkiws__cli_json_kstr(&j, "server_transaction_id",
                             res ? pkiws_result_str(res, PKIWS_RESULT_SERVER_TXID) : NULL);
        pkiws__cli_json_finish(&j);
    } else if (res != NULL) {
        print_result(&a, res);
    }
    pkiws_result_free(res);
    return pkiws__cli_finish(cli, &o);
}

const pkiws__cli_cmd pkiws__cli_cmd_revoke = {
    .name = "revoke",
    .summary = "revoke, suspend or resume a certificate (by serial) or a seat's certificates",
    .synopsis = "(--serial HEX | --seat ID) [--reason NAME] [--comment TEXT] [--suspend | "
                "--resume] (--ca FQDN | --base-url URL) RA-CREDENTIAL",
    .groups = {{"Options", OPTS},
               {"Connection options", pkiws__cli_conn_opts},
               {NULL, NULL},
               {NULL, NULL}},
    .min_pos = 0,
    .max_pos = 0,
    .run = run,
};
