/* SPDX-License-Identifier: MIT */
/* Dispatch to the selected HTTP backend. */
#include "pkiws_internal.h"

#include "http/http.h"

int pkiws__http_open(pkiws__http *h, const pkiws__http_methods *m, const pkiws__http_config *cfg)
{
    h->m = NULL;
    h->ctx = NULL;
    if (!m)
        return pkiws__fail(PKIWS_E_UNSUPPORTED, "no HTTP transport is built into this library");
    int rc = m->create(cfg, &h->ctx);
    if (rc)
        return rc;
    h->m = m;
    return PKIWS_OK;
}

int pkiws__http_perform(pkiws__http *h, const pkiws__http_request *req, pkiws__http_response *resp)
{
    memset(resp, 0, sizeof *resp);
    if (!h->m)
        return pkiws__fail(PKIWS_E_STATE, "the HTTP transport is not open");
    return h->m->perform(h->ctx, req, resp);
}

void pkiws__http_close(pkiws__http *h)
{
    if (h->m && h->m->destroy)
        h->m->destroy(h->ctx);
    h->m = NULL;
    h->ctx = NULL;
}

void pkiws__http_response_dispose(pkiws__http_response *resp)
{
    pkiws__buf_dispose(&resp->body);
}
