/* SPDX-License-Identifier: MIT */
/* `pkiws import-config`: the settings an Intune connector keeps in its .exe.config file. */
#include "cli.h"

static const pkiws__cli_opt OPTS[] = {
    {NULL, 0, 0, NULL, NULL},
};

/* The session settings that the file changed, read back from the session. */
static void session_settings(const pkiws__cli *cli, pkiws__cli_json *j, pkiws_session *s,
                             const char *thumb)
{
    int64_t connect_ms = 0, total_ms = 0;
    const char *proxy = NULL;
    int have_connect =
        pkiws_session_get_int(s, PKIWS_SESSION_OPT_CONNECT_TIMEOUT_MS, &connect_ms) == PKIWS_OK;
    int have_total = pkiws_session_get_int(s, PKIWS_SESSION_OPT_TIMEOUT_MS, &total_ms) == PKIWS_OK;
    if (pkiws_session_get_str(s, PKIWS_SESSION_OPT_PROXY, &proxy) != PKIWS_OK)
        proxy = NULL;
    if (cli->json) {
        pkiws__cli_json_kstr(j, "ra_thumbprint", thumb);
        pkiws__cli_json_key(j, "connect_timeout_ms");
        if (have_connect)
            pkiws__cli_json_int(j, connect_ms);
        else
            pkiws__cli_json_null(j);
        pkiws__cli_json_key(j, "timeout_ms");
        if (have_total)
            pkiws__cli_json_int(j, total_ms);
        else
            pkiws__cli_json_null(j);
        pkiws__cli_json_kstr(j, "proxy", proxy);
        return;
    }
    printf("session:\n");
    printf("  %-34s %s\n", "RA certificate thumbprint", thumb ? thumb : "(none)");
    if (have_connect)
        printf("  %-34s %lld ms\n", "connect timeout", (long long)connect_ms);
    if (have_total)
        printf("  %-34s %lld ms\n", "total timeout", (long long)total_ms);
    printf("  %-34s %s\n", "proxy", proxy ? proxy : "(none)");
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    const char *path = args->pos[0];
    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    int rc = pkiws__cli_session(cli, args, &r.s, &r.o);
    if (rc == PKIWS_OK && (rc = pkiws_session_load_connector_config(r.s, path)) != PKIWS_OK)
        pkiws__cli_outcome_last(&r.o, rc);
    /* The library keeps the thumbprint normalised, as the RA store will look for it. */
    const char *thumb = rc == PKIWS_OK ? pkiws_session_config_value(r.s, "RACertThumbprint") : NULL;

    size_t n = rc == PKIWS_OK ? pkiws_session_config_count(r.s) : 0;
    if (pkiws__cli_run_json(cli, &r)) {
        pkiws__cli_json_kstr(&r.j, "file", path);
        pkiws__cli_json_key(&r.j, "settings");
        pkiws__cli_json_array(&r.j);
    } else if (rc == PKIWS_OK)
        printf("settings read from %s:\n", path);
    for (size_t i = 0; i < n; i++) {
        const char *key = NULL, *value = NULL;
        if (pkiws_session_config_entry(r.s, i, &key, &value) != PKIWS_OK)
            continue;
        if (cli->json) {
            pkiws__cli_json_object(&r.j);
            pkiws__cli_json_kstr(&r.j, "key", key);
            pkiws__cli_json_kstr(&r.j, "value", value);
            pkiws__cli_json_end(&r.j);
        } else
            printf("  %-34s %s\n", key ? key : "", value ? value : "");
    }
    if (cli->json)
        pkiws__cli_json_end(&r.j);
    if (rc == PKIWS_OK)
        session_settings(cli, &r.j, r.s, thumb);
    return pkiws__cli_run_end(cli, &r);
}

const pkiws__cli_cmd pkiws__cli_cmd_import_config = {
    .name = "import-config",
    .summary =
        "show the settings of an Intune connector .exe.config (RACertThumbprint, timeouts, proxy)",
    .synopsis = "FILE",
    .groups = {{"Options", OPTS}, {NULL, NULL}, {NULL, NULL}, {NULL, NULL}},
    .min_pos = 1,
    .max_pos = 1,
    .run = run,
};
