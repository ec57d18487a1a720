/* SPDX-License-Identifier: MIT */
/* Example: issue a PFX with libpkiws, from a CA address, trust anchors and an RA credential. */
/*
 * A complete program that uses only the public API (<pkiws/pkiws.h>). It is built and run
 * against the simulator by `meson test --suite docs` (tests/docs/), so it cannot rot.
 *
 * Build it against an installed pkiws:
 *
 *     cc -std=c11 -o issue docs/examples/issue.c $(pkg-config --cflags --libs pkiws)
 *
 * or against a build tree (see docs/quickstart.md):
 *
 *     cc -std=c11 -Iinclude -Ibuild/include -o issue docs/examples/issue.c \
 *        -Lbuild/src -lpkiws -Wl,-rpath,"$PWD/build/src"
 *
 * Run it against pkiws-sim (state directory sim/, port in sim.port):
 *
 *     ./issue --url https://localhost:$(cat sim.port)/pki-ws --trust sim/trust.pem \
 *             --ra-p12 sim/ra.p12 --ra-password-file sim/ra.p12.password \
 *             --profile 2.16.840.1.113733.1.16.1.2.3.1.1.4 --subject-format cn-email \
 *             --san email --cn "Alice Example" --email alice@contoso.com --out alice.pfx
 *
 * (--sim-state sim is short for those --trust, --ra-p12 and --ra-password-file.)
 *
 * or against DigiCert: --ca pki-ws.symauth.com --trust digicert-roots.pem (or no --trust for
 * the system's bundle) and your own RA credential and profile OID.
 *
 * Passwords are read from files, never from the command line (where `ps` would show them).
 * Exit status: 0 issued, 1 failure, 2 usage error, 3 still pending after --wait seconds.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pkiws/pkiws.h>

enum { EXIT_USAGE = 2, EXIT_PENDING = 3 };

/* The command line, as given. */
struct options {
    const char *url, *ca, *trust, *sim_state;
    const char *ra_p12, *ra_password_file, *ra_cert, *ra_key;
    const char *profile, *subject_format, *san;
    const char *cn, *email, *upn, *othername, *seat, *given_name, *family_name;
    const char *pfx_pass_file, *out;
    int modern, verbose;
    long wait_seconds;
    char sim_paths[3][4096]; /* --sim-state DIR: DIR/trust.pem, DIR/ra.p12, DIR/ra.p12.password */
};

static void usage(FILE *f)
{
    fputs("Usage: issue (--url URL | --ca FQDN[:PORT]) [--trust FILE] [--sim-state DIR]\n"
          "             (--ra-p12 FILE --ra-password-file FILE | --ra-cert FILE --ra-key FILE)\n"
          "             --profile OID [--subject-format cn|cn-email|cn-as-email]\n"
          "             [--san email,upn,othername] [--cn NAME] [--email ADDRESS] [--upn UPN]\n"
          "             [--othername OID=HEX] [--seat ID] [--given-name NAME]\n"
          "             [--family-name NAME] [--pfx-pass-file FILE] [--modern]\n"
          "             [--wait SECONDS] [-v] --out FILE.pfx\n",
          f);
}

/* Match "--name VALUE"; advances *i past the value. */
static int opt_value(int argc, char **argv, int *i, const char *name, const char **out)
{
    if (strcmp(argv[*i], name) != 0)
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "issue: %s needs a value\n", name);
        exit(EXIT_USAGE);
    }
    *out = argv[++*i];
    return 1;
}

static void parse_args(int argc, char **argv, struct options *o)
{
    const char *wait = "300";
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        if (opt_value(argc, argv, &i, "--url", &o->url) ||
            opt_value(argc, argv, &i, "--ca", &o->ca) ||
            opt_value(argc, argv, &i, "--trust", &o->trust) ||
            opt_value(argc, argv, &i, "--sim-state", &o->sim_state) ||
            opt_value(argc, argv, &i, "--ra-p12", &o->ra_p12) ||
            opt_value(argc, argv, &i, "--ra-password-file", &o->ra_password_file) ||
            opt_value(argc, argv, &i, "--ra-cert", &o->ra_cert) ||
            opt_value(argc, argv, &i, "--ra-key", &o->ra_key) ||
            opt_value(argc, argv, &i, "--profile", &o->profile) ||
            opt_value(argc, argv, &i, "--subject-format", &o->subject_format) ||
            opt_value(argc, argv, &i, "--san", &o->san) ||
            opt_value(argc, argv, &i, "--cn", &o->cn) ||
            opt_value(argc, argv, &i, "--email", &o->email) ||
            opt_value(argc, argv, &i, "--upn", &o->upn) ||
            opt_value(argc, argv, &i, "--othername", &o->othername) ||
            opt_value(argc, argv, &i, "--seat", &o->seat) ||
            opt_value(argc, argv, &i, "--given-name", &o->given_name) ||
            opt_value(argc, argv, &i, "--family-name", &o->family_name) ||
            opt_value(argc, argv, &i, "--pfx-pass-file", &o->pfx_pass_file) ||
            opt_value(argc, argv, &i, "--wait", &wait) ||
            opt_value(argc, argv, &i, "--out", &o->out))
            continue;
        if (strcmp(argv[i], "--modern") == 0) {
            o->modern = 1;
        } else if (strcmp(argv[i], "-v") == 0) {
            o->verbose++;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            exit(0);
        } else {
            fprintf(stderr, "issue: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            exit(EXIT_USAGE);
        }
    }
    if (o->sim_state) {
        /* the file names pkiws-sim uses in its state directory */
        static const char *const names[3] = {"trust.pem", "ra.p12", "ra.p12.password"};
        const char **dest[3] = {&o->trust, &o->ra_p12, &o->ra_password_file};
        for (int k = 0; k < 3; k++) {
            snprintf(o->sim_paths[k], sizeof o->sim_paths[k], "%s/%s", o->sim_state, names[k]);
            if (!*dest[k])
                *dest[k] = o->sim_paths[k];
        }
    }
    char *end = NULL;
    o->wait_seconds = strtol(wait, &end, 10);
    const char *missing = NULL;
    if (!o->url && !o->ca)
        missing = "--url or --ca";
    else if (!o->ra_p12 && !o->ra_cert)
        missing = "--ra-p12 or --ra-cert";
    else if (o->ra_p12 && !o->ra_password_file)
        missing = "--ra-password-file";
    else if (o->ra_cert && !o->ra_key)
        missing = "--ra-key";
    else if (!o->profile)
        missing = "--profile";
    else if (!o->out)
        missing = "--out";
    else if (*end || end == wait || o->wait_seconds < 0)
        missing = "--wait SECONDS (0 or more)";
    if (missing) {
        fprintf(stderr, "issue: missing or bad %s\n", missing);
        usage(stderr);
        exit(EXIT_USAGE);
    }
}

/* Wipe memory that held a secret (a plain memset may be optimised away). */
static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

/* Read a password file (first line, no newline) into buf; 0 on success. */
static int read_secret(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "issue: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

/* The library's log records, on stderr (identities are redacted by the library). */
static void log_cb(int level, const char *domain, const char *txid, const char *msg, void *ud)
{
    (void)ud;
    static const char *const names[] = {"none", "error", "warn", "info", "debug", "trace"};
    fprintf(stderr, "[%s] %s %s%s%s\n", names[level >= 0 && level <= 5 ? level : 0], domain, txid,
            *txid ? ": " : "", msg);
}

/* The thread's last error, for calls that do not return a result. */
static int fail_last(const char *what)
{
    int code = pkiws_last_error_code();
    fprintf(stderr, "issue: %s: %s\n  %s\n", what, pkiws_error_name(code),
            pkiws_last_error_message());
    if (*pkiws_last_error_remedy())
        fprintf(stderr, "  remedy: %s\n", pkiws_last_error_remedy());
    return 1;
}

/* A failed result: error, message, remedy, and every check that did not pass. */
static int fail_result(const char *what, const pkiws_result *res)
{
    int code = pkiws_result_error(res);
    fprintf(stderr, "issue: %s: %s%s\n  %s\n", what, pkiws_error_name(code),
            pkiws_result_retryable(res) ? " (retryable)" : "", pkiws_result_message(res));
    if (pkiws_result_remedy(res))
        fprintf(stderr, "  remedy: %s\n", pkiws_result_remedy(res));
    for (size_t i = 0; i < pkiws_result_check_count(res); i++) {
        const char *name, *detail;
        int verdict;
        if (pkiws_result_check(res, i, &name, &verdict, &detail, NULL) == PKIWS_OK &&
            verdict != PKIWS_VERDICT_OK)
            fprintf(stderr, "  %s: %s: %s\n", name, pkiws_verdict_name(verdict),
                    detail ? detail : "");
    }
    return 1;
}

/* Subject and SAN trace: every value used and where it came from. */
static void print_trace(const pkiws_result *res)
{
    const char *subject = pkiws_result_str(res, PKIWS_RESULT_SUBJECT);
    printf("subject   %s\n", subject ? subject : "");
    for (size_t i = 0; i < pkiws_result_trace_count(res); i++) {
        int field, source;
        const char *value;
        if (pkiws_result_trace(res, i, &field, &value, &source) == PKIWS_OK)
            printf("  %-14s %-34s from %s\n", pkiws_field_name(field), value ? value : "",
                   pkiws_source_name(source));
    }
}

static int session_setup(pkiws_session *s, const struct options *o)
{
    if (o->verbose) {
        pkiws_session_set_log_cb(s, log_cb, NULL);
        pkiws_session_set_int(s, PKIWS_SESSION_OPT_LOG_LEVEL,
                              o->verbose > 2 ? PKIWS_LOG_TRACE : PKIWS_LOG_INFO + o->verbose - 1);
    }
    if (o->url && pkiws_session_set_str(s, PKIWS_SESSION_OPT_BASE_URL, o->url) != PKIWS_OK)
        return fail_last("--url");
    if (o->ca && pkiws_session_set_str(s, PKIWS_SESSION_OPT_CA, o->ca) != PKIWS_OK)
        return fail_last("--ca");
    if (o->trust && pkiws_session_set_str(s, PKIWS_SESSION_OPT_TRUST_FILE, o->trust) != PKIWS_OK)
        return fail_last("--trust");
    int rc;
    if (o->ra_p12) {
        char pass[1024];
        if (read_secret(o->ra_password_file, pass, sizeof pass) != 0)
            return 1;
        rc = pkiws_session_set_ra_pkcs12_file(s, o->ra_p12, pass);
        wipe(pass, sizeof pass);
    } else {
        rc = pkiws_session_set_ra_pem_files(s, o->ra_cert, o->ra_key, NULL);
    }
    if (rc != PKIWS_OK)
        return fail_last("RA credential");
    const char *thumb = NULL;
    if (pkiws_session_ra_thumbprint(s, &thumb) == PKIWS_OK)
        printf("RA        %s\n", thumb);
    return 0;
}

static int profile_setup(pkiws_profile *p, const struct options *o)
{
    int format = PKIWS_SUBJECT_CN;
    if (o->subject_format && strcmp(o->subject_format, "cn-email") == 0)
        format = PKIWS_SUBJECT_CN_EMAIL;
    else if (o->subject_format && strcmp(o->subject_format, "cn-as-email") == 0)
        format = PKIWS_SUBJECT_CN_AS_EMAIL;
    else if (o->subject_format && strcmp(o->subject_format, "cn") != 0) {
        fprintf(stderr, "issue: --subject-format '%s' is not cn, cn-email or cn-as-email\n",
                o->subject_format);
        return EXIT_USAGE;
    }
    unsigned sans = 0;
    for (const char *t = o->san ? o->san : ""; *t;) {
        size_t n = strcspn(t, ",");
        if (n == 5 && strncmp(t, "email", n) == 0)
            sans |= PKIWS_SAN_EMAIL;
        else if (n == 3 && strncmp(t, "upn", n) == 0)
            sans |= PKIWS_SAN_UPN;
        else if (n == 9 && strncmp(t, "othername", n) == 0)
            sans |= PKIWS_SAN_OTHERNAME;
        else if (n) {
            fprintf(stderr, "issue: --san: '%.*s' is not email, upn or othername\n", (int)n, t);
            return EXIT_USAGE;
        }
        t += n + (t[n] == ',');
    }
    if (pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SUBJECT_FORMAT, format) != PKIWS_OK ||
        pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_SAN_TYPES, sans) != PKIWS_OK ||
        pkiws_profile_set_int(p, PKIWS_PROFILE_OPT_PFX_PRESET,
                              o->modern ? PKIWS_PFX_MODERN : PKIWS_PFX_LEGACY) != PKIWS_OK)
        return fail_last("profile");
    /* Optional: pkiws_issue() fetches the template itself; fetching first tells a wrong OID
     * (PKIWS_E_PROFILE_NOT_FOUND) or a TLS problem apart from a problem with one identity. */
    if (pkiws_profile_fetch_policy(p) != PKIWS_OK)
        return fail_last("policy of the profile");
    return 0;
}

static int request_setup(pkiws_request *r, const struct options *o)
{
    const struct {
        int opt;
        const char *value, *name;
    } fields[] = {
        {PKIWS_REQUEST_OPT_CN, o->cn, "--cn"},
        {PKIWS_REQUEST_OPT_EMAIL, o->email, "--email"},
        {PKIWS_REQUEST_OPT_UPN, o->upn, "--upn"},
        {PKIWS_REQUEST_OPT_SEAT_ID, o->seat, "--seat"},
        {PKIWS_REQUEST_OPT_GIVEN_NAME, o->given_name, "--given-name"},
        {PKIWS_REQUEST_OPT_FAMILY_NAME, o->family_name, "--family-name"},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i].value && pkiws_request_set_str(r, fields[i].opt, fields[i].value) != 0)
            return fail_last(fields[i].name);
    if (o->othername) {
        /* OID=HEX: the DER value as hex, e.g. 1.3.6.1.4.1.311.25.1=04:10:b8:ba:... */
        char oid[128];
        const char *eq = strchr(o->othername, '=');
        size_t n = eq ? (size_t)(eq - o->othername) : 0;
        if (!eq || n == 0 || n >= sizeof oid) {
            fprintf(stderr, "issue: --othername '%s' is not OID=HEX\n", o->othername);
            return EXIT_USAGE;
        }
        memcpy(oid, o->othername, n);
        oid[n] = '\0';
        if (pkiws_request_set_othername(r, oid, eq + 1) != PKIWS_OK)
            return fail_last("--othername");
    }
    if (o->pfx_pass_file) {
        char pass[1024];
        if (read_secret(o->pfx_pass_file, pass, sizeof pass) != 0)
            return 1;
        int rc = pkiws_request_set_str(r, PKIWS_REQUEST_OPT_PFX_PASSWORD, pass);
        wipe(pass, sizeof pass);
        if (rc != PKIWS_OK)
            return fail_last("PFX password");
    }
    return 0;
}

/* While the CA holds the request for approval: ask again (QueryTokenStatus) with the pending
 * reference and the key the result kept, with growing pauses, up to wait_seconds. Another
 * process could do the same later: keep the reference and the key (pkiws_key_encrypt() makes
 * it safe to store), then pkiws_request_set_key() + PKIWS_REQUEST_OPT_PENDING_REF. */
static int wait_pending(pkiws_request *r, pkiws_result **res, long wait_seconds)
{
    if (pkiws_result_status(*res) != PKIWS_STATUS_PENDING)
        return 0;
    const char *ref = pkiws_result_str(*res, PKIWS_RESULT_PENDING_REF);
    const uint8_t *key;
    size_t key_len;
    if (pkiws_result_blob(*res, PKIWS_RESULT_KEY_PKCS8, &key, &key_len) != PKIWS_OK ||
        pkiws_request_set_str(r, PKIWS_REQUEST_OPT_PENDING_REF, ref) != PKIWS_OK ||
        pkiws_request_set_key(r, key, key_len, NULL) != PKIWS_OK)
        return fail_last("pending request");
    long waited = 0, pause = 1;
    while (pkiws_result_status(*res) == PKIWS_STATUS_PENDING) {
        printf("pending   reference %s (waited %ld s)\n",
               pkiws_result_str(*res, PKIWS_RESULT_PENDING_REF), waited);
        if (waited >= wait_seconds)
            return EXIT_PENDING;
        if (pause > wait_seconds - waited)
            pause = wait_seconds - waited;
        struct timespec ts = {pause, 0};
        nanosleep(&ts, NULL);
        waited += pause;
        pause = pause >= 30 ? 60 : pause * 2;
        pkiws_result_free(*res);
        *res = NULL;
        if (pkiws_poll(r, res) != PKIWS_OK)
            return *res ? fail_result("poll", *res) : fail_last("poll");
    }
    return 0;
}

/* Write the PFX readable by its owner only. */
static int write_pfx(const char *path, const uint8_t *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        fprintf(stderr, "issue: cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fprintf(stderr, "issue: cannot write %s: %s\n", path, strerror(errno));
            close(fd);
            return 1;
        }
        off += (size_t)n;
    }
    if (close(fd) != 0) {
        fprintf(stderr, "issue: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

static int issue(pkiws_request *r, const struct options *o)
{
    pkiws_result *res = NULL;
    /* Pre-flight: subject and SANs by the Intune rules, checked against the template; no
     * network call (the template is cached). pkiws_issue() does the same before sending. */
    if (pkiws_preflight(r, &res) != PKIWS_OK) {
        int rc = res ? fail_result("pre-flight", res) : fail_last("pre-flight");
        pkiws_result_free(res);
        return rc;
    }
    pkiws_result_free(res);
    res = NULL;

    if (pkiws_issue(r, &res) != PKIWS_OK) {
        int rc = res ? fail_result("issue", res) : fail_last("issue");
        pkiws_result_free(res);
        return rc;
    }
    print_trace(res);
    int rc = wait_pending(r, &res, o->wait_seconds);
    if (rc == 0) {
        const uint8_t *pfx;
        size_t pfx_len;
        int64_t attempts = 0, not_after = 0;
        pkiws_result_int(res, PKIWS_RESULT_ATTEMPTS, &attempts);
        pkiws_result_int(res, PKIWS_RESULT_NOT_AFTER, &not_after);
        printf("serial    %s\n", pkiws_result_str(res, PKIWS_RESULT_SERIAL));
        printf("issuer    %s\n", pkiws_result_str(res, PKIWS_RESULT_ISSUER));
        time_t t = (time_t)not_after;
        struct tm tm;
        char date[32] = "?";
        if (gmtime_r(&t, &tm))
            strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
        printf("expires   %s\n", date);
        printf("chain     %zu certificate(s); %lld attempt(s); transaction %s\n",
               pkiws_result_chain_count(res), (long long)attempts,
               pkiws_result_str(res, PKIWS_RESULT_CLIENT_TXID));
        if (pkiws_result_blob(res, PKIWS_RESULT_PFX, &pfx, &pfx_len) != PKIWS_OK)
            rc = fail_last("PFX");
        else
            rc = write_pfx(o->out, pfx, pfx_len);
        if (rc == 0) {
            printf("wrote     %s (%zu bytes, %s)\n", o->out, pfx_len,
                   o->modern ? "modern: AES-256, SHA-256" : "legacy: 3DES, SHA-1");
            if (!o->pfx_pass_file) /* the library generated one */
                printf("password  %s\n", pkiws_result_str(res, PKIWS_RESULT_PFX_PASSWORD));
        }
    }
    pkiws_result_free(res); /* wipes the key and the password */
    return rc;
}

int main(int argc, char **argv)
{
    struct options o;
    parse_args(argc, argv, &o);
    printf("libpkiws  %s\n", pkiws_version_string());

    pkiws_session *session = NULL;
    pkiws_profile *profile = NULL;
    pkiws_request *request = NULL;
    int rc = 1;
    if (pkiws_session_new(&session) != PKIWS_OK) {
        fail_last("session");
        goto out;
    }
    if ((rc = session_setup(session, &o)) != 0)
        goto out;
    if (pkiws_profile_new(&profile, session, o.profile) != PKIWS_OK) {
        rc = fail_last("--profile");
        goto out;
    }
    if ((rc = profile_setup(profile, &o)) != 0)
        goto out;
    if (pkiws_request_new(&request, profile) != PKIWS_OK) {
        rc = fail_last("request");
        goto out;
    }
    if ((rc = request_setup(request, &o)) != 0)
        goto out;
    rc = issue(request, &o);
out:
    /* Any order: a profile keeps its session alive, a request its profile. */
    pkiws_request_free(request);
    pkiws_profile_free(profile);
    pkiws_session_free(session);
    return rc;
}
