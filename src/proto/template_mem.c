/* SPDX-License-Identifier: MIT */
/* Freeing and deep-copying certificate templates. */
#include "pkiws_internal.h"

#include "proto/template.h"

static void attr_dispose(pkiws__tpl_attr *a)
{
    pkiws__free(a->name);
    pkiws__free(a->type);
    pkiws__free(a->fixed_value);
    pkiws__free(a->ext_oid);
    pkiws__free(a->rdn);
    pkiws__free(a->othername_oid);
    pkiws__free(a->source_attr);
}

void pkiws__template_free(pkiws__template *t)
{
    if (!t)
        return;
    pkiws__free(t->profile_oid);
    pkiws__free(t->name);
    for (size_t i = 0; i < t->nattrs && t->attrs; i++)
        attr_dispose(&t->attrs[i]);
    pkiws__free(t->attrs);
    pkiws__free(t->key_alg_oid);
    pkiws__free(t->delivery_format);
    pkiws__template_free_oids(t->fixed_eku_oids, t->n_fixed_eku);
    pkiws__free(t->seat_attr);
    for (size_t i = 0; i < t->nca && t->ca_der; i++)
        pkiws__free(t->ca_der[i]);
    pkiws__free(t->ca_der);
    pkiws__free(t->ca_len);
    pkiws__free(t);
}

void pkiws__template_free_oids(char **oids, size_t n)
{
    if (!oids)
        return;
    for (size_t i = 0; i < n; i++)
        pkiws__free(oids[i]);
    pkiws__free(oids);
}

/* Copy of an optional string; 0 on success (including NULL in), -1 when out of memory. */
static int dup_str(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return 0;
    *dst = pkiws__strdup(src);
    return *dst ? 0 : -1;
}

static int dup_attr(pkiws__tpl_attr *d, const pkiws__tpl_attr *s)
{
    d->mandatory = s->mandatory;
    d->in_san = s->in_san;
    d->role = s->role;
    int bad = dup_str(&d->name, s->name);
    bad |= dup_str(&d->type, s->type);
    bad |= dup_str(&d->fixed_value, s->fixed_value);
    bad |= dup_str(&d->ext_oid, s->ext_oid);
    bad |= dup_str(&d->rdn, s->rdn);
    bad |= dup_str(&d->othername_oid, s->othername_oid);
    bad |= dup_str(&d->source_attr, s->source_attr);
    return bad;
}

int pkiws__template_dup(const pkiws__template *t, pkiws__template **out)
{
    if (!out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "template copy: no output pointer");
    *out = NULL;
    if (!t)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "template copy: the template is NULL");
    pkiws__template *d = pkiws__calloc(1, sizeof *d);
    if (!d)
        goto oom;
    d->key_size = t->key_size;
    d->key_is_ec = t->key_is_ec;
    d->validity_days = t->validity_days;
    d->renewal_days = t->renewal_days;
    d->key_escrow = t->key_escrow;
    d->recovery_dual_admin = t->recovery_dual_admin;
    d->server_keygen = t->server_keygen;
    d->next_update_hours = t->next_update_hours;
    d->has_root = t->has_root;
    if (dup_str(&d->profile_oid, t->profile_oid) || dup_str(&d->name, t->name) ||
        dup_str(&d->key_alg_oid, t->key_alg_oid) ||
        dup_str(&d->delivery_format, t->delivery_format) || dup_str(&d->seat_attr, t->seat_attr))
        goto oom;
    if (t->nattrs) {
        if (!(d->attrs = pkiws__calloc(t->nattrs, sizeof *d->attrs)))
            goto oom;
        for (; d->nattrs < t->nattrs; d->nattrs++)
            if (dup_attr(&d->attrs[d->nattrs], &t->attrs[d->nattrs])) {
                d->nattrs++; /* free what was copied of this one too */
                goto oom;
            }
    }
    if (t->n_fixed_eku) {
        if (!(d->fixed_eku_oids = pkiws__calloc(t->n_fixed_eku, sizeof *d->fixed_eku_oids)))
            goto oom;
        for (; d->n_fixed_eku < t->n_fixed_eku; d->n_fixed_eku++)
            if (!(d->fixed_eku_oids[d->n_fixed_eku] =
                      pkiws__strdup(t->fixed_eku_oids[d->n_fixed_eku])))
                goto oom;
    }
    if (t->nca) {
        d->ca_der = pkiws__calloc(t->nca, sizeof *d->ca_der);
        d->ca_len = pkiws__calloc(t->nca, sizeof *d->ca_len);
        if (!d->ca_der || !d->ca_len)
            goto oom;
        for (; d->nca < t->nca; d->nca++) {
            if (!(d->ca_der[d->nca] = pkiws__memdup(t->ca_der[d->nca], t->ca_len[d->nca])))
                goto oom;
            d->ca_len[d->nca] = t->ca_len[d->nca];
        }
    }
    *out = d;
    return PKIWS_OK;
oom:
    pkiws__template_free(d);
    return pkiws__fail(PKIWS_E_NOMEM, "template copy: out of memory (profile %s)",
                       t->profile_oid ? t->profile_oid : "?");
}
