/* SPDX-License-Identifier: MIT */
/* Unit tests of the tool's own parts: JSON writer, option parser, names, files, outcomes, PEM,
 * passwords, the pending file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../tmpdir.h"

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

static void test_cli_names_parse_int_bounds_and_junk(void **state)
{
    (void)state;
    int64_t v = 7;
    assert_int_equal(pkiws__cli_parse_int("45000", 1, INT32_MAX, &v), 0);
    assert_int_equal(v, 45000);
    assert_int_equal(pkiws__cli_parse_int("-3", -5, 5, &v), 0);
    assert_int_equal(v, -3);
    v = 7;
    assert_int_equal(pkiws__cli_parse_int("0", 1, 10, &v), -1);
    assert_int_equal(pkiws__cli_parse_int("11", 1, 10, &v), -1);
    assert_int_equal(pkiws__cli_parse_int("", 0, 10, &v), -1);
    assert_int_equal(pkiws__cli_parse_int("-", 0, 10, &v), -1);
    assert_int_equal(pkiws__cli_parse_int(" 5", 0, 10, &v), -1);
    assert_int_equal(pkiws__cli_parse_int("5ms", 0, 10, &v), -1);
    assert_int_equal(pkiws__cli_parse_int("+5", 0, 10, &v), -1);
    assert_int_equal(pkiws__cli_parse_int("99999999999999999999", 0, INT64_MAX, &v), -1);
    assert_int_equal(v, 7); /* untouched on failure */
}

static void test_cli_names_san_types_name_the_bad_item(void **state)
{
    (void)state;
    unsigned set = 0;
    const char *bad = NULL;
    size_t bad_len = 0;
    assert_int_equal(pkiws__cli_san_types("email, UPN ,othername", &set, &bad, &bad_len), 0);
    assert_int_equal(set, PKIWS_SAN_EMAIL | PKIWS_SAN_UPN | PKIWS_SAN_OTHERNAME);
    assert_int_equal(pkiws__cli_san_types("upn", &set, &bad, &bad_len), 0);
    assert_int_equal(set, PKIWS_SAN_UPN);
    const char *text = "email,x400,upn";
    assert_int_equal(pkiws__cli_san_types(text, &set, &bad, &bad_len), -1);
    assert_ptr_equal(bad, text + 6);
    assert_int_equal(bad_len, 4);
    assert_int_equal(pkiws__cli_san_types("email,", &set, &bad, &bad_len), -1);
    assert_int_equal(bad_len, 0);
}

static void test_cli_names_enumerations(void **state)
{
    (void)state;
    int v = 0;
    assert_int_equal(pkiws__cli_subject_format("cn-as-email", &v), 0);
    assert_int_equal(v, PKIWS_SUBJECT_CN_AS_EMAIL);
    assert_int_equal(pkiws__cli_subject_format("CN_EMAIL", &v), 0); /* the spec's spelling */
    assert_int_equal(v, PKIWS_SUBJECT_CN_EMAIL);
    assert_int_equal(pkiws__cli_subject_format("cn-e", &v), -1);
    assert_int_equal(pkiws__cli_key_type("p384", &v), 0);
    assert_int_equal(v, PKIWS_KEY_EC_P384);
    assert_string_equal(pkiws__cli_key_type_name(PKIWS_KEY_RSA3072), "rsa3072");
    assert_int_equal(pkiws__cli_key_type("rsa1024", &v), -1);
    assert_int_equal(pkiws__cli_pfx_preset("Modern", &v), 0);
    assert_int_equal(v, PKIWS_PFX_MODERN);
    assert_string_equal(pkiws__cli_pfx_preset_name(PKIWS_PFX_LEGACY), "legacy");
    assert_int_equal(pkiws__cli_field("upn", &v), 0);
    assert_int_equal(v, PKIWS_FIELD_SAN_UPN);
    assert_int_equal(pkiws__cli_field("seat_id", &v), 0);
    assert_int_equal(v, PKIWS_FIELD_SEAT_ID);
    assert_int_equal(pkiws__cli_field("nickname", &v), -1);
    assert_string_equal(pkiws__cli_status_name(PKIWS_STATUS_PENDING), "pending");
    char t[32];
    pkiws__cli_time(0, t, sizeof(t));
    assert_string_equal(t, "1970-01-01T00:00:00Z");
    pkiws__cli_time(1795302123, t, sizeof(t));
    assert_string_equal(t, "2026-11-21T23:02:03Z");
}

/* A fresh directory for file tests; removed by rm_dir. */
static char *make_dir(void)
{
    const size_t cap = 256;
    char *d = malloc(cap);
    assert_non_null(d);
    assert_int_equal(test_mkdtemp(d, cap, "pkiws-test-cli"), 0);
    return d;
}

static void rm_dir(char *d)
{
    assert_int_equal(test_rmtree(d, "pkiws-test-cli"), 0);
    free(d);
}

static int mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (int)(st.st_mode & 07777);
}

static void test_cli_file_stage_commit_discard_and_modes(void **state)
{
    (void)state;
    char *d = make_dir();
    char key[256], csr[256], gone[256];
    snprintf(key, sizeof(key), "%s/k.pem", d);
    snprintf(csr, sizeof(csr), "%s/r.csr", d);
    snprintf(gone, sizeof(gone), "%s/never.pem", d);
    FILE *f = fopen(key, "w"); /* an existing, world-readable file is replaced */
    fputs("old", f);
    fclose(f);
    chmod(key, 0644);
    mode_t old_mask = umask(022);
    pkiws__cli_outcome o;
    pkiws__cli_outcome_init(&o);
    pkiws__cli_staged a, b, c;
    assert_int_equal(pkiws__cli_stage("key file", key, "KEY", 3, 1, &a, &o), PKIWS_OK);
    assert_int_equal(pkiws__cli_stage("CSR file", csr, "CSR", 3, 0, &b, &o), PKIWS_OK);
    assert_int_equal(pkiws__cli_stage("x", gone, "X", 1, 0, &c, &o), PKIWS_OK);
    assert_int_equal(access(csr, F_OK), -1); /* nothing in place before commit */
    assert_int_equal(pkiws__cli_commit("key file", &a, &o), PKIWS_OK);
    assert_int_equal(pkiws__cli_commit("CSR file", &b, &o), PKIWS_OK);
    pkiws__cli_discard(&c);
    pkiws__cli_discard(&a); /* harmless after commit */
    umask(old_mask);
    assert_int_equal(mode_of(key), 0600);
    assert_int_equal(mode_of(csr), 0644);
    assert_int_equal(access(gone, F_OK), -1);

    pkiws__cli_data data;
    assert_int_equal(pkiws__cli_read("key file", key, 1, &data, &o), PKIWS_OK);
    assert_int_equal(data.len, 3);
    assert_string_equal((char *)data.p, "KEY");
    pkiws__cli_data_dispose(&data);

    char cmd[512];
    snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) = 2", d);
    assert_int_equal(system(cmd), 0); /* no temporary files left */

    char bad[256];
    snprintf(bad, sizeof(bad), "%s/no/such/dir.pem", d);
    assert_int_equal(pkiws__cli_stage("PFX file", bad, "X", 1, 1, &a, &o), PKIWS_E_IO);
    assert_int_equal(o.code, PKIWS_E_IO);
    assert_non_null(strstr(o.message, "cannot create PFX file"));
    assert_non_null(strstr(o.message, "no/such/dir.pem"));
    pkiws__cli_outcome_dispose(&o);
    rm_dir(d);
}

static void test_cli_file_read_limit_and_empty(void **state)
{
    (void)state;
    char *d = make_dir();
    char path[256];
    snprintf(path, sizeof(path), "%s/big", d);
    pkiws__cli_outcome o;
    pkiws__cli_outcome_init(&o);
    pkiws__cli_data data;

    FILE *f = fopen(path, "w");
    fclose(f);
    assert_int_equal(pkiws__cli_read("template", path, 0, &data, &o), PKIWS_E_IO);
    assert_non_null(strstr(o.message, "is empty"));

    assert_int_equal(truncate(path, PKIWS__CLI_MAX_FILE), 0); /* exactly the limit: fine */
    assert_int_equal(pkiws__cli_read("template", path, 0, &data, &o), PKIWS_OK);
    assert_int_equal(data.len, PKIWS__CLI_MAX_FILE);
    pkiws__cli_data_dispose(&data);

    assert_int_equal(truncate(path, PKIWS__CLI_MAX_FILE + 1), 0);
    assert_int_equal(pkiws__cli_read("template", path, 1, &data, &o), PKIWS_E_LIMIT);
    assert_non_null(strstr(o.message, "larger than 16777216 bytes"));
    assert_null(data.p);

    snprintf(path, sizeof(path), "%s/missing", d);
    assert_int_equal(pkiws__cli_read("template", path, 0, &data, &o), PKIWS_E_IO);
    assert_non_null(strstr(o.message, "cannot open template"));
    assert_non_null(strstr(o.message, "No such file"));
    pkiws__cli_outcome_dispose(&o);
    rm_dir(d);
}

static void test_cli_report_outcome_of_a_library_failure(void **state)
{
    (void)state;
    char *out = NULL;
    int rc = pkiws_thumbprint_normalize("zz", &out);
    assert_true(rc < 0);
    pkiws__cli_outcome o;
    pkiws__cli_outcome_init(&o);
    assert_int_equal(o.status, PKIWS_STATUS_OK);
    pkiws__cli_outcome_last(&o, rc);
    assert_int_equal(o.status, PKIWS_STATUS_FAILED);
    assert_int_equal(o.code, rc);
    assert_string_equal(o.message, pkiws_last_error_message());
    assert_true(strlen(o.message) > 0);
    pkiws__cli_outcome_fail(&o, PKIWS_E_IO, "cannot open %s", "x.pem");
    assert_string_equal(o.message, "cannot open x.pem");
    assert_null(o.remedy);
    pkiws__cli_outcome_result(&o, NULL, PKIWS_OK); /* no result and no error: a bug */
    assert_int_equal(o.code, PKIWS_E_INTERNAL);
    pkiws__cli_outcome_dispose(&o);
}

static void test_cli_names_reasons_case_insensitive_and_named(void **state)
{
    (void)state;
    int r = -99;
    assert_int_equal(pkiws__cli_reason("keycompromise", &r), 0);
    assert_int_equal(r, PKIWS_REASON_KEY_COMPROMISE);
    assert_int_equal(pkiws__cli_reason("REMOVEFROMCRL", &r), 0);
    assert_int_equal(r, PKIWS_REASON_REMOVE_FROM_CRL);
    assert_int_equal(pkiws__cli_reason("Unspecified", &r), 0);
    assert_int_equal(r, PKIWS_REASON_UNSPECIFIED);
    assert_int_equal(pkiws__cli_reason("key-compromise", &r), -1);
    assert_int_equal(pkiws__cli_reason("", &r), -1);
    assert_string_equal(pkiws__cli_reason_name(PKIWS_REASON_AA_COMPROMISE), "AACompromise");
    assert_string_equal(pkiws__cli_reason_name(PKIWS_REASON_CERTIFICATE_HOLD), "CertificateHold");
    assert_null(pkiws__cli_reason_name(PKIWS_REASON_NONE));
    assert_null(pkiws__cli_reason_name(7)); /* RFC 5280 leaves 7 unused */
    /* every name in the list parses back to a reason whose name it is */
    char list[512];
    snprintf(list, sizeof(list), "%s", pkiws__cli_reason_list());
    int n = 0;
    for (char *tok = strtok(list, ", "); tok != NULL; tok = strtok(NULL, ", "), n++) {
        assert_int_equal(pkiws__cli_reason(tok, &r), 0);
        assert_string_equal(pkiws__cli_reason_name(r), tok);
    }
    assert_int_equal(n, 10);
}

static void test_cli_pem_base64_lines_of_64(void **state)
{
    (void)state;
    char *p = pkiws__cli_pem("CERTIFICATE", (const uint8_t *)"Man", 3);
    assert_string_equal(p, "-----BEGIN CERTIFICATE-----\nTWFu\n-----END CERTIFICATE-----\n");
    free(p);
    p = pkiws__cli_pem("X", (const uint8_t *)"Ma", 2);
    assert_string_equal(p, "-----BEGIN X-----\nTWE=\n-----END X-----\n");
    free(p);
    p = pkiws__cli_pem("X", (const uint8_t *)"M", 1);
    assert_string_equal(p, "-----BEGIN X-----\nTQ==\n-----END X-----\n");
    free(p);
    p = pkiws__cli_pem("X", (const uint8_t *)"", 0);
    assert_string_equal(p, "-----BEGIN X-----\n-----END X-----\n");
    free(p);
    uint8_t bytes[49];
    memset(bytes, 0xFB, sizeof(bytes)); /* 0xFB 0xFB 0xFB is "+/v7": the last two symbols */
    p = pkiws__cli_pem("X", bytes, 48); /* exactly one full line */
    char want[256];
    char line[65];
    for (size_t i = 0; i < 64; i += 4)
        memcpy(line + i, "+/v7", 4);
    line[64] = '\0';
    snprintf(want, sizeof(want), "-----BEGIN X-----\n%s\n-----END X-----\n", line);
    assert_string_equal(p, want);
    free(p);
    p = pkiws__cli_pem("X", bytes, 49); /* a second line with one byte */
    snprintf(want, sizeof(want), "-----BEGIN X-----\n%s\n+w==\n-----END X-----\n", line);
    assert_string_equal(p, want);
    free(p);
}

static void test_cli_pem_random_password_alphabet_and_length(void **state)
{
    (void)state;
    char *a = pkiws__cli_random_password(20);
    char *b = pkiws__cli_random_password(20);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(strlen(a), 20);
    assert_int_equal(strspn(a, "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"), 20);
    assert_string_not_equal(a, b);
    pkiws__cli_free_secret(a, 0);
    pkiws__cli_free_secret(b, 0);
    /* many characters: every one of the 56 shows up, none outside the alphabet */
    char *many = pkiws__cli_random_password(5000);
    assert_non_null(many);
    assert_int_equal(strspn(many, "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"),
                     5000);
    const char *alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    for (const char *c = alphabet; *c; c++)
        assert_non_null(strchr(many, *c));
    pkiws__cli_free_secret(many, 0);
}

static const char TEST_KEY[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                               "MIIBAAAA\n"
                               "-----END ENCRYPTED PRIVATE KEY-----\n";

static void test_cli_pending_round_trip_escapes_values(void **state)
{
    (void)state;
    pkiws__cli_pending p;
    memset(&p, 0, sizeof(p));
    p.reference = strdup("PND-1");
    p.profile = strdup("2.16.840.1.113733.1.16.1.2.3.1.1.11");
    p.cn = strdup("Evil\nreference: PND-2\r%41 100%");
    p.upn = strdup("J\xc3\xbcrgen@contoso.com");
    p.friendly_name = strdup("tab\there");
    p.key_pem = strdup(TEST_KEY);
    char *text = pkiws__cli_pending_format(&p);
    /* the newline in the CN cannot start a line of its own */
    assert_non_null(strstr(text, "cn: Evil%0Areference: PND-2%0D%2541 100%25\n"));
    assert_non_null(strstr(text, "upn: J\xc3\xbcrgen@contoso.com\n"));
    assert_null(strstr(text, "email:"));
    assert_int_equal(strncmp(text, "pkiws pending request 1\n", 24), 0);

    pkiws__cli_pending q;
    pkiws__cli_outcome o;
    pkiws__cli_outcome_init(&o);
    assert_int_equal(pkiws__cli_pending_parse("p.pending", text, strlen(text), &q, &o), PKIWS_OK);
    assert_string_equal(q.reference, "PND-1");
    assert_string_equal(q.profile, p.profile);
    assert_string_equal(q.cn, p.cn);
    assert_string_equal(q.upn, p.upn);
    assert_string_equal(q.friendly_name, "tab\there");
    assert_null(q.email);
    assert_null(q.seat);
    assert_string_equal(q.key_pem, TEST_KEY);
    pkiws__cli_pending_dispose(&q);
    assert_null(q.key_pem);

    /* CRLF line ends (a file edited on Windows) read the same */
    char crlf[2048];
    size_t n = 0;
    for (const char *c = text; *c; c++) {
        if (*c == '\n')
            crlf[n++] = '\r';
        crlf[n++] = *c;
    }
    assert_int_equal(pkiws__cli_pending_parse("p.pending", crlf, n, &q, &o), PKIWS_OK);
    assert_string_equal(q.cn, p.cn);
    assert_non_null(strstr(q.key_pem, "MIIBAAAA"));
    pkiws__cli_pending_dispose(&q);
    pkiws__cli_free_secret(text, 0);
    pkiws__cli_pending_dispose(&p);
    pkiws__cli_outcome_dispose(&o);
}

/* Parse text, expect failure, and check the message. */
static void expect_pending_error(const char *text, const char *want)
{
    pkiws__cli_pending q;
    pkiws__cli_outcome o;
    pkiws__cli_outcome_init(&o);
    assert_int_equal(pkiws__cli_pending_parse("x.pending", text, strlen(text), &q, &o),
                     PKIWS_E_INVALID_ARG);
    assert_int_equal(o.code, PKIWS_E_INVALID_ARG);
    if (strstr(o.message, want) == NULL || strstr(o.message, "x.pending") == NULL)
        fail_msg("message '%s' lacks '%s' or the file name", o.message, want);
    pkiws__cli_pending_dispose(&q);
    pkiws__cli_outcome_dispose(&o);
}

static void test_cli_pending_parse_errors_name_the_line(void **state)
{
    (void)state;
    char t[1024];
    const char *head = "pkiws pending request 1\n";
    const char *ok = "reference: R\nprofile: 1.2.3\n";
    expect_pending_error("pkiws pending request 2\n", "line 1: not a pkiws pending file");
    expect_pending_error("", "has no private key");
    snprintf(t, sizeof(t), "%s%snickname: x\n%s", head, ok, TEST_KEY);
    expect_pending_error(t, "line 4: unknown field 'nickname'");
    snprintf(t, sizeof(t), "%s%sreference: again\n%s", head, ok, TEST_KEY);
    expect_pending_error(t, "line 4: field 'reference' given twice");
    snprintf(t, sizeof(t), "%s# note\n%scn:\n%s", head, ok, TEST_KEY);
    expect_pending_error(t, "line 5: field 'cn' is empty");
    snprintf(t, sizeof(t), "%s%scn: 100%%G1\n%s", head, ok, TEST_KEY);
    expect_pending_error(t, "line 4: field 'cn': '%' at column 8");
    snprintf(t, sizeof(t), "%s%scn: a%%00b\n%s", head, ok, TEST_KEY);
    expect_pending_error(t, "line 4: field 'cn': '%' at column 6");
    snprintf(t, sizeof(t), "%s%scn: trailing%%4\n%s", head, ok, TEST_KEY);
    expect_pending_error(t, "column 13");
    snprintf(t, sizeof(t), "%s%sjust text\n%s", head, ok, TEST_KEY);
    expect_pending_error(t, "line 4: expected 'name: value'");
    snprintf(t, sizeof(t), "%sprofile: 1.2.3\n%s", head, TEST_KEY);
    expect_pending_error(t, "has no 'reference:' line");
    snprintf(t, sizeof(t), "%s%s", head, ok);
    expect_pending_error(t, "has no private key");
    snprintf(t, sizeof(t), "%s%s-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n", head, ok);
    expect_pending_error(t, "a key without its end line");
    snprintf(t, sizeof(t), "%s%s%sreference: late\n", head, ok, TEST_KEY);
    expect_pending_error(t, "line 7: text after the end of the key");
    snprintf(t, sizeof(t), "%s%s-----BEGIN ENCRYPTED PRIVATE KEY-----\n%s", head, ok, TEST_KEY);
    expect_pending_error(t, "line 5: a second key begins");

    /* an embedded NUL is refused, not read as the end of the text */
    snprintf(t, sizeof(t), "%s%scn: a_b\n%s", head, ok, TEST_KEY);
    char *u = strchr(t, '_');
    *u = '\0';
    pkiws__cli_pending q;
    pkiws__cli_outcome o;
    pkiws__cli_outcome_init(&o);
    size_t len = strlen(t) + 1 + strlen(u + 1);
    assert_int_equal(pkiws__cli_pending_parse("x.pending", t, len, &q, &o), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(o.message, "line 4: NUL byte"));
    pkiws__cli_pending_dispose(&q);
    pkiws__cli_outcome_dispose(&o);
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
        cmocka_unit_test(test_cli_names_parse_int_bounds_and_junk),
        cmocka_unit_test(test_cli_names_san_types_name_the_bad_item),
        cmocka_unit_test(test_cli_names_enumerations),
        cmocka_unit_test(test_cli_file_stage_commit_discard_and_modes),
        cmocka_unit_test(test_cli_file_read_limit_and_empty),
        cmocka_unit_test(test_cli_report_outcome_of_a_library_failure),
        cmocka_unit_test(test_cli_names_reasons_case_insensitive_and_named),
        cmocka_unit_test(test_cli_pem_base64_lines_of_64),
        cmocka_unit_test(test_cli_pem_random_password_alphabet_and_length),
        cmocka_unit_test(test_cli_pending_round_trip_escapes_values),
        cmocka_unit_test(test_cli_pending_parse_errors_name_the_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
