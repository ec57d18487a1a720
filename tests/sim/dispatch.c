/* SPDX-License-Identifier: MIT */
/* Request routing: endpoint path, SOAP body element (namespace + name, any SOAPAction),
 * --log-requests, and the faults that change or replace an answer. */
#include "sim.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

enum { SVC_NONE = -1, SVC_POLICY, SVC_ENROLL, SVC_MGMT, SVC_HEALTH, SVC_USER };

static const struct {
    const char *path;
    int svc;
} paths[] = {
    {"/pki-ws/policyService", SVC_POLICY},
    {"/pki-ws/enrollmentService", SVC_ENROLL},
    {"/pki-ws/certificateManagementService", SVC_MGMT},
    {"/pki-ws/healthcheckService", SVC_HEALTH},
    {"/pki-ws/userManagementService", SVC_USER},
};

static const struct {
    const char *ns, *local;
    int op, svc;
} ops[] = {
    {PKIWS_NS_POLICY, "getPolicies", SIM_OP_GET_POLICIES, SVC_POLICY},
    {PKIWS_NS_WST, "RequestSecurityToken", SIM_OP_RST, SVC_ENROLL},
    {PKIWS_NS_MGMT, "updateCertificateStatusRequest", SIM_OP_UPDATE_STATUS, SVC_MGMT},
    {PKIWS_NS_MGMT, "searchCertificateRequest", SIM_OP_SEARCH, SVC_MGMT},
    {PKIWS_NS_MGMT, "bulkUpdateCertificateStatusRequest", SIM_OP_BULK_UPDATE_STATUS, SVC_MGMT},
    {PKIWS_NS_MGMT, "requestKeyRecoveryMessage", SIM_OP_KEY_RECOVERY, SVC_MGMT},
    {PKIWS_NS_HEALTH, "getStatusRequestMessage", SIM_OP_GET_STATUS, SVC_HEALTH},
};

static int service_of(const char *path)
{
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(paths); i++)
        if (!strcmp(path, paths[i].path))
            return paths[i].svc;
    return SVC_NONE;
}

static void log_request(sim_server *srv, const sim_http_request *req, unsigned reqno, int op)
{
    if (!srv->opt.log_dir)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%04u-%s.xml", srv->opt.log_dir, reqno, sim_op_name(op));
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        sim_log(NULL, "--log-requests: cannot create %s: %s", path, strerror(errno));
        return;
    }
    const uint8_t *p = req->body.data;
    size_t left = req->body.len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            sim_log(NULL, "--log-requests: cannot write %s: %s", path, strerror(errno));
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    close(fd);
}

static void set_text(sim_response *resp, int status, const char *ctype, const char *text)
{
    resp->status = status;
    resp->content_type = ctype;
    pkiws__buf_clear(&resp->body);
    pkiws__buf_puts(&resp->body, text);
}

static void set_fault(sim_server *srv, sim_response *resp, const sim_error *e)
{
    resp->status = e->http ? e->http : 500;
    resp->content_type = "text/xml;charset=utf-8";
    pkiws__buf_clear(&resp->body);
    if (sim_soap_fault(e, &resp->body) != PKIWS_OK)
        set_text(resp, 500, "text/plain;charset=utf-8", "internal error writing a fault\n");
    atomic_fetch_add(&srv->stats.faults_returned, 1);
}

/* Replace the first occurrence of `from` in b with `to`. */
static int replace_once(pkiws_buf *b, const char *from, const char *to)
{
    if (!b->data)
        return 0;
    const char *hit = strstr((const char *)b->data, from);
    if (!hit)
        return 0;
    size_t off = (size_t)(hit - (const char *)b->data), fl = strlen(from);
    pkiws_buf n = PKIWS_BUF_INIT;
    pkiws__buf_append(&n, b->data, off);
    pkiws__buf_puts(&n, to);
    pkiws__buf_append(&n, b->data + off + fl, b->len - off - fl);
    if (pkiws__buf_status(&n)) {
        pkiws__buf_dispose(&n);
        return -1;
    }
    pkiws__buf_dispose(b);
    *b = n;
    return 1;
}

static void fault_wrong_namespace(sim_response *resp)
{
    /* The body element's namespace is the one every client checks: the WS-Trust namespace
     * loses its trailing slash (the classic mistake), the others become an unknown one. */
    if (replace_once(&resp->body, "xmlns:ns2=\"" PKIWS_NS_WST "\"",
                     "xmlns:ns2=\"" SIM_NS_WST_WRONG "\"") == 0) {
        static const char *const nss[] = {PKIWS_NS_POLICY, PKIWS_NS_MGMT, PKIWS_NS_HEALTH};
        for (size_t i = 0; i < PKIWS_ARRAY_LEN(nss); i++) {
            char from[160];
            snprintf(from, sizeof from, "xmlns:ns2=\"%s\"", nss[i]);
            if (replace_once(&resp->body, from,
                             "xmlns:ns2=\"http://schemas.verisign.com/pkiservices/2009/07/"
                             "unknown\"") != 0)
                break;
        }
    }
}

static void fault_malformed(sim_response *resp)
{
    /* A mismatched end tag: not well-formed, yet every byte is there. */
    if (replace_once(&resp->body, "</S:Body>", "</S:Bdy>") == 0)
        pkiws__buf_puts(&resp->body, "<unclosed");
}

static void fault_huge(sim_response *resp, long long bytes)
{
    /* A well-formed document of the requested size: a comment after the XML declaration. */
    const char *s = (const char *)resp->body.data;
    const char *decl_end = s ? strstr(s, "?>") : NULL;
    size_t cut = decl_end ? (size_t)(decl_end - s) + 2 : 0;
    /* "\n<!--" + pad + "-->\n" around the original: the total is exactly `bytes`. */
    size_t pad = (size_t)bytes > resp->body.len + 9 ? (size_t)bytes - resp->body.len - 9 : 1;
    pkiws_buf n = PKIWS_BUF_INIT;
    pkiws__buf_append(&n, s, cut);
    pkiws__buf_puts(&n, "\n<!--");
    if (pkiws__buf_grow(&n, pad + 8) == PKIWS_OK) {
        memset(n.data + n.len, 'x', pad);
        n.len += pad;
        n.data[n.len] = 0;
    }
    pkiws__buf_puts(&n, "-->\n");
    pkiws__buf_append(&n, resp->body.data + cut, resp->body.len - cut);
    if (pkiws__buf_status(&n) == PKIWS_OK) {
        pkiws__buf_dispose(&resp->body);
        resp->body = n;
    } else {
        pkiws__buf_dispose(&n);
    }
}

void sim_dispatch(sim_server *srv, const sim_http_request *req, unsigned reqno, const sim_active *f,
                  sim_response *resp)
{
    resp->status = 200;
    resp->content_type = "text/xml;charset=utf-8";
    resp->op = SIM_OP_OTHER;
    pkiws_xml_doc *doc = NULL;
    const pkiws_xml_node *body = NULL;
    sim_error e = {0};
    int svc = service_of(req->path);

    int parsed = -1;
    if (!strcmp(req->method, "POST")) {
        pkiws_xml_limits lim = {srv->opt.max_request_bytes, 64, 100000};
        parsed = pkiws__xml_parse((const char *)pkiws__buf_cstr(&req->body), req->body.len, &lim,
                                  "request", &doc);
        if (parsed == PKIWS_OK) {
            const pkiws_xml_node *root = pkiws__xml_root(doc);
            const pkiws_xml_node *b = root && pkiws__xml_is(root, PKIWS_NS_SOAP, "Envelope")
                                          ? pkiws__xml_child(root, PKIWS_NS_SOAP, "Body")
                                          : NULL;
            body = b ? b->first_child : NULL;
            for (size_t i = 0; body && i < PKIWS_ARRAY_LEN(ops); i++)
                if (pkiws__xml_is(body, ops[i].ns, ops[i].local))
                    resp->op = ops[i].op;
        }
    }
    atomic_fetch_add(&srv->stats.by_op[resp->op], 1);
    log_request(srv, req, reqno, resp->op);
    if (!f)
        goto out; /* counted and logged only (fault reset) */

    if (strcmp(req->method, "POST") != 0) {
        if (svc != SVC_NONE && !strcmp(req->method, "GET") && strstr(req->target, "?wsdl"))
            set_text(resp, 404, "text/plain;charset=utf-8",
                     "pkiws-sim does not serve WSDL documents; the vendor's files are in "
                     "shared/wsdl/\n");
        else
            set_text(resp, svc == SVC_NONE ? 404 : 405, "text/plain;charset=utf-8",
                     svc == SVC_NONE ? "no such endpoint; services are under /pki-ws/\n"
                                     : "SOAP requests are POSTed\n");
        atomic_fetch_add(&srv->stats.http_errors, 1);
        goto out;
    }
    if (f->http500) {
        set_text(resp, 500, "text/html;charset=utf-8",
                 "<html><head><title>500 Internal Server Error</title></head><body><h1>Internal "
                 "Server Error</h1><p>injected by pkiws-sim --fault http500</p></body></html>\n");
        goto out;
    }
    if (f->http503) {
        set_text(resp, 503, "text/html;charset=utf-8",
                 "<html><head><title>503 Service Unavailable</title></head><body><h1>Service "
                 "Unavailable</h1><p>injected by pkiws-sim --fault http503</p></body></html>\n");
        resp->extra_headers = "Retry-After: 1\r\n";
        goto out;
    }
    if (f->soap_fault_text) {
        sim_err(&e, SIM_EC_INJECTED, "%s", f->soap_fault_text);
        set_fault(srv, resp, &e);
        goto out;
    }
    if (svc == SVC_NONE) {
        char clip[200];
        pkiws_buf m = PKIWS_BUF_INIT;
        pkiws__buf_printf(&m,
                          "no such endpoint '%s'; services are /pki-ws/policyService, "
                          "/pki-ws/enrollmentService, /pki-ws/certificateManagementService "
                          "and /pki-ws/healthcheckService\n",
                          sim_clip(req->path, 150, clip, sizeof clip));
        set_text(resp, 404, "text/plain;charset=utf-8", pkiws__buf_cstr(&m));
        pkiws__buf_dispose(&m);
        atomic_fetch_add(&srv->stats.http_errors, 1);
        goto out;
    }
    /* SOAP 1.1 over HTTP is text/xml; JAX-WS answers 415 to anything else. */
    if (!req->content_type || !pkiws__strncaseeq(req->content_type, "text/xml", 8) ||
        (req->content_type[8] && req->content_type[8] != ';' && req->content_type[8] != ' ')) {
        char clip[100];
        pkiws_buf m = PKIWS_BUF_INIT;
        pkiws__buf_printf(&m, "Unsupported Content-Type: %s Supported ones are: [text/xml]\n",
                          req->content_type ? sim_clip(req->content_type, 80, clip, sizeof clip)
                                            : "(none)");
        set_text(resp, 415, "text/plain;charset=utf-8", pkiws__buf_cstr(&m));
        pkiws__buf_dispose(&m);
        atomic_fetch_add(&srv->stats.http_errors, 1);
        goto out;
    }
    if (parsed != PKIWS_OK) {
        sim_err_client(&e, SIM_EC_MALFORMED, "Couldn't create SOAP message: %s",
                       pkiws__err_message());
        set_fault(srv, resp, &e);
        goto out;
    }
    const pkiws_xml_node *root = pkiws__xml_root(doc);
    if (!pkiws__xml_is(root, PKIWS_NS_SOAP, "Envelope")) {
        if (pkiws__xml_is(root, SIM_NS_SOAP12, "Envelope")) {
            e.set = 1;
            e.http = 500;
            e.faultcode = "S:VersionMismatch";
            e.errorcode = SIM_EC_MALFORMED;
            snprintf(e.message, sizeof e.message,
                     "Couldn't create SOAP message. Expecting Envelope in namespace %s, but got "
                     "%s",
                     PKIWS_NS_SOAP, SIM_NS_SOAP12);
        } else {
            char c1[120], c2[80];
            sim_err_client(&e, SIM_EC_MALFORMED,
                           "Couldn't create SOAP message: the document element is {%s}%s, not a "
                           "SOAP 1.1 Envelope",
                           sim_clip(root->ns, 100, c1, sizeof c1),
                           sim_clip(root->local, 60, c2, sizeof c2));
        }
        set_fault(srv, resp, &e);
        goto out;
    }
    if (!body) {
        sim_err_client(&e, SIM_EC_MALFORMED, "the SOAP Body is missing or empty");
        set_fault(srv, resp, &e);
        goto out;
    }
    int op_svc = SVC_NONE;
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(ops); i++)
        if (ops[i].op == resp->op)
            op_svc = ops[i].svc;
    if (resp->op == SIM_OP_OTHER || op_svc != svc) {
        char c1[120], c2[80];
        sim_err_client(&e, SIM_EC_NOT_UNDERSTOOD, "Cannot find dispatch method for {%s}%s",
                       sim_clip(body->ns, 100, c1, sizeof c1),
                       sim_clip(body->local, 60, c2, sizeof c2));
        set_fault(srv, resp, &e);
        goto out;
    }
    int rc;
    switch (resp->op) {
    case SIM_OP_GET_POLICIES:
        rc = sim_svc_policy(srv, doc, body, resp, &e);
        break;
    case SIM_OP_RST:
        rc = sim_svc_enroll(srv, doc, body, req, f, resp, &e);
        break;
    case SIM_OP_UPDATE_STATUS:
        rc = sim_svc_update_status(srv, doc, body, resp, &e);
        break;
    case SIM_OP_SEARCH:
        rc = sim_svc_search(srv, doc, body, resp, &e);
        break;
    case SIM_OP_BULK_UPDATE_STATUS:
        rc = sim_svc_bulk_update_status(srv, doc, body, resp, &e);
        break;
    case SIM_OP_KEY_RECOVERY:
        rc = sim_svc_key_recovery(srv, doc, body, resp, &e);
        break;
    default:
        rc = sim_svc_health(srv, doc, body, resp, &e);
        break;
    }
    if (rc != 0) {
        if (!e.set)
            sim_err(&e, SIM_EC_MALFORMED, "internal error: %s", pkiws__err_message());
        set_fault(srv, resp, &e);
        goto out;
    }
    if (f->wrong_namespace)
        fault_wrong_namespace(resp);
    if (f->malformed_xml)
        fault_malformed(resp);
    if (f->huge_response)
        fault_huge(resp, f->huge_bytes);
out:
    pkiws__xml_free(doc);
}
