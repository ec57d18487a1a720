/* SPDX-License-Identifier: MIT */
/* PKCS#12 (PFX) writer: shrouded key bag + encrypted cert bags + MAC, LEGACY and MODERN presets. */
#include "pkiws_internal.h"

#include "crypto/crypto.h"

static const uint8_t oid_data[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
static const uint8_t oid_encrypted_data[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06};
static const uint8_t oid_shrouded_key_bag[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                               0x01, 0x0c, 0x0a, 0x01, 0x02};
static const uint8_t oid_cert_bag[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
                                       0x01, 0x0c, 0x0a, 0x01, 0x03};
static const uint8_t oid_x509_cert[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x16, 0x01};
static const uint8_t oid_friendly_name[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x14};
static const uint8_t oid_local_key_id[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x15};
static const uint8_t oid_sha1[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};
static const uint8_t oid_sha256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};

#define DEFAULT_ITERATIONS 2048u
#define MAC_SALT_LEN 8
#define FRIENDLY_NAME_MAX 1024 /* bytes of UTF-8 */

/* Everything built on the way; disposed in one place. */
typedef struct wr {
    pkiws_buf attrs_key, attrs_leaf; /* SET OF Attribute contents */
    pkiws_buf fname;                 /* friendlyName BMPString contents */
    pkiws_buf pkcs8;                 /* secret */
    pkiws_buf alg, ct, t1, t2;
    pkiws_buf key_safe, cert_safe; /* SafeContents contents */
    pkiws_buf auth;                /* AuthenticatedSafe contents */
    pkiws_buf pfx;
} wr;

static void wr_dispose(wr *w)
{
    pkiws_buf *all[] = {&w->attrs_key, &w->attrs_leaf, &w->fname, &w->pkcs8,
                        &w->alg,       &w->ct,         &w->t1,    &w->t2,
                        &w->key_safe,  &w->cert_safe,  &w->auth,  &w->pfx};
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(all); i++)
        pkiws__buf_dispose(all[i]);
}

/* X.690 SET OF order: compare encodings as octet strings, the shorter padded with zeros. */
static int der_cmp(const pkiws_buf *a, const pkiws_buf *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->data, b->data, n);
    if (c)
        return c;
    const pkiws_buf *longer = a->len > b->len ? a : b;
    for (size_t i = n; i < longer->len; i++)
        if (longer->data[i])
            return longer == a ? 1 : -1;
    return 0;
}

/* Attribute ::= SEQ { type OID, values SET { value } } */
static int put_attr(pkiws_buf *out, const uint8_t *oid, size_t oid_len, uint8_t vtag,
                    const uint8_t *v, size_t vlen)
{
    pkiws_buf val = PKIWS_BUF_INIT, seq = PKIWS_BUF_INIT;
    int rc;
    if (!(rc = pkiws__pfx_der_put(&val, vtag, v, vlen)) &&
        !(rc = pkiws__pfx_der_put(&seq, 0x06, oid, oid_len)) &&
        !(rc = pkiws__pfx_der_put(&seq, 0x31, val.data, val.len)))
        rc = pkiws__pfx_der_put(out, 0x30, seq.data, seq.len);
    pkiws__buf_dispose(&val);
    pkiws__buf_dispose(&seq);
    return rc;
}

/* Contents of the bag attribute SET: localKeyID and, when given, friendlyName, in DER order. */
static int build_attrs(pkiws_buf *out, const uint8_t key_id[20], const pkiws_buf *fname,
                       int with_name)
{
    pkiws_buf a = PKIWS_BUF_INIT, b = PKIWS_BUF_INIT;
    int rc = put_attr(&a, oid_local_key_id, sizeof oid_local_key_id, 0x04, key_id, 20);
    if (!rc && with_name)
        rc = put_attr(&b, oid_friendly_name, sizeof oid_friendly_name, 0x1E, fname->data,
                      fname->len);
    if (!rc) {
        const pkiws_buf *first = &a, *second = &b;
        if (with_name && der_cmp(&a, &b) > 0) {
            first = &b;
            second = &a;
        }
        if (pkiws__buf_append(out, first->data, first->len) ||
            pkiws__buf_append(out, second->data, second->len))
            rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory writing PFX bag attributes");
    }
    pkiws__buf_dispose(&a);
    pkiws__buf_dispose(&b);
    return rc;
}

/* SafeBag ::= SEQ { bagId, [0] EXPLICIT value, SET OF Attribute OPTIONAL }, appended to out. */
static int put_bag(pkiws_buf *out, const uint8_t *oid, size_t oid_len, const pkiws_buf *value,
                   const pkiws_buf *attrs)
{
    pkiws_buf bag = PKIWS_BUF_INIT;
    int rc;
    if (!(rc = pkiws__pfx_der_put(&bag, 0x06, oid, oid_len)) &&
        !(rc = pkiws__pfx_der_put(&bag, 0xA0, value->data, value->len)) &&
        !(rc = attrs ? pkiws__pfx_der_put(&bag, 0x31, attrs->data, attrs->len) : PKIWS_OK))
        rc = pkiws__pfx_der_put(out, 0x30, bag.data, bag.len);
    pkiws__buf_dispose(&bag);
    return rc;
}

/* CertBag { x509Certificate, [0] EXPLICIT OCTET STRING der } as a SafeBag. */
static int put_cert_bag(pkiws_buf *out, const pkiws__cert *cert, const pkiws_buf *attrs)
{
    size_t len;
    const uint8_t *der = pkiws__cert_der(cert, &len);
    pkiws_buf oct = PKIWS_BUF_INIT, cb = PKIWS_BUF_INIT, val = PKIWS_BUF_INIT;
    int rc;
    if (!der || !len)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PFX: a certificate has no DER encoding");
    if (!(rc = pkiws__pfx_der_put(&oct, 0x04, der, len)) &&
        !(rc = pkiws__pfx_der_put(&cb, 0x06, oid_x509_cert, sizeof oid_x509_cert)) &&
        !(rc = pkiws__pfx_der_put(&cb, 0xA0, oct.data, oct.len)) &&
        !(rc = pkiws__pfx_der_put(&val, 0x30, cb.data, cb.len)))
        rc = put_bag(out, oid_cert_bag, sizeof oid_cert_bag, &val, attrs);
    pkiws__buf_dispose(&oct);
    pkiws__buf_dispose(&cb);
    pkiws__buf_dispose(&val);
    return rc;
}

/* ContentInfo { data, [0] EXPLICIT OCTET STRING content } appended to out. */
static int put_data_ci(pkiws_buf *out, const pkiws_buf *content)
{
    pkiws_buf oct = PKIWS_BUF_INIT, ci = PKIWS_BUF_INIT, ex = PKIWS_BUF_INIT;
    int rc;
    if (!(rc = pkiws__pfx_der_put(&oct, 0x04, content->data, content->len)) &&
        !(rc = pkiws__pfx_der_put(&ex, 0xA0, oct.data, oct.len)) &&
        !(rc = pkiws__pfx_der_put(&ci, 0x06, oid_data, sizeof oid_data)) &&
        !(rc = pkiws__buf_append(&ci, ex.data, ex.len)
                   ? pkiws__fail(PKIWS_E_NOMEM, "out of memory writing a PFX")
                   : PKIWS_OK))
        rc = pkiws__pfx_der_put(out, 0x30, ci.data, ci.len);
    pkiws__buf_dispose(&oct);
    pkiws__buf_dispose(&ci);
    pkiws__buf_dispose(&ex);
    return rc;
}

/* ContentInfo { encryptedData, [0] EXPLICIT EncryptedData { 0, EncryptedContentInfo { data,
 * alg, [0] IMPLICIT ciphertext } } } appended to out. */
static int put_encrypted_ci(pkiws_buf *out, const pkiws_buf *alg, const pkiws_buf *ct)
{
    pkiws_buf eci = PKIWS_BUF_INIT, ed = PKIWS_BUF_INIT, ex = PKIWS_BUF_INIT, ci = PKIWS_BUF_INIT,
              s = PKIWS_BUF_INIT;
    int rc;
    if (!(rc = pkiws__pfx_der_put(&eci, 0x06, oid_data, sizeof oid_data)) &&
        !(rc = pkiws__buf_append(&eci, alg->data, alg->len)
                   ? pkiws__fail(PKIWS_E_NOMEM, "out of memory writing a PFX")
                   : PKIWS_OK) &&
        !(rc = pkiws__pfx_der_put(&eci, 0x80, ct->data, ct->len)) &&
        !(rc = pkiws__pfx_der_put_uint(&s, 0)) &&
        !(rc = pkiws__pfx_der_put(&s, 0x30, eci.data, eci.len)) &&
        !(rc = pkiws__pfx_der_put(&ed, 0x30, s.data, s.len)) &&
        !(rc = pkiws__pfx_der_put(&ex, 0xA0, ed.data, ed.len)) &&
        !(rc = pkiws__pfx_der_put(&ci, 0x06, oid_encrypted_data, sizeof oid_encrypted_data)) &&
        !(rc = pkiws__buf_append(&ci, ex.data, ex.len)
                   ? pkiws__fail(PKIWS_E_NOMEM, "out of memory writing a PFX")
                   : PKIWS_OK))
        rc = pkiws__pfx_der_put(out, 0x30, ci.data, ci.len);
    pkiws__buf_dispose(&eci);
    pkiws__buf_dispose(&ed);
    pkiws__buf_dispose(&ex);
    pkiws__buf_dispose(&ci);
    pkiws__buf_dispose(&s);
    return rc;
}

/* MacData { DigestInfo { AlgId { digest, NULL }, mac }, salt, iterations } appended to out. */
static int put_mac_data(pkiws_buf *out, int md, const char *password, unsigned iterations,
                        const pkiws_buf *auth, pkiws__pfx_derived *keep)
{
    uint8_t salt[MAC_SALT_LEN], mac[64];
    size_t mac_len = 0;
    pkiws_buf bmp = PKIWS_BUF_INIT, alg = PKIWS_BUF_INIT, dinfo = PKIWS_BUF_INIT,
              md_data = PKIWS_BUF_INIT;
    int rc = pkiws__random(salt, sizeof salt);
    if (!rc)
        rc = pkiws__pfx_bmp_password(password, &bmp);
    if (!rc)
        rc = pkiws__pfx_mac_key(md, bmp.data, bmp.len, salt, sizeof salt, iterations, keep->mac_key,
                                &keep->mac_key_len);
    if (!rc)
        rc = pkiws__pfx_hmac(md, keep->mac_key, keep->mac_key_len, auth->data, auth->len, mac,
                             &mac_len);
    if (!rc) {
        keep->mac_md = md;
        memcpy(keep->mac_salt, salt, sizeof salt);
        keep->mac_salt_len = sizeof salt;
        keep->mac_iterations = iterations;
    }
    const uint8_t *oid = md == PKIWS__PFX_MD_SHA1 ? oid_sha1 : oid_sha256;
    size_t oid_len = md == PKIWS__PFX_MD_SHA1 ? sizeof oid_sha1 : sizeof oid_sha256;
    if (!rc && !(rc = pkiws__pfx_der_put(&alg, 0x06, oid, oid_len)) &&
        !(rc = pkiws__pfx_der_put(&alg, 0x05, NULL, 0)) &&
        !(rc = pkiws__pfx_der_put(&dinfo, 0x30, alg.data, alg.len)) &&
        !(rc = pkiws__pfx_der_put(&dinfo, 0x04, mac, mac_len)) &&
        !(rc = pkiws__pfx_der_put(&md_data, 0x30, dinfo.data, dinfo.len)) &&
        !(rc = pkiws__pfx_der_put(&md_data, 0x04, salt, sizeof salt)) &&
        !(rc = pkiws__pfx_der_put_uint(&md_data, iterations)))
        rc = pkiws__pfx_der_put(out, 0x30, md_data.data, md_data.len);
    pkiws__buf_dispose(&bmp);
    pkiws__buf_dispose(&alg);
    pkiws__buf_dispose(&dinfo);
    pkiws__buf_dispose(&md_data);
    return rc;
}

void (*pkiws__pfx_write_test_hook)(int stage, pkiws_buf *b);

static void test_hook(int stage, pkiws_buf *b)
{
    if (pkiws__pfx_write_test_hook)
        pkiws__pfx_write_test_hook(stage, b);
}

static int same_der(const pkiws__cert *a, const pkiws__cert *b)
{
    size_t a_len = 0, b_len = 0;
    const uint8_t *x = pkiws__cert_der(a, &a_len), *y = pkiws__cert_der(b, &b_len);
    return x && y && a_len == b_len && memcmp(x, y, a_len) == 0;
}

/* Read the PFX back and check it holds what was written: the MAC verifies, every bag decrypts
 * (padding checked) and parses, the key read back is the key given (same PKCS#8 encoding), the
 * certificates are the leaf and the chain in order, the friendlyName and the algorithms are those
 * written. The keys this write derived are reused (known): deriving them again from the same
 * password, salts and iteration counts would give the same bytes at twice the cost. */
static int self_check(const pkiws_buf *pfx, const pkiws__key *key, const pkiws__cert *leaf,
                      const pkiws__certlist *chain, const pkiws__pfx_opts *opts,
                      const pkiws__pfx_derived *known, unsigned iterations)
{
    size_t nchain = chain ? chain->n : 0;
    const pkiws__cert *kc_small[8];
    const pkiws__cert **kc =
        nchain + 1 <= PKIWS_ARRAY_LEN(kc_small) ? kc_small : pkiws__calloc(nchain + 1, sizeof *kc);
    if (!kc)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory checking a PFX");
    kc[0] = leaf;
    for (size_t i = 0; i < nchain; i++)
        kc[i + 1] = chain->v[i];
    pkiws__pfx_contents c;
    pkiws_buf a = PKIWS_BUF_INIT, b = PKIWS_BUF_INIT; /* PKCS#8 given, PKCS#8 read back */
    a.secret = b.secret = 1;
    int rc =
        pkiws__pfx_read_known(pfx->data, pfx->len, opts->password, known, kc, nchain + 1, &b, &c);
    if (kc != kc_small)
        pkiws__free(kc);
    if (rc) {
        pkiws__buf_dispose(&b);
        return pkiws__fail_context(PKIWS_E_INTERNAL, "self-check of the PFX just written");
    }
    int modern = opts->preset == PKIWS_PFX_MODERN;
    const char *bag_alg =
        modern ? "PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC" : "pbeWithSHA1And3-KeyTripleDES-CBC";
    const char *why = NULL;
    if (!c.key)
        why = "no key read back";
    else if (pkiws__key_pkcs8_der(key, &a) || a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
        why = "the key bag read back differs from the key";
    else if (!c.leaf || !same_der(leaf, c.leaf))
        why = "the leaf certificate read back differs";
    else if (pkiws__cert_matches_key(c.leaf, c.key) != 1)
        why = "the key read back does not match the leaf certificate";
    else if (c.others.n != nchain)
        why = "the number of chain certificates read back differs";
    else if ((opts->friendly_name &&
              (!c.friendly_name || strcmp(c.friendly_name, opts->friendly_name) != 0)) ||
             (!opts->friendly_name && c.friendly_name))
        why = "the friendlyName read back differs";
    else if (strcmp(c.mac_alg, modern ? "sha256" : "sha1") != 0 || c.mac_iterations != iterations)
        why = "the MAC read back is not the one written";
    else if (c.nkeys != 1 || strcmp(c.key_bag_alg, bag_alg) != 0 ||
             strcmp(c.cert_bag_alg, bag_alg) != 0)
        why = "the bags read back are not encrypted as written";
    for (size_t i = 0; !why && i < nchain; i++)
        if (!same_der(chain->v[i], c.others.v[i]))
            why = "a chain certificate read back differs or is out of order";
    pkiws__buf_dispose(&a);
    pkiws__buf_dispose(&b);
    pkiws__pfx_contents_dispose(&c);
    if (why)
        return pkiws__fail(PKIWS_E_INTERNAL, "self-check of the PFX just written failed: %s", why);
    return PKIWS_OK;
}

int pkiws__pfx_write(const pkiws__key *key, const pkiws__cert *leaf, const pkiws__certlist *chain,
                     const pkiws__pfx_opts *opts, pkiws_buf *out)
{
    if (!key || !leaf || !opts || !out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PFX: %s is NULL",
                           !key    ? "key"
                           : !leaf ? "certificate"
                           : !opts ? "options"
                                   : "output");
    if (opts->preset != PKIWS_PFX_LEGACY && opts->preset != PKIWS_PFX_MODERN)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "PFX preset %d is neither LEGACY (%d) nor MODERN (%d)", opts->preset,
                           PKIWS_PFX_LEGACY, PKIWS_PFX_MODERN);
    if (!opts->password)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "PFX password is NULL (use \"\" for an empty password)");
    size_t bad;
    if (!pkiws__utf8_valid(opts->password, strlen(opts->password), &bad))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PFX password: invalid UTF-8 at byte offset %zu",
                           bad);
    if (opts->friendly_name) {
        size_t fl = strlen(opts->friendly_name);
        if (!pkiws__utf8_valid(opts->friendly_name, fl, &bad))
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "PFX friendlyName: invalid UTF-8 at byte offset %zu", bad);
        if (fl > FRIENDLY_NAME_MAX)
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "PFX friendlyName of %zu bytes is longer than %d", fl,
                               FRIENDLY_NAME_MAX);
    }
    unsigned iterations = opts->iterations ? opts->iterations : DEFAULT_ITERATIONS;
    if (iterations > PKIWS__PFX_MAX_ITERATIONS)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PFX iteration count %u is larger than %u",
                           iterations, PKIWS__PFX_MAX_ITERATIONS);
    for (size_t i = 0; chain && i < chain->n; i++)
        if (!chain->v[i])
            return pkiws__fail(PKIWS_E_INVALID_ARG, "PFX: chain certificate %zu is NULL", i);
    if (pkiws__cert_matches_key(leaf, key) != 1) {
        const pkiws__cert_info *ci = pkiws__cert_get_info(leaf);
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "PFX: the private key does not match the certificate (thumbprint %s)",
                           ci && ci->thumbprint ? ci->thumbprint : "?");
    }

    int modern = opts->preset == PKIWS_PFX_MODERN;
    int scheme = modern ? PKIWS__PFX_PBE_PBES2_AES256 : PKIWS__PFX_PBE_SHA1_3DES;
    wr w;
    memset(&w, 0, sizeof w);
    w.pkcs8.secret = 1;
    pkiws__pfx_derived known; /* secret: wiped below */
    memset(&known, 0, sizeof known);
    uint8_t key_id[20];
    size_t leaf_len;
    const uint8_t *leaf_der = pkiws__cert_der(leaf, &leaf_len);
    int rc =
        leaf_der ? PKIWS_OK : pkiws__fail(PKIWS_E_INVALID_ARG, "PFX: the certificate has no DER");
    if (!rc) {
        pkiws__sha1(leaf_der, leaf_len, key_id);
        if (opts->friendly_name) {
            rc = pkiws__pfx_bmp_password(opts->friendly_name, &w.fname);
            if (!rc)
                w.fname.len -= 2; /* BMPString value: no terminator */
        }
    }
    if (!rc)
        rc = build_attrs(&w.attrs_key, key_id, &w.fname, opts->friendly_name != NULL);
    if (!rc)
        rc = build_attrs(&w.attrs_leaf, key_id, &w.fname, opts->friendly_name != NULL);

    /* key: pkcs8ShroudedKeyBag { EncryptedPrivateKeyInfo { alg, OCTET ct } } in a data CI */
    if (!rc)
        rc = pkiws__key_pkcs8_der(key, &w.pkcs8);
    if (!rc)
        test_hook(PKIWS__PFX_HOOK_KEY, &w.pkcs8);
    if (!rc)
        rc = pkiws__pfx_pbe_encrypt_keep(scheme, opts->password, iterations, w.pkcs8.data,
                                         w.pkcs8.len, &w.alg, &w.ct, &known.pbe[0]);
    pkiws__buf_dispose(&w.pkcs8);
    if (!rc && pkiws__buf_append(&w.t1, w.alg.data, w.alg.len))
        rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory writing a PFX");
    if (!rc && !(rc = pkiws__pfx_der_put(&w.t1, 0x04, w.ct.data, w.ct.len)) &&
        !(rc = pkiws__pfx_der_put(&w.t2, 0x30, w.t1.data, w.t1.len)) &&
        !(rc = put_bag(&w.key_safe, oid_shrouded_key_bag, sizeof oid_shrouded_key_bag, &w.t2,
                       &w.attrs_key))) {
        pkiws__buf_clear(&w.t1);
        rc = pkiws__pfx_der_put(&w.t1, 0x30, w.key_safe.data, w.key_safe.len);
    }
    pkiws_buf key_ci = PKIWS_BUF_INIT;
    if (!rc)
        rc = put_data_ci(&key_ci, &w.t1);

    /* certificates: leaf (with attributes), then the chain, encrypted as one SafeContents */
    if (!rc)
        rc = put_cert_bag(&w.cert_safe, leaf, &w.attrs_leaf);
    for (size_t i = 0; !rc && chain && i < chain->n; i++)
        rc = put_cert_bag(&w.cert_safe, chain->v[i], NULL);
    if (!rc) {
        pkiws__buf_clear(&w.t1);
        pkiws__buf_clear(&w.alg);
        pkiws__buf_clear(&w.ct);
        rc = pkiws__pfx_der_put(&w.t1, 0x30, w.cert_safe.data, w.cert_safe.len);
    }
    if (!rc)
        test_hook(PKIWS__PFX_HOOK_CERT_SAFE, &w.t1);
    if (!rc)
        rc = pkiws__pfx_pbe_encrypt_keep(scheme, opts->password, iterations, w.t1.data, w.t1.len,
                                         &w.alg, &w.ct, &known.pbe[1]);

    /* AuthenticatedSafe ::= SEQ { certificates (encryptedData), key (data) } */
    pkiws_buf auth_seq = PKIWS_BUF_INIT;
    if (!rc)
        rc = put_encrypted_ci(&w.auth, &w.alg, &w.ct);
    if (!rc && pkiws__buf_append(&w.auth, key_ci.data, key_ci.len))
        rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory writing a PFX");
    if (!rc)
        rc = pkiws__pfx_der_put(&auth_seq, 0x30, w.auth.data, w.auth.len);
    if (!rc)
        test_hook(PKIWS__PFX_HOOK_AUTHSAFE, &auth_seq);

    /* PFX ::= SEQ { 3, ContentInfo data(AuthenticatedSafe), MacData } */
    pkiws__buf_clear(&w.t2);
    if (!rc && !(rc = pkiws__pfx_der_put_uint(&w.t2, 3)) && !(rc = put_data_ci(&w.t2, &auth_seq)))
        rc = put_mac_data(&w.t2, modern ? PKIWS__PFX_MD_SHA256 : PKIWS__PFX_MD_SHA1, opts->password,
                          iterations, &auth_seq, &known);
    pkiws__buf_dispose(&key_ci);
    pkiws__buf_dispose(&auth_seq);
    if (!rc)
        rc = pkiws__pfx_der_put(&w.pfx, 0x30, w.t2.data, w.t2.len);
    if (!rc)
        test_hook(PKIWS__PFX_HOOK_PFX, &w.pfx);
    if (!rc)
        rc = self_check(&w.pfx, key, leaf, chain, opts, &known, iterations);
    pkiws__pfx_derived_wipe(&known);
    if (!rc && pkiws__buf_append(out, w.pfx.data, w.pfx.len))
        rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory writing a PFX");
    wr_dispose(&w);
    return rc;
}
