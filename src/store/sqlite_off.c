/* SPDX-License-Identifier: MIT */
/*
 * -Dsqlite=disabled: the SQLite store is left out of the library. Its entry points stay, so that
 * the outbox functions (and the exports) are those of the full build; opening a store fails with
 * PKIWS_E_UNSUPPORTED, and without an open store nothing else is reached.
 */
#include "pkiws_internal.h"

#include "store/store.h"

int pkiws__db_open(const char *path, int busy_timeout_ms, pkiws__db **out)
{
    (void)busy_timeout_ms;
    *out = NULL;
    return pkiws__fail(PKIWS_E_UNSUPPORTED,
                       "cannot open '%s': the durable outbox needs SQLite, which is not built "
                       "into this library (-Dsqlite=disabled)",
                       path);
}

void pkiws__db_close(pkiws__db *db)
{
    (void)db;
}

int pkiws__db_exec(pkiws__db *db, const char *sql)
{
    (void)db;
    (void)sql;
    return PKIWS_E_UNSUPPORTED;
}

int pkiws__db_run(pkiws__db *db, int *changes, const char *sql, const char *types, ...)
{
    (void)db;
    (void)sql;
    (void)types;
    if (changes)
        *changes = 0;
    return PKIWS_E_UNSUPPORTED;
}

int pkiws__db_query(pkiws__db *db, pkiws__stmt **out, const char *sql, const char *types, ...)
{
    (void)db;
    (void)sql;
    (void)types;
    *out = NULL;
    return PKIWS_E_UNSUPPORTED;
}

int pkiws__db_step(pkiws__stmt *st)
{
    (void)st;
    return PKIWS_E_UNSUPPORTED;
}

int64_t pkiws__db_col_int(pkiws__stmt *st, int col)
{
    (void)st;
    (void)col;
    return 0;
}

const char *pkiws__db_col_text(pkiws__stmt *st, int col)
{
    (void)st;
    (void)col;
    return NULL;
}

void pkiws__db_finalize(pkiws__stmt *st)
{
    (void)st;
}

int64_t pkiws__db_last_id(pkiws__db *db)
{
    (void)db;
    return 0;
}

const char *pkiws__db_path(const pkiws__db *db)
{
    (void)db;
    return "";
}
