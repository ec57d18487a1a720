/* SPDX-License-Identifier: MIT */
/* --fault NAME[:ARG][@N]: parsing, and which faults hit the N-th request. */
#include "sim.h"

#include <errno.h>
#include <stdlib.h>

static const struct {
    const char *name;
    int kind;
    int arg; /* 0: none, 1: required number, 2: optional number, 3: required text */
    long long def, min, max;
} kinds[] = {
    {"delay", SIM_F_DELAY, 1, 0, 0, 3600000},
    {"reset", SIM_F_RESET, 0, 0, 0, 0},
    {"drop-after-issue", SIM_F_DROP_AFTER_ISSUE, 0, 0, 0, 0},
    {"truncate", SIM_F_TRUNCATE, 0, 0, 0, 0},
    {"http500", SIM_F_HTTP500, 0, 0, 0, 0},
    {"http503", SIM_F_HTTP503, 0, 0, 0, 0},
    {"soap-fault", SIM_F_SOAP_FAULT, 3, 0, 0, 0},
    {"malformed-xml", SIM_F_MALFORMED_XML, 0, 0, 0, 0},
    {"wrong-namespace", SIM_F_WRONG_NAMESPACE, 0, 0, 0, 0},
    {"empty-token", SIM_F_EMPTY_TOKEN, 0, 0, 0, 0},
    {"not-pkcs7", SIM_F_NOT_PKCS7, 0, 0, 0, 0},
    {"huge-response", SIM_F_HUGE_RESPONSE, 2, 16LL << 20, 1024, 1LL << 30},
    {"slow-drip", SIM_F_SLOW_DRIP, 2, 100, 1, 60000},
    {"pending", SIM_F_PENDING, 1, 0, 1, 1000000},
};

static int all_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int sim_fault_parse(const char *spec, sim_fault *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(spec);
    /* "@N" at the end selects the N-th request. */
    const char *at = strrchr(spec, '@');
    if (at && all_digits(at + 1, strlen(at + 1))) {
        errno = 0;
        unsigned long long n = strtoull(at + 1, NULL, 10);
        if (errno || n == 0 || n > 4000000000ULL) {
            fprintf(stderr, "pkiws-sim: --fault '%s': @N must be a request number from 1\n", spec);
            return -1;
        }
        out->only_nth = (unsigned)n;
        len = (size_t)(at - spec);
    }
    const char *colon = memchr(spec, ':', len);
    size_t name_len = colon ? (size_t)(colon - spec) : len;
    size_t k;
    for (k = 0; k < PKIWS_ARRAY_LEN(kinds); k++)
        if (strlen(kinds[k].name) == name_len && !memcmp(kinds[k].name, spec, name_len))
            break;
    if (k == PKIWS_ARRAY_LEN(kinds)) {
        fprintf(stderr,
                "pkiws-sim: --fault '%s': unknown fault '%.*s'; known: delay:MS, reset, "
                "drop-after-issue, truncate, http500, http503, soap-fault:TEXT, malformed-xml, "
                "wrong-namespace, empty-token, not-pkcs7, huge-response[:BYTES], "
                "slow-drip[:MS], pending:N\n",
                spec, (int)name_len, spec);
        return -1;
    }
    out->kind = kinds[k].kind;
    const char *arg = colon ? colon + 1 : NULL;
    size_t arg_len = colon ? len - name_len - 1 : 0;
    switch (kinds[k].arg) {
    case 0:
        if (arg) {
            fprintf(stderr, "pkiws-sim: --fault '%s': %s takes no argument\n", spec, kinds[k].name);
            return -1;
        }
        return 0;
    case 3:
        if (!arg || arg_len == 0) {
            fprintf(stderr, "pkiws-sim: --fault '%s': %s needs a text, e.g. %s:Busy\n", spec,
                    kinds[k].name, kinds[k].name);
            return -1;
        }
        out->text = pkiws__strndup(arg, arg_len);
        if (!out->text || !pkiws__utf8_valid(out->text, arg_len, NULL)) {
            fprintf(stderr, "pkiws-sim: --fault '%s': the text is not UTF-8\n", spec);
            return -1;
        }
        return 0;
    default:
        break;
    }
    if (!arg) {
        if (kinds[k].arg == 1) {
            fprintf(stderr, "pkiws-sim: --fault '%s': %s needs a number, e.g. %s:%s\n", spec,
                    kinds[k].name, kinds[k].name, kinds[k].kind == SIM_F_DELAY ? "2000" : "2");
            return -1;
        }
        out->arg = kinds[k].def;
        return 0;
    }
    if (!all_digits(arg, arg_len)) {
        fprintf(stderr, "pkiws-sim: --fault '%s': '%.*s' is not a number\n", spec, (int)arg_len,
                arg);
        return -1;
    }
    errno = 0;
    long long v = strtoll(arg, NULL, 10);
    if (errno || v < kinds[k].min || v > kinds[k].max) {
        fprintf(stderr, "pkiws-sim: --fault '%s': %s wants %lld to %lld\n", spec, kinds[k].name,
                kinds[k].min, kinds[k].max);
        return -1;
    }
    out->arg = v;
    return 0;
}

void sim_fault_free(sim_fault *f)
{
    pkiws__free(f->text);
    f->text = NULL;
}

void sim_faults_for(const sim_fault *v, size_t n, unsigned reqno, sim_active *a)
{
    memset(a, 0, sizeof *a);
    for (size_t i = 0; i < n; i++) {
        const sim_fault *f = &v[i];
        if (f->only_nth && f->only_nth != reqno)
            continue;
        a->any = 1;
        switch (f->kind) {
        case SIM_F_DELAY:
            a->delay_ms += f->arg;
            break;
        case SIM_F_RESET:
            a->reset = 1;
            break;
        case SIM_F_DROP_AFTER_ISSUE:
            a->drop_after_issue = 1;
            break;
        case SIM_F_TRUNCATE:
            a->truncate = 1;
            break;
        case SIM_F_HTTP500:
            a->http500 = 1;
            break;
        case SIM_F_HTTP503:
            a->http503 = 1;
            break;
        case SIM_F_SOAP_FAULT:
            a->soap_fault_text = f->text;
            break;
        case SIM_F_MALFORMED_XML:
            a->malformed_xml = 1;
            break;
        case SIM_F_WRONG_NAMESPACE:
            a->wrong_namespace = 1;
            break;
        case SIM_F_EMPTY_TOKEN:
            a->empty_token = 1;
            break;
        case SIM_F_NOT_PKCS7:
            a->not_pkcs7 = 1;
            break;
        case SIM_F_HUGE_RESPONSE:
            a->huge_response = 1;
            a->huge_bytes = f->arg;
            break;
        case SIM_F_SLOW_DRIP:
            a->slow_drip = 1;
            a->drip_ms = f->arg;
            break;
        case SIM_F_PENDING:
            a->pending = 1;
            a->pending_polls = f->arg;
            break;
        default:
            break;
        }
    }
}
