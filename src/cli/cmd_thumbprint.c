/* SPDX-License-Identifier: MIT */
/* `pkiws thumbprint`: SHA-1 of a certificate (PEM, DER) or of a PFX's end-entity certificate. */
#include "cli.h"

static const pkiws__cli_opt OPTS[] = {
    {"pass", 0, PKIWS__CLI_SECRET, "PASS", "password when FILE is a PFX"},
    {NULL, 0, 0, NULL, NULL},
};

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    const char *path = args->pos[0];
    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    pkiws__cli_data data;
    char *thumb = NULL;
    if (pkiws__cli_read("certificate file", path, 0, &data, &r.o) == PKIWS_OK) {
        int rc = pkiws_thumbprint(data.p, data.len, pkiws__cli_arg(args, "pass"), &thumb);
        if (rc != PKIWS_OK)
            pkiws__cli_outcome_last(&r.o, rc);
        pkiws__cli_data_dispose(&data);
    }
    if (pkiws__cli_run_json(cli, &r)) {
        pkiws__cli_json_kstr(&r.j, "file", path);
        pkiws__cli_json_kstr(&r.j, "thumbprint", thumb);
    } else if (thumb != NULL)
        printf("%s\n", thumb);
    pkiws_free(thumb);
    return pkiws__cli_run_end(cli, &r);
}

const pkiws__cli_cmd pkiws__cli_cmd_thumbprint = {
    .name = "thumbprint",
    .summary = "print the SHA-1 thumbprint of a certificate or PFX (40 upper-case hex digits)",
    .synopsis = "FILE [--pass PASS]",
    .groups = {{"Options", OPTS}, {NULL, NULL}, {NULL, NULL}, {NULL, NULL}},
    .min_pos = 1,
    .max_pos = 1,
    .run = run,
};
