/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <stdio.h>

#include "core/enroll.h"
#include "core/health.h"
#include "http/http1.h"
#include "http/probe.h"
#include "proto/soap.h"

static pkiws__health_step *step(pkiws__health_report *r, const char *name)
{
    pkiws__health_step *s = &r->steps[r->n++];
    memset(s, 0, sizeof *s);
    s->name = name;
    return s;
}

static void pass(pkiws__health_step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pass(pkiws__health_step *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->detail, sizeof s->detail, fmt, ap);
    va_end(ap);
    s->verdict = PKIWS_VERDICT_OK;
}

static void warn(pkiws__health_step *s, const char *remedy, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void warn(pkiws__health_step *s, const char *remedy, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->detail, sizeof s->detail, fmt, ap);
    va_end(ap);
    s->verdict = PKIWS_VERDICT_WARN;
    s->remedy = remedy;
}

/* The step fails with the thread's last error. */
static void fail_last(pkiws__health_report *r, pkiws__health_step *s, int code)
{
    s->verdict = PKIWS_VERDICT_FAIL;
    s->code = code;
    snprintf(s->detail, sizeof s->detail, "%s", pkiws__err_message());
    s->remedy = pkiws__err_remedy();
    s->retryable =
        pkiws__err_code() == code ? pkiws__err_retryable() : pkiws__error_retryable(code);
    if (r->first_error == PKIWS_OK) {
        r->first_error = code;
        snprintf(r->first_message, sizeof r->first_message, "%s: %s", s->name, s->detail);
        r->first_remedy = s->remedy;
        r->first_retryable = s->retryable;
    }
}

static void skip(pkiws__health_step *s, const char *why)
{
    s->verdict = PKIWS_VERDICT_FAIL;
    snprintf(s->detail, sizeof s->detail, "not run: %s", why);
    s->code = PKIWS_E_STATE;
}

static int check_ra(const pkiws__health_input *in, pkiws__health_report *r)
{
    pkiws__health_step *s = step(r, "RA credential");
    if (!in->ra) {
        fail_last(r, s,
                  pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                     "failed to get client certificate: no RA credential is "
                                     "loaded"));
        return 0;
    }
    const pkiws__cert_info *ci = pkiws__cert_get_info(in->ra->cert);
    int64_t days = pkiws__ra_days_left(in->ra, in->now);
    if (in->now < ci->not_before || in->now > ci->not_after) {
        fail_last(r, s,
                  pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_EXPIRED,
                                     "RA certificate %s is not valid now", ci->thumbprint));
        return 0;
    }
    if (!ci->has_eku_client_auth)
        warn(s, PKIWS__REMEDY_TLS_CLIENT_REFUSED,
             "RA certificate %s (%s) has no clientAuth extended key usage; the CA may refuse it",
             ci->thumbprint, ci->subject);
    else if (days < 30)
        warn(s, PKIWS__REMEDY_RA_EXPIRED, "RA certificate %s expires in %lld days", ci->thumbprint,
             (long long)days);
    else
        pass(s, "RA certificate %s (%s), key matches, valid for %lld more days", ci->thumbprint,
             ci->subject, (long long)days);
    return 1;
}

void pkiws__health_check(const pkiws__health_input *in, pkiws__health_report *r)
{
    memset(r, 0, sizeof *r);
    /* 1. configuration */
    pkiws__health_step *s = step(r, "configuration");
    char host[256];
    unsigned port = 0;
    int config_ok = 0;
    pkiws__http1_url px;
    int have_proxy = in->proxy != NULL;
    if (!in->base_url)
        fail_last(r, s,
                  pkiws__fail_remedy(PKIWS_E_CONFIG, PKIWS__REMEDY_CA_FQDN,
                                     "no CA is set: give the CA base service FQDN, e.g. "
                                     "pki-ws.symauth.com"));
    else if (pkiws__url_host_port(in->base_url, host, sizeof host, &port))
        fail_last(r, s, PKIWS_E_CONFIG);
    else if (have_proxy && pkiws__http1_url_parse(in->proxy, 1080, &px))
        fail_last(r, s, pkiws__fail_context(PKIWS_E_CONFIG, "proxy setting"));
    else {
        pass(s, "CA endpoints under %s%s%s%s%s", in->base_url, in->profile_oid ? ", profile " : "",
             in->profile_oid ? in->profile_oid : "", have_proxy ? ", through proxy " : "",
             have_proxy ? in->proxy : "");
        config_ok = 1;
    }
    /* 2. RA credential */
    int ra_ok = check_ra(in, r);
    /* 3. name resolution, 4. TCP: to the CA, or to the proxy and through its tunnel */
    int net_ok = 0;
    s = step(r, "name resolution");
    if (!config_ok) {
        skip(s, "no CA address");
    } else {
        char addr[64];
        const char *rhost = have_proxy ? px.host : host;
        int rc =
            pkiws__probe_resolve(rhost, have_proxy ? (unsigned)px.port : port, addr, sizeof addr);
        if (rc)
            fail_last(r, s, have_proxy ? pkiws__fail_context(rc, "proxy") : rc);
        else if (have_proxy)
            pass(s, "proxy %s resolves to %s (the proxy resolves %s)", px.host, addr, host);
        else
            pass(s, "%s resolves to %s", host, addr);
        s = step(r, "TCP connect");
        int permanent = 0;
        if (rc) {
            skip(s, have_proxy ? "the proxy's name does not resolve" : "the name does not resolve");
        } else if (have_proxy && !strcmp(px.scheme, "https")) {
            /* a TLS proxy: the TCP step reaches it, the TLS step goes through it */
            if ((rc = pkiws__probe_connect(px.host, (unsigned)px.port, in->connect_timeout_ms))) {
                fail_last(r, s, pkiws__fail_context(rc, "proxy"));
            } else {
                pass(s,
                     "HTTPS proxy %s:%d accepts connections (the tunnel to %s:%u is checked "
                     "with TLS)",
                     px.host, px.port, host, port);
                net_ok = 1;
            }
        } else if (have_proxy) {
            if ((rc = pkiws__probe_tunnel(px.host, (unsigned)px.port, in->proxy_credentials, host,
                                          port, in->connect_timeout_ms, &permanent))) {
                if (permanent)
                    pkiws__err_set_retryable(0);
                fail_last(r, s, rc);
            } else {
                pass(s, "proxy %s:%d accepts connections and opened a tunnel to %s:%u%s", px.host,
                     px.port, host, port, in->proxy_credentials ? " (Basic authentication)" : "");
                net_ok = 1;
            }
        } else if ((rc = pkiws__probe_connect(host, port, in->connect_timeout_ms))) {
            fail_last(r, s, rc);
        } else {
            pass(s, "%s:%u accepts connections", host, port);
            net_ok = 1;
        }
    }
    /* 5. TLS with client authentication + getStatus */
    s = step(r, "TLS and health check");
    int tls_ok = 0;
    pkiws__health_step *down = NULL;
    if (!net_ok || !ra_ok || !in->client) {
        skip(s, !net_ok  ? "no TCP connection"
                : !ra_ok ? "no usable RA credential"
                         : "no transport");
    } else {
        char txid[41];
        snprintf(txid, sizeof txid, "pkiws-check");
        pkiws_buf body = PKIWS_BUF_INIT;
        pkiws_xml_doc *doc = NULL;
        pkiws__call_info info;
        pkiws__soap_health h;
        memset(&h, 0, sizeof h);
        int rc = pkiws__soap_get_status(in->profile_oid, txid, &body);
        if (!rc)
            rc = pkiws__client_call(in->client, PKIWS__SVC_HEALTH, PKIWS__ACTION_HEALTH, &body,
                                    txid, 0, &doc, &info);
        if (!rc)
            rc = pkiws__soap_parse_health(doc, &h);
        if (rc) {
            fail_last(r, s, rc);
            tls_ok = rc != PKIWS_E_TLS && rc != PKIWS_E_RA_CREDENTIAL && rc != PKIWS_E_CONNECT &&
                     rc != PKIWS_E_TIMEOUT;
        } else if (!h.up) {
            /* recorded after the policy step: an unknown profile explains a DOWN better */
            down = s;
            s->verdict = PKIWS_VERDICT_FAIL;
            s->code = PKIWS_E_REJECTED;
            snprintf(s->detail, sizeof s->detail,
                     "mutual TLS accepted, but the CA reports status DOWN%s%s",
                     h.message ? ": " : "", h.message ? h.message : "");
            tls_ok = 1;
        } else {
            pass(s, "mutual TLS accepted; getStatus: UP%s%s (%.1f ms)", h.message ? ", " : "",
                 h.message ? h.message : "", info.seconds * 1000);
            tls_ok = 1;
        }
        pkiws__soap_health_dispose(&h);
        pkiws__xml_free(doc);
        pkiws__buf_dispose(&body);
    }
    /* 6. policy */
    if (in->profile_oid) {
        s = step(r, "policy");
        if (!tls_ok) {
            skip(s, "the CA cannot be reached");
        } else {
            pkiws__template *t = NULL;
            pkiws__call_info info;
            int rc = pkiws__fetch_template(in->client, in->profile_oid, &t, &info);
            if (rc)
                fail_last(r, s, rc);
            else
                pass(s, "template of %s: %zu attributes, key %s%u, %u days", in->profile_oid,
                     t->nattrs, t->key_is_ec ? "EC " : "RSA ", t->key_size, t->validity_days);
            pkiws__template_free(t);
        }
    }
    if (down && !r->first_error) {
        r->first_error = down->code;
        snprintf(r->first_message, sizeof r->first_message, "%s: %s", down->name, down->detail);
    }
    if (r->first_error) {
        pkiws__fail_remedy(r->first_error, r->first_remedy, "%s", r->first_message);
        pkiws__err_set_retryable(r->first_retryable); /* as the failing step saw it */
    } else {
        /* every step that did not run was counted as a failure above */
        for (size_t i = 0; i < r->n; i++)
            if (r->steps[i].verdict == PKIWS_VERDICT_FAIL && !r->first_error) {
                r->first_error = r->steps[i].code;
                pkiws__fail(r->first_error, "%s: %s", r->steps[i].name, r->steps[i].detail);
            }
    }
}
