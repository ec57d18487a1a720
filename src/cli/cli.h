/* SPDX-License-Identifier: MIT */
/* The pkiws command-line tool: what its files share (context, outcome, files, enumerations). */
#ifndef PKIWS_CLI_H
#define PKIWS_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <pkiws/pkiws.h>

#include "args.h"
#include "json.h"

/* Exit statuses (product.md §9). */
#define PKIWS__CLI_EXIT_OK 0
#define PKIWS__CLI_EXIT_FAILED 1
#define PKIWS__CLI_EXIT_USAGE 2
#define PKIWS__CLI_EXIT_PENDING 3

/* Largest file the tool reads (certificates, keys, PFX, templates, configs). */
#define PKIWS__CLI_MAX_FILE (16u * 1024u * 1024u)

/* What one run of a subcommand knows about itself. */
typedef struct pkiws__cli {
    const char *cmd;      /* "preflight", ...; "" before the subcommand is known */
    const char *synopsis; /* what follows "pkiws CMD " in the usage line */
    int json;             /* --json */
    int verbose;          /* number of -v */
} pkiws__cli;

/* ---- outcome: the common status fields of every answer (report.c) --------------------- */

typedef struct pkiws__cli_outcome {
    int status;    /* PKIWS_STATUS_* */
    int code;      /* PKIWS_OK or PKIWS_E_* */
    char *message; /* owned; "" on success */
    char *remedy;  /* owned; NULL when none */
    int retryable;
} pkiws__cli_outcome;

void pkiws__cli_outcome_init(pkiws__cli_outcome *o);
/* A failure of the library: code, message and remedy of the thread's last error. */
void pkiws__cli_outcome_last(pkiws__cli_outcome *o, int code);
/* The status of a result (rc when the result is NULL: then from the last error). */
void pkiws__cli_outcome_result(pkiws__cli_outcome *o, const pkiws_result *res, int rc);
/* A failure found by the tool itself (a file it cannot read, ...). */
void pkiws__cli_outcome_fail(pkiws__cli_outcome *o, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void pkiws__cli_outcome_dispose(pkiws__cli_outcome *o);

/* Open the JSON answer on stdout and write the common fields. */
void pkiws__cli_json_begin(pkiws__cli_json *j, const pkiws__cli_outcome *o);
/* Close the JSON answer. */
void pkiws__cli_json_finish(pkiws__cli_json *j);
/* Human mode: print a failure (message and remedy) on stderr. Both modes: dispose of the
 * outcome and return the exit status for it. */
int pkiws__cli_finish(const pkiws__cli *cli, pkiws__cli_outcome *o);
/* A complete answer without payload (JSON or human); returns the exit status. */
int pkiws__cli_answer(const pkiws__cli *cli, pkiws__cli_outcome *o);
/* A usage error: message and a one-line hint on stderr (and the JSON answer with --json);
 * returns PKIWS__CLI_EXIT_USAGE. */
int pkiws__cli_usage_error(const pkiws__cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- memory (mem.c: the tool's only calls to the C allocator) --------------------------- */

void *pkiws__cli_malloc(size_t n);
char *pkiws__cli_strdup(const char *s);
char *pkiws__cli_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *pkiws__cli_vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
void pkiws__cli_free(void *p);
/* Wipe (explicit_bzero) n bytes, or strlen(p) + 1 when n is 0, then free. NULL is fine. */
void pkiws__cli_free_secret(void *p, size_t n);
void pkiws__cli_wipe(void *p, size_t n);

/* ---- files (file.c) -------------------------------------------------------------------- */

typedef struct pkiws__cli_data {
    uint8_t *p; /* NUL-terminated (not counted in len) */
    size_t len;
    int secret; /* wiped when disposed */
} pkiws__cli_data;

/* Read a whole file ("-" is stdin). @p what names it in messages ("certificate file").
 * On failure fills @p o (PKIWS_E_IO / PKIWS_E_LIMIT) and returns that code. */
int pkiws__cli_read(const char *what, const char *path, int secret, pkiws__cli_data *out,
                    pkiws__cli_outcome *o);
void pkiws__cli_data_dispose(pkiws__cli_data *d);

/* A file written next to its destination and moved into place on commit, so a failure
 * never leaves a half-written file and a secret file is never readable by others. */
typedef struct pkiws__cli_staged {
    char *path;
    char *tmp;
} pkiws__cli_staged;

/* Write @p data to a temporary file beside @p path with mode 0600 when @p secret, else
 * 0666 minus the umask. */
int pkiws__cli_stage(const char *what, const char *path, const void *data, size_t len, int secret,
                     pkiws__cli_staged *st, pkiws__cli_outcome *o);
/* Move the staged file onto its path. */
int pkiws__cli_commit(const char *what, pkiws__cli_staged *st, pkiws__cli_outcome *o);
/* Remove a staged file that was not committed (safe after commit and on zeroed structs). */
void pkiws__cli_discard(pkiws__cli_staged *st);
/* Whether a file can be written at @p path (a temporary file beside it is made and removed):
 * checked before asking the CA for something that could not be saved. Fills @p o on failure. */
int pkiws__cli_check_writable(const char *what, const char *path, pkiws__cli_outcome *o);

/* ---- names of enumerations on the command line (names.c) ------------------------------ */

/* Each returns 0 and sets *out, or -1 when @p text is not one of the names. */
int pkiws__cli_subject_format(const char *text, int *out);
int pkiws__cli_key_type(const char *text, int *out);
int pkiws__cli_pfx_preset(const char *text, int *out);
int pkiws__cli_transport(const char *text, int *out);
/* A revocation reason by its schema name (KeyCompromise, ...), case-insensitive. */
int pkiws__cli_reason(const char *text, int *out);
/* The schema name of a PKIWS_REASON_*; NULL for PKIWS_REASON_NONE and unknown values. */
const char *pkiws__cli_reason_name(int reason);
/* "KeyCompromise, CACompromise, ...": every reason name, for messages. */
const char *pkiws__cli_reason_list(void);
/* "email,upn,othername" into a PKIWS_SAN_* bit set; on failure *bad is the bad item
 * (pointer into @p text) and *bad_len its length. */
int pkiws__cli_san_types(const char *text, unsigned *out, const char **bad, size_t *bad_len);
/* A PKIWS_FIELD_* by its pkiws_field_name(); -1 when unknown. */
int pkiws__cli_field(const char *text, int *out);
const char *pkiws__cli_status_name(int status); /* "ok", "pending", "failed" */
const char *pkiws__cli_key_type_name(int key_type);
const char *pkiws__cli_pfx_preset_name(int preset);
/* A decimal integer in [min, max] (no sign for positive, no spaces); 0 or -1. */
int pkiws__cli_parse_int(const char *text, int64_t min, int64_t max, int64_t *out);
/* Epoch seconds as "2026-11-21T23:02:03Z" into buf (at least 32 bytes). */
void pkiws__cli_time(int64_t t, char *buf, size_t cap);

/* ---- the session from the common connection options (session.c) ----------------------- */

/* Option table of the connection options (--ca, --base-url, --ra-*, --trust, ...). */
extern const pkiws__cli_opt pkiws__cli_conn_opts[];
/* Usage checks of the connection options (pairs, exclusions, numbers); an exit status. */
int pkiws__cli_conn_check(const pkiws__cli *cli, const pkiws__cli_args *args);
/* Make a session, with -v logging to stderr and every connection option that was given.
 * On failure fills @p o and returns its code. */
int pkiws__cli_session(const pkiws__cli *cli, const pkiws__cli_args *args, pkiws_session **out,
                       pkiws__cli_outcome *o);

/* ---- a result's subject, SAN trace and checks (trace.c) -------------------------------- */

/* JSON members "subject", "san" (SAN entries) and "trace" (every entry); res may be NULL. */
void pkiws__cli_json_trace(pkiws__cli_json *j, const pkiws_result *res);
/* JSON member "checks" (template verdicts); res may be NULL. */
void pkiws__cli_json_checks(pkiws__cli_json *j, const pkiws_result *res);
/* The same as text on stdout. */
void pkiws__cli_print_trace(const pkiws_result *res);
void pkiws__cli_print_checks(const pkiws_result *res);

/* ---- profile and identity options of preflight, issue and policy (profile_opts.c) ------- */

/* --profile, --template, --subject-format, --san, --key, --othername-compat, --map */
extern const pkiws__cli_opt pkiws__cli_profile_opts[];
/* --cn, --email, --upn, --othername, --seat, --given-name, --family-name */
extern const pkiws__cli_opt pkiws__cli_identity_opts[];

/* The checked form of those options. */
typedef struct pkiws__cli_profile_args {
    const char *oid;           /* --profile */
    const char *template_path; /* --template, NULL: fetched from the policy service */
    int profile_int[6][2];     /* {PKIWS_PROFILE_OPT_*, value} pairs to set */
    size_t nprofile_int;
    int selections;            /* 1 when --subject-format or --san was given */
    char *othername_oid;       /* owned */
    const char *othername_hex; /* into the argument */
} pkiws__cli_profile_args;

/* Usage checks of the profile options (--profile required) and, when given, the identity
 * options; an exit status. Dispose of @p p in every case. */
int pkiws__cli_profile_check(const pkiws__cli *cli, const pkiws__cli_args *args,
                             pkiws__cli_profile_args *p);
/* A template must come from somewhere: --template, or --ca / --base-url to fetch it; an exit
 * status. */
int pkiws__cli_template_source_check(const pkiws__cli *cli, const pkiws__cli_args *args);
/* The connection options' checks (pkiws__cli_conn_check), then pkiws__cli_profile_check: for
 * subcommands that connect with a profile. Dispose of @p p in every case. */
int pkiws__cli_conn_profile_check(const pkiws__cli *cli, const pkiws__cli_args *args,
                                  pkiws__cli_profile_args *p);
/* pkiws__cli_conn_profile_check, then pkiws__cli_template_source_check, for subcommands that
 * take a profile and a template source (preflight, policy); on failure p is disposed. Returns
 * PKIWS__CLI_EXIT_OK or the exit code. */
int pkiws__cli_profile_args_read(const pkiws__cli *cli, const pkiws__cli_args *args,
                                 pkiws__cli_profile_args *p);
/* A profile on @p s with the options and mappings set and the --template loaded (when
 * given). On failure fills @p o and returns its code. */
int pkiws__cli_profile_make(pkiws_session *s, const pkiws__cli_args *args,
                            const pkiws__cli_profile_args *p, pkiws_profile **out,
                            pkiws__cli_outcome *o);
/* The identity options on the request (a library code on failure). */
int pkiws__cli_identity_set(pkiws_request *req, const pkiws__cli_args *args,
                            const pkiws__cli_profile_args *p);
void pkiws__cli_profile_args_dispose(pkiws__cli_profile_args *p);

/* ---- PEM and random text (pem.c) ------------------------------------------------------- */

/* DER as PEM with @p label ("CERTIFICATE"), 64 characters a line; freed with
 * pkiws__cli_free(). */
char *pkiws__cli_pem(const char *label, const uint8_t *der, size_t len);
/* @p n random characters from an unambiguous alphabet (no 0/O, 1/l/I), NUL-terminated;
 * freed with pkiws__cli_free_secret(). NULL when the system has no randomness. */
char *pkiws__cli_random_password(size_t n);

/* ---- the pending file of issue and poll (pending.c) ----------------------------------- */

/* What `pkiws poll` needs to finish a pending request in another process. */
typedef struct pkiws__cli_pending {
    char *reference; /* pendingTokenReferenceID */
    char *profile;   /* profile OID */
    char *cn;        /* identity fields that name the seat */
    char *email;
    char *upn;
    char *seat;
    char *pfx_preset; /* "legacy" / "modern" / NULL (the profile's) */
    char *friendly_name;
    char *client_txid; /* for the log only */
    char *key_maker;   /* "ca": the CA makes the key (server-side keys), no key_pem */
    char *key_pem;     /* the key as encrypted PKCS#8 PEM (under the PFX password) */
} pkiws__cli_pending;

/* The file's text; freed with pkiws__cli_free_secret(). Values with control characters or
 * '%' are %XX-escaped. */
char *pkiws__cli_pending_format(const pkiws__cli_pending *p);
/* Parse the text of pending file @p path; on failure fills @p o (PKIWS_E_INVALID_ARG naming
 * the line and what is wrong) and returns the code. Dispose of @p out in every case. */
int pkiws__cli_pending_parse(const char *path, const char *text, size_t len,
                             pkiws__cli_pending *out, pkiws__cli_outcome *o);
void pkiws__cli_pending_dispose(pkiws__cli_pending *p);

/* ---- an issued or pending result: files and report (issued.c) -------------------------- */

/* The files written for a result. */
typedef struct pkiws__cli_written {
    const char *pfx_file; /* set once written */
    const char *chain_file;
    size_t chain_count;
    char *pending_file;     /* owned */
    char *password;         /* owned secret: a password made by the tool (pending) */
    int password_generated; /* 1 when the PFX password was not given */
} pkiws__cli_written;

/* An issued result: write the PFX (mode 0600) and the chain (PEM, when @p chain_path), both
 * staged and then moved into place. Fills @p o on failure. */
int pkiws__cli_write_issued(const pkiws_result *res, const char *pfx_path, const char *chain_path,
                            pkiws__cli_written *w, pkiws__cli_outcome *o);
/* The JSON members of an issue or poll answer (res may be NULL). */
/* "duplicates": [{serial, status, seat}...], the seat's certificates a duplicate check found
 * (PKIWS_PROFILE_OPT_DUPLICATES report or refuse); an empty array otherwise. */
void pkiws__cli_json_duplicates(pkiws__cli_json *j, const pkiws_result *res);
void pkiws__cli_json_issued(pkiws__cli_json *j, const pkiws_result *res,
                            const pkiws__cli_written *w);
/* The same as text on stdout (res not NULL). */
void pkiws__cli_print_issued(const pkiws_result *res, const pkiws__cli_written *w);
void pkiws__cli_written_dispose(pkiws__cli_written *w);

/* ---- one run of a subcommand, from the operation to the exit status (run.c) ------------ */

/* What the run() of a subcommand holds from its operation to its answer. */
typedef struct pkiws__cli_run {
    pkiws__cli_outcome o;
    pkiws_session *s;     /* the session (pkiws__cli_session), or NULL */
    pkiws_result *res;    /* the library's result, or NULL */
    pkiws__cli_written w; /* the files written for it */
    pkiws__cli_json j;    /* the JSON answer, once pkiws__cli_run_json() opened it */
} pkiws__cli_run;

/* Everything empty, the outcome OK: `pkiws__cli_run r = PKIWS__CLI_RUN_INIT;` */
#define PKIWS__CLI_RUN_INIT                                                                        \
    {                                                                                              \
        .o = {.status = PKIWS_STATUS_OK, .code = PKIWS_OK }                                        \
    }

/* With --json: open the answer on stdout with the common fields of r->o and return 1 (the
 * caller adds its members to r->j). Without: return 0 (the caller prints its text). */
int pkiws__cli_run_json(const pkiws__cli *cli, pkiws__cli_run *r);
/* Close the JSON answer (when open), free the result, the files' record and the session, then
 * pkiws__cli_finish(): the exit status. */
int pkiws__cli_run_end(const pkiws__cli *cli, pkiws__cli_run *r);

/* ---- one issuance on a ready profile (cmd_issue.c), shared by issue and issue --batch --- */

/* The identity and the files of one issuance: issue's options, or a line of --batch. */
typedef struct pkiws__cli_ident {
    const char *cn, *email, *upn, *seat, *given_name, *family_name;
    const char *othername_oid, *othername_hex; /* both or neither */
    const char *out, *chain_out;               /* out required; chain_out may be NULL */
    const char *pfx_pass;                      /* NULL: a generated one */
    const char *pfx_preset;                    /* "legacy" / "modern" / NULL: the profile's */
    int preset;                                /* its PKIWS_PFX_*, 0 for NULL */
    const char *friendly_name;
} pkiws__cli_ident;

/* Request, pkiws_issue and files (the PFX and chain, or OUT.pending) for @p id on @p prof,
 * whose OID is @p oid. Thread-safe for different outputs on a shared verified profile. *res
 * is the library's result (or NULL); @p o the outcome. */
void pkiws__cli_issue_one(pkiws_profile *prof, const char *oid, const pkiws__cli_ident *id,
                          pkiws_result **res, pkiws__cli_written *w, pkiws__cli_outcome *o);
/* Usage checks of `issue --batch` (options that go with it, or not); an exit status. */
int pkiws__cli_batch_usage(const pkiws__cli *cli, const pkiws__cli_args *args);
/* `issue --batch FILE` (cmd_batch.c); the usage checks are done. An exit status. */
int pkiws__cli_issue_batch(const pkiws__cli *cli, const pkiws__cli_args *args,
                           const pkiws__cli_profile_args *p, int preset);

/* ---- subcommands (cmd_*.c) ------------------------------------------------------------- */

/* A titled group of options in a subcommand's help. */
typedef struct pkiws__cli_group {
    const char *title; /* "Options", "Connection options", ... */
    const pkiws__cli_opt *opts;
} pkiws__cli_group;

#define PKIWS__CLI_MAX_GROUPS 4

typedef struct pkiws__cli_cmd {
    const char *name;
    const char *summary;  /* one line for `pkiws --help` */
    const char *synopsis; /* what follows "pkiws NAME " in the usage line */
    pkiws__cli_group groups[PKIWS__CLI_MAX_GROUPS]; /* its options; unused ones {NULL, NULL} */
    size_t min_pos, max_pos;                        /* positional arguments accepted */
    int (*run)(const pkiws__cli *cli, const pkiws__cli_args *args);
} pkiws__cli_cmd;

extern const pkiws__cli_cmd pkiws__cli_cmd_issue;
extern const pkiws__cli_cmd pkiws__cli_cmd_preflight;
extern const pkiws__cli_cmd pkiws__cli_cmd_poll;
extern const pkiws__cli_cmd pkiws__cli_cmd_renew;
extern const pkiws__cli_cmd pkiws__cli_cmd_revoke;
extern const pkiws__cli_cmd pkiws__cli_cmd_recover;
extern const pkiws__cli_cmd pkiws__cli_cmd_outbox;
extern const pkiws__cli_cmd pkiws__cli_cmd_search;
extern const pkiws__cli_cmd pkiws__cli_cmd_policy;
extern const pkiws__cli_cmd pkiws__cli_cmd_check;
extern const pkiws__cli_cmd pkiws__cli_cmd_ra_csr;
extern const pkiws__cli_cmd pkiws__cli_cmd_thumbprint;
extern const pkiws__cli_cmd pkiws__cli_cmd_pfx;
extern const pkiws__cli_cmd pkiws__cli_cmd_import_config;

#endif
