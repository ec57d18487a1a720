/* SPDX-License-Identifier: MIT */
/*
 * Pre-flight refuses what the CA refuses, and nothing the CA accepts (product.md §4-§5: the
 * headline promise). For every rule pre-flight enforces -- e-mail shape, IA5String, the RFC 5280
 * upper bounds counted in characters, countries, names, fixed values, a CN that takes the
 * e-mail address, the template's key algorithm and size -- one case shows, against pkiws-sim
 * started here with its own catalogue:
 *  1. the request at the limit passes pkiws_preflight and is issued by the simulator;
 *  2. the request one step past it is refused by pkiws_preflight with the expected code and a
 *     message naming the offending input and the limit, and pkiws_issue sends nothing;
 *  3. the simulator refuses that same step with a SOAP fault: the accepted request, as the
 *     library sent it (--log-requests), with only the offending nameValuePair (or the profile,
 *     or the CSR) changed, posted raw.
 * So the table of rules is complete in both directions: whatever passes pre-flight is accepted,
 * whatever the CA refuses for a reason the template or RFC 5280 states is refused before
 * sending.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <unistd.h>

#include "sim_harness.h"

#define ARC "2.16.840.1.113733.1.16.1.2.3.1.99."
#define UPN_OID "1.3.6.1.4.1.311.20.2.3"

static sim the_sim;
static pkiws_session *session;
static char policy_path[400];

/* ---- strings ---- */

/* n copies of unit, then tail (heap; freed at exit by the OS, as test data). */
static char *rep(const char *unit, size_t n, const char *tail)
{
    size_t ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(n * ul + tl + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * ul, unit, ul);
    memcpy(s + n * ul, tail, tl + 1);
    return s;
}

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *tmp = malloc((size_t)n + 1);
    assert_non_null(tmp);
    va_start(ap, fmt);
    vsnprintf(tmp, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_add(b, tmp, (size_t)n);
    free(tmp);
}

static void sb_xml_text(sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '&')
            sb_puts(b, "&amp;");
        else if (*s == '<')
            sb_puts(b, "&lt;");
        else if (*s == '>')
            sb_puts(b, "&gt;");
        else
            sb_add(b, s, 1);
    }
}

/* ---- the catalogue: profiles in the vendor's schema ---- */

typedef struct attr {
    const char *name, *type; /* type NULL: the alias table decides */
    int mandatory;
    const char *fixed;  /* fixed value or NULL */
    const char *source; /* sourceAttributeName or NULL */
} attr;

typedef struct profile {
    int n; /* OID ARC.n */
    const char *what;
    attr subject[9];
    attr san[3];
    unsigned keysize;
    int alg; /* 101 RSA, 102 EC, 0 nil */
} profile;

enum {
    P_FULL = 1,
    P_CNMAIL,
    P_EC256,
    P_EC384,
    P_RSA3072,
    P_NOALG384,
    P_FIXEDCN,
    P_BAD_O,
    P_BAD_OU,
    P_BAD_L,
    P_BAD_ST,
    P_BAD_C3,
    P_BAD_C1,
    P_COUNT
};

static char *O64, *O65, *OU64, *OU65, *L128, *L129, *ST128, *ST129;

#define CN_ATTR                                                                                    \
    {                                                                                              \
        "common_name", "CN", 1, NULL, NULL                                                         \
    }
#define SAN_EMAIL                                                                                  \
    {                                                                                              \
        "san_email", "rfc822Name", 0, NULL, NULL                                                   \
    }
#define SAN_UPN                                                                                    \
    {                                                                                              \
        "san_upn", "otherName:" UPN_OID, 0, NULL, NULL                                             \
    }

/* FULL with one fixed value replaced (the same attribute names, so a request for FULL fits). */
static void full(profile *p, int n, const char *what, const char *o, const char *ou, const char *l,
                 const char *st, const char *c)
{
    profile f = {n,
                 what,
                 {CN_ATTR,
                  {"mail_email", "E", 0, NULL, NULL},
                  {"corp_company", "O", 1, o, NULL},
                  {"corp_unit", "OU", 1, ou, NULL},
                  {"corp_city", "L", 1, l, NULL},
                  {"corp_state", "ST", 1, st, NULL},
                  {"corp_country", "C", 1, c, NULL},
                  {"mail_firstname", NULL, 0, NULL, NULL},
                  {"mail_lastname", NULL, 0, NULL, NULL}},
                 {SAN_EMAIL, SAN_UPN},
                 2048,
                 101};
    *p = f;
}

static profile profiles[P_COUNT];

static void make_profiles(void)
{
    O64 = rep("\xC3\x85", 64, ""); /* two-byte characters: the bounds count characters */
    O65 = rep("\xC3\x85", 65, "");
    OU64 = rep("u", 64, "");
    OU65 = rep("u", 65, "");
    L128 = rep("l", 128, "");
    L129 = rep("l", 129, "");
    ST128 = rep("s", 128, "");
    ST129 = rep("s", 129, "");
    full(&profiles[P_FULL], P_FULL, "every subject attribute at its RFC 5280 bound", O64, OU64,
         L128, ST128, "NL");
    full(&profiles[P_BAD_O], P_BAD_O, "O over ub-organization-name", O65, OU64, L128, ST128, "NL");
    full(&profiles[P_BAD_OU], P_BAD_OU, "OU over ub-organizational-unit-name", O64, OU65, L128,
         ST128, "NL");
    full(&profiles[P_BAD_L], P_BAD_L, "L over ub-locality-name", O64, OU64, L129, ST128, "NL");
    full(&profiles[P_BAD_ST], P_BAD_ST, "ST over ub-state-name", O64, OU64, L128, ST129, "NL");
    full(&profiles[P_BAD_C3], P_BAD_C3, "C of three letters", O64, OU64, L128, ST128, "NLD");
    full(&profiles[P_BAD_C1], P_BAD_C1, "C with a digit", O64, OU64, L128, ST128, "N1");
    profile cnmail = {P_CNMAIL,
                      "CN from the e-mail address (sourceAttributeName mail_email)",
                      {{"common_name", "CN", 1, NULL, "mail_email"}},
                      {SAN_EMAIL},
                      2048,
                      101};
    profile ec256 = {P_EC256, "EC P-256", {CN_ATTR}, {SAN_EMAIL}, 256, 102};
    profile ec384 = {P_EC384, "EC P-384", {CN_ATTR}, {SAN_EMAIL}, 384, 102};
    profile rsa3072 = {P_RSA3072, "RSA 3072", {CN_ATTR}, {SAN_EMAIL}, 3072, 101};
    profile noalg = {P_NOALG384, "keysize 384, no algorithm", {CN_ATTR}, {SAN_EMAIL}, 384, 0};
    profile fixedcn = {P_FIXEDCN,
                       "CN fixed to Kiosk",
                       {{"common_name", "CN", 1, "Kiosk", NULL}},
                       {SAN_EMAIL},
                       2048,
                       101};
    profiles[P_CNMAIL] = cnmail;
    profiles[P_EC256] = ec256;
    profiles[P_EC384] = ec384;
    profiles[P_RSA3072] = rsa3072;
    profiles[P_NOALG384] = noalg;
    profiles[P_FIXEDCN] = fixedcn;
}

static void write_pair(sbuf *b, const char *elem, const attr *a)
{
    sb_printf(b, "<ns2:%s><ns2:attributeName>%s</ns2:attributeName>", elem, a->name);
    sb_printf(b, "<ns2:attributeNameValue mandatory=\"%s\"", a->mandatory ? "true" : "false");
    if (a->type)
        sb_printf(b, " type=\"%s\"", a->type);
    if (a->fixed) {
        sb_puts(b, ">");
        sb_xml_text(b, a->fixed);
        sb_puts(b, "</ns2:attributeNameValue>");
    } else {
        sb_puts(b, "/>");
    }
    sb_puts(b, "<ns2:attributeNameValueProperty>");
    if (a->fixed) {
        sb_puts(b, "<ns2:value>");
        sb_xml_text(b, a->fixed);
        sb_puts(b, "</ns2:value><ns2:source>fixed</ns2:source>");
    } else {
        sb_puts(b, "<ns2:value xsi:nil=\"true\"/><ns2:source>userInput</ns2:source>");
    }
    if (a->source)
        sb_printf(b, "<ns2:sourceAttributeName>%s</ns2:sourceAttributeName>", a->source);
    sb_printf(b,
              "<ns2:mandatory>%s</ns2:mandatory><ns2:overridable>false</ns2:overridable>"
              "</ns2:attributeNameValueProperty></ns2:%s>\n",
              a->mandatory ? "true" : "false", elem);
}

static void write_policy(sbuf *b, const profile *p)
{
    sb_printf(b,
              "<!-- %s%d: %s -->\n<ns2:policy><ns2:policyOIDReference>%d</ns2:policyOIDReference>"
              "<ns2:cAs><ns2:cAReference>1</ns2:cAReference></ns2:cAs><ns2:attributes>"
              "<ns2:policySchema>2</ns2:policySchema><ns2:certificateValidity>"
              "<ns2:validityPeriodDays>365</ns2:validityPeriodDays><ns2:renewalPeriodDays>30"
              "</ns2:renewalPeriodDays></ns2:certificateValidity><ns2:subjectNameInfo>\n",
              ARC, p->n, p->what, p->n);
    for (size_t i = 0; i < 9 && p->subject[i].name; i++) {
        sb_puts(b, "<ns2:subjectNameAttribute><ns2:subjectNameAttributecount>1"
                   "</ns2:subjectNameAttributecount>");
        write_pair(b, "subjectNameAttributeNameValuePair", &p->subject[i]);
        sb_puts(b, "</ns2:subjectNameAttribute>\n");
    }
    sb_puts(b, "<ns2:overrideSubjectNameFormat>false</ns2:overrideSubjectNameFormat>"
               "</ns2:subjectNameInfo><ns2:extensions><ns2:Extension><ns2:extensionOIDReference>"
               "103</ns2:extensionOIDReference><ns2:extensionCriticalFlag>false"
               "</ns2:extensionCriticalFlag><ns2:extensionSyntax>\n");
    for (size_t i = 0; i < 3 && p->san[i].name; i++)
        write_pair(b, "extensionAttributeNameValuePair", &p->san[i]);
    sb_puts(b, "</ns2:extensionSyntax></ns2:Extension><ns2:Extension><ns2:extensionOIDReference>"
               "104</ns2:extensionOIDReference><ns2:extensionCriticalFlag>false"
               "</ns2:extensionCriticalFlag><ns2:extensionSyntax><ns2:extensionValue "
               "mandatory=\"true\" type=\"OID\">1.3.6.1.5.5.7.3.2</ns2:extensionValue>"
               "</ns2:extensionSyntax></ns2:Extension></ns2:extensions>\n");
    sb_printf(b,
              "<ns2:privateKeyAttributes><ns2:keysize>%u</ns2:keysize><ns2:keyexportable>true"
              "</ns2:keyexportable>",
              p->keysize);
    if (p->alg)
        sb_printf(b, "<ns2:algorithmOIDReference>%d</ns2:algorithmOIDReference>", p->alg);
    else
        sb_puts(b, "<ns2:algorithmOIDReference xsi:nil=\"true\"/>");
    sb_puts(b, "<ns2:cryptoProviders xsi:nil=\"true\"/></ns2:privateKeyAttributes>"
               "<ns2:clientPolicy><ns2:certPublish>no</ns2:certPublish></ns2:clientPolicy>"
               "<ns2:systemInfo><ns2:certificateDeliveryFormat>http://docs.oasis-open.org/wss/"
               "2004/01/oasis-200401-wss-x509-token-profile-1.0#PKCS7"
               "</ns2:certificateDeliveryFormat><ns2:serviceEndpointList xsi:nil=\"true\"/>"
               "<ns2:duplicateCertPolicy xsi:nil=\"true\"/><ns2:supersededPolicyOID "
               "xsi:nil=\"true\"/></ns2:systemInfo><ns2:rAPolicy><ns2:registerUser>true"
               "</ns2:registerUser><ns2:verifyUser>false</ns2:verifyUser><ns2:publishCert>no"
               "</ns2:publishCert><ns2:pollingPolicy xsi:nil=\"true\"/></ns2:rAPolicy>"
               "<ns2:seatIdInfo><ns2:attributeNameValue mandatory=\"false\" type=\"string\">"
               "seat_id</ns2:attributeNameValue><ns2:attributeNameValueProperty><ns2:value "
               "xsi:nil=\"true\"/><ns2:source>userInput</ns2:source><ns2:mandatory>false"
               "</ns2:mandatory><ns2:overridable xsi:nil=\"true\"/>"
               "</ns2:attributeNameValueProperty></ns2:seatIdInfo><ns2:applicationInstructions "
               "xsi:nil=\"true\"/><ns2:deploymentMode>test</ns2:deploymentMode><ns2:status>active"
               "</ns2:status><ns2:migrationOIDs xsi:nil=\"true\"/></ns2:attributes>"
               "</ns2:policy>\n");
}

/* The catalogue file. Its cA certificate is a placeholder (the simulator answers with its
 * own CA certificates): an empty DER SEQUENCE. */
static void write_catalogue(const char *path)
{
    sbuf b = {0};
    sb_puts(&b, "<?xml version='1.0' encoding='UTF-8'?>\n<ns2:getPoliciesResponse "
                "xmlns:ns2=\"http://schemas.verisign.com/pkiservices/2009/07/policy\" "
                "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
                "<ns2:serverTransactionID>catalogue</ns2:serverTransactionID><ns2:response>"
                "<ns2:policyID>pkiws-preflight-test</ns2:policyID><ns2:policyFriendlyName>"
                "pre-flight = CA</ns2:policyFriendlyName><ns2:nextUpdateHours>8"
                "</ns2:nextUpdateHours><ns2:policiesNotChanged>false</ns2:policiesNotChanged>"
                "<ns2:policies>\n");
    for (int i = 1; i < P_COUNT; i++)
        write_policy(&b, &profiles[i]);
    sb_puts(&b, "</ns2:policies></ns2:response><ns2:cAs><ns2:cA><ns2:certificate>MAA="
                "</ns2:certificate><ns2:cAIssuerName>CN=placeholder</ns2:cAIssuerName>"
                "<ns2:cAReferenceID>1</ns2:cAReferenceID><ns2:cAType>private</ns2:cAType>"
                "<ns2:rootCACertificate>MAA=</ns2:rootCACertificate></ns2:cA></ns2:cAs>"
                "<ns2:oIDs>\n");
    for (int i = 1; i < P_COUNT; i++)
        sb_printf(&b,
                  "<ns2:oID><ns2:value>%s%d</ns2:value><ns2:oIDReferenceID>%d"
                  "</ns2:oIDReferenceID><ns2:group>9</ns2:group><ns2:defaultName>%s"
                  "</ns2:defaultName></ns2:oID>\n",
                  ARC, i, i, profiles[i].what);
    sb_puts(&b, "<ns2:oID><ns2:value>1.2.840.113549.1.1.1</ns2:value><ns2:oIDReferenceID>101"
                "</ns2:oIDReferenceID><ns2:group>3</ns2:group></ns2:oID>"
                "<ns2:oID><ns2:value>1.2.840.10045.2.1</ns2:value><ns2:oIDReferenceID>102"
                "</ns2:oIDReferenceID><ns2:group>3</ns2:group></ns2:oID>"
                "<ns2:oID><ns2:value>2.5.29.17</ns2:value><ns2:oIDReferenceID>103"
                "</ns2:oIDReferenceID><ns2:group>6</ns2:group></ns2:oID>"
                "<ns2:oID><ns2:value>2.5.29.37</ns2:value><ns2:oIDReferenceID>104"
                "</ns2:oIDReferenceID><ns2:group>6</ns2:group></ns2:oID>"
                "</ns2:oIDs></ns2:getPoliciesResponse>\n");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(b.p, 1, b.n, f), b.n);
    fclose(f);
    free(b.p);
}

/* ---- the simulator, raw ---- */

/* The newest RequestSecurityToken the simulator logged (NNNN-RequestSecurityToken.xml). */
static char *last_logged_request(void)
{
    DIR *d = opendir(the_sim.reqdir);
    assert_non_null(d);
    struct dirent *e;
    char best[256] = "";
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, "-RequestSecurityToken.xml") && strcmp(e->d_name, best) > 0)
            snprintf(best, sizeof best, "%s", e->d_name);
    closedir(d);
    assert_true(best[0]);
    char path[600];
    snprintf(path, sizeof path, "%s/%s", the_sim.reqdir, best);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    sbuf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_add(&b, chunk, n);
    fclose(f);
    return b.p;
}

static int count_logged_requests(void)
{
    DIR *d = opendir(the_sim.reqdir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Replace the text of the first element that follows `after` (or the document start) and
 * starts with `open` (its start tag, attributes allowed) by the XML-escaped new text. */
static char *set_text(char *xml, const char *after, const char *open, const char *close,
                      const char *text)
{
    const char *from = xml;
    if (after) {
        from = strstr(xml, after);
        if (!from)
            fail_msg("'%s' not in the logged request", after);
    }
    const char *s = strstr(from, open);
    if (!s)
        fail_msg("'%s' not in the logged request", open);
    s = strchr(s, '>') + 1;
    const char *e = strstr(s, close);
    assert_non_null(e);
    sbuf b = {0};
    sb_add(&b, xml, (size_t)(s - xml));
    sb_xml_text(&b, text);
    sb_puts(&b, e);
    free(xml);
    return b.p;
}

/* POST body to the enrollment service with the RA certificate, through the curl command
 * (PKIWS_CURL; the library's own transports would not send what pre-flight refuses): the HTTP
 * status, the answer in *answer (malloc'd). */
static long post_raw(const char *curl, const char *body, char **answer)
{
    char req[400], out[400], cmd[2600];
    snprintf(req, sizeof req, "%s/raw-request.xml", the_sim.dir);
    snprintf(out, sizeof out, "%s/raw-answer.xml", the_sim.dir);
    FILE *f = fopen(req, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(body, 1, strlen(body), f), strlen(body));
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "'%s' -sS --max-time 60 --cacert '%s/trust.pem' --cert '%s/ra.pem' --key "
             "'%s/ra.key' -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: \"\"' "
             "--data-binary '@%s' -o '%s' -w '%%{http_code}' '%s/enrollmentService'",
             curl, the_sim.state, the_sim.state, the_sim.state, req, out, the_sim.url);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    long status = 0;
    if (fscanf(p, "%ld", &status) != 1)
        status = 0;
    if (pclose(p) != 0)
        fail_msg("raw POST failed: %s", cmd);
    f = fopen(out, "rb");
    assert_non_null(f);
    sbuf b = {0};
    sb_puts(&b, "");
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_add(&b, chunk, n);
    fclose(f);
    *answer = b.p;
    return status;
}

/* ---- the cases ---- */

typedef struct idn {
    const char *cn, *email, *upn, *given, *family;
} idn;

typedef struct tcase {
    const char *what;
    int profile, bad_profile; /* bad_profile 0: the same */
    int format;
    unsigned sans;
    int key, bad_key; /* bad_key 0: the same */
    idn ok, bad;
    int code;              /* pre-flight's code for `bad` */
    const char *frags[5];  /* in pre-flight's message: the input, the limit */
    const char *nvp;       /* the nameValuePair that `bad` changes (NULL: none) */
    const char *nvp_value; /* its value for `bad`, as pkiws would send it */
    const char *fault;     /* in the simulator's faultstring */
} tcase;

static pkiws_request *make_request(pkiws_profile **p, int prof, int format, unsigned sans, int key,
                                   const idn *id)
{
    char oid[80];
    snprintf(oid, sizeof oid, "%s%d", ARC, prof);
    assert_int_equal(pkiws_profile_new(p, session, oid), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(*p, PKIWS_PROFILE_OPT_SUBJECT_FORMAT, format), PKIWS_OK);
    assert_int_equal(pkiws_profile_set_int(*p, PKIWS_PROFILE_OPT_SAN_TYPES, (int)sans), PKIWS_OK);
    assert_int_equal(
        pkiws_profile_set_int(*p, PKIWS_PROFILE_OPT_KEY_TYPE, key ? key : PKIWS_KEY_RSA2048),
        PKIWS_OK);
    pkiws_request *r = NULL;
    assert_int_equal(pkiws_request_new(&r, *p), PKIWS_OK);
    const struct {
        int opt;
        const char *v;
    } set[] = {{PKIWS_REQUEST_OPT_CN, id->cn},
               {PKIWS_REQUEST_OPT_EMAIL, id->email},
               {PKIWS_REQUEST_OPT_UPN, id->upn},
               {PKIWS_REQUEST_OPT_GIVEN_NAME, id->given},
               {PKIWS_REQUEST_OPT_FAMILY_NAME, id->family}};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        if (set[i].v)
            assert_int_equal(pkiws_request_set_str(r, set[i].opt, set[i].v), PKIWS_OK);
    return r;
}

static const char *key_name(int key)
{
    switch (key) {
    case PKIWS_KEY_EC_P256:
        return "P-256";
    case PKIWS_KEY_EC_P384:
        return "P-384";
    case PKIWS_KEY_RSA3072:
        return "RSA 3072";
    default:
        return "RSA 2048";
    }
}

static int raw_seq;

static void run_case(const tcase *t)
{
    /* 1. at the limit: pre-flight passes and the simulator issues */
    pkiws_profile *p;
    pkiws_request *r = make_request(&p, t->profile, t->format, t->sans, t->key, &t->ok);
    pkiws_result *res = NULL;
    int rc = pkiws_preflight(r, &res);
    if (rc != PKIWS_OK)
        fail_msg("%s: the accepted variant fails pre-flight: %s: %s", t->what, pkiws_error_name(rc),
                 pkiws_result_message(res));
    pkiws_result_free(res);
    res = NULL;
    rc = pkiws_issue(r, &res);
    if (rc != PKIWS_OK)
        fail_msg("%s: passes pre-flight, but the simulator refuses it: %s: %s", t->what,
                 pkiws_error_name(rc), pkiws_result_message(res));
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
    char *sent = last_logged_request();

    /* 2. one step past it: pre-flight refuses, naming the input and the limit; issue sends
     * nothing */
    int bad_profile = t->bad_profile ? t->bad_profile : t->profile;
    int bad_key = t->bad_key ? t->bad_key : t->key;
    r = make_request(&p, bad_profile, t->format, t->sans, bad_key, &t->bad);
    res = NULL;
    rc = pkiws_preflight(r, &res);
    if (rc != t->code)
        fail_msg("%s: pre-flight gives %s (%s), want %s", t->what, pkiws_error_name(rc),
                 res ? pkiws_result_message(res) : "", pkiws_error_name(t->code));
    assert_int_equal(pkiws_result_error(res), t->code);
    for (size_t k = 0; k < 5 && t->frags[k]; k++)
        if (!strstr(pkiws_result_message(res), t->frags[k]))
            fail_msg("%s: '%s' not in pre-flight's message: %s", t->what, t->frags[k],
                     pkiws_result_message(res));
    assert_non_null(pkiws_result_remedy(res));
    pkiws_result_free(res);
    int before = count_logged_requests();
    res = NULL;
    assert_int_equal(pkiws_issue(r, &res), t->code);
    assert_int_equal(count_logged_requests(), before);
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);

    /* 3. the simulator refuses the same step: the accepted request with that change alone */
    const char *curl = getenv("PKIWS_CURL");
    if (curl && *curl) {
        char txid[40], oid[80];
        snprintf(txid, sizeof txid, "preflight-raw-%d", ++raw_seq);
        sent = set_text(sent, NULL, "<vs:clientTransactionID", "</vs:clientTransactionID>", txid);
        if (t->bad_profile) {
            snprintf(oid, sizeof oid, "%s%d", ARC, t->bad_profile);
            sent =
                set_text(sent, NULL, "<vs:certificateProfileID", "</vs:certificateProfileID>", oid);
        }
        if (t->nvp) {
            char name[120];
            snprintf(name, sizeof name, "<vs:name>%s</vs:name>", t->nvp);
            sent = set_text(sent, name, "<vs:value", "</vs:value>", t->nvp_value);
        }
        if (t->bad_key) {
            char *key_pem = NULL, *csr_pem = NULL;
            assert_int_equal(pkiws_ra_csr("CN=raw", t->bad_key, &key_pem, &csr_pem), PKIWS_OK);
            sent = set_text(sent, NULL, "<vs:binarySecurityToken", "</vs:binarySecurityToken>",
                            csr_pem);
            pkiws_free(key_pem);
            pkiws_free(csr_pem);
        }
        char *answer = NULL;
        long status = post_raw(curl, sent, &answer);
        if (status != 500 || !strstr(answer, "<faultstring>") || !strstr(answer, t->fault))
            fail_msg("%s: the simulator answers HTTP %ld without the fault '%s': %.600s", t->what,
                     status, t->fault, answer);
        free(answer);
    }
    free(sent);
    fprintf(stderr, "ok - %s: pre-flight %s%s\n", t->what, pkiws_error_name(t->code),
            curl && *curl ? ", the simulator refuses it too"
                          : " (no curl: the simulator not asked)");
}

static void test_preflight_refuses_what_the_ca_refuses(void **state)
{
    (void)state;
    char *x64 = rep("x", 64, ""), *x65 = rep("x", 65, "");
    char *e64 = rep("\xC3\xA9", 64, ""), *e65 = rep("\xC3\xA9", 65, "");
    char *m255 = rep("a", 243, "@contoso.com"), *m256 = rep("a", 244, "@contoso.com");
    char *g32768 = rep("g", 32768, ""), *g32769 = rep("g", 32769, "");
    const int CN = PKIWS_SUBJECT_CN, CNE = PKIWS_SUBJECT_CN_EMAIL;
    const unsigned EM = PKIWS_SAN_EMAIL, UP = PKIWS_SAN_UPN;
    const int P256 = PKIWS_KEY_EC_P256, P384 = PKIWS_KEY_EC_P384;
    const int R2048 = PKIWS_KEY_RSA2048, R3072 = PKIWS_KEY_RSA3072;
    const idn alice = {.cn = "Alice", .email = "alice@contoso.com"};
    const tcase cases[] = {
        /* RFC 5280 upper bounds, in characters */
        {"CN over ub-common-name (64)",
         P_FULL,
         0,
         CN,
         0,
         0,
         0,
         {.cn = x64},
         {.cn = x65},
         PKIWS_E_LIMIT,
         {"'common_name'", "request.cn", "65 characters", "ub-common-name", "at most 64"},
         "common_name",
         x65,
         "the subject CN allows at most 64"},
        {"CN counted in characters, not bytes",
         P_FULL,
         0,
         CN,
         0,
         0,
         0,
         {.cn = e64},
         {.cn = e65},
         PKIWS_E_LIMIT,
         {"request.cn", "65 characters", "at most 64"},
         "common_name",
         e65,
         "the subject CN allows at most 64"},
        {"E over ub-emailaddress-length (255)",
         P_FULL,
         0,
         CNE,
         0,
         0,
         0,
         {.cn = "Alice", .email = m255},
         {.cn = "Alice", .email = m256},
         PKIWS_E_LIMIT,
         {"'mail_email'", "request.email", "256 characters", "ub-emailaddress-length",
          "at most 255"},
         "mail_email",
         m256,
         "the subject E allows at most 255"},
        {"fixed O over ub-organization-name (64)",
         P_FULL,
         P_BAD_O,
         CN,
         0,
         0,
         0,
         alice,
         alice,
         PKIWS_E_LIMIT,
         {"'corp_company'", "the template's fixed value", "65 characters", "ub-organization-name",
          "at most 64"},
         "corp_company",
         O65,
         "the subject O allows at most 64"},
        {"fixed OU over ub-organizational-unit-name (64)",
         P_FULL,
         P_BAD_OU,
         CN,
         0,
         0,
         0,
         alice,
         alice,
         PKIWS_E_LIMIT,
         {"'corp_unit'", "65 characters", "at most 64"},
         "corp_unit",
         OU65,
         "the subject OU allows at most 64"},
        {"fixed L over ub-locality-name (128)",
         P_FULL,
         P_BAD_L,
         CN,
         0,
         0,
         0,
         alice,
         alice,
         PKIWS_E_LIMIT,
         {"'corp_city'", "129 characters", "ub-locality-name", "at most 128"},
         "corp_city",
         L129,
         "the subject L allows at most 128"},
        {"fixed ST over ub-state-name (128)",
         P_FULL,
         P_BAD_ST,
         CN,
         0,
         0,
         0,
         alice,
         alice,
         PKIWS_E_LIMIT,
         {"'corp_state'", "129 characters", "ub-state-name", "at most 128"},
         "corp_state",
         ST129,
         "the subject ST allows at most 128"},
        {"fixed C of three letters",
         P_FULL,
         P_BAD_C3,
         CN,
         0,
         0,
         0,
         alice,
         alice,
         PKIWS_E_LIMIT,
         {"'corp_country'", "'NLD' has 3 characters", "exactly 2 letters"},
         "corp_country",
         "NLD",
         "the subject C allows at most 2"},
        {"fixed C with a digit",
         P_FULL,
         P_BAD_C1,
         CN,
         0,
         0,
         0,
         alice,
         alice,
         PKIWS_E_UNSUPPORTED_CHARS,
         {"'corp_country'", "U+0031 at position 2"},
         "corp_country",
         "N1",
         "is not a two-letter country code"},
        {"given name over ub-name (32768)",
         P_FULL,
         0,
         CN,
         0,
         0,
         0,
         {.cn = "Alice", .given = g32768, .family = "Smith"},
         {.cn = "Alice", .given = g32769, .family = "Smith"},
         PKIWS_E_LIMIT,
         {"'mail_firstname'", "request.given_name", "32769 characters", "ub-name", "at most 32768"},
         "mail_firstname",
         g32769,
         "the subject GN allows at most 32768"},
        /* names: letters of any script (combining marks too), digits, space, . - ' */
        {"special character in a name",
         P_FULL,
         0,
         CN,
         0,
         0,
         0,
         {.cn = "Jurgen", .given = "Ju\xCC\x88rgen", .family = "O'Brien-\xC5\x81ukasz"},
         {.cn = "Jurgen", .given = "Ju_rgen", .family = "O'Brien-\xC5\x81ukasz"},
         PKIWS_E_UNSUPPORTED_CHARS,
         {"given name", "'_' (U+005F) at position 3"},
         "mail_firstname",
         "Ju_rgen",
         "Special characters are not supported in mail_firstname"},
        /* e-mail shape (product.md §5) and IA5String */
        {"subject E not e-mail shaped",
         P_FULL,
         0,
         CNE,
         0,
         0,
         0,
         alice,
         {.cn = "Alice", .email = "alice@contoso"},
         PKIWS_E_SAN_UNRESOLVED,
         {"'mail_email'", "request.email 'a***@contoso'", "not e-mail shaped", "single label"},
         "mail_email",
         "alice@contoso",
         "is not an e-mail address"},
        {"subject E not ASCII (IA5String)",
         P_FULL,
         0,
         CNE,
         0,
         0,
         0,
         alice,
         {.cn = "Alice", .email = "j\xC3\xBCrgen@contoso.com"},
         PKIWS_E_UNSUPPORTED_CHARS,
         {"'mail_email'", "request.email", "U+00FC", "IA5String"},
         "mail_email",
         "j\xC3\xBCrgen@contoso.com",
         "non-ASCII"},
        {"rfc822Name not e-mail shaped",
         P_FULL,
         0,
         CN,
         EM,
         0,
         0,
         alice,
         {.cn = "Alice", .email = "alice@-contoso.com"},
         PKIWS_E_SAN_UNRESOLVED,
         {"'san_email'", "request.email", "not e-mail shaped", "starts or ends with '-'"},
         "san_email",
         "alice@-contoso.com",
         "is not an rfc822Name"},
        {"rfc822Name not ASCII (IA5String)",
         P_FULL,
         0,
         CN,
         EM,
         0,
         0,
         alice,
         {.cn = "Alice", .email = "\xC3\xA0lice@contoso.com"},
         PKIWS_E_UNSUPPORTED_CHARS,
         {"'san_email'", "U+00E0", "IA5String"},
         "san_email",
         "\xC3\xA0lice@contoso.com",
         "non-ASCII"},
        {"UPN not e-mail shaped (UTF-8 is fine)",
         P_FULL,
         0,
         CN,
         UP,
         0,
         0,
         {.cn = "Jurgen", .upn = "j\xC3\xBCrgen@contoso.com"},
         {.cn = "Jurgen", .upn = "jurgen@contoso"},
         PKIWS_E_SAN_UNRESOLVED,
         {"'san_upn'", "request.upn 'j***@contoso'", "not e-mail shaped", "single label"},
         "san_upn",
         "jurgen@contoso",
         "is not a user principal name"},
        {"CN that the template takes from the e-mail address",
         P_CNMAIL,
         0,
         CN,
         EM,
         0,
         0,
         {.cn = "carol@contoso.com", .email = "carol@contoso.com"},
         {.cn = "Carol", .email = "carol@contoso.com"},
         PKIWS_E_SAN_UNRESOLVED,
         {"'common_name'", "sourceAttributeName mail_email", "request.cn 'C***'",
          "not e-mail shaped"},
         "common_name",
         "Carol",
         "the profile puts the e-mail address in the common name"},
        /* the template's fixed value */
        {"a value other than the template's fixed value",
         P_FIXEDCN,
         0,
         CN,
         0,
         0,
         0,
         {.cn = "Kiosk"},
         {.cn = "Alice"},
         PKIWS_E_POLICY_MISMATCH,
         {"'common_name'", "request.cn 'A***' is given", "fixed value 'Kiosk'"},
         "common_name",
         "Alice",
         "has the fixed value 'Kiosk'"},
        /* key algorithm and size */
        {"P-384 on a P-256 template",
         P_EC256,
         0,
         CN,
         EM,
         P256,
         P384,
         alice,
         alice,
         PKIWS_E_POLICY_MISMATCH,
         {"key type", "EC P-256 keys (keysize 256)", "P-384"},
         NULL,
         NULL,
         "P-384 instead of P-256"},
        {"P-256 on a P-384 template",
         P_EC384,
         0,
         CN,
         EM,
         P384,
         P256,
         alice,
         alice,
         PKIWS_E_POLICY_MISMATCH,
         {"key type", "EC P-384 keys (keysize 384)", "P-256"},
         NULL,
         NULL,
         "P-256 instead of P-384"},
        {"RSA 2048 on an RSA 3072 template",
         P_RSA3072,
         0,
         CN,
         EM,
         R3072,
         R2048,
         alice,
         alice,
         PKIWS_E_POLICY_MISMATCH,
         {"key type", "at least 3072 bits", "RSA 2048"},
         NULL,
         NULL,
         "RSA-2048 is below the profile's 3072 bits"},
        {"RSA on a keysize 384 template without algorithm",
         P_NOALG384,
         0,
         CN,
         EM,
         P384,
         R2048,
         alice,
         alice,
         PKIWS_E_POLICY_MISMATCH,
         {"key type", "asks for an EC key", "keysize 384"},
         NULL,
         NULL,
         "the profile wants an EC key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fprintf(stderr, "case %zu: %s (%s)\n", i + 1, cases[i].what,
                key_name(cases[i].bad_key ? cases[i].bad_key : cases[i].key));
        run_case(&cases[i]);
    }
    char *made[] = {x64, x65, e64, e65, m255, m256, g32768, g32769};
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++)
        free(made[i]);
}

/* --subject-format cn-as-email with only an e-mail shaped --cn: the CN is used, and traced. */
static void test_cn_as_email_from_request_cn(void **state)
{
    (void)state;
    pkiws_profile *p;
    const idn id = {.cn = "carol@contoso.com"};
    pkiws_request *r =
        make_request(&p, P_CNMAIL, PKIWS_SUBJECT_CN_AS_EMAIL, PKIWS_SAN_EMAIL, 0, &id);
    pkiws_result *res = NULL;
    int rc = pkiws_issue(r, &res);
    if (rc != PKIWS_OK)
        fail_msg("%s: %s", pkiws_error_name(rc), pkiws_result_message(res));
    assert_string_equal(pkiws_result_str(res, PKIWS_RESULT_SUBJECT), "CN=carol@contoso.com");
    int seen = 0;
    for (size_t i = 0; i < pkiws_result_trace_count(res); i++) {
        int field = 0, source = 0;
        const char *value = NULL;
        assert_int_equal(pkiws_result_trace(res, i, &field, &value, &source), PKIWS_OK);
        if (field == PKIWS_FIELD_CN) {
            assert_int_equal(source, PKIWS_SOURCE_REQUEST_CN);
            seen |= 1;
        } else if (field == PKIWS_FIELD_SAN_EMAIL) {
            assert_string_equal(value, "carol@contoso.com");
            assert_int_equal(source, PKIWS_SOURCE_SUBJECT_CN);
            seen |= 2;
        }
    }
    assert_int_equal(seen, 3);
    pkiws_result_free(res);
    pkiws_request_free(r);
    pkiws_profile_free(p);
}

static int group_setup(void **state)
{
    make_profiles();
    char dir[256];
    if (test_mkdtemp(dir, sizeof dir, "pkiws-preflight") != 0)
        return -1;
    snprintf(policy_path, sizeof policy_path, "%s/catalogue.xml", dir);
    write_catalogue(policy_path);
    return sim_group_setup(state);
}

static int group_teardown(void **state)
{
    int bad = sim_group_teardown(state);
    remove(policy_path);
    char *slash = strrchr(policy_path, '/');
    *slash = 0;
    rmdir(policy_path);
    return bad;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preflight_refuses_what_the_ca_refuses),
        cmocka_unit_test(test_cn_as_email_from_request_cn),
    };
    static const char *const extra[] = {"--policy", policy_path, NULL};
    sim_group_init(&the_sim, &session, extra);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
