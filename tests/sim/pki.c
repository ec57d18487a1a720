/* SPDX-License-Identifier: MIT */
/* The simulator's test PKI in --state-dir: made on first start, reused afterwards. */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Every file of the state directory (product.md §10 names the public ones). */
static const char *const pki_files[] = {
    "root-ca.pem", "root-ca.key",     "issuing-ca.pem", "issuing-ca.key", "ra-ca.pem",
    "ra-ca.key",   "server.pem",      "server.key",     "ra.pem",         "ra.key",
    "ra.p12",      "ra.p12.password", "foreign-ra.pem", "foreign-ra.key", "ra-ec.pem",
    "ra-ec.key",   "trust.pem",
};

#define OID_CN "\x55\x04\x03"
#define OID_C "\x55\x04\x06"
#define OID_O "\x55\x04\x0A"
#define DN(oid, tag, v)                                                                            \
    {                                                                                              \
        oid, sizeof oid - 1, tag, v                                                                \
    }
#define UTF8 MBEDTLS_ASN1_UTF8_STRING
#define PRINTABLE MBEDTLS_ASN1_PRINTABLE_STRING

static const sim_dn_part dn_root[] = {DN(OID_C, PRINTABLE, "US"), DN(OID_O, UTF8, "pkiws test"),
                                      DN(OID_CN, UTF8, "pkiws-sim Root CA")};
static const sim_dn_part dn_issuing[] = {DN(OID_C, PRINTABLE, "US"), DN(OID_O, UTF8, "pkiws test"),
                                         DN(OID_CN, UTF8, "pkiws-sim Issuing CA")};
/* The foreign CA deliberately carries the RA CA's name: the server must check signatures,
 * not names. */
static const sim_dn_part dn_ra_ca[] = {DN(OID_C, PRINTABLE, "US"), DN(OID_O, UTF8, "pkiws test"),
                                       DN(OID_CN, UTF8, "pkiws-sim RA CA")};
static const sim_dn_part dn_server[] = {DN(OID_O, UTF8, "pkiws test"),
                                        DN(OID_CN, UTF8, "localhost")};
static const sim_dn_part dn_ra[] = {DN(OID_C, PRINTABLE, "US"), DN(OID_O, UTF8, "pkiws test"),
                                    DN(OID_CN, UTF8, "pkiws-sim RA")};
static const sim_dn_part dn_ra_ec[] = {DN(OID_C, PRINTABLE, "US"), DN(OID_O, UTF8, "pkiws test"),
                                       DN(OID_CN, UTF8, "pkiws-sim RA EC")};

static const char *const eku_client[] = {"1.3.6.1.5.5.7.3.2"};
static const char *const eku_server[] = {"1.3.6.1.5.5.7.3.1"};

typedef struct made {
    mbedtls_pk_context key;
    mbedtls_x509_crt crt;
    pkiws_buf der;
} made;

static void made_init(made *m)
{
    mbedtls_pk_init(&m->key);
    mbedtls_x509_crt_init(&m->crt);
    memset(&m->der, 0, sizeof m->der);
}

static void made_free(made *m)
{
    mbedtls_pk_free(&m->key);
    mbedtls_x509_crt_free(&m->crt);
    pkiws__buf_dispose(&m->der);
}

static int path_join(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, "pkiws-sim: state directory path too long: %s\n", dir);
        return -1;
    }
    return 0;
}

static int write_file(const char *dir, const char *name, const void *data, size_t len, int mode)
{
    char path[4096], tmp[4200];
    if (path_join(path, sizeof path, dir, name))
        return -1;
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        fprintf(stderr, "pkiws-sim: cannot create %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    const uint8_t *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fprintf(stderr, "pkiws-sim: cannot write %s: %s\n", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "pkiws-sim: cannot store %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* RSA 2048, or (ec) EC P-256. */
static int gen_key(sim_server *srv, mbedtls_pk_context *pk, int ec)
{
    int ret =
        mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(ec ? MBEDTLS_PK_ECKEY : MBEDTLS_PK_RSA));
    if (ret == 0)
        ret = ec ? mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*pk), sim_rng, srv)
                 : mbedtls_rsa_gen_key(mbedtls_pk_rsa(*pk), sim_rng, srv, 2048, 65537);
    if (ret != 0) {
        fprintf(stderr, "pkiws-sim: %s key generation failed (-0x%04X)\n", ec ? "EC" : "RSA",
                (unsigned)-ret);
        return -1;
    }
    return 0;
}

/* A key (RSA 2048, or with ec EC P-256) and its certificate. */
static int make_key(sim_server *srv, made *m, int ec, const sim_dn_part *dn, size_t ndn,
                    made *issuer, int64_t days, int is_ca, unsigned ku, const char *const *eku,
                    size_t neku, const pkiws_buf *san)
{
    if (gen_key(srv, &m->key, ec))
        return -1;
    int64_t now = (int64_t)time(NULL);
    sim_certspec s = {0};
    s.subject = dn;
    s.nsubject = ndn;
    s.issuer_crt = issuer ? &issuer->crt : NULL;
    s.issuer_key = issuer ? &issuer->key : &m->key;
    s.subject_key = &m->key;
    s.not_before = now - 86400;
    s.not_after = now + days * 86400;
    s.is_ca = is_ca;
    s.pathlen = is_ca == 2 ? -1 : 0;
    s.key_usage = ku;
    s.eku = eku;
    s.neku = neku;
    if (san) {
        s.san_der = san->data;
        s.san_len = san->len;
    }
    char serial[41];
    if (sim_cert_build(srv, &s, &m->der, serial))
        return -1;
    if (mbedtls_x509_crt_parse_der(&m->crt, m->der.data, m->der.len) != 0) {
        fprintf(stderr, "pkiws-sim: cannot re-read a certificate it wrote\n");
        return -1;
    }
    return 0;
}

static int make(sim_server *srv, made *m, const sim_dn_part *dn, size_t ndn, made *issuer,
                int64_t days, int is_ca, unsigned ku, const char *const *eku, size_t neku,
                const pkiws_buf *san)
{
    return make_key(srv, m, 0, dn, ndn, issuer, days, is_ca, ku, eku, neku, san);
}

static int pem_cert(const pkiws_buf *der, pkiws_buf *out)
{
    unsigned char buf[8192];
    size_t olen = 0;
    if (mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n",
                                 der->data, der->len, buf, sizeof buf, &olen) != 0)
        return -1;
    return pkiws__buf_append(out, buf, olen - 1) ? -1 : 0; /* olen counts the NUL */
}

static int write_key(const char *dir, const char *name, mbedtls_pk_context *pk)
{
    unsigned char buf[8192];
    if (mbedtls_pk_write_key_pem(pk, buf, sizeof buf) != 0)
        return -1;
    int rc = write_file(dir, name, buf, strlen((char *)buf), 0600);
    mbedtls_platform_zeroize(buf, sizeof buf);
    return rc;
}

static int write_certs(const char *dir, const char *name, made *const *v, size_t n)
{
    pkiws_buf pem = PKIWS_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = pem_cert(&v[i]->der, &pem);
    if (!rc)
        rc = write_file(dir, name, pem.data, pem.len, 0644);
    pkiws__buf_dispose(&pem);
    return rc;
}

/* ra.p12 (LEGACY preset) with a random password in ra.p12.password. */
static int write_ra_p12(sim_server *srv, const char *dir, made *ra, made *ra_ca, made *root)
{
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    char pass[21];
    uint8_t rnd[20];
    if (sim_rng(srv, rnd, sizeof rnd))
        return -1;
    for (size_t i = 0; i < 20; i++)
        pass[i] = alphabet[rnd[i] % (sizeof alphabet - 1)];
    pass[20] = 0;

    int rc = -1;
    pkiws__key *key = NULL;
    pkiws__cert *leaf = NULL;
    pkiws__certlist chain = {0};
    pkiws_buf keyder = PKIWS_BUF_INIT, p12 = PKIWS_BUF_INIT;
    keyder.secret = 1;
    p12.secret = 1;
    unsigned char kbuf[4096];
    int klen = mbedtls_pk_write_key_der(&ra->key, kbuf, sizeof kbuf);
    if (klen < 0 || pkiws__buf_append(&keyder, kbuf + sizeof kbuf - (size_t)klen, (size_t)klen))
        goto out;
    mbedtls_platform_zeroize(kbuf, sizeof kbuf);
    if (pkiws__key_parse(keyder.data, keyder.len, NULL, &key) != PKIWS_OK ||
        pkiws__cert_from_der(ra->der.data, ra->der.len, &leaf) != PKIWS_OK)
        goto out;
    made *const ch[] = {ra_ca, root};
    for (size_t i = 0; i < 2; i++) {
        pkiws__cert *c = NULL;
        if (pkiws__cert_from_der(ch[i]->der.data, ch[i]->der.len, &c) != PKIWS_OK ||
            pkiws__certlist_add(&chain, c) != PKIWS_OK)
            goto out;
    }
    pkiws__pfx_opts o = {PKIWS_PFX_LEGACY, pass, "pkiws-sim RA", 0};
    if (pkiws__pfx_write(key, leaf, &chain, &o, &p12) != PKIWS_OK)
        goto out;
    if (write_file(dir, "ra.p12", p12.data, p12.len, 0600) ||
        write_file(dir, "ra.p12.password", pass, strlen(pass), 0600))
        goto out;
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "pkiws-sim: cannot write ra.p12: %s\n", pkiws__err_message());
    mbedtls_platform_zeroize(pass, sizeof pass);
    pkiws__key_free(key);
    pkiws__cert_free(leaf);
    pkiws__certlist_dispose(&chain);
    pkiws__buf_dispose(&keyder);
    pkiws__buf_dispose(&p12);
    return rc;
}

static int generate(sim_server *srv, const char *dir)
{
    made root, iss, raca, server, ra, fca, fra, raec;
    made *all[] = {&root, &iss, &raca, &server, &ra, &fca, &fra, &raec};
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(all); i++)
        made_init(all[i]);
    int rc = -1;
    const unsigned ca_ku = MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN;
    const unsigned ee_ku = MBEDTLS_X509_KU_DIGITAL_SIGNATURE | MBEDTLS_X509_KU_KEY_ENCIPHERMENT;
    sim_san_list sl = {PKIWS_BUF_INIT};
    pkiws_buf san = PKIWS_BUF_INIT;
    static const uint8_t loopback[4] = {127, 0, 0, 1};
    if (sim_san_add_text(&sl, 0x82, "localhost") || sim_san_add_ip4(&sl, loopback) ||
        sim_san_finish(&sl, &san))
        goto out;

    sim_log(NULL, "creating the test PKI in %s", dir);
    if (make(srv, &root, dn_root, 3, NULL, 3650, 2, ca_ku, NULL, 0, NULL) ||
        make(srv, &iss, dn_issuing, 3, &root, 1825, 1, ca_ku, NULL, 0, NULL) ||
        make(srv, &raca, dn_ra_ca, 3, &root, 1825, 1, ca_ku, NULL, 0, NULL) ||
        make(srv, &server, dn_server, 2, &iss, 730, 0, ee_ku, eku_server, 1, &san) ||
        make(srv, &ra, dn_ra, 3, &raca, 730, 0, ee_ku, eku_client, 1, NULL) ||
        make(srv, &fca, dn_ra_ca, 3, NULL, 1825, 2, ca_ku, NULL, 0, NULL) ||
        make(srv, &fra, dn_ra, 3, &fca, 730, 0, ee_ku, eku_client, 1, NULL) ||
        make_key(srv, &raec, 1, dn_ra_ec, 3, &raca, 730, 0, MBEDTLS_X509_KU_DIGITAL_SIGNATURE,
                 eku_client, 1, NULL))
        goto out;

    made *const c_root[] = {&root}, *const c_iss[] = {&iss}, *const c_raca[] = {&raca};
    made *const c_server[] = {&server, &iss}, *const c_ra[] = {&ra, &raca, &root};
    made *const c_fra[] = {&fra, &fca}, *const c_raec[] = {&raec, &raca, &root};
    if (write_certs(dir, "root-ca.pem", c_root, 1) || write_key(dir, "root-ca.key", &root.key) ||
        write_certs(dir, "issuing-ca.pem", c_iss, 1) ||
        write_key(dir, "issuing-ca.key", &iss.key) || write_certs(dir, "ra-ca.pem", c_raca, 1) ||
        write_key(dir, "ra-ca.key", &raca.key) || write_certs(dir, "server.pem", c_server, 2) ||
        write_key(dir, "server.key", &server.key) || write_certs(dir, "ra.pem", c_ra, 3) ||
        write_key(dir, "ra.key", &ra.key) || write_certs(dir, "foreign-ra.pem", c_fra, 2) ||
        write_key(dir, "foreign-ra.key", &fra.key) || write_certs(dir, "ra-ec.pem", c_raec, 3) ||
        write_key(dir, "ra-ec.key", &raec.key) || write_ra_p12(srv, dir, &ra, &raca, &root) ||
        /* trust.pem last: its presence marks a complete PKI. */
        write_certs(dir, "trust.pem", c_root, 1))
        goto out;
    rc = 0;
out:
    pkiws__buf_dispose(&sl.items);
    pkiws__buf_dispose(&san);
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(all); i++)
        made_free(all[i]);
    return rc;
}

static int load_crt(mbedtls_x509_crt *crt, const char *dir, const char *name)
{
    char path[4096];
    if (path_join(path, sizeof path, dir, name))
        return -1;
    int ret = mbedtls_x509_crt_parse_file(crt, path);
    if (ret != 0) {
        char m[128];
        mbedtls_strerror(ret, m, sizeof m);
        fprintf(stderr, "pkiws-sim: cannot read %s: %s (-0x%04X)\n", path, m,
                (unsigned)(ret < 0 ? -ret : ret));
        return -1;
    }
    return 0;
}

static int load_key(mbedtls_pk_context *pk, const char *dir, const char *name)
{
    char path[4096];
    if (path_join(path, sizeof path, dir, name))
        return -1;
    int ret = mbedtls_pk_parse_keyfile(pk, path, NULL);
    if (ret != 0) {
        char m[128];
        mbedtls_strerror(ret, m, sizeof m);
        fprintf(stderr, "pkiws-sim: cannot read %s: %s (-0x%04X)\n", path, m, (unsigned)-ret);
        return -1;
    }
    return 0;
}

int sim_pki_init(sim_server *srv, const char *dir)
{
    sim_pki *pki = &srv->pki;
    mbedtls_x509_crt_init(&pki->root);
    mbedtls_x509_crt_init(&pki->issuing);
    mbedtls_x509_crt_init(&pki->ra_ca);
    mbedtls_x509_crt_init(&pki->server_chain);
    mbedtls_pk_init(&pki->root_key);
    mbedtls_pk_init(&pki->issuing_key);
    mbedtls_pk_init(&pki->server_key);

    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "pkiws-sim: cannot create the state directory %s: %s\n", dir,
                strerror(errno));
        return -1;
    }
    char path[4096];
    if (path_join(path, sizeof path, dir, ".lock"))
        return -1;
    /* Two simulators started on one fresh directory must not both generate. */
    int lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0 || flock(lock, LOCK_EX) != 0) {
        fprintf(stderr, "pkiws-sim: cannot lock %s: %s\n", path, strerror(errno));
        if (lock >= 0)
            close(lock);
        return -1;
    }
    size_t present = 0;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(pki_files); i++) {
        struct stat st;
        if (path_join(path, sizeof path, dir, pki_files[i]) == 0 && stat(path, &st) == 0)
            present++;
    }
    int rc = 0;
    if (present != PKIWS_ARRAY_LEN(pki_files)) {
        if (present)
            sim_log(NULL, "the PKI in %s is incomplete (%zu of %zu files): making a new one", dir,
                    present, PKIWS_ARRAY_LEN(pki_files));
        rc = generate(srv, dir);
    }
    if (rc == 0)
        rc = load_crt(&pki->root, dir, "root-ca.pem") ||
                     load_crt(&pki->issuing, dir, "issuing-ca.pem") ||
                     load_crt(&pki->ra_ca, dir, "ra-ca.pem") ||
                     load_crt(&pki->server_chain, dir, "server.pem") ||
                     load_key(&pki->root_key, dir, "root-ca.key") ||
                     load_key(&pki->issuing_key, dir, "issuing-ca.key") ||
                     load_key(&pki->server_key, dir, "server.key")
                 ? -1
                 : 0;
    flock(lock, LOCK_UN);
    close(lock);
    if (rc)
        return -1;
    char dn[512];
    if (mbedtls_x509_dn_gets(dn, sizeof dn, &pki->issuing.subject) < 0)
        return -1;
    pki->issuing_dn = pkiws__strdup(dn);
    return pki->issuing_dn ? 0 : -1;
}

void sim_pki_free(sim_pki *pki)
{
    mbedtls_x509_crt_free(&pki->root);
    mbedtls_x509_crt_free(&pki->issuing);
    mbedtls_x509_crt_free(&pki->ra_ca);
    mbedtls_x509_crt_free(&pki->server_chain);
    mbedtls_pk_free(&pki->root_key);
    mbedtls_pk_free(&pki->issuing_key);
    mbedtls_pk_free(&pki->server_key);
    pkiws__free(pki->issuing_dn);
    pki->issuing_dn = NULL;
}
