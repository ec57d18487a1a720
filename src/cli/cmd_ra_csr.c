/* SPDX-License-Identifier: MIT */
/* `pkiws ra-csr`: the RA key and CSR that the seeds make with certreq.exe and an INI file. */
#include "cli.h"

#include <string.h>

static const pkiws__cli_opt OPTS[] = {
    {"subject", 0, PKIWS__CLI_VALUE, "DN", "subject of the RA certificate, e.g. CN=ra,O=Contoso"},
    {"key-out", 0, PKIWS__CLI_VALUE, "KEY.pem", "where to write the private key (mode 0600)"},
    {"out", 0, PKIWS__CLI_VALUE, "REQ.csr", "where to write the CSR (PEM)"},
    {"key", 0, PKIWS__CLI_VALUE, "rsa2048|rsa3072|rsa4096|p256|p384",
     "key type (default rsa2048, as the seeds' INI file); an EC key's usage is "
     "digitalSignature only"},
    {NULL, 0, 0, NULL, NULL},
};

/* The key usage the library requests: keyEncipherment only for RSA (RFC 5480 §3). */
static const char *key_usage(int key_type)
{
    int ec = key_type == PKIWS_KEY_EC_P256 || key_type == PKIWS_KEY_EC_P384;
    return ec ? "digitalSignature" : "digitalSignature keyEncipherment";
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    const char *subject = pkiws__cli_arg(args, "subject");
    const char *key_out = pkiws__cli_arg(args, "key-out");
    const char *csr_out = pkiws__cli_arg(args, "out");
    const char *key_name = pkiws__cli_arg(args, "key");
    int key_type = PKIWS_KEY_RSA2048;
    if (subject == NULL)
        return pkiws__cli_usage_error(cli, "--subject DN is required");
    if (key_out == NULL)
        return pkiws__cli_usage_error(cli, "--key-out KEY.pem is required");
    if (csr_out == NULL)
        return pkiws__cli_usage_error(cli, "--out REQ.csr is required");
    if (strcmp(key_out, csr_out) == 0)
        return pkiws__cli_usage_error(cli, "--key-out and --out name the same file '%s'", key_out);
    if (key_name && pkiws__cli_key_type(key_name, &key_type) != 0)
        return pkiws__cli_usage_error(
            cli, "--key '%s': expected rsa2048, rsa3072, rsa4096, p256 or p384", key_name);

    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    char *key_pem = NULL, *csr_pem = NULL;
    pkiws__cli_staged key_st, csr_st;
    memset(&key_st, 0, sizeof(key_st));
    memset(&csr_st, 0, sizeof(csr_st));
    int rc = pkiws_ra_csr(subject, key_type, &key_pem, &csr_pem);
    if (rc != PKIWS_OK)
        pkiws__cli_outcome_last(&r.o, rc);
    /* Both files are staged before either is moved into place: all or nothing. */
    if (rc == PKIWS_OK)
        rc = pkiws__cli_stage("key file", key_out, key_pem, strlen(key_pem), 1, &key_st, &r.o);
    if (rc == PKIWS_OK)
        rc = pkiws__cli_stage("CSR file", csr_out, csr_pem, strlen(csr_pem), 0, &csr_st, &r.o);
    if (rc == PKIWS_OK)
        rc = pkiws__cli_commit("key file", &key_st, &r.o);
    if (rc == PKIWS_OK)
        rc = pkiws__cli_commit("CSR file", &csr_st, &r.o);
    pkiws__cli_discard(&key_st);
    pkiws__cli_discard(&csr_st);
    pkiws_free_secret(key_pem, 0);

    if (pkiws__cli_run_json(cli, &r)) {
        pkiws__cli_json_kstr(&r.j, "subject", subject);
        pkiws__cli_json_kstr(&r.j, "key_type", pkiws__cli_key_type_name(key_type));
        pkiws__cli_json_kstr(&r.j, "key_usage", key_usage(key_type));
        pkiws__cli_json_kstr(&r.j, "key_file", rc == PKIWS_OK ? key_out : NULL);
        pkiws__cli_json_kstr(&r.j, "csr_file", rc == PKIWS_OK ? csr_out : NULL);
        pkiws__cli_json_kstr(&r.j, "csr_pem", rc == PKIWS_OK ? csr_pem : NULL);
    } else if (rc == PKIWS_OK) {
        printf("wrote private key %s (mode 0600) and CSR %s\n", key_out, csr_out);
        printf("subject: %s, key: %s, key usage: %s, EKU: clientAuth\n", subject,
               pkiws__cli_key_type_name(key_type), key_usage(key_type));
        printf("next: submit %s to the CA as \"Get an RA Cert\", then run "
               "'pkiws thumbprint' on the RA certificate you receive\n",
               csr_out);
    }
    pkiws_free(csr_pem);
    return pkiws__cli_run_end(cli, &r);
}

const pkiws__cli_cmd pkiws__cli_cmd_ra_csr = {
    .name = "ra-csr",
    .summary =
        "make the RA private key and certificate request (RSA 2048, KU 0xa0, EKU clientAuth)",
    .synopsis = "--subject DN --key-out KEY.pem --out REQ.csr [--key TYPE]",
    .groups = {{"Options", OPTS}, {NULL, NULL}, {NULL, NULL}, {NULL, NULL}},
    .min_pos = 0,
    .max_pos = 0,
    .run = run,
};
