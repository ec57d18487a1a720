/* SPDX-License-Identifier: MIT */
/* In-memory state: issued certificates (status kept for revoke/suspend/resume and search),
 * pending requests, and clientTransactionIDs for idempotent re-issue. */
#include "sim.h"

#include <ctype.h>

void sim_store_init(sim_store *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
}

void sim_issued_dispose(sim_issued *c)
{
    pkiws__free(c->der);
    pkiws__free(c->seat);
    pkiws__free(c->cn);
    pkiws__free(c->email);
    pkiws__free(c->profile_oid);
    pkiws__free(c->revoke_reason);
    pkiws__free(c->revoke_comment);
    pkiws__free_secret(c->escrow_key, c->escrow_len);
    for (size_t i = 0; i < c->napprovers; i++)
        pkiws__free(c->approvers[i]);
    pkiws__free(c->approvers);
    memset(c, 0, sizeof *c);
}

void sim_nvps_free(sim_nvp *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pkiws__free(v[i].name);
        pkiws__free(v[i].value);
    }
    pkiws__free(v);
}

static void pending_dispose(sim_pending *p)
{
    pkiws__free(p->profile_oid);
    pkiws__free(p->txid);
    pkiws__free(p->csr_text);
    sim_nvps_free(p->nvps, p->nnvps);
    pkiws__free_secret(p->escrow_key, p->escrow_len);
    memset(p, 0, sizeof *p);
}

void sim_store_free(sim_store *s)
{
    for (size_t i = 0; i < s->ncerts; i++)
        sim_issued_dispose(&s->certs[i]);
    for (size_t i = 0; i < s->npend; i++)
        pending_dispose(&s->pend[i]);
    for (size_t i = 0; i < s->ntx; i++) {
        pkiws__free(s->tx[i].txid);
        pkiws__free(s->tx[i].profile_oid);
    }
    pkiws__free(s->certs);
    pkiws__free(s->pend);
    pkiws__free(s->tx);
    pthread_mutex_destroy(&s->lock);
    memset(s, 0, sizeof *s);
}

static int grow(void **v, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    void *p = pkiws__realloc(*v, nc * elem);
    if (!p)
        return -1;
    *v = p;
    *cap = nc;
    return 0;
}

long sim_store_add_cert(sim_store *s, sim_issued *c)
{
    if (grow((void **)&s->certs, &s->capcerts, s->ncerts, sizeof *s->certs))
        return -1;
    s->certs[s->ncerts] = *c;
    memset(c, 0, sizeof *c);
    return (long)s->ncerts++;
}

sim_txid *sim_store_find_txid(sim_store *s, const char *txid)
{
    for (size_t i = 0; i < s->ntx; i++)
        if (!strcmp(s->tx[i].txid, txid))
            return &s->tx[i];
    return NULL;
}

int sim_store_add_txid(sim_store *s, const char *txid, const char *oid, const uint8_t hash[32],
                       long issued, long pending)
{
    if (grow((void **)&s->tx, &s->captx, s->ntx, sizeof *s->tx))
        return -1;
    sim_txid *t = &s->tx[s->ntx];
    memset(t, 0, sizeof *t);
    t->txid = pkiws__strdup(txid);
    t->profile_oid = pkiws__strdup(oid);
    if (!t->txid || !t->profile_oid) {
        pkiws__free(t->txid);
        pkiws__free(t->profile_oid);
        return -1;
    }
    memcpy(t->key_hash, hash, 32);
    t->issued_index = issued;
    t->pending_index = pending;
    s->ntx++;
    return 0;
}

sim_pending *sim_store_find_pending(sim_store *s, const char *ref)
{
    for (size_t i = 0; i < s->npend; i++)
        if (!strcmp(s->pend[i].ref, ref))
            return &s->pend[i];
    return NULL;
}

long sim_store_add_pending(sim_store *s, sim_pending *p)
{
    if (grow((void **)&s->pend, &s->cappend, s->npend, sizeof *s->pend))
        return -1;
    s->pend[s->npend] = *p;
    memset(p, 0, sizeof *p);
    return (long)s->npend++;
}

/* Serial number text reduced to its significant upper-case hex digits. */
static size_t serial_norm(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    int leading = 1, any = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ' ' || *p == ':' || *p == '\t')
            continue;
        if (!isxdigit((unsigned char)*p))
            return 0;
        any = 1;
        if (leading && *p == '0')
            continue;
        leading = 0;
        if (n + 1 >= cap)
            return 0;
        out[n++] = (char)toupper((unsigned char)*p);
    }
    if (!any)
        return 0;
    if (!n)
        out[n++] = '0';
    out[n] = 0;
    return n;
}

int sim_serial_eq(const char *a, const char *b)
{
    char na[128], nb[128];
    if (!serial_norm(a, na, sizeof na) || !serial_norm(b, nb, sizeof nb))
        return 0;
    return !strcmp(na, nb);
}
