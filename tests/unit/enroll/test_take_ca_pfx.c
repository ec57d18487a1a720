/* SPDX-License-Identifier: MIT */
/* Unit tests of pkiws__take_ca_pfx (src/core/enroll.c): the CA's PKCS#12 and its password are
 * wiped and freed as soon as they are read, whether the read succeeds or not. The executable
 * is linked with -Wl,--wrap=free: __wrap_free looks at the two watched buffers at the moment
 * the library frees them (every other free passes straight through), so the test sees what
 * was in them when they were handed back, without reading freed memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../tmpdir.h"
#include <stdio.h>
#include <stdlib.h>

#include "pkiws_internal.h"

#include "core/enroll.h"

void __real_free(void *p);
void __wrap_free(void *p);

/* A buffer the test hands to the library, and what __wrap_free saw of it. */
typedef struct watched {
    const void *p;
    size_t n;
    int freed;  /* 1 once freed (then it is no longer watched) */
    int zeroed; /* all n bytes were 0 when it was freed */
} watched;

static watched w_pfx, w_pw;

static void look(watched *w, const void *p)
{
    if (!w->p || p != w->p)
        return;
    const unsigned char *b = p;
    size_t nz = 0;
    for (size_t i = 0; i < w->n; i++)
        nz += b[i] != 0;
    w->freed++;
    w->zeroed = nz == 0;
    w->p = NULL; /* its address may be handed out again and freed later: that is not it */
}

void __wrap_free(void *p)
{
    if (p) {
        look(&w_pfx, p);
        look(&w_pw, p);
    }
    __real_free(p);
}

static char dir[256];
static pkiws__key *key;
static pkiws__cert *leaf;
static pkiws_buf pfx_good; /* key + leaf under "CA one-time pw", the legacy preset */

static void *read_file(const char *name, size_t *len)
{
    char path[320];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    pkiws_buf b = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__file_read(path, 0, &b), PKIWS_OK);
    return pkiws__buf_detach(&b, len);
}

static int setup(void **state)
{
    (void)state;
    if (test_mkdtemp(dir, sizeof dir, "pkiws-capfx"))
        return -1;
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && K='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes' && "
             "openssl req -x509 $K -keyout ca.key -out ca.pem -days 3 -subj '/CN=CA' "
             "-addext basicConstraints=critical,CA:TRUE 2>/dev/null && "
             "openssl req $K -keyout leaf.key -out leaf.csr -subj '/CN=Escrowed' 2>/dev/null && "
             "openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
             "-out leaf.pem -days 3 2>/dev/null",
             dir);
    if (system(cmd) != 0)
        return -1;
    size_t n;
    void *d = read_file("leaf.key", &n);
    int rc = pkiws__key_parse(d, n, NULL, &key);
    pkiws__free_secret(d, n);
    d = read_file("leaf.pem", &n);
    if (!rc)
        rc = pkiws__cert_parse(d, n, &leaf);
    pkiws__free(d);
    pkiws__certlist none = {0};
    pkiws__pfx_opts opts = {PKIWS_PFX_LEGACY, "CA one-time pw", "escrowed", 0};
    if (!rc)
        rc = pkiws__pfx_write(key, leaf, &none, &opts, &pfx_good);
    return rc ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    pkiws__key_free(key);
    pkiws__cert_free(leaf);
    pkiws__buf_dispose(&pfx_good);
    return test_rmtree(dir, "pkiws-capfx");
}

/* Hand pfx (len bytes) and password to pkiws__take_ca_pfx as the CA's, watching both buffers;
 * check they were freed before it returned, wiped, and the caller's pointers reset. */
static int take(const void *pfx, size_t len, const char *password, pkiws__issue_outcome *out)
{
    uint8_t *p = pkiws__memdup(pfx, len);
    char *pw = pkiws__strdup(password);
    assert_non_null(p);
    assert_non_null(pw);
    w_pfx = (watched){p, len, 0, 0};
    w_pw = (watched){pw, strlen(pw) + 1, 0, 0};
    size_t n = len;
    memset(out, 0, sizeof *out);
    int rc = pkiws__take_ca_pfx(&p, &n, &pw, NULL, out);
    assert_null(p);
    assert_int_equal(n, 0);
    assert_null(pw);
    assert_int_equal(w_pfx.freed, 1);
    assert_int_equal(w_pw.freed, 1);
    assert_true(w_pfx.zeroed);
    assert_true(w_pw.zeroed);
    return rc;
}

static void test_read_then_wiped(void **state)
{
    (void)state;
    pkiws__issue_outcome o;
    int rc = take(pfx_good.data, pfx_good.len, "CA one-time pw", &o);
    if (rc)
        fail_msg("take: %s", pkiws__err_message());
    /* and it was read before it was wiped: the key and its certificate */
    assert_non_null(o.key);
    assert_non_null(o.leaf);
    assert_true(pkiws__cert_matches_key(o.leaf, key));
    assert_true(pkiws__cert_matches_key(o.leaf, o.key));
    pkiws__issue_outcome_dispose(&o);
}

static void test_wrong_password_wiped(void **state)
{
    (void)state;
    pkiws__issue_outcome o;
    assert_int_equal(take(pfx_good.data, pfx_good.len, "not the CA's", &o), PKIWS_E_PROTOCOL);
    assert_non_null(strstr(pkiws__err_message(), "the PKCS#12 the CA returned"));
    assert_null(o.key);
    pkiws__issue_outcome_dispose(&o);
}

static void test_not_pkcs12_wiped(void **state)
{
    (void)state;
    static const char junk[] = "these bytes are not a PKCS#12 structure at all";
    pkiws__issue_outcome o;
    assert_int_equal(take(junk, sizeof junk - 1, "CA one-time pw", &o), PKIWS_E_PROTOCOL);
    assert_null(o.key);
    pkiws__issue_outcome_dispose(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_then_wiped),
        cmocka_unit_test(test_wrong_password_wiped),
        cmocka_unit_test(test_not_pkcs12_wiped),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
