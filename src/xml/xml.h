/* SPDX-License-Identifier: MIT */
/*
 * The XML layer. Reading goes through src/xml/xml_mxml.c, the only file that includes
 * <mxml.h>: it validates UTF-8 first, rejects truncated input, DTDs and entity tricks, caps
 * size, depth and node count, and turns the mxml tree into the namespace-resolved tree below
 * (servers pick prefixes freely: ns2, S, a default namespace). Writing (xml_write.c) is a
 * small escaping builder with no dependency.
 */
#ifndef PKIWS_XML_H
#define PKIWS_XML_H

#include <stddef.h>

#include "util/buf.h"

#define PKIWS_NS_SOAP "http://schemas.xmlsoap.org/soap/envelope/"
#define PKIWS_NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define PKIWS_NS_WST "http://docs.oasis-open.org/ws-sx/ws-trust/200512/" /* trailing slash! */
#define PKIWS_NS_ENROLL "http://schemas.verisign.com/pkiservices/2009/07/enrollment"
#define PKIWS_NS_POLICY "http://schemas.verisign.com/pkiservices/2009/07/policy"
#define PKIWS_NS_MGMT "http://schemas.verisign.com/pkiservices/2009/07/management"
#define PKIWS_NS_HEALTH "http://schemas.pki.symantec.com/pkiservices/healthcheck"

/* Attributes exclude the namespace declarations (xmlns, xmlns:p): those are consumed by the
 * namespace resolution. The prefix "xml" is predeclared (http://www.w3.org/XML/1998/namespace). */
typedef struct pkiws_xml_attr {
    const char *ns;    /* resolved namespace URI; "" for unprefixed attributes */
    const char *local; /* local name */
    const char *value; /* entity-expanded value (TAB/LF/CR kept as written, not normalised) */
} pkiws_xml_attr;

typedef struct pkiws_xml_node {
    const char *ns;    /* resolved namespace URI; "" when none */
    const char *local; /* local name without prefix */
    /* concatenation of the direct text/CDATA children, verbatim ("" if none): entities
     * expanded, CR LF kept as written */
    const char *text;
    pkiws_xml_attr *attrs;
    size_t nattrs;
    struct pkiws_xml_node *parent;
    struct pkiws_xml_node *first_child; /* element children only */
    struct pkiws_xml_node *next;        /* next element sibling */
} pkiws_xml_node;

typedef struct pkiws_xml_doc pkiws_xml_doc;

#define PKIWS_XML_MAX_ATTRS 256

typedef struct pkiws_xml_limits {
    size_t max_bytes;   /* 0: 4 MiB */
    unsigned max_depth; /* 0: 64 */
    size_t max_nodes;   /* 0: 100000 */
} pkiws_xml_limits;

/* Parse a complete document. Errors: PKIWS_E_LIMIT (size/depth/nodes), PKIWS_E_PROTOCOL
 * (invalid UTF-8 with offset, truncated, not well-formed, DTD, undeclared prefix) with a
 * message that says what and where. `what` names the input in messages ("policy response").
 * Nodes count elements, attributes, CDATA sections, comments and processing instructions; one
 * element may carry at most PKIWS_XML_MAX_ATTRS attributes (PKIWS_E_LIMIT). Only the five
 * predefined entities and character references are accepted. A UTF-8 byte order mark is
 * skipped. Safe on separate documents in parallel threads; it sets the calling thread's mxml
 * error callback (mxml keeps it per thread and has no getter to restore a host's own). */
int pkiws__xml_parse(const char *data, size_t len, const pkiws_xml_limits *limits, const char *what,
                     pkiws_xml_doc **out);
void pkiws__xml_free(pkiws_xml_doc *doc);
pkiws_xml_node *pkiws__xml_root(const pkiws_xml_doc *doc); /* the document element */

/* 1 when node is {ns}local; ns NULL matches any namespace. */
int pkiws__xml_is(const pkiws_xml_node *node, const char *ns, const char *local);
/* First element child {ns}local (ns NULL: any namespace), or NULL. */
pkiws_xml_node *pkiws__xml_child(const pkiws_xml_node *node, const char *ns, const char *local);
/* Next sibling after `after` that is {ns}local, or NULL. */
pkiws_xml_node *pkiws__xml_next_named(const pkiws_xml_node *after, const char *ns,
                                      const char *local);
/* First descendant {ns}local in document order (depth-first), or NULL. */
pkiws_xml_node *pkiws__xml_find(const pkiws_xml_node *node, const char *ns, const char *local);
/* Attribute value by namespace ("" = unqualified, NULL = any) and local name, or NULL. */
const char *pkiws__xml_attr(const pkiws_xml_node *node, const char *ns, const char *local);
/* 1 when the element carries xsi:nil="true" (or "1"). */
int pkiws__xml_is_nil(const pkiws_xml_node *node);
/* Text of the element with leading/trailing XML whitespace removed, copied into the doc's
 * arena when needed (valid as long as the doc). NULL when the element is NULL or out of memory. */
const char *pkiws__xml_text_trim(pkiws_xml_doc *doc, const pkiws_xml_node *node);

/* If root is a SOAP 1.1 Envelope, its Body's first element child; else root itself. */
pkiws_xml_node *pkiws__xml_soap_body_child(const pkiws_xml_doc *doc);

/* ---- writer ----
 * Calls do not return errors: the first failure is kept (err) and reported by
 * pkiws__xmlw_finish. Text and attribute values must be UTF-8 without control characters
 * other than TAB, LF and CR; names must be XML names (prefix:local allowed). Escaping: & < > in
 * text (and CR as &#13;), & < > " and TAB LF CR (&#9; &#10; &#13;) in attribute values; other
 * UTF-8 is written as is. Set out.secret = 1 after init when the document holds secrets. */
#define PKIWS_XMLW_MAX_DEPTH 64

typedef struct pkiws_xml_writer {
    pkiws_buf out;
    int depth;
    int open_tag; /* a start tag is open: attributes may still be added */
    int err;      /* first failure (PKIWS_E_*), 0 when none; its message is recorded then */
    char *stack[PKIWS_XMLW_MAX_DEPTH]; /* copies of the open qnames */
} pkiws_xml_writer;

void pkiws__xmlw_init(pkiws_xml_writer *w);    /* writes the XML declaration */
void pkiws__xmlw_dispose(pkiws_xml_writer *w); /* frees everything; idempotent */
/* Start element "prefix:local" (qname as given). */
void pkiws__xmlw_start(pkiws_xml_writer *w, const char *qname);
/* Attribute on the element just started (value escaped). */
void pkiws__xmlw_attr(pkiws_xml_writer *w, const char *name, const char *value);
/* Escaped text content. */
void pkiws__xmlw_text(pkiws_xml_writer *w, const char *text);
void pkiws__xmlw_end(pkiws_xml_writer *w);
/* <qname>text</qname> */
void pkiws__xmlw_leaf(pkiws_xml_writer *w, const char *qname, const char *text);
/* Hand the document over into *out (which must be empty or PKIWS_BUF_INIT); returns PKIWS_OK,
 * or PKIWS_E_NOMEM, PKIWS_E_INVALID_ARG (bad name or text, message names the element) or
 * PKIWS_E_INTERNAL (unbalanced, too deep, attribute after content). The writer still needs
 * pkiws__xmlw_dispose. */
int pkiws__xmlw_finish(pkiws_xml_writer *w, pkiws_buf *out);

#endif
