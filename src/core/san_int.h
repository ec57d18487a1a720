/* SPDX-License-Identifier: MIT */
/* Helpers shared by the files of the SAN and subject engine (names.c, othername.c, verify.c,
 * san.c); private to src/core. */
#ifndef PKIWS_CORE_SAN_INT_H
#define PKIWS_CORE_SAN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/san.h"

/* NULL when s is e-mail shaped (pkiws__is_email_shaped), else a static reason for messages,
 * e.g. "it has no '@'" or "its domain has a single label". */
const char *pkiws__san_email_why(const char *s);

/* As pkiws__name_chars_ok, also giving the 1-based character position of the offender.
 * Invalid UTF-8 is reported as U+FFFD at the position of the bad byte. */
int pkiws__san_name_chars_find(const char *s, uint32_t *bad, size_t *pos);

/* NULL, "" and white space only count as absent (product.md §5: empty means not set). */
int pkiws__san_present(const char *s);

/* The PKIWS_FIELD_* that fills template attribute i under the selection's mapping overrides,
 * or 0 when no field does (sent only if it has a fixed value). See verify.c. */
int pkiws__san_attr_field(const pkiws__template *t, const pkiws__selection *sel, size_t i);

/* 1 when field's mapping is overridden by sel (a non-empty attribute name). */
int pkiws__san_mapped(const pkiws__selection *sel, int field);

/* 1 when template attribute a is a subject CN that takes the e-mail address: its
 * sourceAttributeName is an e-mail attribute by the alias table (mail_email, emailAddress,
 * mail, san_email, rfc822Name, san_upn, upn, userPrincipalName). Its value must then be e-mail
 * shaped. See verify.c. */
int pkiws__san_takes_email(const pkiws__tpl_attr *a);

/* "subject CN", "subject E", "SAN type EMAIL", ... for a PKIWS_FIELD_*. */
const char *pkiws__san_field_label(int field);

/* Append a verdict (name copied, detail formatted). PKIWS_E_NOMEM on failure. */
int pkiws__san_add_verdict(pkiws__resolution *res, const char *name, int verdict, const char *fmt,
                           ...) __attribute__((format(printf, 4, 5)));
/* Replace the verdict and detail of res->verdicts[i]. */
int pkiws__san_set_verdict(pkiws__resolution *res, size_t i, int verdict, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
