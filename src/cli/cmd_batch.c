/* SPDX-License-Identifier: MIT */
/*
 * `pkiws issue --batch FILE`: one identity per line (a JSON object of strings), issued on one
 * session and one verified profile by --parallel threads, one JSON object per identity on
 * stdout (a line each, as they finish). A malformed line is answered with its line number and
 * does not stop the others.
 */
#include "cli.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PARALLEL_DEFAULT 4
#define PARALLEL_MAX 64

/* The members of a line. */
enum {
    F_CN,
    F_EMAIL,
    F_UPN,
    F_SEAT,
    F_GIVEN,
    F_FAMILY,
    F_OTHERNAME,
    F_OUT,
    F_CHAIN,
    F_PASS,
    F_PRESET,
    F_FNAME,
    NFIELDS
};
static const char *const FIELD[NFIELDS] = {
    "cn",        "email", "upn",       "seat",     "given_name", "family_name",
    "othername", "out",   "chain_out", "pfx_pass", "pfx_preset", "friendly_name",
};

typedef struct entry {
    size_t line; /* 1-based */
    char *v[NFIELDS];
    char *othername_oid; /* owned copy of the part of "othername" before '=' */
    int preset;
    char *error; /* the line is malformed: why */
} entry;

typedef struct batch {
    const pkiws__cli *cli;
    const pkiws__cli_profile_args *p;
    pkiws_profile *prof;
    const char *pass, *fname; /* --pfx-pass, --friendly-name: for lines without their own */
    const char *preset_name;
    int preset;
    entry *e;
    size_t n;
    pthread_mutex_t lock; /* next, the counters and stdout */
    size_t next;
    size_t issued, pending, failed;
} batch;

/* ---- one line of JSON ----------------------------------------------------------------- */

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    return s;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *d, unsigned cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A JSON string at *s (on its opening quote) into *out (owned); *s after it. NULL or why not. */
static const char *json_string(const char **s, char **out)
{
    const char *p = *s + 1;
    size_t len = 0;
    while (p[len] && p[len] != '"') /* an upper bound of the decoded length */
        len += p[len] == '\\' && p[len + 1] ? 2 : 1;
    char *d = pkiws__cli_malloc(len + 1);
    size_t n = 0;
    for (;;) {
        unsigned char c = (unsigned char)*p;
        if (c == '\0') {
            pkiws__cli_free_secret(d, len + 1);
            return "a string is not closed";
        }
        if (c == '"')
            break;
        if (c < 0x20) {
            pkiws__cli_free_secret(d, len + 1);
            return "a control character in a string (escape it)";
        }
        if (c != '\\') {
            d[n++] = (char)c;
            p++;
            continue;
        }
        static const char ESC[] = "\"\\/bfnrt", VAL[] = "\"\\/\b\f\n\r\t";
        char e = p[1];
        const char *simple = e ? strchr(ESC, e) : NULL;
        if (simple) {
            d[n++] = VAL[simple - ESC];
            p += 2;
            continue;
        }
        unsigned cp = 0, lo = 0;
        if (e != 'u' || hex4(p + 2, &cp) != 0) {
            pkiws__cli_free_secret(d, len + 1);
            return "a bad escape in a string";
        }
        p += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, &lo) == 0 &&
            lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            pkiws__cli_free_secret(d, len + 1);
            return "a lone surrogate \\u escape in a string";
        }
        if (cp == 0) {
            pkiws__cli_free_secret(d, len + 1);
            return "\\u0000 in a string";
        }
        n += put_utf8(d + n, cp); /* at most as long as its escape */
    }
    d[n] = '\0';
    *s = p + 1;
    *out = d;
    return NULL;
}

static void entry_dispose(entry *e)
{
    for (int i = 0; i < NFIELDS; i++)
        pkiws__cli_free_secret(e->v[i], 0); /* pfx_pass among them */
    pkiws__cli_free(e->othername_oid);
    pkiws__cli_free(e->error);
    memset(e, 0, sizeof(*e));
}

static void line_error(entry *e, const char *text, const char *at, const char *why)
{
    e->error = pkiws__cli_printf("line %zu, column %zu: %s", e->line, (size_t)(at - text) + 1, why);
}

/* Parse the object on one line (NUL-terminated) into e; on failure e->error says why. */
static void parse_line(entry *e, const char *text)
{
    const char *s = skip_ws(text);
    if (*s != '{') {
        line_error(e, text, s, "expected a JSON object, '{'");
        return;
    }
    s = skip_ws(s + 1);
    if (*s == '}') {
        s = skip_ws(s + 1);
    } else {
        for (;;) {
            char *key = NULL, *value = NULL;
            const char *why, *at = s;
            if (*s != '"') {
                line_error(e, text, s, "expected a member name in double quotes");
                return;
            }
            if ((why = json_string(&s, &key)) != NULL) {
                line_error(e, text, at, why);
                return;
            }
            int f = 0;
            while (f < NFIELDS && strcmp(FIELD[f], key) != 0)
                f++;
            if (f == NFIELDS) {
                char *msg = pkiws__cli_printf(
                    "unknown member \"%s\" (known: cn, email, upn, seat, given_name, family_name, "
                    "othername, out, chain_out, pfx_pass, pfx_preset, friendly_name)",
                    key);
                line_error(e, text, at, msg);
                pkiws__cli_free(msg);
                pkiws__cli_free(key);
                return;
            }
            pkiws__cli_free(key);
            if (e->v[f] != NULL) {
                char *msg = pkiws__cli_printf("member \"%s\" given twice", FIELD[f]);
                line_error(e, text, at, msg);
                pkiws__cli_free(msg);
                return;
            }
            s = skip_ws(s);
            if (*s != ':') {
                line_error(e, text, s, "expected ':' after the member name");
                return;
            }
            s = skip_ws(s + 1);
            at = s;
            if (strncmp(s, "null", 4) == 0) {
                s += 4; /* the same as not given */
            } else if (*s != '"') {
                char *msg =
                    pkiws__cli_printf("the value of \"%s\" must be a string or null", FIELD[f]);
                line_error(e, text, s, msg);
                pkiws__cli_free(msg);
                return;
            } else if ((why = json_string(&s, &value)) != NULL) {
                line_error(e, text, at, why);
                return;
            } else {
                e->v[f] = value;
            }
            s = skip_ws(s);
            if (*s == ',') {
                s = skip_ws(s + 1);
                continue;
            }
            if (*s == '}') {
                s = skip_ws(s + 1);
                break;
            }
            line_error(e, text, s, "expected ',' or '}'");
            return;
        }
    }
    if (*s != '\0') {
        line_error(e, text, s, "text after the object");
        return;
    }
    if (e->v[F_OUT] == NULL || e->v[F_OUT][0] == '\0') {
        line_error(e, text, text, "\"out\" (where to write the PFX) is required");
        return;
    }
    if (e->v[F_PRESET] && pkiws__cli_pfx_preset(e->v[F_PRESET], &e->preset) != 0) {
        line_error(e, text, text, "\"pfx_preset\" must be \"legacy\" or \"modern\"");
        return;
    }
    const char *o = e->v[F_OTHERNAME];
    const char *eq = o ? strchr(o, '=') : NULL;
    if (o && (eq == NULL || eq == o || eq[1] == '\0')) {
        line_error(e, text, text, "\"othername\" must be OID=HEX");
        return;
    }
    if (eq) {
        e->othername_oid = pkiws__cli_malloc((size_t)(eq - o) + 1);
        memcpy(e->othername_oid, o, (size_t)(eq - o));
        e->othername_oid[eq - o] = '\0';
    }
}

/* The lines of the file: blank lines and lines starting with '#' are skipped. */
static entry *parse_file(char *text, size_t len, size_t *count)
{
    size_t cap = 1;
    for (size_t i = 0; i < len; i++)
        cap += text[i] == '\n';
    entry *es = pkiws__cli_malloc(cap * sizeof(*es));
    memset(es, 0, cap * sizeof(*es));
    size_t n = 0, lineno = 0;
    char *p = text, *end = text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl ? nl : end;
        lineno++;
        const char *first = skip_ws(p);
        size_t linelen = (size_t)(stop - p);
        if (first < stop && *first != '#' && !(first == stop - 1 && *first == '\r')) {
            entry *e = &es[n++];
            e->line = lineno;
            if (memchr(p, '\0', linelen) != NULL) {
                e->error = pkiws__cli_printf("line %zu: a NUL byte", lineno);
            } else {
                *stop = '\0';
                parse_line(e, p);
            }
        }
        p = stop + 1;
    }
    *count = n;
    return es;
}

/* A later line writing the same file as an earlier one is refused: the first one keeps it. */
static void check_duplicates(entry *es, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (es[i].error)
            continue;
        const char *mine[2] = {es[i].v[F_OUT], es[i].v[F_CHAIN]};
        for (size_t j = 0; j < i && !es[i].error; j++) {
            if (es[j].error)
                continue;
            const char *theirs[2] = {es[j].v[F_OUT], es[j].v[F_CHAIN]};
            for (int a = 0; a < 2 && !es[i].error; a++)
                for (int b = 0; b < 2 && !es[i].error; b++)
                    if (mine[a] && theirs[b] && strcmp(mine[a], theirs[b]) == 0)
                        es[i].error = pkiws__cli_printf("line %zu: file '%s' is also written by "
                                                        "line %zu",
                                                        es[i].line, mine[a], es[j].line);
        }
        if (!es[i].error && mine[1] && strcmp(mine[0], mine[1]) == 0)
            es[i].error = pkiws__cli_printf("line %zu: \"chain_out\" and \"out\" name the same "
                                            "file '%s'",
                                            es[i].line, mine[0]);
    }
}

/* ---- answers ---------------------------------------------------------------------------- */

/* The answer for one identity as one line of JSON on stdout (under the lock). */
static void answer(batch *b, const entry *e, const pkiws__cli_outcome *o, const pkiws_result *res,
                   const pkiws__cli_written *w)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        fprintf(stderr, "pkiws issue: out of memory\n");
        exit(PKIWS__CLI_EXIT_FAILED);
    }
    pkiws__cli_json j;
    pkiws__cli_json_init(&j, f);
    pkiws__cli_json_object(&j);
    pkiws__cli_json_kstr(&j, "status", pkiws__cli_status_name(o->status));
    pkiws__cli_json_kint(&j, "code", o->code);
    pkiws__cli_json_kstr(&j, "error", o->code == PKIWS_OK ? NULL : pkiws_error_name(o->code));
    pkiws__cli_json_kstr(&j, "message", o->message ? o->message : "");
    pkiws__cli_json_kstr(&j, "remedy", o->remedy);
    pkiws__cli_json_kbool(&j, "retryable", o->retryable);
    if (e)
        pkiws__cli_json_kint(&j, "line", (int64_t)e->line);
    else
        pkiws__cli_json_kstr(&j, "line", NULL);
    pkiws__cli_json_kstr(&j, "profile", b->p->oid);
    pkiws__cli_json_kstr(&j, "template", b->p->template_path);
    pkiws__cli_json_issued(&j, res, w);
    pkiws__cli_json_duplicates(&j, res);
    while (j.depth > 0)
        pkiws__cli_json_end(&j);
    fclose(f);
    /* one line: the writer breaks lines only between tokens (strings escape their newlines) */
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n') {
            while (i + 1 < len && buf[i + 1] == ' ')
                i++;
            if (k > 0 && buf[k - 1] == ',')
                buf[k++] = ' '; /* {"a": 1, "b": 2}: a newline and its indent are wider */
            continue;
        }
        buf[k++] = buf[i];
    }
    buf[k++] = '\n';
    pthread_mutex_lock(&b->lock);
    fwrite(buf, 1, k, stdout);
    fflush(stdout);
    if (o->status == PKIWS_STATUS_PENDING && o->code == PKIWS_OK)
        b->pending++;
    else if (o->status == PKIWS_STATUS_OK && o->code == PKIWS_OK)
        b->issued++;
    else {
        b->failed++;
        if (!b->cli->json && e && e->error) /* the message names the line */
            fprintf(stderr, "pkiws issue: error: %s (%s)\n", o->message, pkiws_error_name(o->code));
        else if (!b->cli->json && e) /* a set-up failure: pkiws__cli_finish tells it */
            fprintf(stderr, "pkiws issue: line %zu: error: %s (%s)\n", e->line, o->message,
                    pkiws_error_name(o->code));
    }
    pthread_mutex_unlock(&b->lock);
    pkiws__cli_free_secret(buf, len); /* a generated password is in it */
}

static void issue_entry(batch *b, const entry *e)
{
    pkiws__cli_outcome o;
    pkiws__cli_outcome_init(&o);
    pkiws__cli_written w;
    memset(&w, 0, sizeof(w));
    pkiws_result *res = NULL;
    if (e->error) {
        pkiws__cli_outcome_fail(&o, PKIWS_E_INVALID_ARG, "%s", e->error);
    } else {
        pkiws__cli_ident id = {
            .cn = e->v[F_CN],
            .email = e->v[F_EMAIL],
            .upn = e->v[F_UPN],
            .seat = e->v[F_SEAT],
            .given_name = e->v[F_GIVEN],
            .family_name = e->v[F_FAMILY],
            .othername_oid = e->othername_oid,
            .othername_hex = e->othername_oid ? strchr(e->v[F_OTHERNAME], '=') + 1 : NULL,
            .out = e->v[F_OUT],
            .chain_out = e->v[F_CHAIN],
            .pfx_pass = e->v[F_PASS] ? e->v[F_PASS] : b->pass,
            .pfx_preset = e->v[F_PRESET] ? e->v[F_PRESET] : b->preset_name,
            .preset = e->v[F_PRESET] ? e->preset : b->preset,
            .friendly_name = e->v[F_FNAME] ? e->v[F_FNAME] : b->fname,
        };
        pkiws__cli_issue_one(b->prof, b->p->oid, &id, &res, &w, &o);
    }
    answer(b, e, &o, res, &w);
    pkiws_result_free(res);
    pkiws__cli_written_dispose(&w);
    pkiws__cli_outcome_dispose(&o);
}

static void *worker(void *arg)
{
    batch *b = arg;
    for (;;) {
        pthread_mutex_lock(&b->lock);
        size_t i = b->next < b->n ? b->next++ : b->n;
        pthread_mutex_unlock(&b->lock);
        if (i == b->n)
            return NULL;
        issue_entry(b, &b->e[i]);
    }
}

/* ---- the subcommand ----------------------------------------------------------------------- */

int pkiws__cli_batch_usage(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    static const char *const per_line[] = {"out",  "chain-out",  "cn",          "email",     "upn",
                                           "seat", "given-name", "family-name", "othername", NULL};
    for (size_t i = 0; per_line[i]; i++)
        if (pkiws__cli_arg(args, per_line[i]))
            return pkiws__cli_usage_error(cli,
                                          "--%s goes on each line of the --batch file, not "
                                          "on the command line",
                                          per_line[i]);
    const char *v = pkiws__cli_arg(args, "parallel");
    int64_t n = 0;
    if (v && pkiws__cli_parse_int(v, 1, PARALLEL_MAX, &n) != 0)
        return pkiws__cli_usage_error(cli, "--parallel '%s': expected a number from 1 to %d", v,
                                      PARALLEL_MAX);
    return PKIWS__CLI_EXIT_OK;
}

/* Session (with a key pool as deep as the parallelism), profile, template, verification.
 * On failure fills @p o (and *verdicts with the checks, when verification failed). */
static int set_up(batch *b, const pkiws__cli_args *args, size_t parallel, pkiws_session **s,
                  pkiws_result **verdicts, pkiws__cli_outcome *o)
{
    if (pkiws__cli_session(b->cli, args, s, o) != PKIWS_OK)
        return o->code;
    int rc = pkiws_session_set_int(*s, PKIWS_SESSION_OPT_KEY_POOL_SIZE, (int64_t)parallel);
    if (rc != PKIWS_OK) {
        pkiws__cli_outcome_last(o, rc);
        return rc;
    }
    if (pkiws__cli_profile_make(*s, args, b->p, &b->prof, o) != PKIWS_OK)
        return o->code;
    if (b->p->template_path == NULL && (rc = pkiws_profile_fetch_policy(b->prof)) != PKIWS_OK) {
        pkiws__cli_outcome_last(o, rc);
        return rc;
    }
    /* verified, the profile is final and may be shared by the threads */
    rc = pkiws_profile_verify(b->prof, verdicts);
    pkiws__cli_outcome_result(o, *verdicts, rc);
    return o->code;
}

int pkiws__cli_issue_batch(const pkiws__cli *cli, const pkiws__cli_args *args,
                           const pkiws__cli_profile_args *p, int preset)
{
    batch b;
    memset(&b, 0, sizeof(b));
    b.cli = cli;
    b.p = p;
    b.pass = pkiws__cli_arg(args, "pfx-pass");
    b.fname = pkiws__cli_arg(args, "friendly-name");
    b.preset_name = pkiws__cli_arg(args, "pfx-preset");
    b.preset = preset;
    int64_t parallel = PARALLEL_DEFAULT;
    const char *v = pkiws__cli_arg(args, "parallel");
    if (v)
        pkiws__cli_parse_int(v, 1, PARALLEL_MAX, &parallel); /* checked by the usage checks */
    pthread_mutex_init(&b.lock, NULL);

    pkiws__cli_outcome o;
    pkiws__cli_outcome_init(&o);
    pkiws__cli_data file;
    memset(&file, 0, sizeof(file));
    pkiws_session *s = NULL;
    pkiws_result *verdicts = NULL;
    int exit_code;
    if (pkiws__cli_read("batch file", pkiws__cli_arg(args, "batch"), 1, &file, &o) != PKIWS_OK ||
        set_up(&b, args, (size_t)parallel, &s, &verdicts, &o) != PKIWS_OK) {
        /* nothing was issued: one answer, as issue's */
        pkiws__cli_written w;
        memset(&w, 0, sizeof(w));
        answer(&b, NULL, &o, verdicts, &w);
        b.failed = 0;
        if (!cli->json && verdicts)
            pkiws__cli_print_checks(verdicts);
        exit_code = pkiws__cli_finish(cli, &o);
    } else {
        pkiws__cli_outcome_dispose(&o);
        b.e = parse_file((char *)file.p, file.len, &b.n);
        check_duplicates(b.e, b.n);
        size_t nthreads = (size_t)parallel < b.n ? (size_t)parallel : b.n;
        pthread_t threads[PARALLEL_MAX];
        size_t started = 0;
        for (; started < nthreads; started++)
            if (pthread_create(&threads[started], NULL, worker, &b) != 0)
                break;
        if (started == 0)
            worker(&b); /* no thread to be had: one at a time on this one */
        for (size_t i = 0; i < started; i++)
            pthread_join(threads[i], NULL);
        if (!cli->json)
            fprintf(stderr, "pkiws issue: %zu identities: %zu issued, %zu pending, %zu failed\n",
                    b.n, b.issued, b.pending, b.failed);
        exit_code = b.failed    ? PKIWS__CLI_EXIT_FAILED
                    : b.pending ? PKIWS__CLI_EXIT_PENDING
                                : PKIWS__CLI_EXIT_OK;
        for (size_t i = 0; i < b.n; i++)
            entry_dispose(&b.e[i]);
        pkiws__cli_free(b.e);
    }
    pkiws_result_free(verdicts);
    pkiws_profile_free(b.prof);
    pkiws_session_free(s);
    pkiws__cli_data_dispose(&file);
    pthread_mutex_destroy(&b.lock);
    return exit_code;
}
