/* SPDX-License-Identifier: MIT */
/* A small streaming JSON writer: escapes what JSON requires, passes valid UTF-8 through. */
#ifndef PKIWS_CLI_JSON_H
#define PKIWS_CLI_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PKIWS__CLI_JSON_MAX_DEPTH 16

typedef struct pkiws__cli_json {
    FILE *out;
    int depth;
    int after_key;                                  /* a key was written, its value comes next */
    unsigned char empty[PKIWS__CLI_JSON_MAX_DEPTH]; /* 1 until the container has an item */
    unsigned char array[PKIWS__CLI_JSON_MAX_DEPTH]; /* 1 for arrays, 0 for objects */
} pkiws__cli_json;

/* Start writing to @p out (two-space indentation, one value per line). */
void pkiws__cli_json_init(pkiws__cli_json *j, FILE *out);
void pkiws__cli_json_object(pkiws__cli_json *j);
void pkiws__cli_json_array(pkiws__cli_json *j);
/* Close the innermost object or array; after the outermost, a newline. */
void pkiws__cli_json_end(pkiws__cli_json *j);
/* The key of the next member of the current object. */
void pkiws__cli_json_key(pkiws__cli_json *j, const char *key);
/* A string value; NULL writes null. Invalid UTF-8 bytes become U+FFFD. */
void pkiws__cli_json_str(pkiws__cli_json *j, const char *s);
void pkiws__cli_json_strn(pkiws__cli_json *j, const char *s, size_t n);
void pkiws__cli_json_int(pkiws__cli_json *j, int64_t v);
void pkiws__cli_json_bool(pkiws__cli_json *j, int v);
void pkiws__cli_json_null(pkiws__cli_json *j);

/* key + value in one call. */
void pkiws__cli_json_kstr(pkiws__cli_json *j, const char *key, const char *s);
void pkiws__cli_json_kint(pkiws__cli_json *j, const char *key, int64_t v);
void pkiws__cli_json_kbool(pkiws__cli_json *j, const char *key, int v);

#endif
