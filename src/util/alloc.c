/* SPDX-License-Identifier: MIT */
#include "pkiws_internal.h"

#include <stdlib.h>

void *pkiws__malloc(size_t n)
{
    return malloc(n ? n : 1);
}

void *pkiws__calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *pkiws__realloc(void *p, size_t n)
{
    return realloc(p, n ? n : 1);
}

void pkiws__free(void *p)
{
    free(p);
}

void pkiws__zeroize(void *p, size_t n)
{
    if (p && n)
        explicit_bzero(p, n);
}

void pkiws__free_secret(void *p, size_t n)
{
    if (!p)
        return;
    if (n == 0)
        n = strlen(p) + 1;
    pkiws__zeroize(p, n);
    free(p);
}

char *pkiws__strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *d = pkiws__malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *pkiws__strdup(const char *s)
{
    return s ? pkiws__strndup(s, strlen(s)) : NULL;
}

void *pkiws__memdup(const void *p, size_t n)
{
    if (!p)
        return NULL;
    unsigned char *d = pkiws__malloc(n + 1);
    if (d) {
        memcpy(d, p, n);
        d[n] = 0;
    }
    return d;
}
