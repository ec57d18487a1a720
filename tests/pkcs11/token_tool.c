/* SPDX-License-Identifier: MIT */
/*
 * The test token for shell tests (tests/cli/test_cli_pkcs11.sh), made by token.c:
 *   token_tool module              print the SoftHSM2 module's path; exit 77 without softhsm2
 *   token_tool make DIR KEY CERT   a token in DIR (SOFTHSM2_CONF=DIR/softhsm2.conf) holding KEY
 *                                  (label "ra", id 01, non-extractable) and CERT's first
 *                                  certificate; prints the token label and the user PIN
 */
#include <stdio.h>
#include <string.h>

#include "token.h"

int main(int argc, char **argv)
{
    const char *module = token_module();
    if (argc == 2 && !strcmp(argv[1], "module")) {
        if (!module)
            return 77;
        printf("%s\n", module);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "make")) {
        if (!module)
            return 77;
        if (token_make(argv[2], argv[3], argv[4]))
            return 1;
        printf("%s %s\n", TOKEN_LABEL, TOKEN_PIN);
        return 0;
    }
    fprintf(stderr, "usage: token_tool module | token_tool make DIR KEY_PEM CERT_PEM\n");
    return 2;
}
