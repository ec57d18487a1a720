/* SPDX-License-Identifier: MIT */
/* The session from the common connection options, with -v logging to stderr. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

const pkiws__cli_opt pkiws__cli_conn_opts[] = {
    {"ca", 0, PKIWS__CLI_VALUE, "FQDN[:PORT]", "CA base service, e.g. pki-ws.symauth.com"},
    {"base-url", 0, PKIWS__CLI_VALUE, "URL", "full base URL instead of --ca"},
    {"ca-name", 0, PKIWS__CLI_VALUE, "NAME", "CA name of the Intune profile (Symantec)"},
    {"ra-p12", 0, PKIWS__CLI_VALUE, "FILE", "RA certificate and key, PKCS#12"},
    {"ra-pass", 0, PKIWS__CLI_SECRET, "PASS", "password of --ra-p12 or of --ra-store files"},
    {"ra-cert", 0, PKIWS__CLI_VALUE, "FILE", "RA certificate (PEM, chain may follow)"},
    {"ra-key", 0, PKIWS__CLI_VALUE, "FILE", "RA private key (PEM) for --ra-cert"},
    {"ra-key-pass", 0, PKIWS__CLI_SECRET, "PASS", "password of an encrypted --ra-key"},
    {"ra-store", 0, PKIWS__CLI_VALUE, "DIR", "directory searched for the --thumbprint"},
    {"thumbprint", 0, PKIWS__CLI_VALUE, "HEX", "SHA-1 thumbprint of the RA certificate"},
    {"ra-pkcs11-module", 0, PKIWS__CLI_VALUE, "PATH",
     "PKCS#11 module holding the RA key (absolute path; native transport only)"},
    {"ra-pkcs11-uri", 0, PKIWS__CLI_VALUE, "URI",
     "RFC 7512 URI of the RA key's token and key, e.g. pkcs11:token=ra;object=ra"},
    {"ra-pkcs11-pin-env", 0, PKIWS__CLI_VALUE, "VAR",
     "environment variable holding the token PIN (never on the command line)"},
    {"trust", 0, PKIWS__CLI_VALUE, "FILE", "PEM trust anchors for the CA server"},
    {"timeout-ms", 0, PKIWS__CLI_VALUE, "N", "total time per request, milliseconds"},
    {"connect-timeout-ms", 0, PKIWS__CLI_VALUE, "N", "connect time, milliseconds"},
    {"proxy", 0, PKIWS__CLI_VALUE, "URL", "HTTP CONNECT proxy (host:port or http://...)"},
    {"proxy-user", 0, PKIWS__CLI_SECRET, "USER:PASS",
     "proxy Basic credentials (default: $PKIWS_PROXY_CREDENTIALS)"},
    {"transport", 0, PKIWS__CLI_VALUE, "curl|native",
     "HTTP transport: curl (libcurl; the default when built in) or native (pkiws's HTTP/1.1 "
     "over mbedTLS)"},
    {NULL, 0, 0, NULL, NULL},
};

static const char *level_name(int level)
{
    switch (level) {
    case PKIWS_LOG_ERROR:
        return "error";
    case PKIWS_LOG_WARN:
        return "warning";
    case PKIWS_LOG_INFO:
        return "info";
    case PKIWS_LOG_DEBUG:
        return "debug";
    default:
        return "trace";
    }
}

static void log_to_stderr(int level, const char *domain, const char *txid, const char *msg,
                          void *user_data)
{
    (void)user_data;
    if (txid != NULL && txid[0] != '\0')
        fprintf(stderr, "pkiws: %s: [%s %s] %s\n", level_name(level), domain, txid, msg);
    else
        fprintf(stderr, "pkiws: %s: [%s] %s\n", level_name(level), domain, msg);
}

/* The proxy's "user:password": --proxy-user (or its -env form), else a non-empty
 * $PKIWS_PROXY_CREDENTIALS; only with --proxy. *source names where it came from. */
static const char *proxy_credentials(const pkiws__cli_args *args, const char **source)
{
    *source = "--proxy-user";
    if (pkiws__cli_arg(args, "proxy") == NULL)
        return NULL;
    const char *v = pkiws__cli_arg(args, "proxy-user");
    if (v != NULL)
        return v;
    *source = "PKIWS_PROXY_CREDENTIALS";
    v = secure_getenv("PKIWS_PROXY_CREDENTIALS");
    return v != NULL && v[0] != '\0' ? v : NULL;
}

int pkiws__cli_conn_check(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    if (pkiws__cli_arg(args, "ca") && pkiws__cli_arg(args, "base-url"))
        return pkiws__cli_usage_error(cli, "--ca and --base-url exclude each other");
    int sources = !!pkiws__cli_arg(args, "ra-p12") +
                  !!(pkiws__cli_arg(args, "ra-cert") || pkiws__cli_arg(args, "ra-key")) +
                  !!pkiws__cli_arg(args, "ra-store") + !!pkiws__cli_arg(args, "ra-pkcs11-uri");
    if (sources > 1)
        return pkiws__cli_usage_error(
            cli, "give the RA credential one way: --ra-p12, --ra-cert with --ra-key, "
                 "--ra-store with --thumbprint, or --ra-pkcs11-uri");
    if ((pkiws__cli_arg(args, "ra-pkcs11-module") || pkiws__cli_arg(args, "ra-pkcs11-pin-env")) &&
        !pkiws__cli_arg(args, "ra-pkcs11-uri"))
        return pkiws__cli_usage_error(
            cli, "--ra-pkcs11-module and --ra-pkcs11-pin-env are for --ra-pkcs11-uri");
    const char *pin_env = pkiws__cli_arg(args, "ra-pkcs11-pin-env");
    if (pin_env && !getenv(pin_env))
        return pkiws__cli_usage_error(
            cli, "--ra-pkcs11-pin-env %s: that environment variable is not set", pin_env);
    if (!!pkiws__cli_arg(args, "ra-cert") != !!pkiws__cli_arg(args, "ra-key"))
        return pkiws__cli_usage_error(cli, "--ra-cert and --ra-key go together");
    if (!!pkiws__cli_arg(args, "ra-store") != !!pkiws__cli_arg(args, "thumbprint"))
        return pkiws__cli_usage_error(cli, "--ra-store and --thumbprint go together");
    if (pkiws__cli_arg(args, "ra-pass") && !pkiws__cli_arg(args, "ra-p12") &&
        !pkiws__cli_arg(args, "ra-store"))
        return pkiws__cli_usage_error(cli, "--ra-pass is for --ra-p12 or --ra-store");
    if (pkiws__cli_arg(args, "ra-key-pass") && !pkiws__cli_arg(args, "ra-key"))
        return pkiws__cli_usage_error(cli, "--ra-key-pass is for --ra-key");
    const char *transport = pkiws__cli_arg(args, "transport");
    int transport_id;
    if (transport && pkiws__cli_transport(transport, &transport_id) != 0)
        return pkiws__cli_usage_error(cli, "--transport '%s': expected curl or native", transport);
    if (pkiws__cli_arg(args, "proxy-user") && !pkiws__cli_arg(args, "proxy"))
        return pkiws__cli_usage_error(cli, "--proxy-user is for --proxy");
    const char *source;
    const char *proxy_user = proxy_credentials(args, &source);
    /* a secret: the message says what is wrong, never what was given */
    if (proxy_user && strchr(proxy_user, ':') == NULL)
        return pkiws__cli_usage_error(cli, "%s: expected USER:PASS (no ':' found)", source);
    static const char *const ints[] = {"timeout-ms", "connect-timeout-ms"};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        const char *v = pkiws__cli_arg(args, ints[i]);
        int64_t n;
        if (v && pkiws__cli_parse_int(v, 1, INT32_MAX, &n) != 0)
            return pkiws__cli_usage_error(cli, "--%s '%s': expected milliseconds, 1 to %d", ints[i],
                                          v, INT32_MAX);
    }
    return PKIWS__CLI_EXIT_OK;
}

/* Apply one string option when it was given. */
static int set_str(pkiws_session *s, const pkiws__cli_args *args, const char *name, int opt)
{
    const char *v = pkiws__cli_arg(args, name);
    return v ? pkiws_session_set_str(s, opt, v) : PKIWS_OK;
}

static int set_ms(pkiws_session *s, const pkiws__cli_args *args, const char *name, int opt)
{
    const char *v = pkiws__cli_arg(args, name);
    int64_t n;
    if (v == NULL || pkiws__cli_parse_int(v, 1, INT32_MAX, &n) != 0) /* checked before */
        return PKIWS_OK;
    return pkiws_session_set_int(s, opt, n);
}

static int configure(const pkiws__cli *cli, pkiws_session *s, const pkiws__cli_args *args)
{
    int rc;
    if (cli->verbose > 0) {
        /* -v: debug; -vv (or more): trace, with the SOAP on the wire (redacted) */
        int level = cli->verbose >= 2 ? PKIWS_LOG_TRACE : PKIWS_LOG_DEBUG;
        if ((rc = pkiws_session_set_log_cb(s, log_to_stderr, NULL)) != PKIWS_OK ||
            (rc = pkiws_session_set_int(s, PKIWS_SESSION_OPT_LOG_LEVEL, level)) != PKIWS_OK)
            return rc;
    }
    if ((rc = set_str(s, args, "ca", PKIWS_SESSION_OPT_CA)) != PKIWS_OK ||
        (rc = set_str(s, args, "base-url", PKIWS_SESSION_OPT_BASE_URL)) != PKIWS_OK ||
        (rc = set_str(s, args, "ca-name", PKIWS_SESSION_OPT_CA_NAME)) != PKIWS_OK ||
        (rc = set_str(s, args, "trust", PKIWS_SESSION_OPT_TRUST_FILE)) != PKIWS_OK ||
        (rc = set_str(s, args, "proxy", PKIWS_SESSION_OPT_PROXY)) != PKIWS_OK ||
        (rc = set_ms(s, args, "timeout-ms", PKIWS_SESSION_OPT_TIMEOUT_MS)) != PKIWS_OK ||
        (rc = set_ms(s, args, "connect-timeout-ms", PKIWS_SESSION_OPT_CONNECT_TIMEOUT_MS)) !=
            PKIWS_OK)
        return rc;
    const char *source;
    const char *proxy_user = proxy_credentials(args, &source);
    if (proxy_user && (rc = pkiws_session_set_str(s, PKIWS_SESSION_OPT_PROXY_CREDENTIALS,
                                                  proxy_user)) != PKIWS_OK)
        return rc;
    const char *transport = pkiws__cli_arg(args, "transport");
    int id;
    if (transport && pkiws__cli_transport(transport, &id) == 0 &&
        (rc = pkiws_session_set_int(s, PKIWS_SESSION_OPT_TRANSPORT, id)) != PKIWS_OK)
        return rc;
    const char *p12 = pkiws__cli_arg(args, "ra-p12");
    const char *cert = pkiws__cli_arg(args, "ra-cert");
    const char *store = pkiws__cli_arg(args, "ra-store");
    if (p12)
        return pkiws_session_set_ra_pkcs12_file(s, p12, pkiws__cli_arg(args, "ra-pass"));
    if (cert)
        return pkiws_session_set_ra_pem_files(s, cert, pkiws__cli_arg(args, "ra-key"),
                                              pkiws__cli_arg(args, "ra-key-pass"));
    if (store)
        return pkiws_session_set_ra_store(s, store, pkiws__cli_arg(args, "thumbprint"),
                                          pkiws__cli_arg(args, "ra-pass"));
    const char *uri = pkiws__cli_arg(args, "ra-pkcs11-uri");
    if (uri) {
        const char *pin_env = pkiws__cli_arg(args, "ra-pkcs11-pin-env");
        return pkiws_session_set_ra_pkcs11(s, pkiws__cli_arg(args, "ra-pkcs11-module"), uri,
                                           pin_env ? getenv(pin_env) : NULL);
    }
    return PKIWS_OK;
}

int pkiws__cli_session(const pkiws__cli *cli, const pkiws__cli_args *args, pkiws_session **out,
                       pkiws__cli_outcome *o)
{
    *out = NULL;
    pkiws_session *s = NULL;
    int rc = pkiws_session_new(&s);
    if (rc == PKIWS_OK)
        rc = configure(cli, s, args);
    if (rc != PKIWS_OK) {
        pkiws__cli_outcome_last(o, rc);
        pkiws_session_free(s);
        return rc;
    }
    *out = s;
    return PKIWS_OK;
}
