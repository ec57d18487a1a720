/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the otherName value parser (src/core/othername.c): hex of one DER element in
 * strict mode, raw text in connector-compatible mode. Invariants: on failure the output
 * buffer is as it was (here: it holds a marker that must survive); in strict mode a success
 * yields exactly one DER element and never more bytes than half the hex digits typed.
 */
#include "pkiws_internal.h"

#include <stdlib.h>

#include "core/san.h"
#include "fuzz.h"

#define MARK "mark"

static void run(const char *s, int compat)
{
    pkiws_buf out = PKIWS_BUF_INIT;
    pkiws__buf_puts(&out, MARK);
    pkiws__err_clear();
    int rc = pkiws__othername_bytes(s, compat, &out);
    fuzz_check_rc(rc, "pkiws__othername_bytes");
    if (out.len < 4 || memcmp(out.data, MARK, 4))
        fuzz_fail("pkiws__othername_bytes changed what the buffer held before");
    size_t n = out.len - 4;
    if (rc && n)
        fuzz_fail("pkiws__othername_bytes failed but appended %zu bytes", n);
    if (!rc && compat && n != strlen(s))
        fuzz_fail("connector mode appended %zu bytes for %zu", n, strlen(s));
    if (!rc && !compat) {
        size_t digits = 0;
        for (const char *c = s; *c; c++)
            digits +=
                (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f') || (*c >= 'A' && *c <= 'F');
        if (n < 2 || n * 2 != digits)
            fuzz_fail("strict mode: %zu bytes from %zu hex digits", n, digits);
    }
    pkiws__buf_dispose(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    run(s, 0);
    run(s, 1);
    free(s);
    return 0;
}
