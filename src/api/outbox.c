/* SPDX-License-Identifier: MIT */
/* pkiws_outbox_*: the durable revocation outbox's entry points (core/outbox.c does the work). */
#include "pkiws_internal.h"

#include "api/api_int.h"
#include "core/outbox.h"
#include "util/callback.h"

#define OB_MAX_BACKOFF_MS (5 * 60 * 1000)

struct pkiws_outbox {
    uint32_t magic;
    pkiws_session *session; /* a reference */
    pkiws__db *db;
    pkiws_outbox_step_cb step_cb;
    void *step_user;
    pkiws__ob_entry *snap; /* pkiws_outbox_list */
    size_t nsnap;
};

PKIWS_API int pkiws_outbox_open(pkiws_session *session, const char *path, pkiws_outbox **out)
{
    PKIWS__ENTER();
    if (!out)
        return pkiws__arg_fail("pkiws_outbox_open", "out is NULL");
    *out = NULL;
    int rc = pkiws__check_session(session, "pkiws_outbox_open");
    if (rc)
        return rc;
    if (pkiws__is_blank(path))
        return pkiws__arg_fail("pkiws_outbox_open", "the outbox file name is empty");
    pkiws_outbox *ob = pkiws__calloc(1, sizeof *ob);
    if (!ob)
        return pkiws__fail(PKIWS_E_NOMEM, "pkiws_outbox_open: out of memory");
    if ((rc = pkiws__ob_open(path, &ob->db)) || (rc = pkiws__handle_add(ob, PKIWS__MAGIC_OUTBOX))) {
        pkiws__db_close(ob->db);
        pkiws__free(ob);
        return rc;
    }
    ob->magic = PKIWS__MAGIC_OUTBOX;
    atomic_fetch_add(&session->refs, 1);
    ob->session = session;
    *out = ob;
    return PKIWS_OK;
}

PKIWS_API void pkiws_outbox_free(pkiws_outbox *ob)
{
    if (!pkiws__handle_release(ob, PKIWS__MAGIC_OUTBOX))
        return;
    ob->magic = PKIWS__MAGIC_DEAD;
    pkiws__ob_entries_free(ob->snap, ob->nsnap);
    pkiws__db_close(ob->db);
    pkiws__session_unref(ob->session);
    pkiws__free(ob);
}

PKIWS_API int pkiws_outbox_add(pkiws_outbox *ob, int operation, int selector, const char *id,
                               int reason, int64_t *entry_id)
{
    PKIWS__ENTER();
    int rc = pkiws__check_outbox(ob, "pkiws_outbox_add");
    if (rc)
        return rc;
    if (!entry_id)
        return pkiws__arg_fail("pkiws_outbox_add", "entry_id is NULL");
    *entry_id = 0;
    if (operation < PKIWS_OP_REVOKE || operation > PKIWS_OP_RESUME)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "pkiws_outbox_add: operation %d is not a PKIWS_OP_*", operation);
    if (selector != PKIWS_BY_SERIAL && selector != PKIWS_BY_SEAT)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "pkiws_outbox_add: selector %d is not PKIWS_BY_SERIAL or PKIWS_BY_SEAT",
                           selector);
    if (pkiws__is_blank(id))
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_outbox_add: the %s is empty",
                           selector == PKIWS_BY_SEAT ? "seat id" : "serial");
    const char *reason_name = NULL;
    if (reason != PKIWS_REASON_NONE && !(reason_name = pkiws__reason_text(reason)))
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "pkiws_outbox_add: reason %d is not a PKIWS_REASON_*", reason);
    pkiws_buf serial = PKIWS_BUF_INIT;
    if (selector == PKIWS_BY_SERIAL)
        rc = pkiws__normalize_serial(id, &serial);
    if (!rc)
        rc = pkiws__ob_add(ob->db, operation, selector,
                           selector == PKIWS_BY_SERIAL ? pkiws__buf_cstr(&serial) : id, reason,
                           reason_name, entry_id);
    pkiws__buf_dispose(&serial);
    return rc;
}

static void on_step(void *user_data, int64_t id, int step)
{
    pkiws_outbox *ob = user_data;
    if (!ob->step_cb)
        return;
    pkiws__callback_frame f;
    pkiws__callback_enter(&f);
    ob->step_cb(id, step, ob->step_user);
    pkiws__callback_leave(&f);
}

PKIWS_API int pkiws_outbox_run(pkiws_outbox *ob, int max_seconds, int *pending)
{
    PKIWS__ENTER();
    if (pending)
        *pending = 0;
    int rc = pkiws__check_outbox(ob, "pkiws_outbox_run");
    if (rc)
        return rc;
    if (max_seconds < 0)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "pkiws_outbox_run: max_seconds %d is negative (0: no deadline)",
                           max_seconds);
    int64_t deadline = max_seconds ? pkiws__ob_now_ms() + (int64_t)max_seconds * 1000 : 0;
    int left = 0;
    /* nothing pending: no session snapshot, no client (and no configuration needed) */
    if ((rc = pkiws__ob_pending(ob->db, &left)) || left == 0) {
        if (pending)
            *pending = left;
        return rc;
    }
    pkiws__conf *conf = NULL;
    pkiws__client *c = NULL;
    rc = pkiws__session_acquire(ob->session, &conf);
    if (!rc)
        rc = pkiws__conf_client(conf, &c);
    if (!rc) {
        pkiws__ob_worker w = {
            c, conf->set.retry_backoff_ms, OB_MAX_BACKOFF_MS, on_step, ob, &conf->set.log};
        rc = pkiws__ob_run(ob->db, &w, deadline, &left);
    } else {
        pkiws__ob_pending(ob->db, &left);
    }
    pkiws__conf_release(conf);
    if (pending)
        *pending = left;
    return rc;
}

PKIWS_API int pkiws_outbox_pending_count(pkiws_outbox *ob, int *count)
{
    PKIWS__ENTER();
    if (count)
        *count = 0;
    int rc = pkiws__check_outbox(ob, "pkiws_outbox_pending_count");
    if (rc)
        return rc;
    if (!count)
        return pkiws__arg_fail("pkiws_outbox_pending_count", "count is NULL");
    return pkiws__ob_pending(ob->db, count);
}

PKIWS_API int pkiws_outbox_list(pkiws_outbox *ob, int all, size_t *count)
{
    PKIWS__ENTER();
    if (count)
        *count = 0;
    int rc = pkiws__check_outbox(ob, "pkiws_outbox_list");
    if (rc)
        return rc;
    if (!count)
        return pkiws__arg_fail("pkiws_outbox_list", "count is NULL");
    if (all != 0 && all != 1)
        return pkiws__fail(PKIWS_E_INVALID_ARG, "pkiws_outbox_list: all is %d, not 0 or 1", all);
    pkiws__ob_entry *v = NULL;
    size_t n = 0;
    if ((rc = pkiws__ob_list(ob->db, all, &v, &n)))
        return rc;
    pkiws__ob_entries_free(ob->snap, ob->nsnap);
    ob->snap = v;
    ob->nsnap = n;
    *count = n;
    return PKIWS_OK;
}

static int snap_entry(pkiws_outbox *ob, size_t index, const char *fn, const pkiws__ob_entry **e)
{
    int rc = pkiws__check_outbox(ob, fn);
    if (rc)
        return rc;
    if (index >= ob->nsnap)
        return pkiws__fail(PKIWS_E_INVALID_ARG,
                           "%s: index %zu is outside the snapshot of %zu entries (take one with "
                           "pkiws_outbox_list)",
                           fn, index, ob->nsnap);
    *e = &ob->snap[index];
    return PKIWS_OK;
}

PKIWS_API int pkiws_outbox_entry_int(pkiws_outbox *ob, size_t index, int item, int64_t *value)
{
    PKIWS__ENTER();
    if (!value)
        return pkiws__arg_fail("pkiws_outbox_entry_int", "value is NULL");
    *value = 0;
    const pkiws__ob_entry *e = NULL;
    int rc = snap_entry(ob, index, "pkiws_outbox_entry_int", &e);
    if (rc)
        return rc;
    switch (item) {
    case PKIWS_OUTBOX_ITEM_ID:
        *value = e->id;
        break;
    case PKIWS_OUTBOX_ITEM_OPERATION:
        *value = e->operation;
        break;
    case PKIWS_OUTBOX_ITEM_SELECTOR:
        *value = e->selector;
        break;
    case PKIWS_OUTBOX_ITEM_REASON:
        *value = e->reason;
        break;
    case PKIWS_OUTBOX_ITEM_STATE:
        *value = e->state;
        break;
    case PKIWS_OUTBOX_ITEM_ATTEMPTS:
        *value = e->attempts;
        break;
    case PKIWS_OUTBOX_ITEM_SUCCESS_CODE:
        *value = e->success_code;
        break;
    case PKIWS_OUTBOX_ITEM_LAST_CODE:
        *value = e->last_code;
        break;
    case PKIWS_OUTBOX_ITEM_NEXT_ATTEMPT:
        *value = e->next_at_ms;
        break;
    case PKIWS_OUTBOX_ITEM_CREATED:
        *value = e->created_ms;
        break;
    default:
        return pkiws__fail(PKIWS_E_UNKNOWN_OPTION,
                           "pkiws_outbox_entry_int: %d is not an integer PKIWS_OUTBOX_ITEM_*",
                           item);
    }
    return PKIWS_OK;
}

PKIWS_API const char *pkiws_outbox_entry_str(pkiws_outbox *ob, size_t index, int item)
{
    PKIWS__ENTER();
    const pkiws__ob_entry *e = NULL;
    if (snap_entry(ob, index, "pkiws_outbox_entry_str", &e))
        return NULL;
    switch (item) {
    case PKIWS_OUTBOX_ITEM_TARGET:
        return e->target;
    case PKIWS_OUTBOX_ITEM_TXID:
        return e->txid;
    case PKIWS_OUTBOX_ITEM_LAST_ERROR:
        return e->last_error;
    default:
        pkiws__fail(PKIWS_E_UNKNOWN_OPTION,
                    "pkiws_outbox_entry_str: %d is not a text PKIWS_OUTBOX_ITEM_*", item);
        return NULL;
    }
}

PKIWS_API int pkiws_outbox_set_step_callback(pkiws_outbox *ob, pkiws_outbox_step_cb cb,
                                             void *user_data)
{
    PKIWS__ENTER();
    int rc = pkiws__check_outbox(ob, "pkiws_outbox_set_step_callback");
    if (rc)
        return rc;
    ob->step_cb = cb;
    ob->step_user = cb ? user_data : NULL;
    return PKIWS_OK;
}

PKIWS_API const char *pkiws_outbox_state_name(int state)
{
    switch (state) {
    case PKIWS_OUTBOX_QUEUED:
        return "queued";
    case PKIWS_OUTBOX_SENT:
        return "sent";
    case PKIWS_OUTBOX_ACCEPTED:
        return "accepted";
    case PKIWS_OUTBOX_DONE:
        return "done";
    case PKIWS_OUTBOX_FAILED:
        return "failed";
    default:
        return "unknown";
    }
}
