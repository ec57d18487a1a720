/* SPDX-License-Identifier: MIT */
/* pkiws_check: the seeds' troubleshooting table run by a machine, step by step. */
#ifndef PKIWS_CORE_HEALTH_H
#define PKIWS_CORE_HEALTH_H

#include "core/client.h"
#include "core/ra.h"

#define PKIWS__HEALTH_MAX_STEPS 12

typedef struct pkiws__health_step {
    const char *name; /* "configuration", "RA credential", ... */
    int verdict;      /* PKIWS_VERDICT_OK / WARN / FAIL */
    char detail[512];
    const char *remedy; /* static text or NULL */
    int code;           /* PKIWS_E_* behind a FAIL */
    int retryable;      /* the FAIL may heal on retry (util/err.h's rule) */
} pkiws__health_step;

typedef struct pkiws__health_report {
    pkiws__health_step steps[PKIWS__HEALTH_MAX_STEPS];
    size_t n;
    int first_error; /* code of the first FAIL, PKIWS_OK when none */
    char first_message[PKIWS_ERR_MSG_MAX];
    const char *first_remedy;
    int first_retryable;
} pkiws__health_report;

typedef struct pkiws__health_input {
    const char *base_url; /* NULL: not configured */
    const pkiws__ra *ra;  /* NULL: not loaded */
    int64_t now;
    int64_t connect_timeout_ms;
    const char *profile_oid; /* NULL: skip the policy step */
    /* The session's client, or NULL when it could not be made (the RA step says why). */
    pkiws__client *client;
    /* The session's proxy (normalised http://host:port) or NULL, and its "user:password"
     * (a secret) or NULL: name resolution and TCP connect then check the way to the proxy
     * and the tunnel through it, as the transports go. */
    const char *proxy;
    const char *proxy_credentials;
} pkiws__health_input;

void pkiws__health_check(const pkiws__health_input *in, pkiws__health_report *out);

#endif
