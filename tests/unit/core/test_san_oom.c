/* SPDX-License-Identifier: MIT */
/* Out-of-memory torture of the SAN engine: fail the 1st, 2nd, ... allocation in turn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "pkiws_internal.h"

#include "core/san.h"
#include "tpl_fixture.h"

/* The executable is linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc, which routes
 * the library's allocations (pkiws__malloc & co. call libc) through these. */
void *__real_malloc(size_t n);
void *__real_calloc(size_t c, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t c, size_t n);
void *__wrap_realloc(void *p, size_t n);

static int armed;
static long count, fail_at;

static int should_fail(void)
{
    return armed && ++count == fail_at;
}

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t c, size_t n)
{
    return should_fail() ? NULL : __real_calloc(c, n);
}

void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

/* Fail each allocation in turn until the call gets through; every failure must be reported as
 * PKIWS_E_NOMEM (or the call's own expected error), never swallowed, never crash or leak. */
static void torture(const pkiws__template *t, const pkiws__selection *sel,
                    const pkiws__identity *id, int expected)
{
    for (fail_at = 1; fail_at < 100000; fail_at++) {
        pkiws__resolution res;
        count = 0;
        armed = 1;
        int rc = pkiws__resolve(t, sel, id, &res);
        armed = 0;
        pkiws__resolution_dispose(&res);
        if (count < fail_at) { /* no allocation failed: the normal outcome */
            assert_int_equal(rc, expected);
            assert_true(fail_at > 10); /* it did allocate a fair amount */
            return;
        }
        if (rc != PKIWS_E_NOMEM && rc != expected)
            fail_msg("allocation %ld failed: rc %d (%s)", fail_at, rc, pkiws__err_message());
        if (rc == expected && expected == PKIWS_OK)
            fail_msg("allocation %ld failed but the call succeeded", fail_at);
    }
    fail_msg("never got through");
}

static void test_san_oom_success_path(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    tpl_add(&f, "mail_firstname", PKIWS__ROLE_GIVEN_NAME, 1);
    tpl_add(&f, "mail_lastname", PKIWS__ROLE_FAMILY_NAME, 1);
    f.t.seat_attr = (char *)"seat_id";
    pkiws__selection sel =
        sel_make(PKIWS_SUBJECT_CN_EMAIL, PKIWS_SAN_EMAIL | PKIWS_SAN_UPN | PKIWS_SAN_OTHERNAME);
    pkiws__identity id = {.cn = "Alice, A.",
                          .email = "alice@contoso.com",
                          .upn = "alice.smith@contoso.com",
                          .othername_hex = "04 02 ab cd"};
    torture(&f.t, &sel, &id, PKIWS_OK);
}

static void test_san_oom_error_paths(void **state)
{
    (void)state;
    tpl_fx f;
    tpl_standard(&f);
    tpl_add(&f, "mail_firstname", PKIWS__ROLE_GIVEN_NAME, 1);
    pkiws__selection sel = sel_make(PKIWS_SUBJECT_CN, PKIWS_SAN_OTHERNAME);
    pkiws__identity b64 = {.cn = "A", .othername_hex = "BBK4umVB"};
    torture(&f.t, &sel, &b64, PKIWS_E_OTHERNAME_ENCODING);
    sel = sel_make(PKIWS_SUBJECT_CN, 0);
    pkiws__identity underscore = {.cn = "A", .upn = "global_admin@contoso.com"};
    torture(&f.t, &sel, &underscore, PKIWS_E_UNSUPPORTED_CHARS);
    pkiws__identity no_upn = {.cn = "A"};
    torture(&f.t, &sel, &no_upn, PKIWS_E_SAN_UNRESOLVED);
    tpl_add(&f, "cost_center", PKIWS__ROLE_UNKNOWN, 1);
    sel = sel_make(PKIWS_SUBJECT_CN_EMAIL, PKIWS_SAN_UPN);
    sel.mapping[PKIWS_FIELD_SAN_UPN] = "nope";
    torture(&f.t, &sel, &no_upn, PKIWS_E_POLICY_MISMATCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_san_oom_success_path),
        cmocka_unit_test(test_san_oom_error_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
