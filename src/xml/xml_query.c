/* SPDX-License-Identifier: MIT */
/* Queries on the parsed tree: by namespace URI and local name, never by prefix. */
#include "pkiws_internal.h"

#include "xml/xml_int.h"

int pkiws__xml_is(const pkiws_xml_node *node, const char *ns, const char *local)
{
    if (!node || !local || strcmp(node->local, local))
        return 0;
    return !ns || !strcmp(node->ns, ns);
}

pkiws_xml_node *pkiws__xml_child(const pkiws_xml_node *node, const char *ns, const char *local)
{
    if (!node)
        return NULL;
    for (pkiws_xml_node *c = node->first_child; c; c = c->next)
        if (pkiws__xml_is(c, ns, local))
            return c;
    return NULL;
}

pkiws_xml_node *pkiws__xml_next_named(const pkiws_xml_node *after, const char *ns,
                                      const char *local)
{
    if (!after)
        return NULL;
    for (pkiws_xml_node *c = after->next; c; c = c->next)
        if (pkiws__xml_is(c, ns, local))
            return c;
    return NULL;
}

pkiws_xml_node *pkiws__xml_find(const pkiws_xml_node *node, const char *ns, const char *local)
{
    if (!node)
        return NULL;
    /* iterative pre-order walk of the subtree below node */
    const pkiws_xml_node *cur = node->first_child;
    while (cur) {
        if (pkiws__xml_is(cur, ns, local))
            return (pkiws_xml_node *)cur;
        if (cur->first_child) {
            cur = cur->first_child;
            continue;
        }
        while (cur && cur != node && !cur->next)
            cur = cur->parent;
        if (!cur || cur == node)
            break;
        cur = cur->next;
    }
    return NULL;
}

const char *pkiws__xml_attr(const pkiws_xml_node *node, const char *ns, const char *local)
{
    if (!node || !local)
        return NULL;
    for (size_t i = 0; i < node->nattrs; i++) {
        const pkiws_xml_attr *a = &node->attrs[i];
        if (!strcmp(a->local, local) && (!ns || !strcmp(a->ns, ns)))
            return a->value;
    }
    return NULL;
}

static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *trim(const char *s, size_t *n)
{
    size_t len = strlen(s);
    while (len && is_ws((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && is_ws((unsigned char)s[len - 1]))
        len--;
    *n = len;
    return s;
}

int pkiws__xml_is_nil(const pkiws_xml_node *node)
{
    const char *v = pkiws__xml_attr(node, PKIWS_NS_XSI, "nil");
    if (!v)
        return 0;
    size_t n;
    v = trim(v, &n);
    return (n == 4 && !memcmp(v, "true", 4)) || (n == 1 && v[0] == '1');
}

const char *pkiws__xml_text_trim(pkiws_xml_doc *doc, const pkiws_xml_node *node)
{
    if (!node)
        return NULL;
    size_t n;
    const char *s = trim(node->text, &n);
    if (n == strlen(node->text))
        return node->text; /* already trimmed: no copy */
    return doc ? pkiws__xml_arena_strndup(doc, s, n) : NULL;
}

pkiws_xml_node *pkiws__xml_soap_body_child(const pkiws_xml_doc *doc)
{
    pkiws_xml_node *root = pkiws__xml_root(doc);
    if (!pkiws__xml_is(root, PKIWS_NS_SOAP, "Envelope"))
        return root;
    pkiws_xml_node *body = pkiws__xml_child(root, PKIWS_NS_SOAP, "Body");
    return body ? body->first_child : NULL;
}
