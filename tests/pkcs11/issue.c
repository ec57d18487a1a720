/* SPDX-License-Identifier: MIT */
/* The shared steps of the RA signer tests (issue.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "issue.h"

#define OID(n) "2.16.840.1.113733.1.16.1.2.3.1.1." #n

pkiws_session *issue_session(const sim *sm, int transport)
{
    pkiws_session *s = NULL;
    char trust[400];
    assert_int_equal(pkiws_session_new(&s), PKIWS_OK);
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_BASE_URL, sm->url), PKIWS_OK);
    snprintf(trust, sizeof trust, "%s/trust.pem", sm->state);
    assert_int_equal(pkiws_session_set_str(s, PKIWS_SESSION_OPT_TRUST_FILE, trust), PKIWS_OK);
    if (transport)
        assert_int_equal(pkiws_session_set_int(s, PKIWS_SESSION_OPT_TRANSPORT, transport),
                         PKIWS_OK);
    return s;
}

int issue_upn(pkiws_session *s, const char *upn, pkiws_result **out)
{
    pkiws_profile *p = NULL;
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_profile_new(&p, s, OID(2)), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SUBJECT_FORMAT, PKIWS_SUBJECT_CN),
                     PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_UPN),
                     PKIWS_OK);
    assert_int_equal(pkiws_request_new(&r, p), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_CN, upn), PKIWS_OK);
    assert_int_equal(pkiws_request_set_str(r, PKIWS_REQUEST_OPT_UPN, upn), PKIWS_OK);
    pkiws_result *res = NULL;
    int rc = pkiws_issue(r, &res);
    if (out)
        *out = res;
    else
        pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    return rc;
}

int issue_sim_log_count(const sim *s, const char *text)
{
    FILE *f = fopen(s->log, "r");
    assert_non_null(f);
    char line[2048];
    int n = 0;
    while (fgets(line, sizeof line, f))
        n += strstr(line, text) != NULL;
    fclose(f);
    return n;
}
