/* SPDX-License-Identifier: MIT */
/* The offline jobs the seeds do with certreq, certutil and the MMC: RA key + CSR, thumbprints,
 * PFX packaging; and the key-type check of a pre-flight. */
#ifndef PKIWS_CORE_OFFLINE_H
#define PKIWS_CORE_OFFLINE_H

#include "core/san.h"
#include "crypto/crypto.h"

/* RA key (PKCS#8 PEM, secret buffer) and CSR (PEM): KU 0xa0, EKU clientAuth, SHA-256. */
int pkiws__make_ra_csr(const char *subject_dn, int key_type, pkiws_buf *key_pem,
                       pkiws_buf *csr_pem);
/* Thumbprint of a certificate (PEM/DER) or of the leaf of a PFX. */
int pkiws__thumbprint_of(const uint8_t *data, size_t len, const char *password, char out[41]);
/* Key + certificate(s) -> PFX, checking that the key belongs to the leaf. */
int pkiws__package_pfx(const uint8_t *cert, size_t cert_len, const uint8_t *key, size_t key_len,
                       const char *key_password, const uint8_t *chain, size_t chain_len,
                       const pkiws__pfx_opts *opts, pkiws_buf *out);
/* Adds a verdict for the key type against the template's key algorithm and size; returns
 * PKIWS_E_POLICY_MISMATCH when they disagree. */
int pkiws__check_key_policy(const pkiws__template *t, int key_type, pkiws__resolution *res);

#endif
