/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <stdio.h>

#include "util/log.h"

void pkiws__log(const pkiws__logger *lg, int level, const char *domain, const char *txid,
                const char *fmt, ...)
{
    if (!lg || !lg->cb || level > lg->level || level <= PKIWS_LOG_NONE)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = 0;
    lg->cb(level, domain ? domain : "core", txid ? txid : "", msg, lg->user_data);
}

const char *pkiws__log_ident(const pkiws__logger *lg, const char *value, char *tmp, size_t cap)
{
    if (!value)
        return "(none)";
    if (lg && lg->sensitive)
        return value;
    pkiws__redact(value, tmp, cap);
    return tmp;
}
