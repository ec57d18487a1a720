/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: what an administrator types (src/core/settings.c, src/util/oid.c,
 * src/http/http1.c URLs): the CA FQDN and name, base URL, proxy, thumbprint, profile OID and
 * subject DN checks, and the native transport's URL parser, each on the input as one string.
 * Invariants: normalisers are idempotent; a thumbprint comes out as 40 upper-case hex digits;
 * a base URL or proxy that the settings accept is one the native transport can use; an OID
 * that is valid survives DER encoding and decoding; DN parts have non-empty upper-case types
 * and non-blank values.
 */
#include "pkiws_internal.h"

#include <stdlib.h>

#include "core/settings.h"
#include "fuzz.h"
#include "http/http1.h"

/* norm(norm(x)) == norm(x); returns the normalised text (caller frees) or NULL. */
typedef int (*norm_fn)(const char *in, pkiws_buf *out);

static char *normalise(norm_fn fn, const char *in, const char *what)
{
    pkiws_buf a = PKIWS_BUF_INIT, b = PKIWS_BUF_INIT;
    pkiws__err_clear();
    int rc = fn(in, &a);
    fuzz_check_rc(rc, what);
    char *res = NULL;
    if (!rc) {
        pkiws__err_clear();
        if (fn(pkiws__buf_cstr(&a), &b))
            fuzz_fail("%s: its own output '%s' is refused: %s", what, pkiws__buf_cstr(&a),
                      pkiws__err_message());
        if (strcmp(pkiws__buf_cstr(&a), pkiws__buf_cstr(&b)))
            fuzz_fail("%s is not idempotent: '%s' then '%s'", what, pkiws__buf_cstr(&a),
                      pkiws__buf_cstr(&b));
        res = fuzz_cstr((const uint8_t *)pkiws__buf_cstr(&a), a.len);
    }
    pkiws__buf_dispose(&a);
    pkiws__buf_dispose(&b);
    return res;
}

/* The native transport must take what the settings accepted (URLs of sane length). */
static void usable_url(const char *url, const char *suffix, int default_port, const char *what)
{
    if (strlen(url) > 1000)
        return;
    pkiws_buf full = PKIWS_BUF_INIT;
    pkiws__buf_printf(&full, "%s%s", url, suffix);
    pkiws__http1_url *u = malloc(sizeof *u);
    if (!u || pkiws__buf_status(&full))
        abort();
    pkiws__err_clear();
    if (pkiws__http1_url_parse(pkiws__buf_cstr(&full), default_port, u))
        fuzz_fail("%s '%s' is accepted by the settings but not by the transport: %s", what, url,
                  pkiws__err_message());
    free(u);
    pkiws__buf_dispose(&full);
}

static void oid(const char *s)
{
    pkiws__err_clear();
    int rc = pkiws__check_profile_oid(s);
    fuzz_check_rc(rc, "pkiws__check_profile_oid");
    if ((rc == PKIWS_OK) != (pkiws__oid_valid(s, NULL) != 0))
        fuzz_fail("pkiws__check_profile_oid and pkiws__oid_valid disagree on '%s'", s);
    if (rc)
        return;
    pkiws_buf der = PKIWS_BUF_INIT, dotted = PKIWS_BUF_INIT;
    pkiws__err_clear();
    rc = pkiws__oid_encode(s, &der);
    fuzz_check_rc(rc, "pkiws__oid_encode");
    if (!rc) {
        if (pkiws__oid_decode(der.data, der.len, &dotted))
            fuzz_fail("OID '%s' encodes to DER that does not decode: %s", s, pkiws__err_message());
        if (strcmp(pkiws__buf_cstr(&dotted), s))
            fuzz_fail("OID '%s' comes back as '%s'", s, pkiws__buf_cstr(&dotted));
    }
    pkiws__buf_dispose(&der);
    pkiws__buf_dispose(&dotted);
}

static void dn(const char *s)
{
    pkiws__dn d;
    pkiws__err_clear();
    int rc = pkiws__dn_parse(s, &d);
    fuzz_check_rc(rc, "pkiws__dn_parse");
    if (rc && (d.n || d.type || d.value))
        fuzz_fail("pkiws__dn_parse failed but left parts");
    for (size_t i = 0; !rc && i < d.n; i++) {
        if (!d.type[i] || !*d.type[i] || !d.value[i] || pkiws__is_blank(d.value[i]))
            fuzz_fail("DN part %zu has an empty type or value", i);
        for (const char *c = d.type[i]; *c; c++)
            if (*c >= 'a' && *c <= 'z')
                fuzz_fail("DN type '%s' is not upper case", d.type[i]);
    }
    pkiws__dn_dispose(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);

    pkiws__err_clear();
    fuzz_check_rc(pkiws__check_ca_fqdn(s), "pkiws__check_ca_fqdn");
    pkiws__err_clear();
    fuzz_check_rc(pkiws__check_ca_name(s), "pkiws__check_ca_name");

    char *base = normalise(pkiws__normalize_base_url, s, "pkiws__normalize_base_url");
    if (base)
        usable_url(base, "/certificateManagementService", 80, "base URL");
    free(base);

    char *proxy = normalise(pkiws__normalize_proxy, s, "pkiws__normalize_proxy");
    if (proxy)
        usable_url(proxy, "", 1080, "proxy");
    free(proxy);

    char *tp = normalise(pkiws__thumbprint_normalize, s, "pkiws__thumbprint_normalize");
    if (tp && (strlen(tp) != 40 || strspn(tp, "0123456789ABCDEF") != 40))
        fuzz_fail("thumbprint '%s' is not 40 upper-case hex digits", tp);
    free(tp);

    oid(s);
    dn(s);

    pkiws__http1_url *u = malloc(sizeof *u);
    if (!u)
        abort();
    pkiws__err_clear();
    int rc = pkiws__http1_url_parse(s, 80, u);
    fuzz_check_rc(rc, "pkiws__http1_url_parse");
    if (!rc) {
        pkiws_buf auth = PKIWS_BUF_INIT;
        pkiws__err_clear();
        fuzz_check_rc(pkiws__http1_url_authority(u, 0, &auth), "pkiws__http1_url_authority");
        if (u->port < 1 || u->port > 65535 || u->path[0] != '/' || !u->host[0])
            fuzz_fail("URL '%s' parsed to port %d, path '%s'", s, u->port, u->path);
        pkiws__buf_dispose(&auth);
    }
    free(u);
    free(s);
    return 0;
}
