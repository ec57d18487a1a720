/* SPDX-License-Identifier: MIT */
/* The durable revocation outbox: schema, state transitions and the worker (core/outbox.h). */
#include "pkiws_internal.h"

#include <ctype.h>
#include <time.h>

#include "core/enroll.h"
#include "core/outbox.h"
#include "core/search.h"

#define OB_APP_ID 0x706b6f62 /* "pkob": PRAGMA application_id of an outbox file */
#define OB_SCHEMA 1          /* PRAGMA user_version */
#define OB_BUSY_MS 10000     /* how long a statement waits for another process's lock */

static const char SCHEMA[] =
    "BEGIN IMMEDIATE;"
    "CREATE TABLE IF NOT EXISTS outbox ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " operation INTEGER NOT NULL CHECK (operation BETWEEN 1 AND 3),"
    " selector INTEGER NOT NULL CHECK (selector IN (1, 2)),"
    " target TEXT NOT NULL,"
    " reason INTEGER NOT NULL,"
    " reason_name TEXT,"
    " txid TEXT NOT NULL UNIQUE," /* chosen once, when queued; every (re)send uses it */
    " state INTEGER NOT NULL DEFAULT 1 CHECK (state BETWEEN 1 AND 5),"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " checks INTEGER NOT NULL DEFAULT 0,"
    " success_code INTEGER NOT NULL DEFAULT 0,"
    " last_code INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT,"
    " next_at INTEGER NOT NULL DEFAULT 0,"
    " created INTEGER NOT NULL,"
    " updated INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_at);"
    "PRAGMA application_id = 1886089058;" /* OB_APP_ID */
    "PRAGMA user_version = 1;"
    "COMMIT;";

#define ENTRY_COLS                                                                                 \
    "id, operation, selector, target, reason, reason_name, txid, state, attempts, checks, "        \
    "success_code, last_code, last_error, next_at, created, updated"

int64_t pkiws__ob_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int pragma_int(pkiws__db *db, const char *sql, int64_t *out)
{
    pkiws__stmt *st = NULL;
    int rc = pkiws__db_query(db, &st, sql, "");
    if (!rc && (rc = pkiws__db_step(st)) == 1) {
        *out = pkiws__db_col_int(st, 0);
        rc = PKIWS_OK;
    } else if (!rc) {
        rc = pkiws__fail(PKIWS_E_IO, "outbox database '%s': no answer to %s", pkiws__db_path(db),
                         sql);
    }
    pkiws__db_finalize(st);
    return rc;
}

int pkiws__ob_open(const char *path, pkiws__db **out)
{
    *out = NULL;
    pkiws__db *db = NULL;
    int rc = pkiws__db_open(path, OB_BUSY_MS, &db);
    int64_t app = 0, version = 0, tables = 0;
    if (!rc)
        rc = pragma_int(db, "PRAGMA application_id", &app);
    if (!rc)
        rc = pragma_int(db, "PRAGMA user_version", &version);
    if (!rc)
        rc = pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables);
    if (!rc && (app != 0 && app != OB_APP_ID ? 1 : app == 0 && tables > 0))
        rc = pkiws__fail(PKIWS_E_INVALID_ARG,
                         "'%s' is an SQLite database of another application, not a pkiws outbox",
                         path);
    else if (!rc && version > OB_SCHEMA)
        rc = pkiws__fail(PKIWS_E_UNSUPPORTED,
                         "outbox '%s' has schema version %lld, made by a newer pkiws (this one "
                         "reads version %d)",
                         path, (long long)version, OB_SCHEMA);
    else if (!rc && version < OB_SCHEMA && (rc = pkiws__db_exec(db, SCHEMA)))
        pkiws__db_exec(db, "ROLLBACK");
    if (rc) {
        pkiws__db_close(db);
        return rc;
    }
    *out = db;
    return PKIWS_OK;
}

int pkiws__ob_add(pkiws__db *db, int operation, int selector, const char *target, int reason,
                  const char *reason_name, int64_t *id)
{
    char txid[41];
    int rc = pkiws__client_random_txid("obx", txid);
    if (rc)
        return rc;
    /* one transaction: the look-up of a pending twin and the insert */
    if ((rc = pkiws__db_exec(db, "BEGIN IMMEDIATE")))
        return rc;
    pkiws__stmt *st = NULL;
    rc = pkiws__db_query(db, &st,
                         "SELECT id FROM outbox WHERE operation = ? AND selector = ? AND "
                         "target = ? AND state IN (1, 2, 3) ORDER BY id LIMIT 1",
                         "iit", (int64_t)operation, (int64_t)selector, target);
    int found = rc ? rc : pkiws__db_step(st);
    if (found == 1)
        *id = pkiws__db_col_int(st, 0);
    pkiws__db_finalize(st);
    rc = found < 0 ? found : PKIWS_OK;
    int64_t now = pkiws__ob_now_ms();
    if (!rc && found == 0) {
        rc = pkiws__db_run(db, NULL,
                           "INSERT INTO outbox (operation, selector, target, reason, "
                           "reason_name, txid, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           "iitittii", (int64_t)operation, (int64_t)selector, target,
                           (int64_t)reason, reason_name, txid, now, now);
        if (!rc)
            *id = pkiws__db_last_id(db);
    }
    if (!rc)
        rc = pkiws__db_exec(db, "COMMIT");
    if (rc)
        pkiws__db_exec(db, "ROLLBACK");
    return rc;
}

int pkiws__ob_pending(pkiws__db *db, int *count)
{
    int64_t n = 0;
    int rc = pragma_int(db, "SELECT count(*) FROM outbox WHERE state IN (1, 2, 3)", &n);
    *count = rc ? 0 : (int)n;
    return rc;
}

static char *dup_or_null(const char *s, int *rc)
{
    if (!s)
        return NULL;
    char *d = pkiws__strdup(s);
    if (!d)
        *rc = PKIWS_E_NOMEM;
    return d;
}

static int read_entry(pkiws__stmt *st, pkiws__ob_entry *e)
{
    int rc = PKIWS_OK;
    memset(e, 0, sizeof *e);
    e->id = pkiws__db_col_int(st, 0);
    e->operation = (int)pkiws__db_col_int(st, 1);
    e->selector = (int)pkiws__db_col_int(st, 2);
    e->target = dup_or_null(pkiws__db_col_text(st, 3), &rc);
    e->reason = (int)pkiws__db_col_int(st, 4);
    e->reason_name = dup_or_null(pkiws__db_col_text(st, 5), &rc);
    e->txid = dup_or_null(pkiws__db_col_text(st, 6), &rc);
    e->state = (int)pkiws__db_col_int(st, 7);
    e->attempts = (int)pkiws__db_col_int(st, 8);
    e->checks = (int)pkiws__db_col_int(st, 9);
    e->success_code = (int)pkiws__db_col_int(st, 10);
    e->last_code = (int)pkiws__db_col_int(st, 11);
    e->last_error = dup_or_null(pkiws__db_col_text(st, 12), &rc);
    e->next_at_ms = pkiws__db_col_int(st, 13);
    e->created_ms = pkiws__db_col_int(st, 14);
    e->updated_ms = pkiws__db_col_int(st, 15);
    if (rc) {
        pkiws__ob_entry_dispose(e);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory reading an outbox entry");
    }
    return PKIWS_OK;
}

void pkiws__ob_entry_dispose(pkiws__ob_entry *e)
{
    pkiws__free(e->target);
    pkiws__free(e->reason_name);
    pkiws__free(e->txid);
    pkiws__free(e->last_error);
    memset(e, 0, sizeof *e);
}

void pkiws__ob_entries_free(pkiws__ob_entry *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        pkiws__ob_entry_dispose(&v[i]);
    pkiws__free(v);
}

int pkiws__ob_list(pkiws__db *db, int all, pkiws__ob_entry **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    pkiws__stmt *st = NULL;
    int rc = pkiws__db_query(db, &st,
                             all ? "SELECT " ENTRY_COLS " FROM outbox ORDER BY id"
                                 : "SELECT " ENTRY_COLS
                                   " FROM outbox WHERE state IN (1, 2, 3) ORDER BY id",
                             "");
    pkiws__ob_entry *v = NULL;
    size_t len = 0, cap = 0;
    while (!rc && (rc = pkiws__db_step(st)) == 1) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            pkiws__ob_entry *nv = pkiws__realloc(v, ncap * sizeof *v);
            if (!nv) {
                rc = pkiws__fail(PKIWS_E_NOMEM, "out of memory listing the outbox");
                break;
            }
            v = nv;
            cap = ncap;
        }
        if ((rc = read_entry(st, &v[len])))
            break;
        len++;
    }
    pkiws__db_finalize(st);
    if (rc) {
        pkiws__ob_entries_free(v, len);
        return rc;
    }
    *out = v;
    *n = len;
    return PKIWS_OK;
}

int pkiws__ob_get(pkiws__db *db, int64_t id, pkiws__ob_entry *out)
{
    memset(out, 0, sizeof *out);
    pkiws__stmt *st = NULL;
    int rc = pkiws__db_query(db, &st, "SELECT " ENTRY_COLS " FROM outbox WHERE id = ?", "i", id);
    if (!rc && (rc = pkiws__db_step(st)) == 1)
        rc = read_entry(st, out);
    else if (!rc)
        rc = pkiws__fail(PKIWS_E_INVALID_ARG, "outbox '%s' has no entry %lld", pkiws__db_path(db),
                         (long long)id);
    pkiws__db_finalize(st);
    return rc;
}

int pkiws__ob_mark_sending(pkiws__db *db, int64_t id)
{
    return pkiws__db_run(db, NULL,
                         "UPDATE outbox SET state = 2, attempts = attempts + 1, updated = ? "
                         "WHERE id = ?",
                         "ii", pkiws__ob_now_ms(), id);
}

int pkiws__ob_mark(pkiws__db *db, int64_t id, int state, int success_code, int code,
                   const char *error, int64_t next_at_ms, int checks_inc)
{
    return pkiws__db_run(db, NULL,
                         "UPDATE outbox SET state = ?, success_code = ?, last_code = ?, "
                         "last_error = ?, next_at = ?, checks = checks + ?, updated = ? "
                         "WHERE id = ?",
                         "iiitiiii", (int64_t)state, (int64_t)success_code, (int64_t)code, error,
                         next_at_ms, (int64_t)checks_inc, pkiws__ob_now_ms(), id);
}

/* ---- the worker ------------------------------------------------------------------------- */

static void step(const pkiws__ob_worker *w, int64_t id, int s)
{
    if (w->step)
        w->step(w->user_data, id, s);
}

static int64_t backoff_at(const pkiws__ob_worker *w, int n)
{
    int64_t d = w->backoff_ms > 0 ? w->backoff_ms : 1;
    for (int i = 1; i < n && d < w->max_backoff_ms; i++)
        d *= 2;
    if (d > w->max_backoff_ms)
        d = w->max_backoff_ms;
    return pkiws__ob_now_ms() + d;
}

static const char *want_status(int operation)
{
    return operation == PKIWS_OP_REVOKE    ? "REVOKED"
           : operation == PKIWS_OP_SUSPEND ? "SUSPENDED"
                                           : "VALID";
}

/* The same serial, written as the CA writes it or as we normalised it. */
static int same_serial(const char *a, const char *b)
{
    while (*a == '0' && a[1])
        a++;
    while (*b == '0' && b[1])
        b++;
    return pkiws__strcaseeq(a, b);
}

/* A status that the operation changes (for a seat: none of its certificates may be left in
 * one). */
static int changed_by(int operation, const char *status)
{
    if (!status)
        return 0;
    if (operation == PKIWS_OP_RESUME)
        return strcmp(status, "SUSPENDED") == 0;
    return strcmp(status, "VALID") == 0 ||
           (operation == PKIWS_OP_REVOKE && strcmp(status, "SUSPENDED") == 0);
}

/* 1 when the CA's search shows the entry's new status; *seen: what it shows instead. */
static int confirm(const pkiws__ob_worker *w, const pkiws__ob_entry *e, int *shown, pkiws_buf *seen)
{
    int by_seat = e->selector == PKIWS_BY_SEAT;
    int start = 0, rc = PKIWS_OK, matched = 0, left = 0;
    *shown = 0;
    for (int page = 0; page < 1000; page++) {
        pkiws__search_params p = {.seat = by_seat ? e->target : NULL,
                                  .serial = by_seat ? NULL : e->target,
                                  .start_index = start};
        pkiws__search_outcome o;
        rc = pkiws__search(w->client, &p, &o);
        for (size_t i = 0; !rc && i < o.page.nfound; i++) {
            const pkiws__soap_found *f = &o.page.found[i];
            if (by_seat) {
                matched++;
                if (changed_by(e->operation, f->status)) {
                    left++;
                    pkiws__buf_printf(seen, "%s%s %s", seen->len ? ", " : "",
                                      f->serial ? f->serial : "?", f->status);
                }
            } else if (f->serial && same_serial(f->serial, e->target)) {
                matched++;
                if (!f->status || strcmp(f->status, want_status(e->operation)) != 0) {
                    left++;
                    pkiws__buf_printf(seen, "%s%s", seen->len ? ", " : "",
                                      f->status ? f->status : "no status");
                }
            }
        }
        int more = !rc && o.page.more && o.page.nfound > 0;
        start += (int)o.page.nfound;
        pkiws__search_outcome_dispose(&o);
        if (rc || !more)
            break;
    }
    if (rc)
        return rc;
    if (!matched)
        pkiws__buf_puts(seen, "no certificate");
    *shown = matched > 0 && left == 0;
    return pkiws__buf_status(seen);
}

/* A failure that waiting does not heal and that is not the entry's own (configuration, trust,
 * RA credential): the run stops and reports it. */
static int stops_run(int rc, const pkiws__call_info *call)
{
    switch (rc) {
    case PKIWS_E_CONFIG:
    case PKIWS_E_RA_CREDENTIAL:
    case PKIWS_E_UNSUPPORTED:
    case PKIWS_E_NOMEM:
    case PKIWS_E_IO:
        return 1;
    default:
        return rc == PKIWS_E_TLS && !call->retryable; /* trust, certificates */
    }
}

/* Send (or re-send, same txid) the entry's update. */
static int send_entry(pkiws__db *db, const pkiws__ob_worker *w, pkiws__ob_entry *e)
{
    int rc = pkiws__ob_mark_sending(db, e->id);
    if (rc)
        return rc;
    e->attempts++;
    step(w, e->id, PKIWS_OUTBOX_STEP_SEND);
    pkiws__revoke_outcome o;
    int sent =
        pkiws__update_status_txid(w->client, e->txid, e->operation, e->selector == PKIWS_BY_SEAT,
                                  e->target, e->reason_name, NULL, &o);
    step(w, e->id, PKIWS_OUTBOX_STEP_SENT);
    int answered = o.call.attempts > 0 && (sent == PKIWS_OK || sent == PKIWS_E_REJECTED);
    if (sent == PKIWS_OK || (answered && o.success_code == -2)) {
        /* -2: nothing changed, e.g. the answer to an earlier send of this txid was lost; the
         * search decides */
        rc = pkiws__ob_mark(db, e->id, PKIWS_OUTBOX_ACCEPTED, o.success_code, 0, NULL, 0, 0);
        if (!rc) {
            e->state = PKIWS_OUTBOX_ACCEPTED;
            e->success_code = o.success_code;
            step(w, e->id, PKIWS_OUTBOX_STEP_ACCEPTED);
        }
    } else if (answered && o.success_code == -1) {
        rc = pkiws__ob_mark(db, e->id, PKIWS_OUTBOX_FAILED, -1, sent, pkiws__err_message(), 0, 0);
        e->state = PKIWS_OUTBOX_FAILED;
    } else {
        rc = pkiws__ob_mark(db, e->id, PKIWS_OUTBOX_SENT, answered ? o.success_code : 0, sent,
                            pkiws__err_message(), backoff_at(w, e->attempts), 0);
        if (!rc && stops_run(sent, &o.call))
            rc = sent; /* the thread's last error is still the send's */
    }
    pkiws__log(w->log, sent ? PKIWS_LOG_WARN : PKIWS_LOG_INFO, "outbox", e->txid,
               "entry %lld: attempt %d: successCode %d%s%s", (long long)e->id, e->attempts,
               o.success_code, sent ? ": " : "", sent ? pkiws__err_message() : "");
    pkiws__revoke_outcome_dispose(&o);
    return rc;
}

static int check_entry(pkiws__db *db, const pkiws__ob_worker *w, pkiws__ob_entry *e)
{
    int shown = 0;
    pkiws_buf seen = PKIWS_BUF_INIT;
    int crc = confirm(w, e, &shown, &seen);
    int rc;
    if (!crc && shown) {
        step(w, e->id, PKIWS_OUTBOX_STEP_SEARCHED);
        rc = pkiws__ob_mark(db, e->id, PKIWS_OUTBOX_DONE, e->success_code, 0, NULL, 0, 1);
        if (!rc)
            step(w, e->id, PKIWS_OUTBOX_STEP_DONE);
        pkiws__log(w->log, PKIWS_LOG_INFO, "outbox", e->txid, "entry %lld: done (%s)",
                   (long long)e->id, want_status(e->operation));
    } else if (!crc && e->success_code == -2) {
        /* the CA changed nothing and the certificate is not in the new status either (e.g.
         * revoking an expired certificate): no send can change that */
        rc = pkiws__fail(PKIWS_E_REJECTED,
                         "the CA changed nothing (successCode -2) and its search shows %s, not %s",
                         pkiws__buf_cstr(&seen), want_status(e->operation));
        rc = pkiws__ob_mark(db, e->id, PKIWS_OUTBOX_FAILED, e->success_code, rc,
                            pkiws__err_message(), 0, 1);
    } else {
        if (!crc)
            pkiws__fail(PKIWS_E_STATE, "the CA confirmed, but its search shows %s, not yet %s",
                        pkiws__buf_cstr(&seen), want_status(e->operation));
        rc = pkiws__ob_mark(db, e->id, PKIWS_OUTBOX_ACCEPTED, e->success_code,
                            crc ? crc : PKIWS_E_STATE, pkiws__err_message(),
                            backoff_at(w, e->checks + 1), 1);
    }
    pkiws__buf_dispose(&seen);
    return rc;
}

/* The next due entry (state QUEUED, SENT or ACCEPTED, next_at <= now): 1, or 0 when none. */
static int next_due(pkiws__db *db, pkiws__ob_entry *e)
{
    pkiws__stmt *st = NULL;
    int rc = pkiws__db_query(db, &st,
                             "SELECT " ENTRY_COLS " FROM outbox WHERE state IN (1, 2, 3) AND "
                             "next_at <= ? ORDER BY next_at, id LIMIT 1",
                             "i", pkiws__ob_now_ms());
    if (!rc && (rc = pkiws__db_step(st)) == 1)
        rc = read_entry(st, e) ? -1 : 1;
    pkiws__db_finalize(st);
    return rc;
}

static int64_t next_wake(pkiws__db *db)
{
    int64_t at = 0;
    if (pragma_int(db, "SELECT coalesce(min(next_at), 0) FROM outbox WHERE state IN (1, 2, 3)",
                   &at))
        return 0;
    return at;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

int pkiws__ob_run(pkiws__db *db, const pkiws__ob_worker *w, int64_t deadline_ms, int *pending)
{
    int rc = PKIWS_OK;
    *pending = 0;
    for (;;) {
        pkiws__ob_entry e;
        int due;
        while (!rc && (due = next_due(db, &e)) != 0) {
            if (due < 0) {
                rc = pkiws__err_code() ? pkiws__err_code() : PKIWS_E_IO;
                break;
            }
            if (e.state != PKIWS_OUTBOX_ACCEPTED)
                rc = send_entry(db, w, &e);
            if (!rc && e.state == PKIWS_OUTBOX_ACCEPTED)
                rc = check_entry(db, w, &e);
            pkiws__ob_entry_dispose(&e);
            if (deadline_ms && pkiws__ob_now_ms() >= deadline_ms)
                break;
        }
        int prc = pkiws__ob_pending(db, pending);
        if (rc || prc)
            return rc ? rc : prc;
        int64_t now = pkiws__ob_now_ms(), wake = next_wake(db);
        if (*pending == 0 || (deadline_ms && now >= deadline_ms))
            return PKIWS_OK;
        if (deadline_ms && wake > deadline_ms)
            wake = deadline_ms;
        if (wake > now)
            sleep_ms(wake - now);
    }
}
