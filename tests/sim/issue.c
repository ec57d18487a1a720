/* SPDX-License-Identifier: MIT */
/* Issuance as the service does it: the certificate comes from the profile template and the
 * nameValuePairs (not from the CSR's subject); requests that break the template are refused
 * with faults worded like the service's. */
#include "sim.h"

#include <time.h>

#include "core/san_int.h"

#define POLICY_FAILED "Policy Verification failed. "

/* ---- CSR ---- */

int sim_csr_parse(const char *text, sim_csr *out, sim_error *e)
{
    memset(out, 0, sizeof *out);
    mbedtls_x509_csr_init(&out->csr);
    size_t tl;
    const char *t = pkiws__trim(text, strlen(text), &tl);
    int ret;
    if (tl == 0)
        return sim_err(e, SIM_EC_BAD_CSR, "Invalid CSR: the binarySecurityToken is empty");
    if (tl > 10 && !memcmp(t, "-----BEGIN", 10)) {
        char *pem = pkiws__strndup(t, tl); /* NUL-terminated; mbedtls counts the NUL */
        if (!pem)
            return sim_err(e, SIM_EC_BAD_CSR, "out of memory");
        ret = mbedtls_x509_csr_parse(&out->csr, (const unsigned char *)pem, tl + 1);
        pkiws__free(pem);
    } else {
        pkiws_buf der = PKIWS_BUF_INIT;
        if (pkiws__b64_decode(t, tl, &der) != PKIWS_OK) {
            pkiws__buf_dispose(&der);
            return sim_err(e, SIM_EC_BAD_CSR,
                           "Invalid CSR: the token is neither PEM nor base64: %s",
                           pkiws__err_message());
        }
        ret = mbedtls_x509_csr_parse_der(&out->csr, der.data, der.len);
        pkiws__buf_dispose(&der);
    }
    if (ret != 0) {
        char m[128];
        mbedtls_strerror(ret, m, sizeof m);
        return sim_err(e, SIM_EC_BAD_CSR, "Invalid CSR: not a PKCS#10 request: %s (-0x%04X)", m,
                       (unsigned)-ret);
    }
    /* Proof of possession: the request must be signed by the key it carries. */
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(out->csr.sig_md);
    unsigned char hash[MBEDTLS_MD_MAX_SIZE];
    if (!md || mbedtls_md(md, out->csr.cri.p, out->csr.cri.len, hash) != 0)
        return sim_err(e, SIM_EC_BAD_CSR, "Invalid CSR: unsupported signature algorithm");
    ret = mbedtls_pk_verify_ext(out->csr.sig_pk, out->csr.sig_opts, &out->csr.pk, out->csr.sig_md,
                                hash, mbedtls_md_get_size(md), out->csr.sig.p, out->csr.sig.len);
    if (ret != 0)
        return sim_err(e, SIM_EC_BAD_CSR,
                       "Invalid CSR: the signature does not verify with the request's public key");
    unsigned char pub[2048];
    int pl = mbedtls_pk_write_pubkey_der(&out->csr.pk, pub, sizeof pub);
    if (pl <= 0)
        return sim_err(e, SIM_EC_BAD_CSR, "Invalid CSR: unusable public key");
    mbedtls_sha256_ret(pub + sizeof pub - (size_t)pl, (size_t)pl, out->key_hash, 0);
    out->der = pkiws__memdup(out->csr.raw.p, out->csr.raw.len);
    out->der_len = out->csr.raw.len;
    return out->der ? 0 : sim_err(e, SIM_EC_BAD_CSR, "out of memory");
}

void sim_csr_free(sim_csr *c)
{
    mbedtls_x509_csr_free(&c->csr);
    pkiws__free(c->der);
    c->der = NULL;
}

/* ---- value checks ---- */

static size_t cp_count(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}

/* E-mail shaped per product.md §5 (the library's definition, so that pre-flight and the
 * simulator agree exactly: exactly one '@', a non-empty local part without white space or
 * control characters, a domain of two or more labels of ASCII letters, digits and inner
 * hyphens); ia5: ASCII only too, for rfc822Name and emailAddress (IA5String). */
static int email_shaped(const char *s, int ia5, const char **why)
{
    if ((*why = pkiws__san_email_why(s)) != NULL)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; ia5 && *p; p++)
        if (*p >= 0x80) {
            *why = "it has non-ASCII characters (an IA5String cannot hold them)";
            return 0;
        }
    return 1;
}

/* mail_firstname / mail_lastname: letters of any script, digits, space, '.', '-', '\'' (the
 * library's table of letters, so that pre-flight and the simulator agree exactly). Returns 1,
 * or 0 with the offending code point and its character position. */
static int name_ok(const char *s, uint32_t *bad, size_t *pos)
{
    return pkiws__san_name_chars_find(s, bad, pos);
}

static int hostname_ok(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 253)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.' || (*p == '*' && p == s)))
            return 0;
    return 1;
}

/* ---- DN attribute types ---- */

static const struct {
    const char *rdn;
    const char *oid;
    size_t oid_len;
    int tag;
    size_t max; /* upper bound in characters (RFC 5280 Appendix A ub-*) */
} rdns[] = {
    {"CN", "\x55\x04\x03", 3, MBEDTLS_ASN1_UTF8_STRING, 64},
    {"E", "\x2A\x86\x48\x86\xF7\x0D\x01\x09\x01", 9, MBEDTLS_ASN1_IA5_STRING, 255},
    {"O", "\x55\x04\x0A", 3, MBEDTLS_ASN1_UTF8_STRING, 64},
    {"OU", "\x55\x04\x0B", 3, MBEDTLS_ASN1_UTF8_STRING, 64},
    {"L", "\x55\x04\x07", 3, MBEDTLS_ASN1_UTF8_STRING, 128},
    {"ST", "\x55\x04\x08", 3, MBEDTLS_ASN1_UTF8_STRING, 128},
    {"C", "\x55\x04\x06", 3, MBEDTLS_ASN1_PRINTABLE_STRING, 2},
    {"GN", "\x55\x04\x2A", 3, MBEDTLS_ASN1_UTF8_STRING, 32768}, /* X520name: ub-name */
    {"SN", "\x55\x04\x04", 3, MBEDTLS_ASN1_UTF8_STRING, 32768},
};

static int rdn_index(const char *rdn)
{
    for (size_t i = 0; rdn && i < PKIWS_ARRAY_LEN(rdns); i++)
        if (pkiws__strcaseeq(rdn, rdns[i].rdn))
            return (int)i;
    return -1;
}

/* ---- the issuance plan ---- */

#define MAX_DN 32

typedef struct plan {
    sim_dn_part dn[MAX_DN];
    size_t ndn;
    sim_san_list san;
    size_t nsan;
    const char *seat, *cn, *email, *san_email, *upn;
} plan;

static int add_dn(plan *pl, int ri, const char *value, const char *attr, sim_error *e)
{
    if (pl->ndn >= MAX_DN)
        return sim_err(e, SIM_EC_BAD_VALUE, "too many subject attributes");
    char clip[120];
    size_t n = cp_count(value);
    if (n > rdns[ri].max)
        return sim_err(e, SIM_EC_BAD_VALUE,
                       "Invalid value of attribute %s: '%s' has %zu characters; the subject %s "
                       "allows at most %zu",
                       attr, sim_clip(value, 100, clip, sizeof clip), n, rdns[ri].rdn,
                       rdns[ri].max);
    if (rdns[ri].tag == MBEDTLS_ASN1_PRINTABLE_STRING) {
        for (const char *p = value; *p; p++)
            if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
                return sim_err(e, SIM_EC_BAD_VALUE,
                               "Invalid value of attribute %s: '%s' is not a two-letter country "
                               "code",
                               attr, sim_clip(value, 100, clip, sizeof clip));
        if (n != 2)
            return sim_err(e, SIM_EC_BAD_VALUE,
                           "Invalid value of attribute %s: '%s' is not a two-letter country code",
                           attr, sim_clip(value, 100, clip, sizeof clip));
    }
    pl->dn[pl->ndn].oid = rdns[ri].oid;
    pl->dn[pl->ndn].oid_len = rdns[ri].oid_len;
    pl->dn[pl->ndn].tag = rdns[ri].tag;
    pl->dn[pl->ndn].value = value;
    pl->ndn++;
    return 0;
}

/*
 * The key against the template, by the rule of the library's pre-flight (pkiws__verify_key),
 * written out again here: the template's algorithm is EC for id-ecPublicKey, RSA for
 * rsaEncryption, any other OID allows neither; without algorithmOIDReference the keysize says
 * (256, 384, 521: EC; another size: RSA; 0: any). EC: the curve must be the keysize (P-256 or
 * P-384 only; any of the two without a keysize). RSA: at least the keysize, and 2048 bits.
 */
#define SIM_OID_RSA "1.2.840.113549.1.1.1"

static int key_check(const pkiws__template *t, mbedtls_pk_context *pk, sim_error *e)
{
    mbedtls_pk_type_t type = mbedtls_pk_get_type(pk);
    size_t bits = mbedtls_pk_get_bitlen(pk);
    unsigned size = t->key_size;
    enum { ANY, RSA, EC, OTHER } want;
    if (t->key_is_ec)
        want = EC;
    else if (t->key_alg_oid && t->key_alg_oid[0])
        want = strcmp(t->key_alg_oid, SIM_OID_RSA) ? OTHER : RSA;
    else if (size == 256 || size == 384 || size == 521)
        want = EC;
    else
        want = size ? RSA : ANY;
    int is_rsa = type == MBEDTLS_PK_RSA,
        is_ec = type == MBEDTLS_PK_ECKEY || type == MBEDTLS_PK_ECDSA;
    if (!is_rsa && !is_ec)
        return sim_err(e, SIM_EC_KEY, "The CSR carries neither an RSA nor an EC key");
    if (want == OTHER)
        return sim_err(e, SIM_EC_KEY,
                       "The key algorithm does not match the certificate profile: the profile "
                       "wants %s, the CSR has %s",
                       t->key_alg_oid, is_rsa ? "RSA" : "an EC key");
    if (is_rsa) {
        if (want == EC)
            return sim_err(e, SIM_EC_KEY,
                           "The key algorithm does not match the certificate profile: the "
                           "profile wants an EC key, the CSR has RSA-%zu",
                           bits);
        size_t min = want == RSA && size > 2048 ? size : 2048;
        if (bits < min)
            return sim_err(e, SIM_EC_KEY,
                           "The key size does not match the certificate profile: RSA-%zu is "
                           "below the profile's %zu bits",
                           bits, min);
        return 0;
    }
    if (want == RSA)
        return sim_err(e, SIM_EC_KEY,
                       "The key algorithm does not match the certificate profile: the "
                       "profile wants RSA (%u bits), the CSR has an EC key",
                       size ? size : 2048);
    mbedtls_ecp_group_id g = mbedtls_pk_ec(*pk)->grp.id;
    if (g != MBEDTLS_ECP_DP_SECP256R1 && g != MBEDTLS_ECP_DP_SECP384R1)
        return sim_err(e, SIM_EC_KEY, "The EC curve of the CSR is not P-256 or P-384");
    if (want == EC && size && size != bits)
        return sim_err(e, SIM_EC_KEY,
                       "The key size does not match the certificate profile: P-%zu instead "
                       "of P-%u",
                       bits, size);
    return 0;
}

/* A CN attribute that takes the e-mail address: its sourceAttributeName is an e-mail attribute
 * by the alias table (mail_email, emailAddress, mail, san_email, rfc822Name, UPN names). */
static int is_email_cn(const pkiws__tpl_attr *a)
{
    if (!a->source_attr)
        return 0;
    int r = pkiws__role_from_type(NULL, a->source_attr);
    return r == PKIWS__ROLE_SUBJECT_EMAIL || r == PKIWS__ROLE_SAN_EMAIL || r == PKIWS__ROLE_SAN_UPN;
}

/* One template attribute with its value: check it and put it in the subject or the SAN. */
static int place(const pkiws__tpl_attr *a, const char *v, plan *pl, sim_error *e)
{
    char clip[120];
    const char *why;
    switch (a->role) {
    case PKIWS__ROLE_CN:
        if (is_email_cn(a) && !email_shaped(v, 0, &why))
            return sim_err(e, SIM_EC_BAD_VALUE,
                           "Invalid value of attribute %s: the profile puts the e-mail address in "
                           "the common name, and '%s' is not one: %s",
                           a->name, sim_clip(v, 100, clip, sizeof clip), why);
        if (!pl->cn)
            pl->cn = v;
        return add_dn(pl, rdn_index("CN"), v, a->name, e);
    case PKIWS__ROLE_SUBJECT_EMAIL:
        if (!email_shaped(v, 1, &why))
            return sim_err(e, SIM_EC_BAD_VALUE,
                           "Invalid value of attribute %s: '%s' is not an e-mail address: %s",
                           a->name, sim_clip(v, 100, clip, sizeof clip), why);
        if (!pl->email)
            pl->email = v;
        return add_dn(pl, rdn_index("E"), v, a->name, e);
    case PKIWS__ROLE_SUBJECT_OTHER: {
        int ri = rdn_index(a->rdn);
        return ri < 0 ? 0 : add_dn(pl, ri, v, a->name, e);
    }
    case PKIWS__ROLE_GIVEN_NAME:
    case PKIWS__ROLE_FAMILY_NAME: {
        uint32_t bad;
        size_t pos;
        if (!name_ok(v, &bad, &pos)) {
            char shown[8] = "?";
            pkiws_buf b = PKIWS_BUF_INIT;
            if (bad >= 0x20 && bad != 0x7F && pkiws__utf8_put(&b, bad) == PKIWS_OK && b.len < 8)
                memcpy(shown, b.data, b.len + 1);
            pkiws__buf_dispose(&b);
            return sim_err(e, SIM_EC_SPECIAL_CHARS,
                           "Special characters are not supported in %s: '%s' (U+%04X) at "
                           "position %zu of '%s'; allowed are letters, digits, space, '.', '-' "
                           "and '''",
                           a->name, shown, (unsigned)bad, pos, sim_clip(v, 100, clip, sizeof clip));
        }
        if (a->in_san)
            return 0;
        return add_dn(pl, rdn_index(a->role == PKIWS__ROLE_GIVEN_NAME ? "GN" : "SN"), v, a->name,
                      e);
    }
    case PKIWS__ROLE_SAN_EMAIL:
        if (!email_shaped(v, 1, &why))
            return sim_err(e, SIM_EC_BAD_VALUE,
                           "Invalid value of attribute %s: '%s' is not an rfc822Name: %s", a->name,
                           sim_clip(v, 100, clip, sizeof clip), why);
        if (!pl->san_email)
            pl->san_email = v;
        pl->nsan++;
        return sim_san_add_text(&pl->san, 0x81, v) ? sim_err(e, SIM_EC_BAD_VALUE, "out of memory")
                                                   : 0;
    case PKIWS__ROLE_SAN_UPN: {
        if (!email_shaped(v, 0, &why))
            return sim_err(e, SIM_EC_BAD_VALUE,
                           "Invalid value of attribute %s: '%s' is not a user principal name "
                           "(user@suffix): %s",
                           a->name, sim_clip(v, 100, clip, sizeof clip), why);
        if (!pl->upn)
            pl->upn = v;
        /* otherName 1.3.6.1.4.1.311.20.2.3 with a UTF8String */
        static const uint8_t upn_oid[] = {0x2B, 0x06, 0x01, 0x04, 0x01,
                                          0x82, 0x37, 0x14, 0x02, 0x03};
        pkiws_buf val = PKIWS_BUF_INIT;
        size_t n = strlen(v);
        uint8_t hdr[5] = {0x0C, 0, 0, 0, 0};
        size_t hl = 2;
        if (n < 0x80) {
            hdr[1] = (uint8_t)n;
        } else {
            /* long form: as many length bytes as n needs (the request is at most 1 MiB) */
            size_t nb = n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
            hdr[1] = (uint8_t)(0x80 | nb);
            for (size_t k = 0; k < nb; k++)
                hdr[2 + k] = (uint8_t)(n >> (8 * (nb - 1 - k)));
            hl = 2 + nb;
        }
        pkiws__buf_append(&val, hdr, hl);
        pkiws__buf_append(&val, v, n);
        int rc = pkiws__buf_status(&val) ||
                 sim_san_add_othername(&pl->san, upn_oid, sizeof upn_oid, val.data, val.len);
        pkiws__buf_dispose(&val);
        pl->nsan++;
        return rc ? sim_err(e, SIM_EC_BAD_VALUE, "out of memory") : 0;
    }
    case PKIWS__ROLE_SAN_OTHERNAME: {
        /* The value is base64 of the DER value (the connector base64-encodes the hex). */
        pkiws_buf der = PKIWS_BUF_INIT, oid = PKIWS_BUF_INIT;
        int rc = 0;
        if (pkiws__b64_decode(v, strlen(v), &der) != PKIWS_OK || der.len == 0) {
            rc = sim_err(e, SIM_EC_BAD_VALUE,
                         "Invalid value of attribute %s: the otherName value must be base64 of "
                         "DER: %s",
                         a->name, der.len ? pkiws__err_message() : "it is empty");
        } else if (sim_der_tlv_len(der.data, der.len) != der.len) {
            rc = sim_err(e, SIM_EC_BAD_VALUE,
                         "Invalid value of attribute %s: the %zu bytes decoded from base64 are "
                         "not one DER value (tag, length, contents)",
                         a->name, der.len);
        } else if (pkiws__oid_encode(a->othername_oid, &oid) != PKIWS_OK ||
                   sim_san_add_othername(&pl->san, oid.data, oid.len, der.data, der.len)) {
            rc = sim_err(e, SIM_EC_BAD_VALUE, "cannot encode the otherName of %s", a->name);
        }
        pkiws__buf_dispose(&der);
        pkiws__buf_dispose(&oid);
        pl->nsan++;
        return rc;
    }
    case PKIWS__ROLE_SAN_DNS:
        if (!hostname_ok(v))
            return sim_err(e, SIM_EC_BAD_VALUE,
                           "Invalid value of attribute %s: '%s' is not a DNS name", a->name,
                           sim_clip(v, 100, clip, sizeof clip));
        pl->nsan++;
        return sim_san_add_text(&pl->san, 0x82, v) ? sim_err(e, SIM_EC_BAD_VALUE, "out of memory")
                                                   : 0;
    case PKIWS__ROLE_SEAT_ID:
        if (!pl->seat)
            pl->seat = v;
        return 0;
    default:
        return 0; /* an attribute without a place in the certificate (e.g. a form field) */
    }
}

static char *dup_or_null(const char *s)
{
    return s ? pkiws__strdup(s) : NULL;
}

int sim_issue(sim_server *srv, const sim_profile *p, sim_csr *csr, const sim_nvp *nvps,
              size_t nnvps, int dry_run, sim_issued *out, sim_error *e)
{
    const pkiws__template *t = p->tpl;
    memset(out, 0, sizeof *out);
    if (key_check(t, &csr->csr.pk, e))
        return -1;

    const char **values = pkiws__calloc(t->nattrs ? t->nattrs : 1, sizeof *values);
    plan pl;
    memset(&pl, 0, sizeof pl);
    pkiws_buf san = PKIWS_BUF_INIT;
    int rc = -1;
    char clip[120];
    if (!values) {
        sim_err(e, SIM_EC_BAD_VALUE, "out of memory");
        goto out;
    }
    /* Every nameValuePair must be an attribute of the template (or its seat). */
    for (size_t i = 0; i < nnvps; i++) {
        const char *name = nvps[i].name, *value = nvps[i].value;
        size_t k;
        for (k = 0; k < t->nattrs; k++)
            if (pkiws__strcaseeq(t->attrs[k].name, name))
                break;
        if (k < t->nattrs) {
            if (values[k]) {
                sim_err(e, SIM_EC_POLICY_ATTR,
                        POLICY_FAILED "Attribute %s is given more than once.",
                        sim_clip(name, 100, clip, sizeof clip));
                goto out;
            }
            values[k] = value && *value ? value : NULL;
            continue;
        }
        if (t->seat_attr && pkiws__strcaseeq(t->seat_attr, name)) {
            if (value && *value)
                pl.seat = value;
            continue;
        }
        sim_err(e, SIM_EC_POLICY_ATTR,
                POLICY_FAILED "Attribute does not fall under Symantec supported Certificate "
                              "template attributes list: %s",
                sim_clip(name, 100, clip, sizeof clip));
        goto out;
    }
    for (size_t k = 0; k < t->nattrs; k++) {
        const pkiws__tpl_attr *a = &t->attrs[k];
        const char *v = values[k];
        if (v && a->fixed_value && strcmp(v, a->fixed_value) != 0) {
            char c2[120];
            sim_err(e, SIM_EC_BAD_VALUE,
                    POLICY_FAILED "Attribute %s has the fixed value '%s' in the certificate "
                                  "template; '%s' was sent.",
                    a->name, sim_clip(a->fixed_value, 100, clip, sizeof clip),
                    sim_clip(v, 100, c2, sizeof c2));
            goto out;
        }
        if (!v)
            v = a->fixed_value;
        if (!v) {
            if (a->mandatory) {
                sim_err(e, SIM_EC_POLICY_MANDATORY,
                        POLICY_FAILED "Mandatory attribute %s is missing.", a->name);
                goto out;
            }
            continue;
        }
        if (place(a, v, &pl, e))
            goto out;
    }
    if (!pl.seat && p->seat_mandatory) {
        sim_err(e, SIM_EC_POLICY_MANDATORY, POLICY_FAILED "Mandatory attribute %s is missing.",
                t->seat_attr ? t->seat_attr : "seat_id");
        goto out;
    }
    if (pl.ndn == 0 && pl.nsan == 0) {
        sim_err(e, SIM_EC_POLICY_MANDATORY,
                POLICY_FAILED "The request gives neither a subject attribute nor a subject "
                              "alternative name.");
        goto out;
    }
    if (sim_san_finish(&pl.san, &san)) {
        sim_err(e, SIM_EC_BAD_VALUE, "out of memory");
        goto out;
    }
    if (dry_run) {
        rc = 0;
        goto out;
    }

    int64_t now = (int64_t)time(NULL);
    int64_t ca_end = sim_x509_time(&srv->pki.issuing.valid_to);
    unsigned days = t->validity_days ? t->validity_days : 365;
    sim_certspec s = {0};
    s.subject = pl.dn;
    s.nsubject = pl.ndn;
    s.issuer_crt = &srv->pki.issuing;
    s.issuer_key = &srv->pki.issuing_key;
    s.subject_key = &csr->csr.pk;
    s.not_before = now - 300;
    s.not_after = now + (int64_t)days * 86400;
    if (s.not_after > ca_end)
        s.not_after = ca_end;
    int is_rsa = mbedtls_pk_get_type(&csr->csr.pk) == MBEDTLS_PK_RSA;
    s.key_usage =
        MBEDTLS_X509_KU_DIGITAL_SIGNATURE | (is_rsa ? MBEDTLS_X509_KU_KEY_ENCIPHERMENT : 0);
    static const char *const client_auth[] = {"1.3.6.1.5.5.7.3.2"};
    s.eku = t->n_fixed_eku ? (const char *const *)t->fixed_eku_oids : client_auth;
    s.neku = t->n_fixed_eku ? t->n_fixed_eku : 1;
    if (pl.nsan) {
        s.san_der = san.data;
        s.san_len = san.len;
        s.san_critical = pl.ndn == 0; /* RFC 5280 §4.2.1.6 */
    }
    s.policy_oid = p->oid;
    pkiws_buf der = PKIWS_BUF_INIT;
    if (sim_cert_build(srv, &s, &der, out->serial)) {
        pkiws__buf_dispose(&der);
        sim_err(e, SIM_EC_BAD_VALUE, "the certificate could not be signed");
        goto out;
    }
    out->der = pkiws__buf_detach(&der, &out->der_len);
    const char *seat = pl.seat ? pl.seat : pl.cn ? pl.cn : pl.email ? pl.email : pl.upn;
    out->seat = dup_or_null(seat ? seat : "");
    out->cn = dup_or_null(pl.cn ? pl.cn : "");
    out->email = dup_or_null(pl.email ? pl.email : pl.san_email);
    out->profile_oid = dup_or_null(p->oid);
    out->not_before = s.not_before;
    out->not_after = s.not_after;
    out->status = SIM_VALID;
    if (!out->der || !out->seat || !out->cn || !out->profile_oid) {
        sim_issued_dispose(out);
        sim_err(e, SIM_EC_BAD_VALUE, "out of memory");
        goto out;
    }
    rc = 0;
out:
    pkiws__free(values);
    pkiws__buf_dispose(&pl.san.items);
    pkiws__buf_dispose(&san);
    return rc;
}
