/* SPDX-License-Identifier: MIT */
/*
 * Host callbacks (log, HTTP/TLS plug-ins): while one runs on a thread, calls back into pkiws on
 * a handle are refused with PKIWS_E_RECURSIVE_API_CALL (as curl's CURLE_RECURSIVE_API_CALL),
 * and the thread's last error is kept as it was before the callback.
 */
#ifndef PKIWS_UTIL_CALLBACK_H
#define PKIWS_UTIL_CALLBACK_H

/* What a callback must not disturb: the thread's last error. */
typedef struct pkiws__callback_frame {
    int code;
    const char *remedy;
    char native_domain[16];
    long long native_code;
    char msg[1024];
} pkiws__callback_frame;

void pkiws__callback_enter(pkiws__callback_frame *f);
void pkiws__callback_leave(const pkiws__callback_frame *f);
/* A plug-in hook (HTTP/TLS backend): only marks the thread, as the hook reports its failure
 * through the thread's last error (pkiws_backend_fail). */
void pkiws__hook_enter(void);
int pkiws__hook_leave(int rc); /* returns rc */
/* rc of a hook call made with the thread marked: PKIWS__HOOK(m.perform(...)) */
#define PKIWS__HOOK(call) (pkiws__hook_enter(), pkiws__hook_leave(call))
/* 1 while a host callback runs on this thread. */
int pkiws__in_callback(void);

#endif
