/* SPDX-License-Identifier: MIT */
/* Writes what OpenSSL cross-checks: "mkcsr DIR" makes DIR/rsa.csr, DIR/ec.csr (PEM CSRs for
 * RSA-2048 and P-256) and DIR/rsa.key, DIR/ec.key (PKCS#8 PEM); "mkcsr --p7 IN.pem OUT.p7b"
 * writes the certificates of a PEM bundle as a DER PKCS#7 certs-only file. */
#include <stdio.h>

#include "pkiws_internal.h"

#include "crypto/crypto.h"

static const pkiws__dn_part dn[] = {
    {"CN", "J\xc3\xbcrgen T\xc3\xabst, Jr."},
    {"O", "Example, Inc."},
    {"C", "DE"},
};

static const uint8_t other_der[] = {0x04, 0x04, 0x12, 0xB8, 0xBA, 0x65};

static const pkiws__csr_san san[] = {
    {PKIWS__SAN_RFC822, "juergen@example.com", NULL, NULL, 0},
    {PKIWS__SAN_UPN, "j\xc3\xbcrgen@corp.example", NULL, NULL, 0},
    {PKIWS__SAN_OTHERNAME, NULL, "1.3.6.1.4.1.99999.1.2", other_der, sizeof other_der},
    {PKIWS__SAN_DNS, "host.example.com", NULL, NULL, 0},
};

static int write_file(const char *dir, const char *name, const pkiws_buf *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
        fprintf(stderr, "mkcsr: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

static int one(const char *dir, int type, const char *stem)
{
    pkiws__key *k = NULL;
    pkiws_buf der = PKIWS_BUF_INIT, pem = PKIWS_BUF_INIT, key = PKIWS_BUF_INIT;
    char name[64];
    int rc = pkiws__key_generate(type, &k);
    if (rc == PKIWS_OK)
        rc = pkiws__csr_build(k, dn, sizeof dn / sizeof dn[0], san, sizeof san / sizeof san[0],
                              PKIWS__CSR_KU_DS_KE | PKIWS__CSR_EKU_CLIENT, &der);
    if (rc == PKIWS_OK)
        rc = pkiws__csr_pem(der.data, der.len, &pem);
    if (rc == PKIWS_OK)
        rc = pkiws__key_pkcs8_pem(k, &key);
    if (rc != PKIWS_OK) {
        fprintf(stderr, "mkcsr: %s: %s\n", stem, pkiws__err_message());
        rc = 1;
    } else {
        snprintf(name, sizeof name, "%s.csr", stem);
        rc = write_file(dir, name, &pem);
        snprintf(name, sizeof name, "%s.key", stem);
        rc |= write_file(dir, name, &key);
    }
    pkiws__buf_dispose(&der);
    pkiws__buf_dispose(&pem);
    pkiws__buf_dispose(&key);
    pkiws__key_free(k);
    return rc;
}

static int p7(const char *in, const char *out)
{
    pkiws_buf pem = PKIWS_BUF_INIT, der = PKIWS_BUF_INIT;
    pkiws__certlist l = {NULL, 0};
    int rc = pkiws__file_read(in, 0, &pem);
    if (rc == PKIWS_OK)
        rc = pkiws__certs_parse_all(pem.data, pem.len, &l);
    if (rc == PKIWS_OK)
        rc = pkiws__pkcs7_write(&l, &der);
    if (rc != PKIWS_OK)
        fprintf(stderr, "mkcsr --p7: %s\n", pkiws__err_message());
    else
        rc = write_file(".", out, &der);
    pkiws__certlist_dispose(&l);
    pkiws__buf_dispose(&pem);
    pkiws__buf_dispose(&der);
    return rc != PKIWS_OK;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--p7"))
        return p7(argv[2], argv[3]);
    if (argc != 2) {
        fprintf(stderr, "usage: mkcsr DIR | mkcsr --p7 IN.pem OUT.p7b\n");
        return 2;
    }
    return one(argv[1], PKIWS_KEY_RSA2048, "rsa") | one(argv[1], PKIWS_KEY_EC_P256, "ec");
}
