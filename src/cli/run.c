/* SPDX-License-Identifier: MIT */
/* What the run() of a subcommand shares: the session, the outcome, the library's result and
 * the files written for it, the JSON answer, and the exit status at the end. */
#include "cli.h"

int pkiws__cli_run_json(const pkiws__cli *cli, pkiws__cli_run *r)
{
    if (!cli->json)
        return 0;
    pkiws__cli_json_begin(&r->j, &r->o);
    return 1;
}

int pkiws__cli_run_end(const pkiws__cli *cli, pkiws__cli_run *r)
{
    if (r->j.out != NULL)
        pkiws__cli_json_finish(&r->j);
    pkiws_result_free(r->res);
    pkiws__cli_written_dispose(&r->w);
    pkiws_session_free(r->s);
    return pkiws__cli_finish(cli, &r->o);
}
