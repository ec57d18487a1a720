/* SPDX-License-Identifier: MIT */
/* Reads the appSettings of a connector .exe.config so a Windows set-up moves over as it is. */
#include "pkiws_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/connector_config.h"
#include "core/settings.h"
#include "xml/xml.h"

void pkiws__connector_config_dispose(pkiws__connector_config *c)
{
    for (size_t i = 0; i < c->n; i++) {
        pkiws__free(c->keys[i]);
        pkiws__free(c->values[i]);
    }
    pkiws__free(c->keys);
    pkiws__free(c->values);
    pkiws__free(c->thumbprint);
    pkiws__free(c->proxy);
    memset(c, 0, sizeof *c);
    c->timeout_ms = -1;
}

const char *pkiws__connector_config_get(const pkiws__connector_config *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (pkiws__strcaseeq(c->keys[i], key))
            return c->values[i];
    return NULL;
}

static int is_secret_key(const char *key)
{
    for (const char *p = key; *p; p++)
        if (pkiws__strncaseeq(p, "password", 8) || pkiws__strncaseeq(p, "secret", 6))
            return 1;
    return 0;
}

static int add_entry(pkiws__connector_config *c, const char *key, const char *value)
{
    char **k = pkiws__realloc(c->keys, (c->n + 1) * sizeof *k);
    if (!k)
        return PKIWS_E_NOMEM;
    c->keys = k;
    char **v = pkiws__realloc(c->values, (c->n + 1) * sizeof *v);
    if (!v)
        return PKIWS_E_NOMEM;
    c->values = v;
    c->keys[c->n] = pkiws__strdup(key);
    c->values[c->n] = pkiws__strdup(is_secret_key(key) ? "***" : value);
    if (!c->keys[c->n] || !c->values[c->n]) {
        pkiws__free(c->keys[c->n]);
        pkiws__free(c->values[c->n]);
        return PKIWS_E_NOMEM;
    }
    c->n++;
    return PKIWS_OK;
}

static int derive(pkiws__connector_config *c, const char *path)
{
    const char *tp = pkiws__connector_config_get(c, "RACertThumbprint");
    if (tp) {
        pkiws_buf b = PKIWS_BUF_INIT;
        int rc = pkiws__thumbprint_normalize(tp, &b);
        if (rc) {
            pkiws__buf_dispose(&b);
            return pkiws__fail_context(rc, "%s: RACertThumbprint", path);
        }
        c->thumbprint = (char *)pkiws__buf_detach(&b, NULL);
        if (!c->thumbprint)
            return PKIWS_E_NOMEM;
    }
    const char *to = pkiws__connector_config_get(c, "CloudCAConnTimeoutInMilliseconds");
    if (to) {
        char *end;
        long long v = strtoll(to, &end, 10);
        size_t tl;
        const char *rest = pkiws__trim(end, strlen(end), &tl);
        (void)rest;
        if (end == to || tl || v <= 0 || v > 24LL * 3600 * 1000)
            return pkiws__fail(PKIWS_E_CONFIG,
                               "%s: CloudCAConnTimeoutInMilliseconds '%s' is not a number of "
                               "milliseconds between 1 and 86400000",
                               path, to);
        c->timeout_ms = v;
    }
    const char *host = pkiws__connector_config_get(c, "ProxyServer");
    if (!host)
        host = pkiws__connector_config_get(c, "ProxyHost");
    if (!host)
        host = pkiws__connector_config_get(c, "Proxy");
    if (host && !pkiws__is_blank(host)) {
        const char *port = pkiws__connector_config_get(c, "ProxyPort");
        pkiws_buf raw = PKIWS_BUF_INIT, norm = PKIWS_BUF_INIT;
        if (port && !pkiws__is_blank(port) &&
            !strchr(strstr(host, "://") ? strstr(host, "://") + 3 : host, ':'))
            pkiws__buf_printf(&raw, "%s:%s", host, port);
        else
            pkiws__buf_puts(&raw, host);
        int rc = pkiws__buf_status(&raw);
        if (!rc)
            rc = pkiws__normalize_proxy(pkiws__buf_cstr(&raw), &norm);
        pkiws__buf_dispose(&raw);
        if (rc) {
            pkiws__buf_dispose(&norm);
            return pkiws__fail_context(rc, "%s: proxy setting", path);
        }
        c->proxy = (char *)pkiws__buf_detach(&norm, NULL);
        if (!c->proxy)
            return PKIWS_E_NOMEM;
    }
    return PKIWS_OK;
}

int pkiws__connector_config_parse(const char *xml, size_t len, const char *path,
                                  pkiws__connector_config *out)
{
    memset(out, 0, sizeof *out);
    out->timeout_ms = -1;
    pkiws_xml_doc *doc = NULL;
    pkiws_xml_limits lim = {1u << 20, 32, 20000};
    int rc = pkiws__xml_parse(xml, len, &lim, path, &doc);
    if (rc)
        return pkiws__fail_context(rc == PKIWS_E_NOMEM ? rc : PKIWS_E_CONFIG, "connector config %s",
                                   path);
    pkiws_xml_node *root = pkiws__xml_root(doc);
    if (!pkiws__xml_is(root, "", "configuration")) {
        rc = pkiws__fail(PKIWS_E_CONFIG,
                         "connector config %s: root element is <%s>, expected <configuration>",
                         path, root ? root->local : "?");
        goto out;
    }
    pkiws_xml_node *as = pkiws__xml_child(root, "", "appSettings");
    if (!as) {
        rc = pkiws__fail(PKIWS_E_CONFIG, "connector config %s has no <appSettings>", path);
        goto out;
    }
    for (pkiws_xml_node *n = as->first_child; n && rc == PKIWS_OK; n = n->next) {
        if (!pkiws__xml_is(n, "", "add"))
            continue;
        const char *k = pkiws__xml_attr(n, "", "key");
        const char *v = pkiws__xml_attr(n, "", "value");
        if (!k)
            continue;
        rc = add_entry(out, k, v ? v : "");
    }
    if (rc == PKIWS_OK)
        rc = derive(out, path);
out:
    pkiws__xml_free(doc);
    if (rc)
        pkiws__connector_config_dispose(out);
    return rc;
}
