/* SPDX-License-Identifier: MIT */
/* Memory: the only place that calls malloc/free. Secrets are wiped before they are freed. */
#ifndef PKIWS_UTIL_ALLOC_H
#define PKIWS_UTIL_ALLOC_H

#include <stddef.h>

void *pkiws__malloc(size_t n);
void *pkiws__calloc(size_t count, size_t size); /* overflow-checked, zeroed */
void *pkiws__realloc(void *p, size_t n);
void pkiws__free(void *p);
/* Wipe memory in a way the compiler cannot drop (explicit_bzero). */
void pkiws__zeroize(void *p, size_t n);
/* Wipe n bytes (strlen+1 when n is 0 and p a string), then free. NULL is fine. */
void pkiws__free_secret(void *p, size_t n);
/* Copy of a string / of n bytes (NUL-terminated); NULL in, NULL out. */
char *pkiws__strdup(const char *s);
char *pkiws__strndup(const char *s, size_t n);
void *pkiws__memdup(const void *p, size_t n);

#endif
