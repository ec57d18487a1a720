/* SPDX-License-Identifier: MIT */
/*
 * Temporary directories of the tests: "$TMPDIR/NAME-XXXXXX" (/tmp when TMPDIR is unset or
 * empty), and their removal, which touches only a directory made that way for that NAME. Header
 * only, so that every test program can use it without another source file.
 */
#ifndef PKIWS_TESTS_TMPDIR_H
#define PKIWS_TESTS_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline const char *test_tmp_root(void)
{
    const char *tmp = getenv("TMPDIR");
    return tmp && *tmp ? tmp : "/tmp";
}

/* A fresh directory for NAME into dir (cap bytes); 0, or -1 when it does not fit or cannot be
 * made. */
static inline int test_mkdtemp(char *dir, size_t cap, const char *name)
{
    int n = snprintf(dir, cap, "%s/%s-XXXXXX", test_tmp_root(), name);
    return n > 0 && (size_t)n < cap && mkdtemp(dir) ? 0 : -1;
}

/* rm -rf dir when it is one test_mkdtemp made for NAME (else nothing); 0, or -1 when the
 * removal failed. */
static inline int test_rmtree(const char *dir, const char *name)
{
    const char *root = test_tmp_root();
    size_t n = strlen(root), m = strlen(name);
    if (!dir[0] || strncmp(dir, root, n) || dir[n] != '/' || strncmp(dir + n + 1, name, m) ||
        dir[n + 1 + m] != '-' || strchr(dir, '\''))
        return 0;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
