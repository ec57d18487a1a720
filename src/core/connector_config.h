/* SPDX-License-Identifier: MIT */
/* Import of an Intune Certificate Connector `.exe.config` (NDESConnector.exe.config,
 * Microsoft.Intune.ConnectorsPkiCreate.exe.config): <configuration><appSettings>
 * <add key=".." value=".."/>. */
#ifndef PKIWS_CORE_CONNECTOR_CONFIG_H
#define PKIWS_CORE_CONNECTOR_CONFIG_H

#include <stddef.h>
#include <stdint.h>

typedef struct pkiws__connector_config {
    char **keys;
    char **values; /* secrets (keys containing "password") are stored as "***" */
    size_t n;
    char *thumbprint;   /* RACertThumbprint, normalised; NULL when absent */
    int64_t timeout_ms; /* CloudCAConnTimeoutInMilliseconds; -1 when absent */
    char *proxy;        /* from ProxyServer/ProxyHost[:ProxyPort] or Proxy; NULL when absent */
} pkiws__connector_config;

int pkiws__connector_config_parse(const char *xml, size_t len, const char *path,
                                  pkiws__connector_config *out);
void pkiws__connector_config_dispose(pkiws__connector_config *c);
/* Value of a key, case-insensitive, or NULL. */
const char *pkiws__connector_config_get(const pkiws__connector_config *c, const char *key);

#endif
