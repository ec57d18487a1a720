/* SPDX-License-Identifier: MIT */
/* The group set-up of the SoftHSM2 tests: a simulator, and a token that holds one of its RA
 * keys. */
#ifndef PKIWS_TEST_PKCS11_TOKEN_GROUP_H
#define PKIWS_TEST_PKCS11_TOKEN_GROUP_H

#include "sim_harness.h"

/* Start @p s, then make the token in its dir (token_make) from the RA key @p key_name and the
 * certificate @p cert_name of its state dir ("ra.key", "ra.pem"). 0 on success. */
int token_group_setup(sim *s, const char *key_name, const char *cert_name);

#endif
