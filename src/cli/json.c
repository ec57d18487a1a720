/* SPDX-License-Identifier: MIT */
/* A small streaming JSON writer: escapes what JSON requires, passes valid UTF-8 through. */
#include "json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void pkiws__cli_json_init(pkiws__cli_json *j, FILE *out)
{
    memset(j, 0, sizeof(*j));
    j->out = out;
}

static void indent(pkiws__cli_json *j)
{
    fputc('\n', j->out);
    for (int i = 0; i < j->depth; i++)
        fputs("  ", j->out);
}

/* Before any value: a comma and a line break inside containers; nothing after a key. */
static void before_value(pkiws__cli_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->depth == 0)
        return;
    if (!j->empty[j->depth - 1])
        fputc(',', j->out);
    j->empty[j->depth - 1] = 0;
    indent(j);
}

static void open(pkiws__cli_json *j, int is_array)
{
    before_value(j);
    if (j->depth >= PKIWS__CLI_JSON_MAX_DEPTH)
        abort(); /* a bug in the tool: nesting is fixed by the code, not by input */
    fputc(is_array ? '[' : '{', j->out);
    j->empty[j->depth] = 1;
    j->array[j->depth] = (unsigned char)is_array;
    j->depth++;
}

void pkiws__cli_json_object(pkiws__cli_json *j)
{
    open(j, 0);
}

void pkiws__cli_json_array(pkiws__cli_json *j)
{
    open(j, 1);
}

void pkiws__cli_json_end(pkiws__cli_json *j)
{
    if (j->depth == 0)
        abort();
    j->depth--;
    if (!j->empty[j->depth])
        indent(j);
    fputc(j->array[j->depth] ? ']' : '}', j->out);
    if (j->depth == 0)
        fputc('\n', j->out);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 when it is not valid:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

static void write_string(FILE *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', out);
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            switch (c) {
            case '\b':
                fputs("\\b", out);
                break;
            case '\f':
                fputs("\\f", out);
                break;
            case '\n':
                fputs("\\n", out);
                break;
            case '\r':
                fputs("\\r", out);
                break;
            case '\t':
                fputs("\\t", out);
                break;
            default:
                fprintf(out, "\\u%04x", (unsigned)c);
            }
            i++;
        } else if (c < 0x80) {
            fputc(c, out);
            i++;
        } else {
            size_t len = utf8_len(s + i, n - i);
            if (len == 0) {
                fputs("\xEF\xBF\xBD", out); /* U+FFFD for each byte that is not UTF-8 */
                i++;
            } else {
                fwrite(s + i, 1, len, out);
                i += len;
            }
        }
    }
    fputc('"', out);
}

void pkiws__cli_json_key(pkiws__cli_json *j, const char *key)
{
    before_value(j);
    write_string(j->out, key, strlen(key));
    fputs(": ", j->out);
    j->after_key = 1;
}

void pkiws__cli_json_strn(pkiws__cli_json *j, const char *s, size_t n)
{
    before_value(j);
    if (s == NULL)
        fputs("null", j->out);
    else
        write_string(j->out, s, n);
}

void pkiws__cli_json_str(pkiws__cli_json *j, const char *s)
{
    pkiws__cli_json_strn(j, s, s ? strlen(s) : 0);
}

void pkiws__cli_json_int(pkiws__cli_json *j, int64_t v)
{
    before_value(j);
    fprintf(j->out, "%" PRId64, v);
}

void pkiws__cli_json_bool(pkiws__cli_json *j, int v)
{
    before_value(j);
    fputs(v ? "true" : "false", j->out);
}

void pkiws__cli_json_null(pkiws__cli_json *j)
{
    before_value(j);
    fputs("null", j->out);
}

void pkiws__cli_json_kstr(pkiws__cli_json *j, const char *key, const char *s)
{
    pkiws__cli_json_key(j, key);
    pkiws__cli_json_str(j, s);
}

void pkiws__cli_json_kint(pkiws__cli_json *j, const char *key, int64_t v)
{
    pkiws__cli_json_key(j, key);
    pkiws__cli_json_int(j, v);
}

void pkiws__cli_json_kbool(pkiws__cli_json *j, const char *key, int v)
{
    pkiws__cli_json_key(j, key);
    pkiws__cli_json_bool(j, v);
}
