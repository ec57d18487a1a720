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
    const char *name; /* "issue": for messages */
    /* Advance: read op->answer (the parsed answer of the exchange, or NULL at the start), then
     * start the next exchange (pkiws__op_exchange) or finish (pkiws__op_done). A failure code
     * ends the op (fail builds the result). */
    int (*step)(pkiws_op *op);
    /* Record failure rc in op->result (the thread's last error describes it). */
    void (*fail)(pkiws_op *op, int rc);
    void (*dispose)(void *impl);
} pkiws__op_kind;

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
};

/* A new op of kind with impl (taken: disposed by the op, also on failure) holding conf (taken). */
int pkiws__op_new(const pkiws__op_kind *kind, void *impl, pkiws__conf *conf, pkiws_op **out);
/* From a step, before preparing the next exchange in op->x: drops the last one and its info. */
void pkiws__op_new_exchange(pkiws_op *op);
/* From a step: the exchange prepared in op->x goes out next (rc: what preparing it returned). */
int pkiws__op_exchange(pkiws_op *op, int rc);
/* From a step: the op is finished with code rc (its result is filled). */
void pkiws__op_done(pkiws_op *op, int rc);
/* The blocking form: every exchange over the snapshot's transport, sleeping for back-offs;
 * returns the final code and the result in *out; frees the op. */
int pkiws__op_run(pkiws_op *op, pkiws_result **out);

/* issue.c, shared with pkiws_poll: the outcome into the result, and its log record. */
int pkiws__issue_fill_result(pkiws_result *r, const pkiws_request *req, pkiws__issue_outcome *o);
/* The issued part of an outcome into r: certificate, chain, its length, PFX and password. */
int pkiws__issue_fill_issued(pkiws_result *r, const pkiws__issue_outcome *o);
void pkiws__issue_log(const pkiws__logger *lg, const char *what, const pkiws__issue_outcome *o,
                      int rc);

/* op_issue.c: an issuance (old NULL) or a renewal of old (taken). */
int pkiws__op_issue_new(pkiws_request *r, pkiws__cert *old, pkiws_op **out);

#endif
