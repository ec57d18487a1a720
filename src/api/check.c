/* SPDX-License-Identifier: MIT */
/* pkiws_check: the health report. */
#include "pkiws_internal.h"

#include "api/api_int.h"
#include "core/health.h"
#include "core/settings.h"

PKIWS_API int pkiws_check(pkiws_session *s, const char *profile_oid, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_check", "out is NULL");
    *out = NULL;
    int hrc = pkiws__check_session(s, "pkiws_check");
    if (hrc)
        return hrc;
    int rc;
    if (profile_oid && (rc = pkiws__check_profile_oid(profile_oid)))
        return rc;
    pkiws_result *r = pkiws__result_new();
    if (!r)
        return PKIWS_E_NOMEM;
    pkiws__conf *conf = NULL;
    if ((rc = pkiws__session_acquire(s, &conf))) {
        pkiws__result_fail(r, rc);
        *out = r;
        return rc;
    }
    pkiws_buf base = PKIWS_BUF_INIT;
    pkiws__conf_base_url(conf, &base);
    pkiws__client *client = NULL;
    if (pkiws__conf_client(conf, &client) != PKIWS_OK)
        client = NULL; /* the configuration / RA steps report why */
    pkiws__health_input in = {base.len ? pkiws__buf_cstr(&base) : NULL,
                              pkiws__conf_ra(conf),
                              pkiws__now(),
                              conf->set.connect_timeout_ms,
                              profile_oid,
                              client,
                              conf->set.proxy,
                              conf->set.proxy_credentials};
    pkiws__health_report rep;
    pkiws__health_check(&in, &rep);
    rc = rep.first_error;
    for (size_t i = 0; i < rep.n; i++) {
        const pkiws__health_step *st = &rep.steps[i];
        int rc2 = pkiws__result_add_check(r, st->name, st->verdict, st->detail, st->remedy);
        if (rc2 && !rc)
            rc = rc2;
    }
    if (rc)
        pkiws__result_fail(r, rc);
    pkiws__buf_dispose(&base);
    pkiws__conf_release(conf);
    *out = r;
    return rc;
}
