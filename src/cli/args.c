/* SPDX-License-Identifier: MIT */
/* Command-line option parsing: long options from tables, secrets wiped from argv. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const pkiws__cli_opt pkiws__cli_common_opts[] = {
    {"json", 0, PKIWS__CLI_FLAG, NULL, "print one JSON object (status, code, error, ...)"},
    {"verbose", 'v', PKIWS__CLI_FLAG, NULL, "log to stderr: -v debug, -vv trace (SOAP, redacted)"},
    {"help", 'h', PKIWS__CLI_FLAG, NULL, "show the options of this subcommand"},
    {NULL, 0, 0, NULL, NULL},
};

static const char ENV_SUFFIX[] = "-env";
static char FLAG_GIVEN[] = ""; /* the value of a flag that was given */

static int fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

/* The option called name[0..len), and whether it was named through its "-env" form. */
static const pkiws__cli_opt *find_long(const pkiws__cli_args *a, const char *name, size_t len,
                                       int *via_env)
{
    *via_env = 0;
    for (size_t t = 0; a->tables[t] != NULL; t++)
        for (const pkiws__cli_opt *o = a->tables[t]; o->name != NULL; o++)
            if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
                return o;
    size_t sl = sizeof(ENV_SUFFIX) - 1;
    if (len > sl && memcmp(name + len - sl, ENV_SUFFIX, sl) == 0) {
        for (size_t t = 0; a->tables[t] != NULL; t++)
            for (const pkiws__cli_opt *o = a->tables[t]; o->name != NULL; o++)
                if (o->kind == PKIWS__CLI_SECRET && strlen(o->name) == len - sl &&
                    memcmp(o->name, name, len - sl) == 0) {
                    *via_env = 1;
                    return o;
                }
    }
    return NULL;
}

static const pkiws__cli_opt *find_short(const pkiws__cli_args *a, char c)
{
    for (size_t t = 0; a->tables[t] != NULL; t++)
        for (const pkiws__cli_opt *o = a->tables[t]; o->name != NULL; o++)
            if (o->short_name == c)
                return o;
    return NULL;
}

static int add(pkiws__cli_args *a, const pkiws__cli_opt *o, char *value, int owned, char *err,
               size_t cap)
{
    if (a->nitem >= PKIWS__CLI_MAX_ITEMS) {
        if (owned)
            pkiws__cli_free_secret(value, 0);
        return fail(err, cap, "too many options (more than %d)", PKIWS__CLI_MAX_ITEMS);
    }
    a->item[a->nitem].opt = o;
    a->item[a->nitem].value = value;
    a->item[a->nitem].owned = owned;
    a->nitem++;
    return 0;
}

/* Store the value of a VALUE or SECRET option; a secret is copied and wiped from argv, and
 * through its "-env" form the value is the named environment variable's. */
static int add_value(pkiws__cli_args *a, const pkiws__cli_opt *o, int via_env, char *value,
                     char *err, size_t cap)
{
    if (o->kind == PKIWS__CLI_VALUE)
        return add(a, o, value, 0, err, cap);
    if (via_env) {
        const char *env = secure_getenv(value);
        if (env == NULL)
            return fail(err, cap, "environment variable '%s' named by --%s%s is not set", value,
                        o->name, ENV_SUFFIX);
        return add(a, o, pkiws__cli_strdup(env), 1, err, cap);
    }
    char *copy = pkiws__cli_strdup(value);
    pkiws__cli_wipe(value, strlen(value)); /* keep it out of ps and /proc/PID/cmdline */
    return add(a, o, copy, 1, err, cap);
}

static int parse_long(pkiws__cli_args *a, int argc, char **argv, int *i, char *err, size_t cap)
{
    char *arg = argv[*i];
    char *name = arg + 2;
    char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    int via_env;
    const pkiws__cli_opt *o = find_long(a, name, len, &via_env);
    if (o == NULL)
        return fail(err, cap, "unknown option '--%.*s'", (int)len, name);
    if (o->kind == PKIWS__CLI_FLAG) {
        if (eq != NULL)
            return fail(err, cap, "option '--%s' takes no value", o->name);
        return add(a, o, FLAG_GIVEN, 0, err, cap);
    }
    const char *metavar = via_env ? "VAR" : o->metavar;
    if (eq != NULL)
        return add_value(a, o, via_env, eq + 1, err, cap);
    if (*i + 1 >= argc)
        return fail(err, cap, "option '--%.*s' needs a value (%s)", (int)len, name, metavar);
    char *value = argv[*i + 1];
    if (strncmp(value, "--", 2) == 0)
        return fail(err, cap,
                    "option '--%.*s' needs a value (%s) but is followed by '%s'; write "
                    "--%.*s=VALUE for a value that starts with '--'",
                    (int)len, name, metavar, value, (int)len, name);
    (*i)++;
    return add_value(a, o, via_env, value, err, cap);
}

static int parse_short(pkiws__cli_args *a, const char *arg, char *err, size_t cap)
{
    for (const char *c = arg + 1; *c; c++) {
        const pkiws__cli_opt *o = find_short(a, *c);
        if (o == NULL)
            return fail(err, cap, "unknown option '-%c' in '%s'", *c, arg);
        if (o->kind != PKIWS__CLI_FLAG) /* no short option takes a value */
            return fail(err, cap, "option '-%c' needs a value; use --%s", *c, o->name);
        if (add(a, o, FLAG_GIVEN, 0, err, cap) != 0)
            return -1;
    }
    return 0;
}

int pkiws__cli_args_parse(pkiws__cli_args *a, const pkiws__cli_opt *const *tables, int argc,
                          char **argv, char *err, size_t cap)
{
    memset(a, 0, sizeof(*a));
    size_t nt = 0;
    for (; tables[nt] != NULL && nt < PKIWS__CLI_MAX_TABLES; nt++)
        a->tables[nt] = tables[nt];
    a->tables[nt] = NULL;
    if (cap > 0)
        err[0] = '\0';

    int options_done = 0;
    for (int i = 0; i < argc; i++) {
        char *arg = argv[i];
        int rc = 0;
        if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (a->npos >= PKIWS__CLI_MAX_ITEMS)
                return fail(err, cap, "too many arguments (more than %d)", PKIWS__CLI_MAX_ITEMS);
            a->pos[a->npos++] = arg;
        } else if (strcmp(arg, "--") == 0)
            options_done = 1;
        else if (arg[1] == '-')
            rc = parse_long(a, argc, argv, &i, err, cap);
        else
            rc = parse_short(a, arg, err, cap);
        if (rc != 0)
            return -1;
    }
    return 0;
}

void pkiws__cli_args_dispose(pkiws__cli_args *a)
{
    for (size_t i = 0; i < a->nitem; i++)
        if (a->item[i].owned)
            pkiws__cli_free_secret(a->item[i].value, 0);
    a->nitem = 0;
    a->npos = 0;
}

const char *pkiws__cli_arg_nth(const pkiws__cli_args *a, const char *name, int n)
{
    int seen = 0;
    for (size_t i = 0; i < a->nitem; i++)
        if (strcmp(a->item[i].opt->name, name) == 0 && seen++ == n)
            return a->item[i].value;
    return NULL;
}

int pkiws__cli_arg_count(const pkiws__cli_args *a, const char *name)
{
    int n = 0;
    for (size_t i = 0; i < a->nitem; i++)
        if (strcmp(a->item[i].opt->name, name) == 0)
            n++;
    return n;
}

const char *pkiws__cli_arg(const pkiws__cli_args *a, const char *name)
{
    int n = pkiws__cli_arg_count(a, name);
    return n ? pkiws__cli_arg_nth(a, name, n - 1) : NULL;
}

const char *pkiws__cli_arg_any(const pkiws__cli_args *a, const char *const *names)
{
    for (size_t i = 0; names[i] != NULL; i++)
        if (pkiws__cli_arg_count(a, names[i]) > 0)
            return names[i];
    return NULL;
}
