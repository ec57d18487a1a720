/* SPDX-License-Identifier: MIT */
/* The pkiws tool's entry point: subcommand dispatch, --help and --version. */
#include "cli.h"

#include <string.h>

/* One command a line (clang-format would pack the long list in columns). */
/* clang-format off */
static const pkiws__cli_cmd *const COMMANDS[] = {
    &pkiws__cli_cmd_issue, /* --help lists them in this order */
    &pkiws__cli_cmd_preflight,
    &pkiws__cli_cmd_poll,
    &pkiws__cli_cmd_renew, /* after poll: the lifecycle order, issue ... revoke */
    &pkiws__cli_cmd_revoke,
    &pkiws__cli_cmd_recover,
    &pkiws__cli_cmd_outbox,
    &pkiws__cli_cmd_search,
    &pkiws__cli_cmd_policy,
    &pkiws__cli_cmd_check,
    &pkiws__cli_cmd_ra_csr,
    &pkiws__cli_cmd_thumbprint,
    &pkiws__cli_cmd_pfx,
    &pkiws__cli_cmd_import_config,
    NULL,
};
/* clang-format on */

static void print_opts(const char *title, const pkiws__cli_opt *opts)
{
    if (opts == NULL || opts[0].name == NULL)
        return;
    printf("\n%s:\n", title);
    for (const pkiws__cli_opt *o = opts; o->name != NULL; o++) {
        char left[128];
        int n = 0;
        if (o->short_name)
            n = snprintf(left, sizeof(left), "-%c, ", o->short_name);
        n += snprintf(left + n, sizeof(left) - (size_t)n, "--%s", o->name);
        if (o->metavar)
            n += snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->metavar);
        if (o->kind == PKIWS__CLI_SECRET)
            snprintf(left + n, sizeof(left) - (size_t)n, " | --%s-env VAR", o->name);
        if (strlen(left) > 30)
            printf("  %s\n  %-30s %s\n", left, "", o->help);
        else
            printf("  %-30s %s\n", left, o->help);
    }
}

static void print_cmd_help(const pkiws__cli_cmd *cmd)
{
    printf("Usage: pkiws %s %s\n\n%s.\n", cmd->name, cmd->synopsis, cmd->summary);
    for (size_t i = 0; i < PKIWS__CLI_MAX_GROUPS; i++)
        print_opts(cmd->groups[i].title, cmd->groups[i].opts);
    print_opts("Common options", pkiws__cli_common_opts);
    printf("\nExit status: 0 success, 1 failure, 2 usage error, 3 pending.\n");
}

static void print_help(void)
{
    printf("Usage: pkiws SUBCOMMAND [OPTIONS]\n"
           "       pkiws SUBCOMMAND --help | pkiws --version\n\n"
           "Issue PKCS certificates from the DigiCert (Symantec) PKI Manager web service.\n\n"
           "Subcommands:\n");
    for (size_t i = 0; COMMANDS[i] != NULL; i++)
        printf("  %-15s %s\n", COMMANDS[i]->name, COMMANDS[i]->summary);
    printf("\nEvery subcommand takes --json (one JSON object on stdout) and -v.\n"
           "Exit status: 0 success, 1 failure, 2 usage error, 3 pending.\n");
}

static void print_version(void)
{
    printf("pkiws %s (libpkiws %s)\n", PKIWS_VERSION_STRING, pkiws_version_string());
}

/* --json anywhere before "--": usage errors found before parsing answer in JSON too. */
static int wants_json(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--json") == 0)
            return 1;
    }
    return 0;
}

static const pkiws__cli_cmd *find(const char *name)
{
    for (size_t i = 0; COMMANDS[i] != NULL; i++)
        if (strcmp(COMMANDS[i]->name, name) == 0)
            return COMMANDS[i];
    return NULL;
}

static int run_cmd(pkiws__cli *cli, const pkiws__cli_cmd *cmd, int argc, char **argv)
{
    const pkiws__cli_opt *tables[PKIWS__CLI_MAX_GROUPS + 2];
    size_t nt = 0;
    for (size_t i = 0; i < PKIWS__CLI_MAX_GROUPS; i++)
        if (cmd->groups[i].opts != NULL)
            tables[nt++] = cmd->groups[i].opts;
    tables[nt++] = pkiws__cli_common_opts;
    tables[nt] = NULL;
    pkiws__cli_args args;
    char err[512];
    int rc;
    if (pkiws__cli_args_parse(&args, tables, argc, argv, err, sizeof(err)) != 0)
        rc = pkiws__cli_usage_error(cli, "%s", err);
    else if (pkiws__cli_arg(&args, "help")) {
        print_cmd_help(cmd);
        rc = PKIWS__CLI_EXIT_OK;
    } else if (args.npos < cmd->min_pos)
        rc = pkiws__cli_usage_error(cli, "missing argument: %s", cmd->synopsis);
    else if (args.npos > cmd->max_pos)
        rc = pkiws__cli_usage_error(cli, "unexpected argument '%s'", args.pos[cmd->max_pos]);
    else {
        cli->json = pkiws__cli_arg(&args, "json") != NULL;
        cli->verbose = pkiws__cli_arg_count(&args, "verbose");
        rc = cmd->run(cli, &args);
    }
    pkiws__cli_args_dispose(&args);
    return rc;
}

int main(int argc, char **argv)
{
    pkiws__cli cli = {"", "", 0, 0};
    cli.json = wants_json(argc - 1, argv + 1);
    int rc;
    const char *name = argc > 1 ? argv[1] : NULL;
    const pkiws__cli_cmd *cmd = name ? find(name) : NULL;
    if (name == NULL)
        rc = pkiws__cli_usage_error(&cli, "no subcommand given");
    else if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        const pkiws__cli_cmd *topic = argc > 2 ? find(argv[2]) : NULL;
        if (topic)
            print_cmd_help(topic);
        else
            print_help();
        rc = PKIWS__CLI_EXIT_OK;
    } else if (strcmp(name, "--version") == 0) {
        print_version();
        rc = PKIWS__CLI_EXIT_OK;
    } else if (cmd != NULL) {
        cli.cmd = cmd->name;
        cli.synopsis = cmd->synopsis;
        rc = run_cmd(&cli, cmd, argc - 2, argv + 2);
    } else if (name[0] == '-')
        rc = pkiws__cli_usage_error(&cli, "unknown option '%s' before the subcommand", name);
    else
        rc = pkiws__cli_usage_error(&cli, "unknown subcommand '%s'", name);

    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("pkiws: standard output");
        return PKIWS__CLI_EXIT_FAILED;
    }
    return rc;
}
