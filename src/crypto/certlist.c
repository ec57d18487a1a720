/* SPDX-License-Identifier: MIT */
/* Lists of certificates: append, dispose, and every certificate of a PEM bundle. */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

int pkiws__certlist_add(pkiws__certlist *l, pkiws__cert *c)
{
    if (!l || !c) {
        pkiws__cert_free(c);
        return pkiws__fail(PKIWS_E_INVALID_ARG, "certificate list: NULL list or certificate");
    }
    if (l->n >= PKIWS__CERTLIST_MAX) {
        pkiws__cert_free(c);
        return pkiws__fail(PKIWS_E_LIMIT, "certificate list: more than %d certificates",
                           PKIWS__CERTLIST_MAX);
    }
    pkiws__cert **v = pkiws__realloc(l->v, (l->n + 1) * sizeof *v);
    if (!v) {
        pkiws__cert_free(c);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory growing a certificate list");
    }
    v[l->n++] = c;
    l->v = v;
    return PKIWS_OK;
}

void pkiws__certlist_dispose(pkiws__certlist *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        pkiws__cert_free(l->v[i]);
    pkiws__free(l->v);
    l->v = NULL;
    l->n = 0;
}

int pkiws__certlist_move(pkiws__certlist *dst, pkiws__certlist *src)
{
    if (src->n == 0)
        return PKIWS_OK;
    if (dst->n + src->n > PKIWS__CERTLIST_MAX)
        return pkiws__fail(PKIWS_E_LIMIT, "certificate list: more than %d certificates",
                           PKIWS__CERTLIST_MAX);
    pkiws__cert **v = pkiws__realloc(dst->v, (dst->n + src->n) * sizeof *v);
    if (!v)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory growing a certificate list");
    memcpy(v + dst->n, src->v, src->n * sizeof *v);
    dst->v = v;
    dst->n += src->n;
    pkiws__free(src->v);
    src->v = NULL;
    src->n = 0;
    return PKIWS_OK;
}

int pkiws__certs_parse_all(const uint8_t *data, size_t len, pkiws__certlist *l)
{
    if (!l)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "certificates: NULL list");
    if (!data || len == 0)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "certificates: the input is empty");
    pkiws__cert *c;
    if (!pkiws__pem_present(data, len)) {
        int rc = pkiws__cert_from_der(data, len, &c);
        return rc == PKIWS_OK ? pkiws__certlist_add(l, c) : rc;
    }
    /* All or nothing: collect first, then hand over. */
    pkiws__certlist tmp = {NULL, 0};
    pkiws_buf der = PKIWS_BUF_INIT;
    size_t pos = 0;
    int rc;
    while ((rc = pkiws__pem_next(data, len, &pos, "CERTIFICATE", PKIWS_E_CRYPTO, &der)) ==
           PKIWS_OK) {
        size_t at = pos;
        rc = pkiws__cert_from_der(der.data, der.len, &c);
        if (rc == PKIWS_OK)
            rc = pkiws__certlist_add(&tmp, c);
        if (rc != PKIWS_OK) {
            pkiws__fail_context(rc,
                                "certificate %zu of the PEM bundle (block ending at offset "
                                "%zu)",
                                tmp.n + 1, at);
            break;
        }
        pkiws__buf_clear(&der);
    }
    pkiws__buf_dispose(&der);
    if (rc == PKIWS__PEM_NONE && tmp.n == 0)
        rc = pkiws__fail(PKIWS_E_CRYPTO,
                         "no '-----BEGIN CERTIFICATE-----' block in the %zu-byte PEM input", len);
    else if (rc == PKIWS__PEM_NONE)
        rc = PKIWS_OK;
    if (rc == PKIWS_OK)
        rc = pkiws__certlist_move(l, &tmp);
    pkiws__certlist_dispose(&tmp);
    return rc;
}
