/* SPDX-License-Identifier: MIT */
/* Unit tests of the bulkUpdateCertificateStatus builder and parser (src/proto/soap_*.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>

#include "pkiws_internal.h"
#include "proto/soap.h"

static int build(int kind, int op, size_t n, pkiws_buf *out)
{
    static const char *ids[101];
    static char text[101][8];
    for (size_t i = 0; i < 101; i++) {
        snprintf(text[i], sizeof text[i], "%02zX", i + 1);
        ids[i] = text[i];
    }
    pkiws__soap_bulk_status b = {"pkiws-bulk-1", op, "Superseded", "c & d", kind, ids, n};
    return pkiws__soap_bulk_update_certificate_status(&b, out);
}

static void test_bulk_request_in_schema_order(void **state)
{
    (void)state;
    pkiws_buf out = PKIWS_BUF_INIT;
    assert_int_equal(build(PKIWS__BULK_SEAT, PKIWS__OP_SUSPEND, 3, &out), PKIWS_OK);
    const char *x = pkiws__buf_cstr(&out);
    const char *order[] = {"<m:bulkUpdateCertificateStatusRequest",
                           "<m:clientTransactionID>pkiws-bulk-1<",
                           "<m:version>1.0<",
                           "<m:revocationReason>Superseded<",
                           "<m:comment>c &amp; d<",
                           "<m:seatId>01<",
                           "<m:seatId>02<",
                           "<m:seatId>03<",
                           "<m:operationType>Suspend<"};
    const char *at = x;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *p = strstr(at, order[i]);
        if (!p)
            fail_msg("'%s' missing or out of order in %s", order[i], x);
        at = p;
    }
    assert_null(strstr(x, "certificateSerialNumber"));
    pkiws__buf_dispose(&out);
}

static void test_bulk_request_limits(void **state)
{
    (void)state;
    pkiws_buf out = PKIWS_BUF_INIT;
    assert_int_equal(build(PKIWS__BULK_SERIAL, PKIWS__OP_REVOKE, 100, &out), PKIWS_OK);
    pkiws__buf_dispose(&out);
    assert_int_equal(build(PKIWS__BULK_SERIAL, PKIWS__OP_REVOKE, 101, &out), PKIWS_E_LIMIT);
    assert_non_null(strstr(pkiws__err_message(), "1 to 100 ids, not 101"));
    assert_int_equal(build(PKIWS__BULK_PROFILE, PKIWS__OP_REVOKE, 0, &out), PKIWS_E_LIMIT);
    assert_int_equal(build(4, PKIWS__OP_REVOKE, 1, &out), PKIWS_E_INVALID_ARG);
    assert_int_equal(build(PKIWS__BULK_SERIAL, 0, 1, &out), PKIWS_E_INVALID_ARG);
    pkiws__buf_dispose(&out);
}

static void test_bulk_response_parsed(void **state)
{
    (void)state;
    static const char doc_text[] =
        "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\"><S:Body>"
        "<ns2:bulkUpdateCertificateStatusResponse "
        "xmlns:ns2=\"http://schemas.verisign.com/pkiservices/2009/07/management\">"
        "<ns2:clientTransactionID>x</ns2:clientTransactionID>"
        "<ns2:serverTransactionID>srv-1</ns2:serverTransactionID><ns2:version>1.0</ns2:version>"
        "<ns2:successCode>-1</ns2:successCode><ns2:successMsg>1 of 3 ids not found</ns2:successMsg>"
        "<ns2:revocationCount>2</ns2:revocationCount>"
        "</ns2:bulkUpdateCertificateStatusResponse></S:Body></S:Envelope>";
    pkiws_xml_limits lim = {1 << 20, 64, 100000};
    pkiws_xml_doc *doc = NULL;
    assert_int_equal(pkiws__xml_parse(doc_text, sizeof doc_text - 1, &lim, "answer", &doc),
                     PKIWS_OK);
    pkiws__soap_status_result r;
    assert_int_equal(pkiws__soap_parse_bulk_update_status(doc, &r), PKIWS_OK);
    assert_int_equal(r.success_code, -1);
    assert_int_equal(r.revocation_count, 2);
    assert_string_equal(r.success_msg, "1 of 3 ids not found");
    assert_string_equal(r.server_txid, "srv-1");
    pkiws__soap_status_result_dispose(&r);
    /* the single operation's parser wants its own element */
    assert_int_equal(pkiws__soap_parse_update_status(doc, &r), PKIWS_E_PROTOCOL);
    pkiws__soap_status_result_dispose(&r);
    pkiws__xml_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bulk_request_in_schema_order),
        cmocka_unit_test(test_bulk_request_limits),
        cmocka_unit_test(test_bulk_response_parsed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
