/* SPDX-License-Identifier: MIT */
/*
 * The sans-I/O operation (pkiws_op): a state machine that never blocks. Its kind (op_issue.c)
 * does the work between exchanges in `step`; op.c runs the exchanges (for the host through
 * pkiws_op_*, or over the session's transport in pkiws__op_run) and the back-off. Private to
 * src/api/.
 */
#ifndef PKIWS_API_OP_INT_H
#define PKIWS_API_OP_INT_H

#include "api/api_int.h"
#include "core/enroll.h"

enum {
    PKIWS__OP_RUN,  /* the kind's step has work to do (start, or an answer to read) */
    PKIWS__OP_HTTP, /* the exchange x wants to go out */
    PKIWS__OP_WAIT, /* back-off until wait_until before x goes out again */
    PKIWS__OP_DONE  /* result is final */
};

typedef struct pkiws__op_kind {
    const char *name; /* "issuance": for messages */
    /* Advance: read op->answer (the parsed answer of the exchange, or NULL at the start), then
     * start the next exchange (pkiws__op_exchange) or finish (pkiws__op_done). A failure code
     * ends the op (fail builds the result). NULL for a kind of one exchange: */
    int (*step)(pkiws_op *op);
    /* One exchange: prepare it in op->x over client c (begin), then read op->answer into
     * op->result (end); op.c records attempts and clientTransactionID in the result. */
    int (*begin)(pkiws_op *op, pkiws__client *c);
    int (*end)(pkiws_op *op);
    /* Record failure rc in op->result (the thread's last error describes it); NULL for a kind
     * of one exchange: pkiws__op_fail_call does it. */
    void (*fail)(pkiws_op *op, int rc);
    void (*dispose)(void *impl);
} pkiws__op_kind;

typedef struct pkiws__op_job pkiws__op_job; /* an exchange pkiws performs (op_driver.c) */
typedef struct pkiws__op_wake pkiws__op_wake;

struct pkiws_op {
    uint32_t magic;
    int state;
    const pkiws__op_kind *kind;
    void *impl;
    pkiws__conf *conf;     /* the settings snapshot, held for the op's life */
    pkiws__exchange x;     /* the exchange in flight (states HTTP and WAIT) */
    int have_x;            /* x is prepared */
    int64_t wait_until;    /* CLOCK_MONOTONIC ms (state WAIT) */
    pkiws_xml_doc *answer; /* the parsed answer for the next step (state RUN) */
    pkiws__call_info info; /* of the latest exchange (reset by pkiws__op_new_exchange) */
    pkiws_result *result;  /* made at the start, filled as the op goes */
    int rc;                /* the final code (state DONE) */
    int result_taken;
    int sent;             /* a kind of one exchange: its exchange went out */
    int soft;             /* the exchange may fail: the step gets op->answer NULL and */
    int soft_rc;          /* its failure here (the thread's last error describes it) */
    pkiws__op_job *job;   /* the exchange in flight on a pkiws thread (driver mode) */
    pkiws__op_wake *wake; /* the fd the host polls (driver mode), shared with the jobs */
};

/* A new op of kind with impl (taken: disposed by the op, also on failure) holding conf (taken). */
int pkiws__op_new(const pkiws__op_kind *kind, void *impl, pkiws__conf *conf, pkiws_op **out);
/* The same with the session's settings: when they cannot be taken the op ends at once with
 * that failure (its result says why). */
int pkiws__op_start(const pkiws__op_kind *kind, void *impl, pkiws_session *s, pkiws_op **out);
/* A failure of a kind of one exchange into op->result: attempts, clientTransactionID, code and
 * whether it may heal on retry. */
void pkiws__op_fail_call(pkiws_op *op, int rc);
/* From a step, before preparing the next exchange in op->x: drops the last one and its info
 * (and op->soft: a step that can live with the exchange failing sets it after this call). */
void pkiws__op_new_exchange(pkiws_op *op);
/* From a step: the exchange prepared in op->x goes out next (rc: what preparing it returned). */
int pkiws__op_exchange(pkiws_op *op, int rc);
/* From a step: the op is finished with code rc (its result is filled). */
void pkiws__op_done(pkiws_op *op, int rc);
/* The blocking form: every exchange over the snapshot's transport, sleeping for back-offs
 * (with a progress callback on the session: the exchanges on a pkiws thread, the callback
 * asked every PKIWS_PROGRESS_TICK_MS, cancelling when it says so); returns the final code and
 * the result in *out; frees the op. */
int pkiws__op_run(pkiws_op *op, pkiws_result **out);

/* op.c, for op_driver.c: the answer of one attempt of the exchange in flight (rc and resp as a
 * transport reports them), and running the steps until the op wants something from outside. */
void pkiws__op_take_answer(pkiws_op *op, int rc, const pkiws__http_response *resp);
void pkiws__op_drive(pkiws_op *op);
/* End the op with failure rc (described by the thread's last error); no-op when done. */
void pkiws__op_fail(pkiws_op *op, int rc);

/* op_driver.c: the exchange in op->x handed to a pkiws thread (over the snapshot's transport),
 * and its end taken back into the op when it is over; dropping a job leaves it to finish on
 * its thread. */
int pkiws__op_job_start(pkiws_op *op);
/* 1 when the job ended and its answer went into the op (pkiws__op_take_answer), else 0. */
int pkiws__op_job_reap(pkiws_op *op);
void pkiws__op_job_drop(pkiws_op *op);
/* The fd that becomes readable when a job of op ends (made on first use); -1 on failure. */
int pkiws__op_wake_fd(pkiws_op *op);
/* Wait until the job ends or ms pass (poll on the wake fd). */
void pkiws__op_job_wait(pkiws_op *op, int64_t ms);
void pkiws__op_wake_release(pkiws__op_wake *w);

/* issue.c, shared with pkiws_poll: the outcome into the result, and its log record. */
int pkiws__issue_fill_result(pkiws_result *r, const pkiws_request *req, pkiws__issue_outcome *o);
/* The issued part of an outcome into r: certificate, chain, its length, PFX and password. */
int pkiws__issue_fill_issued(pkiws_result *r, const pkiws__issue_outcome *o);
void pkiws__issue_log(const pkiws__logger *lg, const char *what, const pkiws__issue_outcome *o,
                      int rc);

/* op_issue.c: an issuance (old NULL), a renewal of old (taken), or (poll 1) a poll of the
 * request's pending reference. */
int pkiws__op_issue_new(pkiws_request *r, pkiws__cert *old, int poll, pkiws_op **out);

#endif
