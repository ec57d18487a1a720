/* SPDX-License-Identifier: MIT */
/* The profile catalogue: a getPoliciesResponse document (built-in or --policy FILE), read
 * with the library's template parser (product.md §4 attribute convention). */
#include "sim.h"

static int is_true(const char *s)
{
    return s && (!strcmp(s, "true") || !strcmp(s, "1"));
}

/* The profile OID of a policy element: policyOIDReference -> oIDs/oID/value. */
static const char *policy_oid(pkiws_xml_doc *doc, const pkiws_xml_node *resp,
                              const pkiws_xml_node *policy)
{
    const char *ref = sim_child_text(doc, policy, PKIWS_NS_POLICY, "policyOIDReference");
    const pkiws_xml_node *oids = pkiws__xml_child(resp, PKIWS_NS_POLICY, "oIDs");
    if (!ref || !oids)
        return NULL;
    for (const pkiws_xml_node *o = pkiws__xml_child(oids, PKIWS_NS_POLICY, "oID"); o;
         o = pkiws__xml_next_named(o, PKIWS_NS_POLICY, "oID")) {
        const char *id = sim_child_text(doc, o, PKIWS_NS_POLICY, "oIDReferenceID");
        if (id && !strcmp(id, ref))
            return sim_child_text(doc, o, PKIWS_NS_POLICY, "value");
    }
    return NULL;
}

/* What the template struct does not carry: approval (PENDING), seat mandatory flag. (A CN
 * that takes the e-mail address is the template's sourceAttributeName, see issue.c.) */
static int read_extras(pkiws_xml_doc *doc, sim_profile *p)
{
    const pkiws_xml_node *attrs = pkiws__xml_child(p->policy, PKIWS_NS_POLICY, "attributes");
    if (!attrs)
        return 0;
    const pkiws_xml_node *ra = pkiws__xml_child(attrs, PKIWS_NS_POLICY, "rAPolicy");
    p->pending = is_true(sim_child_text(doc, ra, PKIWS_NS_POLICY, "verifyUser"));
    const pkiws_xml_node *seat = pkiws__xml_child(attrs, PKIWS_NS_POLICY, "seatIdInfo");
    if (seat) {
        const pkiws_xml_node *v = pkiws__xml_child(seat, PKIWS_NS_POLICY, "attributeNameValue");
        const pkiws_xml_node *prop =
            pkiws__xml_child(seat, PKIWS_NS_POLICY, "attributeNameValueProperty");
        p->seat_mandatory = is_true(v ? pkiws__xml_attr(v, "", "mandatory") : NULL) ||
                            is_true(sim_child_text(doc, prop, PKIWS_NS_POLICY, "mandatory"));
    }
    return 0;
}

static int load_text(sim_catalogue *cat, const char *path)
{
    if (!path)
        return pkiws__buf_append(&cat->text, sim_default_policy, sim_default_policy_len) ? -1 : 0;
    if (pkiws__file_read(path, 16u << 20, &cat->text) != PKIWS_OK) {
        fprintf(stderr, "pkiws-sim: --policy: %s\n", pkiws__err_message());
        return -1;
    }
    /* A captured answer may still carry its HTTP head: skip it. */
    const char *s = (const char *)cat->text.data;
    if (cat->text.len > 5 && !memcmp(s, "HTTP/", 5)) {
        const char *e = strstr(s, "\r\n\r\n");
        size_t skip = e ? (size_t)(e - s) + 4 : 0;
        if (!e && (e = strstr(s, "\n\n")))
            skip = (size_t)(e - s) + 2;
        memmove(cat->text.data, cat->text.data + skip, cat->text.len - skip + 1);
        cat->text.len -= skip;
    }
    return 0;
}

int sim_catalogue_load(sim_catalogue *cat, const char *path)
{
    const char *what = path ? path : "the built-in catalogue";
    if (load_text(cat, path))
        return -1;
    pkiws_xml_limits lim = {16u << 20, 60, 1000000};
    if (pkiws__xml_parse((const char *)cat->text.data, cat->text.len, &lim, what, &cat->doc) !=
        PKIWS_OK) {
        fprintf(stderr, "pkiws-sim: cannot parse %s: %s\n", what, pkiws__err_message());
        return -1;
    }
    const pkiws_xml_node *r = pkiws__xml_soap_body_child(cat->doc);
    if (!r || !pkiws__xml_is(r, PKIWS_NS_POLICY, "getPoliciesResponse")) {
        fprintf(stderr,
                "pkiws-sim: %s is not a getPoliciesResponse document (namespace %s), bare or in "
                "a SOAP envelope\n",
                what, PKIWS_NS_POLICY);
        return -1;
    }
    cat->resp = r;
    const pkiws_xml_node *response = pkiws__xml_child(r, PKIWS_NS_POLICY, "response");
    const char *acct = sim_child_text(cat->doc, response, PKIWS_NS_POLICY, "policyID");
    cat->account_id = pkiws__strdup(acct && *acct ? acct : "pkiws-sim");
    const pkiws_xml_node *pols = pkiws__xml_child(response, PKIWS_NS_POLICY, "policies");
    size_t count = 0;
    for (const pkiws_xml_node *p = pols ? pkiws__xml_child(pols, PKIWS_NS_POLICY, "policy") : NULL;
         p; p = pkiws__xml_next_named(p, PKIWS_NS_POLICY, "policy"))
        count++;
    if (!count) {
        fprintf(stderr, "pkiws-sim: %s offers no policy (response/policies/policy)\n", what);
        return -1;
    }
    cat->profiles = pkiws__calloc(count, sizeof *cat->profiles);
    if (!cat->profiles || !cat->account_id)
        return -1;
    for (const pkiws_xml_node *p = pkiws__xml_child(pols, PKIWS_NS_POLICY, "policy"); p;
         p = pkiws__xml_next_named(p, PKIWS_NS_POLICY, "policy")) {
        const char *oid = policy_oid(cat->doc, r, p);
        if (!oid) {
            fprintf(stderr,
                    "pkiws-sim: %s: policy #%zu has a policyOIDReference that matches no "
                    "oIDs/oID/oIDReferenceID\n",
                    what, cat->n + 1);
            return -1;
        }
        if (sim_catalogue_find(cat, oid)) {
            fprintf(stderr, "pkiws-sim: %s: profile %s is defined twice\n", what, oid);
            return -1;
        }
        sim_profile *sp = &cat->profiles[cat->n];
        sp->policy = p;
        if (!(sp->oid = pkiws__strdup(oid)))
            return -1;
        cat->n++;
        if (pkiws__template_from_doc(cat->doc, oid, &sp->tpl) != PKIWS_OK) {
            fprintf(stderr, "pkiws-sim: %s: profile %s: %s\n", what, oid, pkiws__err_message());
            return -1;
        }
        if (read_extras(cat->doc, sp))
            return -1;
        sp->escrow = sp->tpl->server_keygen;
        sp->dual_admin = sp->tpl->recovery_dual_admin;
        for (size_t i = 0; i < sp->tpl->nattrs; i++) {
            const pkiws__tpl_attr *a = &sp->tpl->attrs[i];
            if (a->role == PKIWS__ROLE_SAN_OTHERNAME && !a->othername_oid) {
                fprintf(stderr,
                        "pkiws-sim: %s: profile %s: SAN attribute '%s' is an otherName without "
                        "a type-id: give it type=\"otherName:<dotted OID>\"\n",
                        what, oid, a->name);
                return -1;
            }
        }
    }
    sim_log(NULL, "catalogue: %zu profiles from %s", cat->n, what);
    return 0;
}

const sim_profile *sim_catalogue_find(const sim_catalogue *cat, const char *oid)
{
    for (size_t i = 0; i < cat->n; i++)
        if (!strcmp(cat->profiles[i].oid, oid))
            return &cat->profiles[i];
    return NULL;
}

void sim_catalogue_free(sim_catalogue *cat)
{
    for (size_t i = 0; i < cat->n; i++) {
        sim_profile *p = &cat->profiles[i];
        pkiws__free(p->oid);
        pkiws__template_free(p->tpl);
    }
    pkiws__free(cat->profiles);
    pkiws__free(cat->account_id);
    pkiws__xml_free(cat->doc);
    pkiws__buf_dispose(&cat->text);
    memset(cat, 0, sizeof *cat);
}
