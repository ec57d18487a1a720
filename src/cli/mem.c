/* SPDX-License-Identifier: MIT */
/* Memory for the tool: its only calls to the C allocator; out of memory ends the run. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p)
{
    if (p == NULL) {
        fputs("pkiws: out of memory\n", stderr);
        exit(PKIWS__CLI_EXIT_FAILED);
    }
    return p;
}

void *pkiws__cli_malloc(size_t n)
{
    return check(malloc(n ? n : 1));
}

char *pkiws__cli_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = pkiws__cli_malloc(n);
    memcpy(p, s, n);
    return p;
}

char *pkiws__cli_vprintf(const char *fmt, va_list ap)
{
    if (fmt ==
        NULL) /* never by the tool's calls; keeps GCC's -Wformat-truncation quiet under UBSan */
        return pkiws__cli_strdup("");
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return pkiws__cli_strdup("");
    char *p = pkiws__cli_malloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *pkiws__cli_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = pkiws__cli_vprintf(fmt, ap);
    va_end(ap);
    return p;
}

void pkiws__cli_free(void *p)
{
    free(p);
}

void pkiws__cli_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0)
        explicit_bzero(p, n);
}

void pkiws__cli_free_secret(void *p, size_t n)
{
    if (p == NULL)
        return;
    pkiws__cli_wipe(p, n ? n : strlen(p) + 1);
    free(p);
}
