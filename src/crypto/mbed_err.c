/* SPDX-License-Identifier: MIT */
/* Turning an mbedTLS error code into a recorded pkiws failure. */
#include "pkiws_internal.h"

#include "crypto/crypto_int.h"

int pkiws__mbed_fail(int code, int mbed_err, const char *what)
{
    char text[160];
    mbedtls_strerror(mbed_err, text, sizeof text);
    unsigned v = mbed_err < 0 ? (unsigned)-mbed_err : (unsigned)mbed_err;
    pkiws__fail(code, "%s: %s (%s0x%04X)", what ? what : "mbedTLS", text, mbed_err < 0 ? "-" : "",
                v);
    pkiws__err_native("mbedtls", mbed_err);
    return code;
}
