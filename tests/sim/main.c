/* SPDX-License-Identifier: MIT */
/* pkiws-sim entry point: command line, start-up, statistics and clean shutdown. */
#include "sim.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: pkiws-sim --state-dir DIR [options]\n"
    "A simulator of the DigiCert/Symantec PKI Manager web service (pki-ws) over mutual TLS.\n"
    "\n"
    "  --state-dir DIR          test PKI (made on first start, reused afterwards)\n"
    "  --listen ADDR:PORT       address to listen on (default 127.0.0.1:0, 0 = any free port)\n"
    "  --port-file FILE         write the port there once connections are accepted\n"
    "  --policy FILE            profile catalogue: a getPoliciesResponse document\n"
    "                           (default: the built-in catalogue, see README.md)\n"
    "  --fault NAME[:ARG][@N]   inject a fault (repeatable; @N: only the N-th request):\n"
    "                           delay:MS reset drop-after-issue truncate http500 http503\n"
    "                           soap-fault:TEXT malformed-xml wrong-namespace empty-token\n"
    "                           not-pkcs7 huge-response[:BYTES] slow-drip[:MS] pending:N\n"
    "  --log-requests DIR       write every request body to DIR/NNNN-<operation>.xml\n"
    "  --stats                  print counters on exit (SIGTERM/SIGINT)\n"
    "  --max-request-bytes N    request body limit (default 1048576)\n"
    "  --request-timeout-ms N   time allowed to receive one request (default 30000)\n"
    "  --idle-timeout-ms N      keep-alive idle limit (default 60000)\n"
    "  --max-connections N      concurrent connections (default 256)\n"
    "  --page-size N            searchCertificate page size (default 50)\n"
    "  --dual-admin             recovering any escrowed key needs two distinct adminIDs\n"
    "  --escrow-pending N       hold every escrow-profile Issue pending until its N-th poll\n"
    "  -q, --quiet              no per-request log lines on stderr\n"
    "  -h, --help               this text\n";

static int64_t parse_num(const char *opt, const char *s, int64_t min, int64_t max, int *bad)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        fprintf(stderr, "pkiws-sim: %s wants a number from %lld to %lld, got '%s'\n", opt,
                (long long)min, (long long)max, s);
        *bad = 1;
        return 0;
    }
    return v;
}

/* 0 ok, 1 help printed, 2 usage error. */
static int parse_args(int argc, char **argv, sim_options *o)
{
    o->listen = "127.0.0.1:0";
    o->max_request_bytes = 1048576;
    o->request_timeout_ms = 30000;
    o->idle_timeout_ms = 60000;
    o->max_connections = 256;
    o->page_size = 50;
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return 1;
        }
        if (!strcmp(a, "--stats")) {
            o->stats = 1;
            continue;
        }
        if (!strcmp(a, "--dual-admin")) {
            o->dual_admin = 1;
            continue;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "pkiws-sim: unknown option or missing value: '%s'\n%s", a, usage_text);
            return 2;
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--listen"))
            o->listen = v;
        else if (!strcmp(a, "--port-file"))
            o->port_file = v;
        else if (!strcmp(a, "--state-dir"))
            o->state_dir = v;
        else if (!strcmp(a, "--policy"))
            o->policy_file = v;
        else if (!strcmp(a, "--log-requests"))
            o->log_dir = v;
        else if (!strcmp(a, "--max-request-bytes"))
            o->max_request_bytes = (size_t)parse_num(a, v, 1024, 64 * 1048576LL, &bad);
        else if (!strcmp(a, "--request-timeout-ms"))
            o->request_timeout_ms = parse_num(a, v, 10, 3600000, &bad);
        else if (!strcmp(a, "--idle-timeout-ms"))
            o->idle_timeout_ms = parse_num(a, v, 10, 3600000, &bad);
        else if (!strcmp(a, "--max-connections"))
            o->max_connections = (int)parse_num(a, v, 1, 4096, &bad);
        else if (!strcmp(a, "--page-size"))
            o->page_size = (int)parse_num(a, v, 1, 100000, &bad);
        else if (!strcmp(a, "--escrow-pending"))
            o->escrow_pending = parse_num(a, v, 1, 1000000, &bad);
        else if (!strcmp(a, "--fault")) {
            if (o->nfaults >= SIM_MAX_FAULTS) {
                fprintf(stderr, "pkiws-sim: at most %d --fault options\n", SIM_MAX_FAULTS);
                return 2;
            }
            if (sim_fault_parse(v, &o->faults[o->nfaults]) != 0)
                return 2;
            o->nfaults++;
        } else {
            fprintf(stderr, "pkiws-sim: unknown option '%s'\n%s", a, usage_text);
            return 2;
        }
        if (bad)
            return 2;
    }
    if (!o->state_dir) {
        fprintf(stderr, "pkiws-sim: --state-dir DIR is required\n%s", usage_text);
        return 2;
    }
    return 0;
}

int sim_rng(void *srv, unsigned char *out, size_t n)
{
    return mbedtls_ctr_drbg_random(&((sim_server *)srv)->drbg, out, n);
}

void sim_log(const sim_server *srv, const char *fmt, ...)
{
    if (srv && srv->opt.quiet)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "pkiws-sim: %s\n", line);
}

int64_t sim_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sim_sleep_ms(sim_server *srv, long long ms)
{
    int64_t end = sim_now_ms() + ms;
    for (;;) {
        if (atomic_load(&srv->stop))
            return 1;
        int64_t left = end - sim_now_ms();
        if (left <= 0)
            return 0;
        if (left > 20)
            left = 20;
        struct timespec ts = {0, (long)left * 1000000L};
        nanosleep(&ts, NULL);
    }
}

const char *sim_op_name(int op)
{
    static const char *const names[SIM_OP_COUNT] = {"getPolicies",
                                                    "RequestSecurityToken",
                                                    "updateCertificateStatus",
                                                    "searchCertificate",
                                                    "getStatus",
                                                    "bulkUpdateCertificateStatus",
                                                    "keyRecovery",
                                                    "other"};
    return op >= 0 && op < SIM_OP_COUNT ? names[op] : "other";
}

static void print_stats(sim_server *srv)
{
    sim_stats *s = &srv->stats;
    printf("requests %lu\n", atomic_load(&s->requests));
    for (int op = 0; op < SIM_OP_COUNT; op++)
        printf("requests.%s %lu\n", sim_op_name(op), atomic_load(&s->by_op[op]));
    printf("issued %lu\n", atomic_load(&s->issued));
    printf("reissued %lu\n", atomic_load(&s->reissued));
    printf("pending %lu\n", atomic_load(&s->pending));
    printf("status_changes %lu\n", atomic_load(&s->status_changes));
    printf("soap_faults %lu\n", atomic_load(&s->faults_returned));
    printf("faults_injected %lu\n", atomic_load(&s->faults_injected));
    printf("http_errors %lu\n", atomic_load(&s->http_errors));
    printf("connections %lu\n", atomic_load(&s->connections));
    printf("tls_refused %lu\n", atomic_load(&s->tls_refused));
    fflush(stdout);
}

int main(int argc, char **argv)
{
    static sim_server srv; /* large; zero-initialised */
    int rc = parse_args(argc, argv, &srv.opt);
    if (rc) {
        for (size_t i = 0; i < srv.opt.nfaults; i++)
            sim_fault_free(&srv.opt.faults[i]);
        return rc == 1 ? 0 : 2;
    }
    /* Letters of any script in mail_firstname / mail_lastname: iswalpha needs UTF-8. */
    setlocale(LC_CTYPE, "C.UTF-8");
    signal(SIGPIPE, SIG_IGN);
    /* SIGINT/SIGTERM are taken by the accept loop through a signalfd: block them in every
     * thread (threads inherit the mask). */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    rc = 1;
    mbedtls_entropy_init(&srv.entropy);
    mbedtls_ctr_drbg_init(&srv.drbg);
    mbedtls_ssl_config_init(&srv.tls);
    mbedtls_ssl_cache_init(&srv.cache);
    sim_store_init(&srv.store);
    static const char pers[] = "pkiws-sim";
    if (mbedtls_ctr_drbg_seed(&srv.drbg, mbedtls_entropy_func, &srv.entropy,
                              (const unsigned char *)pers, sizeof pers - 1) != 0) {
        fprintf(stderr, "pkiws-sim: cannot seed the random generator\n");
        goto out;
    }
    if (srv.opt.log_dir && (mkdir(srv.opt.log_dir, 0755) != 0 && errno != EEXIST)) {
        fprintf(stderr, "pkiws-sim: --log-requests: cannot create %s: %s\n", srv.opt.log_dir,
                strerror(errno));
        goto out;
    }
    if (srv.opt.log_dir && access(srv.opt.log_dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "pkiws-sim: --log-requests: %s is not a writable directory: %s\n",
                srv.opt.log_dir, strerror(errno));
        goto out;
    }
    if (sim_catalogue_load(&srv.cat, srv.opt.policy_file) != 0)
        goto out;
    if (sim_pki_init(&srv, srv.opt.state_dir) != 0)
        goto out;
    if (sim_tls_setup(&srv) != 0)
        goto out;
    rc = sim_serve(&srv);
    if (srv.opt.stats)
        print_stats(&srv);
out:
    sim_store_free(&srv.store);
    sim_catalogue_free(&srv.cat);
    sim_pki_free(&srv.pki);
    mbedtls_ssl_cache_free(&srv.cache);
    mbedtls_ssl_config_free(&srv.tls);
    mbedtls_ctr_drbg_free(&srv.drbg);
    mbedtls_entropy_free(&srv.entropy);
    for (size_t i = 0; i < srv.opt.nfaults; i++)
        sim_fault_free(&srv.opt.faults[i]);
    return rc;
}
