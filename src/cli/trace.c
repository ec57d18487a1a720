/* SPDX-License-Identifier: MIT */
/* A result's subject, SAN trace and template checks, as JSON members and as text. */
#include "cli.h"

static int is_san(int field)
{
    return field == PKIWS_FIELD_SAN_EMAIL || field == PKIWS_FIELD_SAN_UPN ||
           field == PKIWS_FIELD_SAN_OTHERNAME;
}

void pkiws__cli_json_trace(pkiws__cli_json *j, const pkiws_result *res)
{
    size_t n = res ? pkiws_result_trace_count(res) : 0;
    pkiws__cli_json_kstr(j, "subject", res ? pkiws_result_str(res, PKIWS_RESULT_SUBJECT) : NULL);

    pkiws__cli_json_key(j, "san");
    pkiws__cli_json_array(j);
    for (size_t i = 0; i < n; i++) {
        int field = 0, source = 0;
        const char *value = NULL;
        if (pkiws_result_trace(res, i, &field, &value, &source) != PKIWS_OK || !is_san(field))
            continue;
        pkiws__cli_json_object(j);
        pkiws__cli_json_kstr(j, "type", pkiws_field_name(field));
        pkiws__cli_json_kstr(j, "value", value);
        pkiws__cli_json_kstr(j, "source", pkiws_source_name(source));
        pkiws__cli_json_end(j);
    }
    pkiws__cli_json_end(j);

    pkiws__cli_json_key(j, "trace");
    pkiws__cli_json_array(j);
    for (size_t i = 0; i < n; i++) {
        int field = 0, source = 0;
        const char *value = NULL;
        if (pkiws_result_trace(res, i, &field, &value, &source) != PKIWS_OK)
            continue;
        pkiws__cli_json_object(j);
        pkiws__cli_json_kstr(j, "field", pkiws_field_name(field));
        pkiws__cli_json_kstr(j, "value", value);
        pkiws__cli_json_kstr(j, "source", pkiws_source_name(source));
        pkiws__cli_json_end(j);
    }
    pkiws__cli_json_end(j);
}

void pkiws__cli_json_checks(pkiws__cli_json *j, const pkiws_result *res)
{
    size_t n = res ? pkiws_result_check_count(res) : 0;
    pkiws__cli_json_key(j, "checks");
    pkiws__cli_json_array(j);
    for (size_t i = 0; i < n; i++) {
        const char *name = NULL, *detail = NULL, *remedy = NULL;
        int verdict = 0;
        if (pkiws_result_check(res, i, &name, &verdict, &detail, &remedy) != PKIWS_OK)
            continue;
        pkiws__cli_json_object(j);
        pkiws__cli_json_kstr(j, "name", name);
        pkiws__cli_json_kstr(j, "verdict", pkiws_verdict_name(verdict));
        pkiws__cli_json_kstr(j, "detail", detail);
        pkiws__cli_json_kstr(j, "remedy", remedy);
        pkiws__cli_json_end(j);
    }
    pkiws__cli_json_end(j);
}

void pkiws__cli_print_trace(const pkiws_result *res)
{
    const char *subject = pkiws_result_str(res, PKIWS_RESULT_SUBJECT);
    printf("subject: %s\n", subject ? subject : "(none)");
    size_t n = pkiws_result_trace_count(res);
    if (n > 0)
        printf("trace:\n");
    for (size_t i = 0; i < n; i++) {
        int field = 0, source = 0;
        const char *value = NULL;
        if (pkiws_result_trace(res, i, &field, &value, &source) != PKIWS_OK)
            continue;
        printf("  %-14s %-36s from %s\n", pkiws_field_name(field), value ? value : "",
               pkiws_source_name(source));
    }
}

void pkiws__cli_print_checks(const pkiws_result *res)
{
    size_t n = pkiws_result_check_count(res);
    if (n > 0)
        printf("template checks:\n");
    for (size_t i = 0; i < n; i++) {
        const char *name = NULL, *detail = NULL, *remedy = NULL;
        int verdict = 0;
        if (pkiws_result_check(res, i, &name, &verdict, &detail, &remedy) != PKIWS_OK)
            continue;
        printf("  %-24s %-20s %s\n", pkiws_verdict_name(verdict), name ? name : "",
               detail ? detail : "");
        if (remedy && *remedy)
            printf("  %-24s %-20s remedy: %s\n", "", "", remedy);
    }
}
