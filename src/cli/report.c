/* SPDX-License-Identifier: MIT */
/* The status part of every answer: outcome, JSON header, human error text, exit status. */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

void pkiws__cli_outcome_init(pkiws__cli_outcome *o)
{
    memset(o, 0, sizeof(*o));
    o->status = PKIWS_STATUS_OK;
    o->code = PKIWS_OK;
}

static void set(pkiws__cli_outcome *o, int status, int code, const char *message,
                const char *remedy, int retryable)
{
    pkiws__cli_outcome_dispose(o);
    o->status = status;
    o->code = code;
    o->message = pkiws__cli_strdup(message ? message : "");
    o->remedy = (remedy && *remedy) ? pkiws__cli_strdup(remedy) : NULL;
    o->retryable = retryable;
}

void pkiws__cli_outcome_last(pkiws__cli_outcome *o, int code)
{
    const char *msg = pkiws_last_error_message();
    if (pkiws_last_error_code() != code || msg[0] == '\0')
        msg = pkiws_strerror(code); /* the library recorded nothing for this failure */
    /* the library's one retry rule, as results carry it */
    int retryable = pkiws_last_error_code() == code ? pkiws_last_error_retryable() : 0;
    set(o, PKIWS_STATUS_FAILED, code, msg, pkiws_last_error_remedy(), retryable);
}

void pkiws__cli_outcome_result(pkiws__cli_outcome *o, const pkiws_result *res, int rc)
{
    if (res == NULL) {
        if (rc == PKIWS_OK)
            pkiws__cli_outcome_fail(o, PKIWS_E_INTERNAL, "the library returned no result");
        else
            pkiws__cli_outcome_last(o, rc);
        return;
    }
    int code = pkiws_result_error(res);
    int status = pkiws_result_status(res);
    if (code == PKIWS_OK && rc != PKIWS_OK)
        code = rc; /* a result that disagrees with its return code: trust the failure */
    if (code != PKIWS_OK)
        status = PKIWS_STATUS_FAILED;
    const char *msg = pkiws_result_message(res);
    if (code != PKIWS_OK && msg[0] == '\0')
        msg = pkiws_strerror(code);
    set(o, status, code, msg, pkiws_result_remedy(res), pkiws_result_retryable(res));
}

void pkiws__cli_outcome_fail(pkiws__cli_outcome *o, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = pkiws__cli_vprintf(fmt, ap);
    va_end(ap);
    set(o, PKIWS_STATUS_FAILED, code, msg, NULL, 0);
    pkiws__cli_free(msg);
}

void pkiws__cli_outcome_dispose(pkiws__cli_outcome *o)
{
    pkiws__cli_free(o->message);
    pkiws__cli_free(o->remedy);
    o->message = NULL;
    o->remedy = NULL;
}

void pkiws__cli_json_begin(pkiws__cli_json *j, const pkiws__cli_outcome *o)
{
    pkiws__cli_json_init(j, stdout);
    pkiws__cli_json_object(j);
    pkiws__cli_json_kstr(j, "status", pkiws__cli_status_name(o->status));
    pkiws__cli_json_kint(j, "code", o->code);
    pkiws__cli_json_kstr(j, "error", o->code == PKIWS_OK ? NULL : pkiws_error_name(o->code));
    pkiws__cli_json_kstr(j, "message", o->message ? o->message : "");
    pkiws__cli_json_kstr(j, "remedy", o->remedy);
    pkiws__cli_json_kbool(j, "retryable", o->retryable);
}

void pkiws__cli_json_finish(pkiws__cli_json *j)
{
    while (j->depth > 0)
        pkiws__cli_json_end(j);
    fflush(j->out);
}

int pkiws__cli_finish(const pkiws__cli *cli, pkiws__cli_outcome *o)
{
    int exit_code = PKIWS__CLI_EXIT_OK;
    if (o->status == PKIWS_STATUS_PENDING)
        exit_code = PKIWS__CLI_EXIT_PENDING;
    else if (o->status != PKIWS_STATUS_OK || o->code != PKIWS_OK)
        exit_code = PKIWS__CLI_EXIT_FAILED;
    if (!cli->json && exit_code == PKIWS__CLI_EXIT_FAILED) {
        fflush(stdout);
        fprintf(stderr, "pkiws %s: error: %s (%s)\n", cli->cmd, o->message,
                pkiws_error_name(o->code));
        if (o->remedy)
            fprintf(stderr, "pkiws %s: remedy: %s\n", cli->cmd, o->remedy);
    }
    pkiws__cli_outcome_dispose(o);
    return exit_code;
}

int pkiws__cli_answer(const pkiws__cli *cli, pkiws__cli_outcome *o)
{
    if (cli->json) {
        pkiws__cli_json j;
        pkiws__cli_json_begin(&j, o);
        pkiws__cli_json_finish(&j);
    }
    return pkiws__cli_finish(cli, o);
}

/* A one-line usage hint for the current subcommand, on stderr. */
static void usage_hint(const pkiws__cli *cli)
{
    if (cli->cmd[0])
        fprintf(stderr, "Usage: pkiws %s %s (see 'pkiws %s --help')\n", cli->cmd, cli->synopsis,
                cli->cmd);
    else
        fputs("Usage: pkiws SUBCOMMAND [OPTIONS]; see 'pkiws --help'\n", stderr);
}

int pkiws__cli_usage_error(const pkiws__cli *cli, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = pkiws__cli_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "pkiws%s%s: %s\n", cli->cmd[0] ? " " : "", cli->cmd, msg);
    usage_hint(cli);
    if (cli->json) {
        pkiws__cli_outcome o;
        pkiws__cli_outcome_init(&o);
        set(&o, PKIWS_STATUS_FAILED, PKIWS_E_INVALID_ARG, msg, NULL, 0);
        pkiws__cli_json j;
        pkiws__cli_json_begin(&j, &o);
        pkiws__cli_json_kbool(&j, "usage_error", 1);
        pkiws__cli_json_finish(&j);
        pkiws__cli_outcome_dispose(&o);
    }
    pkiws__cli_free(msg);
    return PKIWS__CLI_EXIT_USAGE;
}
