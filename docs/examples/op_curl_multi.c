/* SPDX-License-Identifier: MIT */
/*
 * N issuances at once from one thread with pkiws's sans-I/O API (docs/async.md): pkiws says
 * what each issuance wants (an HTTP exchange, a back-off, or nothing more), the program does
 * the HTTP with libcurl's multi interface and feeds the answers back. Against pkiws-sim:
 *
 *   op_curl_multi --url https://localhost:8443/pki-ws --sim-state sim [-n 50]
 *
 * (sim is the simulator's --state-dir: trust.pem, ra.p12 + ra.p12.password for pkiws, and
 * ra.pem + ra.key for libcurl's mutual TLS.) Prints one line per certificate (serial and
 * clientTransactionID); exit status 0 when all were issued, 1 otherwise, 2 on bad usage.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <pkiws/pkiws.h>

/* EC P-256, CN and e-mail (the simulator's catalogue). */
#define PROFILE "2.16.840.1.113733.1.16.1.2.3.1.1.12"

typedef struct job {
    pkiws_request *req;
    pkiws_op *op;
    CURL *easy; /* the exchange in flight, or NULL */
    struct curl_slist *headers;
    char *answer;
    size_t answer_len;
    int done;
} job;

static char trust[4096], ra_cert[4096], ra_key[4096];

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    job *j = ud;
    char *v = realloc(j->answer, j->answer_len + size * n);
    if (!v)
        return 0; /* libcurl fails the transfer */
    memcpy(v + j->answer_len, p, size * n);
    j->answer = v;
    j->answer_len += size * n;
    return size * n;
}

/* The HTTP exchange the op wants, as a libcurl transfer added to multi. */
static int start_exchange(CURLM *multi, job *j)
{
    const char *url, *hdrs;
    const uint8_t *body;
    size_t len;
    if (pkiws_op_http_request(j->op, &url, &hdrs, &body, &len) != PKIWS_OK)
        return -1;
    curl_slist_free_all(j->headers);
    j->headers = NULL;
    for (const char *h = hdrs; *h;) { /* "Name: value\r\n" lines */
        const char *end = strstr(h, "\r\n");
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(end - h), h);
        j->headers = curl_slist_append(j->headers, line);
        h = end + 2;
    }
    j->answer_len = 0;
    j->easy = curl_easy_init();
    if (!j->easy)
        return -1;
    curl_easy_setopt(j->easy, CURLOPT_URL, url);
    curl_easy_setopt(j->easy, CURLOPT_POSTFIELDS, (const char *)body); /* valid until the feed */
    curl_easy_setopt(j->easy, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(j->easy, CURLOPT_HTTPHEADER, j->headers);
    curl_easy_setopt(j->easy, CURLOPT_CAINFO, trust);
    curl_easy_setopt(j->easy, CURLOPT_SSLCERT, ra_cert);
    curl_easy_setopt(j->easy, CURLOPT_SSLKEY, ra_key);
    curl_easy_setopt(j->easy, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(j->easy, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(j->easy, CURLOPT_WRITEDATA, j);
    curl_easy_setopt(j->easy, CURLOPT_PRIVATE, j);
    return curl_multi_add_handle(multi, j->easy) == CURLM_OK ? 0 : -1;
}

/* A finished transfer: its answer (or its failure) goes to the op. */
static void finish_exchange(CURLM *multi, job *j, CURLcode cc)
{
    if (cc == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
        pkiws_op_feed(j->op, (int)status, NULL, j->answer, j->answer_len);
    } else {
        int code = cc == CURLE_OPERATION_TIMEDOUT ? PKIWS_E_TIMEOUT
                   : cc == CURLE_COULDNT_CONNECT  ? PKIWS_E_CONNECT
                   : cc == CURLE_SSL_CONNECT_ERROR || cc == CURLE_PEER_FAILED_VERIFICATION
                       ? PKIWS_E_TLS
                       : PKIWS_E_PROTOCOL; /* reset, truncated: retried by pkiws */
        pkiws_op_feed_error(j->op, code, curl_easy_strerror(cc));
    }
    curl_multi_remove_handle(multi, j->easy);
    curl_easy_cleanup(j->easy);
    j->easy = NULL;
}

static int report(job *j)
{
    pkiws_result *res = NULL;
    int rc = pkiws_op_result(j->op, &res);
    if (rc == PKIWS_OK && pkiws_result_status(res) == PKIWS_STATUS_OK)
        printf("issued %s %s\n", pkiws_result_str(res, PKIWS_RESULT_SERIAL),
               pkiws_result_str(res, PKIWS_RESULT_CLIENT_TXID));
    else
        fprintf(stderr, "failed: %s: %s\n", pkiws_error_name(rc),
                res ? pkiws_result_message(res) : pkiws_last_error_message());
    pkiws_result_free(res);
    return rc == PKIWS_OK ? 0 : 1;
}

static pkiws_session *make_session(const char *url, const char *state)
{
    char p12[4096], pass_file[4096], pass[256] = "";
    snprintf(p12, sizeof p12, "%s/ra.p12", state);
    snprintf(pass_file, sizeof pass_file, "%s/ra.p12.password", state);
    FILE *f = fopen(pass_file, "r");
    if (!f || !fgets(pass, sizeof pass, f)) {
        if (f)
            fclose(f);
        fprintf(stderr, "cannot read %s\n", pass_file);
        return NULL;
    }
    fclose(f);
    pass[strcspn(pass, "\r\n")] = 0;
    pkiws_session *s = NULL;
    if (pkiws_session_new(&s) != PKIWS_OK ||
        pkiws_session_set_str(s, PKIWS_SESSION_OPT_BASE_URL, url) != PKIWS_OK ||
        pkiws_session_set_str(s, PKIWS_SESSION_OPT_TRUST_FILE, trust) != PKIWS_OK ||
        pkiws_session_set_ra_pkcs12_file(s, p12, pass) != PKIWS_OK) {
        fprintf(stderr, "session: %s\n", pkiws_last_error_message());
        pkiws_session_free(s);
        return NULL;
    }
    return s;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *state = NULL;
    int n = 50;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--url"))
            url = argv[i + 1];
        else if (!strcmp(argv[i], "--sim-state"))
            state = argv[i + 1];
        else if (!strcmp(argv[i], "-n"))
            n = atoi(argv[i + 1]);
    }
    if (!url || !state || n < 1 || n > 10000 || argc % 2 == 0) {
        fputs("usage: op_curl_multi --url URL --sim-state DIR [-n COUNT]\n", stderr);
        return 2;
    }
    snprintf(trust, sizeof trust, "%s/trust.pem", state);
    snprintf(ra_cert, sizeof ra_cert, "%s/ra.pem", state);
    snprintf(ra_key, sizeof ra_key, "%s/ra.key", state);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pkiws_session *session = make_session(url, state);
    pkiws_profile *profile = NULL;
    job *jobs = calloc((size_t)n, sizeof *jobs);
    CURLM *multi = curl_multi_init();
    int failed = 0, left = n;
    if (!session || !jobs || !multi || pkiws_profile_new(&profile, session, PROFILE) ||
        pkiws_profile_set_int(profile, PKIWS_PROFILE_OPT_SAN_TYPES, PKIWS_SAN_EMAIL) ||
        pkiws_profile_set_int(profile, PKIWS_PROFILE_OPT_KEY_TYPE, PKIWS_KEY_EC_P256)) {
        fprintf(stderr, "set-up failed: %s\n", pkiws_last_error_message());
        failed = n;
        left = 0;
    }
    for (int i = 0; i < n && left; i++) {
        char cn[64], mail[64];
        snprintf(cn, sizeof cn, "Device %d", i);
        snprintf(mail, sizeof mail, "device%d@contoso.com", i);
        if (pkiws_request_new(&jobs[i].req, profile) ||
            pkiws_request_set_str(jobs[i].req, PKIWS_REQUEST_OPT_CN, cn) ||
            pkiws_request_set_str(jobs[i].req, PKIWS_REQUEST_OPT_EMAIL, mail) ||
            pkiws_issue_start(jobs[i].req, &jobs[i].op)) {
            fprintf(stderr, "request %d: %s\n", i, pkiws_last_error_message());
            jobs[i].done = 1;
            failed++;
            left--;
        }
    }
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 8L);
    while (left > 0) {
        long timeout_ms = 1000;
        for (int i = 0; i < n; i++) { /* what does each op want? */
            job *j = &jobs[i];
            int want = 0;
            if (j->done || j->easy || pkiws_op_next(j->op, &want) != PKIWS_OK)
                continue;
            if (want == PKIWS_OP_WANT_HTTP && start_exchange(multi, j) != 0)
                pkiws_op_cancel(j->op); /* this program cannot do it: give up on it */
            if (want == PKIWS_OP_WANT_WAIT) {
                int64_t ms = 0;
                pkiws_op_wait_ms(j->op, &ms);
                if (ms < timeout_ms)
                    timeout_ms = (long)ms;
            }
            if (want == PKIWS_OP_DONE) {
                failed += report(j);
                j->done = 1;
                left--;
            }
        }
        int running = 0;
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, (int)timeout_ms, NULL);
        curl_multi_perform(multi, &running);
        CURLMsg *m;
        int queued;
        while ((m = curl_multi_info_read(multi, &queued)))
            if (m->msg == CURLMSG_DONE) {
                job *j = NULL;
                curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
                finish_exchange(multi, j, m->data.result);
            }
    }
    for (int i = 0; jobs && i < n; i++) {
        pkiws_op_free(jobs[i].op);
        pkiws_request_free(jobs[i].req);
        curl_slist_free_all(jobs[i].headers);
        free(jobs[i].answer);
    }
    free(jobs);
    curl_multi_cleanup(multi);
    pkiws_profile_free(profile);
    pkiws_session_free(session);
    curl_global_cleanup();
    fprintf(stderr, "%d of %d issued\n", n - failed, n);
    return failed ? 1 : 0;
}
