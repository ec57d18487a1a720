/* SPDX-License-Identifier: MIT */
/* Unit tests of the DRBG (fork safety) and the digests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sys/wait.h>
#include <unistd.h>

#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

static void hex_is(const uint8_t *p, size_t n, const char *want)
{
    pkiws_buf h = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__hex_encode(p, n, &h), PKIWS_OK);
    assert_string_equal((char *)h.data, want);
    pkiws__buf_dispose(&h);
}

static void test_crypto_rng_digests_known_answers(void **state)
{
    (void)state;
    uint8_t d1[20], d2[32];
    pkiws__sha1((const uint8_t *)"abc", 3, d1);
    hex_is(d1, 20, "A9993E364706816ABA3E25717850C26C9CD0D89D");
    pkiws__sha256((const uint8_t *)"abc", 3, d2);
    hex_is(d2, 32, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
    pkiws__sha256(NULL, 0, d2);
    hex_is(d2, 32, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
}

static void test_crypto_rng_outputs_differ(void **state)
{
    (void)state;
    uint8_t a[32], b[32], big[5000];
    assert_int_equal(pkiws__random(a, sizeof a), PKIWS_OK);
    assert_int_equal(pkiws__random(b, sizeof b), PKIWS_OK);
    assert_memory_not_equal(a, b, sizeof a);
    /* more than one CTR_DRBG request (1024 bytes): filled to the end */
    memset(big, 0, sizeof big);
    assert_int_equal(pkiws__random(big, sizeof big), PKIWS_OK);
    static const uint8_t zero[64];
    assert_memory_not_equal(big + sizeof big - 64, zero, 64);
    assert_int_equal(pkiws__random(NULL, 0), PKIWS_OK);
    assert_int_equal(pkiws__random(NULL, 1), PKIWS_E_INVALID_ARG);
}

/* After fork the child must not repeat the parent's stream. */
static void test_crypto_rng_reseeded_after_fork(void **state)
{
    (void)state;
    uint8_t warm[16], mine[32], child[32];
    assert_int_equal(pkiws__random(warm, sizeof warm), PKIWS_OK); /* seeded before fork */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        uint8_t out[32];
        int ok = pkiws__random(out, sizeof out) == PKIWS_OK &&
                 write(fds[1], out, sizeof out) == (ssize_t)sizeof out;
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    assert_int_equal(pkiws__random(mine, sizeof mine), PKIWS_OK);
    assert_int_equal(read(fds[0], child, sizeof child), (ssize_t)sizeof child);
    close(fds[0]);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_memory_not_equal(mine, child, sizeof mine);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crypto_rng_digests_known_answers),
        cmocka_unit_test(test_crypto_rng_outputs_differ),
        cmocka_unit_test(test_crypto_rng_reseeded_after_fork),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
