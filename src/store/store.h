/* SPDX-License-Identifier: MIT */
/*
 * A durable store: one SQLite database file (src/store/sqlite.c is the only file that sees
 * <sqlite3.h>). Opened in WAL mode with synchronous=FULL, so that every committed transaction
 * is on disk (WAL fsynced) when the commit returns: it survives kill -9 and a power loss.
 * Statements are prepared with '?' parameters bound from a type string: 'i' int64_t, 't' const
 * char * (NULL binds SQL NULL). Failures are PKIWS_E_IO naming the file and SQLite's message
 * (PKIWS_E_UNSUPPORTED when the library is built without SQLite).
 */
#ifndef PKIWS_STORE_STORE_H
#define PKIWS_STORE_STORE_H

#include <stdint.h>

typedef struct pkiws__db pkiws__db;
typedef struct pkiws__stmt pkiws__stmt;

/* Open (create) the database at path; busy_timeout_ms is how long a statement waits for
 * another process's write lock. */
int pkiws__db_open(const char *path, int busy_timeout_ms, pkiws__db **out);
void pkiws__db_close(pkiws__db *db);
/* SQL without parameters or rows (several statements separated by ';'). */
int pkiws__db_exec(pkiws__db *db, const char *sql);
/* One statement without rows, parameters bound by types ("iit" ...). *changes (may be NULL)
 * is the number of rows it changed. */
int pkiws__db_run(pkiws__db *db, int *changes, const char *sql, const char *types, ...);
/* A statement that returns rows: prepare and bind; then pkiws__db_step until it returns 0. */
int pkiws__db_query(pkiws__db *db, pkiws__stmt **out, const char *sql, const char *types, ...);
/* 1: a row is ready; 0: done; < 0: a PKIWS_E_* code. */
int pkiws__db_step(pkiws__stmt *st);
int64_t pkiws__db_col_int(pkiws__stmt *st, int col);
/* The column's text (NULL for SQL NULL), valid until the next step or finalize. */
const char *pkiws__db_col_text(pkiws__stmt *st, int col);
void pkiws__db_finalize(pkiws__stmt *st);
/* The rowid of the last INSERT on db. */
int64_t pkiws__db_last_id(pkiws__db *db);
/* The file the database was opened from (for messages). */
const char *pkiws__db_path(const pkiws__db *db);

#endif
