/* SPDX-License-Identifier: MIT */
/* Text made by the tool itself: PEM armour for chain files, random passwords. */
#include "cli.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *pkiws__cli_pem(const char *label, const uint8_t *der, size_t len)
{
    size_t b64 = (len + 2) / 3 * 4;
    size_t cap = 2 * (strlen(label) + 32) + b64 + b64 / 64 + 2;
    char *out = pkiws__cli_malloc(cap);
    size_t n = (size_t)snprintf(out, cap, "-----BEGIN %s-----\n", label);
    size_t col = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)der[i + 1] << 8;
        if (i + 2 < len)
            v |= der[i + 2];
        out[n++] = B64[(v >> 18) & 63];
        out[n++] = B64[(v >> 12) & 63];
        out[n++] = i + 1 < len ? B64[(v >> 6) & 63] : '=';
        out[n++] = i + 2 < len ? B64[v & 63] : '=';
        col += 4;
        if (col == 64) {
            out[n++] = '\n';
            col = 0;
        }
    }
    if (col != 0)
        out[n++] = '\n';
    snprintf(out + n, cap - n, "-----END %s-----\n", label);
    return out;
}

char *pkiws__cli_random_password(size_t n)
{
    /* 56 characters without look-alikes; rejection sampling keeps every one equally likely */
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    const unsigned size = sizeof(alphabet) - 1;
    const unsigned limit = 256 - 256 % size; /* bytes >= limit are drawn again */
    char *out = pkiws__cli_malloc(n + 1);
    uint8_t rnd[64];
    size_t have = 0, used = 0;
    for (size_t i = 0; i < n;) {
        if (used == have) {
            ssize_t got = getrandom(rnd, sizeof(rnd), 0);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                pkiws__cli_wipe(rnd, sizeof(rnd));
                pkiws__cli_free_secret(out, n + 1);
                return NULL;
            }
            have = (size_t)got;
            used = 0;
        }
        uint8_t b = rnd[used++];
        if (b < limit)
            out[i++] = alphabet[b % size];
    }
    out[n] = '\0';
    pkiws__cli_wipe(rnd, sizeof(rnd));
    return out;
}
