/* SPDX-License-Identifier: MIT */
/* A small escaping XML writer with sticky errors (no dependency). */
#include "pkiws_internal.h"

#include <stdarg.h>
#include <stdio.h>

#include "xml/xml.h"

static const char xml_decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

static void wfail(pkiws_xml_writer *w, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void wfail(pkiws_xml_writer *w, int code, const char *fmt, ...)
{
    char msg[512];
    if (w->err)
        return; /* keep the first failure */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    w->err = pkiws__fail(code, "XML writer: %s", msg);
}

static const char *current(const pkiws_xml_writer *w)
{
    return w->depth > 0 ? w->stack[w->depth - 1] : "(document)";
}

static void check_oom(pkiws_xml_writer *w)
{
    if (w->out.oom)
        wfail(w, PKIWS_E_NOMEM, "out of memory after %zu bytes", w->out.len);
}

static int name_ok(const char *name)
{
    if (!name || !*name)
        return 0;
    size_t bad;
    if (!pkiws__utf8_valid(name, strlen(name), &bad))
        return 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        int c = *p;
        int start = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
        if (p == (const unsigned char *)name
                ? !start
                : !(start || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':'))
            return 0;
    }
    return 1;
}

/* 1 when s is UTF-8 without control characters other than TAB, LF and CR. */
static int text_ok(const char *s, size_t *bad)
{
    size_t len = strlen(s);
    if (!pkiws__utf8_valid(s, len, bad))
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            *bad = i;
            return 0;
        }
    }
    return 1;
}

static void escape(pkiws_xml_writer *w, const char *s, int attr)
{
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '\r':
            rep = "&#13;";
            break;
        case '"':
            rep = attr ? "&quot;" : NULL;
            break;
        case '\n':
            rep = attr ? "&#10;" : NULL;
            break;
        case '\t':
            rep = attr ? "&#9;" : NULL;
            break;
        default:
            break;
        }
        if (rep) {
            pkiws__buf_append(&w->out, run, (size_t)(p - run));
            pkiws__buf_puts(&w->out, rep);
            run = p + 1;
        }
    }
    pkiws__buf_puts(&w->out, run);
    check_oom(w);
}

static void close_start_tag(pkiws_xml_writer *w)
{
    if (w->open_tag) {
        pkiws__buf_putc(&w->out, '>');
        w->open_tag = 0;
        check_oom(w);
    }
}

void pkiws__xmlw_init(pkiws_xml_writer *w)
{
    memset(w, 0, sizeof *w);
    pkiws__buf_puts(&w->out, xml_decl);
    check_oom(w);
}

void pkiws__xmlw_dispose(pkiws_xml_writer *w)
{
    if (!w)
        return;
    for (int i = 0; i < w->depth && i < PKIWS_XMLW_MAX_DEPTH; i++) {
        pkiws__free(w->stack[i]);
        w->stack[i] = NULL;
    }
    w->depth = 0;
    w->open_tag = 0;
    pkiws__buf_dispose(&w->out);
}

void pkiws__xmlw_start(pkiws_xml_writer *w, const char *qname)
{
    if (w->err)
        return;
    if (!name_ok(qname)) {
        wfail(w, PKIWS_E_INVALID_ARG, "invalid element name '%s' under <%s>",
              qname ? qname : "(null)", current(w));
        return;
    }
    if (w->depth >= PKIWS_XMLW_MAX_DEPTH) {
        wfail(w, PKIWS_E_INTERNAL, "element <%s> nested deeper than %d levels", qname,
              PKIWS_XMLW_MAX_DEPTH);
        return;
    }
    if (!w->depth && w->out.len > sizeof xml_decl - 1) {
        wfail(w, PKIWS_E_INTERNAL, "second document element <%s>", qname);
        return;
    }
    char *copy = pkiws__strdup(qname);
    if (!copy) {
        wfail(w, PKIWS_E_NOMEM, "out of memory for element <%s>", qname);
        return;
    }
    close_start_tag(w);
    pkiws__buf_putc(&w->out, '<');
    pkiws__buf_puts(&w->out, qname);
    check_oom(w);
    w->stack[w->depth++] = copy;
    w->open_tag = 1;
}

void pkiws__xmlw_attr(pkiws_xml_writer *w, const char *name, const char *value)
{
    size_t bad = 0;
    if (w->err)
        return;
    if (!w->open_tag) {
        wfail(w, PKIWS_E_INTERNAL, "attribute '%s' outside a start tag (in <%s>)",
              name ? name : "(null)", current(w));
        return;
    }
    if (!name_ok(name)) {
        wfail(w, PKIWS_E_INVALID_ARG, "invalid attribute name '%s' on <%s>", name ? name : "(null)",
              current(w));
        return;
    }
    if (!value)
        value = "";
    if (!text_ok(value, &bad)) {
        wfail(w, PKIWS_E_INVALID_ARG,
              "value of attribute '%s' on <%s> has invalid UTF-8 or a control character at byte "
              "offset %zu",
              name, current(w), bad);
        return;
    }
    pkiws__buf_putc(&w->out, ' ');
    pkiws__buf_puts(&w->out, name);
    pkiws__buf_puts(&w->out, "=\"");
    escape(w, value, 1);
    pkiws__buf_putc(&w->out, '"');
    check_oom(w);
}

void pkiws__xmlw_text(pkiws_xml_writer *w, const char *text)
{
    size_t bad = 0;
    if (w->err || !text)
        return;
    if (!w->depth) {
        wfail(w, PKIWS_E_INTERNAL, "text outside the document element");
        return;
    }
    if (!text_ok(text, &bad)) {
        wfail(w, PKIWS_E_INVALID_ARG,
              "text of <%s> has invalid UTF-8 or a control character at byte offset %zu",
              current(w), bad);
        return;
    }
    if (!*text)
        return;
    close_start_tag(w);
    escape(w, text, 0);
}

void pkiws__xmlw_end(pkiws_xml_writer *w)
{
    if (w->err)
        return;
    if (!w->depth) {
        wfail(w, PKIWS_E_INTERNAL, "end of an element with none open");
        return;
    }
    char *q = w->stack[--w->depth];
    w->stack[w->depth] = NULL;
    if (w->open_tag) {
        pkiws__buf_puts(&w->out, "/>");
        w->open_tag = 0;
    } else {
        pkiws__buf_puts(&w->out, "</");
        pkiws__buf_puts(&w->out, q);
        pkiws__buf_putc(&w->out, '>');
    }
    pkiws__free(q);
    check_oom(w);
}

void pkiws__xmlw_leaf(pkiws_xml_writer *w, const char *qname, const char *text)
{
    pkiws__xmlw_start(w, qname);
    pkiws__xmlw_text(w, text);
    pkiws__xmlw_end(w);
}

int pkiws__xmlw_finish(pkiws_xml_writer *w, pkiws_buf *out)
{
    if (!w || !out)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "XML writer: NULL writer or output");
    if (w->err)
        return w->err;
    if (w->depth) {
        wfail(w, PKIWS_E_INTERNAL, "unbalanced document: <%s> is still open", current(w));
        return w->err;
    }
    if (w->out.len <= sizeof xml_decl - 1) {
        wfail(w, PKIWS_E_INTERNAL, "no document element was written");
        return w->err;
    }
    pkiws__buf_dispose(out);
    *out = w->out;
    memset(&w->out, 0, sizeof w->out);
    return PKIWS_OK;
}
