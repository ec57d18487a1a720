/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the SOAP response parsers (src/proto/soap_parse.c): fault, issue/RSTR (and the
 * PKCS#7 walk of the token it returns, as enrolment does), update status, search, health. The
 * input is an answer body; it is parsed once with the client's default limits and every
 * parser runs on the same tree. Invariants: failures are recorded with their code and a
 * message, and a successful parse returns what its documentation promises.
 */
#include "pkiws_internal.h"

#include "crypto/crypto.h"
#include "fuzz.h"
#include "proto/soap.h"

static void token(pkiws_xml_doc *doc)
{
    pkiws__soap_token t;
    pkiws__err_clear();
    int rc = pkiws__soap_parse_token(doc, &t);
    fuzz_check_rc(rc, "pkiws__soap_parse_token");
    if (!rc) {
        if (!t.pending_ref && (!t.token || !t.token_len))
            fuzz_fail("pkiws__soap_parse_token: neither a token nor a pending reference");
        if (t.token) {
            pkiws__certlist l = {0};
            pkiws__err_clear();
            int prc = pkiws__pkcs7_parse(t.token, t.token_len, &l);
            fuzz_check_rc(prc, "pkiws__pkcs7_parse (token)");
            if (prc && l.n)
                fuzz_fail("pkiws__pkcs7_parse failed but kept %zu certificates", l.n);
            pkiws__certlist_dispose(&l);
        }
    }
    pkiws__soap_token_dispose(&t);
}

static void update_status(pkiws_xml_doc *doc)
{
    pkiws__soap_status_result r;
    pkiws__err_clear();
    fuzz_check_rc(pkiws__soap_parse_update_status(doc, &r), "pkiws__soap_parse_update_status");
    pkiws__soap_status_result_dispose(&r);
}

static void search(pkiws_xml_doc *doc)
{
    pkiws__soap_search_result r;
    pkiws__err_clear();
    int rc = pkiws__soap_parse_search(doc, &r);
    fuzz_check_rc(rc, "pkiws__soap_parse_search");
    if (!rc) {
        if (r.count < 0 || (r.nfound && !r.found))
            fuzz_fail("pkiws__soap_parse_search: count %d, %zu found", r.count, r.nfound);
        for (size_t i = 0; i < r.nfound; i++) {
            if (!r.found[i].der || !r.found[i].der_len)
                fuzz_fail("pkiws__soap_parse_search: certificate %zu is empty", i);
            pkiws__cert *c = NULL;
            if (pkiws__cert_parse(r.found[i].der, r.found[i].der_len, &c) == PKIWS_OK)
                (void)pkiws__cert_get_info(c);
            pkiws__cert_free(c);
        }
    } else if (r.found || r.nfound || r.server_txid) {
        fuzz_fail("pkiws__soap_parse_search failed but left results");
    }
    pkiws__soap_search_result_dispose(&r);
}

static void health(pkiws_xml_doc *doc)
{
    pkiws__soap_health h;
    pkiws__err_clear();
    fuzz_check_rc(pkiws__soap_parse_health(doc, &h), "pkiws__soap_parse_health");
    pkiws__soap_health_dispose(&h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pkiws_xml_doc *doc = NULL;
    if (pkiws__xml_parse((const char *)data, size, NULL, "answer", &doc))
        return 0;
    pkiws__err_clear();
    fuzz_check_rc(pkiws__soap_check_fault(doc, "fuzz"), "pkiws__soap_check_fault");
    token(doc);
    update_status(doc);
    search(doc);
    health(doc);
    pkiws__xml_free(doc);
    return 0;
}
