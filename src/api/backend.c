/* SPDX-License-Identifier: MIT */
/* The exported functions of backend.h: thin forwarders to the http/ and tls/ layers, so that
 * src/api/ stays the only home of PKIWS_API definitions. */
#include "pkiws_internal.h"

#include "http/backends.h"
#include "tls/tls.h"

PKIWS_API int pkiws_http_req_int(const pkiws_http_req *req, int item, int64_t *out)
{
    return pkiws__http_req_int(req, item, out);
}

PKIWS_API int pkiws_http_req_str(const pkiws_http_req *req, int item, const char **out)
{
    return pkiws__http_req_str(req, item, out);
}

PKIWS_API int pkiws_http_req_blob(const pkiws_http_req *req, int item, const uint8_t **data,
                                  size_t *len)
{
    return pkiws__http_req_blob(req, item, data, len);
}

PKIWS_API size_t pkiws_http_req_header_count(const pkiws_http_req *req)
{
    return pkiws__http_req_header_count(req);
}

PKIWS_API int pkiws_http_req_header(const pkiws_http_req *req, size_t index, const char **name,
                                    const char **value)
{
    return pkiws__http_req_header(req, index, name, value);
}

PKIWS_API int pkiws_http_resp_set_status(pkiws_http_resp *resp, int status)
{
    return pkiws__http_resp_set_status(resp, status);
}

PKIWS_API int pkiws_http_resp_add_header(pkiws_http_resp *resp, const char *name, const char *value)
{
    return pkiws__http_resp_add_header(resp, name, value);
}

PKIWS_API int pkiws_http_resp_append_body(pkiws_http_resp *resp, const void *data, size_t len)
{
    return pkiws__http_resp_append_body(resp, data, len);
}

PKIWS_API int pkiws_http_resp_set_int(pkiws_http_resp *resp, int item, int64_t value)
{
    return pkiws__http_resp_set_int(resp, item, value);
}

PKIWS_API int pkiws_tls_io_send(pkiws_tls_io *io, const uint8_t *data, size_t len, size_t *n_out)
{
    return pkiws__tls_io_send(io, data, len, n_out);
}

PKIWS_API int pkiws_tls_io_recv(pkiws_tls_io *io, uint8_t *buf, size_t cap, size_t *n_out)
{
    return pkiws__tls_io_recv(io, buf, cap, n_out);
}

PKIWS_API int pkiws_backend_fail(int code, int cause, const char *domain, int64_t native_code,
                                 const char *message)
{
    return pkiws__backend_fail(code, cause, domain, native_code, message);
}

PKIWS_API const pkiws_tls_methods *pkiws_tls_builtin_methods(void)
{
    return pkiws__tls_builtin_methods();
}

PKIWS_API int pkiws_tls_params_int(const pkiws_tls_params *params, int item, int64_t *out)
{
    return pkiws__tls_params_int(params, item, out);
}

PKIWS_API int pkiws_tls_params_str(const pkiws_tls_params *params, int item, const char **out)
{
    return pkiws__tls_params_str(params, item, out);
}

PKIWS_API int pkiws_tls_params_blob(const pkiws_tls_params *params, int item, const uint8_t **data,
                                    size_t *len)
{
    return pkiws__tls_params_blob(params, item, data, len);
}

PKIWS_API int pkiws_tls_params_sign(const pkiws_tls_params *params, int alg, const uint8_t *hash,
                                    size_t hash_len, uint8_t *sig, size_t cap, size_t *sig_len)
{
    return pkiws__tls_params_sign(params, alg, hash, hash_len, sig, cap, sig_len);
}
