/* SPDX-License-Identifier: MIT */
/* The mxml 3 adapter (the only file that includes <mxml.h>): checked input in, pkiws tree out. */
#include "pkiws_internal.h"

#include <mxml.h>
#include <stdio.h>

#include "xml/xml_int.h"

/* mxml reports errors through a per-thread callback without user data. */
static _Thread_local char tl_mxml_msg[256];
static _Thread_local int tl_mxml_failed;

static void on_mxml_error(const char *msg)
{
    if (!tl_mxml_failed)
        snprintf(tl_mxml_msg, sizeof tl_mxml_msg, "%s", msg ? msg : "(no message)");
    tl_mxml_failed = 1;
}

typedef struct sax_ctx {
    pkiws__xml_builder *b;
    const char *names[PKIWS_XML_MAX_ATTRS];
    const char *values[PKIWS_XML_MAX_ATTRS];
} sax_ctx;

static void on_open(sax_ctx *c, mxml_node_t *node)
{
    const char *name = mxmlGetElement(node);
    int n = mxmlElementGetAttrCount(node);
    if (!name || n < 0 || n > PKIWS_XML_MAX_ATTRS) {
        /* the builder refuses it with a message naming the element */
        pkiws__xml_builder_open(c->b, name ? name : "?", (size_t)PKIWS_XML_MAX_ATTRS + 1, NULL,
                                NULL);
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *an = NULL;
        const char *av = mxmlElementGetAttrByIndex(node, i, &an);
        c->names[i] = an ? an : "";
        c->values[i] = av ? av : "";
    }
    pkiws__xml_builder_open(c->b, name, (size_t)n, c->names, c->values);
}

static void on_sax(mxml_node_t *node, mxml_sax_event_t event, void *data)
{
    sax_ctx *c = data;
    const char *s;
    if (pkiws__xml_builder_status(c->b))
        return; /* mxml cannot be stopped: ignore the rest */
    switch (event) {
    case MXML_SAX_ELEMENT_OPEN:
        on_open(c, node);
        break;
    case MXML_SAX_ELEMENT_CLOSE:
        s = mxmlGetElement(node);
        pkiws__xml_builder_close(c->b, s ? s : "?");
        break;
    case MXML_SAX_DATA:
        /* opaque text; text nodes outside the document element are white space (checked) */
        if (mxmlGetParent(node) && (s = mxmlGetOpaque(node)) != NULL)
            pkiws__xml_builder_text(c->b, s, strlen(s));
        break;
    case MXML_SAX_CDATA:
        if ((s = mxmlGetCDATA(node)) != NULL)
            pkiws__xml_builder_text(c->b, s, strlen(s));
        break;
    case MXML_SAX_COMMENT:
    case MXML_SAX_DIRECTIVE:
    default:
        break; /* comments and processing instructions are dropped */
    }
}

int pkiws__xml_parse(const char *data, size_t len, const pkiws_xml_limits *limits, const char *what,
                     pkiws_xml_doc **out)
{
    if (!what)
        what = "XML document";
    if (!out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: no output pointer", what);
    *out = NULL;
    if (!data && len)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "%s: NULL data with length %zu", what, len);
    pkiws_xml_limits lim;
    pkiws__xml_limits_resolve(limits, &lim);
    if (len > lim.max_bytes)
        return pkiws__fail(PKIWS_E_LIMIT, "%s: %zu bytes exceed the size limit of %zu bytes", what,
                           len, lim.max_bytes);
    if (!len)
        return pkiws__fail(PKIWS_E_PROTOCOL, "%s: empty document", what);
    size_t bad = 0;
    if (!pkiws__utf8_valid(data, len, &bad))
        return pkiws__fail(PKIWS_E_PROTOCOL,
                           "%s: invalid UTF-8 at byte offset %zu (byte 0x%02X); the document must "
                           "be UTF-8",
                           what, bad, (unsigned)(unsigned char)data[bad]);
    int rc = pkiws__xml_scan(data, len, &lim, what);
    if (rc)
        return rc;

    /* mxml reads NUL-terminated strings: copy (the scan refused embedded NUL bytes) */
    char *copy = pkiws__strndup(data, len);
    pkiws_xml_doc *doc = pkiws__calloc(1, sizeof *doc);
    sax_ctx *ctx = pkiws__calloc(1, sizeof *ctx);
    pkiws__xml_builder *b = NULL;
    if (!copy || !doc || !ctx) {
        rc = pkiws__fail(PKIWS_E_NOMEM, "%s: out of memory for a %zu-byte document", what, len);
        goto done;
    }
    if ((rc = pkiws__xml_builder_new(doc, &lim, what, &b)))
        goto done;
    ctx->b = b;

    tl_mxml_failed = 0;
    tl_mxml_msg[0] = 0;
    mxmlSetErrorCallback(on_mxml_error);
    /* mxml 3.3 refuses a document that does not start with '<': skip the byte order mark and
     * the white space before the first markup (the scan checked that it is only that) */
    const char *start = copy;
    if (len >= 3 && !memcmp(start, "\xEF\xBB\xBF", 3))
        start += 3;
    while (*start == ' ' || *start == '\t' || *start == '\r' || *start == '\n')
        start++;
    mxml_node_t *left = mxmlSAXLoadString(NULL, start, MXML_OPAQUE_CALLBACK, on_sax, ctx);
    if (left)
        mxmlDelete(left); /* whatever mxml did not release (an unclosed element) */

    if ((rc = pkiws__xml_builder_status(b)))
        goto done;
    if (tl_mxml_failed) {
        rc = pkiws__fail(PKIWS_E_PROTOCOL, "%s: not well-formed XML: %s", what, tl_mxml_msg);
        goto done;
    }
    rc = pkiws__xml_builder_finish(b);
done:
    pkiws__xml_builder_free(b);
    pkiws__free(ctx);
    pkiws__free(copy);
    if (rc) {
        pkiws__xml_free(doc);
        return rc;
    }
    *out = doc;
    return PKIWS_OK;
}
