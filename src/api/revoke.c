/* SPDX-License-Identifier: MIT */
/* pkiws_revoke: updateCertificateStatus by serial or seat. */
#include "pkiws_internal.h"

#include <ctype.h>

#include "api/api_int.h"
#include "core/enroll.h"
#include "proto/soap.h"

static const char *reason_text(int reason)
{
    switch (reason) {
    case PKIWS_REASON_UNSPECIFIED:
        return "Unspecified";
    case PKIWS_REASON_KEY_COMPROMISE:
        return "KeyCompromise";
    case PKIWS_REASON_CA_COMPROMISE:
        return "CACompromise";
    case PKIWS_REASON_AFFILIATION_CHANGED:
        return "AffiliationChanged";
    case PKIWS_REASON_SUPERSEDED:
        return "Superseded";
    case PKIWS_REASON_CESSATION_OF_OPERATION:
        return "CessationOfOperation";
    case PKIWS_REASON_CERTIFICATE_HOLD:
        return "CertificateHold";
    case PKIWS_REASON_REMOVE_FROM_CRL:
        return "RemoveFromCRL";
    case PKIWS_REASON_PRIVILEGE_WITHDRAWN:
        return "PrivilegeWithdrawn";
    case PKIWS_REASON_AA_COMPROMISE:
        return "AACompromise";
    default:
        return NULL;
    }
}

/* Serial as hex: separators and leading zeros dropped, upper-cased. */
static int normalize_serial(const char *in, pkiws_buf *out)
{
    size_t digits = 0;
    for (const char *p = in; *p; p++) {
        if (*p == ':' || *p == ' ' || *p == '-')
            continue;
        if (!isxdigit((unsigned char)*p))
            return pkiws__fail(PKIWS_E_INVALID_ARG,
                               "serial '%s' has '%c' at position %zu, which is not a hex digit", in,
                               *p, (size_t)(p - in) + 1);
        if (digits == 0 && *p == '0')
            continue;
        pkiws__buf_putc(out, (char)toupper((unsigned char)*p));
        digits++;
    }
    if (digits == 0)
        pkiws__buf_putc(out, '0');
    return pkiws__buf_status(out);
}

PKIWS_API int pkiws_revoke(pkiws_session *s, int operation, int selector, const char *id,
                           int reason, const char *comment, pkiws_result **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_revoke", "out is NULL");
    *out = NULL;
    int hrc = pkiws__check_session(s, "pkiws_revoke");
    if (hrc)
        return hrc;
    if (operation < PKIWS_OP_REVOKE || operation > PKIWS_OP_RESUME)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_revoke: operation %d is not a PKIWS_OP_*",
                           operation);
    if (selector != PKIWS_BY_SERIAL && selector != PKIWS_BY_SEAT)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "pkiws_revoke: selector %d is not PKIWS_BY_SERIAL or PKIWS_BY_SEAT",
                           selector);
    if (pkiws__is_blank(id))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_revoke: the %s is empty",
                           selector == PKIWS_BY_SEAT ? "seat id" : "serial");
    const char *reason_name = NULL;
    if (reason != PKIWS_REASON_NONE && !(reason_name = reason_text(reason)))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_revoke: reason %d is not a PKIWS_REASON_*",
                           reason);
    pkiws_buf serial = PKIWS_BUF_INIT;
    int rc = PKIWS_OK;
    if (selector == PKIWS_BY_SERIAL && (rc = normalize_serial(id, &serial))) {
        pkiws__buf_dispose(&serial);
        return rc;
    }
    pkiws_result *r = pkiws__result_new();
    if (!r) {
        pkiws__buf_dispose(&serial);
        return PKIWS_E_NOMEM;
    }
    pkiws__revoke_outcome o;
    memset(&o, 0, sizeof o);
    pkiws__client *c = NULL;
    pkiws__conf *conf = NULL;
    rc = pkiws__session_acquire(s, &conf);
    if (!rc)
        rc = pkiws__conf_client(conf, &c);
    if (!rc)
        rc = pkiws__update_status(c, operation, selector == PKIWS_BY_SEAT,
                                  selector == PKIWS_BY_SEAT ? id : pkiws__buf_cstr(&serial),
                                  reason_name, comment, &o);
    pkiws__result_set_int(r, PKIWS_RESULT_ATTEMPTS, o.call.attempts);
    if (o.client_txid)
        pkiws__result_set_str(r, PKIWS_RESULT_CLIENT_TXID, o.client_txid);
    if (o.server_txid)
        pkiws__result_set_str(r, PKIWS_RESULT_SERVER_TXID, o.server_txid);
    if (o.message)
        pkiws__result_set_str(r, PKIWS_RESULT_DISPOSITION, o.message);
    if (o.call.attempts && (rc == PKIWS_OK || rc == PKIWS_E_REJECTED)) {
        pkiws__result_set_int(r, PKIWS_RESULT_SUCCESS_CODE, o.success_code);
        pkiws__result_set_int(r, PKIWS_RESULT_REVOCATION_COUNT, o.revocation_count);
    }
    if (selector == PKIWS_BY_SERIAL)
        pkiws__result_set_str(r, PKIWS_RESULT_SERIAL, pkiws__buf_cstr(&serial));
    if (rc) {
        int retryable = o.call.retryable;
        pkiws__result_fail(r, rc);
        pkiws__result_set_retryable(r, retryable);
    }
    if (conf)
        pkiws__log(&conf->set.log, rc ? PKIWS_LOG_WARN : PKIWS_LOG_INFO, "core",
                   o.client_txid ? o.client_txid : "", "updateCertificateStatus: %s (%d changed)",
                   rc ? pkiws__err_message() : "ok", o.revocation_count);
    pkiws__conf_release(conf);
    pkiws__revoke_outcome_dispose(&o);
    pkiws__buf_dispose(&serial);
    *out = r;
    return rc;
}
