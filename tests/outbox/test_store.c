/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the outbox store (core/outbox.c over store/sqlite.c): schema creation and
 * reopen, entries and their stored clientTransactionIDs across reopen, no pending twins, the
 * state transitions, refusal of foreign, newer and non-database files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "../tmpdir.h"

#include "pkiws_internal.h"

#include "core/outbox.h"

static char dir[256];
static char path[300];

static int setup(void **state)
{
    (void)state;
    assert_int_equal(test_mkdtemp(dir, sizeof dir, "pkiws-outbox-store"), 0);
    snprintf(path, sizeof path, "%s/outbox.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_rmtree(dir, "pkiws-outbox-store");
}

static int exists(const char *suffix)
{
    char p[320];
    snprintf(p, sizeof p, "%s%s", path, suffix);
    return access(p, F_OK) == 0;
}

static void test_schema_created_and_reopened(void **state)
{
    (void)state;
    pkiws__db *db = NULL;
    assert_int_equal(pkiws__ob_open(path, &db), PKIWS_OK);
    assert_true(exists(""));
    assert_true(exists("-wal")); /* WAL mode */
    int n = -1;
    assert_int_equal(pkiws__ob_pending(db, &n), PKIWS_OK);
    assert_int_equal(n, 0);
    int64_t id = 0;
    assert_int_equal(
        pkiws__ob_add(db, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, "ABC1", 1, "KeyCompromise", &id),
        PKIWS_OK);
    assert_int_equal(id, 1);
    pkiws__db_close(db);
    /* reopen: the schema is found (not made again), the entry is there */
    assert_int_equal(pkiws__ob_open(path, &db), PKIWS_OK);
    assert_int_equal(pkiws__ob_pending(db, &n), PKIWS_OK);
    assert_int_equal(n, 1);
    pkiws__ob_entry e;
    assert_int_equal(pkiws__ob_get(db, 1, &e), PKIWS_OK);
    assert_string_equal(e.target, "ABC1");
    assert_string_equal(e.reason_name, "KeyCompromise");
    assert_int_equal(e.reason, 1);
    assert_int_equal(e.operation, PKIWS_OP_REVOKE);
    assert_int_equal(e.selector, PKIWS_BY_SERIAL);
    assert_int_equal(e.state, PKIWS_OUTBOX_QUEUED);
    assert_int_equal(e.attempts, 0);
    assert_null(e.last_error);
    assert_true(e.created_ms > 1600000000000);
    pkiws__ob_entry_dispose(&e);
    assert_int_equal(pkiws__ob_get(db, 99, &e), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws__err_message(), "no entry 99"));
    pkiws__db_close(db);
}

static void test_txid_stored_once_and_stable(void **state)
{
    (void)state;
    pkiws__db *db = NULL;
    assert_int_equal(pkiws__ob_open(path, &db), PKIWS_OK);
    int64_t ids[3];
    const char *targets[3] = {"01", "02", "seat-3"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(pkiws__ob_add(db, PKIWS_OP_REVOKE,
                                       i == 2 ? PKIWS_BY_SEAT : PKIWS_BY_SERIAL, targets[i], -1,
                                       NULL, &ids[i]),
                         PKIWS_OK);
    pkiws__ob_entry *v = NULL;
    size_t n = 0;
    assert_int_equal(pkiws__ob_list(db, 0, &v, &n), PKIWS_OK);
    assert_int_equal(n, 3);
    char txids[3][41];
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(v[i].id, ids[i]);
        assert_int_equal(strlen(v[i].txid), 26); /* pkiws-obx-<16 hex> */
        assert_memory_equal(v[i].txid, "pkiws-obx-", 10);
        snprintf(txids[i], sizeof txids[i], "%s", v[i].txid);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(txids[i], txids[j]);
    }
    pkiws__ob_entries_free(v, n);
    /* every transition and a reopen keep the txid */
    assert_int_equal(pkiws__ob_mark_sending(db, ids[0]), PKIWS_OK);
    assert_int_equal(pkiws__ob_mark_sending(db, ids[0]), PKIWS_OK);
    assert_int_equal(pkiws__ob_mark(db, ids[0], PKIWS_OUTBOX_ACCEPTED, -2, 0, NULL, 0, 0),
                     PKIWS_OK);
    pkiws__db_close(db);
    assert_int_equal(pkiws__ob_open(path, &db), PKIWS_OK);
    assert_int_equal(pkiws__ob_list(db, 1, &v, &n), PKIWS_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(v[i].txid, txids[i]);
    assert_int_equal(v[0].attempts, 2);
    assert_int_equal(v[0].success_code, -2);
    assert_int_equal(v[0].state, PKIWS_OUTBOX_ACCEPTED);
    assert_int_equal(v[2].selector, PKIWS_BY_SEAT);
    assert_string_equal(v[2].target, "seat-3");
    pkiws__ob_entries_free(v, n);
    pkiws__db_close(db);
}

static void test_no_pending_twins(void **state)
{
    (void)state;
    pkiws__db *db = NULL;
    assert_int_equal(pkiws__ob_open(path, &db), PKIWS_OK);
    int64_t a = 0, b = 0, c = 0, d = 0;
    assert_int_equal(pkiws__ob_add(db, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, "AA", -1, NULL, &a),
                     PKIWS_OK);
    assert_int_equal(pkiws__ob_add(db, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, "AA", 1, NULL, &b),
                     PKIWS_OK);
    assert_int_equal(a, b); /* the pending one */
    assert_int_equal(pkiws__ob_add(db, PKIWS_OP_SUSPEND, PKIWS_BY_SERIAL, "AA", -1, NULL, &c),
                     PKIWS_OK);
    assert_int_not_equal(c, a); /* another operation */
    assert_int_equal(pkiws__ob_mark(db, a, PKIWS_OUTBOX_DONE, 0, 0, NULL, 0, 1), PKIWS_OK);
    assert_int_equal(pkiws__ob_add(db, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, "AA", -1, NULL, &d),
                     PKIWS_OK);
    assert_true(d > c); /* a finished entry does not absorb a new one */
    int n = 0;
    assert_int_equal(pkiws__ob_pending(db, &n), PKIWS_OK);
    assert_int_equal(n, 2);
    pkiws__db_close(db);
}

static void test_state_transitions(void **state)
{
    (void)state;
    pkiws__db *db = NULL;
    assert_int_equal(pkiws__ob_open(path, &db), PKIWS_OK);
    int64_t id = 0, id2 = 0;
    assert_int_equal(pkiws__ob_add(db, PKIWS_OP_REVOKE, PKIWS_BY_SERIAL, "B1", -1, NULL, &id),
                     PKIWS_OK);
    assert_int_equal(pkiws__ob_add(db, PKIWS_OP_RESUME, PKIWS_BY_SERIAL, "B2", -1, NULL, &id2),
                     PKIWS_OK);
    pkiws__ob_entry e;
    /* queued -> sent (attempt counted before the send) */
    assert_int_equal(pkiws__ob_mark_sending(db, id), PKIWS_OK);
    assert_int_equal(pkiws__ob_get(db, id, &e), PKIWS_OK);
    assert_int_equal(e.state, PKIWS_OUTBOX_SENT);
    assert_int_equal(e.attempts, 1);
    pkiws__ob_entry_dispose(&e);
    /* a failed send: still sent, the error and the next attempt recorded */
    int64_t later = pkiws__ob_now_ms() + 60000;
    assert_int_equal(pkiws__ob_mark(db, id, PKIWS_OUTBOX_SENT, 0, PKIWS_E_TIMEOUT,
                                    "timed out after 5000 ms", later, 0),
                     PKIWS_OK);
    assert_int_equal(pkiws__ob_get(db, id, &e), PKIWS_OK);
    assert_int_equal(e.last_code, PKIWS_E_TIMEOUT);
    assert_string_equal(e.last_error, "timed out after 5000 ms");
    assert_int_equal(e.next_at_ms, later);
    pkiws__ob_entry_dispose(&e);
    /* accepted clears the error; a search counts a check; done ends it */
    assert_int_equal(pkiws__ob_mark(db, id, PKIWS_OUTBOX_ACCEPTED, 0, 0, NULL, 0, 0), PKIWS_OK);
    assert_int_equal(pkiws__ob_mark(db, id, PKIWS_OUTBOX_DONE, 0, 0, NULL, 0, 1), PKIWS_OK);
    assert_int_equal(pkiws__ob_get(db, id, &e), PKIWS_OK);
    assert_int_equal(e.state, PKIWS_OUTBOX_DONE);
    assert_null(e.last_error);
    assert_int_equal(e.last_code, 0);
    assert_int_equal(e.checks, 1);
    assert_int_equal(e.attempts, 1);
    pkiws__ob_entry_dispose(&e);
    /* failed */
    assert_int_equal(
        pkiws__ob_mark(db, id2, PKIWS_OUTBOX_FAILED, -1, PKIWS_E_REJECTED, "successCode -1", 0, 0),
        PKIWS_OK);
    int n = -1;
    assert_int_equal(pkiws__ob_pending(db, &n), PKIWS_OK);
    assert_int_equal(n, 0);
    pkiws__ob_entry *v = NULL;
    size_t len = 9;
    assert_int_equal(pkiws__ob_list(db, 0, &v, &len), PKIWS_OK);
    assert_int_equal(len, 0);
    assert_int_equal(pkiws__ob_list(db, 1, &v, &len), PKIWS_OK);
    assert_int_equal(len, 2);
    assert_int_equal(v[1].state, PKIWS_OUTBOX_FAILED);
    assert_int_equal(v[1].success_code, -1);
    pkiws__ob_entries_free(v, len);
    pkiws__db_close(db);
}

static void test_foreign_newer_and_broken_files(void **state)
{
    (void)state;
    /* another application's database */
    pkiws__db *raw = NULL;
    assert_int_equal(pkiws__db_open(path, 1000, &raw), PKIWS_OK);
    assert_int_equal(pkiws__db_exec(raw, "CREATE TABLE notes (x TEXT)"), PKIWS_OK);
    pkiws__db_close(raw);
    pkiws__db *db = NULL;
    assert_int_equal(pkiws__ob_open(path, &db), PKIWS_E_INVALID_ARG);
    assert_null(db);
    assert_non_null(strstr(pkiws__err_message(), "another application"));
    assert_non_null(strstr(pkiws__err_message(), path));
    /* an outbox of a newer schema */
    char newer[320];
    snprintf(newer, sizeof newer, "%s/newer.db", dir);
    assert_int_equal(pkiws__ob_open(newer, &db), PKIWS_OK);
    pkiws__db_close(db);
    assert_int_equal(pkiws__db_open(newer, 1000, &raw), PKIWS_OK);
    assert_int_equal(pkiws__db_exec(raw, "PRAGMA user_version = 7"), PKIWS_OK);
    pkiws__db_close(raw);
    assert_int_equal(pkiws__ob_open(newer, &db), PKIWS_E_UNSUPPORTED);
    assert_non_null(strstr(pkiws__err_message(), "version 7"));
    /* not a database at all */
    char text[320];
    snprintf(text, sizeof text, "%s/text.db", dir);
    FILE *f = fopen(text, "w");
    assert_non_null(f);
    fputs("this is not an SQLite database, just a text file long enough to have a header\n", f);
    fclose(f);
    assert_int_equal(pkiws__ob_open(text, &db), PKIWS_E_IO);
    assert_non_null(strstr(pkiws__err_message(), text));
    /* a directory that does not exist */
    assert_int_equal(pkiws__ob_open("/nonexistent-dir/x/outbox.db", &db), PKIWS_E_IO);
    assert_non_null(strstr(pkiws__err_message(), "/nonexistent-dir/x/outbox.db"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_created_and_reopened, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txid_stored_once_and_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_pending_twins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_transitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_newer_and_broken_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
