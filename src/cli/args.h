/* SPDX-License-Identifier: MIT */
/* Command-line option parsing: long options from tables, secrets wiped from argv. */
#ifndef PKIWS_CLI_ARGS_H
#define PKIWS_CLI_ARGS_H

#include <stddef.h>

/* Kinds of options. */
#define PKIWS__CLI_FLAG 0   /* --name (may repeat: -vv) */
#define PKIWS__CLI_VALUE 1  /* --name VALUE or --name=VALUE (may repeat) */
#define PKIWS__CLI_SECRET 2 /* as VALUE, but copied and wiped from argv; --name-env VAR too */

/* One option; a table ends with an entry whose name is NULL. */
typedef struct pkiws__cli_opt {
    const char *name;    /* long name without "--" */
    char short_name;     /* 'v' for -v; 0 when none */
    int kind;            /* PKIWS__CLI_* */
    const char *metavar; /* "FILE"; NULL for flags */
    const char *help;    /* one line */
} pkiws__cli_opt;

#define PKIWS__CLI_MAX_ITEMS 128
#define PKIWS__CLI_MAX_TABLES 6

typedef struct pkiws__cli_item {
    const pkiws__cli_opt *opt;
    char *value; /* argv string, or an owned copy for secrets; "" for flags */
    int owned;   /* 1: a secret copy, wiped and freed by dispose */
} pkiws__cli_item;

typedef struct pkiws__cli_args {
    const pkiws__cli_opt *tables[PKIWS__CLI_MAX_TABLES + 1];
    pkiws__cli_item item[PKIWS__CLI_MAX_ITEMS];
    size_t nitem;
    char *pos[PKIWS__CLI_MAX_ITEMS]; /* positional arguments, in order */
    size_t npos;
} pkiws__cli_args;

/* The options every subcommand has: --json, -v/--verbose, -h/--help. */
extern const pkiws__cli_opt pkiws__cli_common_opts[];

/*
 * Parse argv[0..argc) against @p tables (NULL-terminated list of option tables). Secret values
 * are copied and the argv text is wiped. Returns 0, or -1 with a one-line message naming the
 * offending argument in @p err. Always call pkiws__cli_args_dispose() afterwards.
 */
int pkiws__cli_args_parse(pkiws__cli_args *a, const pkiws__cli_opt *const *tables, int argc,
                          char **argv, char *err, size_t cap);
/* Wipe and free the secret copies. */
void pkiws__cli_args_dispose(pkiws__cli_args *a);

/* The last value of option @p name ("" for a flag that was given), or NULL. */
const char *pkiws__cli_arg(const pkiws__cli_args *a, const char *name);
/* How often option @p name was given. */
int pkiws__cli_arg_count(const pkiws__cli_args *a, const char *name);
/* The @p n-th value (0-based) of option @p name, or NULL. */
const char *pkiws__cli_arg_nth(const pkiws__cli_args *a, const char *name, int n);
/* The first option among @p names (NULL-terminated) that was given, or NULL. */
const char *pkiws__cli_arg_any(const pkiws__cli_args *a, const char *const *names);

#endif
