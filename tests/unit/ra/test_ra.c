/* SPDX-License-Identifier: MIT */
/* Unit tests of src/core/ra.c: the RA credential from PEM, PKCS#12 and a store directory, and
 * its checks (key matches, valid now). Fixtures are made with the openssl command at run time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "pkiws_internal.h"

#include "core/ra.h"

static char dir[64];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

static void slurp(const char *name, pkiws_buf *out)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(pkiws__file_read(path, 0, out), PKIWS_OK);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/pkiws-ra-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    sh("cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
       "-keyout ra.key -out ra.pem -days 30 -subj '/CN=pkiws test RA' "
       "-addext extendedKeyUsage=clientAuth 2>/dev/null && "
       "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
       "-keyout other.key -out other.pem -days 30 -subj '/CN=other' 2>/dev/null && "
       "openssl pkcs12 -export -legacy -in ra.pem -inkey ra.key -out ra-legacy.pfx "
       "-passout pass:pw 2>/dev/null && "
       "openssl x509 -in ra.pem -noout -fingerprint -sha1 | sed 's/.*=//' > tp",
       dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sh("rm -rf %s", dir);
    return 0;
}

static void test_ra_pem_checks(void **state)
{
    (void)state;
    pkiws_buf cert = PKIWS_BUF_INIT, key = PKIWS_BUF_INIT, other = PKIWS_BUF_INIT;
    slurp("ra.pem", &cert);
    slurp("ra.key", &key);
    slurp("other.key", &other);
    pkiws__ra *ra = NULL;
    int64_t now = (int64_t)time(NULL);
    assert_int_equal(
        pkiws__ra_from_pem(cert.data, cert.len, key.data, key.len, NULL, "test", now, &ra),
        PKIWS_OK);
    int64_t left = pkiws__ra_days_left(ra, now);
    assert_true(left >= 29 && left <= 30);
    pkiws__ra_free(ra);
    /* expired: the same certificate, 31 days later */
    assert_int_equal(pkiws__ra_from_pem(cert.data, cert.len, key.data, key.len, NULL, "test",
                                        now + 31 * 86400, &ra),
                     PKIWS_E_RA_CREDENTIAL);
    assert_null(ra);
    assert_non_null(strstr(pkiws__err_message(), "has expired"));
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_RA_EXPIRED);
    /* not valid yet */
    assert_int_equal(
        pkiws__ra_from_pem(cert.data, cert.len, key.data, key.len, NULL, "test", now - 86400, &ra),
        PKIWS_E_RA_CREDENTIAL);
    assert_non_null(strstr(pkiws__err_message(), "not valid yet"));
    /* a key that is not the certificate's */
    assert_int_equal(
        pkiws__ra_from_pem(cert.data, cert.len, other.data, other.len, NULL, "test", now, &ra),
        PKIWS_E_RA_CREDENTIAL);
    assert_non_null(strstr(pkiws__err_message(), "does not belong"));
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_RA_KEY);
    pkiws__buf_dispose(&cert);
    pkiws__buf_dispose(&key);
    pkiws__buf_dispose(&other);
}

static void test_ra_pkcs12_legacy(void **state)
{
    (void)state;
    pkiws_buf pfx = PKIWS_BUF_INIT;
    slurp("ra-legacy.pfx", &pfx); /* RC2-40 certificate bag, as older Windows writes them */
    pkiws__ra *ra = NULL;
    int64_t now = (int64_t)time(NULL);
    assert_int_equal(pkiws__ra_from_pkcs12(pfx.data, pfx.len, "pw", "legacy", now, &ra), PKIWS_OK);
    pkiws__ra_free(ra);
    assert_int_equal(pkiws__ra_from_pkcs12(pfx.data, pfx.len, "wrong", "legacy", now, &ra),
                     PKIWS_E_RA_CREDENTIAL);
    assert_non_null(strstr(pkiws__err_message(), "wrong password"));
    pkiws__buf_dispose(&pfx);
}

static void test_ra_store_by_thumbprint(void **state)
{
    (void)state;
    pkiws_buf tp = PKIWS_BUF_INIT;
    slurp("tp", &tp);
    /* as copied from the Windows dialog: lower case, spaces, a left-to-right mark */
    char typed[128] = "\xe2\x80\x8e";
    size_t n = strlen(typed);
    for (size_t i = 0; i < tp.len && tp.data[i] != '\n' && n < sizeof typed - 3; i++) {
        if (tp.data[i] == ':') {
            typed[n++] = ' ';
            continue;
        }
        typed[n++] = (char)(tp.data[i] >= 'A' && tp.data[i] <= 'F' ? tp.data[i] + 32 : tp.data[i]);
    }
    typed[n] = 0;
    pkiws__ra *ra = NULL;
    int64_t now = (int64_t)time(NULL);
    assert_int_equal(pkiws__ra_from_store(dir, typed, "pw", now, &ra), PKIWS_OK);
    assert_non_null(strstr(ra->source, "store"));
    pkiws__ra_free(ra);
    assert_int_equal(
        pkiws__ra_from_store(dir, "0000000000000000000000000000000000000000", NULL, now, &ra),
        PKIWS_E_RA_CREDENTIAL);
    assert_non_null(strstr(pkiws__err_message(), "failed to get client certificate"));
    assert_int_equal(pkiws__ra_from_store("/nonexistent", typed, NULL, now, &ra),
                     PKIWS_E_RA_CREDENTIAL);
    pkiws__buf_dispose(&tp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ra_pem_checks),
        cmocka_unit_test(test_ra_pkcs12_legacy),
        cmocka_unit_test(test_ra_store_by_thumbprint),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
