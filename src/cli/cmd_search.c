/* SPDX-License-Identifier: MIT */
/* `pkiws search`: certificates of a seat, by serial, or all (searchCertificate), page by page. */
#include "cli.h"

#include <string.h>

static const pkiws__cli_opt OPTS[] = {
    {"seat", 0, PKIWS__CLI_VALUE, "ID", "the certificates of this seat"},
    {"serial", 0, PKIWS__CLI_VALUE, "HEX",
     "the certificate with this serial (case, colons, leading zeros ignored)"},
    {"profile", 0, PKIWS__CLI_VALUE, "OID", "only certificates of this profile"},
    {"start", 0, PKIWS__CLI_VALUE, "N", "first certificate of the page, 0-based (default 0)"},
    {"all-pages", 0, PKIWS__CLI_FLAG, NULL, "follow the pages to the last one"},
    {NULL, 0, 0, NULL, NULL},
};

/* Pages fetched by one run; more stops there (a service that never ends its pages). */
#define MAX_PAGES 1000

typedef struct search_args {
    int selector; /* 0, PKIWS_BY_SEAT, PKIWS_BY_SERIAL */
    const char *id;
    const char *profile;
    int start;
    int all_pages;
} search_args;

typedef struct pages {
    pkiws_result *page[MAX_PAGES];
    size_t n;
    size_t found;         /* certificates over all pages */
    int64_t total;        /* SEARCH_TOTAL of the last page, -1 when unknown */
    int more;             /* SEARCH_MORE of the last page */
    int64_t next;         /* start index of the page after the last one fetched */
    int truncated;        /* --all-pages stopped at MAX_PAGES */
    pkiws_result *failed; /* the page that failed, if any (also in page[]) */
} pages;

static int check_usage(const pkiws__cli *cli, const pkiws__cli_args *args, search_args *a)
{
    int rc = pkiws__cli_conn_check(cli, args);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    const char *seat = pkiws__cli_arg(args, "seat");
    const char *serial = pkiws__cli_arg(args, "serial");
    if (seat && serial)
        return pkiws__cli_usage_error(cli, "--seat and --serial exclude each other");
    a->selector = seat ? PKIWS_BY_SEAT : serial ? PKIWS_BY_SERIAL : 0;
    a->id = seat ? seat : serial;
    a->profile = pkiws__cli_arg(args, "profile");
    const char *start = pkiws__cli_arg(args, "start");
    int64_t n = 0;
    if (start && pkiws__cli_parse_int(start, 0, INT32_MAX, &n) != 0)
        return pkiws__cli_usage_error(cli, "--start '%s': expected a certificate index, 0 to %d",
                                      start, INT32_MAX);
    a->start = (int)n;
    a->all_pages = pkiws__cli_arg(args, "all-pages") != NULL;
    return PKIWS__CLI_EXIT_OK;
}

/* One page after another from a->start: one page, or with --all-pages until the service says
 * there are no more (or a page comes back empty). Fills o with the outcome of the last page. */
static void fetch(pkiws_session *s, const search_args *a, pages *p, pkiws__cli_outcome *o)
{
    int64_t start = a->start;
    p->total = -1;
    p->next = start;
    for (;;) {
        pkiws_result *res = NULL;
        int rc = pkiws_search(s, a->selector, a->id, a->profile, (int)start, &res);
        pkiws__cli_outcome_dispose(o);
        pkiws__cli_outcome_init(o);
        pkiws__cli_outcome_result(o, res, rc);
        if (res == NULL)
            return;
        p->page[p->n++] = res;
        if (rc != PKIWS_OK) {
            p->failed = res;
            return;
        }
        size_t count = pkiws_result_found_count(res);
        int64_t v = 0;
        p->found += count;
        p->total = pkiws_result_int(res, PKIWS_RESULT_SEARCH_TOTAL, &v) == PKIWS_OK ? v : -1;
        p->more = pkiws_result_int(res, PKIWS_RESULT_SEARCH_MORE, &v) == PKIWS_OK && v != 0;
        start += (int64_t)count;
        p->next = start;
        if (!a->all_pages || !p->more || count == 0 || start > INT32_MAX)
            return;
        if (p->n == MAX_PAGES) {
            p->truncated = 1;
            return;
        }
    }
}

/* Every certificate of the pages fetched, with its thumbprint and PEM. */
static void json_certificates(pkiws__cli_json *j, const pages *p)
{
    pkiws__cli_json_key(j, "certificates");
    pkiws__cli_json_array(j);
    for (size_t k = 0; k < p->n; k++) {
        if (p->page[k] == p->failed)
            continue;
        size_t n = pkiws_result_found_count(p->page[k]);
        for (size_t i = 0; i < n; i++) {
            const uint8_t *der = NULL;
            size_t len = 0;
            const char *serial = NULL, *status = NULL, *seat = NULL;
            if (pkiws_result_found(p->page[k], i, &der, &len, &serial, &status, &seat) != PKIWS_OK)
                continue;
            char *thumb = NULL;
            if (der == NULL || pkiws_thumbprint(der, len, NULL, &thumb) != PKIWS_OK)
                thumb = NULL;
            char *pem = der ? pkiws__cli_pem("CERTIFICATE", der, len) : NULL;
            pkiws__cli_json_object(j);
            pkiws__cli_json_kstr(j, "serial", serial);
            pkiws__cli_json_kstr(j, "status", status);
            pkiws__cli_json_kstr(j, "seat", seat);
            pkiws__cli_json_kstr(j, "thumbprint", thumb);
            pkiws__cli_json_kstr(j, "certificate_pem", pem);
            pkiws__cli_json_end(j);
            pkiws_free(thumb);
            pkiws__cli_free(pem);
        }
    }
    pkiws__cli_json_end(j);
}

static void print_certificates(const pages *p)
{
    if (p->found > 0)
        printf("%-32s  %-9s  %-40s  %s\n", "SERIAL", "STATUS", "THUMBPRINT", "SEAT");
    for (size_t k = 0; k < p->n; k++) {
        if (p->page[k] == p->failed)
            continue;
        size_t n = pkiws_result_found_count(p->page[k]);
        for (size_t i = 0; i < n; i++) {
            const uint8_t *der = NULL;
            size_t len = 0;
            const char *serial = NULL, *status = NULL, *seat = NULL;
            if (pkiws_result_found(p->page[k], i, &der, &len, &serial, &status, &seat) != PKIWS_OK)
                continue;
            char *thumb = NULL;
            if (der == NULL || pkiws_thumbprint(der, len, NULL, &thumb) != PKIWS_OK)
                thumb = NULL;
            printf("%-32s  %-9s  %-40s  %s\n", serial ? serial : "-", status ? status : "-",
                   thumb ? thumb : "-", seat ? seat : "-");
            pkiws_free(thumb);
        }
    }
}

static void print_summary(const search_args *a, const pages *p)
{
    if (p->total >= 0)
        printf("%zu certificate%s shown (from %d) of %lld matching", p->found,
               p->found == 1 ? "" : "s", a->start, (long long)p->total);
    else
        printf("%zu certificate%s shown (from %d)", p->found, p->found == 1 ? "" : "s", a->start);
    if (p->more)
        printf("; more from --start %lld%s\n", (long long)p->next,
               p->truncated ? " (--all-pages stops after 1000 pages)" : " (or --all-pages)");
    else
        printf("\n");
}

static const char *selector_name(int selector)
{
    return selector == PKIWS_BY_SEAT ? "seat" : selector == PKIWS_BY_SERIAL ? "serial" : NULL;
}

/* The members of the JSON answer after the common fields. */
static void json_answer(pkiws__cli_json *j, const search_args *a, const pages *p)
{
    const pkiws_result *last = p->n ? p->page[p->n - 1] : NULL;
    pkiws__cli_json_kstr(j, "selector", selector_name(a->selector));
    pkiws__cli_json_kstr(j, "seat", a->selector == PKIWS_BY_SEAT ? a->id : NULL);
    pkiws__cli_json_kstr(j, "serial", a->selector == PKIWS_BY_SERIAL ? a->id : NULL);
    pkiws__cli_json_kstr(j, "profile", a->profile);
    pkiws__cli_json_kint(j, "start_index", a->start);
    pkiws__cli_json_kint(j, "pages", (int64_t)(p->n - (p->failed != NULL)));
    if (p->total >= 0)
        pkiws__cli_json_kint(j, "total", p->total);
    else
        pkiws__cli_json_kstr(j, "total", NULL);
    pkiws__cli_json_kint(j, "count", (int64_t)p->found);
    pkiws__cli_json_kbool(j, "more", p->more);
    if (p->more)
        pkiws__cli_json_kint(j, "next_start_index", p->next);
    else
        pkiws__cli_json_kstr(j, "next_start_index", NULL);
    json_certificates(j, p);
    int64_t v = 0, attempts = 0;
    for (size_t k = 0; k < p->n; k++)
        if (pkiws_result_int(p->page[k], PKIWS_RESULT_ATTEMPTS, &v) == PKIWS_OK)
            attempts += v;
    if (p->n)
        pkiws__cli_json_kint(j, "attempts", attempts);
    else
        pkiws__cli_json_kstr(j, "attempts", NULL);
    pkiws__cli_json_kstr(j, "client_transaction_id",
                         last ? pkiws_result_str(last, PKIWS_RESULT_CLIENT_TXID) : NULL);
    pkiws__cli_json_kstr(j, "server_transaction_id",
                         last ? pkiws_result_str(last, PKIWS_RESULT_SERVER_TXID) : NULL);
}

static int run(const pkiws__cli *cli, const pkiws__cli_args *args)
{
    search_args a;
    memset(&a, 0, sizeof(a));
    int rc = check_usage(cli, args, &a);
    if (rc != PKIWS__CLI_EXIT_OK)
        return rc;
    pkiws__cli_run r = PKIWS__CLI_RUN_INIT;
    static pages p; /* 8 KB of page pointers: not on the stack */
    memset(&p, 0, sizeof(p));
    p.total = -1;
    if (pkiws__cli_session(cli, args, &r.s, &r.o) == PKIWS_OK)
        fetch(r.s, &a, &p, &r.o);

    if (pkiws__cli_run_json(cli, &r)) {
        json_answer(&r.j, &a, &p);
    } else if (p.n > (size_t)(p.failed != NULL)) { /* what came before a failing page, too */
        print_certificates(&p);
        print_summary(&a, &p);
    }
    for (size_t k = 0; k < p.n; k++)
        pkiws_result_free(p.page[k]);
    return pkiws__cli_run_end(cli, &r);
}

const pkiws__cli_cmd pkiws__cli_cmd_search = {
    .name = "search",
    .summary = "list certificates of a seat, by serial, or all, with their status (paged)",
    .synopsis = "[--seat ID | --serial HEX] [--profile OID] [--start N] [--all-pages] "
                "(--ca FQDN | --base-url URL) RA-CREDENTIAL",
    .groups = {{"Options", OPTS},
               {"Connection options", pkiws__cli_conn_opts},
               {NULL, NULL},
               {NULL, NULL}},
    .min_pos = 0,
    .max_pos = 0,
    .run = run,
};
