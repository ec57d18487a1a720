/* SPDX-License-Identifier: MIT */
/*
 * The PKCS#11 RA credential: an RFC 7512 URI names a token and a private key in a PKCS#11
 * module (loaded with dlopen), the key signs through C_Sign and never leaves the token; the
 * certificate is the token's certificate object with the key's CKA_ID. No PKCS#11 type
 * crosses this interface: src/pkcs11/pkcs11.c is the only file that includes
 * <p11-kit/pkcs11.h>.
 */
#ifndef PKIWS_PKCS11_H
#define PKIWS_PKCS11_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/signer.h"
#include "util/buf.h"

/* ---- RFC 7512 URIs (p11_uri.c) ---- */

/* What a pkcs11: URI names. Strings are percent-decoded and NUL-terminated; NULL: absent. */
typedef struct pkiws__p11_uri {
    char *token, *manufacturer, *model, *serial; /* token attributes */
    char *object;                                /* CKA_LABEL of the key */
    uint8_t *id;                                 /* CKA_ID of the key (binary) */
    size_t id_len;
    char *module_path; /* query: module-path */
    char *pin;         /* query: pin-value (a secret, wiped by dispose) */
} pkiws__p11_uri;

/* Parse uri ("pkcs11:" path attributes separated by ';', query attributes after '?' separated
 * by '&'). Path: token, manufacturer, model, serial, object, id, type (only "private"); query:
 * pin-value, module-path. Any other attribute (library-*, slot-*, pin-source, module-name,
 * vendor attributes), a repeated one, a bad percent escape, a control character or a URI that
 * names no key (neither object nor id) is PKIWS_E_INVALID_ARG naming it (never the PIN). */
int pkiws__p11_uri_parse(const char *uri, pkiws__p11_uri *out);
void pkiws__p11_uri_dispose(pkiws__p11_uri *u);

/* ---- signature formats (p11_sig.c) ---- */

/* The DER DigestInfo of hash for an RSA pkiws_sign_alg (what CKM_RSA_PKCS signs). */
int pkiws__p11_digest_info(int alg, const uint8_t *hash, size_t hash_len, uint8_t *out, size_t cap,
                           size_t *out_len);
/* CKM_ECDSA's raw r || s (two equal halves) as the DER ECDSA-Sig-Value mbedTLS expects. */
int pkiws__p11_ecdsa_der(const uint8_t *raw, size_t raw_len, uint8_t *out, size_t cap,
                         size_t *out_len);

/* ---- tokens (pkcs11.c) ---- */

/* Load module_path (an absolute path; NULL: the URI's module-path), initialise it with
 * CKF_OS_LOCKING_OK (shared with other users of the module in the process), find the token
 * and key of uri, log in with pin (NULL: the URI's pin-value; none: no login), and read the
 * certificate with the key's CKA_ID (DER, into cert_der). *signer signs with C_Sign on one
 * PKCS#11 session (serialised), logging in again when the token forgot the login. *label
 * gets "PKCS#11 token '<label>' key '<object or id>'" for messages. Failures:
 * PKIWS_E_INVALID_ARG (URI, path), PKIWS_E_RA_CREDENTIAL (module, token, PIN, key,
 * certificate), PKIWS_E_UNSUPPORTED (built without PKCS#11), each naming the input. */
int pkiws__pkcs11_open(const char *module_path, const char *uri, const char *pin,
                       pkiws__signer **signer, pkiws_buf *cert_der, pkiws_buf *label);

#endif
