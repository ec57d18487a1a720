/* SPDX-License-Identifier: MIT */
/* A SoftHSM2 token for the tests, made as an administrator would: softhsm2-util initialises
 * it and imports the simulator's RA key; the certificate goes in over PKCS#11 (softhsm2-util
 * cannot import certificates), and the key's attributes are read back over PKCS#11. */
#ifndef PKIWS_TEST_TOKEN_H
#define PKIWS_TEST_TOKEN_H

#include <stddef.h>

#define TOKEN_LABEL "pkiws-ra"
#define TOKEN_PIN "4711"

/* The SoftHSM2 module and tool, or NULL when softhsm2 is not installed. */
const char *token_module(void);
/* Make a token in dir/tokens (SOFTHSM2_CONF=dir/softhsm2.conf, set in the environment) with
 * key_pem (the RA key, any PEM openssl reads) under label "ra", id 01, and the first
 * certificate of cert_pem with the same id. 0 on success; a message on stderr otherwise. */
int token_make(const char *dir, const char *key_pem, const char *cert_pem);
/* The key's protection, read over PKCS#11: sensitive (CKA_SENSITIVE), extractable
 * (CKA_EXTRACTABLE), and the CKR_* of reading CKA_PRIVATE_EXPONENT and CKA_PRIME_1. */
typedef struct token_key_facts {
    int sensitive, extractable;
    unsigned long rv_private_exponent, rv_prime1;
    unsigned long value_len_private_exponent;
} token_key_facts;
int token_key_facts_read(token_key_facts *out);
/* The CKR_ATTRIBUTE_SENSITIVE value. */
unsigned long token_ckr_attribute_sensitive(void);

#endif
