/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <stdio.h>

#include "util/callback.h"
#include "util/log.h"

void pkiws__log(const pkiws__logger *lg, int level, const char *domain, const char *txid,
                const char *fmt, ...)
{
    if (!lg || !lg->cb || level > lg->level || level <= PKIWS_LOG_NONE)
        return;
    char msg[16384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = 0;
    pkiws__callback_frame f;
    pkiws__callback_enter(&f);
    lg->cb(level, domain ? domain : "core", txid ? txid : "", msg, lg->user_data);
    pkiws__callback_leave(&f);
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

static int redacted_element(const char *name, size_t n)
{
    static const char *const names[] = {
        "value",      "binarySecurityToken", "seatId",         "emailAddress",
        "commonName", "certificate",         "pKCS12Password", "comment"};
    const char *colon = memchr(name, ':', n);
    if (colon) {
        n -= (size_t)(colon + 1 - name);
        name = colon + 1;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
            return 1;
    return 0;
}

int pkiws__redact_soap(const char *xml, size_t len, pkiws_buf *out)
{
    size_t i = 0;
    while (i < len) {
        const char *lt = memchr(xml + i, '<', len - i);
        if (!lt) {
            pkiws__buf_append(out, xml + i, len - i);
            break;
        }
        size_t at = (size_t)(lt - xml);
        pkiws__buf_append(out, xml + i, at - i);
        const char *gt = memchr(lt, '>', len - at);
        if (!gt) {
            pkiws__buf_append(out, lt, len - at);
            break;
        }
        size_t tag_end = (size_t)(gt - xml) + 1;
        pkiws__buf_append(out, lt, tag_end - at);
        i = tag_end;
        if (lt[1] == '/' || lt[1] == '?' || lt[1] == '!' || gt[-1] == '/')
            continue;
        size_t nlen = strcspn(lt + 1, " \t\r\n/>");
        if (!redacted_element(lt + 1, nlen))
            continue;
        const char *next = memchr(xml + i, '<', len - i);
        size_t text_end = next ? (size_t)(next - xml) : len;
        if (text_end > i)
            pkiws__buf_printf(out, "[redacted %zu bytes]", text_end - i);
        i = text_end;
    }
    return pkiws__buf_status(out);
}

void pkiws__log_soap(const pkiws__logger *lg, const char *domain, const char *txid,
                     const char *what, const char *xml, size_t len)
{
    if (!lg || !lg->cb || lg->level < PKIWS_LOG_TRACE)
        return;
    if (lg->sensitive) {
        pkiws__log(lg, PKIWS_LOG_TRACE, domain, txid, "%s:\n%.*s", what, (int)len, xml);
        return;
    }
    pkiws_buf b = PKIWS_BUF_INIT;
    if (pkiws__redact_soap(xml, len, &b) == PKIWS_OK)
        pkiws__log(lg, PKIWS_LOG_TRACE, domain, txid, "%s:\n%s", what, pkiws__buf_cstr(&b));
    pkiws__buf_dispose(&b);
}
