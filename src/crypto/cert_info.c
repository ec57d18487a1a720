/* SPDX-License-Identifier: MIT */
/* The facts pkiws needs about a parsed certificate: names, serial, thumbprint, validity, flags. */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

#include <pthread.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t pkiws__x509_time_epoch(const mbedtls_x509_time *t)
{
    return days_from_civil(t->year, t->mon, t->day) * 86400 + (int64_t)t->hour * 3600 +
           (int64_t)t->min * 60 + t->sec;
}

static int has_client_auth(const mbedtls_x509_crt *crt)
{
    if (!(crt->ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE))
        return 0;
    for (const mbedtls_x509_sequence *s = &crt->ext_key_usage; s; s = s->next)
        if (s->buf.p && s->buf.len == MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH) &&
            memcmp(s->buf.p, MBEDTLS_OID_CLIENT_AUTH, s->buf.len) == 0)
            return 1;
    return 0;
}

/* Subject equals issuer and the signature verifies with the certificate's own key. */
static int is_self_signed(const mbedtls_x509_crt *crt)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(crt->sig_md);
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    if (!md || mbedtls_md(md, crt->tbs.p, crt->tbs.len, hash) != 0)
        return 0;
    return mbedtls_pk_verify_ext(crt->sig_pk, crt->sig_opts,
                                 (mbedtls_pk_context *)(uintptr_t)&crt->pk, crt->sig_md, hash,
                                 mbedtls_md_get_size(md), crt->sig.p, crt->sig.len) == 0;
}

/* Process-wide memory of certificates found self-signed (SHA-256 of the whole DER: a root seen
 * again, parsed afresh by the next issuance, is not verified again). A small ring: roots are
 * few; one pushed out is verified again when next seen. */
#define SELF_SIGNED_SEEN 16
static struct {
    pthread_mutex_t lock;
    uint8_t digest[SELF_SIGNED_SEEN][32];
    unsigned n, next;
} seen = {PTHREAD_MUTEX_INITIALIZER, {{0}}, 0, 0};

static int seen_has(const uint8_t d[32])
{
    int hit = 0;
    pthread_mutex_lock(&seen.lock);
    for (unsigned i = 0; i < seen.n && !hit; i++)
        hit = memcmp(seen.digest[i], d, 32) == 0;
    pthread_mutex_unlock(&seen.lock);
    return hit;
}

static void seen_add(const uint8_t d[32])
{
    pthread_mutex_lock(&seen.lock);
    memcpy(seen.digest[seen.next], d, 32);
    seen.next = (seen.next + 1) % SELF_SIGNED_SEEN;
    if (seen.n < SELF_SIGNED_SEEN)
        seen.n++;
    pthread_mutex_unlock(&seen.lock);
}

int pkiws__cert_self_signed(const pkiws__cert *cert)
{
    if (!cert)
        return 0;
    pkiws__cert *c = (pkiws__cert *)(uintptr_t)cert; /* only the atomic cache changes */
    int v = atomic_load(&c->self_signed);
    if (v >= 0)
        return v;
    const mbedtls_x509_crt *crt = &c->crt;
    if (crt->subject_raw.len != crt->issuer_raw.len ||
        memcmp(crt->subject_raw.p, crt->issuer_raw.p, crt->subject_raw.len) != 0) {
        v = 0;
    } else {
        uint8_t d[32];
        pkiws__sha256(crt->raw.p, crt->raw.len, d);
        v = seen_has(d);
        if (!v && (v = is_self_signed(crt)))
            seen_add(d);
    }
    atomic_store(&c->self_signed, v); /* a race computes the same value twice: harmless */
    return v;
}

static char *detach_str(pkiws_buf *b)
{
    if (pkiws__buf_status(b) != PKIWS_OK) {
        pkiws__buf_dispose(b);
        return NULL;
    }
    if (!b->data && pkiws__buf_puts(b, "") != PKIWS_OK)
        return NULL;
    return (char *)pkiws__buf_detach(b, NULL);
}

int pkiws__cert_fill_info(pkiws__cert *c)
{
    const mbedtls_x509_crt *crt = &c->crt;
    pkiws_buf subj = PKIWS_BUF_INIT, iss = PKIWS_BUF_INIT, ser = PKIWS_BUF_INIT,
              thumb = PKIWS_BUF_INIT;
    pkiws__dn_to_string(&crt->subject, &subj);
    pkiws__dn_to_string(&crt->issuer, &iss);

    const unsigned char *sp = crt->serial.p;
    size_t sl = crt->serial.len;
    while (sl > 1 && sp[0] == 0) { /* the DER sign pad of a "positive" INTEGER */
        sp++;
        sl--;
    }
    pkiws__hex_encode(sp, sl, &ser);

    uint8_t sha1[20];
    pkiws__sha1(crt->raw.p, crt->raw.len, sha1);
    pkiws__hex_encode(sha1, sizeof sha1, &thumb);

    c->subject = detach_str(&subj);
    c->issuer = detach_str(&iss);
    c->serial = detach_str(&ser);
    c->thumbprint = detach_str(&thumb);
    if (!c->subject || !c->issuer || !c->serial || !c->thumbprint)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory reading certificate details");

    c->info.subject = c->subject;
    c->info.issuer = c->issuer;
    c->info.serial = c->serial;
    c->info.thumbprint = c->thumbprint;
    c->info.not_before = pkiws__x509_time_epoch(&crt->valid_from);
    c->info.not_after = pkiws__x509_time_epoch(&crt->valid_to);
    c->info.is_ca = (crt->ext_types & MBEDTLS_X509_EXT_BASIC_CONSTRAINTS) && crt->ca_istrue;
    c->info.has_eku_client_auth = has_client_auth(crt);
    return PKIWS_OK;
}
