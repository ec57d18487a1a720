/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <stdio.h>

const char pkiws__remedy_connect[] =
    "Check that the CA base service FQDN and port are right, that the name resolves, and that "
    "a firewall or proxy lets this host reach the CA over HTTPS (TCP 443 for "
    "pki-ws.symauth.com); set the proxy if one is required.";
const char pkiws__remedy_timeout[] =
    "The CA did not answer in time. If this persists, raise the connect/total timeout "
    "(the connector's CloudCAConnTimeoutInMilliseconds; pkiws: --timeout-ms or "
    "PKIWS_SESSION_OPT_TIMEOUT_MS) and try again; if it still fails, contact DigiCert support.";
const char pkiws__remedy_ra_missing[] =
    "Install the RA certificate together with its private key where pkiws looks for it "
    "(a PFX with its password, PEM certificate and key files, or the store directory with the "
    "configured thumbprint). The RA certificate is obtained from the DigiCert (Symantec) CA.";
const char pkiws__remedy_tls_server_untrusted[] =
    "The CA's server certificate does not chain to a trusted root. Give the CA's root as trust "
    "anchor (--trust FILE / PKIWS_SESSION_OPT_TRUST_FILE) or install it in the system bundle.";
const char pkiws__remedy_tls_hostname[] =
    "The server certificate does not name the host connected to. The CA base service FQDN must be "
    "exactly pki-ws.symauth.com (no https://, no path, no trailing slash).";
const char pkiws__remedy_tls_client_refused[] =
    "The CA refused the RA client certificate. Make sure the RA certificate was issued by the "
    "DigiCert (Symantec) RA CA for this account, is valid, and has the clientAuth usage.";
const char pkiws__remedy_ra_key[] =
    "The RA private key cannot be used or does not belong to the RA certificate. Export the RA "
    "certificate again together with its private key, and check that pkiws may read it.";
const char pkiws__remedy_profile_not_found[] =
    "Get the right certificate profile OID from the DigiCert (Symantec) CA portal (Manage "
    "Certificate Profiles, the profile used for Intune) and set it as the profile OID "
    "(the Intune PKCS profile's certificate template name).";
const char pkiws__remedy_policy_mismatch[] =
    "Select subject name and subject alternative name attributes that the DigiCert (Symantec) "
    "certificate profile template supports, or add them to the template in the CA portal.";
const char pkiws__remedy_unsupported_chars[] =
    "The CA does not accept special characters in mail_firstname / mail_lastname. Pass explicit "
    "given and family names, or change the DigiCert profile's subject DN to CN=<UPN>: in the CA "
    "portal, Manage Certificate Profiles > the Intune profile > Customize Options > Advanced "
    "Options, add the Common Name (CN) field and remove the old one, in the same save.";
const char pkiws__remedy_ca_fqdn[] =
    "Give the CA base service FQDN only, e.g. pki-ws.symauth.com (optionally :port), without "
    "https://, path or trailing slash; or set a full base URL instead.";
const char pkiws__remedy_ca_name[] =
    "The certificate authority name must be exactly Symantec (also after the DigiCert "
    "take-over), or left unset.";
const char pkiws__remedy_othername[] =
    "Give the otherName value as hex of its DER encoding (e.g. 04 12 b8 ba ...), or select the "
    "connector-compatible mode to send the text base64-encoded unchecked.";
const char pkiws__remedy_san_unresolved[] =
    "Set the identity field the subject or SAN type needs on the request (e-mail, UPN, "
    "otherName or common name), or deselect that SAN type in the profile.";
const char pkiws__remedy_thumbprint[] =
    "Copy the thumbprint again from the certificate's Details tab (Thumbprint field); it must be "
    "40 hexadecimal digits. Invisible marks, spaces, colons and quotes are removed for you.";
const char pkiws__remedy_ra_expired[] =
    "Request a new RA certificate from the DigiCert (Symantec) CA portal (Get an RA Cert) "
    "and install it with its private key.";
const char pkiws__remedy_tls_protocol[] =
    "The CA's server and pkiws have no TLS version in common: pkiws needs TLS 1.2 at least "
    "(TLS 1.0 and 1.1 are refused) and the server offered only an older one (or, to the native "
    "transport, which speaks TLS 1.2, only TLS 1.3). Check that the CA address is exactly "
    "pki-ws.symauth.com and that no proxy or security appliance intercepts TLS with old "
    "settings; a server of your own must enable TLS 1.2.";
const char pkiws__remedy_tls_server_expired[] =
    "The CA's server certificate has expired, or this host's clock is ahead. Check the date, "
    "time and time zone of this host (enable NTP). If the clock is right, the server presents an "
    "outdated certificate: when a proxy or security appliance intercepts TLS, have its "
    "certificate renewed; otherwise contact DigiCert support.";
const char pkiws__remedy_tls_server_not_yet_valid[] =
    "The CA's server certificate is not valid yet: this host's clock is most likely behind. Set "
    "the correct date, time and time zone (enable NTP) and try again.";
const char pkiws__remedy_tls_handshake[] =
    "The CA's server and pkiws found no TLS parameters in common (cipher suite, key exchange or "
    "signature algorithm). pkiws offers TLS 1.2 or later with ECDHE and AES-GCM or "
    "ChaCha20-Poly1305: check that the CA address is right and that no proxy or security "
    "appliance intercepts TLS with weak settings.";
const char pkiws__remedy_tls_not_tls[] =
    "The server at the CA address does not speak TLS on that port. Check the port of the CA "
    "address (HTTPS: 443 for pki-ws.symauth.com), and set the proxy if this network requires "
    "one (PKIWS_SESSION_OPT_PROXY, pkiws --proxy).";
const char pkiws__remedy_tls[] =
    "The TLS connection to the CA failed (the message gives the TLS library's reason). Check "
    "the CA address and port, this host's clock, and whether a proxy or security appliance "
    "intercepts TLS; the log at DEBUG level shows the exchange.";
const char pkiws__remedy_proxy_auth[] =
    "The proxy requires authentication (HTTP 407; some proxies answer 401) and refused the "
    "credentials given, or none were given. Set the proxy user name and password as "
    "\"user:password\" (PKIWS_SESSION_OPT_PROXY_CREDENTIALS). pkiws authenticates with Basic "
    "only, so the proxy must accept Basic for this host (not only NTLM, Negotiate or Digest).";
const char pkiws__remedy_proxy_refused[] =
    "The proxy refused to open a tunnel to the CA. Ask the proxy's administrator to allow HTTPS "
    "(CONNECT) to the CA, pki-ws.symauth.com port 443, from this host, and check the proxy "
    "address (PKIWS_SESSION_OPT_PROXY).";

struct err_entry {
    int code;
    const char *name;
    const char *text;
    const char *remedy;
    int retryable;
};

static const struct err_entry err_table[] = {
    {PKIWS_OK, "PKIWS_OK", "success", NULL, 0},
    {PKIWS_E_INVALID_ARG, "PKIWS_E_INVALID_ARG", "invalid argument", NULL, 0},
    {PKIWS_E_NOMEM, "PKIWS_E_NOMEM", "out of memory", NULL, 0},
    {PKIWS_E_INVALID_HANDLE, "PKIWS_E_INVALID_HANDLE", "invalid or freed handle", NULL, 0},
    {PKIWS_E_STATE, "PKIWS_E_STATE", "operation not allowed in this state", NULL, 0},
    {PKIWS_E_UNSUPPORTED, "PKIWS_E_UNSUPPORTED", "not supported by this build", NULL, 0},
    {PKIWS_E_UNKNOWN_OPTION, "PKIWS_E_UNKNOWN_OPTION", "unknown option", NULL, 0},
    {PKIWS_E_OPTION_TYPE, "PKIWS_E_OPTION_TYPE", "option takes another kind of value", NULL, 0},
    {PKIWS_E_LIMIT, "PKIWS_E_LIMIT", "input exceeds a limit", NULL, 0},
    {PKIWS_E_INTERNAL, "PKIWS_E_INTERNAL", "internal error", NULL, 0},
    {PKIWS_E_IO, "PKIWS_E_IO", "file could not be read or written", NULL, 0},
    {PKIWS_E_RECURSIVE_API_CALL, "PKIWS_E_RECURSIVE_API_CALL",
     "called from inside a pkiws callback", NULL, 0},
    {PKIWS_E_CANCELLED, "PKIWS_E_CANCELLED", "operation cancelled", NULL, 0},
    {PKIWS_E_CONFIG, "PKIWS_E_CONFIG", "invalid configuration", NULL, 0},
    {PKIWS_E_RA_CREDENTIAL, "PKIWS_E_RA_CREDENTIAL", "RA credential missing or unusable",
     PKIWS__REMEDY_RA_MISSING, 0},
    {PKIWS_E_CRYPTO, "PKIWS_E_CRYPTO", "cryptographic processing failed", NULL, 0},
    {PKIWS_E_CONNECT, "PKIWS_E_CONNECT", "could not connect to the CA", PKIWS__REMEDY_CONNECT, 1},
    {PKIWS_E_TIMEOUT, "PKIWS_E_TIMEOUT", "the operation has timed out", PKIWS__REMEDY_TIMEOUT, 1},
    {PKIWS_E_TLS, "PKIWS_E_TLS", "could not create SSL/TLS secure channel", PKIWS__REMEDY_TLS, 0},
    {PKIWS_E_HTTP, "PKIWS_E_HTTP", "unexpected HTTP answer", NULL, 1},
    {PKIWS_E_BACKEND, "PKIWS_E_BACKEND", "transport backend failed", NULL, 0},
    {PKIWS_E_PROTOCOL, "PKIWS_E_PROTOCOL", "unexpected answer from the CA", NULL, 0},
    {PKIWS_E_SOAP_FAULT, "PKIWS_E_SOAP_FAULT", "the CA answered with a SOAP fault", NULL, 0},
    {PKIWS_E_PROFILE_NOT_FOUND, "PKIWS_E_PROFILE_NOT_FOUND",
     "a request element is not understood (no template for the profile OID)",
     PKIWS__REMEDY_PROFILE_NOT_FOUND, 0},
    {PKIWS_E_POLICY_MISMATCH, "PKIWS_E_POLICY_MISMATCH",
     "policy verification failed: attribute does not fall under the supported certificate "
     "template attributes list",
     PKIWS__REMEDY_POLICY_MISMATCH, 0},
    {PKIWS_E_REJECTED, "PKIWS_E_REJECTED", "the CA rejected the request", NULL, 0},
    {PKIWS_E_DUPLICATE, "PKIWS_E_DUPLICATE",
     "the seat already has a valid certificate of this profile",
     "revoke the listed certificate first, renew it (pkiws_renew), or issue with "
     "PKIWS_DUPLICATES_REPORT",
     0},
    {PKIWS_E_SAN_UNRESOLVED, "PKIWS_E_SAN_UNRESOLVED", "no value for a subject part or SAN",
     PKIWS__REMEDY_SAN_UNRESOLVED, 0},
    {PKIWS_E_UNSUPPORTED_CHARS, "PKIWS_E_UNSUPPORTED_CHARS",
     "special characters the CA does not accept", PKIWS__REMEDY_UNSUPPORTED_CHARS, 0},
    {PKIWS_E_OTHERNAME_ENCODING, "PKIWS_E_OTHERNAME_ENCODING", "otherName value is not usable hex",
     PKIWS__REMEDY_OTHERNAME, 0},
};

static const struct err_entry *err_find(int code)
{
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(err_table); i++)
        if (err_table[i].code == code)
            return &err_table[i];
    return NULL;
}

const char *pkiws__error_name(int code)
{
    const struct err_entry *e = err_find(code);
    return e ? e->name : NULL;
}

const char *pkiws__error_text(int code)
{
    const struct err_entry *e = err_find(code);
    return e ? e->text : NULL;
}

const char *pkiws__default_remedy(int code)
{
    const struct err_entry *e = err_find(code);
    return e ? e->remedy : NULL;
}

int pkiws__error_retryable(int code)
{
    const struct err_entry *e = err_find(code);
    return e ? e->retryable : 0;
}

static _Thread_local pkiws__err_state tl_err;

void pkiws__err_save(pkiws__err_state *st)
{
    *st = tl_err;
}

void pkiws__err_restore(const pkiws__err_state *st)
{
    tl_err = *st;
}

static void err_set(int code, const char *remedy, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void err_set(int code, const char *remedy, const char *fmt, va_list ap)
{
    char tmp[PKIWS_ERR_MSG_MAX];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    memcpy(tl_err.msg, tmp, sizeof tmp);
    tl_err.code = code;
    tl_err.remedy = remedy ? remedy : pkiws__default_remedy(code);
    tl_err.retryable = pkiws__error_retryable(code);
}

int pkiws__fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_set(code, NULL, fmt, ap);
    va_end(ap);
    return code;
}

int pkiws__fail_remedy(int code, const char *remedy, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_set(code, remedy, fmt, ap);
    va_end(ap);
    return code;
}

int pkiws__fail_context(int code, const char *fmt, ...)
{
    char ctx[PKIWS_ERR_MSG_MAX / 2], out[PKIWS_ERR_MSG_MAX * 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof ctx, fmt, ap);
    va_end(ap);
    const char *remedy = tl_err.code == code ? tl_err.remedy : pkiws__default_remedy(code);
    int retryable = tl_err.code == code ? tl_err.retryable : pkiws__error_retryable(code);
    if (tl_err.code != PKIWS_OK && tl_err.msg[0])
        snprintf(out, sizeof out, "%s: %s", ctx, tl_err.msg);
    else
        snprintf(out, sizeof out, "%s", ctx);
    memcpy(tl_err.msg, out, sizeof tl_err.msg - 1);
    tl_err.msg[sizeof tl_err.msg - 1] = 0;
    tl_err.code = code;
    tl_err.remedy = remedy;
    tl_err.retryable = retryable;
    return code;
}

void pkiws__err_native(const char *domain, long long code)
{
    snprintf(tl_err.native_domain, sizeof tl_err.native_domain, "%s", domain ? domain : "");
    tl_err.native_code = code;
}

int pkiws__err_code(void)
{
    return tl_err.code;
}

const char *pkiws__err_message(void)
{
    return tl_err.code == PKIWS_OK ? "" : tl_err.msg;
}

const char *pkiws__err_remedy(void)
{
    return tl_err.code == PKIWS_OK ? NULL : tl_err.remedy;
}

int pkiws__err_retryable(void)
{
    return tl_err.code == PKIWS_OK ? 0 : tl_err.retryable;
}

void pkiws__err_set_retryable(int retryable)
{
    if (tl_err.code != PKIWS_OK)
        tl_err.retryable = retryable != 0;
}

const char *pkiws__err_native_domain(void)
{
    return tl_err.native_domain;
}

long long pkiws__err_native_code(void)
{
    return tl_err.native_code;
}

void pkiws__err_clear(void)
{
    tl_err.code = PKIWS_OK;
    tl_err.msg[0] = 0;
    tl_err.remedy = NULL;
    tl_err.retryable = 0;
    tl_err.native_domain[0] = 0;
    tl_err.native_code = 0;
}
