/* SPDX-License-Identifier: MIT */
/* RA credential loading and checks (the connector's "Failed to get client certificate"). */
#include "pkiws_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

#include "core/ra.h"
#include "core/settings.h"

void pkiws__ra_free(pkiws__ra *ra)
{
    if (!ra)
        return;
    pkiws__signer_unref(ra->signer);
    pkiws__cert_free(ra->cert);
    pkiws__certlist_dispose(&ra->chain);
    pkiws__free(ra->source);
    pkiws__free(ra);
}

int64_t pkiws__ra_days_left(const pkiws__ra *ra, int64_t now)
{
    const pkiws__cert_info *ci = pkiws__cert_get_info(ra->cert);
    int64_t secs = ci->not_after - now;
    return secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
}

/* Takes ownership of key (or, with external, signer), cert and the chain's certificates. A
 * key becomes the built-in signer; an external signer is checked in the TLS handshake. */
static int ra_finish(pkiws__key *key, pkiws__signer *signer, int external, pkiws__cert *cert,
                     pkiws__certlist *chain, const char *source, int64_t now, pkiws__ra **out)
{
    int rc = PKIWS_OK;
    pkiws__ra *ra = pkiws__calloc(1, sizeof *ra);
    if (!ra) {
        pkiws__key_free(key);
        pkiws__signer_unref(signer);
        pkiws__cert_free(cert);
        pkiws__certlist_dispose(chain);
        return PKIWS_E_NOMEM;
    }
    ra->signer = signer;
    ra->cert = cert;
    ra->chain = *chain;
    memset(chain, 0, sizeof *chain);
    ra->source = pkiws__strdup(source);
    if (!ra->source) {
        pkiws__key_free(key);
        rc = PKIWS_E_NOMEM;
        goto out;
    }
    if (!key && !external) {
        rc = pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                "RA credential from %s has no private key", source);
        goto out;
    }
    if (!cert) {
        pkiws__key_free(key);
        rc = pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                "RA credential from %s has no certificate", source);
        goto out;
    }
    const pkiws__cert_info *ci = pkiws__cert_get_info(cert);
    if (key && !pkiws__cert_matches_key(cert, key)) {
        pkiws__key_free(key);
        rc = pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_KEY,
                                "RA private key from %s does not belong to the RA certificate "
                                "'%s' (thumbprint %s)",
                                source, ci->subject, ci->thumbprint);
        goto out;
    }
    if (key && (rc = pkiws__signer_from_key(key, &ra->signer)) != PKIWS_OK)
        goto out;
    if (now < ci->not_before) {
        rc = pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_EXPIRED,
                                "RA certificate '%s' from %s is not valid yet (valid from epoch "
                                "%lld)",
                                ci->subject, source, (long long)ci->not_before);
        goto out;
    }
    if (now > ci->not_after) {
        rc =
            pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_EXPIRED,
                               "RA certificate '%s' from %s has expired (%lld days ago)",
                               ci->subject, source, (long long)((now - ci->not_after) / 86400 + 1));
        goto out;
    }
    snprintf(ra->thumbprint, sizeof ra->thumbprint, "%s", ci->thumbprint);
out:
    if (rc) {
        pkiws__ra_free(ra);
        return rc;
    }
    *out = ra;
    return PKIWS_OK;
}

/* The RA credential out of a PFX; with a thumbprint, the certificate with that thumbprint and
 * its key (*found 0 and PKIWS_E_RA_CREDENTIAL when the PFX has no such certificate). */
static int ra_from_pfx(const uint8_t *der, size_t len, const char *password, const char *thumbprint,
                       const char *source, int64_t now, pkiws__ra **out, int *found)
{
    *out = NULL;
    *found = 0;
    pkiws__pfx_contents c;
    memset(&c, 0, sizeof c);
    int rc = pkiws__pfx_read_select(der, len, password, thumbprint, &c);
    if (rc) {
        if (rc == PKIWS_E_NOMEM)
            return rc;
        return pkiws__fail_context(PKIWS_E_RA_CREDENTIAL, "RA PKCS#12 %s", source);
    }
    if (thumbprint && !c.leaf) {
        pkiws__pfx_contents_dispose(&c);
        return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                  "RA PKCS#12 %s holds no certificate with thumbprint %s", source,
                                  thumbprint);
    }
    *found = 1;
    pkiws__key *key = c.key;
    pkiws__cert *cert = c.leaf;
    pkiws__certlist chain = c.others;
    c.key = NULL;
    c.leaf = NULL;
    memset(&c.others, 0, sizeof c.others);
    pkiws__pfx_contents_dispose(&c);
    return ra_finish(key, NULL, 0, cert, &chain, source, now, out);
}

int pkiws__ra_from_pkcs12(const uint8_t *der, size_t len, const char *password, const char *source,
                          int64_t now, pkiws__ra **out)
{
    int found;
    return ra_from_pfx(der, len, password, NULL, source, now, out, &found);
}

int pkiws__ra_from_pkcs12_thumbprint(const uint8_t *der, size_t len, const char *password,
                                     const char *thumbprint, const char *source, int64_t now,
                                     pkiws__ra **out)
{
    int found;
    return ra_from_pfx(der, len, password, thumbprint, source, now, out, &found);
}

int pkiws__ra_from_pem(const uint8_t *cert, size_t cert_len, const uint8_t *key, size_t key_len,
                       const char *key_password, const char *source, int64_t now, pkiws__ra **out)
{
    *out = NULL;
    pkiws__certlist all = {0};
    int rc = pkiws__certs_parse_all(cert, cert_len, &all);
    if (rc) {
        pkiws__certlist_dispose(&all);
        return rc == PKIWS_E_NOMEM
                   ? rc
                   : pkiws__fail_context(PKIWS_E_RA_CREDENTIAL, "RA certificate %s", source);
    }
    if (all.n == 0) {
        pkiws__certlist_dispose(&all);
        return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                  "RA certificate %s holds no certificate", source);
    }
    pkiws__key *k = NULL;
    rc = pkiws__key_parse(key, key_len, key_password, &k);
    if (rc) {
        pkiws__certlist_dispose(&all);
        return rc == PKIWS_E_NOMEM
                   ? rc
                   : pkiws__fail_context(PKIWS_E_RA_CREDENTIAL, "RA key %s", source);
    }
    /* The RA certificate is the one that matches the key (PEM files list it first, usually). */
    size_t idx = 0;
    for (size_t i = 0; i < all.n; i++)
        if (pkiws__cert_matches_key(all.v[i], k)) {
            idx = i;
            break;
        }
    pkiws__cert *leaf = all.v[idx];
    memmove(all.v + idx, all.v + idx + 1, (all.n - idx - 1) * sizeof *all.v);
    all.n--;
    return ra_finish(k, NULL, 0, leaf, &all, source, now, out);
}

int pkiws__ra_from_signer(const uint8_t *cert_chain, size_t len, pkiws__signer *signer,
                          const char *source, int64_t now, pkiws__ra **out)
{
    *out = NULL;
    pkiws__certlist all = {0};
    int rc = pkiws__certs_parse_all(cert_chain, len, &all);
    if (rc || all.n == 0) {
        pkiws__certlist_dispose(&all);
        pkiws__signer_unref(signer);
        if (rc == PKIWS_E_NOMEM)
            return rc;
        return rc ? pkiws__fail_context(PKIWS_E_RA_CREDENTIAL, "RA certificate %s", source)
                  : pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                       "RA certificate %s holds no certificate", source);
    }
    pkiws__cert *leaf = all.v[0];
    memmove(all.v, all.v + 1, (all.n - 1) * sizeof *all.v);
    all.n--;
    return ra_finish(NULL, signer, 1, leaf, &all, source, now, out);
}

static int has_ext(const char *name, const char *const *exts, size_t n)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (pkiws__strcaseeq(dot + 1, exts[i]))
            return 1;
    return 0;
}

static int read_path(const char *dir, const char *name, pkiws_buf *out)
{
    pkiws_buf path = PKIWS_BUF_INIT;
    pkiws__buf_printf(&path, "%s/%s", dir, name);
    int rc = pkiws__buf_status(&path);
    if (!rc)
        rc = pkiws__file_read(pkiws__buf_cstr(&path), 1u << 20, out);
    pkiws__buf_dispose(&path);
    return rc;
}

/* Certificate file whose certificates include the thumbprint: load key from <stem>.key or the
 * same file. */
static int store_try_cert(const char *dir, const char *name, const char *tp, const char *password,
                          int64_t now, pkiws__ra **out, int *found)
{
    pkiws_buf data = PKIWS_BUF_INIT;
    int rc = read_path(dir, name, &data);
    if (rc) {
        pkiws__buf_dispose(&data);
        return PKIWS_OK; /* unreadable files are skipped */
    }
    pkiws__certlist l = {0};
    if (pkiws__certs_parse_all(data.data, data.len, &l) != PKIWS_OK || l.n == 0) {
        pkiws__certlist_dispose(&l);
        pkiws__buf_dispose(&data);
        return PKIWS_OK;
    }
    int match = 0;
    for (size_t i = 0; i < l.n; i++)
        match |= strcmp(pkiws__cert_get_info(l.v[i])->thumbprint, tp) == 0;
    pkiws__certlist_dispose(&l);
    if (!match) {
        pkiws__buf_dispose(&data);
        return PKIWS_OK;
    }
    *found = 1;
    /* key next to it: same stem + .key, else the file itself may hold the key */
    pkiws_buf keyname = PKIWS_BUF_INIT, key = PKIWS_BUF_INIT;
    key.secret = 1;
    const char *dot = strrchr(name, '.');
    pkiws__buf_append(&keyname, name, (size_t)(dot - name));
    pkiws__buf_puts(&keyname, ".key");
    pkiws_buf source = PKIWS_BUF_INIT;
    pkiws__buf_printf(&source, "store %s/%s", dir, name);
    rc = pkiws__buf_status(&keyname) ? PKIWS_E_NOMEM : pkiws__buf_status(&source);
    if (!rc) {
        if (read_path(dir, pkiws__buf_cstr(&keyname), &key) != PKIWS_OK) {
            pkiws__buf_clear(&key);
            pkiws__buf_append(&key, data.data, data.len);
        }
        rc = pkiws__ra_from_pem(data.data, data.len, key.data, key.len, password,
                                pkiws__buf_cstr(&source), now, out);
    }
    pkiws__buf_dispose(&keyname);
    pkiws__buf_dispose(&key);
    pkiws__buf_dispose(&source);
    pkiws__buf_dispose(&data);
    return rc;
}

static int store_try_pfx(const char *dir, const char *name, const char *tp, const char *password,
                         int64_t now, pkiws__ra **out, int *found)
{
    pkiws_buf data = PKIWS_BUF_INIT, source = PKIWS_BUF_INIT;
    int rc = read_path(dir, name, &data);
    if (rc) {
        pkiws__buf_dispose(&data);
        return PKIWS_OK;
    }
    pkiws__buf_printf(&source, "store %s/%s", dir, name);
    rc = pkiws__buf_status(&source);
    /* The certificate with the thumbprint and its key, however many keys the PFX holds. A PFX
     * that holds it but is unusable (no key, expired) is the answer, as for certificate files;
     * PFX files we cannot open or without that certificate are skipped. */
    int holds = 0;
    if (!rc)
        rc = ra_from_pfx(data.data, data.len, password ? password : "", tp,
                         pkiws__buf_cstr(&source), now, out, &holds);
    if (holds)
        *found = 1;
    else if (rc != PKIWS_E_NOMEM)
        rc = PKIWS_OK;
    pkiws__buf_dispose(&source);
    pkiws__buf_dispose(&data);
    return rc;
}

int pkiws__ra_from_store(const char *dir, const char *thumbprint, const char *password, int64_t now,
                         pkiws__ra **out)
{
    *out = NULL;
    pkiws_buf tp = PKIWS_BUF_INIT;
    int rc = pkiws__thumbprint_normalize(thumbprint, &tp);
    if (rc) {
        pkiws__buf_dispose(&tp);
        return rc;
    }
    DIR *d = opendir(dir);
    if (!d) {
        pkiws__buf_dispose(&tp);
        return pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                  "failed to get client certificate: store directory '%s' cannot "
                                  "be opened",
                                  dir);
    }
    static const char *const cert_exts[] = {"pem", "crt", "cer", "der"};
    static const char *const pfx_exts[] = {"p12", "pfx"};
    int found = 0;
    struct dirent *e;
    while (!found && rc == PKIWS_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (has_ext(e->d_name, cert_exts, PKIWS_ARRAY_LEN(cert_exts)))
            rc = store_try_cert(dir, e->d_name, pkiws__buf_cstr(&tp), password, now, out, &found);
        else if (has_ext(e->d_name, pfx_exts, PKIWS_ARRAY_LEN(pfx_exts)))
            rc = store_try_pfx(dir, e->d_name, pkiws__buf_cstr(&tp), password, now, out, &found);
    }
    closedir(d);
    if (rc == PKIWS_OK && !found)
        rc = pkiws__fail_remedy(PKIWS_E_RA_CREDENTIAL, PKIWS__REMEDY_RA_MISSING,
                                "failed to get client certificate: no certificate with "
                                "thumbprint %s in store '%s'",
                                pkiws__buf_cstr(&tp), dir);
    pkiws__buf_dispose(&tp);
    return rc;
}
