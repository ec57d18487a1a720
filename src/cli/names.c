/* SPDX-License-Identifier: MIT */
/* Names of the library's enumerations on the command line, both ways. */
#include "cli.h"

#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct name_value {
    const char *name;
    int value;
} name_value;

static const name_value SUBJECT_FORMATS[] = {
    {"cn", PKIWS_SUBJECT_CN},
    {"cn-email", PKIWS_SUBJECT_CN_EMAIL},
    {"cn-as-email", PKIWS_SUBJECT_CN_AS_EMAIL},
    {NULL, 0},
};

static const name_value KEY_TYPES[] = {
    {"rsa2048", PKIWS_KEY_RSA2048}, {"rsa3072", PKIWS_KEY_RSA3072}, {"rsa4096", PKIWS_KEY_RSA4096},
    {"p256", PKIWS_KEY_EC_P256},    {"p384", PKIWS_KEY_EC_P384},    {NULL, 0},
};

static const name_value PFX_PRESETS[] = {
    {"legacy", PKIWS_PFX_LEGACY},
    {"modern", PKIWS_PFX_MODERN},
    {NULL, 0},
};

static const name_value TRANSPORTS[] = {
    {"curl", PKIWS_TRANSPORT_CURL},
    {"native", PKIWS_TRANSPORT_NATIVE},
    {NULL, 0},
};

/* RevokeReasonCodeEnum of the schema, plus CertificateHold and RemoveFromCRL of the live
 * service (product.md §6). */
static const name_value REASONS[] = {
    {"KeyCompromise", PKIWS_REASON_KEY_COMPROMISE},
    {"CACompromise", PKIWS_REASON_CA_COMPROMISE},
    {"AffiliationChanged", PKIWS_REASON_AFFILIATION_CHANGED},
    {"Superseded", PKIWS_REASON_SUPERSEDED},
    {"CessationOfOperation", PKIWS_REASON_CESSATION_OF_OPERATION},
    {"CertificateHold", PKIWS_REASON_CERTIFICATE_HOLD},
    {"RemoveFromCRL", PKIWS_REASON_REMOVE_FROM_CRL},
    {"PrivilegeWithdrawn", PKIWS_REASON_PRIVILEGE_WITHDRAWN},
    {"AACompromise", PKIWS_REASON_AA_COMPROMISE},
    {"Unspecified", PKIWS_REASON_UNSPECIFIED},
    {NULL, 0},
};

static const name_value SAN_TYPES[] = {
    {"email", PKIWS_SAN_EMAIL},
    {"upn", PKIWS_SAN_UPN},
    {"othername", PKIWS_SAN_OTHERNAME},
    {NULL, 0},
};

/* Case-insensitive; '_' stands for '-' (so the spec's CN_AS_EMAIL works too). */
static int name_eq(const char *name, const char *text, size_t len)
{
    if (strlen(name) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i] == '_' ? '-' : text[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != name[i])
            return 0;
    }
    return 1;
}

static int lookup(const name_value *t, const char *text, size_t len, int *out)
{
    for (; t->name != NULL; t++)
        if (name_eq(t->name, text, len)) {
            *out = t->value;
            return 0;
        }
    return -1;
}

static const char *name_of(const name_value *t, int value)
{
    for (; t->name != NULL; t++)
        if (t->value == value)
            return t->name;
    return "?";
}

int pkiws__cli_subject_format(const char *text, int *out)
{
    return lookup(SUBJECT_FORMATS, text, strlen(text), out);
}

int pkiws__cli_key_type(const char *text, int *out)
{
    return lookup(KEY_TYPES, text, strlen(text), out);
}

int pkiws__cli_pfx_preset(const char *text, int *out)
{
    return lookup(PFX_PRESETS, text, strlen(text), out);
}

int pkiws__cli_transport(const char *text, int *out)
{
    return lookup(TRANSPORTS, text, strlen(text), out);
}

int pkiws__cli_reason(const char *text, int *out)
{
    for (const name_value *t = REASONS; t->name != NULL; t++)
        if (strcasecmp(t->name, text) == 0) {
            *out = t->value;
            return 0;
        }
    return -1;
}

const char *pkiws__cli_reason_name(int reason)
{
    for (const name_value *t = REASONS; t->name != NULL; t++)
        if (t->value == reason)
            return t->name;
    return NULL;
}

const char *pkiws__cli_reason_list(void)
{
    return "KeyCompromise, CACompromise, AffiliationChanged, Superseded, CessationOfOperation, "
           "CertificateHold, RemoveFromCRL, PrivilegeWithdrawn, AACompromise, Unspecified";
}

int pkiws__cli_san_types(const char *text, unsigned *out, const char **bad, size_t *bad_len)
{
    unsigned set = 0;
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len > 0 && *p == ' ') {
            p++;
            len--;
        }
        while (len > 0 && p[len - 1] == ' ')
            len--;
        int bit;
        if (lookup(SAN_TYPES, p, len, &bit) != 0) {
            *bad = p;
            *bad_len = len;
            return -1;
        }
        set |= (unsigned)bit;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    *out = set;
    return 0;
}

int pkiws__cli_field(const char *text, int *out)
{
    for (int f = PKIWS_FIELD_CN; f <= PKIWS_FIELD_SEAT_ID; f++)
        if (strcasecmp(pkiws_field_name(f), text) == 0) {
            *out = f;
            return 0;
        }
    return -1;
}

const char *pkiws__cli_status_name(int status)
{
    switch (status) {
    case PKIWS_STATUS_OK:
        return "ok";
    case PKIWS_STATUS_PENDING:
        return "pending";
    default:
        return "failed";
    }
}

const char *pkiws__cli_key_type_name(int key_type)
{
    return name_of(KEY_TYPES, key_type);
}

const char *pkiws__cli_pfx_preset_name(int preset)
{
    return name_of(PFX_PRESETS, preset);
}

int pkiws__cli_parse_int(const char *text, int64_t min, int64_t max, int64_t *out)
{
    const char *p = text;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (*p == '\0')
        return -1;
    int64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        if (v > (INT64_MAX - (*p - '0')) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    if (neg)
        v = -v;
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

void pkiws__cli_time(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, cap, "@%lld", (long long)t);
}
