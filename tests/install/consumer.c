/* SPDX-License-Identifier: MIT */
/* A third-party program: built only from installed headers and pkg-config flags of pkiws. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <pkiws/backend.h>
#include <pkiws/pkiws.h>

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "consumer: FAILED: %s\n", what);
        failures++;
    }
}

/* usage: consumer EXPECTED_VERSION; prints where libpkiws was loaded from and its features */
int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s EXPECTED_VERSION\n", argv[0]);
        return 2;
    }
    /* the library we run against is the one whose headers we compiled with */
    check(pkiws_version() == PKIWS_VERSION_NUM, "pkiws_version() == PKIWS_VERSION_NUM");
    check(strcmp(pkiws_version_string(), PKIWS_VERSION_STRING) == 0,
          "pkiws_version_string() == PKIWS_VERSION_STRING");
    check(strcmp(pkiws_version_string(), argv[1]) == 0, "version is the expected one");
    check((pkiws_features() & PKIWS_FEATURE_THREADSAFE) != 0, "PKIWS_FEATURE_THREADSAFE set");
    check(strcmp(pkiws_error_name(PKIWS_E_TIMEOUT), "PKIWS_E_TIMEOUT") == 0,
          "pkiws_error_name(PKIWS_E_TIMEOUT)");

    /* a handle round trip, and an error recorded for the calling thread */
    pkiws_session *s = NULL;
    check(pkiws_session_new(&s) == PKIWS_OK && s != NULL, "pkiws_session_new");
    if (s) {
        int rc = pkiws_session_set_int(s, 9999, 1); /* an integer id no release defines */
        check(rc == PKIWS_E_UNKNOWN_OPTION, "unknown session option is PKIWS_E_UNKNOWN_OPTION");
        check(pkiws_last_error_code() == rc, "pkiws_last_error_code() after a failure");
        check(strstr(pkiws_last_error_message(), "9999") != NULL,
              "pkiws_last_error_message() names the option");
        pkiws_session_free(s);
    }

    /* the plug-in header: the built-in TLS table is reachable and versioned */
    const pkiws_tls_methods *tls = pkiws_tls_builtin_methods();
    check(tls != NULL && tls->abi == PKIWS_TLS_ABI_1 && tls->size >= sizeof(size_t) &&
              tls->name != NULL && tls->connect != NULL,
          "pkiws_tls_builtin_methods() is a version-1 table");

    /* a string of the library's own read-only data tells which file provides it (the scripts
     * check the path; a fully static executable has no dynamic loader to ask) */
    Dl_info info;
    memset(&info, 0, sizeof info);
    if (dladdr(pkiws_version_string(), &info) != 0 && info.dli_fname != NULL)
        printf("library: %s\n", info.dli_fname);
    else
        printf("library: (static executable)\n");
    printf("features: 0x%llx\n", (unsigned long long)pkiws_features());
    if (failures == 0)
        printf("consumer: ok (pkiws %s)\n", pkiws_version_string());
    return failures == 0 ? 0 : 1;
}
