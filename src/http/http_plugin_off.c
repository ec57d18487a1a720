/* SPDX-License-Identifier: MIT */
/*
 * -Dplugins=false: the adapter for a host's HTTP backend (http_plugin.c) is left out of the
 * library. The entry points stay, so that the exports and the ABI are those of the full build:
 * registering an HTTP backend fails with PKIWS_E_UNSUPPORTED, and no request or response of
 * one can exist for the accessors to be given.
 */
#include "pkiws_internal.h"

#include "http/backends.h"

static int off(void)
{
    return pkiws__fail(PKIWS_E_UNSUPPORTED,
                       "HTTP backend plug-ins are not built into this library (-Dplugins=false)");
}

int pkiws__http_plugin_new(const pkiws_http_methods *m, void *backend, void (*backend_free)(void *),
                           pkiws__http_plugin **out)
{
    (void)m;
    (void)backend;
    (void)backend_free;
    if (out)
        *out = NULL;
    return off();
}

pkiws__http_plugin *pkiws__http_plugin_ref(pkiws__http_plugin *p)
{
    return p;
}

void pkiws__http_plugin_unref(pkiws__http_plugin *p)
{
    (void)p;
}

const char *pkiws__http_plugin_name(const pkiws__http_plugin *p)
{
    (void)p;
    return "(none)";
}

int pkiws__http_plugin_open(pkiws__http *h, pkiws__http_plugin *p, const pkiws__http_config *cfg)
{
    (void)p;
    (void)cfg;
    h->m = NULL;
    h->ctx = NULL;
    return off();
}

int pkiws__http_req_int(const pkiws_http_req *req, int item, int64_t *out)
{
    (void)req;
    (void)item;
    (void)out;
    return off();
}

int pkiws__http_req_str(const pkiws_http_req *req, int item, const char **out)
{
    (void)req;
    (void)item;
    (void)out;
    return off();
}

int pkiws__http_req_blob(const pkiws_http_req *req, int item, const uint8_t **data, size_t *len)
{
    (void)req;
    (void)item;
    (void)data;
    (void)len;
    return off();
}

size_t pkiws__http_req_header_count(const pkiws_http_req *req)
{
    (void)req;
    return 0;
}

int pkiws__http_req_header(const pkiws_http_req *req, size_t index, const char **name,
                           const char **value)
{
    (void)req;
    (void)index;
    (void)name;
    (void)value;
    return off();
}

int pkiws__http_resp_set_status(pkiws_http_resp *resp, int status)
{
    (void)resp;
    (void)status;
    return off();
}

int pkiws__http_resp_add_header(pkiws_http_resp *resp, const char *name, const char *value)
{
    (void)resp;
    (void)name;
    (void)value;
    return off();
}

int pkiws__http_resp_append_body(pkiws_http_resp *resp, const void *data, size_t len)
{
    (void)resp;
    (void)data;
    (void)len;
    return off();
}

int pkiws__http_resp_set_int(pkiws_http_resp *resp, int item, int64_t value)
{
    (void)resp;
    (void)item;
    (void)value;
    return off();
}
