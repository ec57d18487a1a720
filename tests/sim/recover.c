/* SPDX-License-Identifier: MIT */
/* Escrowed keys: the key a profile with keyEscrowEnabled makes for the requester (answered as a
 * PKCS#12 with its pKCS12Password), and keyRecovery of the certificate-management service
 * (requestKeyRecoveryMessage → requestKeyRecoveryResponseMessage). Approval model (README
 * "Key escrow and recovery"): every distinct adminID that asks is one approval; a key needs
 * two with --dual-admin or a profile whose keyRecoveryDualAdminApprovalRequired is true, else
 * one. Until then the answer carries adminApprovalPendingCount and no PKCS#12. */
#include "sim.h"

enum {
    SIM_EC_RECOVER_UNKNOWN = 4001,  /* no certificate with this serial and issuer */
    SIM_EC_RECOVER_NO_ESCROW = 4002 /* the certificate's key was not made here */
};

void sim_escrow_password(sim_server *srv, char out[17])
{
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    unsigned char rnd[16];
    sim_rng(srv, rnd, sizeof rnd);
    for (size_t i = 0; i < 16; i++)
        out[i] = alphabet[rnd[i] % (sizeof alphabet - 1)];
    out[16] = 0;
}

int sim_escrow_keygen(const sim_profile *p, pkiws_buf *key, pkiws_buf *csr_b64, sim_error *e)
{
    const pkiws__template *t = p->tpl;
    int type = t->key_is_ec         ? (t->key_size == 384 ? PKIWS_KEY_EC_P384 : PKIWS_KEY_EC_P256)
               : t->key_size > 3072 ? PKIWS_KEY_RSA4096
               : t->key_size > 2048 ? PKIWS_KEY_RSA3072
                                    : PKIWS_KEY_RSA2048;
    pkiws__key *k = NULL;
    pkiws_buf der = PKIWS_BUF_INIT;
    pkiws__dn_part dn = {"CN", "pkiws-sim escrowed key"};
    key->secret = 1;
    int rc = pkiws__key_generate(type, &k);
    if (!rc)
        rc = pkiws__key_pkcs8_der(k, key);
    if (!rc)
        rc = pkiws__csr_build(k, &dn, 1, NULL, 0, PKIWS__CSR_KU_DS_KE, &der);
    if (!rc)
        rc = pkiws__b64_encode(der.data, der.len, csr_b64);
    pkiws__key_free(k);
    pkiws__buf_dispose(&der);
    if (rc)
        return sim_err(e, SIM_EC_KEY, "cannot make the escrowed key: %s", pkiws__err_message());
    return 0;
}

int sim_escrow_pfx(sim_server *srv, const uint8_t *key, size_t key_len, const uint8_t *cert,
                   size_t cert_len, const char *password, pkiws_buf *b64)
{
    pkiws__key *k = NULL;
    pkiws__cert *leaf = NULL;
    pkiws__certlist chain = {0};
    pkiws_buf pfx = PKIWS_BUF_INIT;
    pfx.secret = 1;
    b64->secret = 1;
    int rc = pkiws__key_parse(key, key_len, NULL, &k);
    if (!rc)
        rc = pkiws__cert_from_der(cert, cert_len, &leaf);
    const mbedtls_x509_crt *cas[2] = {&srv->pki.issuing, &srv->pki.root};
    for (size_t i = 0; i < 2 && !rc; i++) {
        pkiws__cert *c = NULL;
        rc = pkiws__cert_from_der(cas[i]->raw.p, cas[i]->raw.len, &c);
        if (!rc)
            rc = pkiws__certlist_add(&chain, c);
    }
    /* the legacy preset, as an older CA would make it: the client re-packages it anyway */
    pkiws__pfx_opts opts = {PKIWS_PFX_LEGACY, password, "pkiws-sim escrowed key", 0};
    if (!rc)
        rc = pkiws__pfx_write(k, leaf, &chain, &opts, &pfx);
    if (!rc)
        rc = pkiws__b64_encode(pfx.data, pfx.len, b64);
    pkiws__key_free(k);
    pkiws__cert_free(leaf);
    pkiws__certlist_dispose(&chain);
    pkiws__buf_dispose(&pfx);
    return rc;
}

/* The i-th RDN of a DN "A=a, B=b" (blanks around it skipped): start and length. */
static int rdn_at(const char *dn, size_t i, const char **p, size_t *n)
{
    for (;; i--) {
        while (*dn == ' ')
            dn++;
        size_t len = strcspn(dn, ",");
        if (i == 0) {
            while (len && dn[len - 1] == ' ')
                len--;
            *p = dn;
            *n = len;
            return 1;
        }
        dn += len;
        if (!*dn++)
            return 0;
    }
}

static size_t rdn_count(const char *dn)
{
    size_t n = 1;
    for (; *dn; dn++)
        n += *dn == ',';
    return n;
}

/* DNs equal up to case and blanks, in either RDN order (mbedTLS and RFC 2253 print them
 * reversed to each other). */
static int dn_eq(const char *a, const char *b)
{
    size_t na = rdn_count(a), nb = rdn_count(b);
    if (na != nb)
        return 0;
    for (int rev = 0; rev < 2; rev++) {
        size_t i = 0;
        for (; i < na; i++) {
            const char *pa, *pb;
            size_t la, lb;
            if (!rdn_at(a, i, &pa, &la) || !rdn_at(b, rev ? na - 1 - i : i, &pb, &lb) || la != lb ||
                !pkiws__strncaseeq(pa, pb, la))
                break;
        }
        if (i == na)
            return 1;
    }
    return 0;
}

/* With the lock held: the approvals so far after adding admin (distinct ids). */
static int approve(sim_issued *c, const char *admin)
{
    for (size_t i = 0; i < c->napprovers; i++)
        if (!strcmp(c->approvers[i], admin))
            return (int)c->napprovers;
    char **v = pkiws__realloc(c->approvers, (c->napprovers + 1) * sizeof *v);
    if (!v)
        return -1;
    c->approvers = v;
    if (!(v[c->napprovers] = pkiws__strdup(admin)))
        return -1;
    return (int)++c->napprovers;
}

int sim_svc_key_recovery(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *body,
                         sim_response *resp, sim_error *e)
{
    const char *txid = sim_child_text(doc, body, PKIWS_NS_MGMT, "clientTransactionID");
    const char *serial = sim_child_text(doc, body, PKIWS_NS_MGMT, "certificateSerialNumber");
    const char *issuer = sim_child_text(doc, body, PKIWS_NS_MGMT, "certificateIssuer");
    const char *admin = sim_child_text(doc, body, PKIWS_NS_MGMT, "adminID");
    const pkiws_xml_node *pwn = pkiws__xml_child(body, PKIWS_NS_MGMT, "pKCS12Password");
    const char *given_pw = pwn ? (pwn->text ? pwn->text : "") : NULL;
    if (sim_check_txid(txid, e))
        return -1;
    if (!serial || !*serial || !issuer || !*issuer || !admin || !*admin)
        return sim_err_client(e, SIM_EC_MISSING,
                              "keyRecovery needs certificateSerialNumber, certificateIssuer and "
                              "adminID");
    char clip[120];
    if (!dn_eq(issuer, srv->pki.issuing_dn))
        return sim_err(e, SIM_EC_RECOVER_UNKNOWN, "keyRecovery: issuer '%s' is not this CA (%s)",
                       sim_clip(issuer, 100, clip, sizeof clip), srv->pki.issuing_dn);
    sim_store *s = &srv->store;
    pkiws_buf key = PKIWS_BUF_INIT, cert = PKIWS_BUF_INIT;
    key.secret = 1;
    int pending = 0, rc = 0;
    char found[41] = "";
    pthread_mutex_lock(&s->lock);
    sim_issued *c = NULL;
    for (size_t i = 0; i < s->ncerts && !c; i++)
        if (sim_serial_eq(s->certs[i].serial, serial))
            c = &s->certs[i];
    if (!c) {
        rc = sim_err(e, SIM_EC_RECOVER_UNKNOWN, "keyRecovery: no certificate with serial %s",
                     sim_clip(serial, 100, clip, sizeof clip));
    } else if (!c->escrow_key) {
        rc = sim_err(e, SIM_EC_RECOVER_NO_ESCROW,
                     "keyRecovery: the key of certificate %s is not escrowed (profile %s does "
                     "not generate keys)",
                     c->serial, c->profile_oid);
    } else {
        const sim_profile *p = sim_catalogue_find(&srv->cat, c->profile_oid);
        int need = srv->opt.dual_admin || (p && p->dual_admin) ? 2 : 1;
        int have = approve(c, admin);
        memcpy(found, c->serial, sizeof found);
        if (have < 0)
            rc = sim_err(e, SIM_EC_MALFORMED, "out of memory");
        else if (have < need)
            pending = need - have;
        else if (pkiws__buf_append(&key, c->escrow_key, c->escrow_len) ||
                 pkiws__buf_append(&cert, c->der, c->der_len))
            rc = sim_err(e, SIM_EC_MALFORMED, "out of memory");
    }
    pthread_mutex_unlock(&s->lock);
    char gen_pw[17] = "";
    pkiws_buf b64 = PKIWS_BUF_INIT;
    if (!rc && !pending) {
        if (!given_pw)
            sim_escrow_password(srv, gen_pw);
        if (sim_escrow_pfx(srv, key.data, key.len, cert.data, cert.len,
                           given_pw ? given_pw : gen_pw, &b64) != PKIWS_OK)
            rc = sim_err(e, SIM_EC_KEY, "cannot write the PKCS#12: %s", pkiws__err_message());
    }
    pkiws__buf_dispose(&key);
    pkiws__buf_dispose(&cert);
    if (!rc) {
        char stx[21], cnt[16];
        sim_server_txid(srv, stx);
        snprintf(cnt, sizeof cnt, "%d", pending);
        pkiws_xml_writer w;
        sim_soap_begin(&w);
        w.out.secret = 1;
        pkiws__xmlw_start(&w, "ns2:requestKeyRecoveryResponseMessage");
        pkiws__xmlw_attr(&w, "xmlns:ns2", PKIWS_NS_MGMT);
        if (txid)
            pkiws__xmlw_leaf(&w, "ns2:clientTransactionID", txid);
        pkiws__xmlw_leaf(&w, "ns2:serverTransactionID", stx);
        pkiws__xmlw_leaf(&w, "ns2:adminApprovalPendingCount", cnt);
        if (!pending && !given_pw)
            pkiws__xmlw_leaf(&w, "ns2:pKCS12Password", gen_pw);
        if (!pending)
            pkiws__xmlw_leaf(&w, "ns2:pKCS12Message", pkiws__buf_cstr(&b64));
        pkiws__xmlw_leaf(&w, "ns2:version", "1.0");
        pkiws__xmlw_end(&w);
        if (sim_soap_end(&w, &resp->body) != PKIWS_OK)
            rc = sim_err(e, SIM_EC_MALFORMED, "cannot write the answer: %s", pkiws__err_message());
        pkiws__xmlw_dispose(&w);
        if (!rc)
            sim_log(srv, "keyRecovery of %s by %s: %s", found, admin,
                    pending ? "pending approval" : "key recovered");
    }
    pkiws__zeroize(gen_pw, sizeof gen_pw);
    pkiws__buf_dispose(&b64);
    return rc ? -1 : 0;
}
