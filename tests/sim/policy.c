/* SPDX-License-Identifier: MIT */
/* Policy service: getPolicies (filter by OID or xsi:nil) answered from the catalogue, with the
 * simulator's own CA certificates in cAs. */
#include "sim.h"

typedef struct nsmap {
    const char *ns[16];
    const char *prefix[16];
    size_t n;
} nsmap;

typedef struct wctx {
    sim_server *srv;
    pkiws_xml_writer *w;
    nsmap map;
    const char *const *oids; /* selected profile OIDs; NULL = all */
    size_t noids;
    const pkiws_xml_node *resp;
} wctx;

static const char *const extra_prefixes[] = {"ns3",  "ns4",  "ns5",  "ns6",  "ns7",
                                             "ns8",  "ns9",  "ns10", "ns11", "ns12",
                                             "ns13", "ns14", "ns15", "ns16"};

static int map_add(nsmap *m, const char *ns)
{
    if (!ns || !*ns)
        return 0;
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->ns[i], ns))
            return 0;
    if (m->n >= 14)
        return -1;
    const char *prefix;
    if (!strcmp(ns, PKIWS_NS_POLICY))
        prefix = "ns2";
    else if (!strcmp(ns, PKIWS_NS_XSI))
        prefix = "xsi";
    else if (!strcmp(ns, "http://www.w3.org/XML/1998/namespace"))
        prefix = "xml";
    else {
        size_t k = 0;
        for (size_t i = 0; i < m->n; i++)
            if (!strncmp(m->prefix[i], "ns", 2) && strcmp(m->prefix[i], "ns2"))
                k++;
        if (k >= PKIWS_ARRAY_LEN(extra_prefixes))
            return -1;
        prefix = extra_prefixes[k];
    }
    m->ns[m->n] = ns;
    m->prefix[m->n] = prefix;
    m->n++;
    return 0;
}

static const char *map_prefix(const nsmap *m, const char *ns)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->ns[i], ns))
            return m->prefix[i];
    return NULL;
}

static int collect(nsmap *m, const pkiws_xml_node *n, int depth)
{
    if (depth > 60 || map_add(m, n->ns))
        return -1;
    for (size_t i = 0; i < n->nattrs; i++)
        if (strcmp(n->attrs[i].ns, "http://www.w3.org/2000/xmlns/") && map_add(m, n->attrs[i].ns))
            return -1;
    for (const pkiws_xml_node *c = n->first_child; c; c = c->next)
        if (collect(m, c, depth + 1))
            return -1;
    return 0;
}

static void qname(const nsmap *m, const char *ns, const char *local, char *out, size_t cap)
{
    const char *p = ns && *ns ? map_prefix(m, ns) : NULL;
    if (p)
        snprintf(out, cap, "%s:%s", p, local);
    else
        snprintf(out, cap, "%s", local);
}

static int selected(const wctx *x, const char *oid)
{
    if (!x->oids)
        return 1;
    for (size_t i = 0; i < x->noids; i++)
        if (oid && !strcmp(x->oids[i], oid))
            return 1;
    return 0;
}

static void copy(wctx *x, const pkiws_xml_node *n, int declare);

static void copy_children(wctx *x, const pkiws_xml_node *n)
{
    for (const pkiws_xml_node *c = n->first_child; c; c = c->next)
        copy(x, c, 0);
}

static void start(wctx *x, const pkiws_xml_node *n, char *qn, size_t cap, int declare)
{
    qname(&x->map, n->ns, n->local, qn, cap);
    pkiws__xmlw_start(x->w, qn);
    if (declare)
        for (size_t i = 0; i < x->map.n; i++) {
            if (!strcmp(x->map.prefix[i], "xml"))
                continue;
            char an[32];
            snprintf(an, sizeof an, "xmlns:%s", x->map.prefix[i]);
            pkiws__xmlw_attr(x->w, an, x->map.ns[i]);
        }
    for (size_t i = 0; i < n->nattrs; i++) {
        const pkiws_xml_attr *a = &n->attrs[i];
        /* Namespace declarations are re-made above, whatever the parser reports of them. */
        if (!strcmp(a->ns, "http://www.w3.org/2000/xmlns/") || !strcmp(a->local, "xmlns") ||
            !strncmp(a->local, "xmlns:", 6))
            continue;
        char an[160];
        qname(&x->map, n->attrs[i].ns, n->attrs[i].local, an, sizeof an);
        pkiws__xmlw_attr(x->w, an, n->attrs[i].value);
    }
}

/* The profile OID a policy element stands for (for filtering). */
static const char *oid_of_policy(wctx *x, pkiws_xml_node const *policy)
{
    for (size_t i = 0; i < x->srv->cat.n; i++)
        if (x->srv->cat.profiles[i].policy == policy)
            return x->srv->cat.profiles[i].oid;
    return NULL;
}

/* 1 when an oID entry is the profile OID of a policy that the filter leaves out. */
static int oid_entry_excluded(wctx *x, const pkiws_xml_node *oid)
{
    if (!x->oids)
        return 0;
    const pkiws_xml_node *v = pkiws__xml_child(oid, PKIWS_NS_POLICY, "value");
    if (!v)
        return 0;
    size_t tl;
    const char *t = pkiws__trim(v->text, strlen(v->text), &tl);
    for (size_t i = 0; i < x->srv->cat.n; i++) {
        const char *po = x->srv->cat.profiles[i].oid;
        if (strlen(po) == tl && !memcmp(po, t, tl))
            return !selected(x, po);
    }
    return 0;
}

static void b64_leaf(pkiws_xml_writer *w, const char *qn, const mbedtls_x509_crt *crt)
{
    pkiws_buf b = PKIWS_BUF_INIT;
    pkiws__b64_encode(crt->raw.p, crt->raw.len, &b);
    pkiws__xmlw_leaf(w, qn, pkiws__buf_cstr(&b));
    pkiws__buf_dispose(&b);
}

/* One cA of the catalogue, with the simulator's certificates in place of the catalogue's. */
static void copy_ca(wctx *x, const pkiws_xml_node *ca)
{
    char qn[200];
    start(x, ca, qn, sizeof qn, 0);
    for (const pkiws_xml_node *c = ca->first_child; c; c = c->next) {
        char cq[200];
        qname(&x->map, c->ns, c->local, cq, sizeof cq);
        int ours = !strcmp(c->ns, PKIWS_NS_POLICY);
        if (ours && !strcmp(c->local, "certificate"))
            b64_leaf(x->w, cq, &x->srv->pki.issuing);
        else if (ours && !strcmp(c->local, "cAIssuerName"))
            pkiws__xmlw_leaf(x->w, cq, x->srv->pki.issuing_dn);
        else if (ours && !strcmp(c->local, "intermediateCACertificates"))
            continue; /* root -> issuing: there is no intermediate */
        else if (ours && !strcmp(c->local, "rootCACertificate"))
            b64_leaf(x->w, cq, &x->srv->pki.root);
        else
            copy(x, c, 0);
    }
    pkiws__xmlw_end(x->w);
}

static void copy(wctx *x, const pkiws_xml_node *n, int declare)
{
    int ours = !strcmp(n->ns, PKIWS_NS_POLICY);
    if (ours && !strcmp(n->local, "policy") && !selected(x, oid_of_policy(x, n)))
        return;
    if (ours && !strcmp(n->local, "oID") && oid_entry_excluded(x, n))
        return;
    if (ours && !strcmp(n->local, "cA") && n->parent && n->parent->parent == x->resp) {
        copy_ca(x, n);
        return;
    }
    char qn[200];
    start(x, n, qn, sizeof qn, declare);
    if (n->first_child)
        copy_children(x, n);
    else if (n->text && *n->text)
        pkiws__xmlw_text(x->w, n->text);
    pkiws__xmlw_end(x->w);
}

int sim_svc_policy(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *body,
                   sim_response *resp, sim_error *e)
{
    const char *txid = sim_child_text(doc, body, PKIWS_NS_POLICY, "clientTransactionID");
    if (sim_check_txid(txid, e))
        return -1;
    /* requestFilter is required but nillable; a missing one is read as nil (JAXB-lenient). */
    const pkiws_xml_node *filter = pkiws__xml_child(body, PKIWS_NS_POLICY, "requestFilter");
    const char *oids[64];
    size_t noids = 0;
    const pkiws_xml_node *ids = filter && !pkiws__xml_is_nil(filter)
                                    ? pkiws__xml_child(filter, PKIWS_NS_POLICY, "policyIDs")
                                    : NULL;
    int filtered = ids && !pkiws__xml_is_nil(ids);
    if (filtered) {
        for (const pkiws_xml_node *o = pkiws__xml_child(ids, PKIWS_NS_POLICY, "oid"); o;
             o = pkiws__xml_next_named(o, PKIWS_NS_POLICY, "oid")) {
            const char *v = pkiws__xml_text_trim(doc, o);
            if (noids >= PKIWS_ARRAY_LEN(oids))
                return sim_err_client(e, SIM_EC_INVALID, "at most %zu policyIDs/oid per request",
                                      PKIWS_ARRAY_LEN(oids));
            if (!v || !sim_catalogue_find(&srv->cat, v)) {
                char clip[160];
                sim_log(srv, "getPolicies: unknown profile OID '%s'",
                        sim_clip(v ? v : "", 150, clip, sizeof clip));
                return sim_err(e, SIM_EC_NOT_UNDERSTOOD, SIM_NOT_UNDERSTOOD);
            }
            oids[noids++] = v;
        }
        if (!noids) /* policyIDs present but empty: FilterOIDCollection needs >= 1 oid */
            return sim_err(e, SIM_EC_NOT_UNDERSTOOD, SIM_NOT_UNDERSTOOD);
    }

    pkiws_xml_writer w;
    wctx x = {0};
    x.srv = srv;
    x.w = &w;
    x.resp = srv->cat.resp;
    x.oids = filtered ? oids : NULL;
    x.noids = noids;
    map_add(&x.map, PKIWS_NS_POLICY);
    map_add(&x.map, PKIWS_NS_XSI);
    if (collect(&x.map, srv->cat.resp, 0))
        return sim_err(e, SIM_EC_MALFORMED, "the catalogue uses too many namespaces");

    char stx[21];
    sim_server_txid(srv, stx);
    sim_soap_begin(&w);
    char qn[200];
    start(&x, srv->cat.resp, qn, sizeof qn, 1);
    if (txid)
        pkiws__xmlw_leaf(&w, "ns2:clientTransactionID", txid);
    pkiws__xmlw_leaf(&w, "ns2:serverTransactionID", stx);
    for (const pkiws_xml_node *c = srv->cat.resp->first_child; c; c = c->next) {
        if (!strcmp(c->ns, PKIWS_NS_POLICY) &&
            (!strcmp(c->local, "clientTransactionID") || !strcmp(c->local, "serverTransactionID") ||
             !strcmp(c->local, "signedEnrollmentPolicy")))
            continue;
        copy(&x, c, 0);
    }
    pkiws__xmlw_end(&w);
    int rc = sim_soap_end(&w, &resp->body);
    pkiws__xmlw_dispose(&w);
    if (rc != PKIWS_OK)
        return sim_err(e, SIM_EC_MALFORMED, "cannot write the policy answer: %s",
                       pkiws__err_message());
    return 0;
}
