/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the PKCS#12 reader (src/crypto/pkcs12_read.c, pkcs12_der.c, pkcs12_pbe.c,
 * pkcs12_kdf.c, rc2.c) with the fixed password "Secr3t!". Seeds without MacData let the
 * fuzzer past the MAC into the bags. The same input is also split into an AlgorithmIdentifier
 * (its first DER element) and a ciphertext (the rest) for the PBE decryption alone.
 * Invariants: a failure leaves the output empty; a key and a matching leaf that were read
 * are written to a new PFX and read back unchanged.
 */
#include "pkiws_internal.h"

#include "crypto/crypto.h"
#include "fuzz.h"

#define FUZZ_PASSWORD "Secr3t!"

/* Length of the first DER element (tag + definite length + content), 0 when there is none. */
static size_t first_tlv(const uint8_t *p, size_t n)
{
    if (n < 2)
        return 0;
    size_t i = 2, len = p[1];
    if (len & 0x80) {
        size_t k = len & 0x7F;
        if (k == 0 || k > 3 || n < 2 + k)
            return 0;
        len = 0;
        for (size_t j = 0; j < k; j++)
            len = len << 8 | p[i++];
    }
    return n - i < len ? 0 : i + len;
}

static void round_trip(const pkiws__pfx_contents *c)
{
    pkiws_buf pfx = PKIWS_BUF_INIT;
    pkiws__pfx_opts opts = {PKIWS_PFX_MODERN, FUZZ_PASSWORD, c->friendly_name, 1};
    pkiws__err_clear();
    int rc = pkiws__pfx_write(c->key, c->leaf, &c->others, &opts, &pfx);
    fuzz_check_rc(rc, "pkiws__pfx_write");
    if (!rc) {
        pkiws__pfx_contents again;
        if (pkiws__pfx_read(pfx.data, pfx.len, FUZZ_PASSWORD, &again))
            fuzz_fail("a PFX written from a PFX that was read does not read back: %s",
                      pkiws__err_message());
        size_t la, lb;
        const uint8_t *a = pkiws__cert_der(c->leaf, &la), *b = pkiws__cert_der(again.leaf, &lb);
        if (!again.key || !b || la != lb || memcmp(a, b, la))
            fuzz_fail("PFX round trip lost the key or changed the leaf");
        if (again.others.n != c->others.n)
            fuzz_fail("PFX round trip: %zu other certificates became %zu", c->others.n,
                      again.others.n);
        pkiws__pfx_contents_dispose(&again);
    }
    pkiws__buf_dispose(&pfx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pkiws__pfx_contents c;
    pkiws__err_clear();
    int rc = pkiws__pfx_read(data, size, FUZZ_PASSWORD, &c);
    fuzz_check_rc(rc, "pkiws__pfx_read");
    if (rc) {
        if (c.key || c.leaf || c.others.n || c.friendly_name)
            fuzz_fail("pkiws__pfx_read failed but left contents");
    } else {
        size_t bad;
        if (c.friendly_name && !pkiws__utf8_valid(c.friendly_name, strlen(c.friendly_name), &bad))
            fuzz_fail("friendlyName is not UTF-8 at offset %zu", bad);
        if (!memchr(c.mac_alg, 0, sizeof c.mac_alg) ||
            !memchr(c.key_bag_alg, 0, sizeof c.key_bag_alg) ||
            !memchr(c.cert_bag_alg, 0, sizeof c.cert_bag_alg))
            fuzz_fail("an algorithm name is not terminated");
        if (c.key && c.leaf && pkiws__cert_matches_key(c.leaf, c.key))
            round_trip(&c);
    }
    pkiws__pfx_contents_dispose(&c);

    size_t alg_len = first_tlv(data, size);
    if (alg_len) {
        pkiws_buf pt = PKIWS_BUF_INIT;
        char name[80];
        pkiws__err_clear();
        rc = pkiws__pfx_pbe_decrypt(data, alg_len, FUZZ_PASSWORD, data + alg_len, size - alg_len,
                                    &pt, name, sizeof name);
        fuzz_check_rc(rc, "pkiws__pfx_pbe_decrypt");
        if (!rc && (pt.len > size - alg_len || !memchr(name, 0, sizeof name)))
            fuzz_fail("pkiws__pfx_pbe_decrypt: %zu plaintext bytes from %zu", pt.len,
                      size - alg_len);
        pkiws__buf_dispose(&pt);
    }
    return 0;
}
