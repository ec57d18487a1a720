/* SPDX-License-Identifier: MIT */
/* An issued (or pending) result of issue and poll: the files written and the report. */
#include "cli.h"

#include <string.h>

/* The chain as PEM, issuing CA first; NULL when the result has no chain. */
static char *chain_pem(const pkiws_result *res, size_t *count)
{
    size_t n = pkiws_result_chain_count(res);
    char *all = pkiws__cli_strdup("");
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *der = NULL;
        size_t len = 0;
        if (pkiws_result_chain_cert(res, i, &der, &len) != PKIWS_OK)
            continue;
        char *pem = pkiws__cli_pem("CERTIFICATE", der, len);
        char *joined = pkiws__cli_printf("%s%s", all, pem);
        pkiws__cli_free(pem);
        pkiws__cli_free(all);
        all = joined;
        (*count)++;
    }
    if (*count == 0) {
        pkiws__cli_free(all);
        return NULL;
    }
    return all;
}

int pkiws__cli_write_issued(const pkiws_result *res, const char *pfx_path, const char *chain_path,
                            pkiws__cli_written *w, pkiws__cli_outcome *o)
{
    const uint8_t *pfx = NULL;
    size_t pfx_len = 0;
    if (pkiws_result_blob(res, PKIWS_RESULT_PFX, &pfx, &pfx_len) != PKIWS_OK) {
        pkiws__cli_outcome_fail(o, PKIWS_E_INTERNAL,
                                "the library issued a certificate but returned no PFX");
        return PKIWS_E_INTERNAL;
    }
    char *chain = NULL;
    size_t count = 0;
    if (chain_path) {
        chain = chain_pem(res, &count);
        if (chain == NULL) {
            pkiws__cli_outcome_fail(o, PKIWS_E_PROTOCOL,
                                    "the CA returned no chain certificates for --chain-out '%s'",
                                    chain_path);
            return PKIWS_E_PROTOCOL;
        }
    }
    /* Both files are staged before either is moved into place: all or nothing. */
    pkiws__cli_staged pfx_st, chain_st;
    memset(&pfx_st, 0, sizeof(pfx_st));
    memset(&chain_st, 0, sizeof(chain_st));
    int rc = pkiws__cli_stage("PFX file", pfx_path, pfx, pfx_len, 1, &pfx_st, o);
    if (rc == PKIWS_OK && chain)
        rc = pkiws__cli_stage("chain file", chain_path, chain, strlen(chain), 0, &chain_st, o);
    if (rc == PKIWS_OK)
        rc = pkiws__cli_commit("PFX file", &pfx_st, o);
    if (rc == PKIWS_OK && chain)
        rc = pkiws__cli_commit("chain file", &chain_st, o);
    pkiws__cli_discard(&pfx_st);
    pkiws__cli_discard(&chain_st);
    pkiws__cli_free(chain);
    if (rc == PKIWS_OK) {
        w->pfx_file = pfx_path;
        w->chain_file = chain_path;
        w->chain_count = count;
    }
    return rc;
}

/* An integer item as a JSON member (null when absent), times as ISO 8601 UTC. */
static void json_int_item(pkiws__cli_json *j, const char *key, const pkiws_result *res, int item,
                          int is_time)
{
    int64_t v = 0;
    if (res == NULL || pkiws_result_int(res, item, &v) != PKIWS_OK) {
        pkiws__cli_json_kstr(j, key, NULL);
    } else if (is_time) {
        char text[40];
        pkiws__cli_time(v, text, sizeof(text));
        pkiws__cli_json_kstr(j, key, text);
    } else {
        pkiws__cli_json_kint(j, key, v);
    }
}

static const char *str_item(const pkiws_result *res, int item)
{
    return res ? pkiws_result_str(res, item) : NULL;
}

void pkiws__cli_json_issued(pkiws__cli_json *j, const pkiws_result *res,
                            const pkiws__cli_written *w)
{
    pkiws__cli_json_trace(j, res);
    pkiws__cli_json_checks(j, res);
    pkiws__cli_json_kstr(j, "serial", str_item(res, PKIWS_RESULT_SERIAL));
    pkiws__cli_json_kstr(j, "thumbprint", str_item(res, PKIWS_RESULT_THUMBPRINT));
    pkiws__cli_json_kstr(j, "issuer", str_item(res, PKIWS_RESULT_ISSUER));
    json_int_item(j, "not_before", res, PKIWS_RESULT_NOT_BEFORE, 1);
    json_int_item(j, "not_after", res, PKIWS_RESULT_NOT_AFTER, 1);
    pkiws__cli_json_kstr(j, "pfx_file", w->pfx_file);
    /* the password only when the user did not choose it: never echo a given secret */
    const char *pass = NULL;
    if (w->password_generated)
        pass = w->password ? w->password : str_item(res, PKIWS_RESULT_PFX_PASSWORD);
    pkiws__cli_json_kstr(j, "pfx_password", pass);
    pkiws__cli_json_kstr(j, "chain_file", w->chain_file);
    if (w->chain_file)
        pkiws__cli_json_kint(j, "chain_count", (int64_t)w->chain_count);
    else
        pkiws__cli_json_kstr(j, "chain_count", NULL);
    pkiws__cli_json_kstr(j, "pending_reference", str_item(res, PKIWS_RESULT_PENDING_REF));
    pkiws__cli_json_kstr(j, "pending_file", w->pending_file);
    pkiws__cli_json_kstr(j, "disposition", str_item(res, PKIWS_RESULT_DISPOSITION));
    json_int_item(j, "attempts", res, PKIWS_RESULT_ATTEMPTS, 0);
    pkiws__cli_json_kstr(j, "client_transaction_id", str_item(res, PKIWS_RESULT_CLIENT_TXID));
    pkiws__cli_json_kstr(j, "server_transaction_id", str_item(res, PKIWS_RESULT_SERVER_TXID));
}

static void print_str(const char *label, const pkiws_result *res, int item)
{
    const char *v = pkiws_result_str(res, item);
    if (v != NULL)
        printf("%-22s %s\n", label, v);
}

void pkiws__cli_print_issued(const pkiws_result *res, const pkiws__cli_written *w)
{
    pkiws__cli_print_trace(res);
    print_str("serial:", res, PKIWS_RESULT_SERIAL);
    print_str("thumbprint:", res, PKIWS_RESULT_THUMBPRINT);
    print_str("issuer:", res, PKIWS_RESULT_ISSUER);
    int64_t nb, na;
    if (pkiws_result_int(res, PKIWS_RESULT_NOT_BEFORE, &nb) == PKIWS_OK &&
        pkiws_result_int(res, PKIWS_RESULT_NOT_AFTER, &na) == PKIWS_OK) {
        char from[40], to[40];
        pkiws__cli_time(nb, from, sizeof(from));
        pkiws__cli_time(na, to, sizeof(to));
        printf("%-22s %s to %s\n", "valid:", from, to);
    }
    if (w->pfx_file)
        printf("%-22s %s (mode 0600)\n", "wrote PFX:", w->pfx_file);
    if (w->chain_file)
        printf("%-22s %s (%zu certificate%s, issuing CA first)\n", "wrote chain:", w->chain_file,
               w->chain_count, w->chain_count == 1 ? "" : "s");
    const char *ref = pkiws_result_str(res, PKIWS_RESULT_PENDING_REF);
    if (pkiws_result_status(res) == PKIWS_STATUS_PENDING) {
        printf("%-22s the CA holds the request for approval (reference %s)\n",
               "pending:", ref ? ref : "?");
        if (w->pending_file)
            printf("%-22s %s (mode 0600; the key is encrypted with the PFX password)\n",
                   "pending file:", w->pending_file);
    }
    if (w->password_generated) {
        const char *pass =
            w->password ? w->password : pkiws_result_str(res, PKIWS_RESULT_PFX_PASSWORD);
        if (pass)
            printf("%-22s %s (generated; keep it, it is not stored anywhere)\n",
                   "PFX password:", pass);
    }
    print_str("disposition:", res, PKIWS_RESULT_DISPOSITION);
    int64_t attempts;
    if (pkiws_result_int(res, PKIWS_RESULT_ATTEMPTS, &attempts) == PKIWS_OK)
        printf("%-22s %lld\n", "attempts:", (long long)attempts);
    print_str("client transaction id:", res, PKIWS_RESULT_CLIENT_TXID);
    print_str("server transaction id:", res, PKIWS_RESULT_SERVER_TXID);
    if (pkiws_result_status(res) == PKIWS_STATUS_PENDING && w->pending_file)
        printf("next: pkiws poll --pending %s --pfx-pass PASS (and the connection options)\n",
               w->pending_file);
}

void pkiws__cli_written_dispose(pkiws__cli_written *w)
{
    pkiws__cli_free(w->pending_file);
    pkiws__cli_free_secret(w->password, 0);
    memset(w, 0, sizeof(*w));
}

/* The seat's certificates a duplicate check found (report, refuse). */
void pkiws__cli_json_duplicates(pkiws__cli_json *j, const pkiws_result *res)
{
    pkiws__cli_json_key(j, "duplicates");
    pkiws__cli_json_array(j);
    size_t n = pkiws_result_found_count(res);
    for (size_t i = 0; i < n; i++) {
        const char *serial, *status, *seat;
        if (pkiws_result_found(res, i, NULL, NULL, &serial, &status, &seat) != PKIWS_OK)
            continue;
        pkiws__cli_json_object(j);
        pkiws__cli_json_kstr(j, "serial", serial);
        pkiws__cli_json_kstr(j, "status", status);
        pkiws__cli_json_kstr(j, "seat", seat);
        pkiws__cli_json_end(j);
    }
    pkiws__cli_json_end(j);
}
