/* SPDX-License-Identifier: MIT */
/* The RA credential: certificate, chain and the signer of the private key, loaded from PKCS#12,
 * PEM or a store directory searched by thumbprint (a built-in signer owning the key), or a
 * host's signer / a PKCS#11 token with the certificate; checked (key matches, valid now). */
#ifndef PKIWS_CORE_RA_H
#define PKIWS_CORE_RA_H

#include <stdint.h>

#include "crypto/crypto.h"
#include "crypto/signer.h"

typedef struct pkiws__ra {
    pkiws__signer *signer; /* signs with the RA key (the built-in one owns it); NULL: the TLS
                              backend's own sign hook does */
    pkiws__cert *cert;
    pkiws__certlist chain; /* certificates that came with it (not the RA certificate) */
    char thumbprint[41];
    char *source; /* "file ra.p12", "store dir/x.pem": for messages */
} pkiws__ra;

/* `now` is epoch seconds (tests pass fixed times). */
/* A PFX with more than one key is refused (naming the count), except by thumbprint: */
int pkiws__ra_from_pkcs12(const uint8_t *der, size_t len, const char *password, const char *source,
                          int64_t now, pkiws__ra **out);
/* The certificate with @p thumbprint (normalised: 40 upper-case hex digits) and the key that
 * belongs to it, however many keys the PFX holds; PKIWS_E_RA_CREDENTIAL when it has no such
 * certificate. */
int pkiws__ra_from_pkcs12_thumbprint(const uint8_t *der, size_t len, const char *password,
                                     const char *thumbprint, const char *source, int64_t now,
                                     pkiws__ra **out);
int pkiws__ra_from_pem(const uint8_t *cert, size_t cert_len, const uint8_t *key, size_t key_len,
                       const char *key_password, const char *source, int64_t now, pkiws__ra **out);
int pkiws__ra_from_store(const char *dir, const char *thumbprint, const char *password, int64_t now,
                         pkiws__ra **out);
/* A signer credential: cert_chain (PEM, or one DER certificate) holds the RA certificate
 * first, then its chain; signer is taken (also on failure; NULL: the TLS backend's hook). */
int pkiws__ra_from_signer(const uint8_t *cert_chain, size_t len, pkiws__signer *signer,
                          const char *source, int64_t now, pkiws__ra **out);
void pkiws__ra_free(pkiws__ra *ra);

/* Days until the RA certificate expires (negative when expired). */
int64_t pkiws__ra_days_left(const pkiws__ra *ra, int64_t now);

#endif
