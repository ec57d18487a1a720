/* SPDX-License-Identifier: MIT */
/* The document arena and the namespace-resolving tree builder fed by the mxml adapter. */
#include "pkiws_internal.h"

#include <stdio.h>

#include "xml/xml_int.h"

#define XML_NS_XML "http://www.w3.org/XML/1998/namespace"
#define XML_NS_XMLNS "http://www.w3.org/2000/xmlns/"
#define ARENA_CHUNK 16384u

struct pkiws__xml_chunk {
    pkiws__xml_chunk *next;
    size_t used, cap; /* bytes of data */
    max_align_t data[];
};

void *pkiws__xml_arena_alloc(pkiws_xml_doc *doc, size_t n)
{
    const size_t align = sizeof(max_align_t);
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - align - sizeof(pkiws__xml_chunk))
        return NULL;
    n = (n + align - 1) / align * align;
    pkiws__xml_chunk *c = doc->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        c = pkiws__malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->cap = cap;
        c->used = 0;
        if (doc->chunks && n > ARENA_CHUNK) {
            /* an oversized block: keep the current chunk for the small allocations that follow */
            c->next = doc->chunks->next;
            doc->chunks->next = c;
        } else {
            c->next = doc->chunks;
            doc->chunks = c;
        }
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *pkiws__xml_arena_strndup(pkiws_xml_doc *doc, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = pkiws__xml_arena_alloc(doc, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

void pkiws__xml_free(pkiws_xml_doc *doc)
{
    if (!doc)
        return;
    pkiws__xml_chunk *c = doc->chunks;
    while (c) {
        pkiws__xml_chunk *next = c->next;
        pkiws__free(c);
        c = next;
    }
    pkiws__free(doc);
}

pkiws_xml_node *pkiws__xml_root(const pkiws_xml_doc *doc)
{
    return doc ? doc->root : NULL;
}

/* ---- builder ---- */

typedef struct ns_decl {
    const char *prefix; /* "" for the default namespace */
    const char *uri;    /* "" undeclares the default namespace */
    struct ns_decl *prev;
} ns_decl;

typedef struct frame {
    pkiws_xml_node *node;
    pkiws_xml_node *last_child;
    ns_decl *ns_saved; /* scope to restore when the element closes */
    pkiws_buf text;
} frame;

struct pkiws__xml_builder {
    pkiws_xml_doc *doc;
    pkiws_xml_limits lim;
    const char *what;
    frame *frames;
    size_t depth, cap;
    ns_decl *ns;
    size_t nodes;
    int err;
    int root_closed;
};

static const char empty_text[] = "";

int pkiws__xml_builder_new(pkiws_xml_doc *doc, const pkiws_xml_limits *lim, const char *what,
                           pkiws__xml_builder **out)
{
    pkiws__xml_builder *b = pkiws__calloc(1, sizeof *b);
    if (!b)
        return pkiws__fail(PKIWS_E_NOMEM, "%s: out of memory for the XML tree builder", what);
    b->doc = doc;
    b->lim = *lim;
    b->what = what;
    *out = b;
    return PKIWS_OK;
}

void pkiws__xml_builder_free(pkiws__xml_builder *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->cap; i++)
        pkiws__buf_dispose(&b->frames[i].text);
    pkiws__free(b->frames);
    pkiws__free(b);
}

int pkiws__xml_builder_status(const pkiws__xml_builder *b)
{
    return b->err;
}

/* "/Envelope/Body/x" of the open elements, for messages. */
static void path_of(const pkiws__xml_builder *b, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = 0;
    for (size_t i = 0; i < b->depth && used + 1 < cap; i++) {
        if (!b->frames[i].node)
            break; /* the element being opened: the message names it */
        int n = snprintf(out + used, cap - used, "/%s", b->frames[i].node->local);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    if (!out[0] && cap > 1) {
        out[0] = '/';
        out[1] = 0;
    }
}

static int bfail(pkiws__xml_builder *b, int code, const char *detail, const char *name)
{
    char path[256];
    path_of(b, path, sizeof path);
    b->err = pkiws__fail(code, "%s: %s '%s' (under %s)", b->what, detail, name, path);
    return b->err;
}

static int oom(pkiws__xml_builder *b)
{
    b->err = pkiws__fail(PKIWS_E_NOMEM, "%s: out of memory while building the XML tree", b->what);
    return b->err;
}

static const char *lookup_ns(const pkiws__xml_builder *b, const char *prefix, size_t plen)
{
    if (plen == 3 && !memcmp(prefix, "xml", 3))
        return XML_NS_XML;
    for (const ns_decl *d = b->ns; d; d = d->prev)
        if (strlen(d->prefix) == plen && !memcmp(d->prefix, prefix, plen))
            return d->uri;
    return plen ? NULL : "";
}

/* Split a qname into prefix and local part; 0 when it is not a valid QName. */
static int split_qname(const char *q, size_t *plen, const char **local)
{
    const char *colon = strchr(q, ':');
    if (!colon) {
        *plen = 0;
        *local = q;
        return *q != 0;
    }
    if (colon == q || !colon[1] || strchr(colon + 1, ':'))
        return 0;
    *plen = (size_t)(colon - q);
    *local = colon + 1;
    return 1;
}

static int declare_ns(pkiws__xml_builder *b, const char *name, const char *value)
{
    const char *prefix = name[5] == ':' ? name + 6 : "";
    if (name[5] == ':' && !*prefix)
        return bfail(b, PKIWS_E_PROTOCOL, "namespace declaration without a prefix", name);
    if (name[5] == ':' && !*value)
        return bfail(b, PKIWS_E_PROTOCOL, "empty namespace URI for the prefix declaration", name);
    if (!strcmp(prefix, "xmlns") || (!strcmp(prefix, "xml") && strcmp(value, XML_NS_XML)) ||
        (strcmp(prefix, "xml") && (!strcmp(value, XML_NS_XML) || !strcmp(value, XML_NS_XMLNS))))
        return bfail(b, PKIWS_E_PROTOCOL, "reserved namespace prefix or URI in declaration", name);
    if (strchr(prefix, ':'))
        return bfail(b, PKIWS_E_PROTOCOL, "invalid namespace declaration", name);
    ns_decl *d = pkiws__xml_arena_alloc(b->doc, sizeof *d);
    if (!d)
        return oom(b);
    d->prefix = pkiws__xml_arena_strndup(b->doc, prefix, strlen(prefix));
    d->uri = pkiws__xml_arena_strndup(b->doc, value, strlen(value));
    if (!d->prefix || !d->uri)
        return oom(b);
    d->prev = b->ns;
    b->ns = d;
    return PKIWS_OK;
}

static int is_ns_decl(const char *name)
{
    return !strncmp(name, "xmlns", 5) && (name[5] == 0 || name[5] == ':');
}

static int push_frame(pkiws__xml_builder *b)
{
    if (b->depth == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        frame *f = pkiws__realloc(b->frames, cap * sizeof *f);
        if (!f)
            return oom(b);
        memset(f + b->cap, 0, (cap - b->cap) * sizeof *f);
        b->frames = f;
        b->cap = cap;
    }
    frame *f = &b->frames[b->depth];
    pkiws__buf_clear(&f->text);
    f->node = NULL;
    f->last_child = NULL;
    f->ns_saved = b->ns;
    b->depth++;
    return PKIWS_OK;
}

static int resolve_attrs(pkiws__xml_builder *b, pkiws_xml_node *node, size_t nattrs,
                         const char *const *names, const char *const *values)
{
    size_t n = 0;
    for (size_t i = 0; i < nattrs; i++)
        n += !is_ns_decl(names[i]);
    if (!n)
        return PKIWS_OK;
    node->attrs = pkiws__xml_arena_alloc(b->doc, n * sizeof *node->attrs);
    if (!node->attrs)
        return oom(b);
    for (size_t i = 0; i < nattrs; i++) {
        if (is_ns_decl(names[i]))
            continue;
        size_t plen;
        const char *local;
        if (!split_qname(names[i], &plen, &local))
            return bfail(b, PKIWS_E_PROTOCOL, "invalid attribute name", names[i]);
        const char *uri = plen ? lookup_ns(b, names[i], plen) : "";
        if (!uri)
            return bfail(b, PKIWS_E_PROTOCOL, "undeclared namespace prefix in attribute", names[i]);
        for (size_t k = 0; k < node->nattrs; k++)
            if (!strcmp(node->attrs[k].local, local) && !strcmp(node->attrs[k].ns, uri))
                return bfail(b, PKIWS_E_PROTOCOL, "duplicate attribute", names[i]);
        pkiws_xml_attr *a = &node->attrs[node->nattrs];
        a->ns = uri[0] ? pkiws__xml_arena_strndup(b->doc, uri, strlen(uri)) : empty_text;
        a->local = pkiws__xml_arena_strndup(b->doc, local, strlen(local));
        a->value = pkiws__xml_arena_strndup(b->doc, values[i], strlen(values[i]));
        if (!a->ns || !a->local || !a->value)
            return oom(b);
        node->nattrs++;
    }
    return PKIWS_OK;
}

int pkiws__xml_builder_open(pkiws__xml_builder *b, const char *qname, size_t nattrs,
                            const char *const *names, const char *const *values)
{
    if (b->err)
        return b->err;
    if (b->root_closed)
        return bfail(b, PKIWS_E_PROTOCOL, "second element after the document element", qname);
    if (b->depth >= b->lim.max_depth) {
        char d[64];
        snprintf(d, sizeof d, "elements nested deeper than %u levels at", b->lim.max_depth);
        return bfail(b, PKIWS_E_LIMIT, d, qname);
    }
    if (nattrs > PKIWS_XML_MAX_ATTRS)
        return bfail(b, PKIWS_E_LIMIT, "too many attributes on element", qname);
    b->nodes += 1 + nattrs;
    if (b->nodes > b->lim.max_nodes)
        return bfail(b, PKIWS_E_LIMIT, "node limit exceeded at element", qname);
    pkiws_xml_node *parent = b->depth ? b->frames[b->depth - 1].node : NULL;
    if (push_frame(b))
        return b->err;
    frame *f = &b->frames[b->depth - 1];
    for (size_t i = 0; i < nattrs; i++)
        if (is_ns_decl(names[i]) && declare_ns(b, names[i], values[i]))
            return b->err;
    size_t plen;
    const char *local;
    if (!split_qname(qname, &plen, &local))
        return bfail(b, PKIWS_E_PROTOCOL, "invalid element name", qname);
    const char *uri = lookup_ns(b, qname, plen);
    if (!uri)
        return bfail(b, PKIWS_E_PROTOCOL, "undeclared namespace prefix in element", qname);
    pkiws_xml_node *node = pkiws__xml_arena_alloc(b->doc, sizeof *node);
    if (!node)
        return oom(b);
    node->ns = uri[0] ? pkiws__xml_arena_strndup(b->doc, uri, strlen(uri)) : empty_text;
    node->local = pkiws__xml_arena_strndup(b->doc, local, strlen(local));
    node->text = empty_text;
    if (!node->ns || !node->local)
        return oom(b);
    f->node = node;
    if (resolve_attrs(b, node, nattrs, names, values))
        return b->err;
    node->parent = parent;
    if (parent) {
        frame *pf = &b->frames[b->depth - 2];
        if (pf->last_child)
            pf->last_child->next = node;
        else
            parent->first_child = node;
        pf->last_child = node;
    } else {
        b->doc->root = node;
    }
    return PKIWS_OK;
}

int pkiws__xml_builder_text(pkiws__xml_builder *b, const char *s, size_t n)
{
    if (b->err)
        return b->err;
    if (!b->depth || !n)
        return PKIWS_OK; /* white space around the document element (the scan checked it) */
    if (pkiws__buf_append(&b->frames[b->depth - 1].text, s, n))
        return oom(b);
    return PKIWS_OK;
}

int pkiws__xml_builder_close(pkiws__xml_builder *b, const char *qname)
{
    if (b->err)
        return b->err;
    if (!b->depth)
        return bfail(b, PKIWS_E_PROTOCOL, "end tag without a start tag", qname);
    frame *f = &b->frames[b->depth - 1];
    if (f->text.len) {
        char *t = pkiws__xml_arena_strndup(b->doc, (const char *)f->text.data, f->text.len);
        if (!t)
            return oom(b);
        f->node->text = t;
    }
    b->ns = f->ns_saved;
    b->depth--;
    if (!b->depth)
        b->root_closed = 1;
    return PKIWS_OK;
}

int pkiws__xml_builder_finish(pkiws__xml_builder *b)
{
    if (b->err)
        return b->err;
    if (!b->root_closed) {
        b->err =
            pkiws__fail(PKIWS_E_PROTOCOL,
                        "%s: document is truncated: the document element is not closed", b->what);
        return b->err;
    }
    return PKIWS_OK;
}
