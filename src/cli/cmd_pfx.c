/* SPDX-License-Identifier: MIT */
/* `pkiws pfx`: package a key and certificates into a PFX, or describe a PFX (--info). */
#include "cli.h"

#include <string.h>

static const pkiws__cli_opt OPTS[] = {
    {"cert", 0, PKIWS__CLI_VALUE, "CERT.pem", "end-entity certificate (PEM or DER)"},
    {"key", 0, PKIWS__CLI_VALUE, "KEY.pem", "its private key (PEM or DER)"},
    {"key-pass", 0, PKIWS__CLI_SECRET, "PASS", "password of an encrypted --key"},
    {"chain", 0, PKIWS__CLI_VALUE, "CHAIN.pem", "chain certificates (PEM), issuing CA first"},
    {"out", 0, PKIWS__CLI_VALUE, "OUT.pfx", "where to write the PFX (mode 0600)"},
    {"pfx-pass", 0, PKIWS__CLI_SECRET, "PASS", "PFX password"},
    {"pfx-preset", 0, PKIWS__CLI_VALUE, "legacy|modern",
     "legacy: 3DES + HMAC-SHA-1 (default); modern: AES-256 + HMAC-SHA-256"},
    {"friendly-name", 0, PKIWS__CLI_VALUE, "NAME", "friendlyName of the key"},
    {"info", 0, PKIWS__CLI_VALUE, "IN.pfx", "describe IN.pfx instead of writing one"},
    {NULL, 0, 0, NULL, NULL},
};

/* JSON members or text lines describing an inspected PFX. */
static void describe(const pkiws__cli *cli, pkiws__cli_json *j, const pkiws_result *res)
{
    static const struct {
        const char *key;
        int item;
    } strs[] = {
        {"subject", PKIWS_RESULT_SUBJECT},
        {"issuer", PKIWS_RESULT_ISSUER},
        {"serial", PKIWS_RESULT_SERIAL},
        {"thumbprint", PKIWS_RESULT_THUMBPRINT},
        {"friendly_name", PKIWS_RESULT_FRIENDLY_NAME},
        {"mac_alg", PKIWS_RESULT_MAC_ALG},
        {"key_bag_alg", PKIWS_RESULT_KEY_BAG_ALG},
        {"cert_bag_alg", PKIWS_RESULT_CERT_BAG_ALG},
    };
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        const char *v = res ? pkiws_result_str(res, strs[i].item) : NULL;
        if (cli->json)
            pkiws__cli_json_kstr(j, strs[i].key, v);
        else if (v != NULL)
            printf("%-15s %s\n", strs[i].key, v);
    }
    /* A PFX of CA certificates only, or without a key, is described as such: no subject (the
     * end-entity certificate's), no key bag algorithm. */
    int has_leaf = res && pkiws_result_str(res, PKIWS_RESULT_SUBJECT) != NULL;
    int has_key = res && pkiws_result_str(res, PKIWS_RESULT_KEY_BAG_ALG) != NULL;
    if (cli->json && res) {
        pkiws__cli_json_kbool(j, "has_end_entity", has_leaf);
        pkiws__cli_json_kbool(j, "has_key", has_key);
    } else if (cli->json) {
        pkiws__cli_json_kstr(j, "has_end_entity", NULL);
        pkiws__cli_json_kstr(j, "has_key", NULL);
    } else {
        if (!has_leaf)
            printf("%-15s %s\n", "end-entity", "none: no end-entity certificate in the PFX");
        if (!has_key)
            printf("%-15s %s\n", "key", "none: no private key in the PFX");
    }
    static const struct {
        const char *key;
        int item;
        int is_time;
    } ints[] = {
        {"not_before", PKIWS_RESULT_NOT_BEFORE, 1},
        {"not_after", PKIWS_RESULT_NOT_AFTER, 1},
        {"mac_iterations", PKIWS_RESULT_MAC_ITERATIONS, 0},
        {"chain_length", PKIWS_RESULT_CHAIN_LENGTH, 0},
    };
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        int64_t v = 0;
        int have = res && pkiws_result_int(res, ints[i].item, &v) == PKIWS_OK;
        char text[40];
        if (ints[i].is_time)
            pkiws__cli_time(v, text, sizeof(text));
        else
            snprintf(text, sizeof(text), "%lld", (long long)v);
        if (cli->json && !have)
            pkiws__cli_json_kstr(j, ints[i].key, NULL);
        else if (cli->json && ints[i].is_time)
            pkiws__cli_json_kstr(j, ints[i].key, text);
        else if (cli->json)
            pkiws__cli_json_kint(j, ints[i].key, v);
        else if (have)
            printf("%-15s %s\n", ints[i].key, text);
    }
    /* The chain (without an end-entity certificate: every certificate), each by its
     * thumbprint. */
    size_t n = res ? pkiws_result_chain_count(res) : 0;
    if (cli->json) {
        pkiws__cli_json_key(j, "chain");
        pkiws__cli_json_array(j);
    }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *der = NULL;
        size_t len = 0;
        char *thumb = NULL;
        if (pkiws_result_chain_cert(res, i, &der, &len) != PKIWS_OK ||
            pkiws_thumbprint(der, len, NULL, &thumb) != PKIWS_OK)
            continue;
        if (cli->json) {
            pkiws__cli_json_object(j);
            pkiws__cli_json_kstr(j, "thumbprint", thumb);
            pkiws__cli_json_end(j);
        } else
            printf("%-15s %zu: %s\n", has_leaf ? "chain" : "certificate", i + 1, thumb);
        pkiws_free(thumb);
    }
    if (cli->json)
        pkiws__cli_json_end(j);
}

static int info(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    static const char *const packaging[] = {"cert", "key",        "key-pass",      "chain",
                                            "out",  "pfx-preset", "friendly-name", NULL};
    const char *extra = pkiws__cli_arg_any(args, packaging);
    if (extra != NULL)
        return pkiws__cli_usage_error(cli, "--info cannot be combined with --%s", extra);
    const char *path = pkiws__cli_arg(args, "info");
    const char *pass = pkiws__cli_arg(args, "pfx-pass");
    if (pass == NULL)
        return pkiws__cli_usage_error(cli, "--info needs --pfx-pass PASS (or --pfx-pass-env)");

    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    pkiws__cli_data data;
    if (pkiws__cli_read("PFX file", path, 1, &data, &r.o) == PKIWS_OK) {
        int rc = pkiws_pfx_inspect(data.p, data.len, pass, &r.res);
        pkiws__cli_outcome_result(&r.o, r.res, rc);
        if (rc != PKIWS_OK) {
            pkiws_result_free(r.res); /* nothing to describe */
            r.res = NULL;
        }
        pkiws__cli_data_dispose(&data);
    }
    if (pkiws__cli_run_json(cli, &r))
        pkiws__cli_json_kstr(&r.j, "file", path);
    if (cli->json || r.res != NULL)
        describe(cli, &r.j, r.res);
    return pkiws__cli_run_end(cli, &r);
}

/* Read the input files, make the PFX, describe it and write it; fills o and *desc. Returns
 * the PFX size, 0 on failure. */
static size_t package_to_file(const pkiws__cli_args *args, int preset, pkiws_result **desc,
                              pkiws__cli_outcome *o)
{
    pkiws__cli_data cert, key, chain;
    memset(&cert, 0, sizeof(cert));
    memset(&key, 0, sizeof(key));
    memset(&chain, 0, sizeof(chain));
    const char *chain_path = pkiws__cli_arg(args, "chain");
    const char *pass = pkiws__cli_arg(args, "pfx-pass");
    uint8_t *pfx = NULL;
    size_t pfx_len = 0;
    *desc = NULL;
    int rc = pkiws__cli_read("certificate file", pkiws__cli_arg(args, "cert"), 0, &cert, o);
    if (rc == PKIWS_OK)
        rc = pkiws__cli_read("key file", pkiws__cli_arg(args, "key"), 1, &key, o);
    if (rc == PKIWS_OK && chain_path)
        rc = pkiws__cli_read("chain file", chain_path, 0, &chain, o);
    if (rc == PKIWS_OK) {
        rc = pkiws_pfx_package(cert.p, cert.len, key.p, key.len, pkiws__cli_arg(args, "key-pass"),
                               chain.p, chain.len, pass, preset,
                               pkiws__cli_arg(args, "friendly-name"), &pfx, &pfx_len);
        if (rc != PKIWS_OK)
            pkiws__cli_outcome_last(o, rc);
    }
    pkiws__cli_data_dispose(&cert);
    pkiws__cli_data_dispose(&key);
    pkiws__cli_data_dispose(&chain);
    if (rc == PKIWS_OK) {
        rc = pkiws_pfx_inspect(pfx, pfx_len, pass, desc);
        pkiws__cli_outcome_result(o, *desc, rc);
    }
    if (rc == PKIWS_OK) {
        pkiws__cli_staged st;
        rc = pkiws__cli_stage("PFX file", pkiws__cli_arg(args, "out"), pfx, pfx_len, 1, &st, o);
        if (rc == PKIWS_OK)
            rc = pkiws__cli_commit("PFX file", &st, o);
    }
    pkiws_free_secret(pfx, pfx_len);
    if (rc != PKIWS_OK) {
        pkiws_result_free(*desc);
        *desc = NULL;
        return 0;
    }
    return pfx_len;
}

static int package(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    static const char *const required[] = {"cert", "key", "out", "pfx-pass"};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (pkiws__cli_arg(args, required[i]) == NULL)
            return pkiws__cli_usage_error(cli, "--%s is required (or --info IN.pfx)", required[i]);
    int preset = PKIWS_PFX_LEGACY;
    const char *preset_name = pkiws__cli_arg(args, "pfx-preset");
    if (preset_name && pkiws__cli_pfx_preset(preset_name, &preset) != 0)
        return pkiws__cli_usage_error(cli, "--pfx-preset '%s': expected legacy or modern",
                                      preset_name);
    const char *out = pkiws__cli_arg(args, "out");
    static const char *const inputs[] = {"cert", "key", "chain"};
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        const char *in = pkiws__cli_arg(args, inputs[i]);
        if (in && strcmp(in, out) == 0)
            return pkiws__cli_usage_error(cli, "--out '%s' would overwrite --%s", out, inputs[i]);
    }

    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    size_t len = package_to_file(args, preset, &r.res, &r.o);
    if (pkiws__cli_run_json(cli, &r)) {
        pkiws__cli_json_kstr(&r.j, "file", len ? out : NULL);
        if (len)
            pkiws__cli_json_kint(&r.j, "bytes", (int64_t)len);
        else
            pkiws__cli_json_kstr(&r.j, "bytes", NULL);
        pkiws__cli_json_kstr(&r.j, "preset", pkiws__cli_pfx_preset_name(preset));
    } else if (len)
        printf("wrote %s (%zu bytes, %s preset, mode 0600)\n", out, len,
               pkiws__cli_pfx_preset_name(preset));
    if (cli->json || r.res != NULL)
        describe(cli, &r.j, r.res);
    return pkiws__cli_run_end(cli, &r);
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    return pkiws__cli_arg(args, "info") ? info(cli, args) : package(cli, args);
}

const pkiws__cli_cmd pkiws__cli_cmd_pfx = {
    .name = "pfx",
    .summary = "package a key and certificates into a PFX, or describe one with --info",
    .synopsis = "--cert CERT.pem --key KEY.pem [--chain CHAIN.pem] --out OUT.pfx --pfx-pass PASS "
                "[--pfx-preset legacy|modern] | --info IN.pfx --pfx-pass PASS",
    .groups = {{"Options", OPTS}, {NULL, NULL}, {NULL, NULL}, {NULL, NULL}},
    .min_pos = 0,
    .max_pos = 0,
    .run = run,
};
