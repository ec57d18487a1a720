/* SPDX-License-Identifier: MIT */
/* SOAP 1.1 envelopes and faults in the JAX-WS RI style (S: prefix), request helpers. */
#include "sim.h"

#include <stdarg.h>

static int err_set(sim_error *e, const char *code, int errorcode, const char *fmt, va_list ap)
{
    e->set = 1;
    e->http = 500;
    e->faultcode = code;
    e->errorcode = errorcode;
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    return -1;
}

int sim_err(sim_error *e, int errorcode, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_set(e, "S:Server", errorcode, fmt, ap);
    va_end(ap);
    return -1;
}

int sim_err_client(sim_error *e, int errorcode, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_set(e, "S:Client", errorcode, fmt, ap);
    va_end(ap);
    return -1;
}

void sim_soap_begin(pkiws_xml_writer *w)
{
    pkiws__xmlw_init(w);
    pkiws__xmlw_start(w, "S:Envelope");
    pkiws__xmlw_attr(w, "xmlns:S", PKIWS_NS_SOAP);
    pkiws__xmlw_start(w, "S:Body");
}

int sim_soap_end(pkiws_xml_writer *w, pkiws_buf *out)
{
    pkiws__xmlw_end(w); /* Body */
    pkiws__xmlw_end(w); /* Envelope */
    return pkiws__xmlw_finish(w, out);
}

int sim_soap_fault(const sim_error *e, pkiws_buf *out)
{
    pkiws_xml_writer w;
    char code[16];
    snprintf(code, sizeof code, "%d", e->errorcode);
    sim_soap_begin(&w);
    pkiws__xmlw_start(&w, "S:Fault");
    pkiws__xmlw_attr(&w, "xmlns:ns4", "http://www.w3.org/2003/05/soap-envelope");
    pkiws__xmlw_leaf(&w, "faultcode", e->faultcode ? e->faultcode : "S:Server");
    pkiws__xmlw_leaf(&w, "faultstring", e->message);
    pkiws__xmlw_start(&w, "detail");
    pkiws__xmlw_leaf(&w, "errorcode", code);
    pkiws__xmlw_leaf(&w, "message", e->message);
    pkiws__xmlw_end(&w); /* detail */
    pkiws__xmlw_end(&w); /* Fault */
    int rc = sim_soap_end(&w, out);
    pkiws__xmlw_dispose(&w);
    return rc;
}

void sim_server_txid(sim_server *srv, char out[21])
{
    uint8_t r[10] = {0};
    sim_rng(srv, r, sizeof r);
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(out + 2 * i, 3, "%02x", r[i]);
}

const char *sim_child_text(pkiws_xml_doc *doc, const pkiws_xml_node *node, const char *ns,
                           const char *local)
{
    const pkiws_xml_node *c = node ? pkiws__xml_child(node, ns, local) : NULL;
    if (!c)
        return NULL;
    return pkiws__xml_text_trim(doc, c);
}

const char *sim_clip(const char *s, size_t max, char *out, size_t cap)
{
    size_t n = strlen(s);
    if (max >= cap)
        max = cap - 1;
    if (n <= max) {
        memcpy(out, s, n + 1);
        return out;
    }
    size_t k = max > 3 ? max - 3 : 0;
    while (k && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--; /* do not cut a UTF-8 sequence */
    memcpy(out, s, k);
    memcpy(out + k, "...", 4);
    return out;
}

int sim_check_txid(const char *txid, sim_error *e)
{
    if (!txid)
        return 0;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)txid; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    char clip[80];
    if (n > 40)
        return sim_err_client(e, SIM_EC_INVALID,
                              "clientTransactionID '%s' has %zu characters; at most 40 are "
                              "allowed",
                              sim_clip(txid, 60, clip, sizeof clip), n);
    return 0;
}
