/* SPDX-License-Identifier: MIT */
/* Certificate writing for the simulator's CAs and issued certificates (mbedtls x509write). */
#include "sim.h"

#include <stdlib.h>
#include <time.h>

/* Prepend a name attribute to an mbedtls name list. mbedtls_x509write_crt_free() releases
 * these nodes with mbedtls_free (= free; MBEDTLS_PLATFORM_MEMORY is off in Debian's build),
 * so they are allocated with calloc, not with the pkiws allocator. mbedtls writes the list
 * back to front: prepending in DN order gives the DN order in the certificate. */
static int name_prepend(mbedtls_asn1_named_data **head, const void *oid, size_t oid_len, int tag,
                        const void *val, size_t val_len)
{
    mbedtls_asn1_named_data *n = calloc(1, sizeof *n);
    if (!n)
        return -1;
    n->oid.tag = MBEDTLS_ASN1_OID;
    n->oid.p = malloc(oid_len ? oid_len : 1);
    n->val.p = malloc(val_len ? val_len : 1);
    if (!n->oid.p || !n->val.p) {
        free(n->oid.p);
        free(n->val.p);
        free(n);
        return -1;
    }
    memcpy(n->oid.p, oid, oid_len);
    n->oid.len = oid_len;
    memcpy(n->val.p, val, val_len);
    n->val.len = val_len;
    n->val.tag = tag;
    n->next = *head;
    *head = n;
    return 0;
}

static int copy_name(mbedtls_asn1_named_data **head, const mbedtls_x509_name *src)
{
    for (const mbedtls_x509_name *c = src; c; c = c->next)
        if (c->oid.p && name_prepend(head, c->oid.p, c->oid.len, c->val.tag, c->val.p, c->val.len))
            return -1;
    return 0;
}

static void fmt_time(int64_t t, char out[16])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    /* "YYYYMMDDhhmmss": every field is in range after gmtime_r. */
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    memcpy(out, tmp, 15);
    out[15] = 0;
}

int64_t sim_x509_time(const mbedtls_x509_time *t)
{
    struct tm tm = {0};
    tm.tm_year = t->year - 1900;
    tm.tm_mon = t->mon - 1;
    tm.tm_mday = t->day;
    tm.tm_hour = t->hour;
    tm.tm_min = t->min;
    tm.tm_sec = t->sec;
    return (int64_t)timegm(&tm);
}

/* SEQUENCE OF OID (extendedKeyUsage), written back to front. */
static int write_eku(const char *const *eku, size_t n, unsigned char *buf, size_t size,
                     unsigned char **start)
{
    unsigned char *p = buf + size;
    size_t len = 0;
    int ret;
    for (size_t i = n; i > 0; i--) {
        pkiws_buf oid = PKIWS_BUF_INIT;
        if (pkiws__oid_encode(eku[i - 1], &oid) != PKIWS_OK) {
            pkiws__buf_dispose(&oid);
            return -1;
        }
        ret = mbedtls_asn1_write_oid(&p, buf, (const char *)oid.data, oid.len);
        pkiws__buf_dispose(&oid);
        if (ret < 0)
            return ret;
        len += (size_t)ret;
    }
    MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&p, buf, len));
    MBEDTLS_ASN1_CHK_ADD(
        len, mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
    *start = p;
    return (int)len;
}

/* certificatePolicies: SEQUENCE { PolicyInformation { policyIdentifier } }. */
static int write_policies(const char *oid_dotted, unsigned char *buf, size_t size,
                          unsigned char **start)
{
    pkiws_buf oid = PKIWS_BUF_INIT;
    if (pkiws__oid_encode(oid_dotted, &oid) != PKIWS_OK) {
        pkiws__buf_dispose(&oid);
        return -1;
    }
    unsigned char *p = buf + size;
    size_t len = 0;
    int ret = mbedtls_asn1_write_oid(&p, buf, (const char *)oid.data, oid.len);
    pkiws__buf_dispose(&oid);
    if (ret < 0)
        return ret;
    len += (size_t)ret;
    for (int i = 0; i < 2; i++) {
        MBEDTLS_ASN1_CHK_ADD(len, mbedtls_asn1_write_len(&p, buf, len));
        MBEDTLS_ASN1_CHK_ADD(
            len, mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE));
    }
    *start = p;
    return (int)len;
}

int sim_cert_build(sim_server *srv, const sim_certspec *s, pkiws_buf *der, char serial_hex[41])
{
    mbedtls_x509write_cert w;
    mbedtls_mpi serial;
    mbedtls_x509write_crt_init(&w);
    mbedtls_mpi_init(&serial);
    unsigned char *buf = NULL;
    int rc = -1, ret;
    char nb[16], na[16];

    uint8_t sn[16];
    if (sim_rng(srv, sn, sizeof sn) != 0)
        goto out;
    sn[0] = (uint8_t)((sn[0] & 0x7F) | 0x10); /* positive, no leading zero byte */
    for (size_t i = 0; i < sizeof sn; i++)
        snprintf(serial_hex + 2 * i, 3, "%02X", sn[i]);
    if (mbedtls_mpi_read_binary(&serial, sn, sizeof sn) != 0)
        goto out;

    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    if (mbedtls_x509write_crt_set_serial(&w, &serial) != 0)
        goto out;
    fmt_time(s->not_before, nb);
    fmt_time(s->not_after, na);
    if (mbedtls_x509write_crt_set_validity(&w, nb, na) != 0)
        goto out;
    for (size_t i = 0; i < s->nsubject; i++)
        if (name_prepend(&w.subject, s->subject[i].oid, s->subject[i].oid_len, s->subject[i].tag,
                         s->subject[i].value, strlen(s->subject[i].value)))
            goto out;
    if (s->issuer_crt) {
        if (copy_name(&w.issuer, &s->issuer_crt->subject))
            goto out;
    } else {
        for (size_t i = 0; i < s->nsubject; i++)
            if (name_prepend(&w.issuer, s->subject[i].oid, s->subject[i].oid_len, s->subject[i].tag,
                             s->subject[i].value, strlen(s->subject[i].value)))
                goto out;
    }
    mbedtls_x509write_crt_set_subject_key(&w, s->subject_key);
    mbedtls_x509write_crt_set_issuer_key(&w, s->issuer_key);

    if (mbedtls_x509write_crt_set_basic_constraints(&w, s->is_ca ? 1 : 0,
                                                    s->is_ca ? s->pathlen : -1))
        goto out;
    if (mbedtls_x509write_crt_set_subject_key_identifier(&w) != 0 ||
        mbedtls_x509write_crt_set_authority_key_identifier(&w) != 0)
        goto out;
    if (s->key_usage && mbedtls_x509write_crt_set_key_usage(&w, s->key_usage) != 0)
        goto out;

    unsigned char ext[1024], *start;
    if (s->neku) {
        ret = write_eku(s->eku, s->neku, ext, sizeof ext, &start);
        if (ret < 0 ||
            mbedtls_x509write_crt_set_extension(&w, MBEDTLS_OID_EXTENDED_KEY_USAGE,
                                                MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0,
                                                start, (size_t)ret) != 0)
            goto out;
    }
    if (s->san_der && s->san_len &&
        mbedtls_x509write_crt_set_extension(&w, MBEDTLS_OID_SUBJECT_ALT_NAME,
                                            MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME),
                                            s->san_critical, s->san_der, s->san_len) != 0)
        goto out;
    if (s->policy_oid) {
        ret = write_policies(s->policy_oid, ext, sizeof ext, &start);
        if (ret < 0 ||
            mbedtls_x509write_crt_set_extension(&w, MBEDTLS_OID_CERTIFICATE_POLICIES,
                                                MBEDTLS_OID_SIZE(MBEDTLS_OID_CERTIFICATE_POLICIES),
                                                0, start, (size_t)ret) != 0)
            goto out;
    }

    size_t size = 8192 + s->san_len;
    for (size_t i = 0; i < s->nsubject; i++)
        size += 2 * (strlen(s->subject[i].value) + 32); /* subject, and issuer when self-signed */
    buf = pkiws__malloc(size);
    if (!buf)
        goto out;
    ret = mbedtls_x509write_crt_der(&w, buf, size, sim_rng, srv);
    if (ret < 0) {
        char m[128];
        mbedtls_strerror(ret, m, sizeof m);
        fprintf(stderr, "pkiws-sim: writing a certificate failed: %s (-0x%04X)\n", m,
                (unsigned)-ret);
        goto out;
    }
    pkiws__buf_clear(der);
    if (pkiws__buf_append(der, buf + size - (size_t)ret, (size_t)ret) != PKIWS_OK)
        goto out;
    rc = 0;
out:
    pkiws__free(buf);
    mbedtls_mpi_free(&serial);
    mbedtls_x509write_crt_free(&w);
    return rc;
}

/* ---- SubjectAltName ---- */

static int put_tl(pkiws_buf *b, unsigned tag, size_t len)
{
    uint8_t h[6];
    size_t n = 0;
    h[n++] = (uint8_t)tag;
    if (len < 0x80) {
        h[n++] = (uint8_t)len;
    } else if (len < 0x100) {
        h[n++] = 0x81;
        h[n++] = (uint8_t)len;
    } else if (len < 0x10000) {
        h[n++] = 0x82;
        h[n++] = (uint8_t)(len >> 8);
        h[n++] = (uint8_t)len;
    } else if (len < 0x1000000) {
        h[n++] = 0x83;
        h[n++] = (uint8_t)(len >> 16);
        h[n++] = (uint8_t)(len >> 8);
        h[n++] = (uint8_t)len;
    } else {
        return -1;
    }
    return pkiws__buf_append(b, h, n) ? -1 : 0;
}

static size_t tl_size(size_t len)
{
    return 1 + (len < 0x80 ? 1 : len < 0x100 ? 2 : len < 0x10000 ? 3 : 4);
}

int sim_san_add_text(sim_san_list *l, int tag, const char *text)
{
    size_t n = strlen(text);
    if (put_tl(&l->items, (unsigned)tag, n) || pkiws__buf_append(&l->items, text, n))
        return -1;
    return 0;
}

int sim_san_add_ip4(sim_san_list *l, const uint8_t ip[4])
{
    if (put_tl(&l->items, 0x87, 4) || pkiws__buf_append(&l->items, ip, 4))
        return -1;
    return 0;
}

int sim_san_add_othername(sim_san_list *l, const uint8_t *oid, size_t oid_len, const uint8_t *value,
                          size_t value_len)
{
    /* otherName [0] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT ANY } */
    size_t inner = tl_size(oid_len) + oid_len + tl_size(value_len) + value_len;
    if (put_tl(&l->items, 0xA0, inner) || put_tl(&l->items, 0x06, oid_len) ||
        pkiws__buf_append(&l->items, oid, oid_len) || put_tl(&l->items, 0xA0, value_len) ||
        pkiws__buf_append(&l->items, value, value_len))
        return -1;
    return 0;
}

int sim_san_finish(sim_san_list *l, pkiws_buf *out)
{
    pkiws__buf_clear(out);
    if (put_tl(out, 0x30, l->items.len) ||
        (l->items.len && pkiws__buf_append(out, l->items.data, l->items.len)))
        return -1;
    return 0;
}

static size_t tlv_len(const uint8_t *p, size_t n, int depth)
{
    unsigned char *q = (unsigned char *)(uintptr_t)p, *end = q + n;
    if (n < 2 || depth > 32)
        return 0;
    /* Low tag numbers only (single-byte identifiers), definite lengths only. */
    if ((q[0] & 0x1F) == 0x1F)
        return 0;
    q++;
    size_t len;
    if (mbedtls_asn1_get_len(&q, end, &len) != 0)
        return 0;
    /* Constructed values must themselves be sequences of complete TLVs. */
    if (p[0] & 0x20) {
        const uint8_t *c = q, *ce = q + len;
        while (c < ce) {
            size_t m = tlv_len(c, (size_t)(ce - c), depth + 1);
            if (!m)
                return 0;
            c += m;
        }
    }
    return (size_t)(q - p) + len;
}

size_t sim_der_tlv_len(const uint8_t *p, size_t n)
{
    return tlv_len(p, n, 0);
}
