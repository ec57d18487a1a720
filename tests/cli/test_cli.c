/* SPDX-License-Identifier: MIT */
/* Unit tests of the tool's pure parts: the JSON writer and the option parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

/* Run fn on a writer over a memory stream and return what it wrote (caller frees). */
static char *json_of(void (*fn)(pkiws__cli_json *j))
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    pkiws__cli_json j;
    pkiws__cli_json_init(&j, f);
    fn(&j);
    fclose(f);
    return text;
}

static void write_escapes(pkiws__cli_json *j)
{
    pkiws__cli_json_object(j);
    pkiws__cli_json_kstr(j, "q", "a\"b\\c/d");
    pkiws__cli_json_kstr(j, "ctl", "\n\r\t\b\f\x01\x1f\x7f");
    pkiws__cli_json_kstr(j, "utf8", "J\xc3\xbcrgen \xe2\x80\x8e \xf0\x9f\x94\x91");
    pkiws__cli_json_end(j);
}

static void test_cli_json_escapes_controls_quotes_and_passes_utf8(void **state)
{
    (void)state;
    char *t = json_of(write_escapes);
    assert_string_equal(t, "{\n"
                           "  \"q\": \"a\\\"b\\\\c/d\",\n"
                           "  \"ctl\": \"\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f\",\n"
                           "  \"utf8\": \"J\xc3\xbcrgen \xe2\x80\x8e \xf0\x9f\x94\x91\"\n"
                           "}\n");
    free(t);
}

static void write_bad_utf8(pkiws__cli_json *j)
{
    pkiws__cli_json_array(j);
    pkiws__cli_json_str(j, "a\xff"
                           "b");                /* not a lead byte */
    pkiws__cli_json_str(j, "\xc0\xaf");         /* overlong '/' */
    pkiws__cli_json_str(j, "\xed\xa0\x80");     /* UTF-16 surrogate */
    pkiws__cli_json_str(j, "\xe2\x82");         /* truncated at the end */
    pkiws__cli_json_str(j, "\xf4\x90\x80\x80"); /* above U+10FFFF */
    pkiws__cli_json_strn(j, "x\0y", 3);         /* embedded NUL */
    pkiws__cli_json_end(j);
}

static void test_cli_json_replaces_invalid_utf8(void **state)
{
    (void)state;
    char *t = json_of(write_bad_utf8);
    const char *r = "\xef\xbf\xbd"; /* U+FFFD */
    char want[512];
    snprintf(want, sizeof(want),
             "[\n  \"a%sb\",\n  \"%s%s\",\n  \"%s%s%s\",\n  \"%s%s\",\n  \"%s%s%s%s\",\n"
             "  \"x\\u0000y\"\n]\n",
             r, r, r, r, r, r, r, r, r, r, r, r);
    assert_string_equal(t, want);
    free(t);
}

static void write_nested(pkiws__cli_json *j)
{
    pkiws__cli_json_object(j);
    pkiws__cli_json_kint(j, "code", -401);
    pkiws__cli_json_kint(j, "big", INT64_MIN);
    pkiws__cli_json_kstr(j, "none", NULL);
    pkiws__cli_json_kbool(j, "yes", 1);
    pkiws__cli_json_key(j, "empty");
    pkiws__cli_json_array(j);
    pkiws__cli_json_end(j);
    pkiws__cli_json_key(j, "list");
    pkiws__cli_json_array(j);
    pkiws__cli_json_object(j);
    pkiws__cli_json_kbool(j, "no", 0);
    pkiws__cli_json_end(j);
    pkiws__cli_json_null(j);
    pkiws__cli_json_end(j);
    pkiws__cli_json_end(j);
}

static void test_cli_json_nesting_commas_and_scalars(void **state)
{
    (void)state;
    char *t = json_of(write_nested);
    assert_string_equal(t, "{\n"
                           "  \"code\": -401,\n"
                           "  \"big\": -9223372036854775808,\n"
                           "  \"none\": null,\n"
                           "  \"yes\": true,\n"
                           "  \"empty\": [],\n"
                           "  \"list\": [\n"
                           "    {\n"
                           "      \"no\": false\n"
                           "    },\n"
                           "    null\n"
                           "  ]\n"
                           "}\n");
    free(t);
}

static const pkiws__cli_opt TEST_OPTS[] = {
    {"template", 0, PKIWS__CLI_VALUE, "FILE", "t"},
    {"pfx-pass", 0, PKIWS__CLI_SECRET, "PASS", "p"},
    {"map", 0, PKIWS__CLI_VALUE, "F=A", "m"},
    {NULL, 0, 0, NULL, NULL},
};

static const pkiws__cli_opt *const TEST_TABLES[] = {TEST_OPTS, pkiws__cli_common_opts, NULL};

/* argv for the parser: writable copies, as the kernel gives them. */
typedef struct argv_copy {
    char *v[16];
    int n;
} argv_copy;

static void make_argv(argv_copy *a, const char *const *words)
{
    a->n = 0;
    for (; words[a->n] != NULL; a->n++)
        a->v[a->n] = strdup(words[a->n]);
}

static void free_argv(argv_copy *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
}

static void test_cli_args_values_flags_positionals(void **state)
{
    (void)state;
    const char *words[] = {"--template", "t.xml",  "-vv",        "--map=cn=common_name",
                           "pos1",       "--json", "--map",      "upn=san_upn",
                           "-",          "--",     "--template", NULL};
    argv_copy av;
    make_argv(&av, words);
    pkiws__cli_args a;
    char err[256];
    assert_int_equal(pkiws__cli_args_parse(&a, TEST_TABLES, av.n, av.v, err, sizeof(err)), 0);
    assert_string_equal(pkiws__cli_arg(&a, "template"), "t.xml");
    assert_int_equal(pkiws__cli_arg_count(&a, "verbose"), 2);
    assert_non_null(pkiws__cli_arg(&a, "json"));
    assert_null(pkiws__cli_arg(&a, "help"));
    assert_int_equal(pkiws__cli_arg_count(&a, "map"), 2);
    assert_string_equal(pkiws__cli_arg_nth(&a, "map", 0), "cn=common_name");
    assert_string_equal(pkiws__cli_arg_nth(&a, "map", 1), "upn=san_upn");
    assert_null(pkiws__cli_arg_nth(&a, "map", 2));
    assert_int_equal(a.npos, 3);
    assert_string_equal(a.pos[0], "pos1");
    assert_string_equal(a.pos[1], "-");
    assert_string_equal(a.pos[2], "--template"); /* after "--" everything is positional */
    pkiws__cli_args_dispose(&a);
    free_argv(&av);
}

static void test_cli_args_secret_is_copied_and_wiped_from_argv(void **state)
{
    (void)state;
    setenv("PKIWS_TEST_PASS", "from-env", 1);
    const char *words[] = {"--pfx-pass", "s3cret", NULL};
    argv_copy av;
    make_argv(&av, words);
    pkiws__cli_args a;
    char err[256];
    assert_int_equal(pkiws__cli_args_parse(&a, TEST_TABLES, av.n, av.v, err, sizeof(err)), 0);
    assert_string_equal(pkiws__cli_arg(&a, "pfx-pass"), "s3cret");
    assert_memory_equal(av.v[1], "\0\0\0\0\0\0", 6); /* gone from argv */
    pkiws__cli_args_dispose(&a);
    free_argv(&av);

    const char *w2[] = {"--pfx-pass=abc", "--pfx-pass-env", "PKIWS_TEST_PASS", NULL};
    make_argv(&av, w2);
    assert_int_equal(pkiws__cli_args_parse(&a, TEST_TABLES, av.n, av.v, err, sizeof(err)), 0);
    assert_memory_equal(av.v[0], "--pfx-pass=\0\0\0", 14);
    assert_string_equal(pkiws__cli_arg_nth(&a, "pfx-pass", 0), "abc");
    assert_string_equal(pkiws__cli_arg(&a, "pfx-pass"), "from-env"); /* the last one wins */
    pkiws__cli_args_dispose(&a);
    free_argv(&av);
}

/* Parse words, expect failure, return the message. */
static void expect_error(const char *const *words, const char *want)
{
    argv_copy av;
    make_argv(&av, words);
    pkiws__cli_args a;
    char err[256];
    assert_int_equal(pkiws__cli_args_parse(&a, TEST_TABLES, av.n, av.v, err, sizeof(err)), -1);
    if (strstr(err, want) == NULL)
        fail_msg("message '%s' lacks '%s'", err, want);
    pkiws__cli_args_dispose(&a);
    free_argv(&av);
}

static void test_cli_args_errors_name_the_argument(void **state)
{
    (void)state;
    unsetenv("PKIWS_TEST_UNSET");
    const char *unknown[] = {"--template", "x", "--tempalte", "y", NULL};
    expect_error(unknown, "unknown option '--tempalte'");
    const char *missing[] = {"--template", NULL};
    expect_error(missing, "option '--template' needs a value (FILE)");
    const char *swallow[] = {"--template", "--json", NULL};
    expect_error(swallow, "followed by '--json'");
    const char *flag_value[] = {"--json=yes", NULL};
    expect_error(flag_value, "option '--json' takes no value");
    const char *short_unknown[] = {"-vx", NULL};
    expect_error(short_unknown, "unknown option '-x' in '-vx'");
    const char *env_unset[] = {"--pfx-pass-env", "PKIWS_TEST_UNSET", NULL};
    expect_error(env_unset, "environment variable 'PKIWS_TEST_UNSET'");
    const char *env_value_opt[] = {"--template-env", "X", NULL};
    expect_error(env_value_opt, "unknown option '--template-env'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_json_escapes_controls_quotes_and_passes_utf8),
        cmocka_unit_test(test_cli_json_replaces_invalid_utf8),
        cmocka_unit_test(test_cli_json_nesting_commas_and_scalars),
        cmocka_unit_test(test_cli_args_values_flags_positionals),
        cmocka_unit_test(test_cli_args_secret_is_copied_and_wiped_from_argv),
        cmocka_unit_test(test_cli_args_errors_name_the_argument),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
