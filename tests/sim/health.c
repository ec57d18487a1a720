/* SPDX-License-Identifier: MIT */
/* Health-check service: getStatus (operationType ENROLL, optional profileOid). */
#include "sim.h"

int sim_svc_health(sim_server *srv, pkiws_xml_doc *doc, const pkiws_xml_node *body,
                   sim_response *resp, sim_error *e)
{
    const char *ns = PKIWS_NS_HEALTH;
    const char *txid = sim_child_text(doc, body, ns, "clientTransactionID");
    if (sim_check_txid(txid, e))
        return -1;
    const char *op = sim_child_text(doc, body, ns, "operationType");
    const char *oid = sim_child_text(doc, body, ns, "profileOid");
    char clip[160];
    if (!op)
        return sim_err_client(e, SIM_EC_MISSING, "operationType is missing");
    if (strcmp(op, "ENROLL") != 0)
        return sim_err_client(e, SIM_EC_INVALID, "operationType '%s' is not ENROLL",
                              sim_clip(op, 100, clip, sizeof clip));
    /* An unknown profile is reported as DOWN for that profile (README.md, decisions). */
    int up = 1;
    char msg[300];
    if (oid && *oid && !sim_catalogue_find(&srv->cat, oid)) {
        up = 0;
        snprintf(msg, sizeof msg, "Profile %s is not known to this service.",
                 sim_clip(oid, 150, clip, sizeof clip));
    } else if (oid && *oid) {
        snprintf(msg, sizeof msg, "Enrollment service is available for profile %s.", oid);
    } else {
        snprintf(msg, sizeof msg, "Enrollment service is available.");
    }
    char stx[21];
    sim_server_txid(srv, stx);
    pkiws_xml_writer w;
    sim_soap_begin(&w);
    pkiws__xmlw_start(&w, "ns2:getStatusResponseMessage");
    pkiws__xmlw_attr(&w, "xmlns:ns2", ns);
    pkiws__xmlw_leaf(&w, "ns2:version", "1.0");
    if (txid)
        pkiws__xmlw_leaf(&w, "ns2:clientTransactionID", txid);
    pkiws__xmlw_leaf(&w, "ns2:serverTransactionID", stx);
    pkiws__xmlw_leaf(&w, "ns2:statusCode", up ? "UP" : "DOWN");
    pkiws__xmlw_leaf(&w, "ns2:statusMessage", msg);
    pkiws__xmlw_end(&w);
    int rc = sim_soap_end(&w, &resp->body);
    pkiws__xmlw_dispose(&w);
    return rc == PKIWS_OK ? 0 : sim_err(e, SIM_EC_MALFORMED, "cannot write the answer");
}
