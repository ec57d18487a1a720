/* SPDX-License-Identifier: MIT */
/*
 * EC keys at the speed of their curve: mbedTLS computes the fixed-base comb table of a curve's
 * generator on the first multiplication by G of each group object (~0.4 ms for P-256), and a
 * group object lives in each key and in each signature (mbedtls_pk_sign copies the key's group
 * into a fresh ECDSA context), so a new key paid it twice: to be made and to sign its CSR. Here
 * one group per curve is loaded and its table computed once per process; key generation and
 * ECDSA signing multiply by G with it. After set-up the group is only read (ecp_mul_comb
 * reuses grp->T and stores it only when it is NULL), so threads share it.
 */
#include "pkiws_internal.h"

#include <pthread.h>

#include "crypto/crypto_int.h"

typedef struct fixed_curve {
    mbedtls_ecp_group_id id;
    pthread_once_t once;
    int ready;
    mbedtls_ecp_group grp;
} fixed_curve;

static fixed_curve curves[] = {
    {MBEDTLS_ECP_DP_SECP256R1, PTHREAD_ONCE_INIT, 0, {0}},
    {MBEDTLS_ECP_DP_SECP384R1, PTHREAD_ONCE_INIT, 0, {0}},
};

static void set_up(fixed_curve *c)
{
    mbedtls_ecp_group_init(&c->grp);
    mbedtls_ecp_point r;
    mbedtls_mpi one;
    mbedtls_ecp_point_init(&r);
    mbedtls_mpi_init(&one);
    /* 1·G computes and keeps the generator's table in the group */
    int ret = mbedtls_ecp_group_load(&c->grp, c->id);
    if (!ret)
        ret = mbedtls_mpi_lset(&one, 1);
    if (!ret)
        ret = mbedtls_ecp_mul(&c->grp, &r, &one, &c->grp.G, pkiws__drbg_random, NULL);
    c->ready = ret == 0 && c->grp.T != NULL;
    if (!c->ready)
        mbedtls_ecp_group_free(&c->grp); /* the key's own group serves instead */
    mbedtls_ecp_point_free(&r);
    mbedtls_mpi_free(&one);
}

static void set_up_p256(void)
{
    set_up(&curves[0]);
}

static void set_up_p384(void)
{
    set_up(&curves[1]);
}

mbedtls_ecp_group *pkiws__ec_fixed_group(mbedtls_ecp_group_id id)
{
    static void (*const init[])(void) = {set_up_p256, set_up_p384};
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++) {
        if (curves[i].id != id)
            continue;
        pthread_once(&curves[i].once, init[i]);
        return curves[i].ready ? &curves[i].grp : NULL;
    }
    return NULL;
}

int pkiws__ec_generate(mbedtls_ecp_group_id id, mbedtls_ecp_keypair *kp)
{
    mbedtls_ecp_group *g = pkiws__ec_fixed_group(id);
    if (!g)
        return mbedtls_ecp_gen_key(id, kp, pkiws__drbg_random, NULL);
    int ret = mbedtls_ecp_group_load(&kp->grp, id);
    return ret ? ret : mbedtls_ecp_gen_keypair(g, &kp->d, &kp->Q, pkiws__drbg_random, NULL);
}

/* ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }, written backwards from the end of buf
 * (as mbedTLS writes DER); *len its length at buf + cap - *len. */
static int sig_der(const mbedtls_mpi *r, const mbedtls_mpi *s, unsigned char *buf, size_t cap,
                   size_t *len)
{
    unsigned char *p = buf + cap;
    int n = 0, ret;
    if ((ret = mbedtls_asn1_write_mpi(&p, buf, s)) < 0)
        return ret;
    n += ret;
    if ((ret = mbedtls_asn1_write_mpi(&p, buf, r)) < 0)
        return ret;
    n += ret;
    if ((ret = mbedtls_asn1_write_len(&p, buf, (size_t)n)) < 0)
        return ret;
    n += ret;
    if ((ret = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) <
        0)
        return ret;
    *len = (size_t)n + (size_t)ret;
    return 0;
}

int pkiws__ec_sign(const mbedtls_ecp_keypair *kp, mbedtls_md_type_t md, const unsigned char *hash,
                   size_t hash_len, unsigned char *sig, size_t *sig_len)
{
    mbedtls_ecp_group *g = pkiws__ec_fixed_group(kp->grp.id);
    if (!g)
        return MBEDTLS_ERR_ECP_FEATURE_UNAVAILABLE;
    mbedtls_mpi r, s;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    /* deterministic k (RFC 6979), as mbedtls_pk_sign makes it; the RNG blinds */
    int ret =
        mbedtls_ecdsa_sign_det_ext(g, &r, &s, &kp->d, hash, hash_len, md, pkiws__drbg_random, NULL);
    unsigned char der[MBEDTLS_ECDSA_MAX_LEN];
    size_t n = 0;
    if (!ret)
        ret = sig_der(&r, &s, der, sizeof der, &n);
    if (!ret) {
        memcpy(sig, der + sizeof der - n, n);
        *sig_len = n;
    }
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    return ret;
}

/* ---- a pk context that signs with the curve's shared group (for mbedTLS's CSR writer) -------- */

static size_t fast_bitlen(const void *ctx)
{
    return ((const mbedtls_ecp_keypair *)ctx)->grp.pbits;
}

static int fast_can_do(mbedtls_pk_type_t type)
{
    return type == MBEDTLS_PK_ECKEY || type == MBEDTLS_PK_ECDSA;
}

static int fast_sign(void *ctx, mbedtls_md_type_t md, const unsigned char *hash, size_t hash_len,
                     unsigned char *sig, size_t *sig_len,
                     int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
    (void)f_rng;
    (void)p_rng;
    return pkiws__ec_sign(ctx, md, hash, hash_len, sig, sig_len);
}

static void fast_free(void *ctx)
{
    (void)ctx; /* the key's: borrowed */
}

static const mbedtls_pk_info_t fast_info = {
    .type = MBEDTLS_PK_ECKEY,
    .name = "EC",
    .get_bitlen = fast_bitlen,
    .can_do = fast_can_do,
    .sign_func = fast_sign,
    .ctx_free_func = fast_free,
};

int pkiws__ec_fast_pk(const mbedtls_pk_context *key, mbedtls_pk_context *out)
{
    if (mbedtls_pk_get_type(key) != MBEDTLS_PK_ECKEY ||
        !pkiws__ec_fixed_group(mbedtls_pk_ec(*key)->grp.id))
        return 0;
    mbedtls_pk_init(out);
    out->pk_info = &fast_info;
    out->pk_ctx = mbedtls_pk_ec(*key);
    return 1;
}
