/* SPDX-License-Identifier: MIT */
/* What the RA signer tests share: a session on the simulator without an RA credential, and
 * one issuance of profile B.2 (CN + UPN). */
#ifndef PKIWS_TEST_PKCS11_ISSUE_H
#define PKIWS_TEST_PKCS11_ISSUE_H

#include "sim_harness.h"

/* Base URL and trust of s, transport (0: the default); asserts on failure. */
pkiws_session *issue_session(const sim *s, int transport);
/* Issue for upn; *out (may be NULL: freed here) gets the result. Returns pkiws_issue's code. */
int issue_upn(pkiws_session *s, const char *upn, pkiws_result **out);
/* How many lines of the simulator's log contain text (e.g. "CN=pkiws-sim RA EC (EC key)": the
 * connections that authenticated with the EC RA key). */
int issue_sim_log_count(const sim *s, const char *text);

#endif
