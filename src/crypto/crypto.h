/* SPDX-License-Identifier: MIT */
/*
 * The crypto layer: keys, CSRs, X.509, PKCS#7 and PKCS#12 over mbedTLS 2.28.
 * This interface carries no mbedTLS type; src/crypto/crypto_int.h is the only file in the tree
 * that includes <mbedtls/...> headers, and only the src/crypto/ sources (and the mbedTLS TLS
 * backend) include it. Every function returns PKIWS_OK or a PKIWS_E_* code and, on failure, records
 * a message naming the offending input with pkiws__fail() (never a secret).
 */
#ifndef PKIWS_CRYPTO_H
#define PKIWS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* ---- random numbers (one process-wide CTR_DRBG, seeded once, reseeded after fork) ---- */
int pkiws__random(uint8_t *out, size_t n);

/* ---- digests ---- */
void pkiws__sha1(const uint8_t *p, size_t n, uint8_t out[20]);
void pkiws__sha256(const uint8_t *p, size_t n, uint8_t out[32]);

/* ---- keys ---- */
typedef struct pkiws__key pkiws__key;

/* key_type is a public PKIWS_KEY_* value. */
int pkiws__key_generate(int key_type, pkiws__key **out);
/* PEM or DER; PKCS#1, SEC1, PKCS#8, encrypted PKCS#8 (password may be NULL). A PEM input
 * need not be NUL-terminated. Wrong/missing password: PKIWS_E_CRYPTO saying so. */
int pkiws__key_parse(const uint8_t *data, size_t len, const char *password, pkiws__key **out);
void pkiws__key_free(pkiws__key *key);
/* PKIWS_KEY_* of the key (RSA keys map to the nearest size constant), 0 if unknown. */
int pkiws__key_type(const pkiws__key *key);
/* Unencrypted PKCS#8 PrivateKeyInfo, DER / PEM ("-----BEGIN PRIVATE KEY-----"). The output
 * buffer is marked secret. */
int pkiws__key_pkcs8_der(const pkiws__key *key, pkiws_buf *out);
int pkiws__key_pkcs8_pem(const pkiws__key *key, pkiws_buf *out);
/* Encrypted PKCS#8 PEM ("ENCRYPTED PRIVATE KEY"), PBES2 PBKDF2-HMAC-SHA256 + AES-256-CBC;
 * pkiws__key_parse opens it with the same password. */
int pkiws__key_pkcs8_encrypted_pem(const pkiws__key *key, const char *password, pkiws_buf *out);
/* SubjectPublicKeyInfo DER. */
int pkiws__key_public_der(const pkiws__key *key, pkiws_buf *out);

/* ---- certificates ---- */
typedef struct pkiws__cert pkiws__cert;

/* One certificate, DER or PEM (first certificate of the PEM). */
int pkiws__cert_parse(const uint8_t *data, size_t len, pkiws__cert **out);
void pkiws__cert_free(pkiws__cert *cert);
const uint8_t *pkiws__cert_der(const pkiws__cert *cert, size_t *len);

/* What the library needs to know about a certificate; all strings owned by the cert. */
typedef struct pkiws__cert_info {
    const char *subject; /* RFC 4514-ish "CN=Alice,E=alice@contoso.com", real UTF-8, RFC 4514
                            escaping, RDNs in certificate (DER) order, not reversed */
    const char *issuer;
    const char *serial;     /* upper-case hex, no leading "00" pad byte, no separators */
    const char *thumbprint; /* SHA-1 of the DER, 40 upper-case hex digits */
    int64_t not_before;     /* epoch seconds */
    int64_t not_after;
    int is_ca;               /* basicConstraints cA = TRUE */
    int has_eku_client_auth; /* EKU absent counts as 0 */
} pkiws__cert_info;
const pkiws__cert_info *pkiws__cert_get_info(const pkiws__cert *cert);
/* 1 when subject == issuer and the signature verifies with the certificate's own key, else 0.
 * Not computed by parsing: on first use, then kept in the certificate; a verified self-signed
 * certificate is also remembered process-wide by the SHA-256 of its DER, so the same root
 * parsed again (the next issuance) is not verified again. Thread-safe. */
int pkiws__cert_self_signed(const pkiws__cert *cert);
/* Another owner of cert (not a copy): the same object, freed by its last pkiws__cert_free.
 * A parsed certificate is immutable, so owners may be in different threads. NULL: NULL. */
pkiws__cert *pkiws__cert_ref(const pkiws__cert *cert);
/* 1 when the public key of cert is the public key of key. */
int pkiws__cert_matches_key(const pkiws__cert *cert, const pkiws__key *key);
/* PEM "-----BEGIN CERTIFICATE-----" text of the certificate. */
int pkiws__cert_pem(const pkiws__cert *cert, pkiws_buf *out);

/* SAN entries decoded from an issued certificate (mbedTLS decodes neither rfc822Name nor UPN). */
typedef struct pkiws__san_item {
    int kind;     /* PKIWS__SAN_* below */
    char *value;  /* rfc822Name / dNSName / UPN text; NULL for other otherNames */
    char *oid;    /* otherName type-id, dotted (UPN too); NULL for rfc822Name/dNSName */
    uint8_t *der; /* otherName (UPN too): DER of the value inside [0] EXPLICIT */
    size_t der_len;
} pkiws__san_item;
#define PKIWS__SAN_RFC822 1
#define PKIWS__SAN_DNS 2
#define PKIWS__SAN_UPN 3       /* otherName 1.3.6.1.4.1.311.20.2.3 with a UTF8String */
#define PKIWS__SAN_OTHERNAME 4 /* any other otherName */
/* Items in certificate order; other GeneralName kinds (URI, IP, ...) are skipped. No SAN
 * extension: PKIWS_OK with *items NULL and *count 0. */
int pkiws__cert_sans(const pkiws__cert *cert, pkiws__san_item **items, size_t *count);
void pkiws__san_items_free(pkiws__san_item *items, size_t count);

/* A list of certificates (owned). */
typedef struct pkiws__certlist {
    pkiws__cert **v;
    size_t n;
} pkiws__certlist;
int pkiws__certlist_add(pkiws__certlist *l, pkiws__cert *c); /* takes ownership; frees on failure */
void pkiws__certlist_dispose(pkiws__certlist *l);
/* Every certificate of a PEM bundle (or one DER certificate), appended to l; all or nothing. */
int pkiws__certs_parse_all(const uint8_t *data, size_t len, pkiws__certlist *l);

/* PKCS#7 SignedData certs-only ("p7b"): DER, PEM (-----BEGIN PKCS7-----) or base64 with any
 * whitespace; a bare X.509 certificate (DER/base64) is accepted as a one-element list. BER
 * indefinite lengths are refused with PKIWS_E_PROTOCOL, and so is a PKCS#7 without
 * certificates. Certificates are appended to l, in the order of the input; all or nothing. */
int pkiws__pkcs7_parse(const uint8_t *data, size_t len, pkiws__certlist *l);
/* DER PKCS#7 certs-only of the list (used by the simulator and tests). */
int pkiws__pkcs7_write(const pkiws__certlist *l, pkiws_buf *out);

/* ---- CSR ---- */
typedef struct pkiws__dn_part {
    const char *type;  /* "CN", "E", "O", "OU", "L", "ST", "C" */
    const char *value; /* UTF-8 */
} pkiws__dn_part;

typedef struct pkiws__csr_san {
    int kind;           /* PKIWS__SAN_RFC822, _DNS, _UPN, _OTHERNAME */
    const char *value;  /* text for RFC822/DNS/UPN */
    const char *oid;    /* dotted type-id for _OTHERNAME */
    const uint8_t *der; /* DER value for _OTHERNAME (goes inside [0] EXPLICIT) */
    size_t der_len;
} pkiws__csr_san;

/* keyUsage digitalSignature + keyEncipherment (0xa0) for an RSA key, digitalSignature alone
 * (0x80) for an EC key (RFC 5480 §3) */
#define PKIWS__CSR_KU_DS_KE 0x1u
#define PKIWS__CSR_EKU_CLIENT 0x2u /* extendedKeyUsage clientAuth */

/* PKCS#10, SHA-256 signature, subject from parts in the given order (UTF8String values; C as
 * PrintableString and an ASCII E as IA5String, as RFC 5280 / PKCS#9 want and OpenSSL, Windows
 * and mbedTLS write them; a type may also be a dotted OID), an extensionRequest with SAN (if
 * nsan > 0), key usage and EKU per flags (all non-critical: mbedTLS 2.28 cannot mark a CSR
 * extension critical). DER appended to der_out. */
int pkiws__csr_build(const pkiws__key *key, const pkiws__dn_part *dn, size_t ndn,
                     const pkiws__csr_san *san, size_t nsan, unsigned flags, pkiws_buf *der_out);
/* PEM "-----BEGIN CERTIFICATE REQUEST-----" from DER. */
int pkiws__csr_pem(const uint8_t *der, size_t len, pkiws_buf *out);

/* ---- PKCS#12 ---- */
typedef struct pkiws__pfx_opts {
    int preset;                /* PKIWS_PFX_LEGACY / PKIWS_PFX_MODERN */
    const char *password;      /* UTF-8, any length, any Unicode */
    const char *friendly_name; /* UTF-8, may be NULL */
    unsigned iterations;       /* 0 = 2048 */
} pkiws__pfx_opts;

/* Build a PFX: key bag (pkcs8ShroudedKeyBag) + cert bags (leaf first, then chain), localKeyID
 * = SHA-1(leaf DER) on key and leaf, friendlyName on both, MAC over the AuthenticatedSafe.
 * Password handling: RFC 7292 Appendix B KDF implemented here (BMPString of the UTF-8 input,
 * surrogate pairs for code points above U+FFFF), so there is no 31-character limit.
 * Self-check: re-reads the result and checks the key matches the leaf before returning.
 * The PFX is appended to out. A key that does not match leaf, a NULL password (use "") or
 * invalid UTF-8: PKIWS_E_INVALID_ARG; a failed self-check: PKIWS_E_INTERNAL. */
int pkiws__pfx_write(const pkiws__key *key, const pkiws__cert *leaf, const pkiws__certlist *chain,
                     const pkiws__pfx_opts *opts, pkiws_buf *out);

/* Tests only: when set, pkiws__pfx_write calls it with what it is building, so that a test
 * can corrupt it and see the self-check refuse the result: the key's PKCS#8 and the
 * certificates' SafeContents before they are encrypted, the AuthenticatedSafe before the MAC
 * is computed over it, the whole PFX before the self-check. NULL (always, outside tests). */
#define PKIWS__PFX_HOOK_KEY 1
#define PKIWS__PFX_HOOK_CERT_SAFE 2
#define PKIWS__PFX_HOOK_AUTHSAFE 3
#define PKIWS__PFX_HOOK_PFX 4
extern void (*pkiws__pfx_write_test_hook)(int stage, pkiws_buf *b);

typedef struct pkiws__pfx_contents {
    pkiws__key *key;        /* NULL when the PFX has no key */
    pkiws__cert *leaf;      /* the certificate matching the key (or the first non-CA) */
    pkiws__certlist others; /* every other certificate */
    char *friendly_name;    /* of the key bag (else of the leaf's bag), UTF-8, may be NULL */
    char mac_alg[16];       /* "sha1", "sha256", ... */
    unsigned mac_iterations;
    char key_bag_alg[64];  /* "pbeWithSHA1And3-KeyTripleDES-CBC",
                              "PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC", ... */
    char cert_bag_alg[64]; /* same names; "pbeWithSHA1And40BitRC2-CBC"; "none" if plain */
    size_t nkeys;          /* private keys in the PFX (key is one of them, or NULL) */
} pkiws__pfx_contents;

/* Read a PFX: MAC verified first (wrong password: PKIWS_E_CRYPTO "wrong password or corrupt
 * PFX"); key bags encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC or PBES2 (PBKDF2 with
 * HMAC-SHA1/SHA256, AES-128/192/256-CBC or DES-EDE3-CBC); cert bags plain, 3DES, PBES2-AES
 * or pbeWithSHAAnd40BitRC2-CBC (RC2 implemented here; mbedTLS has none). Also: plain keyBag,
 * 2-key 3DES and 128-bit RC2 PBEs, PBKDF2 with HMAC-SHA224/384/512, MAC SHA-1/224/256/384/512
 * or no MacData, nested safeContentsBag. An empty or NULL password tries both the empty and
 * the absent BMPString, as OpenSSL does. DER only (no indefinite lengths); input, iterations
 * and bag counts are capped (PKIWS__PFX_MAX_*: PKIWS_E_LIMIT); unknown bag types are skipped.
 * A PFX with more than one private key is refused (PKIWS_E_CRYPTO naming the count and each
 * key's certificate): pkiws__pfx_read_select chooses among them. On failure *out is empty. */
int pkiws__pfx_read(const uint8_t *der, size_t len, const char *password, pkiws__pfx_contents *out);
/* As pkiws__pfx_read, but with @p thumbprint (40 upper-case hex digits, as
 * pkiws__thumbprint_normalize makes them; NULL: as pkiws__pfx_read) the leaf is the certificate
 * with that SHA-1 thumbprint and the key the one that belongs to it (NULL when none does), however
 * many keys the PFX holds; the other keys are dropped. No certificate with that thumbprint: success
 * with leaf and key NULL (every certificate in others). */
int pkiws__pfx_read_select(const uint8_t *der, size_t len, const char *password,
                           const char *thumbprint, pkiws__pfx_contents *out);
void pkiws__pfx_contents_dispose(pkiws__pfx_contents *c);
/* The writer's self-check: as pkiws__pfx_read (MAC, structure, decryption, padding, key and
 * bags all checked), but with the keys of known (derived from password by the writer, may be
 * NULL) instead of deriving them again, and a certificate bag byte-identical to one of the
 * ncerts parsed certificates taking a reference to it (pkiws__cert_ref) instead of parsing it
 * again. key_plain (may be NULL) receives the decrypted bytes of the first shrouded key bag
 * (marked secret), for a byte-for-byte comparison: a key parser may skip damaged optional
 * fields (mbedTLS recomputes an EC public key it cannot read). */
typedef struct pkiws__pfx_derived pkiws__pfx_derived; /* below */
int pkiws__pfx_read_known(const uint8_t *der, size_t len, const char *password,
                          const pkiws__pfx_derived *known, const pkiws__cert *const *certs,
                          size_t ncerts, pkiws_buf *key_plain, pkiws__pfx_contents *out);

/* Why a PFX read by pkiws__pfx_read has no leaf, as a PKIWS_E_CRYPTO failure: "the PFX holds
 * no certificate", or "no end-entity certificate: 1 CA certificate (first: 'CN=...', thumbprint
 * ...) and no private key". */
int pkiws__pfx_fail_no_leaf(const pkiws__pfx_contents *c);

/* -- PKCS#12 building blocks (src/crypto/pkcs12_*.c, rc2.c; used by their unit tests) -- */

/* Digests of the RFC 7292 KDF and the PFX MAC. */
#define PKIWS__PFX_MD_SHA1 1
#define PKIWS__PFX_MD_SHA256 2
#define PKIWS__PFX_MD_SHA384 3
#define PKIWS__PFX_MD_SHA512 4
#define PKIWS__PFX_MD_SHA224 5

/* Hostile-input caps of the reader (the writer's iterations are capped the same way). */
#define PKIWS__PFX_MAX_ITERATIONS 4000000u /* KDF / PBKDF2 / MAC iteration count */
#define PKIWS__PFX_MAX_BAGS 256            /* safe bags in the whole PFX */
#define PKIWS__PFX_MAX_SAFES 64            /* ContentInfos in the AuthenticatedSafe */
#define PKIWS__PFX_MAX_SIZE (16u << 20)    /* bytes of PFX input */

/* The RFC 7292 BMPString form of a UTF-8 password: UTF-16BE (surrogate pairs above U+FFFF)
 * plus 00 00. NULL gives zero bytes (OpenSSL's "absent password"). out is marked secret and
 * appended to. Invalid UTF-8: PKIWS_E_INVALID_ARG naming the byte offset. */
int pkiws__pfx_bmp_password(const char *utf8, pkiws_buf *out);

/* RFC 7292 Appendix B.2 KDF: n bytes for id (1 key, 2 IV, 3 MAC key) from the BMPString
 * password pw (any length, may be empty), salt and iterations (>= 1), digest md
 * (PKIWS__PFX_MD_*). */
int pkiws__pfx_kdf(int md, const uint8_t *pw, size_t pw_len, const uint8_t *salt, size_t salt_len,
                   unsigned iterations, int id, uint8_t *out, size_t n);

/* The PFX MAC: key = KDF(id 3, digest size) of the BMPString password, then HMAC over data
 * with the same digest; out gets the digest-size bytes (at most 64), *out_len that size. */
int pkiws__pfx_mac(int md, const uint8_t *pw, size_t pw_len, const uint8_t *salt, size_t salt_len,
                   unsigned iterations, const uint8_t *data, size_t n, uint8_t out[64],
                   size_t *out_len);

/* The two halves of pkiws__pfx_mac: the MAC key (KDF id 3, digest size, at most 64 bytes), and
 * the HMAC with a key already derived. */
int pkiws__pfx_mac_key(int md, const uint8_t *pw, size_t pw_len, const uint8_t *salt,
                       size_t salt_len, unsigned iterations, uint8_t key[64], size_t *key_len);
int pkiws__pfx_hmac(int md, const uint8_t *key, size_t key_len, const uint8_t *data, size_t n,
                    uint8_t out[64], size_t *out_len);

/* Keys derived by a PFX writer, kept so that the self-check of what it wrote reads it back
 * without deriving them again (the 2048-iteration KDFs are most of the cost of a PFX). A bag
 * key is reused only for an AlgorithmIdentifier byte-identical to the one written (same
 * scheme, salt, iterations and IV), the MAC key only for the same digest, salt and iterations,
 * and both only with the password they were derived from. Secret: pkiws__pfx_derived_wipe. */
#define PKIWS__PFX_DERIVED_ALG_MAX 160
typedef struct pkiws__pfx_derived_pbe {
    uint8_t alg[PKIWS__PFX_DERIVED_ALG_MAX]; /* AlgorithmIdentifier DER; alg_len 0: unused */
    size_t alg_len;
    uint8_t key[32], iv[16];
    size_t key_len, iv_len;
} pkiws__pfx_derived_pbe;

typedef struct pkiws__pfx_derived {
    pkiws__pfx_derived_pbe pbe[2]; /* the key bag's and the certificate bag's */
    int mac_md;                    /* PKIWS__PFX_MD_*; 0: no MAC key */
    uint8_t mac_salt[16];
    size_t mac_salt_len;
    unsigned mac_iterations;
    uint8_t mac_key[64];
    size_t mac_key_len;
} pkiws__pfx_derived;
void pkiws__pfx_derived_wipe(pkiws__pfx_derived *d);

/* The encryptions the writer uses. */
#define PKIWS__PFX_PBE_SHA1_3DES 1    /* pbeWithSHAAnd3-KeyTripleDES-CBC, 8-byte salt */
#define PKIWS__PFX_PBE_PBES2_AES256 2 /* PBES2: PBKDF2-HMAC-SHA256 (16-byte salt), AES-256-CBC */

/* Encrypt in: the AlgorithmIdentifier DER is appended to alg, the ciphertext to ct. password
 * is UTF-8 (NULL = absent): BMPString for the PKCS#12 PBEs, raw bytes for PBES2 (as OpenSSL). */
int pkiws__pfx_pbe_encrypt(int scheme, const char *password, unsigned iterations, const uint8_t *in,
                           size_t n, pkiws_buf *alg, pkiws_buf *ct);
/* As pkiws__pfx_pbe_encrypt; keep (may be NULL) receives the AlgorithmIdentifier, key and IV. */
int pkiws__pfx_pbe_encrypt_keep(int scheme, const char *password, unsigned iterations,
                                const uint8_t *in, size_t n, pkiws_buf *alg, pkiws_buf *ct,
                                pkiws__pfx_derived_pbe *keep);
/* Decrypt in under the AlgorithmIdentifier DER alg (every algorithm listed at
 * pkiws__pfx_read). The plaintext is appended to pt (marked secret); the algorithm's name
 * ("pbeWithSHA1And3-KeyTripleDES-CBC", "PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC", ...) goes to
 * name. Unsupported algorithm: PKIWS_E_UNSUPPORTED naming its OID; bad padding: PKIWS_E_CRYPTO. */
int pkiws__pfx_pbe_decrypt(const uint8_t *alg, size_t alg_len, const char *password,
                           const uint8_t *in, size_t n, pkiws_buf *pt, char *name, size_t name_cap);

/* As pkiws__pfx_pbe_decrypt; with known (may be NULL) holding a key derived from password for
 * an AlgorithmIdentifier byte-identical to alg, that key and IV are used instead of deriving. */
int pkiws__pfx_pbe_decrypt_known(const uint8_t *alg, size_t alg_len, const char *password,
                                 const pkiws__pfx_derived *known, const uint8_t *in, size_t n,
                                 pkiws_buf *pt, char *name, size_t name_cap);

/* RC2-CBC decryption (RFC 2268): key of 1..128 bytes, effective key bits 1..1024, n a multiple
 * of 8; no padding is removed. in and out may be the same buffer. */
int pkiws__rc2_cbc_decrypt(const uint8_t *key, size_t key_len, unsigned effective_bits,
                           const uint8_t iv[8], const uint8_t *in, size_t n, uint8_t *out);

/* Forward DER writing: tag, definite length, content appended to b. */
int pkiws__pfx_der_put(pkiws_buf *b, uint8_t tag, const void *content, size_t len);
/* A non-negative INTEGER. */
int pkiws__pfx_der_put_uint(pkiws_buf *b, uint32_t v);

/* DER reading cursor over [p, end); base and where name the buffer in messages. */
typedef struct pkiws__pfx_der {
    const uint8_t *p, *end;
    const uint8_t *base; /* start of the named buffer: offsets are reported from here */
    const char *where;   /* "PFX", "SafeContents #2 (decrypted)", ... */
} pkiws__pfx_der;
void pkiws__pfx_der_init(pkiws__pfx_der *d, const uint8_t *p, size_t n, const char *where);
/* Tag of the next element, or -1 at the end. */
int pkiws__pfx_der_peek(const pkiws__pfx_der *d);
/* Consume the next element, which must have tag (single-byte tags; definite lengths only);
 * its content becomes *inner (may be NULL). Failure: PKIWS_E_CRYPTO naming where, offset, what. */
int pkiws__pfx_der_get(pkiws__pfx_der *d, uint8_t tag, const char *what, pkiws__pfx_der *inner);
/* A non-negative INTEGER <= max. */
int pkiws__pfx_der_get_uint(pkiws__pfx_der *d, const char *what, uint32_t max, uint32_t *out);
/* OCTET STRING, primitive (tag) or BER-constructed of primitive OCTET STRINGs (tag | 0x20):
 * the bytes are appended to out. */
int pkiws__pfx_der_get_octets(pkiws__pfx_der *d, uint8_t tag, const char *what, pkiws_buf *out);
/* PKIWS_E_CRYPTO unless d is consumed. */
int pkiws__pfx_der_done(const pkiws__pfx_der *d, const char *what);
/* Offset of the cursor from its base. */
size_t pkiws__pfx_der_offset(const pkiws__pfx_der *d);

/* Iterated hashing at the CPU's speed (crypto/sha_iter.c), for PKIWS__PFX_MD_SHA1 and _SHA256
 * only (pkiws__sha_iter_supported). pkiws__sha_iterate: a (the digest size) = H^count(a).
 * pkiws__pbkdf2_hmac: RFC 8018 PBKDF2 with HMAC-md, n bytes to out. pkiws__sha_ni: whether the
 * SHA extensions are used (1/0); enable 0 forces the portable path, 1 detects again, -1 asks
 * only (tests compare both paths). */
int pkiws__sha_iter_supported(int md);
void pkiws__sha_iterate(int md, uint8_t *a, unsigned count);
int pkiws__pbkdf2_hmac(int md, const uint8_t *pw, size_t pw_len, const uint8_t *salt,
                       size_t salt_len, unsigned iterations, uint8_t *out, size_t n);
int pkiws__sha_ni(int enable);

#endif
