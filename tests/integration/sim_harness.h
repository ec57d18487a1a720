/* SPDX-License-Identifier: MIT */
/* Start and stop a private pkiws-sim for one test program: 127.0.0.1, port 0, --port-file,
 * a fresh state dir and request log; SIGTERM at the end (with --stats captured). */
#ifndef PKIWS_TEST_SIM_HARNESS_H
#define PKIWS_TEST_SIM_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

#include <pkiws/pkiws.h>

#include "../tmpdir.h" /* test_mkdtemp, test_rmtree */

typedef struct sim {
    pid_t pid;
    int port;
    char dir[256];    /* state dir */
    char reqdir[300]; /* --log-requests dir */
    char url[128];    /* https://localhost:PORT/pki-ws */
    char ra_password[128];
    char log[320];   /* stderr/stdout of the simulator */
    char state[320]; /* its --state-dir */
    int own_state;   /* the state dir is under dir (removed with it) */
} sim;

/* argv: extra simulator arguments (NULL-terminated, may be NULL). Exits the test on failure. */
void sim_start(sim *s, const char *const *extra);
/* As sim_start, reusing the test PKI of an earlier simulator (its state dir). */
void sim_start_shared(sim *s, const sim *pki_of, const char *const *extra);
/* SIGTERM, wait; returns the number of certificates issued per --stats, or -1. */
int sim_stop(sim *s);
/* Remove the state dir. */
void sim_cleanup(sim *s);
/* A session configured for the simulator (base URL, trust, RA PKCS#12). */
pkiws_session *sim_session(const sim *s);
/* Run pkiws-validate on every logged request; 0 when all are valid. */
int sim_validate_requests(const sim *s);
/* The end of a test group: validate the requests, stop (reporting the certificates issued and
 * the validation on stderr) and remove the state dir; 0 when every request was valid. */
int sim_finish(sim *s);

/* The usual cmocka group of a test program: one simulator, started with @p extra (may be NULL;
 * must outlive the group), and when @p session is not NULL a session on it (sim_session). Name
 * them in main() before cmocka_run_group_tests(tests, sim_group_setup, sim_group_teardown); a
 * program with more to set up calls these two from its own group functions. */
void sim_group_init(sim *s, pkiws_session **session, const char *const *extra);
/* sim_start, then the session; 0. */
int sim_group_setup(void **state);
/* Free the session, then sim_finish; 0 when every request was valid, else -1. */
int sim_group_teardown(void **state);

#endif
