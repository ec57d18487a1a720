/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: private key reading (src/crypto/key*.c): PEM or DER, PKCS#1, SEC1, PKCS#8 and
 * encrypted PKCS#8 (the PBE code shared with the PKCS#12 reader), with the fixed password
 * "Secr3t!" and without a password. Invariant: a key that was read survives a round trip
 * through its unencrypted PKCS#8 DER with the same public key.
 */
#include "pkiws_internal.h"

#include "crypto/crypto.h"
#include "fuzz.h"

#define FUZZ_PASSWORD "Secr3t!"

static void round_trip(const pkiws__key *k)
{
    pkiws_buf der = PKIWS_BUF_INIT, pub1 = PKIWS_BUF_INIT, pub2 = PKIWS_BUF_INIT;
    pkiws__key *again = NULL;
    pkiws__err_clear();
    int rc = pkiws__key_pkcs8_der(k, &der);
    fuzz_check_rc(rc, "pkiws__key_pkcs8_der");
    if (!rc) {
        if (pkiws__key_parse(der.data, der.len, NULL, &again))
            fuzz_fail("the PKCS#8 of a key does not read back: %s", pkiws__err_message());
        if (pkiws__key_public_der(k, &pub1) || pkiws__key_public_der(again, &pub2))
            fuzz_fail("no public key: %s", pkiws__err_message());
        if (pub1.len != pub2.len || memcmp(pub1.data, pub2.data, pub1.len))
            fuzz_fail("PKCS#8 round trip changed the public key");
        if (pkiws__key_type(k) != pkiws__key_type(again))
            fuzz_fail("PKCS#8 round trip changed the key type");
    }
    pkiws__key_free(again);
    pkiws__buf_dispose(&der);
    pkiws__buf_dispose(&pub1);
    pkiws__buf_dispose(&pub2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const passwords[] = {FUZZ_PASSWORD, NULL};
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(passwords); i++) {
        pkiws__key *k = NULL;
        pkiws__err_clear();
        int rc = pkiws__key_parse(data, size, passwords[i], &k);
        fuzz_check_rc(rc, "pkiws__key_parse");
        if (rc && k)
            fuzz_fail("pkiws__key_parse failed but returned a key");
        if (!rc)
            round_trip(k);
        pkiws__key_free(k);
    }
    return 0;
}
