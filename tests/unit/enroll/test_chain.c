/* SPDX-License-Identifier: MIT */
/* Unit tests of the chain the issue flow keeps (src/core/enroll.c): the CA's answer, ordered by
 * issuer links, completed from the policy's CA certificates when the answer lacks the root or
 * is a bare X.509 certificate. Fixtures: root -> issuing CA -> leaf, made with openssl. */
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

static char dir[256];
static pkiws__cert *root, *issuing, *leaf;

static void sh(const char *cmd)
{
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

static pkiws__cert *load(const char *name)
{
    char path[320];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    pkiws_buf b = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__file_read(path, 0, &b), PKIWS_OK);
    pkiws__cert *c = NULL;
    assert_int_equal(pkiws__cert_parse(b.data, b.len, &c), PKIWS_OK);
    pkiws__buf_dispose(&b);
    return c;
}

static int setup(void **state)
{
    (void)state;
    if (test_mkdtemp(dir, sizeof dir, "pkiws-chain"))
        return -1;
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && K='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes' && "
             "openssl req -x509 $K -keyout root.key -out root.pem -days 3 -subj '/CN=Root' "
             "-addext basicConstraints=critical,CA:TRUE 2>/dev/null && "
             "openssl req $K -keyout ca.key -out ca.csr -subj '/CN=Issuing' 2>/dev/null && "
             "printf 'basicConstraints=critical,CA:TRUE\\n' > ca.ext && "
             "openssl x509 -req -in ca.csr -CA root.pem -CAkey root.key -CAcreateserial "
             "-out ca.pem -days 3 -extfile ca.ext 2>/dev/null && "
             "openssl req $K -keyout leaf.key -out leaf.csr -subj '/CN=Leaf' 2>/dev/null && "
             "openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
             "-out leaf.pem -days 3 2>/dev/null",
             dir);
    sh(cmd);
    root = load("root.pem");
    issuing = load("ca.pem");
    leaf = load("leaf.pem");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pkiws__cert_free(root);
    pkiws__cert_free(issuing);
    pkiws__cert_free(leaf);
    return test_rmtree(dir, "pkiws-chain");
}

/* A template whose CA list is (issuing, root), as the policy gives it. */
static void policy_cas(pkiws__template *t, uint8_t **der, size_t *len)
{
    memset(t, 0, sizeof *t);
    der[0] = (uint8_t *)pkiws__cert_der(issuing, &len[0]);
    der[1] = (uint8_t *)pkiws__cert_der(root, &len[1]);
    t->ca_der = der;
    t->ca_len = len;
    t->nca = 2;
    t->has_root = 1;
}

static const char *subject_of(const pkiws__cert *c)
{
    return pkiws__cert_get_info(c)->subject;
}

static void test_chain_root_added_from_policy(void **state)
{
    (void)state;
    pkiws__template t;
    uint8_t *der[2];
    size_t len[2];
    policy_cas(&t, der, len);
    /* the answer had the issuing CA but not the root */
    pkiws__certlist chain = {0};
    pkiws__cert *copy = NULL;
    size_t n;
    const uint8_t *d = pkiws__cert_der(issuing, &n);
    assert_int_equal(pkiws__cert_parse(d, n, &copy), PKIWS_OK);
    assert_int_equal(pkiws__certlist_add(&chain, copy), PKIWS_OK);
    assert_int_equal(pkiws__complete_chain(leaf, &chain, &t), PKIWS_OK);
    assert_int_equal(chain.n, 2);
    assert_string_equal(subject_of(chain.v[0]), "CN=Issuing");
    assert_string_equal(subject_of(chain.v[1]), "CN=Root");
    pkiws__certlist_dispose(&chain);
}

static void test_chain_bare_certificate_answer(void **state)
{
    (void)state;
    pkiws__template t;
    uint8_t *der[2];
    size_t len[2];
    policy_cas(&t, der, len);
    /* a bare X.509 answer: the whole chain comes from the policy, in issuer order */
    der[0] = (uint8_t *)pkiws__cert_der(root, &len[0]); /* policy lists root first here */
    der[1] = (uint8_t *)pkiws__cert_der(issuing, &len[1]);
    pkiws__certlist chain = {0};
    assert_int_equal(pkiws__complete_chain(leaf, &chain, &t), PKIWS_OK);
    assert_int_equal(chain.n, 2);
    assert_string_equal(subject_of(chain.v[0]), "CN=Issuing");
    assert_string_equal(subject_of(chain.v[1]), "CN=Root");
    pkiws__certlist_dispose(&chain);
}

static void test_chain_complete_answer_unchanged(void **state)
{
    (void)state;
    pkiws__template t;
    uint8_t *der[2];
    size_t len[2];
    policy_cas(&t, der, len);
    pkiws__certlist chain = {0};
    const pkiws__cert *have[] = {issuing, root};
    for (int i = 0; i < 2; i++) {
        size_t n;
        const uint8_t *d = pkiws__cert_der(have[i], &n);
        pkiws__cert *c = NULL;
        assert_int_equal(pkiws__cert_parse(d, n, &c), PKIWS_OK);
        assert_int_equal(pkiws__certlist_add(&chain, c), PKIWS_OK);
    }
    assert_int_equal(pkiws__complete_chain(leaf, &chain, &t), PKIWS_OK);
    assert_int_equal(chain.n, 2); /* nothing duplicated */
    /* no template: nothing to add */
    assert_int_equal(pkiws__complete_chain(leaf, &chain, NULL), PKIWS_OK);
    assert_int_equal(chain.n, 2);
    pkiws__certlist_dispose(&chain);
}

/* A policy listing its CAs twice, and one that does not parse: each CA once, in issuer order. */
static void test_chain_policy_duplicates_and_garbage(void **state)
{
    (void)state;
    pkiws__template t;
    uint8_t *der[5];
    size_t len[5];
    static uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x00};
    policy_cas(&t, der, len);
    der[0] = (uint8_t *)pkiws__cert_der(root, &len[0]);
    der[1] = junk;
    len[1] = sizeof junk;
    der[2] = (uint8_t *)pkiws__cert_der(issuing, &len[2]);
    der[3] = (uint8_t *)pkiws__cert_der(root, &len[3]);
    der[4] = (uint8_t *)pkiws__cert_der(issuing, &len[4]);
    t.nca = 5;
    pkiws__certlist chain = {0};
    assert_int_equal(pkiws__complete_chain(leaf, &chain, &t), PKIWS_OK);
    assert_int_equal(chain.n, 2);
    assert_string_equal(subject_of(chain.v[0]), "CN=Issuing");
    assert_string_equal(subject_of(chain.v[1]), "CN=Root");
    assert_int_equal(pkiws__cert_self_signed(chain.v[1]), 1);
    assert_int_equal(pkiws__cert_self_signed(chain.v[0]), 0);
    pkiws__certlist_dispose(&chain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_root_added_from_policy),
        cmocka_unit_test(test_chain_bare_certificate_answer),
        cmocka_unit_test(test_chain_complete_answer_unchanged),
        cmocka_unit_test(test_chain_policy_duplicates_and_garbage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
