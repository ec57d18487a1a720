/* SPDX-License-Identifier: MIT */
/* Unit tests of src/core/ra.c: the RA credential from PEM, PKCS#12 and a store directory, and
 * its checks (key matches, valid now). Fixtures are made with the openssl command at run time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../tmpdir.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "pkiws_internal.h"

#include "core/ra.h"
#include "core/settings.h"

#include "../pkcs12/pfx_merge.h"

static char dir[256];

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
    char path[320];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(pkiws__file_read(path, 0, out), PKIWS_OK);
}

static int setup(void **state)
{
    (void)state;
    if (test_mkdtemp(dir, sizeof dir, "pkiws-ra"))
        return -1;
    sh("cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
       "-keyout ra.key -out ra.pem -days 30 -subj '/CN=pkiws test RA' "
       "-addext extendedKeyUsage=clientAuth 2>/dev/null && "
       "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
       "-keyout other.key -out other.pem -days 30 -subj '/CN=other' 2>/dev/null && "
       "openssl pkcs12 -export -legacy -in ra.pem -inkey ra.key -out ra-legacy.pfx "
       "-passout pass:pw 2>/dev/null && "
       "openssl pkcs12 -export -in other.pem -inkey other.key -out other.pfx "
       "-passout pass:pw 2>/dev/null && "
       "openssl x509 -in ra.pem -noout -fingerprint -sha1 | sed 's/.*=//' > tp && "
       "openssl x509 -in other.pem -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' > "
       "other.tp",
       dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmtree(dir, "pkiws-ra");
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

/* The first line of a small text file, without its line break. */
static void first_line(const char *name, char *out, size_t cap)
{
    pkiws_buf b = PKIWS_BUF_INIT;
    slurp(name, &b);
    size_t n = strcspn((const char *)b.data, "\n");
    assert_true(n < cap);
    memcpy(out, b.data, n);
    out[n] = 0;
    pkiws__buf_dispose(&b);
}

/* A PFX holding two certificates with their keys (two PFX files made by openssl, merged under
 * one MAC; openssl lists both keys): as the RA credential it is refused, naming the count;
 * from a store directory the thumbprint picks the certificate and its key. */
static void test_ra_pkcs12_two_keys(void **state)
{
    (void)state;
    pkiws_buf a = PKIWS_BUF_INIT, b = PKIWS_BUF_INIT, two = PKIWS_BUF_INIT;
    slurp("ra-legacy.pfx", &a);
    slurp("other.pfx", &b);
    assert_int_equal(pfx_merge(a.data, a.len, b.data, b.len, "pw", &two), PKIWS_OK);
    char path[320];
    snprintf(path, sizeof path, "%s/two/two-keys.pfx", dir);
    sh("mkdir '%s/two'", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(two.data, 1, two.len, f), two.len);
    assert_int_equal(fclose(f), 0);
    /* the real artefact: openssl verifies the MAC and finds two keys and two certificates */
    sh("cd '%s' && openssl pkcs12 -legacy -in two/two-keys.pfx -passin pass:pw -noenc "
       "-out two.pem 2>/dev/null && test \"$(grep -c 'BEGIN PRIVATE KEY' two.pem)\" = 2 && "
       "test \"$(grep -c 'BEGIN CERTIFICATE' two.pem)\" = 2",
       dir);

    pkiws__ra *ra = NULL;
    int64_t now = (int64_t)time(NULL);
    assert_int_equal(pkiws__ra_from_pkcs12(two.data, two.len, "pw", "file two-keys.pfx", now, &ra),
                     PKIWS_E_RA_CREDENTIAL);
    assert_null(ra);
    const char *msg = pkiws__err_message();
    if (!strstr(msg, "RA PKCS#12 file two-keys.pfx: the PFX holds 2 private keys") ||
        !strstr(msg, "'CN=pkiws test RA'") || !strstr(msg, "'CN=other'"))
        fail_msg("message: %s", msg);

    char ra_tp[64], other_tp[64];
    pkiws_buf norm = PKIWS_BUF_INIT;
    first_line("tp", ra_tp, sizeof ra_tp);
    assert_int_equal(pkiws__thumbprint_normalize(ra_tp, &norm), PKIWS_OK);
    snprintf(ra_tp, sizeof ra_tp, "%s", pkiws__buf_cstr(&norm));
    first_line("other.tp", other_tp, sizeof other_tp);
    /* by thumbprint, directly */
    assert_int_equal(
        pkiws__ra_from_pkcs12_thumbprint(two.data, two.len, "pw", other_tp, "two", now, &ra),
        PKIWS_OK);
    assert_string_equal(ra->thumbprint, other_tp);
    assert_int_equal(pkiws__cert_matches_key(ra->cert, pkiws__signer_builtin_key(ra->signer)), 1);
    assert_int_equal(ra->chain.n, 1);
    pkiws__ra_free(ra);
    assert_int_equal(pkiws__ra_from_pkcs12_thumbprint(two.data, two.len, "pw",
                                                      "0000000000000000000000000000000000000000",
                                                      "two", now, &ra),
                     PKIWS_E_RA_CREDENTIAL);
    assert_non_null(strstr(pkiws__err_message(), "holds no certificate with thumbprint 0000"));
    /* from a store directory that holds only the two-key PFX: either certificate */
    snprintf(path, sizeof path, "%s/two", dir);
    assert_int_equal(pkiws__ra_from_store(path, ra_tp, "pw", now, &ra), PKIWS_OK);
    assert_string_equal(ra->thumbprint, ra_tp);
    assert_int_equal(pkiws__cert_matches_key(ra->cert, pkiws__signer_builtin_key(ra->signer)), 1);
    pkiws__ra_free(ra);
    assert_int_equal(pkiws__ra_from_store(path, other_tp, "pw", now, &ra), PKIWS_OK);
    assert_string_equal(ra->thumbprint, other_tp);
    pkiws__ra_free(ra);
    /* the store's PFX holds the certificate, which has expired by then: that is the answer,
     * not "no certificate with thumbprint" */
    assert_int_equal(pkiws__ra_from_store(path, other_tp, "pw", now + 31 * 86400, &ra),
                     PKIWS_E_RA_CREDENTIAL);
    assert_non_null(strstr(pkiws__err_message(), "has expired"));
    /* a wrong password: the PFX cannot be opened and is skipped */
    assert_int_equal(pkiws__ra_from_store(path, other_tp, "wrong", now, &ra),
                     PKIWS_E_RA_CREDENTIAL);
    assert_non_null(strstr(pkiws__err_message(), "no certificate with thumbprint"));
    pkiws__buf_dispose(&norm);
    pkiws__buf_dispose(&a);
    pkiws__buf_dispose(&b);
    pkiws__buf_dispose(&two);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ra_pem_checks),
        cmocka_unit_test(test_ra_pkcs12_legacy),
        cmocka_unit_test(test_ra_store_by_thumbprint),
        cmocka_unit_test(test_ra_pkcs12_two_keys),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
