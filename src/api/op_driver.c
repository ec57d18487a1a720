/* SPDX-License-Identifier: MIT */
/*
 * The driver mode of an op (pkiws_op_perform, pkiws_op_fds) and the blocking calls with a
 * progress callback: the exchange an op wants goes out over the session's own transport on a
 * pkiws thread (one per exchange in flight, detached), and an eventfd the host polls becomes
 * readable when it is over. A job owns copies of what it sends and a reference to the settings
 * snapshot whose transport it uses, so that the op may be cancelled or freed while the
 * exchange runs: the job then finishes on its thread and frees itself. The wake fd is shared
 * by the op and its jobs and closed by the last of them.
 */
#include "pkiws_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "api/op_int.h"

/* Stack of a job's thread: the transport's TLS handshake and HTTP parsing need far less. */
#define JOB_STACK (512 * 1024)

struct pkiws__op_wake {
    atomic_int refs;
    int fd;
};

struct pkiws__op_job {
    atomic_int refs; /* the op's and the thread's */
    atomic_int finished;
    pkiws__op_wake *wake;
    pkiws__conf *conf; /* held: its client's transport performs the exchange */
    pkiws__http *http;
    char url[sizeof(((pkiws__exchange *)0)->url)];
    char txid[41];
    const char *action; /* static */
    pkiws_buf body;     /* a copy (wiped: a key recovery sends a password) */
    /* the outcome, written by the thread before `finished` */
    int rc;
    pkiws__http_response resp;
    pkiws__err_state err;
};

void pkiws__op_wake_release(pkiws__op_wake *w)
{
    if (w && atomic_fetch_sub(&w->refs, 1) == 1) {
        close(w->fd);
        pkiws__free(w);
    }
}

int pkiws__op_wake_fd(pkiws_op *op)
{
    if (op->wake)
        return op->wake->fd;
    pkiws__op_wake *w = pkiws__calloc(1, sizeof *w);
    if (!w) {
        pkiws__fail(PKIWS_E_NOMEM, "out of memory making the wake fd of an op");
        return -1;
    }
    w->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (w->fd < 0) {
        pkiws__fail(PKIWS_E_LIMIT, "eventfd for the wake fd of an op: %s", strerror(errno));
        pkiws__free(w);
        return -1;
    }
    atomic_init(&w->refs, 1);
    op->wake = w;
    return w->fd;
}

static void job_release(pkiws__op_job *j)
{
    if (atomic_fetch_sub(&j->refs, 1) != 1)
        return;
    pkiws__http_response_dispose(&j->resp);
    pkiws__buf_dispose(&j->body);
    pkiws__op_wake_release(j->wake);
    pkiws__conf_release(j->conf);
    pkiws__free(j);
}

static void *job_main(void *arg)
{
    pkiws__op_job *j = arg;
    pkiws__http_request req = {j->url, j->action, j->body.data, j->body.len, j->txid};
    j->rc = pkiws__http_perform(j->http, &req, &j->resp);
    if (j->rc)
        pkiws__err_save(&j->err);
    atomic_store(&j->finished, 1);
    uint64_t one = 1;
    /* the counter cannot overflow here (one write per job); EAGAIN would mean it is readable */
    ssize_t n = write(j->wake->fd, &one, sizeof one);
    (void)n;
    job_release(j);
    return NULL;
}

int pkiws__op_job_start(pkiws_op *op)
{
    pkiws__exchange *x = &op->x;
    if (pkiws__op_wake_fd(op) < 0)
        return pkiws__err_code();
    pkiws__op_job *j = pkiws__calloc(1, sizeof *j);
    if (!j)
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory handing an exchange to a pkiws thread");
    j->body.secret = 1;
    if (pkiws__buf_append(&j->body, x->body.data, x->body.len)) {
        pkiws__free(j);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory copying a request of %zu bytes",
                           x->body.len);
    }
    memcpy(j->url, x->url, sizeof j->url);
    memcpy(j->txid, x->txid, sizeof j->txid);
    j->action = x->action;
    j->http = &x->c->http;
    atomic_init(&j->refs, 2);
    atomic_init(&j->finished, 0);
    j->wake = op->wake;
    atomic_fetch_add(&j->wake->refs, 1);
    j->conf = op->conf;
    atomic_fetch_add(&j->conf->refs, 1);
    pthread_attr_t attr;
    int e = pthread_attr_init(&attr);
    if (!e) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, JOB_STACK);
        pthread_t th;
        e = pthread_create(&th, &attr, job_main, j);
        pthread_attr_destroy(&attr);
    }
    if (e) {
        atomic_store(&j->refs, 1);
        job_release(j);
        return pkiws__fail(PKIWS_E_LIMIT,
                           "cannot start a pkiws thread for the exchange with %s: %s", x->url,
                           strerror(e));
    }
    op->job = j;
    return PKIWS_OK;
}

int pkiws__op_job_reap(pkiws_op *op)
{
    uint64_t v;
    if (op->wake) /* drain first: a later write of the job makes it readable again */
        while (read(op->wake->fd, &v, sizeof v) > 0)
            ;
    pkiws__op_job *j = op->job;
    if (!j || !atomic_load(&j->finished))
        return 0;
    op->job = NULL;
    if (j->rc)
        pkiws__err_restore(&j->err);
    pkiws__op_take_answer(op, j->rc, &j->resp);
    job_release(j);
    return 1;
}

void pkiws__op_job_drop(pkiws_op *op)
{
    if (op->job)
        job_release(op->job);
    op->job = NULL;
}

void pkiws__op_job_wait(pkiws_op *op, int64_t ms)
{
    if (!op->job || atomic_load(&op->job->finished))
        return;
    struct pollfd p = {op->wake->fd, POLLIN, 0};
    poll(&p, 1, ms > 0x7fffffff ? 0x7fffffff : (int)ms);
}
