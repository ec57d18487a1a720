/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the HTTP/1.1 response reader of the native transport (src/http/http1.c). The
 * input is the byte stream a server sends; up to 4 answers are read from it while the
 * connection may be kept alive. The stream is handed out in one piece, then byte by byte,
 * then 7 bytes at a time: every way of cutting it must give the same outcome (codes, heads,
 * bodies). A second pass with small limits runs the limit paths. Invariants: bodies respect
 * max_body and Content-Length.
 */
#include "pkiws_internal.h"

#include <stdlib.h>

#include "fuzz.h"
#include "http/http1.h"

#define URL "https://ca.fuzz/pki-ws/x"
#define MAX_ANSWERS 4

typedef struct stream {
    const uint8_t *p;
    size_t len, pos, step;
} stream;

static int stream_read(void *ctx, uint8_t *buf, size_t cap, size_t *n)
{
    stream *s = ctx;
    size_t take = s->len - s->pos;
    if (take > cap)
        take = cap;
    if (s->step && take > s->step)
        take = s->step;
    if (take)
        memcpy(buf, s->p + s->pos, take);
    s->pos += take;
    *n = take;
    return PKIWS_OK;
}

typedef struct outcome {
    size_t n;
    int rc[MAX_ANSWERS];
    pkiws__http1_response resp[MAX_ANSWERS];
    pkiws_buf body[MAX_ANSWERS];
} outcome;

static void outcome_dispose(outcome *o)
{
    for (size_t i = 0; i < MAX_ANSWERS; i++)
        pkiws__buf_dispose(&o->body[i]);
}

static void run(const uint8_t *data, size_t size, size_t step, const pkiws__http1_limits *lim,
                pkiws__http1_reader *r, outcome *o)
{
    stream s = {data, size, 0, step};
    memset(o, 0, sizeof *o);
    pkiws__http1_reader_init(r, stream_read, &s);
    for (size_t i = 0; i < MAX_ANSWERS; i++) {
        pkiws__err_clear();
        int rc = pkiws__http1_read_response(r, lim, URL, &o->resp[i], &o->body[i]);
        fuzz_check_rc(rc, "pkiws__http1_read_response");
        o->rc[i] = rc;
        o->n = i + 1;
        if (rc) {
            if (o->resp[i].keep_alive)
                fuzz_fail("a failed answer keeps the connection alive");
            break;
        }
        const pkiws__http1_response *a = &o->resp[i];
        if (o->body[i].len > lim->max_body)
            fuzz_fail("body of %zu bytes exceeds max_body %zu", o->body[i].len, lim->max_body);
        if (a->framing == PKIWS__HTTP1_LENGTH && o->body[i].len != a->content_length)
            fuzz_fail("body of %zu bytes with Content-Length %llu", o->body[i].len,
                      (unsigned long long)a->content_length);
        if (a->status < 200 || a->status > 999)
            fuzz_fail("final answer with status %d", a->status);
        if (!memchr(a->content_type, 0, sizeof a->content_type))
            fuzz_fail("content type not terminated");
        /* another answer only while the stream holds unread bytes (whatever the cutting) */
        if (!a->keep_alive || s.pos - pkiws__http1_reader_pending(r) == s.len)
            break;
    }
}

static void compare(const outcome *a, const outcome *b, size_t step)
{
    if (a->n != b->n)
        fuzz_fail("step %zu: %zu answers instead of %zu", step, b->n, a->n);
    for (size_t i = 0; i < a->n; i++) {
        const pkiws__http1_response *x = &a->resp[i], *y = &b->resp[i];
        if (a->rc[i] != b->rc[i])
            fuzz_fail("step %zu, answer %zu: code %d instead of %d", step, i, b->rc[i], a->rc[i]);
        if (a->rc[i])
            continue;
        if (x->status != y->status || x->minor != y->minor || x->keep_alive != y->keep_alive ||
            x->framing != y->framing || x->content_length != y->content_length ||
            x->nheaders != y->nheaders || x->ninterim != y->ninterim || x->nchunks != y->nchunks ||
            x->ntrailers != y->ntrailers || strcmp(x->content_type, y->content_type))
            fuzz_fail("step %zu, answer %zu: another head", step, i);
        if (a->body[i].len != b->body[i].len ||
            (a->body[i].len && memcmp(a->body[i].data, b->body[i].data, a->body[i].len)))
            fuzz_fail("step %zu, answer %zu: another body", step, i);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t steps[] = {1, 7};
    const pkiws__http1_limits lim = {PKIWS__HTTP1_MAX_LINE, PKIWS__HTTP1_MAX_HEADERS, 1u << 20};
    const pkiws__http1_limits small = {48, 160, 64};
    pkiws__http1_reader *r = malloc(sizeof *r);
    outcome *whole = malloc(sizeof *whole), *cut = malloc(sizeof *cut);
    if (!r || !whole || !cut)
        abort();
    run(data, size, 0, &lim, r, whole);
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(steps); i++) {
        run(data, size, steps[i], &lim, r, cut);
        compare(whole, cut, steps[i]);
        outcome_dispose(cut);
    }
    outcome_dispose(whole);
    run(data, size, 0, &small, r, whole);
    outcome_dispose(whole);
    free(cut);
    free(whole);
    free(r);
    return 0;
}
