/* SPDX-License-Identifier: MIT */
/* A host HTTP backend over libcurl, written only against the public pkiws headers: one easy
 * handle (so connections are kept alive between calls; pkiws serialises the calls because the
 * table does not claim PKIWS_HTTP_CAP_THREADSAFE), PEM blobs for the credential and trust. */
#include "plugins.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

struct curl_plugin {
    CURL *easy;
    int performs;
};

curl_plugin *curl_plugin_new(void)
{
    curl_plugin *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    p->easy = curl_easy_init();
    if (!p->easy) {
        free(p);
        return NULL;
    }
    return p;
}

void curl_plugin_free(void *v)
{
    curl_plugin *p = v;
    if (!p)
        return;
    curl_easy_cleanup(p->easy);
    curl_global_cleanup();
    free(p);
}

int curl_plugin_performs(const curl_plugin *p)
{
    return p->performs;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    return pkiws_http_resp_append_body(ud, data, size * n) == PKIWS_OK ? size * n : 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    size_t len = size * n;
    if (len > 13 && !strncasecmp(data, "Content-Type:", 13)) {
        char value[256];
        size_t v = 13;
        while (v < len && data[v] == ' ')
            v++;
        size_t e = len;
        while (e > v && (data[e - 1] == '\r' || data[e - 1] == '\n'))
            e--;
        snprintf(value, sizeof value, "%.*s", (int)(e - v), data + v);
        pkiws_http_resp_add_header(ud, "Content-Type", value);
    }
    return len;
}

static int fail(CURLcode cc, const char *err)
{
    char msg[512];
    snprintf(msg, sizeof msg, "curl-plugin: %s", *err ? err : curl_easy_strerror(cc));
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return pkiws_backend_fail(PKIWS_E_TIMEOUT, PKIWS_CAUSE_NONE, "curl", cc, msg);
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_GOT_NOTHING:
        return pkiws_backend_fail(PKIWS_E_CONNECT, PKIWS_CAUSE_NONE, "curl", cc, msg);
    case CURLE_PEER_FAILED_VERIFICATION:
        return pkiws_backend_fail(PKIWS_E_TLS,
                                  strstr(err, "subject name") || strstr(err, "host name")
                                      ? PKIWS_CAUSE_TLS_HOSTNAME
                                      : PKIWS_CAUSE_TLS_SERVER_UNTRUSTED,
                                  "curl", cc, msg);
    case CURLE_SSL_CERTPROBLEM:
        return pkiws_backend_fail(PKIWS_E_RA_CREDENTIAL, PKIWS_CAUSE_RA_KEY, "curl", cc, msg);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        if (strstr(err, "alert"))
            return pkiws_backend_fail(PKIWS_E_TLS,
                                      strstr(err, "unknown ca") || strstr(err, "bad certificate") ||
                                              strstr(err, "handshake failure") ||
                                              strstr(err, "certificate required")
                                          ? PKIWS_CAUSE_TLS_CLIENT_REFUSED
                                          : PKIWS_CAUSE_NONE,
                                      "curl", cc, msg);
        return pkiws_backend_fail(PKIWS_E_CONNECT, PKIWS_CAUSE_NONE, "curl", cc, msg);
    case CURLE_PARTIAL_FILE:
        return pkiws_backend_fail(PKIWS_E_PROTOCOL, PKIWS_CAUSE_NONE, "curl", cc, msg);
    case CURLE_WRITE_ERROR:
        return PKIWS_E_LIMIT; /* pkiws_http_resp_append_body() refused: pkiws knows why */
    default:
        return pkiws_backend_fail(PKIWS_E_BACKEND, PKIWS_CAUSE_NONE, "curl", cc, msg);
    }
}

static int curl_perform(void *backend, const pkiws_http_req *req, pkiws_http_resp *resp)
{
    curl_plugin *p = backend;
    CURL *h = p->easy;
    p->performs++;
    const char *url = NULL, *proxy = NULL;
    const uint8_t *body, *cert, *key, *trust;
    size_t body_len, cert_len, key_len, trust_len;
    int64_t cto = 0, to = 0;
    if (pkiws_http_req_str(req, PKIWS_HTTP_URL, &url) ||
        pkiws_http_req_str(req, PKIWS_HTTP_PROXY, &proxy) ||
        pkiws_http_req_blob(req, PKIWS_HTTP_BODY, &body, &body_len) ||
        pkiws_http_req_blob(req, PKIWS_HTTP_CLIENT_CERT_PEM, &cert, &cert_len) ||
        pkiws_http_req_blob(req, PKIWS_HTTP_CLIENT_KEY_PEM, &key, &key_len) ||
        pkiws_http_req_blob(req, PKIWS_HTTP_TRUST_PEM, &trust, &trust_len) ||
        pkiws_http_req_int(req, PKIWS_HTTP_CONNECT_TIMEOUT_MS, &cto) ||
        pkiws_http_req_int(req, PKIWS_HTTP_TIMEOUT_MS, &to))
        return PKIWS_E_BACKEND;
    struct curl_slist *hdrs = NULL;
    for (size_t i = 0; i < pkiws_http_req_header_count(req); i++) {
        const char *name, *value;
        char line[1024];
        if (pkiws_http_req_header(req, i, &name, &value))
            continue;
        snprintf(line, sizeof line, "%s: %s", name, value);
        struct curl_slist *t = curl_slist_append(hdrs, line);
        if (!t) {
            curl_slist_free_all(hdrs);
            return PKIWS_E_NOMEM;
        }
        hdrs = t;
    }
    struct curl_slist *t = curl_slist_append(hdrs, "Expect:");
    if (t)
        hdrs = t;
    char err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, (const char *)body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)cto);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)to);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
    if (cert) {
        struct curl_blob b = {(void *)cert, cert_len, CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &b);
        curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (key) {
        struct curl_blob b = {(void *)key, key_len, CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &b);
        curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (trust) {
        struct curl_blob b = {(void *)trust, trust_len, CURL_BLOB_COPY};
        curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
    }
    curl_easy_setopt(h, CURLOPT_PROXY, proxy);
    curl_easy_setopt(h, CURLOPT_HTTPPROXYTUNNEL, proxy ? 1L : 0L);
    pkiws_http_resp_set_int(resp, PKIWS_HTTP_RESP_REQUEST_SENT, 1);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hdrs);
    if (cc != CURLE_OK)
        return fail(cc, err);
    long status = 0, connects = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
    pkiws_http_resp_set_int(resp, PKIWS_HTTP_RESP_REUSED, connects == 0);
    return pkiws_http_resp_set_status(resp, (int)status);
}

static const pkiws_http_methods curl_plugin_table = {
    .size = sizeof(pkiws_http_methods),
    .abi = PKIWS_HTTP_ABI_1,
    .name = "curl-plugin",
    .caps = PKIWS_HTTP_CAP_PROXY,
    .perform = curl_perform,
};

const pkiws_http_methods *curl_plugin_methods(void)
{
    return &curl_plugin_table;
}
