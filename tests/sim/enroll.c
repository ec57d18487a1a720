/* SPDX-License-Identifier: MIT */
/* Enrollment service: RequestSecurityToken with requestType Issue, Renew or QueryTokenStatus;
 * RequestSecurityTokenResponse, or ...Collection when SOAPAction ends in requestSecurityToken2. */
#include "sim.h"

#include <time.h>

#define PENDING_TEXT "The request is pending administrator approval."

typedef struct answer {
    const char *txid;
    const char *token_type; /* requested tokenType, or NULL */
    int collection;
    /* exactly one of: */
    uint8_t *cert_der; /* issued end-entity certificate (owned) */
    size_t cert_len;
    uint8_t *key; /* escrow profiles: the key the service made, PKCS#8 DER (owned, secret) */
    size_t key_len;
    char pending_ref[48];
} answer;

static int token_bytes(sim_server *srv, const answer *a, pkiws_buf *out, const char **vt)
{
    if (a->token_type && !strcmp(a->token_type, SIM_TOKEN_X509)) {
        *vt = SIM_TOKEN_X509;
        return pkiws__buf_append(out, a->cert_der, a->cert_len);
    }
    *vt = SIM_TOKEN_PKCS7;
    /* certs-only SignedData: end entity, issuing CA, root */
    pkiws__certlist l = {0};
    const uint8_t *ders[3] = {a->cert_der, srv->pki.issuing.raw.p, srv->pki.root.raw.p};
    size_t lens[3] = {a->cert_len, srv->pki.issuing.raw.len, srv->pki.root.raw.len};
    int rc = PKIWS_OK;
    for (size_t i = 0; i < 3 && rc == PKIWS_OK; i++) {
        pkiws__cert *c = NULL;
        rc = pkiws__cert_from_der(ders[i], lens[i], &c);
        if (rc == PKIWS_OK)
            rc = pkiws__certlist_add(&l, c);
    }
    if (rc == PKIWS_OK)
        rc = pkiws__pkcs7_write(&l, out);
    pkiws__certlist_dispose(&l);
    return rc;
}

static int write_answer(sim_server *srv, const answer *a, const sim_active *f, sim_response *resp,
                        sim_error *e)
{
    char stx[21];
    sim_server_txid(srv, stx);
    pkiws_buf token = PKIWS_BUF_INIT, b64 = PKIWS_BUF_INIT;
    const char *vt = SIM_TOKEN_PKCS7;
    char pw[17] = "";
    if (a->cert_der && a->key) {
        /* server-side key: a PKCS#12 of key, certificate and chain, under a fresh password */
        vt = SIM_TOKEN_PKCS12;
        sim_escrow_password(srv, pw);
        if (sim_escrow_pfx(srv, a->key, a->key_len, a->cert_der, a->cert_len, pw, &b64)) {
            pkiws__buf_dispose(&b64);
            return sim_err(e, SIM_EC_KEY, "cannot write the PKCS#12: %s", pkiws__err_message());
        }
        if (f && (f->not_pkcs7 || f->empty_token)) {
            pkiws__buf_clear(&b64);
            if (f->not_pkcs7)
                pkiws__b64_encode((const uint8_t *)"not a PKCS#12", 13, &b64);
        }
    } else if (a->cert_der) {
        if (token_bytes(srv, a, &token, &vt) != PKIWS_OK) {
            pkiws__buf_dispose(&token);
            return sim_err(e, SIM_EC_BAD_VALUE, "cannot write the token: %s", pkiws__err_message());
        }
        if (f && f->not_pkcs7) {
            pkiws__buf_clear(&token);
            pkiws__buf_puts(&token, "pkiws-sim --fault not-pkcs7: these bytes are neither a "
                                    "PKCS#7 structure nor a certificate");
        }
        if (!(f && f->empty_token))
            pkiws__b64_encode(token.data, token.len, &b64);
    }
    pkiws_xml_writer w;
    sim_soap_begin(&w);
    if (a->collection) {
        pkiws__xmlw_start(&w, "ns2:RequestSecurityTokenResponseCollection");
        pkiws__xmlw_attr(&w, "xmlns:ns2", PKIWS_NS_WST);
        pkiws__xmlw_attr(&w, "xmlns:ns3", PKIWS_NS_ENROLL);
        pkiws__xmlw_start(&w, "ns2:RequestSecurityTokenResponse");
    } else {
        pkiws__xmlw_start(&w, "ns2:RequestSecurityTokenResponse");
        pkiws__xmlw_attr(&w, "xmlns:ns2", PKIWS_NS_WST);
        pkiws__xmlw_attr(&w, "xmlns:ns3", PKIWS_NS_ENROLL);
    }
    pkiws__xmlw_start(&w, "ns3:RequestVSSecurityTokenResponse");
    if (a->txid)
        pkiws__xmlw_leaf(&w, "ns3:clientTransactionID", a->txid);
    pkiws__xmlw_leaf(&w, "ns3:serverTransactionID", stx);
    if (a->cert_der) {
        pkiws__xmlw_leaf(&w, "ns3:tokenType", vt);
        pkiws__xmlw_start(&w, "ns3:requestedVSSecurityToken");
        pkiws__xmlw_start(&w, "ns3:binarySecurityToken");
        pkiws__xmlw_attr(&w, "ValueType", vt);
        pkiws__xmlw_attr(&w, "EncodingType", SIM_ENCODING_B64);
        pkiws__xmlw_text(&w, pkiws__buf_cstr(&b64));
        pkiws__xmlw_end(&w);
        if (a->key)
            pkiws__xmlw_leaf(&w, "ns3:pKCS12Password", pw);
        pkiws__xmlw_end(&w);
    } else {
        pkiws__xmlw_leaf(&w, "ns3:dispositionMessage", PENDING_TEXT);
        pkiws__xmlw_start(&w, "ns3:requestedVSSecurityToken");
        pkiws__xmlw_leaf(&w, "ns3:pendingTokenReferenceID", a->pending_ref);
        pkiws__xmlw_end(&w);
    }
    pkiws__xmlw_leaf(&w, "ns3:version", "2.0");
    pkiws__xmlw_end(&w); /* RequestVSSecurityTokenResponse */
    pkiws__xmlw_end(&w); /* RequestSecurityTokenResponse */
    if (a->collection)
        pkiws__xmlw_end(&w);
    int rc = sim_soap_end(&w, &resp->body);
    pkiws__xmlw_dispose(&w);
    pkiws__buf_dispose(&token);
    pkiws__buf_dispose(&b64);
    pkiws__zeroize(pw, sizeof pw);
    if (rc != PKIWS_OK)
        return sim_err(e, SIM_EC_MALFORMED, "cannot write the answer: %s", pkiws__err_message());
    return 0;
}

static int soap_action_is_rst2(const char *sa)
{
    if (!sa)
        return 0;
    size_t n = strlen(sa);
    while (n && (sa[n - 1] == '"' || sa[n - 1] == ' '))
        n--;
    static const char suffix[] = "requestSecurityToken2";
    return n >= sizeof suffix - 1 &&
           !memcmp(sa + n - (sizeof suffix - 1), suffix, sizeof suffix - 1);
}

static int copy_cert(sim_store *s, long idx, answer *a)
{
    a->cert_der = pkiws__memdup(s->certs[idx].der, s->certs[idx].der_len);
    a->cert_len = s->certs[idx].der_len;
    if (s->certs[idx].escrow_key) { /* the same escrowed key again */
        a->key = pkiws__memdup(s->certs[idx].escrow_key, s->certs[idx].escrow_len);
        a->key_len = s->certs[idx].escrow_len;
        if (!a->key)
            return -1;
    }
    return a->cert_der ? 0 : -1;
}

static void new_ref(sim_store *s, char out[48])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(out, 48, "PND-%04d%02d%02d-%06lu", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             ++s->pending_seq);
}

/* nameValuePairs of the request, in order. */
static int read_nvps(pkiws_xml_doc *doc, const pkiws_xml_node *rq, sim_nvp **out, size_t *n,
                     sim_error *e)
{
    *out = NULL;
    *n = 0;
    size_t count = 0;
    for (const pkiws_xml_node *c = pkiws__xml_child(rq, PKIWS_NS_ENROLL, "nameValuePair"); c;
         c = pkiws__xml_next_named(c, PKIWS_NS_ENROLL, "nameValuePair"))
        count++;
    if (count > 256)
        return sim_err_client(e, SIM_EC_INVALID, "%zu nameValuePairs: at most 256 are accepted",
                              count);
    if (!count)
        return 0;
    sim_nvp *v = pkiws__calloc(count, sizeof *v);
    if (!v)
        return sim_err(e, SIM_EC_MALFORMED, "out of memory");
    size_t i = 0;
    for (const pkiws_xml_node *c = pkiws__xml_child(rq, PKIWS_NS_ENROLL, "nameValuePair"); c;
         c = pkiws__xml_next_named(c, PKIWS_NS_ENROLL, "nameValuePair"), i++) {
        const char *name = sim_child_text(doc, c, PKIWS_NS_ENROLL, "name");
        const char *value = sim_child_text(doc, c, PKIWS_NS_ENROLL, "value");
        if (!name || !*name) {
            sim_nvps_free(v, count);
            return sim_err_client(e, SIM_EC_MISSING, "nameValuePair #%zu has no vs:name element",
                                  i + 1);
        }
        v[i].name = pkiws__strdup(name);
        v[i].value = pkiws__strdup(value ? value : "");
        if (!v[i].name || !v[i].value) {
            sim_nvps_free(v, count);
            return sim_err(e, SIM_EC_MALFORMED, "out of memory");
        }
    }
    *out = v;
    *n = count;
    return 0;
}

static sim_nvp *nvps_dup(const sim_nvp *v, size_t n)
{
    sim_nvp *d = pkiws__calloc(n ? n : 1, sizeof *d);
    for (size_t i = 0; d && i < n; i++) {
        d[i].name = pkiws__strdup(v[i].name);
        d[i].value = pkiws__strdup(v[i].value);
        if (!d[i].name || !d[i].value) {
            sim_nvps_free(d, n);
            return NULL;
        }
    }
    return d;
}

/* An earlier request with this clientTransactionID: 1 answered from it, 0 none, -1 fault. */
static int replay(sim_server *srv, const char *txid, const sim_profile *p, const sim_csr *csr,
                  answer *a, sim_error *e)
{
    sim_store *s = &srv->store;
    sim_txid *t = sim_store_find_txid(s, txid);
    if (!t)
        return 0;
    /* escrow profiles: the key is made here afresh for every request, so only the profile */
    if (strcmp(t->profile_oid, p->oid) != 0 ||
        (!p->escrow && memcmp(t->key_hash, csr->key_hash, 32) != 0))
        return sim_err(e, SIM_EC_TXID_REUSED,
                       "clientTransactionID %s was already used for a different request "
                       "(another profile or another public key)",
                       txid);
    if (t->issued_index >= 0) {
        if (copy_cert(s, t->issued_index, a))
            return sim_err(e, SIM_EC_MALFORMED, "out of memory");
        atomic_fetch_add(&srv->stats.reissued, 1);
        sim_log(srv, "clientTransactionID %s seen before: the certificate %s again", txid,
                s->certs[t->issued_index].serial);
        return 1;
    }
    snprintf(a->pending_ref, sizeof a->pending_ref, "%s", s->pend[t->pending_index].ref);
    return 1;
}

/* The old certificate of a Renew request (a binarySecurityToken of ValueType X509v3, base64
 * DER or PEM): its index in the store, or -1 with the fault. With the lock held. */
static long renew_find_old(sim_server *srv, const char *text, const sim_profile *p, sim_error *e)
{
    size_t tl;
    const char *t = pkiws__trim(text, strlen(text), &tl);
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int ret = -1;
    if (tl > 10 && !memcmp(t, "-----BEGIN", 10)) {
        char *pem = pkiws__strndup(t, tl);
        if (pem)
            ret = mbedtls_x509_crt_parse(&crt, (const unsigned char *)pem, tl + 1);
        pkiws__free(pem);
    } else {
        pkiws_buf der = PKIWS_BUF_INIT;
        if (tl && pkiws__b64_decode(t, tl, &der) == PKIWS_OK)
            ret = mbedtls_x509_crt_parse_der(&crt, der.data, der.len);
        pkiws__buf_dispose(&der);
    }
    if (ret != 0) {
        mbedtls_x509_crt_free(&crt);
        sim_err_client(e, SIM_EC_INVALID,
                       "Renew: the X509v3 binarySecurityToken is not a certificate (base64 DER "
                       "or PEM)");
        return -1;
    }
    sim_store *s = &srv->store;
    long idx = -1;
    for (size_t i = 0; i < s->ncerts; i++)
        if (s->certs[i].der_len == crt.raw.len && !memcmp(s->certs[i].der, crt.raw.p, crt.raw.len))
            idx = (long)i;
    mbedtls_x509_crt_free(&crt);
    if (idx < 0) {
        sim_err(e, SIM_EC_RENEW_UNKNOWN,
                "Renew: the certificate to renew was not issued by this CA");
        return -1;
    }
    const sim_issued *c = &s->certs[idx];
    if (c->status != SIM_VALID) {
        sim_err(e, SIM_EC_RENEW_STATE, "Renew: certificate %s is %s and cannot be renewed",
                c->serial, c->status == SIM_REVOKED ? "revoked" : "suspended");
        return -1;
    }
    if ((int64_t)time(NULL) > c->not_after) {
        sim_err(e, SIM_EC_RENEW_STATE, "Renew: certificate %s has expired and cannot be renewed",
                c->serial);
        return -1;
    }
    if (strcmp(c->profile_oid, p->oid) != 0) {
        sim_err(e, SIM_EC_RENEW_STATE, "Renew: certificate %s belongs to profile %s, not to %s",
                c->serial, c->profile_oid, p->oid);
        return -1;
    }
    return idx;
}

static int do_issue(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *rq,
                    const sim_profile *p, const sim_active *f, answer *a, sim_error *e, int renew)
{
    if (a->token_type && !strcmp(a->token_type, SIM_TOKEN_PKCS12) && !p->escrow)
        return sim_err(e, SIM_EC_UNSUPPORTED,
                       "tokenType PKCS12 (a key made by the service) is not offered by profile %s; "
                       "send a PKCS#10 request",
                       p->oid);
    /* Issue: one token, the PKCS#10 request. Renew: the PKCS#10 request and the old
     * certificate (ValueType X509v3), in any order. */
    const pkiws_xml_node *bst = NULL, *old = NULL;
    for (const pkiws_xml_node *c = pkiws__xml_child(rq, PKIWS_NS_ENROLL, "binarySecurityToken"); c;
         c = pkiws__xml_next_named(c, PKIWS_NS_ENROLL, "binarySecurityToken")) {
        const char *vt = pkiws__xml_attr(c, "", "ValueType");
        if (renew && vt && !strcmp(vt, SIM_TOKEN_X509) && !old) {
            old = c;
        } else if ((!vt || !strcmp(vt, SIM_VALUE_PKCS10)) && !bst) {
            bst = c;
        } else {
            char clip[160];
            return sim_err_client(
                e, SIM_EC_INVALID, "binarySecurityToken ValueType '%s' is not %s%s",
                vt ? sim_clip(vt, 150, clip, sizeof clip) : "(none)", SIM_VALUE_PKCS10,
                renew ? " or, once, the old certificate's X509v3" : "");
        }
    }
    /* Escrow profiles make the key here: a PKCS#10 sent anyway is ignored (whether the real
     * service wants one is not known, protocol.md §2.2). */
    if (!bst && !p->escrow)
        return sim_err_client(e, SIM_EC_MISSING,
                              "requestType %s needs a vs:binarySecurityToken with the PKCS#10 "
                              "request",
                              renew ? "Renew" : "Issue");
    if (renew && !old)
        return sim_err_client(e, SIM_EC_MISSING,
                              "requestType Renew needs a vs:binarySecurityToken with ValueType "
                              "%s: the certificate to renew",
                              SIM_TOKEN_X509);
    const char *token = bst ? pkiws__xml_text_trim(doc, bst) : NULL;
    sim_nvp *nvps = NULL;
    size_t nnvps = 0;
    sim_csr csr;
    memset(&csr, 0, sizeof csr);
    mbedtls_x509_csr_init(&csr.csr);
    int rc = -1;
    sim_issued cert;
    memset(&cert, 0, sizeof cert);
    pkiws_buf esc_key = PKIWS_BUF_INIT, esc_csr = PKIWS_BUF_INIT;
    if (p->escrow) {
        if (sim_escrow_keygen(p, &esc_key, &esc_csr, e))
            goto out;
        token = pkiws__buf_cstr(&esc_csr);
    }
    if (sim_csr_parse(token ? token : "", &csr, e))
        goto out;
    if (read_nvps(doc, rq, &nvps, &nnvps, e))
        goto out;
    /* A renewal is not held for approval: the seat was approved for the old certificate. */
    /* Nor is an escrow request (the escrowed key is made now, not at approval time), unless
     * --escrow-pending: then the key made now is kept with the pending request. */
    long long polls = renew             ? 0
                      : p->escrow       ? srv->opt.escrow_pending
                      : f && f->pending ? f->pending_polls
                      : p->pending      ? 1
                                        : 0;

    sim_store *s = &srv->store;
    if (a->txid) {
        pthread_mutex_lock(&s->lock);
        int r = replay(srv, a->txid, p, &csr, a, e);
        pthread_mutex_unlock(&s->lock);
        if (r) {
            rc = r > 0 ? 0 : -1;
            goto out;
        }
    }
    if (polls > 0) {
        /* Check everything now; the certificate is made when the request is approved. */
        if (sim_issue(srv, p, &csr, nvps, nnvps, 1, &cert, e))
            goto out;
        sim_pending pe;
        memset(&pe, 0, sizeof pe);
        pe.profile_oid = pkiws__strdup(p->oid);
        pe.txid = a->txid ? pkiws__strdup(a->txid) : NULL;
        pe.csr_text = pkiws__strdup(token);
        pe.nvps = nvps_dup(nvps, nnvps);
        pe.nnvps = nnvps;
        pe.polls_left = polls;
        pe.issued_index = -1;
        if (p->escrow) {
            pe.escrow_key = pkiws__memdup(esc_key.data, esc_key.len);
            pe.escrow_len = esc_key.len;
        }
        pthread_mutex_lock(&s->lock);
        int r = a->txid ? replay(srv, a->txid, p, &csr, a, e) : 0;
        if (r == 0) {
            new_ref(s, pe.ref);
            snprintf(a->pending_ref, sizeof a->pending_ref, "%s", pe.ref);
            long idx = -1;
            if (pe.profile_oid && pe.csr_text && pe.nvps && (!a->txid || pe.txid) &&
                (!p->escrow || pe.escrow_key))
                idx = sim_store_add_pending(s, &pe);
            if (idx < 0 ||
                (a->txid && sim_store_add_txid(s, a->txid, p->oid, csr.key_hash, -1, idx) != 0))
                r = sim_err(e, SIM_EC_MALFORMED, "out of memory");
            else
                atomic_fetch_add(&srv->stats.pending, 1);
        }
        pthread_mutex_unlock(&s->lock);
        pkiws__free(pe.profile_oid);
        pkiws__free(pe.txid);
        pkiws__free(pe.csr_text);
        sim_nvps_free(pe.nvps, pe.nnvps);
        pkiws__free_secret(pe.escrow_key, pe.escrow_len);
        if (r < 0)
            goto out;
        if (r == 0)
            sim_log(srv, "profile %s: request pending as %s (%lld polls)", p->oid, a->pending_ref,
                    polls);
        rc = 0;
        goto out;
    }
    char old_seat[256] = "", old_serial[41] = "";
    if (renew) {
        pthread_mutex_lock(&s->lock);
        const char *ot = pkiws__xml_text_trim(doc, old);
        long oi = renew_find_old(srv, ot ? ot : "", p, e);
        if (oi >= 0) {
            snprintf(old_seat, sizeof old_seat, "%s", s->certs[oi].seat ? s->certs[oi].seat : "");
            memcpy(old_serial, s->certs[oi].serial, sizeof old_serial);
        }
        pthread_mutex_unlock(&s->lock);
        if (oi < 0)
            goto out;
    }
    if (sim_issue(srv, p, &csr, nvps, nnvps, 0, &cert, e))
        goto out;
    if (renew && strcmp(cert.seat ? cert.seat : "", old_seat) != 0) {
        char clip[160];
        sim_err(e, SIM_EC_RENEW_STATE,
                "Renew: certificate %s belongs to seat '%s'; the request names seat '%s'",
                old_serial, old_seat, sim_clip(cert.seat ? cert.seat : "", 150, clip, sizeof clip));
        goto out;
    }
    pthread_mutex_lock(&s->lock);
    /* A concurrent request with the same clientTransactionID may have won. */
    int r = a->txid ? replay(srv, a->txid, p, &csr, a, e) : 0;
    if (r == 0 && p->escrow) {
        cert.escrow_key = pkiws__memdup(esc_key.data, esc_key.len);
        cert.escrow_len = esc_key.len;
        a->key = pkiws__memdup(esc_key.data, esc_key.len);
        a->key_len = esc_key.len;
        if (!cert.escrow_key || !a->key)
            r = sim_err(e, SIM_EC_MALFORMED, "out of memory");
    }
    if (r == 0) {
        a->cert_der = pkiws__memdup(cert.der, cert.der_len);
        a->cert_len = cert.der_len;
        char serial[41];
        memcpy(serial, cert.serial, sizeof serial);
        long idx = a->cert_der ? sim_store_add_cert(s, &cert) : -1;
        if (idx < 0 ||
            (a->txid && sim_store_add_txid(s, a->txid, p->oid, csr.key_hash, idx, -1) != 0)) {
            r = sim_err(e, SIM_EC_MALFORMED, "out of memory");
        } else {
            atomic_fetch_add(&srv->stats.issued, 1);
            if (renew)
                sim_log(srv, "profile %s: renewed %s as %s", p->oid, old_serial, serial);
            else
                sim_log(srv, "profile %s: issued %s", p->oid, serial);
        }
    }
    pthread_mutex_unlock(&s->lock);
    rc = r < 0 ? -1 : 0;
out:
    sim_issued_dispose(&cert);
    sim_nvps_free(nvps, nnvps);
    sim_csr_free(&csr);
    pkiws__buf_dispose(&esc_key);
    pkiws__buf_dispose(&esc_csr);
    return rc;
}

static int do_query(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *rq,
                    const sim_profile *p, answer *a, sim_error *e)
{
    const char *ref = sim_child_text(doc, rq, PKIWS_NS_ENROLL, "pendingTokenReferenceID");
    if (!ref || !*ref)
        return sim_err_client(e, SIM_EC_MISSING,
                              "requestType QueryTokenStatus needs a vs:pendingTokenReferenceID");
    char clip[120];
    sim_store *s = &srv->store;
    int rc = 0;
    pthread_mutex_lock(&s->lock);
    sim_pending *pe = sim_store_find_pending(s, ref);
    if (!pe) {
        rc = sim_err(e, SIM_EC_PENDING_REF, "Unknown pendingTokenReferenceID '%s'",
                     sim_clip(ref, 100, clip, sizeof clip));
    } else if (strcmp(pe->profile_oid, p->oid) != 0) {
        rc = sim_err(e, SIM_EC_PENDING_REF,
                     "pendingTokenReferenceID '%s' belongs to profile %s, not to %s", pe->ref,
                     pe->profile_oid, p->oid);
    } else if (pe->issued_index >= 0) {
        rc = copy_cert(s, pe->issued_index, a);
        atomic_fetch_add(&srv->stats.reissued, 1);
    } else if (--pe->polls_left > 0) {
        snprintf(a->pending_ref, sizeof a->pending_ref, "%s", pe->ref);
    } else {
        /* Approved now: issue from what was checked at request time. */
        sim_csr csr;
        sim_issued cert;
        memset(&cert, 0, sizeof cert);
        rc = sim_csr_parse(pe->csr_text, &csr, e);
        if (!rc)
            rc = sim_issue(srv, p, &csr, pe->nvps, pe->nnvps, 0, &cert, e);
        if (!rc && pe->escrow_key) { /* the escrowed key goes to the certificate */
            cert.escrow_key = pe->escrow_key;
            cert.escrow_len = pe->escrow_len;
            pe->escrow_key = NULL;
            pe->escrow_len = 0;
        }
        if (!rc) {
            char serial[41];
            memcpy(serial, cert.serial, sizeof serial);
            long idx = sim_store_add_cert(s, &cert);
            if (idx < 0 || copy_cert(s, idx, a)) {
                rc = sim_err(e, SIM_EC_MALFORMED, "out of memory");
            } else {
                pe->issued_index = idx;
                sim_txid *t = pe->txid ? sim_store_find_txid(s, pe->txid) : NULL;
                if (t)
                    t->issued_index = idx;
                atomic_fetch_add(&srv->stats.issued, 1);
                sim_log(srv, "profile %s: %s approved, issued %s", p->oid, pe->ref, serial);
            }
        }
        sim_issued_dispose(&cert);
        sim_csr_free(&csr);
    }
    pthread_mutex_unlock(&s->lock);
    return rc ? -1 : 0;
}

int sim_svc_enroll(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *body,
                   const sim_http_request *req, const sim_active *f, sim_response *resp,
                   sim_error *e)
{
    const pkiws_xml_node *rq = pkiws__xml_child(body, PKIWS_NS_ENROLL, "requestVSSecurityToken");
    if (!rq)
        return sim_err_client(e, SIM_EC_MISSING,
                              "RequestSecurityToken must hold a {%s}requestVSSecurityToken",
                              PKIWS_NS_ENROLL);
    answer a;
    memset(&a, 0, sizeof a);
    a.collection = soap_action_is_rst2(req->soap_action);
    a.txid = sim_child_text(doc, rq, PKIWS_NS_ENROLL, "clientTransactionID");
    if (a.txid && !*a.txid)
        a.txid = NULL;
    if (sim_check_txid(a.txid, e))
        return -1;
    const char *oid = sim_child_text(doc, rq, PKIWS_NS_ENROLL, "certificateProfileID");
    const char *rtype = sim_child_text(doc, rq, PKIWS_NS_ENROLL, "requestType");
    a.token_type = sim_child_text(doc, rq, PKIWS_NS_ENROLL, "tokenType");
    char clip[160];
    if (!oid || !*oid)
        return sim_err_client(e, SIM_EC_MISSING, "vs:certificateProfileID is missing");
    if (!rtype)
        return sim_err_client(e, SIM_EC_MISSING, "vs:requestType is missing");
    if (a.token_type && strcmp(a.token_type, SIM_TOKEN_PKCS7) &&
        strcmp(a.token_type, SIM_TOKEN_X509) && strcmp(a.token_type, SIM_TOKEN_PKCS12))
        return sim_err_client(e, SIM_EC_INVALID, "tokenType '%s' is not one of the schema's",
                              sim_clip(a.token_type, 150, clip, sizeof clip));
    const sim_profile *p = sim_catalogue_find(&srv->cat, oid);
    if (!p) {
        sim_log(srv, "RequestSecurityToken: unknown profile OID '%s'",
                sim_clip(oid, 150, clip, sizeof clip));
        return sim_err(e, SIM_EC_NOT_UNDERSTOOD, SIM_NOT_UNDERSTOOD);
    }
    int rc;
    if (!strcmp(rtype, SIM_REQ_ISSUE))
        rc = do_issue(srv, doc, rq, p, f, &a, e, 0);
    else if (!strcmp(rtype, SIM_REQ_QUERY))
        rc = do_query(srv, doc, rq, p, &a, e);
    else if (!strcmp(rtype, SIM_REQ_RENEW))
        rc = do_issue(srv, doc, rq, p, f, &a, e, 1);
    else
        rc = sim_err_client(e, SIM_EC_INVALID, "requestType '%s' is not one of the schema's",
                            sim_clip(rtype, 150, clip, sizeof clip));
    if (rc == 0) {
        if (a.cert_der)
            resp->issued = 1;
        rc = write_answer(srv, &a, f, resp, e);
    }
    pkiws__free(a.cert_der);
    pkiws__free_secret(a.key, a.key_len);
    return rc;
}
