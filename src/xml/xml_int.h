/* SPDX-License-Identifier: MIT */
/* Private to src/xml: the document arena, the lexical pre-check and the tree builder. */
#ifndef PKIWS_XML_INT_H
#define PKIWS_XML_INT_H

#include <stddef.h>

#include "xml/xml.h"

typedef struct pkiws__xml_chunk pkiws__xml_chunk;

struct pkiws_xml_doc {
    pkiws__xml_chunk *chunks; /* arena: every node, attribute and string of the document */
    pkiws_xml_node *root;
};

/* Zeroed, max_align_t-aligned memory owned by the doc; NULL when out of memory. */
void *pkiws__xml_arena_alloc(pkiws_xml_doc *doc, size_t n);
/* NUL-terminated copy of n bytes in the arena; NULL when out of memory. */
char *pkiws__xml_arena_strndup(pkiws_xml_doc *doc, const char *s, size_t n);

/* Limits with the defaults of xml.h filled in. */
void pkiws__xml_limits_resolve(const pkiws_xml_limits *in, pkiws_xml_limits *out);

/* Lexical pre-check of a whole document, before mxml sees it: byte limit, characters (no
 * control characters, no NUL), nesting depth and node count, no DTD or other <! declaration,
 * only predefined entities and XML character references, quoted attribute values, at most
 * PKIWS_XML_MAX_ATTRS attributes per element, comments mxml reads the same way, exactly one
 * document element with nothing but white space, comments and processing instructions around
 * it, and no input cut short. Expects valid UTF-8. Failures name `what` and the byte offset. */
int pkiws__xml_scan(const char *data, size_t len, const pkiws_xml_limits *lim, const char *what);

/* The tree builder: fed with SAX events by the mxml adapter, resolves namespaces and builds
 * the pkiws_xml_node tree in the doc's arena. After the first failure (recorded with
 * pkiws__fail) every call returns that code and does nothing. */
typedef struct pkiws__xml_builder pkiws__xml_builder;

int pkiws__xml_builder_new(pkiws_xml_doc *doc, const pkiws_xml_limits *lim, const char *what,
                           pkiws__xml_builder **out);
void pkiws__xml_builder_free(pkiws__xml_builder *b);
int pkiws__xml_builder_open(pkiws__xml_builder *b, const char *qname, size_t nattrs,
                            const char *const *names, const char *const *values);
int pkiws__xml_builder_text(pkiws__xml_builder *b, const char *s, size_t n);
int pkiws__xml_builder_close(pkiws__xml_builder *b, const char *qname);
/* PKIWS_OK when exactly one document element was opened and closed; sets doc->root. */
int pkiws__xml_builder_finish(pkiws__xml_builder *b);
int pkiws__xml_builder_status(const pkiws__xml_builder *b);

#endif
