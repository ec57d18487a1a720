/* SPDX-License-Identifier: MIT */
/* The group set-up of the SoftHSM2 tests (token_group.h). */
#include "token_group.h"

#include <stdio.h>

#include "token.h"

int token_group_setup(sim *s, const char *key_name, const char *cert_name)
{
    sim_start(s, NULL);
    char key[400], cert[400];
    snprintf(key, sizeof key, "%s/%s", s->state, key_name);
    snprintf(cert, sizeof cert, "%s/%s", s->state, cert_name);
    return token_make(s->dir, key, cert);
}
