/* SPDX-License-Identifier: MIT */
/*
 * The SAN and subject engine: product.md §5, the heart of pkiws. Pure logic: no I/O, no
 * network, no dependency header. Given the template, the profile's selections and the
 * request's identity, it decides the subject, the SANs, one nameValuePair per template
 * attribute, and a trace of where every value came from; and it checks selections against
 * the template (pkiws_profile_verify).
 */
#ifndef PKIWS_CORE_SAN_H
#define PKIWS_CORE_SAN_H

#include <stddef.h>
#include <stdint.h>

#include "proto/template.h"
#include "util/buf.h"

/* The identity of one request (all optional, UTF-8). */
typedef struct pkiws__identity {
    const char *cn;
    const char *email;
    const char *upn;
    const char *othername_oid; /* dotted */
    const char *othername_hex; /* as the caller typed it: any case, spaces and colons */
    const char *seat_id;
    const char *given_name;
    const char *family_name;
} pkiws__identity;

/* The profile's Intune-style selections. */
typedef struct pkiws__selection {
    int subject_format;   /* PKIWS_SUBJECT_* */
    unsigned san_types;   /* PKIWS_SAN_* */
    int othername_compat; /* 1: base64 the raw otherName text unchecked (connector mode) */
    /* Per-profile mapping overrides: attribute name for a PKIWS_FIELD_* (index = field), or
     * NULL for the built-in convention. */
    const char *mapping[9];
} pkiws__selection;

/* One line of the SAN trace. */
typedef struct pkiws__trace {
    int field;   /* PKIWS_FIELD_* */
    char *value; /* value used; othername: upper-case hex of the DER */
    int source;  /* PKIWS_SOURCE_* */
} pkiws__trace;

/* One template check verdict. */
typedef struct pkiws__verdict {
    char *name;   /* template attribute name, or the selection ("SAN type UPN") */
    int verdict;  /* PKIWS_VERDICT_* */
    char *detail; /* explanation, e.g. "selected SAN type UPN has no template attribute" */
} pkiws__verdict;

/* A nameValuePair to send. */
typedef struct pkiws__nvp {
    char *name;
    char *value;
} pkiws__nvp;

/* A resolved SAN for the CSR. */
typedef struct pkiws__san_value {
    int type;     /* PKIWS_SAN_EMAIL / _UPN / _OTHERNAME */
    char *text;   /* e-mail or UPN text; NULL for othername */
    char *oid;    /* othername type-id */
    uint8_t *der; /* othername value bytes (strict mode: the decoded hex) */
    size_t der_len;
} pkiws__san_value;

typedef struct pkiws__resolution {
    /* subject, in order: CN, then E when the format has one, then fixed template RDNs */
    char **dn_type; /* "CN", "E", "O", ... */
    char **dn_value;
    size_t ndn;
    char *subject; /* "CN=Alice,E=alice@contoso.com" (RFC 4514 escaping of , + " \ < > ; =) */
    pkiws__san_value *sans;
    size_t nsans;
    pkiws__nvp *nvps; /* one per template attribute that has a value, in template order */
    size_t nnvps;
    pkiws__trace *trace;
    size_t ntrace;
    pkiws__verdict *verdicts;
    size_t nverdicts;
} pkiws__resolution;

/* 1 when s is e-mail shaped (product.md §5): exactly one '@', non-empty local part without
 * white space, a domain of >= 2 dot-separated labels of letters, digits and hyphens (ASCII
 * only, no empty label, no label starting or ending with '-'; details in names.c). */
int pkiws__is_email_shaped(const char *s);
/* 1 when every character is allowed in mail_firstname / mail_lastname: letters of any script
 * (the table in names.c), ASCII digits, space, '.', '-', '\''. *bad (may be NULL) receives the
 * first offending code point (U+FFFD for a byte that is not UTF-8), 0 when all are fine. */
int pkiws__name_chars_ok(const char *s, uint32_t *bad);
/* Turn the caller's otherName hex into bytes, appended to out. Strict: spaces/colons allowed,
 * anything else (non-hex, odd digit count, text that is already base64, bytes that are not
 * exactly one DER element) is PKIWS_E_OTHERNAME_ENCODING naming the character/position (with
 * the hint "looks like base64 already" when it decodes as base64). Compat: the raw text
 * bytes, unchecked (only empty text is refused). On failure out is left as it was. */
int pkiws__othername_bytes(const char *hex, int compat, pkiws_buf *out);

/* Check selections against the template; zeroes *res (dispose an old one first), then fills
 * res->verdicts: one per template attribute (template order), then one per selection
 * ("subject CN", "subject E" for CN_EMAIL, "SAN type EMAIL" / "UPN" / "OTHERNAME"), then one
 * per per-profile mapping that names no template attribute. PKIWS_E_POLICY_MISMATCH (with
 * PKIWS__REMEDY_POLICY_MISMATCH) when any verdict is MISSING_FROM_TEMPLATE or UNFILLABLE; the
 * message lists them. Verify alone only calls UNFILLABLE what no field could ever fill for this
 * selection (e.g. a mandatory SAN e-mail attribute when EMAIL is not selected); what depends on
 * the identity (a mandatory E under subject format CN: WARN) is decided by pkiws__resolve.
 * Bad selections (unknown subject format or SAN bits) are PKIWS_E_INVALID_ARG. See verify.c. */
int pkiws__verify(const pkiws__template *t, const pkiws__selection *sel, pkiws__resolution *res);

/* Everything: verify + subject + SANs (fallback chains of §5) + given/family names + one
 * nameValuePair per template attribute + trace. Returns the first failure's code
 * (PKIWS_E_POLICY_MISMATCH, PKIWS_E_SAN_UNRESOLVED, PKIWS_E_UNSUPPORTED_CHARS,
 * PKIWS_E_OTHERNAME_ENCODING; PKIWS_E_INVALID_ARG for NULLs, bad selections, text that is not
 * UTF-8 or an otherName type-id that is not an OID) with the message and remedy recorded via
 * pkiws__fail_remedy; res keeps whatever was resolved (trace and verdicts) even on failure and
 * must be disposed in every case. Like pkiws__verify it zeroes *res first. The decisions it
 * makes where product.md is silent are listed at the top of san.c. */
int pkiws__resolve(const pkiws__template *t, const pkiws__selection *sel, const pkiws__identity *id,
                   pkiws__resolution *res);
void pkiws__resolution_dispose(pkiws__resolution *res);

/* The key-type verdict of a pre-flight: adds the verdict "key type" (OK or FAIL) to res and
 * returns PKIWS_E_POLICY_MISMATCH (with PKIWS__REMEDY_POLICY_MISMATCH) when the template does
 * not allow key_type (PKIWS_KEY_*). The template's algorithm is EC for id-ecPublicKey, RSA for
 * rsaEncryption, and, when algorithmOIDReference is absent, read from keysize (256, 384, 521:
 * EC; another non-zero size: RSA; 0: any); any other algorithm OID allows no key pkiws makes.
 * EC: the curve must be the keysize (256: P-256, 384: P-384; other sizes: none fits), any of
 * the two when keysize is 0. RSA: at least keysize bits. pkiws-sim applies the same rule. */
int pkiws__verify_key(const pkiws__template *t, int key_type, pkiws__resolution *res);

/* The PKIWS_FIELD_* that fills template attribute i (the attribute convention plus the
 * selection's mapping overrides), 0 for none. */
int pkiws__san_attr_field(const pkiws__template *t, const pkiws__selection *sel, size_t i);

#endif
