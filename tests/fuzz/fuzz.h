/* SPDX-License-Identifier: MIT */
/* Shared by the fuzz targets of tests/fuzz/ (libFuzzer and the replay driver). */
#ifndef PKIWS_TEST_FUZZ_H
#define PKIWS_TEST_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The entry point every target defines (libFuzzer's; replay.c calls it too). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of the input (embedded NULs stay: C-string parsers see a prefix).
 * Aborts when out of memory. Free with free(). */
char *fuzz_cstr(const uint8_t *data, size_t size);

/* The library's error contract: PKIWS_OK, or a failure recorded on this thread with the same
 * code and a non-empty message; never PKIWS_E_INTERNAL. Aborts (a finding) naming `what`
 * otherwise. Call pkiws__err_clear() before the call being checked. */
void fuzz_check_rc(int rc, const char *what);

/* Abort with a message: an invariant of the target does not hold. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
