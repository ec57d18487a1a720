/* SPDX-License-Identifier: MIT */
/* Validation and normalisation of what an administrator types (product.md §3): the CA base
 * service FQDN, base URL, CA name, proxy, thumbprints, profile OIDs and subject DNs. Pure. */
#ifndef PKIWS_CORE_SETTINGS_H
#define PKIWS_CORE_SETTINGS_H

#include "util/buf.h"

/* "pki-ws.symauth.com[:port]": no scheme, path, trailing slash. PKIWS_E_CONFIG naming the
 * offending character and its position. */
int pkiws__check_ca_fqdn(const char *fqdn);
/* "https://host[:port]/path" without query or fragment; a trailing slash is dropped. */
int pkiws__normalize_base_url(const char *url, pkiws_buf *out);
/* Must be exactly "Symantec". */
int pkiws__check_ca_name(const char *name);
/* "host:port" -> "http://host:port"; http:// and https:// URLs kept. */
int pkiws__normalize_proxy(const char *proxy, pkiws_buf *out);
/* 40 upper-case hex digits out of what Windows' certificate dialog lets people copy. */
int pkiws__thumbprint_normalize(const char *text, pkiws_buf *out);
/* Profile OID check with a message naming the OID and the rule broken. */
int pkiws__check_profile_oid(const char *oid);

/* A subject DN typed as "CN=Alice,O=Contoso\, Ltd,C=NL" split into parts (RFC 4514 escapes
 * \, \+ \" \\ \< \> \; \= and \XX hex). Types are upper-cased short names. */
typedef struct pkiws__dn {
    char **type;
    char **value;
    size_t n;
} pkiws__dn;
int pkiws__dn_parse(const char *text, pkiws__dn *out);
void pkiws__dn_dispose(pkiws__dn *dn);

#endif
