/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the XML reader (src/xml/: pre-scan, mxml adapter, namespace-resolved tree) and
 * its queries. The input is a document as a server would send it. Parsed twice: with the
 * default limits and with small ones (so the limit paths run too). Invariants checked on every
 * tree: names and texts are valid UTF-8 without control characters other than TAB, LF and CR
 * (what the writer accepts), parent/child links agree, depth and attribute counts respect
 * the limits, and every query terminates.
 */
#include "pkiws_internal.h"

#include "fuzz.h"
#include "xml/xml.h"

static int clean_text(const char *s)
{
    size_t len = strlen(s), bad;
    if (!pkiws__utf8_valid(s, len, &bad))
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return 0;
    }
    return 1;
}

static void check_node(pkiws_xml_doc *doc, const pkiws_xml_node *n, unsigned depth,
                       unsigned max_depth)
{
    if (depth > max_depth)
        fuzz_fail("element at depth %u exceeds the depth limit %u", depth, max_depth);
    if (!n->ns || !n->local || !n->text)
        fuzz_fail("element with a NULL namespace, name or text");
    if (!*n->local)
        fuzz_fail("element with an empty local name");
    if (strchr(n->local, ':'))
        fuzz_fail("local name '%s' still has a prefix", n->local);
    if (!clean_text(n->local) || !clean_text(n->ns) || !clean_text(n->text))
        fuzz_fail("element <%s>: name, namespace or text is not clean UTF-8", n->local);
    if (n->nattrs > PKIWS_XML_MAX_ATTRS || (n->nattrs && !n->attrs))
        fuzz_fail("element <%s>: %zu attributes", n->local, n->nattrs);
    for (size_t i = 0; i < n->nattrs; i++) {
        const pkiws_xml_attr *a = &n->attrs[i];
        if (!a->ns || !a->local || !a->value)
            fuzz_fail("element <%s>: attribute with a NULL part", n->local);
        if (!clean_text(a->ns) || !clean_text(a->local) || !clean_text(a->value))
            fuzz_fail("element <%s>: attribute %zu is not clean UTF-8", n->local, i);
        if (pkiws__xml_attr(n, a->ns, a->local) == NULL)
            fuzz_fail("element <%s>: attribute '%s' not found by pkiws__xml_attr", n->local,
                      a->local);
    }
    const char *t = pkiws__xml_text_trim(doc, n);
    if (!t || strlen(t) > strlen(n->text))
        fuzz_fail("element <%s>: trimmed text longer than the text", n->local);
    (void)pkiws__xml_is_nil(n);
    if (pkiws__xml_find(n, n->ns, n->local) && !n->first_child)
        fuzz_fail("element <%s>: pkiws__xml_find found a descendant of a leaf", n->local);
    for (const pkiws_xml_node *c = n->first_child; c; c = c->next) {
        if (c->parent != n)
            fuzz_fail("element <%s>: child <%s> has another parent", n->local, c->local);
        if (pkiws__xml_child(n, c->ns, c->local) == NULL)
            fuzz_fail("element <%s>: child <%s> not found by pkiws__xml_child", n->local, c->local);
        check_node(doc, c, depth + 1, max_depth);
    }
}

static void run(const uint8_t *data, size_t size, const pkiws_xml_limits *lim, unsigned max_depth)
{
    pkiws_xml_doc *doc = NULL;
    pkiws__err_clear();
    int rc = pkiws__xml_parse((const char *)data, size, lim, "fuzz input", &doc);
    fuzz_check_rc(rc, "pkiws__xml_parse");
    if (rc) {
        if (doc)
            fuzz_fail("pkiws__xml_parse failed but returned a document");
        return;
    }
    pkiws_xml_node *root = pkiws__xml_root(doc);
    if (!root)
        fuzz_fail("parsed document without a root element");
    if (root->parent)
        fuzz_fail("the root element has a parent");
    check_node(doc, root, 1, max_depth);
    (void)pkiws__xml_soap_body_child(doc);
    (void)pkiws__xml_find(root, PKIWS_NS_SOAP, "Fault");
    pkiws__xml_free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, NULL, 64);
    pkiws_xml_limits small = {4096, 4, 24};
    run(data, size, &small, 4);
    return 0;
}
