/* SPDX-License-Identifier: MIT */
/* RFC 7512 pkcs11: URIs, the subset that names one private key in one token. */
#include "pkiws_internal.h"

#include <stdio.h>
#include <strings.h>

#include "pkcs11/pkcs11.h"

#define P11_VALUE_MAX 1024 /* bytes of one decoded value */

void pkiws__p11_uri_dispose(pkiws__p11_uri *u)
{
    if (!u)
        return;
    pkiws__free(u->token);
    pkiws__free(u->manufacturer);
    pkiws__free(u->model);
    pkiws__free(u->serial);
    pkiws__free(u->object);
    pkiws__free(u->id);
    pkiws__free(u->module_path);
    pkiws__free_secret(u->pin, 0);
    memset(u, 0, sizeof *u);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decode p[0..n) into a new NUL-terminated buffer; binary: NULs allowed. */
static int decode(const char *p, size_t n, const char *name, int binary, int secret, uint8_t **out,
                  size_t *out_len)
{
    *out = NULL;
    if (n > 3 * P11_VALUE_MAX)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PKCS#11 URI: attribute '%s' is too long", name);
    uint8_t *v = pkiws__malloc(n + 1);
    if (!v)
        return PKIWS_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)p[i];
        if (c == '%') {
            if (i + 2 >= n)
                goto bad_escape;
            int hi = hexval(p[i + 1]), lo = hexval(p[i + 2]);
            if (hi < 0 || lo < 0)
                goto bad_escape;
            c = hi * 16 + lo;
            i += 2;
        }
        if (!binary && (c < 0x20 || c == 0x7f)) {
            if (secret)
                pkiws__free_secret(v, n + 1);
            else
                pkiws__free(v);
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "PKCS#11 URI: attribute '%s' has a control character", name);
        }
        v[k++] = (uint8_t)c;
    }
    v[k] = 0;
    *out = v;
    *out_len = k;
    return PKIWS_OK;
bad_escape:
    if (secret)
        pkiws__free_secret(v, n + 1);
    else
        pkiws__free(v);
    return pkiws__fail(PKIWS_E_INVALID_ARG, "PKCS#11 URI: attribute '%s' has a bad %% escape",
                       name);
}

/* One "name=value" of the path (query 0) or the query (1). */
static int attribute(pkiws__p11_uri *u, const char *a, size_t n, int query)
{
    const char *eq = memchr(a, '=', n);
    size_t nl = eq ? (size_t)(eq - a) : n;
    char name[40];
    snprintf(name, sizeof name, "%.*s", (int)(nl < 32 ? nl : 32), a);
    if (!eq)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PKCS#11 URI: attribute '%s' has no value", name);
    const char *val = eq + 1;
    size_t vl = n - nl - 1;
    char **str = NULL;
    int is_id = 0, is_pin = 0, is_type = 0;
    if (!query) {
        if (!strcmp(name, "token"))
            str = &u->token;
        else if (!strcmp(name, "manufacturer"))
            str = &u->manufacturer;
        else if (!strcmp(name, "model"))
            str = &u->model;
        else if (!strcmp(name, "serial"))
            str = &u->serial;
        else if (!strcmp(name, "object"))
            str = &u->object;
        else if (!strcmp(name, "id"))
            is_id = 1;
        else if (!strcmp(name, "type"))
            is_type = 1;
    } else {
        if (!strcmp(name, "pin-value"))
            str = &u->pin, is_pin = 1;
        else if (!strcmp(name, "module-path"))
            str = &u->module_path;
    }
    if (!str && !is_id && !is_type)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "PKCS#11 URI: %s attribute '%s' is not supported (path: token, "
                           "manufacturer, model, serial, object, id, type=private; query: "
                           "pin-value, module-path)",
                           query ? "query" : "path", name);
    if ((str && *str) || (is_id && u->id))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PKCS#11 URI: attribute '%s' is repeated", name);
    uint8_t *v = NULL;
    size_t len = 0;
    int rc = decode(val, vl, name, is_id, is_pin, &v, &len);
    if (rc)
        return rc;
    if (is_type) {
        int ok = !strcmp((char *)v, "private");
        pkiws__free(v);
        return ok ? PKIWS_OK
                  : pkiws__fail(PKIWS_E_INVALID_ARG,
                                "PKCS#11 URI: type must be 'private' (the RA private key)");
    }
    if (is_id) {
        if (len == 0) {
            pkiws__free(v);
            return pkiws__fail(PKIWS_E_INVALID_ARG, "PKCS#11 URI: attribute 'id' is empty");
        }
        u->id = v;
        u->id_len = len;
        return PKIWS_OK;
    }
    *str = (char *)v;
    return PKIWS_OK;
}

int pkiws__p11_uri_parse(const char *uri, pkiws__p11_uri *out)
{
    memset(out, 0, sizeof *out);
    if (!uri)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "PKCS#11 URI: NULL");
    if (strncasecmp(uri, "pkcs11:", 7))
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "PKCS#11 URI: it must start with 'pkcs11:' (RFC 7512), e.g. "
                           "pkcs11:token=ra;object=ra");
    const char *p = uri + 7;
    const char *q = strchr(p, '?');
    const char *path_end = q ? q : p + strlen(p);
    int rc = PKIWS_OK;
    for (int query = 0; query < 2 && !rc; query++) {
        const char *s = query ? (q ? q + 1 : path_end) : p;
        const char *end = query ? s + strlen(s) : path_end;
        char sep = query ? '&' : ';';
        while (s < end && !rc) {
            const char *e = memchr(s, sep, (size_t)(end - s));
            if (!e)
                e = end;
            if (e > s)
                rc = attribute(out, s, (size_t)(e - s), query);
            s = e + 1;
        }
    }
    if (!rc && !out->object && !out->id)
        rc = pkiws__fail(PKIWS_E_INVALID_ARG,
                         "PKCS#11 URI: it names no key: give object= (the key's label) or id=");
    if (rc)
        pkiws__p11_uri_dispose(out);
    return rc;
}
