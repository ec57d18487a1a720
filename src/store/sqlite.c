/* SPDX-License-Identifier: MIT */
/*
 * The SQLite adapter: the only file that includes <sqlite3.h>. One database file in WAL mode
 * with synchronous=FULL: a commit returns after the WAL is fsynced, so a committed transaction
 * survives kill -9 (which only needs the OS to have the pages: NORMAL would do) and a power loss
 * or kernel crash (which needs the fsync: FULL). The cost, one fsync per commit, is small next to
 * a network round trip per commit.
 */
#include "pkiws_internal.h"

#include <stdarg.h>

#include <sqlite3.h>

#include "store/store.h"

struct pkiws__db {
    sqlite3 *h;
    char *path;
};

struct pkiws__stmt {
    sqlite3_stmt *s;
    pkiws__db *db;
};

static int db_fail(const pkiws__db *db, const char *what)
{
    return pkiws__fail(PKIWS_E_IO, "outbox database '%s': %s: %s", db->path, what,
                       db->h ? sqlite3_errmsg(db->h) : "cannot allocate");
}

int pkiws__db_open(const char *path, int busy_timeout_ms, pkiws__db **out)
{
    *out = NULL;
    pkiws__db *db = pkiws__calloc(1, sizeof *db);
    if (!db || !(db->path = pkiws__strdup(path))) {
        pkiws__free(db);
        return pkiws__fail(PKIWS_E_NOMEM, "out of memory opening '%s'", path);
    }
    int rc = PKIWS_OK;
    if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK)
        rc = db_fail(db, "cannot open");
    if (!rc)
        sqlite3_busy_timeout(db->h, busy_timeout_ms);
    /* WAL: readers (pkiws outbox list) never block the worker, and a commit is one append */
    pkiws__stmt *st = NULL;
    if (!rc)
        rc = pkiws__db_query(db, &st, "PRAGMA journal_mode=WAL", "");
    if (!rc && (rc = pkiws__db_step(st)) == 1) {
        const char *mode = pkiws__db_col_text(st, 0);
        rc = mode && strcmp(mode, "wal") == 0
                 ? PKIWS_OK
                 : pkiws__fail(PKIWS_E_IO,
                               "outbox database '%s': the file system refuses WAL mode "
                               "(journal mode '%s'); put the file on a local disk",
                               path, mode ? mode : "?");
    } else if (!rc) {
        rc = db_fail(db, "no answer to PRAGMA journal_mode");
    }
    pkiws__db_finalize(st);
    if (!rc)
        rc = pkiws__db_exec(db, "PRAGMA synchronous=FULL");
    if (rc) {
        pkiws__db_close(db);
        return rc;
    }
    *out = db;
    return PKIWS_OK;
}

void pkiws__db_close(pkiws__db *db)
{
    if (!db)
        return;
    sqlite3_close(db->h); /* every statement is finalized by its user */
    pkiws__free(db->path);
    pkiws__free(db);
}

int pkiws__db_exec(pkiws__db *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) == SQLITE_OK)
        return PKIWS_OK;
    int rc = pkiws__fail(PKIWS_E_IO, "outbox database '%s': %s", db->path,
                         msg ? msg : sqlite3_errmsg(db->h));
    sqlite3_free(msg);
    return rc;
}

static int prepare(pkiws__db *db, pkiws__stmt **out, const char *sql, const char *types, va_list ap)
{
    *out = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db->h, sql, -1, &s, NULL) != SQLITE_OK)
        return db_fail(db, "cannot prepare a statement");
    int rc = SQLITE_OK;
    for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
        if (types[i] == 'i') {
            rc = sqlite3_bind_int64(s, i + 1, (sqlite3_int64)va_arg(ap, int64_t));
        } else {
            const char *t = va_arg(ap, const char *);
            rc = t ? sqlite3_bind_text(s, i + 1, t, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(s, i + 1);
        }
    }
    pkiws__stmt *st = rc == SQLITE_OK ? pkiws__calloc(1, sizeof *st) : NULL;
    if (!st) {
        int code = rc == SQLITE_OK ? pkiws__fail(PKIWS_E_NOMEM, "out of memory")
                                   : db_fail(db, "cannot bind a parameter");
        sqlite3_finalize(s);
        return code;
    }
    st->s = s;
    st->db = db;
    *out = st;
    return PKIWS_OK;
}

int pkiws__db_query(pkiws__db *db, pkiws__stmt **out, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = prepare(db, out, sql, types, ap);
    va_end(ap);
    return rc;
}

int pkiws__db_run(pkiws__db *db, int *changes, const char *sql, const char *types, ...)
{
    if (changes)
        *changes = 0;
    pkiws__stmt *st = NULL;
    va_list ap;
    va_start(ap, types);
    int rc = prepare(db, &st, sql, types, ap);
    va_end(ap);
    if (!rc && (rc = pkiws__db_step(st)) > 0)
        rc = PKIWS_OK; /* a row from a statement run for its effect is ignored */
    if (!rc && changes)
        *changes = sqlite3_changes(db->h);
    pkiws__db_finalize(st);
    return rc;
}

int pkiws__db_step(pkiws__stmt *st)
{
    int rc = sqlite3_step(st->s);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return db_fail(st->db, rc == SQLITE_BUSY ? "locked by another process" : "statement failed");
}

int64_t pkiws__db_col_int(pkiws__stmt *st, int col)
{
    return (int64_t)sqlite3_column_int64(st->s, col);
}

const char *pkiws__db_col_text(pkiws__stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st->s, col);
}

void pkiws__db_finalize(pkiws__stmt *st)
{
    if (!st)
        return;
    sqlite3_finalize(st->s);
    pkiws__free(st);
}

int64_t pkiws__db_last_id(pkiws__db *db)
{
    return (int64_t)sqlite3_last_insert_rowid(db->h);
}

const char *pkiws__db_path(const pkiws__db *db)
{
    return db->path;
}
