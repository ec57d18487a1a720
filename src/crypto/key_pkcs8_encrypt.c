/* SPDX-License-Identifier: MIT */
/* Encrypted PKCS#8 (EncryptedPrivateKeyInfo, PBES2 PBKDF2-HMAC-SHA256 + AES-256-CBC), PEM:
 * how a key is kept at rest (e.g. the key of a pending request). */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

int pkiws__key_pkcs8_encrypted_pem(const pkiws__key *key, const char *password, pkiws_buf *out)
{
    if (!password || !*password)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "an encrypted key needs a non-empty password");
    pkiws_buf der = PKIWS_BUF_INIT, alg = PKIWS_BUF_INIT, ct = PKIWS_BUF_INIT,
              inner = PKIWS_BUF_INIT, epki = PKIWS_BUF_INIT;
    der.secret = 1;
    int rc = pkiws__key_pkcs8_der(key, &der);
    if (!rc)
        rc = pkiws__pfx_pbe_encrypt(PKIWS__PFX_PBE_PBES2_AES256, password, 2048, der.data, der.len,
                                    &alg, &ct);
    if (!rc)
        rc = pkiws__buf_append(&inner, alg.data, alg.len);
    if (!rc)
        rc = pkiws__pfx_der_put(&inner, 0x04, ct.data, ct.len);
    if (!rc)
        rc = pkiws__pfx_der_put(&epki, 0x30, inner.data, inner.len);
    if (!rc)
        rc = pkiws__pem_write("ENCRYPTED PRIVATE KEY", epki.data, epki.len, out);
    pkiws__buf_dispose(&der);
    pkiws__buf_dispose(&alg);
    pkiws__buf_dispose(&ct);
    pkiws__buf_dispose(&inner);
    pkiws__buf_dispose(&epki);
    return rc;
}
