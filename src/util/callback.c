/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <stdio.h>

#include "util/callback.h"

static _Thread_local int depth;

void pkiws__callback_enter(pkiws__callback_frame *f)
{
    f->code = pkiws__err_code();
    f->remedy = pkiws__err_remedy();
    snprintf(f->native_domain, sizeof f->native_domain, "%s", pkiws__err_native_domain());
    f->native_code = pkiws__err_native_code();
    snprintf(f->msg, sizeof f->msg, "%s", f->code ? pkiws__err_message() : "");
    depth++;
}

void pkiws__callback_leave(const pkiws__callback_frame *f)
{
    depth--;
    if (!f->code) {
        pkiws__err_clear();
        return;
    }
    pkiws__fail_remedy(f->code, f->remedy, "%s", f->msg);
    if (f->native_domain[0])
        pkiws__err_native(f->native_domain, f->native_code);
}

void pkiws__hook_enter(void)
{
    depth++;
}

int pkiws__hook_leave(int rc)
{
    depth--;
    return rc;
}

int pkiws__in_callback(void)
{
    return depth > 0;
}
