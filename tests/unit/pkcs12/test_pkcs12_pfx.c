/* SPDX-License-Identifier: MIT */
/* Unit tests of the PFX writer and reader: round trips, passwords, hostile input, OpenSSL files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "pkiws_internal.h"

#include "crypto/crypto.h"

#include "fixtures.h"
#include "pfx_merge.h"

#define LEGACY_ALG "pbeWithSHA1And3-KeyTripleDES-CBC"
#define MODERN_ALG "PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC"
#define MAC_FAIL "wrong password or corrupt PFX (MAC verification failed)"

/* "Ωμέγα", "pässwörd", an emoji (U+1F511 KEY) */
#define PW_OMEGA "\xce\xa9\xce\xbc\xce\xad\xce\xb3\xce\xb1"
#define PW_UMLAUT "p\xc3\xa4ssw\xc3\xb6rd"
#define PW_EMOJI "key \xf0\x9f\x94\x91 emoji"

typedef struct pki {
    pkiws__key *rsa_key, *ec_key;
    pkiws__cert *rsa, *ec, *inter, *root;
    pkiws__certlist chain; /* borrowed pointers: inter, root (never disposed) */
    pkiws__cert *chain_v[2];
} pki;

static pkiws__cert *cert_of(const char *pem)
{
    pkiws__cert *c = NULL;
    assert_int_equal(pkiws__cert_parse((const uint8_t *)pem, strlen(pem), &c), PKIWS_OK);
    return c;
}

static pkiws__key *key_of(const char *pem)
{
    pkiws__key *k = NULL;
    assert_int_equal(pkiws__key_parse((const uint8_t *)pem, strlen(pem), NULL, &k), PKIWS_OK);
    return k;
}

static int setup(void **state)
{
    pki *p = pkiws__calloc(1, sizeof *p);
    p->rsa_key = key_of(fx_rsa_key_pem);
    p->ec_key = key_of(fx_ec_key_pem);
    p->rsa = cert_of(fx_rsa_cert_pem);
    p->ec = cert_of(fx_ec_cert_pem);
    p->inter = cert_of(fx_int_pem);
    p->root = cert_of(fx_root_pem);
    p->chain_v[0] = p->inter;
    p->chain_v[1] = p->root;
    p->chain.v = p->chain_v;
    p->chain.n = 2;
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    pki *p = *state;
    pkiws__key_free(p->rsa_key);
    pkiws__key_free(p->ec_key);
    pkiws__cert_free(p->rsa);
    pkiws__cert_free(p->ec);
    pkiws__cert_free(p->inter);
    pkiws__cert_free(p->root);
    pkiws__free(p);
    return 0;
}

static int same_cert(const pkiws__cert *a, const pkiws__cert *b)
{
    size_t la, lb;
    const uint8_t *da = pkiws__cert_der(a, &la), *db = pkiws__cert_der(b, &lb);
    return la == lb && memcmp(da, db, la) == 0;
}

static void write_pfx(const pkiws__key *key, const pkiws__cert *leaf, const pkiws__certlist *chain,
                      int preset, const char *pw, const char *fname, unsigned iter, pkiws_buf *out)
{
    pkiws__pfx_opts o = {preset, pw, fname, iter};
    int rc = pkiws__pfx_write(key, leaf, chain, &o, out);
    if (rc)
        print_error("pfx_write: %s\n", pkiws__err_message());
    assert_int_equal(rc, PKIWS_OK);
    assert_true(out->len > 100);
    assert_int_equal(out->data[0], 0x30);
}

/* Write, read back, check every field. */
static void roundtrip(pkiws__key *key, pkiws__cert *leaf, const pkiws__certlist *chain, int preset,
                      const char *pw, const char *fname)
{
    pkiws_buf pfx = PKIWS_BUF_INIT;
    write_pfx(key, leaf, chain, preset, pw, fname, 0, &pfx);
    pkiws__pfx_contents c;
    int rc = pkiws__pfx_read(pfx.data, pfx.len, pw, &c);
    if (rc)
        print_error("pfx_read: %s\n", pkiws__err_message());
    assert_int_equal(rc, PKIWS_OK);
    assert_non_null(c.key);
    assert_non_null(c.leaf);
    assert_true(same_cert(c.leaf, leaf));
    assert_int_equal(pkiws__cert_matches_key(c.leaf, c.key), 1);
    assert_int_equal(pkiws__cert_matches_key(c.leaf, key), 1);
    assert_int_equal(c.others.n, chain ? chain->n : 0);
    for (size_t i = 0; chain && i < chain->n; i++)
        assert_true(same_cert(c.others.v[i], chain->v[i]));
    if (fname)
        assert_string_equal(c.friendly_name, fname);
    else
        assert_null(c.friendly_name);
    assert_int_equal(c.mac_iterations, 2048);
    if (preset == PKIWS_PFX_LEGACY) {
        assert_string_equal(c.mac_alg, "sha1");
        assert_string_equal(c.key_bag_alg, LEGACY_ALG);
        assert_string_equal(c.cert_bag_alg, LEGACY_ALG);
    } else {
        assert_string_equal(c.mac_alg, "sha256");
        assert_string_equal(c.key_bag_alg, MODERN_ALG);
        assert_string_equal(c.cert_bag_alg, MODERN_ALG);
    }
    pkiws__pfx_contents_dispose(&c);
    assert_null(c.key);
    pkiws__buf_dispose(&pfx);
}

static void test_pkcs12_roundtrip_legacy_rsa(void **state)
{
    pki *p = *state;
    roundtrip(p->rsa_key, p->rsa, &p->chain, PKIWS_PFX_LEGACY, "Secr3t!", "Alice's key");
}

static void test_pkcs12_roundtrip_legacy_ec(void **state)
{
    pki *p = *state;
    roundtrip(p->ec_key, p->ec, &p->chain, PKIWS_PFX_LEGACY, "Secr3t!", "Bob");
}

static void test_pkcs12_roundtrip_modern_rsa(void **state)
{
    pki *p = *state;
    roundtrip(p->rsa_key, p->rsa, &p->chain, PKIWS_PFX_MODERN, "Secr3t!", "Alice's key");
}

static void test_pkcs12_roundtrip_modern_ec(void **state)
{
    pki *p = *state;
    roundtrip(p->ec_key, p->ec, NULL, PKIWS_PFX_MODERN, "Secr3t!", NULL);
}

/* Passwords of 0, 31, 32, 100 characters and non-Latin-1 text, both presets; a wrong password
 * (including the empty one and one differing in the last character) fails the MAC. */
static void test_pkcs12_passwords(void **state)
{
    pki *p = *state;
    char p31[32], p32[33], p100[101];
    memset(p31, 'a', 31);
    p31[31] = 0;
    memset(p32, 'b', 32);
    p32[32] = 0;
    for (int i = 0; i < 100; i++)
        p100[i] = (char)('A' + i % 26);
    p100[100] = 0;
    const char *pws[] = {"", p31, p32, p100, PW_UMLAUT, PW_OMEGA, PW_EMOJI};
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(pws); i++) {
        for (int preset = PKIWS_PFX_LEGACY; preset <= PKIWS_PFX_MODERN; preset++) {
            roundtrip(p->ec_key, p->ec, &p->chain, preset, pws[i], "n");
            pkiws_buf pfx = PKIWS_BUF_INIT;
            write_pfx(p->ec_key, p->ec, NULL, preset, pws[i], NULL, 0, &pfx);
            pkiws__pfx_contents c;
            char wrong[128];
            snprintf(wrong, sizeof wrong, "%sX", pws[i]);
            assert_int_equal(pkiws__pfx_read(pfx.data, pfx.len, wrong, &c), PKIWS_E_CRYPTO);
            assert_non_null(strstr(pkiws__err_message(), MAC_FAIL));
            assert_null(c.key);
            if (*pws[i]) {
                assert_int_equal(pkiws__pfx_read(pfx.data, pfx.len, "", &c), PKIWS_E_CRYPTO);
                assert_int_equal(pkiws__pfx_read(pfx.data, pfx.len, NULL, &c), PKIWS_E_CRYPTO);
            } else {
                /* absent and empty are the same to the reader */
                assert_int_equal(pkiws__pfx_read(pfx.data, pfx.len, NULL, &c), PKIWS_OK);
                assert_non_null(c.key);
                pkiws__pfx_contents_dispose(&c);
            }
            pkiws__buf_dispose(&pfx);
        }
    }
}

static void test_pkcs12_wrong_password(void **state)
{
    pki *p = *state;
    pkiws_buf pfx = PKIWS_BUF_INIT;
    write_pfx(p->rsa_key, p->rsa, &p->chain, PKIWS_PFX_LEGACY, "right", NULL, 0, &pfx);
    pkiws__pfx_contents c;
    assert_int_equal(pkiws__pfx_read(pfx.data, pfx.len, "Right", &c), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), MAC_FAIL));
    assert_null(strstr(pkiws__err_message(), "Right")); /* never the password */
    assert_non_null(pkiws__err_remedy());
    assert_null(c.key);
    assert_null(c.leaf);
    assert_int_equal(c.others.n, 0);
    /* invalid UTF-8 as password is named, not tried */
    assert_int_equal(pkiws__pfx_read(pfx.data, pfx.len, "ab\xc3", &c), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws__err_message(), "byte offset 2"));
    pkiws__buf_dispose(&pfx);
}

static void test_pkcs12_friendly_name_roundtrip(void **state)
{
    pki *p = *state;
    /* BMP and non-BMP characters; the reader gives back the same UTF-8 */
    roundtrip(p->ec_key, p->ec, NULL, PKIWS_PFX_LEGACY, "pw",
              "J\xc3\xbcrgen's " PW_OMEGA " \xf0\x9f\x94\x91");
    roundtrip(p->ec_key, p->ec, NULL, PKIWS_PFX_MODERN, "pw", "");
    roundtrip(p->ec_key, p->ec, NULL, PKIWS_PFX_MODERN, "pw", NULL);
    /* friendlyName attribute of the (unencrypted) key bag SafeContents, as a BMPString:
     * SEQ { OID 1.2.840.113549.1.9.20, SET { BMPString "AB" } } */
    static const uint8_t attr[] = {0x30, 0x15, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                   0xf7, 0x0d, 0x01, 0x09, 0x14, 0x31, 0x08, 0x1e,
                                   0x06, 0x00, 0x41, 0x00, 0x42, 0x00, 0x43};
    pkiws_buf pfx = PKIWS_BUF_INIT;
    write_pfx(p->ec_key, p->ec, NULL, PKIWS_PFX_MODERN, "pw", "ABC", 0, &pfx);
    assert_non_null(memmem(pfx.data, pfx.len, attr, sizeof attr));
    pkiws__buf_dispose(&pfx);
}

/* Leaf first, chain after it in the given order. */
static void test_pkcs12_chain_order(void **state)
{
    pki *p = *state;
    roundtrip(p->rsa_key, p->rsa, &p->chain, PKIWS_PFX_LEGACY, "pw", NULL);
    pkiws__cert *rev[2] = {p->root, p->inter};
    pkiws__certlist l = {rev, 2};
    roundtrip(p->rsa_key, p->rsa, &l, PKIWS_PFX_MODERN, "pw", NULL);
    pkiws__certlist one = {rev, 1};
    roundtrip(p->rsa_key, p->rsa, &one, PKIWS_PFX_MODERN, "pw", NULL);
}

static void test_pkcs12_write_rejects_bad_input(void **state)
{
    pki *p = *state;
    pkiws_buf out = PKIWS_BUF_INIT;
    pkiws__pfx_opts o = {PKIWS_PFX_LEGACY, "pw", NULL, 0};
    /* key of another certificate */
    assert_int_equal(pkiws__pfx_write(p->rsa_key, p->ec, NULL, &o, &out), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws__err_message(), "does not match the certificate"));
    o.preset = 7;
    assert_int_equal(pkiws__pfx_write(p->ec_key, p->ec, NULL, &o, &out), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws__err_message(), "preset 7"));
    o.preset = PKIWS_PFX_MODERN;
    o.password = NULL;
    assert_int_equal(pkiws__pfx_write(p->ec_key, p->ec, NULL, &o, &out), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws__err_message(), "password is NULL"));
    o.password = "abc\xe2\x82";
    assert_int_equal(pkiws__pfx_write(p->ec_key, p->ec, NULL, &o, &out), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws__err_message(), "password: invalid UTF-8 at byte offset 3"));
    o.password = "pw";
    o.friendly_name = "\xff";
    assert_int_equal(pkiws__pfx_write(p->ec_key, p->ec, NULL, &o, &out), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws__err_message(), "friendlyName: invalid UTF-8 at byte offset 0"));
    o.friendly_name = NULL;
    o.iterations = PKIWS__PFX_MAX_ITERATIONS + 1;
    assert_int_equal(pkiws__pfx_write(p->ec_key, p->ec, NULL, &o, &out), PKIWS_E_INVALID_ARG);
    o.iterations = 0;
    pkiws__cert *nul[1] = {NULL};
    pkiws__certlist l = {nul, 1};
    assert_int_equal(pkiws__pfx_write(p->ec_key, p->ec, &l, &o, &out), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws__err_message(), "chain certificate 0 is NULL"));
    assert_int_equal(pkiws__pfx_write(NULL, p->ec, NULL, &o, &out), PKIWS_E_INVALID_ARG);
    assert_int_equal(out.len, 0);
    pkiws__buf_dispose(&out);
}

/* Every truncation and every single-byte change of a PFX fails cleanly (no crash, no leak, no
 * half-filled result). One iteration keeps this fast. */
static void test_pkcs12_truncated_and_bitflipped(void **state)
{
    pki *p = *state;
    for (int preset = PKIWS_PFX_LEGACY; preset <= PKIWS_PFX_MODERN; preset++) {
        pkiws_buf pfx = PKIWS_BUF_INIT;
        write_pfx(p->ec_key, p->ec, &p->chain, preset, "pw", "n", 1, &pfx);
        pkiws__pfx_contents c;
        assert_int_equal(pkiws__pfx_read(pfx.data, pfx.len, "pw", &c), PKIWS_OK);
        pkiws__pfx_contents_dispose(&c);
        for (size_t n = 0; n < pfx.len; n++) {
            int rc = pkiws__pfx_read(pfx.data, n, "pw", &c);
            assert_int_not_equal(rc, PKIWS_OK);
            assert_null(c.key);
            assert_null(c.leaf);
            assert_true(strlen(pkiws__err_message()) > 10);
        }
        uint8_t *copy = pkiws__memdup(pfx.data, pfx.len);
        for (size_t i = 0; i < pfx.len; i++) {
            static const uint8_t flips[] = {0x01, 0x80, 0xFF};
            for (size_t f = 0; f < sizeof flips; f++) {
                copy[i] ^= flips[f];
                int rc = pkiws__pfx_read(copy, pfx.len, "pw", &c);
                if (rc == PKIWS_OK)
                    print_error("byte %zu ^ 0x%02X accepted\n", i, flips[f]);
                assert_int_not_equal(rc, PKIWS_OK);
                assert_null(c.key);
                assert_int_equal(c.others.n, 0);
                copy[i] ^= flips[f];
            }
        }
        /* trailing garbage is named */
        pkiws__buf_append(&pfx, "\0\0", 2);
        assert_int_equal(pkiws__pfx_read(pfx.data, pfx.len, "pw", &c), PKIWS_E_CRYPTO);
        assert_non_null(strstr(pkiws__err_message(), "2 unexpected bytes"));
        pkiws__free(copy);
        pkiws__buf_dispose(&pfx);
    }
}

static void test_pkcs12_read_rejects_garbage(void **state)
{
    (void)state;
    pkiws__pfx_contents c;
    assert_int_equal(pkiws__pfx_read(NULL, 0, "pw", &c), PKIWS_E_INVALID_ARG);
    assert_int_equal(pkiws__pfx_read((const uint8_t *)"hello", 5, "pw", &c), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "PFX: PFX (SEQUENCE) expected at offset 0"));
    /* BER indefinite length at the top */
    static const uint8_t ber[] = {0x30, 0x80, 0x02, 0x01, 0x03, 0x00, 0x00};
    assert_int_equal(pkiws__pfx_read(ber, sizeof ber, "pw", &c), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "indefinite"));
    /* version 2 */
    static const uint8_t v2[] = {0x30, 0x03, 0x02, 0x01, 0x02};
    assert_int_equal(pkiws__pfx_read(v2, sizeof v2, "pw", &c), PKIWS_E_UNSUPPORTED);
    assert_non_null(strstr(pkiws__err_message(), "version 2"));
    /* too large */
    size_t big = PKIWS__PFX_MAX_SIZE + 1;
    uint8_t *b = pkiws__calloc(1, big);
    assert_int_equal(pkiws__pfx_read(b, big, "pw", &c), PKIWS_E_LIMIT);
    pkiws__free(b);
    assert_int_equal(pkiws__pfx_read(v2, sizeof v2, "pw", NULL), PKIWS_E_INVALID_ARG);
}

/* A PFX (no encryption, valid MAC) whose SafeContents holds n unknown bags. */
static void make_many_bags(size_t n, pkiws_buf *pfx)
{
    static const uint8_t oid_data[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
    static const uint8_t oid_secret_bag[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                             0x01, 0x0c, 0x0a, 0x01, 0x05};
    static const uint8_t oid_sha1[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};
    pkiws_buf bag = PKIWS_BUF_INIT, bags = PKIWS_BUF_INIT, t = PKIWS_BUF_INIT, u = PKIWS_BUF_INIT,
              auth = PKIWS_BUF_INIT, body = PKIWS_BUF_INIT;
    pkiws__pfx_der_put(&bag, 0x06, oid_secret_bag, sizeof oid_secret_bag);
    pkiws__pfx_der_put(&bag, 0xA0, "\x05\x00", 2);
    for (size_t i = 0; i < n; i++)
        pkiws__pfx_der_put(&bags, 0x30, bag.data, bag.len);
    pkiws__pfx_der_put(&t, 0x30, bags.data, bags.len); /* SafeContents */
    pkiws__pfx_der_put(&u, 0x04, t.data, t.len);
    pkiws__buf_clear(&t);
    pkiws__pfx_der_put(&t, 0x06, oid_data, sizeof oid_data);
    pkiws__pfx_der_put(&t, 0xA0, u.data, u.len);
    pkiws__buf_clear(&u);
    pkiws__pfx_der_put(&u, 0x30, t.data, t.len);    /* ContentInfo */
    pkiws__pfx_der_put(&auth, 0x30, u.data, u.len); /* AuthenticatedSafe */
    /* PFX body: version, authSafe, MacData */
    pkiws__pfx_der_put_uint(&body, 3);
    pkiws__buf_clear(&t);
    pkiws__buf_clear(&u);
    pkiws__pfx_der_put(&u, 0x04, auth.data, auth.len);
    pkiws__pfx_der_put(&t, 0x06, oid_data, sizeof oid_data);
    pkiws__pfx_der_put(&t, 0xA0, u.data, u.len);
    pkiws__pfx_der_put(&body, 0x30, t.data, t.len);
    uint8_t mac[64], salt[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    size_t mac_len;
    assert_int_equal(pkiws__pfx_mac(PKIWS__PFX_MD_SHA1, (const uint8_t *)"\0p\0w\0\0", 6, salt, 8,
                                    1, auth.data, auth.len, mac, &mac_len),
                     PKIWS_OK);
    pkiws__buf_clear(&t);
    pkiws__buf_clear(&u);
    pkiws__pfx_der_put(&t, 0x06, oid_sha1, sizeof oid_sha1);
    pkiws__pfx_der_put(&u, 0x30, t.data, t.len);
    pkiws__pfx_der_put(&u, 0x04, mac, mac_len);
    pkiws__buf_clear(&t);
    pkiws__pfx_der_put(&t, 0x30, u.data, u.len);
    pkiws__pfx_der_put(&t, 0x04, salt, 8);
    pkiws__pfx_der_put(&body, 0x30, t.data, t.len);
    pkiws__pfx_der_put(pfx, 0x30, body.data, body.len);
    pkiws__buf_dispose(&bag);
    pkiws__buf_dispose(&bags);
    pkiws__buf_dispose(&t);
    pkiws__buf_dispose(&u);
    pkiws__buf_dispose(&auth);
    pkiws__buf_dispose(&body);
}

static void test_pkcs12_read_caps_bag_count(void **state)
{
    (void)state;
    pkiws_buf pfx = PKIWS_BUF_INIT;
    pkiws__pfx_contents c;
    make_many_bags(PKIWS__PFX_MAX_BAGS, &pfx);
    /* at the cap: fine (nothing usable inside); MAC with the default iteration count 1 */
    assert_int_equal(pkiws__pfx_read(pfx.data, pfx.len, "pw", &c), PKIWS_OK);
    assert_null(c.key);
    assert_null(c.leaf);
    assert_string_equal(c.mac_alg, "sha1");
    assert_int_equal(c.mac_iterations, 1);
    assert_string_equal(c.key_bag_alg, "none");
    pkiws__pfx_contents_dispose(&c);
    pkiws__buf_dispose(&pfx);
    make_many_bags(PKIWS__PFX_MAX_BAGS + 1, &pfx);
    assert_int_equal(pkiws__pfx_read(pfx.data, pfx.len, "pw", &c), PKIWS_E_LIMIT);
    assert_non_null(strstr(pkiws__err_message(), "more than 256 safe bags"));
    pkiws__buf_dispose(&pfx);
}

/* PFX { 3, data(auth), MacData(SHA-1, 1 iteration, password "pw") } around any auth bytes. */
static void wrap_pfx(const uint8_t *auth, size_t auth_len, pkiws_buf *pfx)
{
    static const uint8_t oid_data[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
    static const uint8_t oid_sha1[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};
    pkiws_buf body = PKIWS_BUF_INIT, t = PKIWS_BUF_INIT, u = PKIWS_BUF_INIT;
    uint8_t mac[64], salt[8] = {8, 7, 6, 5, 4, 3, 2, 1};
    size_t mac_len;
    assert_int_equal(pkiws__pfx_mac(PKIWS__PFX_MD_SHA1, (const uint8_t *)"\0p\0w\0\0", 6, salt, 8,
                                    1, auth, auth_len, mac, &mac_len),
                     PKIWS_OK);
    pkiws__pfx_der_put_uint(&body, 3);
    pkiws__pfx_der_put(&u, 0x04, auth, auth_len);
    pkiws__pfx_der_put(&t, 0x06, oid_data, sizeof oid_data);
    pkiws__pfx_der_put(&t, 0xA0, u.data, u.len);
    pkiws__pfx_der_put(&body, 0x30, t.data, t.len);
    pkiws__buf_clear(&t);
    pkiws__buf_clear(&u);
    pkiws__pfx_der_put(&t, 0x06, oid_sha1, sizeof oid_sha1);
    pkiws__pfx_der_put(&u, 0x30, t.data, t.len);
    pkiws__pfx_der_put(&u, 0x04, mac, mac_len);
    pkiws__buf_clear(&t);
    pkiws__pfx_der_put(&t, 0x30, u.data, u.len);
    pkiws__pfx_der_put(&t, 0x04, salt, 8);
    pkiws__pfx_der_put(&body, 0x30, t.data, t.len);
    pkiws__pfx_der_put(pfx, 0x30, body.data, body.len);
    pkiws__buf_dispose(&body);
    pkiws__buf_dispose(&t);
    pkiws__buf_dispose(&u);
}

/* The AuthenticatedSafe bytes of a PFX (copied to out). */
static void auth_safe_of(const uint8_t *der, size_t len, pkiws_buf *out)
{
    pkiws__pfx_der d, pfx, ci, ex;
    uint32_t v;
    pkiws__pfx_der_init(&d, der, len, "T");
    assert_int_equal(pkiws__pfx_der_get(&d, 0x30, "pfx", &pfx), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get_uint(&pfx, "v", 3, &v), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&pfx, 0x30, "ci", &ci), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&ci, 0x06, "oid", NULL), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&ci, 0xA0, "ex", &ex), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get_octets(&ex, 0x04, "auth", out), PKIWS_OK);
}

/* Mutations behind a valid MAC reach the inner parsers (bags, PBE parameters, PKCS#8, X.509):
 * each byte of the AuthenticatedSafe changed in turn and every inner truncation, re-MACed. Any
 * outcome but a crash, a leak or a half-filled result on failure is fine. */
static void mutate_inner(const uint8_t *pfx_der, size_t pfx_len, const char *pw, size_t stride)
{
    pkiws_buf auth = PKIWS_BUF_INIT, pfx = PKIWS_BUF_INIT;
    pkiws__pfx_contents c;
    auth_safe_of(pfx_der, pfx_len, &auth);
    /* sanity: the re-wrapped original reads (password now "pw") */
    wrap_pfx(auth.data, auth.len, &pfx);
    if (strcmp(pw, "pw") == 0) {
        assert_int_equal(pkiws__pfx_read(pfx.data, pfx.len, "pw", &c), PKIWS_OK);
        assert_non_null(c.key);
        pkiws__pfx_contents_dispose(&c);
    }
    size_t ok = 0, failed = 0;
    for (size_t i = 0; i < auth.len; i += stride) {
        static const uint8_t flips[] = {0x01, 0x80, 0xFF, 0x20};
        for (size_t f = 0; f < sizeof flips; f++) {
            auth.data[i] ^= flips[f];
            pkiws__buf_clear(&pfx);
            wrap_pfx(auth.data, auth.len, &pfx);
            int rc = pkiws__pfx_read(pfx.data, pfx.len, "pw", &c);
            if (rc == PKIWS_OK) {
                ok++;
                pkiws__pfx_contents_dispose(&c);
            } else {
                failed++;
                assert_null(c.key);
                assert_null(c.leaf);
                assert_int_equal(c.others.n, 0);
            }
            auth.data[i] ^= flips[f];
        }
    }
    for (size_t n = 0; n < auth.len; n += stride) {
        pkiws__buf_clear(&pfx);
        wrap_pfx(auth.data, n, &pfx);
        if (pkiws__pfx_read(pfx.data, pfx.len, "pw", &c) == PKIWS_OK)
            pkiws__pfx_contents_dispose(&c);
        else
            assert_null(c.key);
    }
    assert_true(failed > 0);
    pkiws__buf_dispose(&auth);
    pkiws__buf_dispose(&pfx);
}

static void test_pkcs12_read_mutated_content_behind_valid_mac(void **state)
{
    pki *p = *state;
    for (int preset = PKIWS_PFX_LEGACY; preset <= PKIWS_PFX_MODERN; preset++) {
        pkiws_buf pfx = PKIWS_BUF_INIT;
        /* no chain: each certificate parse verifies a signature, which dominates the time */
        write_pfx(p->ec_key, p->ec, NULL, preset, "pw", "n", 1, &pfx);
        mutate_inner(pfx.data, pfx.len, "pw", 1);
        pkiws__buf_dispose(&pfx);
    }
    /* unencrypted key and cert bags: mutations reach the PKCS#8 and X.509 parsers directly */
    pkiws_buf der = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__b64_decode(fx_pfx_ec_plain, strlen(fx_pfx_ec_plain), &der), PKIWS_OK);
    mutate_inner(der.data, der.len, "Secr3t!", 1);
    pkiws__buf_dispose(&der);
}

static void read_b64(const char *b64, const char *pw, pkiws__pfx_contents *c)
{
    pkiws_buf der = PKIWS_BUF_INIT;
    assert_int_equal(pkiws__b64_decode(b64, strlen(b64), &der), PKIWS_OK);
    int rc = pkiws__pfx_read(der.data, der.len, pw, c);
    if (rc)
        print_error("pfx_read: %s\n", pkiws__err_message());
    assert_int_equal(rc, PKIWS_OK);
    pkiws__buf_dispose(&der);
}

/* Files from `openssl pkcs12 -export` (see make_fixtures.sh). */
static void test_pkcs12_read_openssl_files(void **state)
{
    pki *p = *state;
    pkiws__pfx_contents c;
    /* -legacy: RC2-40 cert bag, 3DES key bag, SHA-1 MAC, chain of two */
    read_b64(fx_pfx_ec_legacy_rc2, "Secr3t!", &c);
    assert_string_equal(c.cert_bag_alg, "pbeWithSHA1And40BitRC2-CBC");
    assert_string_equal(c.key_bag_alg, LEGACY_ALG);
    assert_string_equal(c.mac_alg, "sha1");
    assert_int_equal(c.mac_iterations, 2048);
    assert_true(same_cert(c.leaf, p->ec));
    assert_int_equal(pkiws__cert_matches_key(c.leaf, c.key), 1);
    assert_int_equal(c.others.n, 2);
    assert_true(same_cert(c.others.v[0], p->inter) || same_cert(c.others.v[0], p->root));
    assert_string_equal(c.friendly_name, "Bob's key");
    pkiws__pfx_contents_dispose(&c);
    /* default: PBES2/AES-256 both, SHA-256 MAC */
    read_b64(fx_pfx_ec_aes, "Secr3t!", &c);
    assert_string_equal(c.cert_bag_alg, MODERN_ALG);
    assert_string_equal(c.key_bag_alg, MODERN_ALG);
    assert_string_equal(c.mac_alg, "sha256");
    assert_int_equal(pkiws__cert_matches_key(c.leaf, c.key), 1);
    assert_int_equal(c.others.n, 0);
    pkiws__pfx_contents_dispose(&c);
    /* no encryption at all: keyBag and plain cert bag */
    read_b64(fx_pfx_ec_plain, "Secr3t!", &c);
    assert_string_equal(c.cert_bag_alg, "none");
    assert_string_equal(c.key_bag_alg, "none");
    assert_int_equal(pkiws__cert_matches_key(c.leaf, c.key), 1);
    pkiws__pfx_contents_dispose(&c);
    /* empty password, -descert; opened with "" and with NULL */
    read_b64(fx_pfx_ec_empty_pw, "", &c);
    assert_string_equal(c.cert_bag_alg, LEGACY_ALG);
    assert_string_equal(c.key_bag_alg, MODERN_ALG);
    assert_int_equal(pkiws__cert_matches_key(c.leaf, c.key), 1);
    pkiws__pfx_contents_dispose(&c);
    read_b64(fx_pfx_ec_empty_pw, NULL, &c);
    assert_int_equal(pkiws__cert_matches_key(c.leaf, c.key), 1);
    pkiws__pfx_contents_dispose(&c);
}

/* A PFX with two keys (Alice's RSA key with the chain, Bob's EC key; each PFX written by
 * pkiws, merged under one MAC): refused without a thumbprint, naming the count and the two
 * certificates; with a thumbprint the certificate and the key that belongs to it. */
static void test_pkcs12_two_keys(void **state)
{
    pki *p = *state;
    pkiws_buf a = PKIWS_BUF_INIT, b = PKIWS_BUF_INIT, two = PKIWS_BUF_INIT;
    write_pfx(p->rsa_key, p->rsa, &p->chain, PKIWS_PFX_LEGACY, "pw", "Alice", 0, &a);
    write_pfx(p->ec_key, p->ec, NULL, PKIWS_PFX_MODERN, "pw", "Bob", 0, &b);
    assert_int_equal(pfx_merge(a.data, a.len, b.data, b.len, "pw", &two), PKIWS_OK);
    const char *rsa_tp = pkiws__cert_get_info(p->rsa)->thumbprint;
    const char *ec_tp = pkiws__cert_get_info(p->ec)->thumbprint;

    pkiws__pfx_contents c;
    assert_int_equal(pkiws__pfx_read(two.data, two.len, "pw", &c), PKIWS_E_CRYPTO);
    const char *msg = pkiws__err_message();
    if (!strstr(msg, "the PFX holds 2 private keys (of 'CN=Alice RSA") || !strstr(msg, rsa_tp) ||
        !strstr(msg, "of 'CN=Bob EC', thumbprint ") || !strstr(msg, ec_tp) ||
        !strstr(msg, "will not guess"))
        fail_msg("message: %s", msg);
    assert_non_null(pkiws__err_remedy());
    assert_non_null(strstr(pkiws__err_remedy(), "thumbprint"));
    assert_null(c.key);
    assert_null(c.leaf);
    assert_int_equal(c.others.n, 0);
    assert_int_equal(pkiws__pfx_read_select(two.data, two.len, "pw", NULL, &c), PKIWS_E_CRYPTO);

    /* by thumbprint: Bob's certificate and key, from the second half */
    assert_int_equal(pkiws__pfx_read_select(two.data, two.len, "pw", ec_tp, &c), PKIWS_OK);
    assert_int_equal(c.nkeys, 2);
    assert_non_null(c.leaf);
    assert_true(same_cert(c.leaf, p->ec));
    assert_int_equal(pkiws__cert_matches_key(c.leaf, c.key), 1);
    assert_int_equal(pkiws__cert_matches_key(p->ec, c.key), 1);
    assert_string_equal(c.friendly_name, "Bob");
    assert_string_equal(c.key_bag_alg, MODERN_ALG);
    assert_int_equal(c.others.n, 3); /* Alice's certificate and the chain */
    pkiws__pfx_contents_dispose(&c);
    /* Alice's, from the first half */
    assert_int_equal(pkiws__pfx_read_select(two.data, two.len, "pw", rsa_tp, &c), PKIWS_OK);
    assert_true(same_cert(c.leaf, p->rsa));
    assert_int_equal(pkiws__cert_matches_key(p->rsa, c.key), 1);
    assert_string_equal(c.friendly_name, "Alice");
    assert_string_equal(c.key_bag_alg, LEGACY_ALG);
    assert_int_equal(c.others.n, 3);
    pkiws__pfx_contents_dispose(&c);
    /* a certificate without a key in the PFX: the leaf, no key */
    const char *int_tp = pkiws__cert_get_info(p->inter)->thumbprint;
    assert_int_equal(pkiws__pfx_read_select(two.data, two.len, "pw", int_tp, &c), PKIWS_OK);
    assert_true(same_cert(c.leaf, p->inter));
    assert_null(c.key);
    assert_string_equal(c.key_bag_alg, "none");
    pkiws__pfx_contents_dispose(&c);
    /* no such certificate: success, nothing chosen, every certificate in others */
    assert_int_equal(pkiws__pfx_read_select(two.data, two.len, "pw",
                                            "0000000000000000000000000000000000000000", &c),
                     PKIWS_OK);
    assert_null(c.leaf);
    assert_null(c.key);
    assert_int_equal(c.others.n, 4);
    pkiws__pfx_contents_dispose(&c);
    /* a one-key PFX: the same by thumbprint as without */
    assert_int_equal(pkiws__pfx_read_select(b.data, b.len, "pw", ec_tp, &c), PKIWS_OK);
    assert_int_equal(c.nkeys, 1);
    assert_true(same_cert(c.leaf, p->ec));
    assert_non_null(c.key);
    pkiws__pfx_contents_dispose(&c);
    assert_int_equal(pkiws__pfx_read(b.data, b.len, "pw", &c), PKIWS_OK);
    assert_int_equal(c.nkeys, 1);
    pkiws__pfx_contents_dispose(&c);

    /* three keys (the two-key file merged with Bob's again): the count follows */
    pkiws_buf three = PKIWS_BUF_INIT;
    assert_int_equal(pfx_merge(two.data, two.len, b.data, b.len, "pw", &three), PKIWS_OK);
    assert_int_equal(pkiws__pfx_read(three.data, three.len, "pw", &c), PKIWS_E_CRYPTO);
    assert_non_null(strstr(pkiws__err_message(), "holds 3 private keys"));
    pkiws__buf_dispose(&three);
    pkiws__buf_dispose(&a);
    pkiws__buf_dispose(&b);
    pkiws__buf_dispose(&two);
}

/* Why a PFX has no leaf: no certificate at all, or only CA certificates. */
static void test_pkcs12_no_leaf_message(void **state)
{
    pki *p = *state;
    pkiws__pfx_contents c;
    memset(&c, 0, sizeof c);
    assert_int_equal(pkiws__pfx_fail_no_leaf(&c), PKIWS_E_CRYPTO);
    assert_string_equal(pkiws__err_message(), "the PFX holds no certificate");
    c.others = p->chain; /* borrowed */
    assert_int_equal(pkiws__pfx_fail_no_leaf(&c), PKIWS_E_CRYPTO);
    const char *msg = pkiws__err_message();
    if (!strstr(msg, "the PFX holds no end-entity certificate: 2 CA certificates (first: "
                     "'CN=pkiws Test Issuing CA', thumbprint ") ||
        !strstr(msg, pkiws__cert_get_info(p->inter)->thumbprint) ||
        !strstr(msg, "and no private key"))
        fail_msg("message: %s", msg);
    c.others.n = 1;
    c.key = p->ec_key; /* borrowed */
    assert_int_equal(pkiws__pfx_fail_no_leaf(&c), PKIWS_E_CRYPTO);
    assert_non_null(
        strstr(pkiws__err_message(), "1 CA certificate (first: 'CN=pkiws Test Issuing CA'"));
    assert_non_null(strstr(pkiws__err_message(), "and a private key that belongs to none of them"));
}

/* ---- the writer's self-check catches a PFX corrupted on its way out ---- */

enum corrupt {
    C_NONE,
    C_MAC,           /* PFX: a byte of the MAC value */
    C_MAC_SALT,      /* PFX: a byte of the MAC salt */
    C_PFX_MIDDLE,    /* PFX: a byte in the middle (inside the encrypted certificates) */
    C_CERT_CT,       /* AuthenticatedSafe, MAC then computed over it: middle of the cert bag */
    C_CERT_CT_LAST,  /* ... the last byte of the certificates' ciphertext (padding) */
    C_KEY_CT,        /* ... middle of the key bag's ciphertext */
    C_KEY_CT_LAST,   /* ... the last byte of the key bag's ciphertext (padding) */
    C_KEY_SCALAR,    /* the key's PKCS#8 before encryption: a byte of the private scalar */
    C_CHAIN_SIG,     /* the certificates before encryption: the root's last signature byte */
    C_CHAIN_DROPPED, /* the certificates before encryption: the last chain certificate dropped */
};
static int hook_corrupt, hook_calls;

/* Ciphertexts in the AuthenticatedSafe the writer builds: SEQ { encryptedData(certs),
 * data(SafeContents { pkcs8ShroudedKeyBag }) }. */
static void locate_ciphertexts(const pkiws_buf *auth, pkiws__pfx_der *cert_ct,
                               pkiws__pfx_der *key_ct)
{
    pkiws__pfx_der d, seq, ci, ex, ed, eci, oct, sc, bags, bag, val, epki;
    uint32_t v;
    pkiws__pfx_der_init(&d, auth->data, auth->len, "test");
    assert_int_equal(pkiws__pfx_der_get(&d, 0x30, "auth", &seq), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&seq, 0x30, "ci", &ci), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&ci, 0x06, "type", NULL), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&ci, 0xA0, "ex", &ex), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&ex, 0x30, "ed", &ed), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get_uint(&ed, "v", 9, &v), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&ed, 0x30, "eci", &eci), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&eci, 0x06, "type", NULL), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&eci, 0x30, "alg", NULL), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&eci, 0x80, "ct", cert_ct), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&seq, 0x30, "ci", &ci), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&ci, 0x06, "type", NULL), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&ci, 0xA0, "ex", &ex), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&ex, 0x04, "oct", &oct), PKIWS_OK);
    pkiws__pfx_der_init(&sc, oct.p, (size_t)(oct.end - oct.p), "test");
    assert_int_equal(pkiws__pfx_der_get(&sc, 0x30, "bags", &bags), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&bags, 0x30, "bag", &bag), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&bag, 0x06, "id", NULL), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&bag, 0xA0, "val", &val), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&val, 0x30, "epki", &epki), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&epki, 0x30, "alg", NULL), PKIWS_OK);
    assert_int_equal(pkiws__pfx_der_get(&epki, 0x04, "ct", key_ct), PKIWS_OK);
}

static void flip(pkiws_buf *b, const uint8_t *at)
{
    assert_true(at >= b->data && at < b->data + b->len);
    b->data[at - b->data] ^= 0x5A;
}

static void corrupting_hook(int stage, pkiws_buf *b)
{
    pkiws__pfx_der cert_ct, key_ct;
    hook_calls++;
    switch (hook_corrupt) {
    case C_MAC: /* ... 04 <mac> 04 08 <salt> 02 02 08 00: the MAC's last byte */
        if (stage == PKIWS__PFX_HOOK_PFX)
            flip(b, b->data + b->len - 15);
        break;
    case C_MAC_SALT:
        if (stage == PKIWS__PFX_HOOK_PFX)
            flip(b, b->data + b->len - 6);
        break;
    case C_PFX_MIDDLE:
        if (stage == PKIWS__PFX_HOOK_PFX)
            flip(b, b->data + b->len / 2);
        break;
    case C_CERT_CT:
    case C_CERT_CT_LAST:
    case C_KEY_CT:
    case C_KEY_CT_LAST:
        if (stage != PKIWS__PFX_HOOK_AUTHSAFE)
            break;
        locate_ciphertexts(b, &cert_ct, &key_ct);
        flip(b, hook_corrupt == C_CERT_CT        ? cert_ct.p + (cert_ct.end - cert_ct.p) / 2
                : hook_corrupt == C_CERT_CT_LAST ? cert_ct.end - 1
                : hook_corrupt == C_KEY_CT       ? key_ct.p + (key_ct.end - key_ct.p) / 2
                                                 : key_ct.end - 1);
        break;
    case C_KEY_SCALAR: { /* ECPrivateKey { 1, OCTET STRING (32) d, ... } */
        static const uint8_t mark[] = {0x02, 0x01, 0x01, 0x04, 0x20};
        if (stage != PKIWS__PFX_HOOK_KEY)
            break;
        const uint8_t *d = NULL;
        for (size_t i = 0; !d && i + sizeof mark + 32 <= b->len; i++)
            if (memcmp(b->data + i, mark, sizeof mark) == 0)
                d = b->data + i + sizeof mark;
        assert_non_null(d);
        flip(b, d + 31);
        break;
    }
    case C_CHAIN_SIG: /* the last bag is the root's, without attributes: its DER ends the buffer */
        if (stage == PKIWS__PFX_HOOK_CERT_SAFE)
            flip(b, b->data + b->len - 1);
        break;
    case C_CHAIN_DROPPED:
        if (stage == PKIWS__PFX_HOOK_CERT_SAFE) {
            pkiws__pfx_der d, seq, bag;
            const uint8_t *last = NULL;
            pkiws__pfx_der_init(&d, b->data, b->len, "test");
            assert_int_equal(pkiws__pfx_der_get(&d, 0x30, "bags", &seq), PKIWS_OK);
            while (pkiws__pfx_der_peek(&seq) >= 0) {
                last = seq.p;
                assert_int_equal(pkiws__pfx_der_get(&seq, 0x30, "bag", &bag), PKIWS_OK);
            }
            pkiws_buf kept = PKIWS_BUF_INIT; /* SEQ { every bag but the last } */
            pkiws__pfx_der inner;
            pkiws__pfx_der_init(&d, b->data, b->len, "test");
            assert_int_equal(pkiws__pfx_der_get(&d, 0x30, "bags", &inner), PKIWS_OK);
            assert_int_equal(pkiws__pfx_der_put(&kept, 0x30, inner.p, (size_t)(last - inner.p)),
                             PKIWS_OK);
            pkiws__buf_clear(b);
            assert_int_equal(pkiws__buf_append(b, kept.data, kept.len), PKIWS_OK);
            pkiws__buf_dispose(&kept);
        }
        break;
    default:
        break;
    }
}

static void test_pkcs12_self_check_catches_corruption(void **state)
{
    pki *p = *state;
    static const struct {
        int what;
        const char *why; /* in the message, or NULL */
    } cases[] = {
        {C_MAC, MAC_FAIL},
        {C_MAC_SALT, MAC_FAIL},
        {C_PFX_MIDDLE, NULL},
        {C_CERT_CT, NULL},
        {C_CERT_CT_LAST, NULL},
        {C_KEY_CT, NULL},
        {C_KEY_CT_LAST, NULL},
        {C_KEY_SCALAR, NULL},
        {C_CHAIN_SIG, "a chain certificate read back differs"},
        {C_CHAIN_DROPPED, "the number of chain certificates read back differs"},
    };
    pkiws__pfx_write_test_hook = corrupting_hook;
    for (int preset = PKIWS_PFX_LEGACY; preset <= PKIWS_PFX_MODERN; preset++) {
        for (size_t i = 0; i < PKIWS_ARRAY_LEN(cases); i++) {
            pkiws_buf out = PKIWS_BUF_INIT;
            pkiws__pfx_opts o = {preset, "pw", "name", 0};
            hook_corrupt = cases[i].what;
            hook_calls = 0;
            int rc = pkiws__pfx_write(p->ec_key, p->ec, &p->chain, &o, &out);
            if (rc == PKIWS_OK)
                print_error("corruption %d (preset %d) not caught\n", cases[i].what, preset);
            assert_int_equal(rc, PKIWS_E_INTERNAL);
            assert_int_equal(hook_calls, 4); /* key, certificates, AuthenticatedSafe, PFX */
            const char *m = pkiws__err_message();
            assert_non_null(strstr(m, "self-check of the PFX just written"));
            if (cases[i].why && !strstr(m, cases[i].why))
                print_error("corruption %d: '%s'\n", cases[i].what, m);
            if (cases[i].why)
                assert_non_null(strstr(m, cases[i].why));
            assert_int_equal(out.len, 0); /* nothing is handed out */
            pkiws__buf_dispose(&out);
        }
        /* the hook that corrupts nothing: the same write succeeds */
        hook_corrupt = C_NONE;
        pkiws_buf ok = PKIWS_BUF_INIT;
        write_pfx(p->ec_key, p->ec, &p->chain, preset, "pw", "name", 0, &ok);
        pkiws__buf_dispose(&ok);
    }
    pkiws__pfx_write_test_hook = NULL;
}

/* The self-check reuses the writer's derived keys; a read by anyone else derives its own and
 * opens the same bytes: the keys the check used are the keys the file needs. */
static void test_pkcs12_self_checked_pfx_opens_independently(void **state)
{
    pki *p = *state;
    for (int preset = PKIWS_PFX_LEGACY; preset <= PKIWS_PFX_MODERN; preset++) {
        roundtrip(p->ec_key, p->ec, &p->chain, preset, "", NULL);
        roundtrip(p->rsa_key, p->rsa, &p->chain, preset, PW_EMOJI, "n");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pkcs12_roundtrip_legacy_rsa),
        cmocka_unit_test(test_pkcs12_roundtrip_legacy_ec),
        cmocka_unit_test(test_pkcs12_roundtrip_modern_rsa),
        cmocka_unit_test(test_pkcs12_roundtrip_modern_ec),
        cmocka_unit_test(test_pkcs12_passwords),
        cmocka_unit_test(test_pkcs12_wrong_password),
        cmocka_unit_test(test_pkcs12_friendly_name_roundtrip),
        cmocka_unit_test(test_pkcs12_chain_order),
        cmocka_unit_test(test_pkcs12_write_rejects_bad_input),
        cmocka_unit_test(test_pkcs12_truncated_and_bitflipped),
        cmocka_unit_test(test_pkcs12_read_rejects_garbage),
        cmocka_unit_test(test_pkcs12_read_caps_bag_count),
        cmocka_unit_test(test_pkcs12_read_mutated_content_behind_valid_mac),
        cmocka_unit_test(test_pkcs12_read_openssl_files),
        cmocka_unit_test(test_pkcs12_two_keys),
        cmocka_unit_test(test_pkcs12_no_leaf_message),
        cmocka_unit_test(test_pkcs12_self_check_catches_corruption),
        cmocka_unit_test(test_pkcs12_self_checked_pfx_opens_independently),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
