/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the import of an Intune connector .exe.config (src/core/connector_config.c):
 * appSettings read through the XML layer, then the thumbprint, timeout and proxy derived from
 * them. Invariants: every key can be looked up, secrets are masked, the derived values are in
 * their normalised form, and a failure leaves nothing behind.
 */
#include "pkiws_internal.h"

#include "core/connector_config.h"
#include "fuzz.h"

/* The key names a secret: it contains "password" or "secret" in any case. */
static int secret_key(const char *key)
{
    for (const char *p = key; *p; p++)
        if (pkiws__strncaseeq(p, "password", 8) || pkiws__strncaseeq(p, "secret", 6))
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pkiws__connector_config c;
    pkiws__err_clear();
    int rc = pkiws__connector_config_parse((const char *)data, size, "fuzz.exe.config", &c);
    fuzz_check_rc(rc, "pkiws__connector_config_parse");
    if (rc) {
        if (c.n || c.keys || c.values || c.thumbprint || c.proxy)
            fuzz_fail("pkiws__connector_config_parse failed but left settings");
        return 0;
    }
    for (size_t i = 0; i < c.n; i++) {
        if (!c.keys[i] || !c.values[i])
            fuzz_fail("setting %zu has a NULL key or value", i);
        if (!pkiws__connector_config_get(&c, c.keys[i]))
            fuzz_fail("setting '%s' cannot be looked up", c.keys[i]);
        if (secret_key(c.keys[i]) && strcmp(c.values[i], "***"))
            fuzz_fail("secret setting '%s' is not masked", c.keys[i]);
    }
    if (c.thumbprint &&
        (strlen(c.thumbprint) != 40 || strspn(c.thumbprint, "0123456789ABCDEF") != 40))
        fuzz_fail("thumbprint '%s' is not normalised", c.thumbprint);
    if (c.timeout_ms != -1 && (c.timeout_ms < 1 || c.timeout_ms > 86400000))
        fuzz_fail("timeout %lld ms out of range", (long long)c.timeout_ms);
    if (c.proxy && strncmp(c.proxy, "http://", 7) && strncmp(c.proxy, "https://", 8))
        fuzz_fail("proxy '%s' is not normalised", c.proxy);
    (void)pkiws__connector_config_get(&c, "RACertThumbprint");
    pkiws__connector_config_dispose(&c);
    return 0;
}
