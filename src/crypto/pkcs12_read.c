/* SPDX-License-Identifier: MIT */
/* PKCS#12 (PFX) reader: MAC check, AuthenticatedSafe, key and certificate bags, leaf choice. */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

#include <stdio.h>

static const uint8_t oid_data[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
static const uint8_t oid_signed_data[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};
static const uint8_t oid_encrypted_data[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06};
/* pkcs-12 bag types: this prefix + 1 keyBag, 2 pkcs8ShroudedKeyBag, 3 certBag, 6 safeContents */
static const uint8_t oid_bag_types[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01};
static const uint8_t oid_x509_cert[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x16, 0x01};
static const uint8_t oid_friendly_name[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x14};
static const uint8_t oid_local_key_id[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x15};
static const uint8_t oid_sha1[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};
static const uint8_t oid_sha2[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02}; /* + 1..4 */

#define MAX_DEPTH 3   /* nested safeContentsBag */
#define KEY_ID_MAX 64 /* bytes of localKeyID kept for leaf matching */
#define MAC_SALT_MAX 1024

typedef struct cert_meta {
    uint8_t key_id[KEY_ID_MAX];
    size_t key_id_len;
    char *friendly_name;
} cert_meta;

/* A key bag's key and what came with it. */
typedef struct key_ent {
    pkiws__key *key;
    char alg[64];
    char *friendly_name;
    uint8_t key_id[KEY_ID_MAX];
    size_t key_id_len;
} key_ent;

/* Reader state. */
typedef struct rd {
    const char *password; /* the form that passed the MAC (NULL = absent) */
    pkiws__pfx_contents *out;
    pkiws__certlist certs;
    cert_meta *meta; /* parallel to certs */
    size_t meta_cap;
    size_t nbags;
    key_ent *keys; /* every key bag, in order */
    size_t nkeys, keys_cap;
    uint8_t key_id[KEY_ID_MAX]; /* localKeyID of the key chosen */
    size_t key_id_len;
    const pkiws__pfx_derived *known;  /* keys the writer derived (self-check), or NULL */
    const pkiws__cert *const *kcerts; /* certificates the writer wrote (self-check) */
    size_t nkcerts;
    pkiws_buf *key_plain; /* the first shrouded key bag's plaintext goes here (self-check) */
} rd;

static int oid_is(const pkiws__pfx_der *o, const uint8_t *oid, size_t n)
{
    return (size_t)(o->end - o->p) == n && memcmp(o->p, oid, n) == 0;
}

static size_t der_len(const pkiws__pfx_der *d)
{
    return (size_t)(d->end - d->p);
}

/* Dotted text of an OID for messages. */
static const char *oid_text(const pkiws__pfx_der *o, char *buf, size_t cap)
{
    pkiws_buf t = PKIWS_BUF_INIT;
    if (der_len(o) && pkiws__oid_decode(o->p, der_len(o), &t) == PKIWS_OK && t.len)
        snprintf(buf, cap, "%s", (const char *)t.data);
    else
        snprintf(buf, cap, "(undecodable OID)");
    pkiws__buf_dispose(&t);
    return buf;
}

/* BMPString (or UTF8String) content to UTF-8: bad UTF-16 and NULs become U+FFFD, trailing NULs
 * are dropped. */
static char *name_to_utf8(int tag, const uint8_t *p, size_t n)
{
    pkiws_buf b = PKIWS_BUF_INIT;
    if (tag == 0x0C) {
        if (pkiws__utf8_valid((const char *)p, n, NULL) && !memchr(p, 0, n))
            pkiws__buf_append(&b, p, n);
        else
            pkiws__utf8_put(&b, 0xFFFD);
    } else {
        n &= ~(size_t)1;
        while (n >= 2 && p[n - 2] == 0 && p[n - 1] == 0)
            n -= 2;
        for (size_t i = 0; i < n; i += 2) {
            uint32_t u = (uint32_t)p[i] << 8 | p[i + 1];
            if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
                uint32_t lo = (uint32_t)p[i + 2] << 8 | p[i + 3];
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    pkiws__utf8_put(&b, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                    i += 2;
                    continue;
                }
            }
            if (u == 0 || (u >= 0xD800 && u <= 0xDFFF))
                u = 0xFFFD;
            pkiws__utf8_put(&b, u);
        }
    }
    if (pkiws__buf_status(&b)) {
        pkiws__buf_dispose(&b);
        return NULL;
    }
    if (!b.data)
        return pkiws__strdup("");
    return (char *)pkiws__buf_detach(&b, NULL);
}

/* Bag attributes: friendlyName and localKeyID (first value of each); others ignored. */
static int read_attrs(pkiws__pfx_der *set, char **fname, uint8_t *key_id, size_t *key_id_len)
{
    int rc;
    while (pkiws__pfx_der_peek(set) >= 0) {
        pkiws__pfx_der attr, type, values;
        if ((rc = pkiws__pfx_der_get(set, 0x30, "bag Attribute", &attr)) ||
            (rc = pkiws__pfx_der_get(&attr, 0x06, "bag attribute type", &type)) ||
            (rc = pkiws__pfx_der_get(&attr, 0x31, "bag attribute values (SET)", &values)) ||
            (rc = pkiws__pfx_der_done(&attr, "bag Attribute")))
            return rc;
        int tag = pkiws__pfx_der_peek(&values);
        pkiws__pfx_der v;
        if (oid_is(&type, oid_friendly_name, sizeof oid_friendly_name) && !*fname &&
            (tag == 0x1E || tag == 0x0C)) {
            if ((rc = pkiws__pfx_der_get(&values, (uint8_t)tag, "friendlyName value", &v)))
                return rc;
            *fname = name_to_utf8(tag, v.p, der_len(&v));
            if (!*fname)
                return pkiws__fail(PKIWS_E_NOMEM, "out of memory reading a friendlyName");
        } else if (oid_is(&type, oid_local_key_id, sizeof oid_local_key_id) && tag == 0x04) {
            if ((rc = pkiws__pfx_der_get(&values, 0x04, "localKeyID value", &v)))
                return rc;
            size_t n = der_len(&v);
            *key_id_len = n <= KEY_ID_MAX ? n : 0;
            if (n <= KEY_ID_MAX)
                memcpy(key_id, v.p, n);
        }
    }
    return PKIWS_OK;
}

/* Every key is kept: which one is used is decided once all bags are read (select_contents()). */
static int add_key(rd *r, const uint8_t *der, size_t n, const char *alg, char **fname,
                   const uint8_t *key_id, size_t key_id_len)
{
    if (r->nkeys == r->keys_cap) {
        size_t cap = r->keys_cap ? r->keys_cap * 2 : 2;
        key_ent *k = pkiws__realloc(r->keys, cap * sizeof *k);
        if (!k)
            return pkiws__fail(PKIWS_E_NOMEM, "out of memory reading a PFX");
        r->keys = k;
        r->keys_cap = cap;
    }
    key_ent *e = &r->keys[r->nkeys];
    memset(e, 0, sizeof *e);
    int rc = pkiws__key_parse(der, n, NULL, &e->key);
    if (rc)
        return pkiws__fail_context(rc, "PFX key bag %zu", r->nkeys + 1);
    snprintf(e->alg, sizeof e->alg, "%s", alg);
    e->friendly_name = *fname;
    *fname = NULL;
    memcpy(e->key_id, key_id, key_id_len);
    e->key_id_len = key_id_len;
    r->nkeys++;
    return PKIWS_OK;
}

static int add_cert(rd *r, const uint8_t *der, size_t n, const char *alg, char **fname,
                    const uint8_t *key_id, size_t key_id_len)
{
    pkiws__cert *c = NULL;
    for (size_t i = 0; i < r->nkcerts && !c; i++) {
        size_t kl;
        const uint8_t *kd = pkiws__cert_der(r->kcerts[i], &kl);
        if (kd && kl == n && memcmp(kd, der, n) == 0)
            c = pkiws__cert_ref(r->kcerts[i]); /* the same bytes, already parsed */
    }
    int rc = c ? PKIWS_OK : pkiws__cert_from_der(der, n, &c);
    if (rc)
        return pkiws__fail_context(rc, "PFX certificate bag %zu", r->nbags);
    if (r->certs.n == r->meta_cap) {
        size_t cap = r->meta_cap ? r->meta_cap * 2 : 4;
        cert_meta *m = pkiws__realloc(r->meta, cap * sizeof *m);
        if (!m) {
            pkiws__cert_free(c);
            return pkiws__fail(PKIWS_E_NOMEM, "out of memory reading a PFX");
        }
        r->meta = m;
        r->meta_cap = cap;
    }
    cert_meta *m = &r->meta[r->certs.n];
    if ((rc = pkiws__certlist_add(&r->certs, c)))
        return rc;
    memcpy(m->key_id, key_id, key_id_len);
    m->key_id_len = key_id_len;
    m->friendly_name = *fname;
    *fname = NULL;
    if (r->certs.n == 1)
        snprintf(r->out->cert_bag_alg, sizeof r->out->cert_bag_alg, "%s", alg);
    return PKIWS_OK;
}

static int read_safe_contents(rd *r, const uint8_t *p, size_t n, const char *where, const char *alg,
                              int depth);

/* One SafeBag. */
static int read_bag(rd *r, pkiws__pfx_der *bag, const char *alg, int depth)
{
    pkiws__pfx_der type, value, set;
    int rc;
    if ((rc = pkiws__pfx_der_get(bag, 0x06, "SafeBag.bagId", &type)) ||
        (rc = pkiws__pfx_der_get(bag, 0xA0, "SafeBag.bagValue", &value)))
        return rc;
    char *fname = NULL;
    uint8_t key_id[KEY_ID_MAX];
    size_t key_id_len = 0;
    if (pkiws__pfx_der_peek(bag) == 0x31) {
        if ((rc = pkiws__pfx_der_get(bag, 0x31, "SafeBag.bagAttributes", &set)) ||
            (rc = read_attrs(&set, &fname, key_id, &key_id_len))) {
            pkiws__free(fname);
            return rc;
        }
    }
    if ((rc = pkiws__pfx_der_done(bag, "SafeBag"))) {
        pkiws__free(fname);
        return rc;
    }
    int kind = 0;
    if (der_len(&type) == sizeof oid_bag_types + 1 &&
        memcmp(type.p, oid_bag_types, sizeof oid_bag_types) == 0)
        kind = type.p[sizeof oid_bag_types];
    const uint8_t *vstart = value.p;
    switch (kind) {
    case 1: { /* keyBag: PrivateKeyInfo */
        if ((rc = pkiws__pfx_der_get(&value, 0x30, "keyBag PrivateKeyInfo", NULL)) ||
            (rc = pkiws__pfx_der_done(&value, "keyBag")))
            break;
        rc = add_key(r, vstart, (size_t)(value.p - vstart), alg, &fname, key_id, key_id_len);
        break;
    }
    case 2: { /* pkcs8ShroudedKeyBag: EncryptedPrivateKeyInfo { alg, OCTET STRING } */
        pkiws__pfx_der epki, ct;
        if ((rc = pkiws__pfx_der_get(&value, 0x30, "EncryptedPrivateKeyInfo", &epki)) ||
            (rc = pkiws__pfx_der_done(&value, "pkcs8ShroudedKeyBag")))
            break;
        const uint8_t *a = epki.p;
        if ((rc = pkiws__pfx_der_get(&epki, 0x30, "EncryptedPrivateKeyInfo.encryptionAlgorithm",
                                     NULL)))
            break;
        size_t alen = (size_t)(epki.p - a);
        if ((rc = pkiws__pfx_der_get(&epki, 0x04, "EncryptedPrivateKeyInfo.encryptedData", &ct)) ||
            (rc = pkiws__pfx_der_done(&epki, "EncryptedPrivateKeyInfo")))
            break;
        pkiws_buf pt = PKIWS_BUF_INIT;
        char name[64];
        rc = pkiws__pfx_pbe_decrypt_known(a, alen, r->password, r->known, ct.p, der_len(&ct), &pt,
                                          name, sizeof name);
        if (rc)
            pkiws__fail_context(rc, "PFX pkcs8ShroudedKeyBag at offset %zu of %s",
                                (size_t)(vstart - value.base), value.where);
        else
            rc = add_key(r, pt.data, pt.len, name, &fname, key_id, key_id_len);
        if (!rc && r->key_plain && !r->key_plain->len &&
            pkiws__buf_append(r->key_plain, pt.data, pt.len))
            rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory reading a PFX");
        pkiws__buf_dispose(&pt);
        break;
    }
    case 3: { /* certBag { certId, [0] EXPLICIT certValue } */
        pkiws__pfx_der cb, cid, cval, oct;
        if ((rc = pkiws__pfx_der_get(&value, 0x30, "CertBag", &cb)) ||
            (rc = pkiws__pfx_der_done(&value, "certBag")) ||
            (rc = pkiws__pfx_der_get(&cb, 0x06, "CertBag.certId", &cid)) ||
            (rc = pkiws__pfx_der_get(&cb, 0xA0, "CertBag.certValue", &cval)) ||
            (rc = pkiws__pfx_der_done(&cb, "CertBag")))
            break;
        if (!oid_is(&cid, oid_x509_cert, sizeof oid_x509_cert))
            break; /* sdsiCertificate and others: not ours */
        if ((rc = pkiws__pfx_der_get(&cval, 0x04, "x509Certificate OCTET STRING", &oct)) ||
            (rc = pkiws__pfx_der_done(&cval, "certValue")))
            break;
        rc = add_cert(r, oct.p, der_len(&oct), alg, &fname, key_id, key_id_len);
        break;
    }
    case 6: /* safeContentsBag: nested SafeContents */
        if (depth >= MAX_DEPTH) {
            rc = pkiws__fail(PKIWS_E_LIMIT,
                             "%s: safeContentsBag at offset %zu nested deeper "
                             "than %d levels",
                             value.where, (size_t)(vstart - value.base), MAX_DEPTH);
            break;
        }
        rc = read_safe_contents(r, value.p, der_len(&value), value.where, alg, depth + 1);
        break;
    default: /* crlBag, secretBag, unknown: ignored */
        break;
    }
    pkiws__free(fname);
    return rc;
}

/* SafeContents ::= SEQUENCE OF SafeBag */
static int read_safe_contents(rd *r, const uint8_t *p, size_t n, const char *where, const char *alg,
                              int depth)
{
    pkiws__pfx_der d, seq;
    pkiws__pfx_der_init(&d, p, n, where);
    int rc;
    if ((rc = pkiws__pfx_der_get(&d, 0x30, "SafeContents", &seq)) ||
        (rc = pkiws__pfx_der_done(&d, "SafeContents")))
        return rc;
    while (pkiws__pfx_der_peek(&seq) >= 0) {
        pkiws__pfx_der bag;
        if (++r->nbags > PKIWS__PFX_MAX_BAGS)
            return pkiws__fail(PKIWS_E_LIMIT, "PFX has more than %d safe bags",
                               PKIWS__PFX_MAX_BAGS);
        if ((rc = pkiws__pfx_der_get(&seq, 0x30, "SafeBag", &bag)) ||
            (rc = read_bag(r, &bag, alg, depth)))
            return rc;
    }
    return PKIWS_OK;
}

/* One ContentInfo of the AuthenticatedSafe. */
static int read_safe(rd *r, pkiws__pfx_der *ci, size_t index)
{
    pkiws__pfx_der type, ex;
    int rc;
    char where[64];
    if ((rc = pkiws__pfx_der_get(ci, 0x06, "ContentInfo.contentType", &type)))
        return rc;
    if (pkiws__pfx_der_peek(ci) < 0)
        return PKIWS_OK; /* no content */
    if ((rc = pkiws__pfx_der_get(ci, 0xA0, "ContentInfo.content", &ex)) ||
        (rc = pkiws__pfx_der_done(ci, "ContentInfo")))
        return rc;
    pkiws_buf content = PKIWS_BUF_INIT;
    content.secret = 1;
    if (oid_is(&type, oid_data, sizeof oid_data)) {
        if (!(rc = pkiws__pfx_der_get_octets(&ex, 0x04, "data content", &content)) &&
            !(rc = pkiws__pfx_der_done(&ex, "data ContentInfo"))) {
            snprintf(where, sizeof where, "SafeContents #%zu (data)", index + 1);
            rc = read_safe_contents(r, content.data, content.len, where, "none", 0);
        }
    } else if (oid_is(&type, oid_encrypted_data, sizeof oid_encrypted_data)) {
        /* EncryptedData { version, EncryptedContentInfo { type, alg, [0] IMPLICIT ct } } */
        pkiws__pfx_der ed, eci, ctype;
        uint32_t version;
        pkiws_buf ct = PKIWS_BUF_INIT;
        const uint8_t *a = NULL;
        size_t alen = 0;
        if (!(rc = pkiws__pfx_der_get(&ex, 0x30, "EncryptedData", &ed)) &&
            !(rc = pkiws__pfx_der_done(&ex, "encryptedData ContentInfo")) &&
            !(rc = pkiws__pfx_der_get_uint(&ed, "EncryptedData.version", 2, &version)) &&
            !(rc = pkiws__pfx_der_get(&ed, 0x30, "EncryptedContentInfo", &eci)) &&
            !(rc = pkiws__pfx_der_get(&eci, 0x06, "EncryptedContentInfo.contentType", &ctype))) {
            a = eci.p;
            rc = pkiws__pfx_der_get(&eci, 0x30, "EncryptedContentInfo.contentEncryptionAlgorithm",
                                    NULL);
            alen = (size_t)(eci.p - a);
        }
        if (!rc && pkiws__pfx_der_peek(&eci) >= 0 &&
            !(rc = pkiws__pfx_der_get_octets(&eci, 0x80, "EncryptedContentInfo.encryptedContent",
                                             &ct)))
            rc = pkiws__pfx_der_done(&eci, "EncryptedContentInfo");
        if (!rc && ct.len) {
            char name[64];
            rc = pkiws__pfx_pbe_decrypt_known(a, alen, r->password, r->known, ct.data, ct.len,
                                              &content, name, sizeof name);
            if (rc)
                pkiws__fail_context(rc, "PFX encryptedData #%zu", index + 1);
            snprintf(where, sizeof where, "SafeContents #%zu (decrypted)", index + 1);
            if (!rc)
                rc = read_safe_contents(r, content.data, content.len, where, name, 0);
        }
        pkiws__buf_dispose(&ct);
    } else if (oid_is(&type, oid_signed_data, sizeof oid_signed_data)) {
        rc = pkiws__fail(PKIWS_E_UNSUPPORTED,
                         "PFX AuthenticatedSafe #%zu is signedData (public-key privacy mode is "
                         "not supported)",
                         index + 1);
    } else {
        char dotted[128];
        rc = pkiws__fail(PKIWS_E_UNSUPPORTED,
                         "PFX AuthenticatedSafe #%zu has unsupported content type %s", index + 1,
                         oid_text(&type, dotted, sizeof dotted));
    }
    pkiws__buf_dispose(&content);
    return rc;
}

static int mac_md(const pkiws__pfx_der *oid, int *md, const char **name)
{
    if (oid_is(oid, oid_sha1, sizeof oid_sha1)) {
        *md = PKIWS__PFX_MD_SHA1;
        *name = "sha1";
        return 1;
    }
    if (der_len(oid) == sizeof oid_sha2 + 1 && memcmp(oid->p, oid_sha2, sizeof oid_sha2) == 0) {
        static const int mds[] = {PKIWS__PFX_MD_SHA256, PKIWS__PFX_MD_SHA384, PKIWS__PFX_MD_SHA512,
                                  PKIWS__PFX_MD_SHA224};
        static const char *const names[] = {"sha256", "sha384", "sha512", "sha224"};
        unsigned arc = oid->p[sizeof oid_sha2];
        if (arc >= 1 && arc <= 4) {
            *md = mds[arc - 1];
            *name = names[arc - 1];
            return 1;
        }
    }
    return 0;
}

/* MacData { DigestInfo { AlgId, digest }, macSalt, iterations DEFAULT 1 }: verify and choose
 * the password form (for an empty or absent password, both are tried, as OpenSSL does). */
static int verify_mac(rd *r, pkiws__pfx_der *macdata, const uint8_t *auth, size_t auth_len,
                      const char *password)
{
    pkiws__pfx_der di, alg, oid, digest, salt;
    uint32_t iter = 1;
    int rc;
    if ((rc = pkiws__pfx_der_get(macdata, 0x30, "MacData.mac (DigestInfo)", &di)) ||
        (rc = pkiws__pfx_der_get(&di, 0x30, "DigestInfo.digestAlgorithm", &alg)) ||
        (rc = pkiws__pfx_der_get(&alg, 0x06, "MAC digest OID", &oid)))
        return rc;
    if (pkiws__pfx_der_peek(&alg) == 0x05 &&
        (rc = pkiws__pfx_der_get(&alg, 0x05, "MAC digest parameters (NULL)", NULL)))
        return rc;
    if ((rc = pkiws__pfx_der_done(&alg, "DigestInfo.digestAlgorithm")) ||
        (rc = pkiws__pfx_der_get(&di, 0x04, "DigestInfo.digest", &digest)) ||
        (rc = pkiws__pfx_der_done(&di, "DigestInfo")) ||
        (rc = pkiws__pfx_der_get(macdata, 0x04, "MacData.macSalt", &salt)))
        return rc;
    if (pkiws__pfx_der_peek(macdata) == 0x02 &&
        (rc = pkiws__pfx_der_get_uint(macdata, "MacData.iterations", PKIWS__PFX_MAX_ITERATIONS,
                                      &iter)))
        return rc;
    if ((rc = pkiws__pfx_der_done(macdata, "MacData")))
        return rc;
    int md;
    const char *name;
    if (!mac_md(&oid, &md, &name)) {
        char dotted[128];
        return pkiws__fail(PKIWS_E_UNSUPPORTED, "PFX: unsupported MAC digest %s at offset %zu",
                           oid_text(&oid, dotted, sizeof dotted), pkiws__pfx_der_offset(&oid));
    }
    if (iter < 1)
        return pkiws__fail(PKIWS_E_CRYPTO, "PFX: MacData.iterations is 0");
    if (der_len(&salt) > MAC_SALT_MAX)
        return pkiws__fail(PKIWS_E_LIMIT, "PFX: MAC salt of %zu bytes (at most %d)", der_len(&salt),
                           MAC_SALT_MAX);
    snprintf(r->out->mac_alg, sizeof r->out->mac_alg, "%s", name);
    r->out->mac_iterations = iter;

    /* candidates: the password; for "" or NULL also the other form */
    const char *cand[2] = {password ? password : "", NULL};
    int ncand = (!password || !*password) ? 2 : 1;
    for (int i = 0; i < ncand; i++) {
        pkiws_buf bmp = PKIWS_BUF_INIT;
        uint8_t mac[64];
        size_t mac_len = 0;
        const pkiws__pfx_derived *kn = r->known;
        if (i == 0 && password && kn && kn->mac_md == md && kn->mac_iterations == iter &&
            kn->mac_salt_len == der_len(&salt) &&
            memcmp(kn->mac_salt, salt.p, kn->mac_salt_len) == 0)
            rc = pkiws__pfx_hmac(md, kn->mac_key, kn->mac_key_len, auth, auth_len, mac, &mac_len);
        else if (!(rc = pkiws__pfx_bmp_password(cand[i], &bmp)))
            rc = pkiws__pfx_mac(md, bmp.data, bmp.len, salt.p, der_len(&salt), iter, auth, auth_len,
                                mac, &mac_len);
        pkiws__buf_dispose(&bmp);
        if (rc)
            return rc;
        unsigned diff = mac_len != der_len(&digest);
        for (size_t k = 0; !diff && k < mac_len; k++)
            diff |= mac[k] ^ digest.p[k];
        if (!diff) {
            r->password = cand[i];
            if (i != 0 || !password)
                r->known = NULL; /* the writer's keys belong to its password only */
            return PKIWS_OK;
        }
    }
    return pkiws__fail_remedy(PKIWS_E_CRYPTO, "Check the PFX password.",
                              "wrong password or corrupt PFX (MAC verification failed): "
                              "HMAC-%s, %u iterations",
                              name, (unsigned)iter);
}

/* Move key i (and its bag's algorithm, friendlyName and localKeyID) into the output. */
static void take_key(rd *r, size_t i)
{
    key_ent *e = &r->keys[i];
    r->out->key = e->key;
    e->key = NULL;
    snprintf(r->out->key_bag_alg, sizeof r->out->key_bag_alg, "%s", e->alg);
    r->out->friendly_name = e->friendly_name;
    e->friendly_name = NULL;
    memcpy(r->key_id, e->key_id, e->key_id_len);
    r->key_id_len = e->key_id_len;
}

/* Move certificate i into the output as the leaf. */
static void take_leaf(rd *r, size_t i)
{
    pkiws__pfx_contents *c = r->out;
    c->leaf = r->certs.v[i];
    r->certs.v[i] = NULL;
    if (!c->friendly_name) {
        c->friendly_name = r->meta[i].friendly_name;
        r->meta[i].friendly_name = NULL;
    }
}

static void choose_leaf(rd *r)
{
    pkiws__pfx_contents *c = r->out;
    size_t pick = SIZE_MAX;
    if (c->key) {
        /* matching key and localKeyID, then matching key */
        for (size_t i = 0; i < r->certs.n && pick == SIZE_MAX; i++)
            if (r->key_id_len && r->meta[i].key_id_len == r->key_id_len &&
                memcmp(r->meta[i].key_id, r->key_id, r->key_id_len) == 0 &&
                pkiws__cert_matches_key(r->certs.v[i], c->key) == 1)
                pick = i;
        for (size_t i = 0; i < r->certs.n && pick == SIZE_MAX; i++)
            if (pkiws__cert_matches_key(r->certs.v[i], c->key) == 1)
                pick = i;
    }
    for (size_t i = 0; i < r->certs.n && pick == SIZE_MAX; i++) {
        const pkiws__cert_info *info = pkiws__cert_get_info(r->certs.v[i]);
        if (info && !info->is_ca)
            pick = i;
    }
    if (pick != SIZE_MAX)
        take_leaf(r, pick);
}

/* More than one key and nothing to choose by: refused, naming each key's certificate. */
static int fail_many_keys(const rd *r)
{
    pkiws_buf m = PKIWS_BUF_INIT;
    pkiws__buf_printf(&m, "the PFX holds %zu private keys (", r->nkeys);
    for (size_t k = 0; k < r->nkeys; k++) {
        if (k == 4) {
            pkiws__buf_printf(&m, ", ...");
            break;
        }
        const pkiws__cert_info *info = NULL;
        for (size_t i = 0; i < r->certs.n && !info; i++)
            if (pkiws__cert_matches_key(r->certs.v[i], r->keys[k].key) == 1)
                info = pkiws__cert_get_info(r->certs.v[i]);
        if (info)
            pkiws__buf_printf(&m, "%sof '%s', thumbprint %s", k ? "; " : "", info->subject,
                              info->thumbprint);
        else
            pkiws__buf_printf(&m, "%sone without its certificate", k ? "; " : "");
    }
    pkiws__buf_printf(&m, "); pkiws takes one key and its certificate, and will not guess");
    int rc = pkiws__buf_status(&m)
                 ? pkiws__fail(PKIWS_E_NOMEM, "out of memory reading a PFX")
                 : pkiws__fail_remedy(PKIWS_E_CRYPTO,
                                      "Export a PFX with only the certificate you need and its "
                                      "private key. For the RA credential, an RA store directory "
                                      "searched by thumbprint picks one certificate and its key "
                                      "out of such a PFX.",
                                      "%s", pkiws__buf_cstr(&m));
    pkiws__buf_dispose(&m);
    return rc;
}

/* Which key and which certificate the caller gets: by thumbprint when one is given, else the
 * only key (more are refused) and the certificate that matches it. */
static int select_contents(rd *r, const char *thumbprint)
{
    r->out->nkeys = r->nkeys;
    if (thumbprint) {
        for (size_t i = 0; i < r->certs.n; i++) {
            if (strcmp(pkiws__cert_get_info(r->certs.v[i])->thumbprint, thumbprint) != 0)
                continue;
            for (size_t k = 0; k < r->nkeys; k++)
                if (pkiws__cert_matches_key(r->certs.v[i], r->keys[k].key) == 1) {
                    take_key(r, k);
                    break;
                }
            take_leaf(r, i);
            break;
        }
        return PKIWS_OK; /* no such certificate: no leaf, no key */
    }
    if (r->nkeys > 1)
        return fail_many_keys(r);
    if (r->nkeys == 1)
        take_key(r, 0);
    choose_leaf(r);
    return PKIWS_OK;
}

static void rd_dispose(rd *r)
{
    for (size_t i = 0; i < r->certs.n; i++)
        pkiws__free(r->meta[i].friendly_name);
    pkiws__free(r->meta);
    pkiws__certlist_dispose(&r->certs);
    for (size_t k = 0; k < r->nkeys; k++) {
        pkiws__key_free(r->keys[k].key);
        pkiws__free(r->keys[k].friendly_name);
    }
    pkiws__free(r->keys);
}

static int read_pfx(rd *r, const uint8_t *der, size_t len, const char *password)
{
    pkiws__pfx_der d, pfx, ci, ctype, ex, seq;
    uint32_t version;
    int rc;
    pkiws__pfx_der_init(&d, der, len, "PFX");
    if ((rc = pkiws__pfx_der_get(&d, 0x30, "PFX (SEQUENCE)", &pfx)) ||
        (rc = pkiws__pfx_der_done(&d, "the PFX")) ||
        (rc = pkiws__pfx_der_get_uint(&pfx, "PFX.version", 1000, &version)))
        return rc;
    if (version != 3)
        return pkiws__fail(PKIWS_E_UNSUPPORTED, "PFX: version %u (only version 3 is read)",
                           (unsigned)version);
    if ((rc = pkiws__pfx_der_get(&pfx, 0x30, "PFX.authSafe (ContentInfo)", &ci)) ||
        (rc = pkiws__pfx_der_get(&ci, 0x06, "authSafe contentType", &ctype)))
        return rc;
    if (!oid_is(&ctype, oid_data, sizeof oid_data)) {
        char dotted[128];
        return pkiws__fail(PKIWS_E_UNSUPPORTED,
                           "PFX: authSafe content type %s at offset %zu is not data "
                           "(1.2.840.113549.1.7.1); public-key integrity mode is not supported",
                           oid_text(&ctype, dotted, sizeof dotted), pkiws__pfx_der_offset(&ctype));
    }
    pkiws_buf auth = PKIWS_BUF_INIT;
    auth.secret = 1; /* may hold an unencrypted keyBag */
    if (!(rc = pkiws__pfx_der_get(&ci, 0xA0, "authSafe content", &ex)) &&
        !(rc = pkiws__pfx_der_done(&ci, "authSafe ContentInfo")) &&
        !(rc = pkiws__pfx_der_get_octets(&ex, 0x04, "authSafe OCTET STRING", &auth)) &&
        !(rc = pkiws__pfx_der_done(&ex, "authSafe content"))) {
        if (pkiws__pfx_der_peek(&pfx) == 0x30) {
            pkiws__pfx_der macdata;
            if (!(rc = pkiws__pfx_der_get(&pfx, 0x30, "PFX.macData", &macdata)))
                rc = verify_mac(r, &macdata, auth.data, auth.len, password);
        } else {
            r->password = password;
        }
    }
    if (!rc)
        rc = pkiws__pfx_der_done(&pfx, "PFX.macData");
    if (!rc) {
        pkiws__pfx_der a;
        pkiws__pfx_der_init(&a, auth.data, auth.len, "AuthenticatedSafe");
        rc = pkiws__pfx_der_get(&a, 0x30, "AuthenticatedSafe (SEQUENCE)", &seq);
        if (!rc)
            rc = pkiws__pfx_der_done(&a, "AuthenticatedSafe");
        for (size_t i = 0; !rc && pkiws__pfx_der_peek(&seq) >= 0; i++) {
            if (i >= PKIWS__PFX_MAX_SAFES)
                rc = pkiws__fail(PKIWS_E_LIMIT, "PFX AuthenticatedSafe has more than %d parts",
                                 PKIWS__PFX_MAX_SAFES);
            else if (!(rc = pkiws__pfx_der_get(&seq, 0x30, "ContentInfo", &ci)))
                rc = read_safe(r, &ci, i);
        }
    }
    pkiws__buf_dispose(&auth);
    return rc;
}

int pkiws__pfx_read(const uint8_t *der, size_t len, const char *password, pkiws__pfx_contents *out)
{
    return pkiws__pfx_read_select(der, len, password, NULL, out);
}

static int read_common(const uint8_t *der, size_t len, const char *password, const char *thumbprint,
                       const pkiws__pfx_derived *known, const pkiws__cert *const *certs,
                       size_t ncerts, pkiws_buf *key_plain, pkiws__pfx_contents *out);

int pkiws__pfx_read_select(const uint8_t *der, size_t len, const char *password,
                           const char *thumbprint, pkiws__pfx_contents *out)
{
    return read_common(der, len, password, thumbprint, NULL, NULL, 0, NULL, out);
}

int pkiws__pfx_read_known(const uint8_t *der, size_t len, const char *password,
                          const pkiws__pfx_derived *known, const pkiws__cert *const *certs,
                          size_t ncerts, pkiws_buf *key_plain, pkiws__pfx_contents *out)
{
    if (key_plain)
        key_plain->secret = 1;
    return read_common(der, len, password, NULL, password ? known : NULL, certs, ncerts, key_plain,
                       out);
}

static int read_common(const uint8_t *der, size_t len, const char *password, const char *thumbprint,
                       const pkiws__pfx_derived *known, const pkiws__cert *const *certs,
                       size_t ncerts, pkiws_buf *key_plain, pkiws__pfx_contents *out)
{
    if (!out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PFX read: output is NULL");
    memset(out, 0, sizeof *out);
    snprintf(out->mac_alg, sizeof out->mac_alg, "none");
    snprintf(out->key_bag_alg, sizeof out->key_bag_alg, "none");
    snprintf(out->cert_bag_alg, sizeof out->cert_bag_alg, "none");
    if (!der || !len)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PFX read: no data");
    if (len > PKIWS__PFX_MAX_SIZE)
        return pkiws__fail(PKIWS_E_LIMIT, "PFX of %zu bytes is larger than %u bytes", len,
                           PKIWS__PFX_MAX_SIZE);
    size_t bad;
    if (password && !pkiws__utf8_valid(password, strlen(password), &bad))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PFX password: invalid UTF-8 at byte offset %zu",
                           bad);
    rd r;
    memset(&r, 0, sizeof r);
    r.out = out;
    r.known = known;
    r.kcerts = certs;
    r.nkcerts = ncerts;
    r.key_plain = key_plain;
    int rc = read_pfx(&r, der, len, password);
    if (!rc)
        rc = select_contents(&r, thumbprint);
    if (!rc) {
        for (size_t i = 0; !rc && i < r.certs.n; i++) {
            if (!r.certs.v[i])
                continue;
            rc = pkiws__certlist_add(&out->others, r.certs.v[i]);
            r.certs.v[i] = NULL;
        }
    }
    rd_dispose(&r);
    if (rc)
        pkiws__pfx_contents_dispose(out);
    return rc;
}

void pkiws__pfx_contents_dispose(pkiws__pfx_contents *c)
{
    if (!c)
        return;
    pkiws__key_free(c->key);
    pkiws__cert_free(c->leaf);
    pkiws__certlist_dispose(&c->others);
    pkiws__free(c->friendly_name);
    memset(c, 0, sizeof *c);
}

int pkiws__pfx_fail_no_leaf(const pkiws__pfx_contents *c)
{
    if (c->others.n == 0)
        return pkiws__fail(PKIWS_E_CRYPTO, "the PFX holds no certificate%s",
                           c->key ? ", only a private key" : "");
    const pkiws__cert_info *first = pkiws__cert_get_info(c->others.v[0]);
    return pkiws__fail(PKIWS_E_CRYPTO,
                       "the PFX holds no end-entity certificate: %zu CA certificate%s (first: "
                       "'%s', thumbprint %s) and %s",
                       c->others.n, c->others.n == 1 ? "" : "s", first->subject, first->thumbprint,
                       c->key ? "a private key that belongs to none of them" : "no private key");
}
