/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <stdio.h>

#include "core/enroll.h"
#include "proto/soap.h"

int pkiws__fetch_template_begin(pkiws__client *c, const char *oid, pkiws__exchange *x)
{
    memset(x, 0, sizeof *x);
    char txid[41];
    int rc = pkiws__client_random_txid("pol", txid);
    if (rc)
        return rc;
    pkiws_buf body = PKIWS_BUF_INIT;
    rc = pkiws__soap_get_policies(oid, txid, &body);
    if (rc) {
        pkiws__buf_dispose(&body);
        return rc;
    }
    return pkiws__exchange_prepare(c, x, PKIWS__SVC_POLICY, PKIWS__ACTION_POLICY, &body, txid, 1);
}

int pkiws__fetch_template(pkiws__client *c, const char *oid, pkiws__template **out,
                          pkiws__call_info *info)
{
    *out = NULL;
    pkiws__exchange x;
    pkiws_xml_doc *doc = NULL;
    int rc = pkiws__fetch_template_begin(c, oid, &x);
    if (!rc)
        rc = pkiws__exchange_run(&x, &doc);
    if (!rc)
        rc = pkiws__template_from_doc(doc, oid, out);
    *info = x.info;
    pkiws__xml_free(doc);
    pkiws__exchange_dispose(&x);
    return rc;
}

int pkiws__client_txid(const char *profile_oid, const char *seat, const pkiws__key *key,
                       char out[41])
{
    pkiws_buf in = PKIWS_BUF_INIT;
    pkiws__buf_puts(&in, profile_oid ? profile_oid : "");
    pkiws__buf_putc(&in, '\n');
    pkiws__buf_puts(&in, seat ? seat : "");
    pkiws__buf_putc(&in, '\n');
    int rc = pkiws__buf_status(&in);
    if (!rc)
        rc = pkiws__key_public_der(key, &in);
    if (rc) {
        pkiws__buf_dispose(&in);
        return rc;
    }
    uint8_t h[32];
    pkiws__sha256(in.data, in.len, h);
    pkiws__buf_dispose(&in);
    memcpy(out, "pkiws-", 6);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 17; i++) {
        out[6 + 2 * i] = hex[h[i] >> 4];
        out[7 + 2 * i] = hex[h[i] & 15];
    }
    out[40] = 0;
    return PKIWS_OK;
}

void pkiws__issue_outcome_dispose(pkiws__issue_outcome *o)
{
    pkiws__free(o->pending_ref);
    pkiws__free(o->client_txid);
    pkiws__free(o->server_txid);
    pkiws__free(o->disposition);
    pkiws__key_free(o->key);
    pkiws__cert_free(o->leaf);
    pkiws__certlist_dispose(&o->chain);
    pkiws__buf_dispose(&o->pfx);
    pkiws__free_secret(o->pfx_password, 0);
    memset(o, 0, sizeof *o);
}

int pkiws__pfx_password_generate(char **out)
{
    /* 20 characters from an unambiguous alphabet of 56: ~116 bits. Rejection sampling keeps
     * every character equally likely (256 is not a multiple of 56). */
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    const unsigned n = sizeof alphabet - 1, limit = 256 - 256 % n;
    char *p = pkiws__malloc(21);
    if (!p)
        return PKIWS_E_NOMEM;
    uint8_t rnd[32];
    size_t have = 0;
    while (have < 20) {
        int rc = pkiws__random(rnd, sizeof rnd);
        if (rc) {
            pkiws__free_secret(p, 21);
            return rc;
        }
        for (size_t i = 0; i < sizeof rnd && have < 20; i++)
            if (rnd[i] < limit)
                p[have++] = alphabet[rnd[i] % n];
    }
    p[20] = 0;
    pkiws__zeroize(rnd, sizeof rnd);
    *out = p;
    return PKIWS_OK;
}

static int same_cert(const pkiws__cert *a, const uint8_t *der, size_t len)
{
    size_t n;
    const uint8_t *d = pkiws__cert_der(a, &n);
    return n == len && memcmp(d, der, n) == 0;
}

/* The certificate is the leaf or already in the chain. */
static int in_chain(const pkiws__cert *leaf, const pkiws__certlist *chain, const uint8_t *der,
                    size_t len)
{
    int have = same_cert(leaf, der, len);
    for (size_t j = 0; j < chain->n && !have; j++)
        have = same_cert(chain->v[j], der, len);
    return have;
}

int pkiws__complete_chain(const pkiws__cert *leaf, pkiws__certlist *chain,
                          const pkiws__template *tpl)
{
    if (!tpl || !tpl->nca)
        return PKIWS_OK;
    /* A policy CA is parsed only when the chain lacks it, and at most once whatever the depth of
     * the chain; those not taken are freed at the end. */
    pkiws__cert **parsed = pkiws__calloc(tpl->nca, sizeof *parsed);
    uint8_t *state = pkiws__calloc(tpl->nca, 1); /* 0 not looked at, 1 parsed, 2 done with */
    if (!parsed || !state) {
        pkiws__free(parsed);
        pkiws__free(state);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory completing the chain");
    }
    int rc = PKIWS_OK, progress = 1;
    while (progress && rc == PKIWS_OK) {
        progress = 0;
        const pkiws__cert *last = chain->n ? chain->v[chain->n - 1] : leaf;
        if (pkiws__cert_self_signed(last))
            break;
        const char *want = pkiws__cert_get_info(last)->issuer;
        for (size_t i = 0; i < tpl->nca && !progress && rc == PKIWS_OK; i++) {
            if (state[i] == 0)
                state[i] = in_chain(leaf, chain, tpl->ca_der[i], tpl->ca_len[i]) ||
                                   pkiws__cert_parse(tpl->ca_der[i], tpl->ca_len[i], &parsed[i])
                               ? 2
                               : 1;
            if (state[i] != 1 || strcmp(pkiws__cert_get_info(parsed[i])->subject, want) != 0)
                continue;
            state[i] = 2;
            if (in_chain(leaf, chain, tpl->ca_der[i], tpl->ca_len[i]))
                continue; /* the same CA twice in the policy */
            rc = pkiws__certlist_add(chain, parsed[i]);
            parsed[i] = NULL;
            progress = 1;
        }
    }
    for (size_t i = 0; i < tpl->nca; i++)
        pkiws__cert_free(parsed[i]);
    pkiws__free(parsed);
    pkiws__free(state);
    if (rc == PKIWS_OK)
        pkiws__err_clear(); /* a policy CA that does not parse is skipped, not an error */
    return rc;
}

/* Leaf = not a CA and matches our key; the rest is the chain, ordered leaf-issuer first; the
 * policy's CA certificates complete it (root included) when the answer lacks them. */
static int pick_leaf(pkiws__certlist *all, const pkiws__key *key, const pkiws__template *tpl,
                     pkiws__issue_outcome *out)
{
    size_t leaf = all->n;
    for (size_t i = 0; i < all->n; i++) {
        if (!pkiws__cert_get_info(all->v[i])->is_ca && pkiws__cert_matches_key(all->v[i], key)) {
            leaf = i;
            break;
        }
    }
    if (leaf == all->n)
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "no end-entity certificate matching our key among the %zu "
                           "certificate(s) the CA returned",
                           all->n);
    out->leaf = all->v[leaf];
    all->v[leaf] = NULL;
    /* order the chain by issuer links starting at the leaf */
    const char *want = pkiws__cert_get_info(out->leaf)->issuer;
    int rc = PKIWS_OK;
    for (size_t step = 0; step < all->n && rc == PKIWS_OK; step++) {
        size_t found = all->n;
        for (size_t i = 0; i < all->n; i++)
            if (all->v[i] && strcmp(pkiws__cert_get_info(all->v[i])->subject, want) == 0) {
                found = i;
                break;
            }
        if (found == all->n)
            break;
        pkiws__cert *c = all->v[found];
        all->v[found] = NULL;
        want = pkiws__cert_get_info(c)->issuer;
        int self = pkiws__cert_self_signed(c);
        rc = pkiws__certlist_add(&out->chain, c);
        if (self)
            break;
    }
    if (rc == PKIWS_OK)
        rc = pkiws__complete_chain(out->leaf, &out->chain, tpl);
    /* whatever else the answer held, after the ordered chain */
    for (size_t i = 0; i < all->n && rc == PKIWS_OK; i++)
        if (all->v[i]) {
            rc = pkiws__certlist_add(&out->chain, all->v[i]);
            all->v[i] = NULL;
        }
    return rc;
}

/* Open a PKCS#12 the CA made (server-side key generation, key recovery) with pkiws's own
 * reader: its key becomes out->key, its certificates the leaf (which must match the key) and
 * the chain. The CA's PFX and password are wiped and freed here, success or not, as soon as
 * they are read: they hold the key. */
int pkiws__take_ca_pfx(uint8_t **pfx, size_t *pfx_len, char **password, const pkiws__template *tpl,
                       pkiws__issue_outcome *out)
{
    pkiws__pfx_contents c;
    memset(&c, 0, sizeof c);
    int rc = pkiws__pfx_read(*pfx, *pfx_len, *password ? *password : "", &c);
    pkiws__free_secret(*pfx, *pfx_len);
    pkiws__free_secret(*password, 0);
    *pfx = NULL;
    *pfx_len = 0;
    *password = NULL;
    if (rc)
        return pkiws__fail_context(PKIWS_E_PROTOCOL, "the PKCS#12 the CA returned");
    if (!c.key || !c.leaf) {
        rc = c.key ? pkiws__pfx_fail_no_leaf(&c)
                   : pkiws__fail(PKIWS_E_PROTOCOL, "the PKCS#12 the CA returned holds no private "
                                                   "key");
        pkiws__pfx_contents_dispose(&c);
        return rc;
    }
    pkiws__key_free(out->key);
    out->key = c.key;
    c.key = NULL;
    pkiws__certlist all = c.others;
    memset(&c.others, 0, sizeof c.others);
    rc = pkiws__certlist_add(&all, c.leaf);
    c.leaf = NULL;
    pkiws__pfx_contents_dispose(&c);
    if (!rc) /* pick_leaf checks that the leaf matches the key and orders the chain */
        rc = pick_leaf(&all, out->key, tpl, out);
    pkiws__certlist_dispose(&all);
    return rc;
}

/* The leaf and chain of the CA's answer: a PKCS#7 / X.509 for our key, or (server-side key
 * generation) a PKCS#12 with the CA's key. */
static int take_answer(const pkiws__issue_params *p, pkiws__soap_token *tok,
                       pkiws__issue_outcome *out)
{
    int server_key = p->tpl && p->tpl->server_keygen;
    if (tok->is_pkcs12) {
        int rc =
            pkiws__take_ca_pfx(&tok->token, &tok->token_len, &tok->pkcs12_password, p->tpl, out);
        if (!rc && p->key && !pkiws__cert_matches_key(out->leaf, p->key))
            rc = pkiws__fail(PKIWS_E_PROTOCOL, "the CA answered with a PKCS#12 holding its own "
                                               "key instead of certifying the request's key");
        return rc;
    }
    if (server_key || !out->key)
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "profile %s: %s, but the answer holds no PKCS#12 (tokenType %s with "
                           "pKCS12Password)",
                           p->profile_oid,
                           server_key ? "the CA generates the key"
                                      : "the poll has no kept key (a server-side key was expected)",
                           PKIWS__TOKEN_PKCS12);
    pkiws__certlist all = {0};
    int rc = pkiws__pkcs7_parse(tok->token, tok->token_len, &all);
    if (rc) {
        pkiws__certlist_dispose(&all);
        return pkiws__fail_context(PKIWS_E_PROTOCOL, "the certificate the CA returned");
    }
    rc = pick_leaf(&all, out->key, p->tpl, out);
    pkiws__certlist_dispose(&all);
    return rc;
}

int pkiws__outcome_pfx(int preset, const char *pfx_password, const char *friendly_name,
                       pkiws__issue_outcome *out)
{
    int rc = PKIWS_OK;
    if (pfx_password)
        out->pfx_password = pkiws__strdup(pfx_password);
    else
        rc = pkiws__pfx_password_generate(&out->pfx_password);
    if (rc || !out->pfx_password)
        return rc ? rc : PKIWS_E_NOMEM;
    const char *fname = friendly_name;
    char cn[256] = "";
    if (!fname) {
        const char *subj = pkiws__cert_get_info(out->leaf)->subject;
        const char *c = strstr(subj, "CN=");
        if (c) {
            size_t n = strcspn(c + 3, ",");
            snprintf(cn, sizeof cn, "%.*s", (int)n, c + 3);
        }
        fname = cn[0] ? cn : NULL;
    }
    pkiws__pfx_opts opts = {preset, out->pfx_password, fname, 0};
    out->pfx.secret = 0;
    return pkiws__pfx_write(out->key, out->leaf, &out->chain, &opts, &out->pfx);
}

static int finish_issued(const pkiws__issue_params *p, pkiws__soap_token *tok,
                         pkiws__issue_outcome *out)
{
    int rc = take_answer(p, tok, out);
    return rc ? rc : pkiws__outcome_pfx(p->preset, p->pfx_password, p->friendly_name, out);
}

static int take_token(pkiws__soap_token *tok, pkiws__issue_outcome *out)
{
    out->server_txid = tok->server_txid;
    out->disposition = tok->disposition;
    tok->server_txid = tok->disposition = NULL;
    if (tok->pending_ref) {
        out->pending = 1;
        out->pending_ref = tok->pending_ref;
        tok->pending_ref = NULL;
    }
    return PKIWS_OK;
}

static int enroll_begin(pkiws__client *c, const pkiws__soap_enroll *e, pkiws__exchange *x)
{
    pkiws_buf body = PKIWS_BUF_INIT;
    int rc = pkiws__soap_request_security_token(e, &body);
    if (rc) {
        pkiws__buf_dispose(&body);
        return rc;
    }
    return pkiws__exchange_prepare(c, x, PKIWS__SVC_ENROLL, PKIWS__ACTION_ENROLL, &body, e->txid,
                                   1);
}

/* The answer of RequestSecurityToken: pending, or the leaf, chain and PFX. */
int pkiws__issue_end(const pkiws__issue_params *p, pkiws_xml_doc **doc, pkiws__issue_outcome *out)
{
    pkiws__soap_token tok;
    memset(&tok, 0, sizeof tok);
    int rc = pkiws__soap_parse_token(*doc, &tok);
    /* what the PFX needs is in tok now: the document goes before the PFX is built */
    pkiws__xml_free(*doc);
    *doc = NULL;
    if (!rc)
        rc = take_token(&tok, out);
    if (!rc && !out->pending)
        rc = finish_issued(p, &tok, out);
    pkiws__soap_token_dispose(&tok);
    return rc;
}

static int build_csr(const pkiws__key *key, const pkiws__resolution *res, pkiws_buf *der)
{
    pkiws__dn_part *dn = pkiws__calloc(res->ndn ? res->ndn : 1, sizeof *dn);
    pkiws__csr_san *san = pkiws__calloc(res->nsans ? res->nsans : 1, sizeof *san);
    int rc = PKIWS_OK;
    if (!dn || !san) {
        rc = PKIWS_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < res->ndn; i++) {
        dn[i].type = res->dn_type[i];
        dn[i].value = res->dn_value[i];
    }
    for (size_t i = 0; i < res->nsans; i++) {
        const pkiws__san_value *s = &res->sans[i];
        if (s->type == PKIWS_SAN_EMAIL) {
            san[i].kind = PKIWS__SAN_RFC822;
            san[i].value = s->text;
        } else if (s->type == PKIWS_SAN_UPN) {
            san[i].kind = PKIWS__SAN_UPN;
            san[i].value = s->text;
        } else {
            san[i].kind = PKIWS__SAN_OTHERNAME;
            san[i].oid = s->oid;
            san[i].der = s->der;
            san[i].der_len = s->der_len;
        }
    }
    rc = pkiws__csr_build(key, dn, res->ndn, san, res->nsans,
                          PKIWS__CSR_KU_DS_KE | PKIWS__CSR_EKU_CLIENT, der);
out:
    pkiws__free(dn);
    pkiws__free(san);
    return rc;
}

const char *pkiws__resolution_seat(const pkiws__resolution *res)
{
    for (size_t i = 0; i < res->ntrace; i++)
        if (res->trace[i].field == PKIWS_FIELD_SEAT_ID)
            return res->trace[i].value;
    for (size_t i = 0; i < res->ntrace; i++)
        if (res->trace[i].field == PKIWS_FIELD_CN)
            return res->trace[i].value;
    return NULL;
}

int pkiws__check_txid(const char *txid)
{
    size_t n = strlen(txid);
    if (n == 0 || n > 40)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "clientTransactionID has %zu characters; 1 to 40 are allowed", n);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)txid[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == ':' || ch == '-'))
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "clientTransactionID: character %zu (byte 0x%02X) is not one of "
                               "A-Z a-z 0-9 . _ : -",
                               i + 1, ch);
    }
    return PKIWS_OK;
}

/* A private copy of the caller's key (the outcome owns and frees its key). */
static int copy_key(const pkiws__key *key, pkiws__key **out)
{
    pkiws_buf der = PKIWS_BUF_INIT;
    der.secret = 1;
    int rc = pkiws__key_pkcs8_der(key, &der);
    if (!rc)
        rc = pkiws__key_parse(der.data, der.len, NULL, out);
    pkiws__buf_dispose(&der);
    return rc;
}

int pkiws__issue_begin(pkiws__client *c, const pkiws__issue_params *p, const pkiws__resolution *res,
                       pkiws__issue_outcome *out, pkiws__exchange *x)
{
    memset(out, 0, sizeof *out);
    memset(x, 0, sizeof *x);
    char txid[41];
    pkiws_buf csr = PKIWS_BUF_INIT;
    pkiws__soap_nvp *nvps = pkiws__calloc(res->nnvps ? res->nnvps : 1, sizeof *nvps);
    /* Server-side key generation: no key here (neither the caller's, nor the pool's), no CSR. */
    const int server_key = p->tpl && p->tpl->server_keygen;
    if (server_key && p->key) {
        int rc = pkiws__fail(PKIWS_E_INVALID_ARG,
                             "profile %s: the CA generates (and escrows) the key, so the key "
                             "given with pkiws_request_set_key cannot be certified; issue "
                             "without one",
                             p->profile_oid);
        pkiws__free(nvps);
        return rc;
    }
    int rc = !nvps        ? PKIWS_E_NOMEM
             : server_key ? PKIWS_OK
             : p->key     ? copy_key(p->key, &out->key)
             : p->keypool ? pkiws__keypool_take(p->keypool, p->key_type, &out->key, NULL)
                          : pkiws__key_generate(p->key_type, &out->key);
    if (rc)
        goto out;
    if (!server_key && (rc = build_csr(out->key, res, &csr)))
        goto out;
    if (p->txid)
        snprintf(txid, sizeof txid, "%s", p->txid);
    else if (server_key)
        /* no public key to derive it from: a fresh id (retries of this call reuse it) */
        rc = pkiws__client_random_txid("sk", txid);
    else
        rc = pkiws__client_txid(p->profile_oid, pkiws__resolution_seat(res), out->key, txid);
    if (rc)
        goto out;
    if (!(out->client_txid = pkiws__strdup(txid))) {
        rc = PKIWS_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < res->nnvps; i++) {
        nvps[i].name = res->nvps[i].name;
        nvps[i].value = res->nvps[i].value;
    }
    pkiws__soap_enroll e = {p->profile_oid, txid,       csr.data, csr.len, NULL,
                            nvps,           res->nnvps, NULL,     0,       server_key};
    if (p->renew)
        e.old_cert_der = pkiws__cert_der(p->renew, &e.old_cert_len);
    rc = enroll_begin(c, &e, x);
out:
    pkiws__free(nvps);
    pkiws__buf_dispose(&csr);
    return rc;
}

int pkiws__poll_begin(pkiws__client *c, const pkiws__issue_params *p, const char *seat,
                      pkiws__issue_outcome *out, pkiws__exchange *x)
{
    memset(out, 0, sizeof *out);
    memset(x, 0, sizeof *x);
    /* No kept key: a server-side key issuance held pending, whose PKCS#12 comes from the CA. */
    int rc = p->key ? copy_key(p->key, &out->key) : PKIWS_OK;
    if (rc)
        return rc;
    char txid[41];
    if (p->txid)
        snprintf(txid, sizeof txid, "%s", p->txid);
    else if ((rc = p->key ? pkiws__client_txid(p->profile_oid, seat, out->key, txid)
                          : pkiws__client_random_txid("sk", txid)))
        return rc;
    if (!(out->client_txid = pkiws__strdup(txid)))
        return PKIWS_E_NOMEM;
    pkiws__soap_enroll e = {p->profile_oid, txid, NULL, 0, p->pending_ref,
                            NULL,           0,    NULL, 0, !p->key};
    return enroll_begin(c, &e, x);
}

void pkiws__revoke_outcome_dispose(pkiws__revoke_outcome *o)
{
    pkiws__free(o->client_txid);
    pkiws__free(o->server_txid);
    pkiws__free(o->message);
    memset(o, 0, sizeof *o);
}

int pkiws__update_status_begin(pkiws__client *c, const char *txid, int operation, int by_seat,
                               const char *id, const char *reason, const char *comment,
                               pkiws__revoke_outcome *out, pkiws__exchange *x)
{
    memset(out, 0, sizeof *out);
    memset(x, 0, sizeof *x);
    if (!(out->client_txid = pkiws__strdup(txid)))
        return PKIWS_E_NOMEM;
    pkiws__soap_update_status u = {
        txid, operation, reason, comment, NULL, by_seat ? NULL : id, by_seat ? id : NULL};
    pkiws_buf body = PKIWS_BUF_INIT;
    int rc = pkiws__soap_update_certificate_status(&u, &body);
    if (rc) {
        pkiws__buf_dispose(&body);
        return rc;
    }
    /* A revocation repeated after a lost answer changes nothing more: safe to retry. */
    return pkiws__exchange_prepare(c, x, PKIWS__SVC_MGMT, PKIWS__ACTION_UPDATE_STATUS, &body, txid,
                                   1);
}

int pkiws__update_status_end(pkiws_xml_doc *doc, int by_seat, const char *id,
                             pkiws__revoke_outcome *out)
{
    pkiws__soap_status_result sr;
    memset(&sr, 0, sizeof sr);
    int rc = pkiws__soap_parse_update_status(doc, &sr);
    if (!rc) {
        out->success_code = sr.success_code;
        out->revocation_count = sr.revocation_count;
        out->server_txid = sr.server_txid;
        out->message = sr.success_msg;
        sr.server_txid = sr.success_msg = NULL;
        if (sr.success_code != 0)
            rc = pkiws__fail(PKIWS_E_REJECTED,
                             "updateCertificateStatus for %s %s: successCode %d%s%s",
                             by_seat ? "seat" : "serial", id, sr.success_code,
                             out->message ? ": " : "", out->message ? out->message : "");
    }
    pkiws__soap_status_result_dispose(&sr);
    return rc;
}

int pkiws__update_status_txid(pkiws__client *c, const char *txid, int operation, int by_seat,
                              const char *id, const char *reason, const char *comment,
                              pkiws__revoke_outcome *out)
{
    pkiws__exchange x;
    pkiws_xml_doc *doc = NULL;
    int rc = pkiws__update_status_begin(c, txid, operation, by_seat, id, reason, comment, out, &x);
    if (!rc)
        rc = pkiws__exchange_run(&x, &doc);
    out->call = x.info;
    if (!rc)
        rc = pkiws__update_status_end(doc, by_seat, id, out);
    pkiws__xml_free(doc);
    pkiws__exchange_dispose(&x);
    return rc;
}

int pkiws__renewal_due(const pkiws__cert *cert, int64_t now, unsigned renewal_days)
{
    int64_t not_after = pkiws__cert_get_info(cert)->not_after;
    return now >= not_after - (int64_t)renewal_days * 86400;
}
