/* SPDX-License-Identifier: MIT */
/* `pkiws revoke`: revoke, suspend or resume certificates by serial or by seat, one or (--bulk)
 * many. */
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
    {"bulk", 0, PKIWS__CLI_VALUE, "FILE",
     "many: one serial (or seat) a line, '-' for stdin; blank lines and # comments skipped"},
    {"by-seat", 0, PKIWS__CLI_FLAG, NULL, "--bulk: the lines are seat ids"},
    {"chunk", 0, PKIWS__CLI_VALUE, "N", "--bulk: ids per request, 1..100 (default 100)"},
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
    const char *bulk; /* the --bulk file, or NULL */
    int64_t chunk;    /* 0: the library's default */
} revoke_args;

static int check_usage(const pkiws__cli *cli, const pkiws__cli_args *args, revoke_args *a)
{
    int rc = pkiws__cli_conn_check(cli, args);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    const char *serial = pkiws__cli_arg(args, "serial");
    const char *seat = pkiws__cli_arg(args, "seat");
    a->bulk = pkiws__cli_arg(args, "bulk");
    int by_seat = pkiws__cli_arg(args, "by-seat") != NULL;
    const char *chunk = pkiws__cli_arg(args, "chunk");
    if ((serial != NULL) + (seat != NULL) + (a->bulk != NULL) != 1)
        return pkiws__cli_usage_error(
            cli, "give exactly one of --serial HEX, --seat ID and --bulk FILE");
    if (!a->bulk && (by_seat || chunk))
        return pkiws__cli_usage_error(cli, "--by-seat and --chunk go with --bulk FILE");
    if (chunk && pkiws__cli_parse_int(chunk, 1, 100, &a->chunk) != 0)
        return pkiws__cli_usage_error(cli, "--chunk '%s': expected a number from 1 to 100", chunk);
    a->selector = serial || (a->bulk && !by_seat) ? PKIWS_BY_SERIAL : PKIWS_BY_SEAT;
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
                   pkiws__cli_run *r)
{
    if (pkiws__cli_session(cli, args, &r->s, &r->o) != PKIWS_OK)
        return;
    int rc = pkiws_revoke(r->s, a->op, a->selector, a->id, a->reason,
                          pkiws__cli_arg(args, "comment"), &r->res);
    pkiws__cli_outcome_result(&r->o, r->res, rc);
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

/* The ids of a --bulk file: one a line, trimmed; blank lines and # comments skipped. The
 * pointers go into d's text. */
static size_t split_ids(pkiws__cli_data *d, const char ***out)
{
    size_t cap = 1;
    for (size_t i = 0; i < d->len; i++)
        cap += d->p[i] == '\n';
    const char **v = pkiws__cli_malloc(cap * sizeof *v);
    size_t n = 0;
    char *line = (char *)d->p;
    while (line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        while (*line == ' ' || *line == '\t')
            line++;
        size_t len = strlen(line);
        while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len && line[0] != '#')
            v[n++] = line;
        line = nl ? nl + 1 : NULL;
    }
    *out = v;
    return n;
}

static void bulk(const pkiws__cli *cli, const pkiws__cli_args *args, const revoke_args *a,
                 pkiws__cli_run *r)
{
    pkiws__cli_data d;
    if (pkiws__cli_read("--bulk file", a->bulk, 0, &d, &r->o) != PKIWS_OK)
        return;
    const char **ids = NULL;
    size_t n = split_ids(&d, &ids);
    if (!n)
        pkiws__cli_outcome_fail(&r->o, PKIWS_E_INVALID_ARG, "--bulk %s: no ids in the file",
                                a->bulk);
    else if (pkiws__cli_session(cli, args, &r->s, &r->o) == PKIWS_OK) {
        int rc = a->chunk ? pkiws_session_set_int(r->s, PKIWS_SESSION_OPT_BULK_CHUNK, a->chunk)
                          : PKIWS_OK;
        if (rc == PKIWS_OK)
            rc = pkiws_revoke_bulk(r->s, a->op, a->selector, ids, n, a->reason,
                                   pkiws__cli_arg(args, "comment"), &r->res);
        pkiws__cli_outcome_result(&r->o, r->res, rc);
    }
    pkiws__cli_free(ids);
    pkiws__cli_data_dispose(&d);
}

static void print_items(const revoke_args *a, const pkiws_result *res)
{
    size_t n = pkiws_result_item_count(res), ok = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id, *msg;
        int code;
        if (pkiws_result_item(res, i, &id, &code, &msg) != PKIWS_OK)
            continue;
        ok += code == PKIWS_OK;
        printf("%-6s %s %s%s%s\n", code == PKIWS_OK ? "ok" : "FAIL", id,
               code == PKIWS_OK ? "" : pkiws_error_name(code), code == PKIWS_OK ? "" : ": ", msg);
    }
    printf("%zu of %zu %s confirmed (%s", ok, n, a->selector == PKIWS_BY_SEAT ? "seats" : "serials",
           op_name(a->op));
    int64_t v;
    if (pkiws_result_int(res, PKIWS_RESULT_REVOCATION_COUNT, &v) == PKIWS_OK)
        printf(", %lld certificate%s changed", (long long)v, v == 1 ? "" : "s");
    if (pkiws_result_int(res, PKIWS_RESULT_ATTEMPTS, &v) == PKIWS_OK)
        printf(", %lld request%s", (long long)v, v == 1 ? "" : "s");
    printf(")\n");
}

static void json_items(pkiws__cli_json *j, const pkiws_result *res)
{
    pkiws__cli_json_key(j, "items");
    pkiws__cli_json_array(j);
    size_t n = pkiws_result_item_count(res);
    for (size_t i = 0; i < n; i++) {
        const char *id, *msg;
        int code;
        if (pkiws_result_item(res, i, &id, &code, &msg) != PKIWS_OK)
            continue;
        pkiws__cli_json_object(j);
        pkiws__cli_json_kstr(j, "id", id);
        pkiws__cli_json_kstr(j, "status", code == PKIWS_OK ? "ok" : "failed");
        pkiws__cli_json_kstr(j, "error", code == PKIWS_OK ? NULL : pkiws_error_name(code));
        pkiws__cli_json_kint(j, "code", code);
        pkiws__cli_json_kstr(j, "message", msg);
        pkiws__cli_json_end(j);
    }
    pkiws__cli_json_end(j);
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    revoke_args a;
    memset(&a, 0, sizeof(a));
    int rc = check_usage(cli, args, &a);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    if (a.bulk)
        bulk(cli, args, &a, &r);
    else
        revoke(cli, args, &a, &r);

    if (pkiws__cli_run_json(cli, &r)) {
        pkiws__cli_json_kstr(&r.j, "operation", op_name(a.op));
        const char *serial = r.res ? pkiws_result_str(r.res, PKIWS_RESULT_SERIAL) : NULL;
        if (a.bulk)
            pkiws__cli_json_kstr(&r.j, "serial", NULL);
        else if (a.selector == PKIWS_BY_SERIAL)
            pkiws__cli_json_kstr(&r.j, "serial", serial ? serial : a.id);
        else
            pkiws__cli_json_kstr(&r.j, "serial", NULL);
        pkiws__cli_json_kstr(&r.j, "seat", !a.bulk && a.selector == PKIWS_BY_SEAT ? a.id : NULL);
        pkiws__cli_json_kstr(&r.j, "reason", pkiws__cli_reason_name(a.reason));
        json_int_item(&r.j, "success_code", r.res, PKIWS_RESULT_SUCCESS_CODE);
        pkiws__cli_json_kstr(&r.j, "success_message",
                             r.res ? pkiws_result_str(r.res, PKIWS_RESULT_DISPOSITION) : NULL);
        json_int_item(&r.j, "revocation_count", r.res, PKIWS_RESULT_REVOCATION_COUNT);
        json_int_item(&r.j, "attempts", r.res, PKIWS_RESULT_ATTEMPTS);
        pkiws__cli_json_kstr(&r.j, "client_transaction_id",
                             r.res ? pkiws_result_str(r.res, PKIWS_RESULT_CLIENT_TXID) : NULL);
        pkiws__cli_json_kstr(&r.j, "server_transaction_id",
                             r.res ? pkiws_result_str(r.res, PKIWS_RESULT_SERVER_TXID) : NULL);
        if (a.bulk) {
            pkiws__cli_json_kstr(&r.j, "bulk_selector",
                                 a.selector == PKIWS_BY_SEAT ? "seat" : "serial");
            json_items(&r.j, r.res);
        }
    } else if (r.res != NULL && a.bulk) {
        print_items(&a, r.res);
    } else if (r.res != NULL) {
        print_result(&a, r.res);
    }
    return pkiws__cli_run_end(cli, &r);
}

const pkiws__cli_cmd pkiws__cli_cmd_revoke = {
    .name = "revoke",
    .summary = "revoke, suspend or resume a certificate (by serial), a seat's certificates, or "
               "many (--bulk)",
    .synopsis = "(--serial HEX | --seat ID | --bulk FILE [--by-seat] [--chunk N]) [--reason NAME] "
                "[--comment TEXT] [--suspend | --resume] (--ca FQDN | --base-url URL) "
                "RA-CREDENTIAL",
    .groups = {{"Options", OPTS},
               {"Connection options", pkiws__cli_conn_opts},
               {NULL, NULL},
               {NULL, NULL}},
    .min_pos = 0,
    .max_pos = 0,
    .run = run,
};
