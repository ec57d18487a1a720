/* SPDX-License-Identifier: MIT */
/*
 * `pkiws outbox add|run|list --db FILE`: the durable revocation outbox. add queues revocations
 * (nothing is sent), run sends them until the CA confirms and a search shows the new status
 * (exit 3 while some are still pending), list shows what is pending (--all: everything).
 * Test hook: PKIWS_OUTBOX_TEST_KILL_AT=STEP[:N] (send, sent, accepted, searched, done) makes
 * `run` kill itself with SIGKILL right after the N-th (default first) such step.
 */
#include "cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const pkiws__cli_opt OPTS[] = {
    {"db", 0, PKIWS__CLI_VALUE, "FILE", "the outbox file (SQLite; made when missing)"},
    {NULL, 0, 0, NULL, NULL},
};

static const pkiws__cli_opt ADD_OPTS[] = {
    {"serial", 0, PKIWS__CLI_VALUE, "HEX", "a certificate's serial (repeatable)"},
    {"seat", 0, PKIWS__CLI_VALUE, "ID", "every certificate of a seat (repeatable)"},
    {"reason", 0, PKIWS__CLI_VALUE, "NAME", "KeyCompromise, Superseded, ... (case-insensitive)"},
    {"suspend", 0, PKIWS__CLI_FLAG, NULL, "suspend (certificate hold) instead of revoking"},
    {"resume", 0, PKIWS__CLI_FLAG, NULL, "resume a suspended certificate"},
    {NULL, 0, 0, NULL, NULL},
};

static const pkiws__cli_opt RUN_OPTS[] = {
    {"max-seconds", 0, PKIWS__CLI_VALUE, "N", "run: stop after N seconds (default 0: until done)"},
    {"backoff-ms", 0, PKIWS__CLI_VALUE, "N", "run: first back-off after a failure (doubled)"},
    {"all", 0, PKIWS__CLI_FLAG, NULL, "list: finished entries too (done, failed)"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *op_name(int64_t op)
{
    return op == PKIWS_OP_SUSPEND ? "suspend" : op == PKIWS_OP_RESUME ? "resume" : "revoke";
}

static const char *const STEP_NAMES[] = {"", "send", "sent", "accepted", "searched", "done"};

/* ---- the test hook and -v progress ---------------------------------------------------- */

typedef struct step_ctx {
    int verbose;
    int kill_step; /* PKIWS_OUTBOX_STEP_*, 0: none */
    long kill_nth, seen;
} step_ctx;

static void kill_at_parse(step_ctx *c)
{
    const char *v = secure_getenv("PKIWS_OUTBOX_TEST_KILL_AT");
    if (v == NULL || *v == '\0')
        return;
    size_t n = strcspn(v, ":");
    for (int s = 1; s <= PKIWS_OUTBOX_STEP_DONE; s++)
        if (strlen(STEP_NAMES[s]) == n && strncmp(v, STEP_NAMES[s], n) == 0)
            c->kill_step = s;
    c->kill_nth = v[n] == ':' ? strtol(v + n + 1, NULL, 10) : 1;
    if (c->kill_nth < 1)
        c->kill_nth = 1;
}

static void on_step(int64_t id, int step, void *user_data)
{
    step_ctx *c = user_data;
    if (c->verbose)
        fprintf(stderr, "pkiws outbox: entry %lld: %s\n", (long long)id,
                step >= 1 && step <= PKIWS_OUTBOX_STEP_DONE ? STEP_NAMES[step] : "?");
    if (c->kill_step == step && ++c->seen == c->kill_nth) {
        fflush(NULL);
        raise(SIGKILL);
    }
}

/* ---- add ------------------------------------------------------------------------------- */

static int add_usage(const pkiws__cli *cli, const pkiws__cli_args *args, int *op, int *reason)
{
    if (!pkiws__cli_arg(args, "serial") && !pkiws__cli_arg(args, "seat"))
        return pkiws__cli_usage_error(cli, "outbox add: give --serial HEX or --seat ID");
    int suspend = pkiws__cli_arg(args, "suspend") != NULL;
    int resume = pkiws__cli_arg(args, "resume") != NULL;
    if (suspend && resume)
        return pkiws__cli_usage_error(cli, "--suspend and --resume exclude each other");
    *op = suspend ? PKIWS_OP_SUSPEND : resume ? PKIWS_OP_RESUME : PKIWS_OP_REVOKE;
    *reason = PKIWS_REASON_NONE;
    const char *r = pkiws__cli_arg(args, "reason");
    if (r && pkiws__cli_reason(r, reason) != 0)
        return pkiws__cli_usage_error(cli, "--reason '%s': expected one of %s", r,
                                      pkiws__cli_reason_list());
    return PKIWS__CLI_EXIT_OK;
}

/* Queue every --serial and --seat; the ids in order into ids (count in *n). */
static int add_all(pkiws_outbox *ob, const pkiws__cli_args *args, int op, int reason, int64_t *ids,
                   size_t cap, size_t *n)
{
    static const char *const kinds[] = {"serial", "seat"};
    *n = 0;
    for (int k = 0; k < 2; k++) {
        const char *v;
        for (int i = 0; (v = pkiws__cli_arg_nth(args, kinds[k], i)) != NULL && *n < cap; i++) {
            int rc =
                pkiws_outbox_add(ob, op, k ? PKIWS_BY_SEAT : PKIWS_BY_SERIAL, v, reason, &ids[*n]);
            if (rc != PKIWS_OK)
                return rc;
            (*n)++;
        }
    }
    return PKIWS_OK;
}

/* ---- list ------------------------------------------------------------------------------ */

static void json_entries(pkiws__cli_json *j, pkiws_outbox *ob, size_t n)
{
    pkiws__cli_json_key(j, "entries");
    pkiws__cli_json_array(j);
    for (size_t i = 0; i < n; i++) {
        int64_t v[10] = {0};
        for (int item = PKIWS_OUTBOX_ITEM_ID; item <= PKIWS_OUTBOX_ITEM_CREATED; item++)
            pkiws_outbox_entry_int(ob, i, item, &v[item - 1]);
        pkiws__cli_json_object(j);
        pkiws__cli_json_kint(j, "id", v[0]);
        pkiws__cli_json_kstr(j, "operation", op_name(v[1]));
        const char *target = pkiws_outbox_entry_str(ob, i, PKIWS_OUTBOX_ITEM_TARGET);
        pkiws__cli_json_kstr(j, "serial", v[2] == PKIWS_BY_SERIAL ? target : NULL);
        pkiws__cli_json_kstr(j, "seat", v[2] == PKIWS_BY_SEAT ? target : NULL);
        pkiws__cli_json_kstr(j, "reason", pkiws__cli_reason_name((int)v[3]));
        pkiws__cli_json_kstr(j, "state", pkiws_outbox_state_name((int)v[4]));
        pkiws__cli_json_kint(j, "attempts", v[5]);
        pkiws__cli_json_kint(j, "success_code", v[6]);
        pkiws__cli_json_kstr(j, "last_error_name", v[7] ? pkiws_error_name((int)v[7]) : NULL);
        pkiws__cli_json_kstr(j, "last_error",
                             pkiws_outbox_entry_str(ob, i, PKIWS_OUTBOX_ITEM_LAST_ERROR));
        pkiws__cli_json_kint(j, "next_attempt_ms", v[8]);
        pkiws__cli_json_kstr(j, "client_transaction_id",
                             pkiws_outbox_entry_str(ob, i, PKIWS_OUTBOX_ITEM_TXID));
        pkiws__cli_json_end(j);
    }
    pkiws__cli_json_end(j);
}

static void print_entries(pkiws_outbox *ob, size_t n)
{
    if (n == 0) {
        printf("nothing pending\n");
        return;
    }
    printf("%-5s %-8s %-9s %-8s %-40s %s\n", "id", "op", "state", "attempts", "serial / seat",
           "last error");
    for (size_t i = 0; i < n; i++) {
        int64_t id = 0, op = 0, sel = 0, state = 0, att = 0;
        pkiws_outbox_entry_int(ob, i, PKIWS_OUTBOX_ITEM_ID, &id);
        pkiws_outbox_entry_int(ob, i, PKIWS_OUTBOX_ITEM_OPERATION, &op);
        pkiws_outbox_entry_int(ob, i, PKIWS_OUTBOX_ITEM_SELECTOR, &sel);
        pkiws_outbox_entry_int(ob, i, PKIWS_OUTBOX_ITEM_STATE, &state);
        pkiws_outbox_entry_int(ob, i, PKIWS_OUTBOX_ITEM_ATTEMPTS, &att);
        const char *err = pkiws_outbox_entry_str(ob, i, PKIWS_OUTBOX_ITEM_LAST_ERROR);
        char *target = pkiws__cli_printf("%s %s", sel == PKIWS_BY_SEAT ? "seat" : "serial",
                                         pkiws_outbox_entry_str(ob, i, PKIWS_OUTBOX_ITEM_TARGET));
        printf("%-5lld %-8s %-9s %-8lld %-40s %s\n", (long long)id, op_name(op),
               pkiws_outbox_state_name((int)state), (long long)att, target ? target : "",
               err ? err : "-");
        pkiws__cli_free(target);
    }
}

/* ---- run ------------------------------------------------------------------------------- */

static int run_usage(const pkiws__cli *cli, const pkiws__cli_args *args, int64_t *max_seconds,
                     int64_t *backoff)
{
    int rc = pkiws__cli_conn_check(cli, args);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    const char *v = pkiws__cli_arg(args, "max-seconds");
    *max_seconds = 0;
    if (v && pkiws__cli_parse_int(v, 0, 86400 * 365, max_seconds) != 0)
        return pkiws__cli_usage_error(cli, "--max-seconds '%s': expected 0 or more seconds", v);
    v = pkiws__cli_arg(args, "backoff-ms");
    *backoff = -1;
    if (v && pkiws__cli_parse_int(v, 1, 3600000, backoff) != 0)
        return pkiws__cli_usage_error(cli, "--backoff-ms '%s': expected 1..3600000", v);
    return PKIWS__CLI_EXIT_OK;
}

/* ---- the subcommand --------------------------------------------------------------------- */

typedef struct outbox_args {
    const char *action, *db;
    int op, reason, all;
    int64_t max_seconds, backoff;
} outbox_args;

static int check_usage(const pkiws__cli *cli, const pkiws__cli_args *args, outbox_args *a)
{
    a->action = args->pos[0];
    a->db = pkiws__cli_arg(args, "db");
    int add = strcmp(a->action, "add") == 0, run = strcmp(a->action, "run") == 0;
    if (!add && !run && strcmp(a->action, "list") != 0)
        return pkiws__cli_usage_error(cli, "unknown action '%s': expected add, run or list",
                                      a->action);
    if (a->db == NULL)
        return pkiws__cli_usage_error(cli, "--db FILE is required");
    a->all = pkiws__cli_arg(args, "all") != NULL;
    if (a->all && strcmp(a->action, "list") != 0)
        return pkiws__cli_usage_error(cli, "--all is for outbox list");
    if (!add && (pkiws__cli_arg(args, "serial") || pkiws__cli_arg(args, "seat")))
        return pkiws__cli_usage_error(cli, "--serial and --seat are for outbox add");
    if (!run && (pkiws__cli_arg(args, "max-seconds") || pkiws__cli_arg(args, "backoff-ms")))
        return pkiws__cli_usage_error(cli, "--max-seconds and --backoff-ms are for outbox run");
    if (add)
        return add_usage(cli, args, &a->op, &a->reason);
    if (run)
        return run_usage(cli, args, &a->max_seconds, &a->backoff);
    return PKIWS__CLI_EXIT_OK;
}

static int open_outbox(const pkiws__cli *cli, const pkiws__cli_args *args, const outbox_args *a,
                       pkiws__cli_run *r, pkiws_outbox **ob)
{
    int rc = strcmp(a->action, "run") == 0 ? pkiws__cli_session(cli, args, &r->s, &r->o)
                                           : pkiws_session_new(&r->s);
    if (rc != PKIWS_OK) {
        if (r->o.code == PKIWS_OK)
            pkiws__cli_outcome_last(&r->o, rc);
        return rc;
    }
    if ((rc = pkiws_outbox_open(r->s, a->db, ob)) != PKIWS_OK)
        pkiws__cli_outcome_last(&r->o, rc);
    return rc;
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    outbox_args a;
    memset(&a, 0, sizeof(a));
    int rc = check_usage(cli, args, &a);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    pkiws_outbox *ob = NULL;
    int64_t ids[PKIWS__CLI_MAX_ITEMS];
    size_t nids = 0, nlist = 0;
    int pending = 0, listed = 0;
    step_ctx sc = {cli->verbose, 0, 1, 0};
    if (open_outbox(cli, args, &a, &r, &ob) == PKIWS_OK) {
        if (strcmp(a.action, "add") == 0) {
            rc = add_all(ob, args, a.op, a.reason, ids, PKIWS__CLI_MAX_ITEMS, &nids);
        } else if (strcmp(a.action, "run") == 0) {
            kill_at_parse(&sc);
            rc = pkiws_outbox_set_step_callback(ob, on_step, &sc);
            if (rc == PKIWS_OK && a.backoff > 0)
                rc = pkiws_session_set_int(r.s, PKIWS_SESSION_OPT_RETRY_BACKOFF_MS, a.backoff);
            if (rc == PKIWS_OK)
                rc = pkiws_outbox_run(ob, (int)a.max_seconds, &pending);
        }
        if (rc == PKIWS_OK && (rc = pkiws_outbox_pending_count(ob, &pending)) == PKIWS_OK &&
            (rc = pkiws_outbox_list(ob, a.all, &nlist)) == PKIWS_OK)
            listed = 1;
        if (rc != PKIWS_OK)
            pkiws__cli_outcome_last(&r.o, rc);
        else if (strcmp(a.action, "run") == 0 && pending > 0)
            r.o.status = PKIWS_STATUS_PENDING;
    }
    if (pkiws__cli_run_json(cli, &r)) {
        pkiws__cli_json_kstr(&r.j, "action", a.action);
        pkiws__cli_json_key(&r.j, "added");
        pkiws__cli_json_array(&r.j);
        for (size_t i = 0; i < nids; i++)
            pkiws__cli_json_int(&r.j, ids[i]);
        pkiws__cli_json_end(&r.j);
        pkiws__cli_json_kint(&r.j, "pending", pending);
        if (listed)
            json_entries(&r.j, ob, nlist);
    } else if (listed) {
        for (size_t i = 0; i < nids; i++)
            printf("queued: entry %lld\n", (long long)ids[i]);
        if (strcmp(a.action, "add") != 0)
            print_entries(ob, nlist);
        printf("pending: %d\n", pending);
    }
    pkiws_outbox_free(ob);
    return pkiws__cli_run_end(cli, &r);
}

const pkiws__cli_cmd pkiws__cli_cmd_outbox = {
    .name = "outbox",
    .summary = "a durable revocation outbox: queue, send until confirmed, list what is pending",
    .synopsis = "add|run|list --db FILE [(--serial HEX | --seat ID)... [--reason NAME] "
                "[--suspend | --resume]] [--max-seconds N] [--all] [connection options]",
    .groups = {{"Options", OPTS},
               {"add options", ADD_OPTS},
               {"run and list options", RUN_OPTS},
               {"Connection options (run)", pkiws__cli_conn_opts}},
    .min_pos = 1,
    .max_pos = 1,
    .run = run,
};
