/* SPDX-License-Identifier: MIT */
/* Helpers of the fuzz targets. */
#include "pkiws_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = 0;
    return s;
}

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void fuzz_check_rc(int rc, const char *what)
{
    if (rc == PKIWS_OK)
        return;
    if (!pkiws__error_name(rc))
        fuzz_fail("%s returned %d, which is no PKIWS_E_* code", what, rc);
    if (rc == PKIWS_E_INTERNAL)
        fuzz_fail("%s failed with PKIWS_E_INTERNAL (a bug by definition): %s", what,
                  pkiws__err_message());
    if (pkiws__err_code() != rc)
        fuzz_fail("%s returned %s but recorded %s (message: %s)", what, pkiws__error_name(rc),
                  pkiws__error_name(pkiws__err_code()) ? pkiws__error_name(pkiws__err_code())
                                                       : "nothing",
                  pkiws__err_message());
    const char *msg = pkiws__err_message();
    if (!msg || !*msg)
        fuzz_fail("%s returned %s without a message", what, pkiws__error_name(rc));
}
