/* SPDX-License-Identifier: MIT */
#include "sim_harness.h"

#ifdef HAVE_TEST_PLUGINS
#include "plugins.h"
#include "../tmpdir.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Every simulator this process started, so that none outlives a failing test. */
static pid_t started[32];
static int nstarted;

static void kill_started(void)
{
    for (int i = 0; i < nstarted; i++)
        if (started[i] > 0 && kill(started[i], SIGTERM) == 0)
            waitpid(started[i], NULL, 0);
}

static void remember(pid_t pid)
{
    if (nstarted == 0)
        atexit(kill_started);
    for (int i = 0; i < nstarted; i++)
        if (started[i] <= 0) {
            started[i] = pid;
            return;
        }
    if (nstarted < 32)
        started[nstarted++] = pid;
}

static void forget(pid_t pid)
{
    for (int i = 0; i < nstarted; i++)
        if (started[i] == pid)
            started[i] = 0;
}

static void die(const char *what)
{
    fprintf(stderr, "sim harness: %s\n", what);
    exit(99);
}

static void read_line(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    out[0] = 0;
    if (!f)
        return;
    if (fgets(out, (int)cap, f))
        out[strcspn(out, "\r\n")] = 0;
    fclose(f);
}

static void start(sim *s, const sim *pki_of, const char *const *extra)
{
    memset(s, 0, sizeof *s);
    const char *exe = getenv("PKIWS_SIM");
    if (!exe)
        die("PKIWS_SIM is not set");
    if (test_mkdtemp(s->dir, sizeof s->dir, "pkiws-it") != 0)
        die("mkdtemp failed");
    snprintf(s->reqdir, sizeof s->reqdir, "%s/requests", s->dir);
    mkdir(s->reqdir, 0700);
    char portfile[300];
    snprintf(portfile, sizeof portfile, "%s/port", s->dir);
    if (pki_of) {
        snprintf(s->state, sizeof s->state, "%s", pki_of->state);
    } else {
        snprintf(s->state, sizeof s->state, "%s/state", s->dir);
        s->own_state = 1;
    }
    const char *state = s->state;
    snprintf(s->log, sizeof s->log, "%s/sim.log", s->dir);
    const char *argv[64];
    int n = 0;
    argv[n++] = exe;
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--port-file";
    argv[n++] = portfile;
    argv[n++] = "--state-dir";
    argv[n++] = state;
    argv[n++] = "--log-requests";
    argv[n++] = s->reqdir;
    argv[n++] = "--stats";
    for (int i = 0; extra && extra[i] && n < 62; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        die("fork failed");
    if (pid == 0) {
        /* the simulator ends with this test process, even when the test is killed */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    s->pid = pid;
    remember(pid);
    for (int i = 0; i < 300; i++) { /* up to 30 s: the first start makes the test PKI */
        char line[32];
        read_line(portfile, line, sizeof line);
        if (line[0]) {
            s->port = atoi(line);
            break;
        }
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            forget(pid);
            fprintf(stderr, "sim harness: pkiws-sim exited early; log %s\n", s->log);
            exit(99);
        }
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (!s->port)
        die("pkiws-sim did not write its port");
    snprintf(s->url, sizeof s->url, "https://localhost:%d/pki-ws", s->port);
    char pwfile[400];
    snprintf(pwfile, sizeof pwfile, "%s/ra.p12.password", state);
    read_line(pwfile, s->ra_password, sizeof s->ra_password);
}

void sim_start(sim *s, const char *const *extra)
{
    start(s, NULL, extra);
}

void sim_start_shared(sim *s, const sim *pki_of, const char *const *extra)
{
    start(s, pki_of, extra);
}

int sim_stop(sim *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    int st;
    waitpid(s->pid, &st, 0);
    forget(s->pid);
    s->pid = 0;
    FILE *f = fopen(s->log, "r");
    if (!f)
        return -1;
    char line[512];
    int issued = -1;
    while (fgets(line, sizeof line, f)) {
        int v;
        if (sscanf(line, "issued %d", &v) == 1)
            issued = v;
    }
    fclose(f);
    return issued;
}

void sim_cleanup(sim *s)
{
    if (s->pid > 0)
        sim_stop(s);
    if (getenv("PKIWS_KEEP_SIM_DIR"))
        return;
    if (test_rmtree(s->dir, "pkiws-it"))
        fprintf(stderr, "sim harness: could not remove %s\n", s->dir);
}

pkiws_session *sim_session(const sim *s)
{
    pkiws_session *ses = NULL;
    char path[400];
    if (pkiws_session_new(&ses) != PKIWS_OK)
        die("pkiws_session_new");
    if (pkiws_session_set_str(ses, PKIWS_SESSION_OPT_BASE_URL, s->url) != PKIWS_OK)
        die(pkiws_last_error_message());
    snprintf(path, sizeof path, "%s/trust.pem", s->state);
    if (pkiws_session_set_str(ses, PKIWS_SESSION_OPT_TRUST_FILE, path) != PKIWS_OK)
        die(pkiws_last_error_message());
    snprintf(path, sizeof path, "%s/ra.p12", s->state);
    if (pkiws_session_set_ra_pkcs12_file(ses, path, s->ra_password) != PKIWS_OK)
        die(pkiws_last_error_message());
    /* PKIWS_TEST_TRANSPORT: curl (default), native (mbedTLS), plugin (the native HTTP client
     * over the OpenSSL test TLS plug-in, registered through the public backend ABI). */
    const char *tr = getenv("PKIWS_TEST_TRANSPORT");
    if (tr && (!strcmp(tr, "native") || !strcmp(tr, "plugin")) &&
        pkiws_session_set_int(ses, PKIWS_SESSION_OPT_TRANSPORT, PKIWS_TRANSPORT_NATIVE) != PKIWS_OK)
        die(pkiws_last_error_message());
    if (tr && !strcmp(tr, "plugin")) {
#ifdef HAVE_TEST_PLUGINS
        static ossl_plugin counters;
        if (pkiws_session_set_tls_backend(ses, ossl_plugin_methods(), &counters, NULL) != PKIWS_OK)
            die(pkiws_last_error_message());
#else
        die("PKIWS_TEST_TRANSPORT=plugin but the test plug-ins are not built");
#endif
    }
    return ses;
}

int sim_validate_requests(const sim *s)
{
    const char *validate = getenv("PKIWS_VALIDATE");
    if (!validate)
        die("PKIWS_VALIDATE is not set");
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "n=$(ls '%s' | wc -l); [ \"$n\" -gt 0 ] || { echo 'no requests logged'; exit 1; }; "
             "'%s' --direction request '%s'/*.xml > '%s/validate.out' 2>&1; rc=$?; "
             "grep -v '^OK' '%s/validate.out'; exit $rc",
             s->reqdir, validate, s->reqdir, s->dir, s->dir);
    return system(cmd);
}

int sim_finish(sim *s)
{
    int bad = sim_validate_requests(s);
    int issued = sim_stop(s);
    fprintf(stderr, "simulator issued %d certificates; request validation %s\n", issued,
            bad ? "FAILED" : "ok");
    sim_cleanup(s);
    return bad;
}

/* What sim_group_setup and sim_group_teardown work on (sim_group_init). */
static struct {
    sim *sim;
    pkiws_session **session;
    const char *const *extra;
} group;

void sim_group_init(sim *s, pkiws_session **session, const char *const *extra)
{
    group.sim = s;
    group.session = session;
    group.extra = extra;
}

int sim_group_setup(void **state)
{
    (void)state;
    if (!group.sim)
        die("sim_group_setup before sim_group_init");
    sim_start(group.sim, group.extra);
    if (group.session)
        *group.session = sim_session(group.sim);
    return 0;
}

int sim_group_teardown(void **state)
{
    (void)state;
    if (group.session) {
        pkiws_session_free(*group.session);
        *group.session = NULL;
    }
    return sim_finish(group.sim) ? -1 : 0;
}
