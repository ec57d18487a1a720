/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the getPoliciesResponse / template parser (src/proto/template.c and
 * template_mem.c). The input is a policy service answer (SOAP envelope or bare). Every offered
 * profile OID is listed, then each (up to 8) is extracted, deep-copied and freed; a fixed OID
 * that is unlikely to be offered is asked for too. Invariant: an OID that the document lists
 * is never reported as not found, and a template carries what its header promises.
 */
#include "pkiws_internal.h"

#include "fuzz.h"
#include "proto/template.h"

#define FUZZ_OID "2.16.840.1.113733.1.16.1.2.3.1.1.47196109"

static void check_template(const pkiws__template *t, const char *oid)
{
    if (!t->profile_oid || strcmp(t->profile_oid, oid))
        fuzz_fail("template for %s names another profile OID", oid);
    if (t->nattrs && !t->attrs)
        fuzz_fail("template for %s: %zu attributes but no array", oid, t->nattrs);
    for (size_t i = 0; i < t->nattrs; i++) {
        const pkiws__tpl_attr *a = &t->attrs[i];
        if (!a->name)
            fuzz_fail("template for %s: attribute %zu has no name", oid, i);
        (void)pkiws__role_name(a->role);
    }
    if (t->n_fixed_eku && !t->fixed_eku_oids)
        fuzz_fail("template for %s: EKU count without EKUs", oid);
    for (size_t i = 0; i < t->nca; i++)
        if (!t->ca_der || !t->ca_len || !t->ca_der[i] || !t->ca_len[i])
            fuzz_fail("template for %s: CA certificate %zu is empty", oid, i);
}

static void extract(pkiws_xml_doc *doc, const char *oid, int listed)
{
    pkiws__template *t = NULL, *copy = NULL;
    pkiws__err_clear();
    int rc = pkiws__template_from_doc(doc, oid, &t);
    fuzz_check_rc(rc, "pkiws__template_from_doc");
    if (rc) {
        if (t)
            fuzz_fail("pkiws__template_from_doc failed but returned a template");
        if (listed && rc == PKIWS_E_PROFILE_NOT_FOUND && pkiws__oid_valid(oid, NULL))
            fuzz_fail("profile OID %s is listed but not found: %s", oid, pkiws__err_message());
        return;
    }
    check_template(t, oid);
    pkiws__err_clear();
    rc = pkiws__template_dup(t, &copy);
    fuzz_check_rc(rc, "pkiws__template_dup");
    if (!rc) {
        check_template(copy, oid);
        if (copy->nattrs != t->nattrs || copy->nca != t->nca)
            fuzz_fail("pkiws__template_dup changed the template");
    }
    pkiws__template_free(copy);
    pkiws__template_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pkiws_xml_doc *doc = NULL;
    if (pkiws__xml_parse((const char *)data, size, NULL, "policy response", &doc))
        return 0;
    char **oids = NULL;
    size_t n = 0;
    pkiws__err_clear();
    int rc = pkiws__template_list_oids(doc, &oids, &n);
    fuzz_check_rc(rc, "pkiws__template_list_oids");
    for (size_t i = 0; !rc && i < n && i < 8; i++) {
        if (!oids[i])
            fuzz_fail("pkiws__template_list_oids returned a NULL OID");
        extract(doc, oids[i], 1);
    }
    pkiws__template_free_oids(oids, n);
    extract(doc, FUZZ_OID, 0);
    pkiws__xml_free(doc);

    /* the one-call form, with small limits */
    pkiws__template *t = NULL;
    pkiws_xml_limits lim = {size > 64 ? size - 1 : 64, 16, 2000};
    pkiws__err_clear();
    rc = pkiws__template_parse((const char *)data, size, FUZZ_OID, &lim, &t);
    fuzz_check_rc(rc, "pkiws__template_parse");
    pkiws__template_free(t);
    return 0;
}
