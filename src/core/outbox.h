/* SPDX-License-Identifier: MIT */
/*
 * The durable revocation outbox (docs/outbox.md): revoke / suspend / resume requests kept in a
 * store (store/store.h), each with the clientTransactionID chosen when it was queued, and the
 * worker that sends them until the CA confirms (successCode 0, or -2 for a repeat) and a search
 * shows the new status. Every state change is committed before the next network step, so a
 * process killed at any point resumes from the last committed state and re-sends with the same
 * id. States are PKIWS_OUTBOX_* (QUEUED -> SENT -> ACCEPTED -> DONE, or FAILED).
 */
#ifndef PKIWS_CORE_OUTBOX_H
#define PKIWS_CORE_OUTBOX_H

#include "core/client.h"
#include "store/store.h"
#include "util/log.h"

typedef struct pkiws__ob_entry {
    int64_t id, next_at_ms, created_ms, updated_ms;
    int operation, selector, reason, state, attempts, checks;
    int success_code; /* the last successCode of the CA (0 before an answer) */
    int last_code;    /* PKIWS_E_* of the last failure, 0 without one */
    char *target;     /* the serial (normalised hex) or the seat id */
    char *reason_name, *txid, *last_error;
} pkiws__ob_entry;

/* Open (create) the outbox database at path and make or check its schema. */
int pkiws__ob_open(const char *path, pkiws__db **out);
/* Queue an operation (reason_name: the schema's name or NULL). A pending entry for the same
 * operation and target is not queued twice: *id is then the existing one. */
int pkiws__ob_add(pkiws__db *db, int operation, int selector, const char *target, int reason,
                  const char *reason_name, int64_t *id);
/* Entries that are not DONE or FAILED. */
int pkiws__ob_pending(pkiws__db *db, int *count);
/* The pending entries (all: every entry), by id. */
int pkiws__ob_list(pkiws__db *db, int all, pkiws__ob_entry **out, size_t *n);
int pkiws__ob_get(pkiws__db *db, int64_t id, pkiws__ob_entry *out);
void pkiws__ob_entry_dispose(pkiws__ob_entry *e);
void pkiws__ob_entries_free(pkiws__ob_entry *v, size_t n);

/* State transitions, each one committed transaction. */
/* About to send: state SENT, attempts + 1. */
int pkiws__ob_mark_sending(pkiws__db *db, int64_t id);
/* state, the CA's successCode, and the failure (code 0 and NULL clear it); next_at_ms is when
 * the worker may take the entry again (0: now); checks_inc counts a search. */
int pkiws__ob_mark(pkiws__db *db, int64_t id, int state, int success_code, int code,
                   const char *error, int64_t next_at_ms, int checks_inc);

/* Wall-clock milliseconds (next_at survives restarts, so it is wall time). */
int64_t pkiws__ob_now_ms(void);

typedef struct pkiws__ob_worker {
    pkiws__client *client;
    int64_t backoff_ms, max_backoff_ms; /* first back-off, doubled per attempt, and the cap */
    void (*step)(void *user_data, int64_t id, int step); /* PKIWS_OUTBOX_STEP_*, or NULL */
    void *user_data;
    const pkiws__logger *log;
} pkiws__ob_worker;

/* Work on due entries until none is pending, or until deadline_ms (wall clock; 0: none),
 * sleeping between passes until the next entry is due. *pending: what is left. Returns a
 * failure that no entry can heal by itself (configuration, TLS trust, the store), else OK. */
int pkiws__ob_run(pkiws__db *db, const pkiws__ob_worker *w, int64_t deadline_ms, int *pending);

#endif
