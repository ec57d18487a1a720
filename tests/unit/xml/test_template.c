/* SPDX-License-Identifier: MIT */
/* Unit tests of src/proto/template.c: the shared getPoliciesResponse example and variants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "pkiws_internal.h"
#include "proto/template.h"

#define PROFILE "2.16.840.1.113733.1.16.1.2.3.1.1.47196109"
#define UPN_OID "1.3.6.1.4.1.311.20.2.3"
#define PKCS7_URI                                                                                  \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#PKCS7"

/* ---- helpers ---- */

static char *read_example(const char *name)
{
    const char *shared = getenv("PKIWS_SHARED");
    if (!shared)
        fail_msg("PKIWS_SHARED is not set (meson sets it)");
    char path[1024];
    snprintf(path, sizeof path, "%s/wsdl/examples/%s", shared, name);
    pkiws_buf b = PKIWS_BUF_INIT;
    if (pkiws__file_read(path, 0, &b))
        fail_msg("cannot read %s: %s", path, pkiws__err_message());
    /* skip the HTTP response head of the example files */
    const char *body = strstr((const char *)b.data, "\n\n");
    body = body ? body + 2 : (const char *)b.data;
    char *out = pkiws__strdup(body);
    pkiws__buf_dispose(&b);
    assert_non_null(out);
    return out;
}

static char *example(void)
{
    return read_example("policy-getPoliciesResponse.xml");
}

/* s with every `from` replaced by `to`; frees s. At least one replacement must happen. */
static char *replace(char *s, const char *from, const char *to)
{
    pkiws_buf b = PKIWS_BUF_INIT;
    size_t n = strlen(from), count = 0;
    const char *p = s, *q;
    while ((q = strstr(p, from)) != NULL) {
        pkiws__buf_append(&b, p, (size_t)(q - p));
        pkiws__buf_puts(&b, to);
        p = q + n;
        count++;
    }
    pkiws__buf_puts(&b, p);
    if (!count)
        fail_msg("'%s' not found in the document", from);
    pkiws__free(s);
    size_t len;
    return (char *)pkiws__buf_detach(&b, &len);
}

static pkiws__template *parse_ok(const char *xml, const char *oid)
{
    pkiws__template *t = NULL;
    int rc = pkiws__template_parse(xml, strlen(xml), oid, NULL, &t);
    if (rc)
        fail_msg("template_parse: %d %s", rc, pkiws__err_message());
    assert_non_null(t);
    return t;
}

static int parse_rc(const char *xml, const char *oid)
{
    pkiws__template *t = (pkiws__template *)1;
    int rc = pkiws__template_parse(xml, strlen(xml), oid, NULL, &t);
    assert_null(t);
    return rc;
}

static void assert_msg(const char *needle)
{
    if (!strstr(pkiws__err_message(), needle))
        fail_msg("message lacks \"%s\": %s", needle, pkiws__err_message());
}

static void check_attr(const pkiws__tpl_attr *a, const char *name, const char *type,
                       const char *fixed, int mandatory, const char *ext_oid, int role,
                       const char *rdn, const char *othername_oid)
{
#define STR_EQ(x, y)                                                                               \
    do {                                                                                           \
        if ((y) == NULL)                                                                           \
            assert_null(x);                                                                        \
        else                                                                                       \
            assert_string_equal((x), (y));                                                         \
    } while (0)
    STR_EQ(a->name, name);
    STR_EQ(a->type, type);
    STR_EQ(a->fixed_value, fixed);
    assert_int_equal(a->mandatory, mandatory);
    STR_EQ(a->ext_oid, ext_oid);
    assert_int_equal(a->in_san, ext_oid && !strcmp(ext_oid, "2.5.29.17"));
    assert_int_equal(a->role, role);
    STR_EQ(a->rdn, rdn);
    STR_EQ(a->othername_oid, othername_oid);
}

static int contains(const uint8_t *p, size_t n, const char *s)
{
    return memmem(p, n, s, strlen(s)) != NULL;
}

/* Everything the shared example says, checked field by field. */
static void check_example_template(const pkiws__template *t)
{
    assert_string_equal(t->profile_oid, PROFILE);
    assert_string_equal(t->name, "Contoso Intune user");
    assert_int_equal(t->nattrs, 5);
    check_attr(&t->attrs[0], "common_name", "CN", NULL, 1, NULL, PKIWS__ROLE_CN, "CN", NULL);
    check_attr(&t->attrs[1], "mail_email", "E", NULL, 0, NULL, PKIWS__ROLE_SUBJECT_EMAIL, "E",
               NULL);
    check_attr(&t->attrs[2], "corp_company", "O", "Contoso Ltd", 1, NULL, PKIWS__ROLE_SUBJECT_OTHER,
               "O", NULL);
    check_attr(&t->attrs[3], "san_email", "rfc822Name", NULL, 1, "2.5.29.17", PKIWS__ROLE_SAN_EMAIL,
               NULL, NULL);
    check_attr(&t->attrs[4], "san_upn", "otherName:" UPN_OID, NULL, 0, "2.5.29.17",
               PKIWS__ROLE_SAN_UPN, NULL, UPN_OID);
    assert_int_equal(t->key_size, 2048);
    assert_string_equal(t->key_alg_oid, "1.2.840.113549.1.1.1");
    assert_int_equal(t->key_is_ec, 0);
    assert_int_equal(t->validity_days, 365);
    assert_string_equal(t->delivery_format, PKCS7_URI);
    assert_int_equal(t->n_fixed_eku, 2);
    assert_string_equal(t->fixed_eku_oids[0], "1.3.6.1.5.5.7.3.2");
    assert_string_equal(t->fixed_eku_oids[1], "1.3.6.1.5.5.7.3.4");
    assert_string_equal(t->seat_attr, "seat_id");
    assert_int_equal(t->next_update_hours, 8);
    /* issuing CA first ("MIIDbz" = 30 82 03 6F), the root last ("MIIDVD" = 30 82 03 54) */
    assert_int_equal(t->nca, 2);
    assert_int_equal(t->has_root, 1);
    assert_int_equal(t->ca_len[0], 0x36f + 4);
    assert_memory_equal(t->ca_der[0], "\x30\x82\x03\x6f", 4);
    assert_true(contains(t->ca_der[0], t->ca_len[0], "Contoso Test Issuing CA"));
    assert_int_equal(t->ca_len[1], 0x354 + 4);
    assert_memory_equal(t->ca_der[1], "\x30\x82\x03\x54", 4);
    assert_true(contains(t->ca_der[1], t->ca_len[1], "Contoso Test Root CA"));
    assert_false(contains(t->ca_der[1], t->ca_len[1], "Issuing"));
}

/* ---- tests ---- */

static void test_template_example_parsed(void **state)
{
    (void)state;
    char *xml = example();
    pkiws__template *t = parse_ok(xml, PROFILE);
    check_example_template(t);
    pkiws__template_free(t);
    pkiws__free(xml);
}

typedef char *(*variant_fn)(char *);

static char *v_prefixes(char *s)
{
    s = replace(s, "ns2:", "pol:");
    s = replace(s, "xmlns:ns2=", "xmlns:pol=");
    s = replace(s, "S:", "soapenv:");
    s = replace(s, "xmlns:S=", "xmlns:soapenv=");
    s = replace(s, "xmlns:xsi", "xmlns:i");
    return replace(s, "xsi:nil", "i:nil");
}

static char *v_default_ns(char *s)
{
    s = replace(s, "<ns2:", "<");
    s = replace(s, "</ns2:", "</");
    return replace(s, "xmlns:ns2=", "xmlns=");
}

static char *v_no_declaration(char *s)
{
    return replace(s, "<?xml version='1.0' encoding='UTF-8'?>\n", "");
}

static char *v_crlf(char *s)
{
    return replace(s, "\n", "\r\n");
}

static char *v_cdata(char *s)
{
    s = replace(s, ">common_name<", "><![CDATA[common_name]]><");
    s = replace(s, ">Contoso Ltd<", "> <![CDATA[Contoso]]> Ltd <");
    s = replace(s, ">2048<", "><![CDATA[ 2048 ]]><");
    s = replace(s, ">1.3.6.1.5.5.7.3.4<", "><![CDATA[1.3.6.1.5.5.7.3.4]]><");
    /* the base64 of the certificates, wrapped at 64 in CDATA */
    return replace(s, ">MIIDbzCCAlegAwIBAgIIGis8TV5vcIEwDQYJKoZIhvcNAQELBQAw",
                   "><![CDATA[MIIDbzCCAlegAwIBAgIIGis8TV5vcIEw]]>\n   "
                   "<![CDATA[DQYJKoZIhvcNAQELBQAw]]>");
}

static char *v_bare(char *s)
{
    char *start = strstr(s, "<ns2:getPoliciesResponse");
    char *end = strstr(s, "</ns2:getPoliciesResponse>");
    assert_non_null(start);
    assert_non_null(end);
    end += strlen("</ns2:getPoliciesResponse>");
    char *out = pkiws__strndup(start, (size_t)(end - start));
    pkiws__free(s);
    return out;
}

static char *v_entities_and_comments(char *s)
{
    s = replace(s, ">san_email<", ">san&#95;email<!-- split --><");
    s = replace(s, "type=\"rfc822Name\"", "type=\"&#x72;fc822Name\"");
    return replace(s, "<ns2:keysize>", "<!-- c --><?pi x?><ns2:keysize>");
}

static char *v_whitespace_everywhere(char *s)
{
    s = replace(s, "<ns2:value>2.5.29.17</ns2:value>", "<ns2:value>\n  2.5.29.17\t</ns2:value>");
    s = replace(s, "<ns2:policyOIDReference>1<", "<ns2:policyOIDReference> 1 <");
    s = replace(s, "mandatory=\"true\" type=\"CN\"", "type=' CN ' mandatory=' true '");
    return replace(s, "<ns2:mandatory>false</ns2:mandatory>",
                   "<ns2:mandatory> false </ns2:mandatory>");
}

static void test_template_example_variants(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        variant_fn fn;
    } variants[] = {
        {"other prefixes", v_prefixes},
        {"default namespace", v_default_ns},
        {"no XML declaration", v_no_declaration},
        {"CRLF", v_crlf},
        {"CDATA values", v_cdata},
        {"bare getPoliciesResponse", v_bare},
        {"entities and comments", v_entities_and_comments},
        {"white space", v_whitespace_everywhere},
    };
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(variants); i++) {
        char *xml = variants[i].fn(example());
        pkiws__template *t = NULL;
        int rc = pkiws__template_parse(xml, strlen(xml), PROFILE, NULL, &t);
        if (rc)
            fail_msg("variant %s: %d %s", variants[i].name, rc, pkiws__err_message());
        check_example_template(t);
        pkiws__template_free(t);
        pkiws__free(xml);
    }
    /* all variants at once */
    char *xml = v_cdata(v_crlf(v_no_declaration(v_prefixes(example()))));
    pkiws__template *t = parse_ok(xml, PROFILE);
    check_example_template(t);
    pkiws__template_free(t);
    pkiws__free(xml);
}

static void test_template_unknown_oid_lists_offered(void **state)
{
    (void)state;
    char *xml = example();
    assert_int_equal(parse_rc(xml, "1.2.3.4"), PKIWS_E_PROFILE_NOT_FOUND);
    assert_msg("no policy for profile OID 1.2.3.4");
    assert_msg("offers " PROFILE);
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_PROFILE_NOT_FOUND);

    /* a second policy for the RSA OID (reference 2): both are listed */
    char *two = pkiws__strdup(xml);
    const char *pol = strstr(two, "<ns2:policy>");
    const char *end = strstr(two, "</ns2:policy>") + strlen("</ns2:policy>");
    char *copy = pkiws__strndup(pol, (size_t)(end - pol));
    copy = replace(copy, "<ns2:policyOIDReference>1<", "<ns2:policyOIDReference>2<");
    pkiws_buf b = PKIWS_BUF_INIT;
    pkiws__buf_append(&b, two, (size_t)(end - two));
    pkiws__buf_puts(&b, copy);
    pkiws__buf_puts(&b, end);
    assert_int_equal(parse_rc((const char *)b.data, "1.2.3.4"), PKIWS_E_PROFILE_NOT_FOUND);
    assert_msg("offers " PROFILE ", 1.2.840.113549.1.1.1");

    pkiws_xml_doc *doc;
    assert_int_equal(pkiws__xml_parse((const char *)b.data, b.len, NULL, "t", &doc), PKIWS_OK);
    char **oids;
    size_t n;
    assert_int_equal(pkiws__template_list_oids(doc, &oids, &n), PKIWS_OK);
    assert_int_equal(n, 2);
    assert_string_equal(oids[0], PROFILE);
    assert_string_equal(oids[1], "1.2.840.113549.1.1.1");
    pkiws__template_free_oids(oids, n);
    /* the second policy is found by its own OID */
    pkiws__template *t;
    assert_int_equal(pkiws__template_from_doc(doc, "1.2.840.113549.1.1.1", &t), PKIWS_OK);
    assert_string_equal(t->profile_oid, "1.2.840.113549.1.1.1");
    assert_string_equal(t->name, "RSA");
    pkiws__template_free(t);
    pkiws__xml_free(doc);

    /* no policies at all */
    char *none =
        replace(pkiws__strdup(xml), "<ns2:policies>", "<ns2:policies xsi:nil=\"true\"/><ns2:x>");
    none = replace(none, "</ns2:policies>", "</ns2:x>");
    assert_int_equal(parse_rc(none, PROFILE), PKIWS_E_PROFILE_NOT_FOUND);
    assert_msg("offers no profile at all");

    /* the OID argument itself */
    assert_int_equal(parse_rc(xml, "1.2.x"), PKIWS_E_INVALID_ARG);
    assert_msg("'1.2.x'");
    assert_int_equal(parse_rc(xml, NULL), PKIWS_E_INVALID_ARG);

    pkiws__buf_dispose(&b);
    pkiws__free(none);
    pkiws__free(copy);
    pkiws__free(two);
    pkiws__free(xml);
}

static void test_template_soap_faults(void **state)
{
    (void)state;
    char *xml = read_example("fault-server.xml");
    pkiws__err_clear();
    assert_int_equal(parse_rc(xml, PROFILE), PKIWS_E_PROFILE_NOT_FOUND);
    assert_msg("A request element is not understood.");
    assert_msg(PROFILE);
    assert_ptr_equal(pkiws__err_remedy(), PKIWS__REMEDY_PROFILE_NOT_FOUND);
    assert_string_equal(pkiws__err_native_domain(), "soap");
    assert_int_equal(pkiws__err_native_code(), 1012);

    pkiws_xml_doc *doc;
    char **oids;
    size_t n;
    assert_int_equal(pkiws__xml_parse(xml, strlen(xml), NULL, "t", &doc), PKIWS_OK);
    assert_int_equal(pkiws__template_list_oids(doc, &oids, &n), PKIWS_E_PROFILE_NOT_FOUND);
    assert_null(oids);
    pkiws__xml_free(doc);

    xml = replace(xml, "<faultstring>A request element is not understood.</faultstring>",
                  "<faultstring>Internal &lt;error&gt; 42</faultstring>");
    assert_int_equal(parse_rc(xml, PROFILE), PKIWS_E_SOAP_FAULT);
    assert_msg("faultstring \"Internal <error> 42\"");
    assert_msg("faultcode S:Server");
    assert_msg("(detail errorcode 1012 message \"A request element is not understood.\")");

    pkiws__free(xml);
    xml = read_example("invalid/fault-missing-faultstring.xml");
    assert_int_equal(parse_rc(xml, PROFILE), PKIWS_E_SOAP_FAULT);
    assert_msg("faultstring \"(none)\"");
    assert_msg(
        "faultcode S:Client, faultstring \"(none)\" (detail message \"Missing faultstring.\")");
    pkiws__free(xml);
}

static void test_template_dangling_references(void **state)
{
    (void)state;
    static const struct {
        const char *from, *to, *needle;
    } cases[] = {
        {"<ns2:policyOIDReference>1<", "<ns2:policyOIDReference>9<",
         "response/policies/policy[1]/policyOIDReference 9 refers to no oIDs/oID"},
        {"<ns2:extensionOIDReference>4<", "<ns2:extensionOIDReference>7<",
         "extensions/Extension[2]/extensionOIDReference 7 refers to no oIDs/oID"},
        {"<ns2:algorithmOIDReference>2<", "<ns2:algorithmOIDReference>12<",
         "privateKeyAttributes/algorithmOIDReference 12"},
        {"<ns2:cAReference>1<", "<ns2:cAReference>5<", "cAs/cAReference 5 refers to no cAs/cA"},
        {"<ns2:policyOIDReference>1<", "<ns2:policyOIDReference>one<",
         "'one' is missing or not a number"},
        {"<ns2:value>2.5.29.17<", "<ns2:value>2.5.29.x<", "value '2.5.29.x' is not a dotted OID"},
        {"<ns2:oIDReferenceID>3<", "<ns2:oIDReferenceID>-3<", "oIDs/oID[3]: oIDReferenceID '-3'"},
        {"<ns2:getPoliciesResponse", "<ns2:getPoliciesResponseX",
         "found {" PKIWS_NS_POLICY "}getPoliciesResponseX"},
    };
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(cases); i++) {
        char *xml = replace(example(), cases[i].from, cases[i].to);
        if (i == PKIWS_ARRAY_LEN(cases) - 1)
            xml = replace(xml, "</ns2:getPoliciesResponse>", "</ns2:getPoliciesResponseX>");
        int rc = parse_rc(xml, PROFILE);
        if (rc != PKIWS_E_PROTOCOL)
            fail_msg("case %zu: rc %d %s", i, rc, pkiws__err_message());
        assert_msg(cases[i].needle);
        pkiws__free(xml);
    }
}

static void test_template_bad_values_named(void **state)
{
    (void)state;
    static const struct {
        const char *from, *to, *needle;
    } cases[] = {
        {"<ns2:certificate>MIIDbz", "<ns2:certificate>MI*Dbz",
         "cAs/cA[cAReferenceID 1]/certificate: base64 text has '*'"},
        {"<ns2:rootCACertificate>MIIDVD", "<ns2:rootCACertificate>AAAAAA",
         "cAs/cA[cAReferenceID 1]/rootCACertificate: 856 bytes that are not one DER certificate"},
        {"mandatory=\"true\" type=\"rfc822Name\"", "mandatory=\"yes\" type=\"rfc822Name\"",
         "extensions/Extension[1] (2.5.29.17)/extensionAttributeNameValuePair[1]: "
         "attributeNameValue/@mandatory 'yes' is not a boolean"},
        {"<ns2:mandatory>false</ns2:mandatory>", "<ns2:mandatory>maybe</ns2:mandatory>",
         "subjectNameAttribute[2]/subjectNameAttributeNameValuePair[1]: "
         "attributeNameValueProperty/mandatory 'maybe'"},
        {"<ns2:keysize>2048<", "<ns2:keysize>2k<",
         "privateKeyAttributes/keysize '2k' is not a number"},
        {"<ns2:validityPeriodDays>365<", "<ns2:validityPeriodDays>99999999999<",
         "validityPeriodDays '99999999999'"},
        {"<ns2:attributeName>mail_email<", "<ns2:attributeName> <",
         "subjectNameAttribute[2]/subjectNameAttributeNameValuePair[1]: attributeName is missing"},
        {"otherName:" UPN_OID, "otherName:1.3..6", "type 'otherName:1.3..6' whose OID"},
        {">1.3.6.1.5.5.7.3.4<", ">clientAuth<", "extensionValue[2]: EKU value 'clientAuth'"},
        {"<ns2:nextUpdateHours>8<", "<ns2:nextUpdateHours>-8<", "response/nextUpdateHours '-8'"},
        {"<ns2:attributes>", "<ns2:attributesX>", "has no attributes element"},
    };
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(cases); i++) {
        char *xml = replace(example(), cases[i].from, cases[i].to);
        if (i == PKIWS_ARRAY_LEN(cases) - 1)
            xml = replace(xml, "</ns2:attributes>", "</ns2:attributesX>");
        int rc = parse_rc(xml, PROFILE);
        if (rc != PKIWS_E_PROTOCOL)
            fail_msg("case %zu: rc %d %s", i, rc, pkiws__err_message());
        assert_msg(cases[i].needle);
        pkiws__free(xml);
    }
}

static void test_template_nil_absent_and_ec(void **state)
{
    (void)state;
    char *xml = example();
    xml = replace(xml, "<ns2:nextUpdateHours>8</ns2:nextUpdateHours>",
                  "<ns2:nextUpdateHours xsi:nil=\"true\"/>");
    xml = replace(xml, "<ns2:algorithmOIDReference>2</ns2:algorithmOIDReference>",
                  "<ns2:algorithmOIDReference xsi:nil=\"true\"/>");
    xml = replace(xml, "<ns2:seatIdInfo>", "<ns2:seatIdInfoX>");
    xml = replace(xml, "</ns2:seatIdInfo>", "</ns2:seatIdInfoX>");
    xml = replace(xml, "<ns2:defaultName>Contoso Intune user</ns2:defaultName>",
                  "<ns2:defaultName xsi:nil='true'/>");
    /* mandatory only from the property; fixed value only from the property */
    xml = replace(
        xml, "<ns2:attributeNameValue mandatory=\"false\" type=\"E\"/>",
        "<ns2:attributeNameValue type=\"E\" xsi:nil=\"true\">ignored</ns2:attributeNameValue>");
    xml = replace(
        xml,
        "<ns2:value xsi:nil=\"true\"/>\n                  <ns2:source>userInput</ns2:source>\n"
        "                  <ns2:mandatory>false</ns2:mandatory>\n"
        "                  <ns2:overridable xsi:nil=\"true\"/>",
        "<ns2:value> from property </ns2:value><ns2:mandatory>true</ns2:mandatory>");
    /* the root also given as the issuing certificate's intermediate: it still goes last, once */
    const char *root_b64 =
        strstr(xml, "<ns2:rootCACertificate>") + strlen("<ns2:rootCACertificate>");
    size_t rlen = (size_t)(strstr(root_b64, "<") - root_b64);
    char *inter = pkiws__malloc(rlen + 200);
    snprintf(inter, rlen + 200,
             "<ns2:intermediateCACertificates>%.*s</ns2:intermediateCACertificates>"
             "<ns2:cAType>",
             (int)rlen, root_b64);
    xml = replace(xml, "<ns2:cAType>", inter);
    pkiws__free(inter);
    pkiws__template *t = parse_ok(xml, PROFILE);
    assert_int_equal(t->next_update_hours, -1);
    assert_null(t->key_alg_oid);
    assert_int_equal(t->key_is_ec, 0);
    assert_null(t->seat_attr);
    assert_null(t->name);
    check_attr(&t->attrs[1], "mail_email", "E", "from property", 1, NULL, PKIWS__ROLE_SUBJECT_EMAIL,
               "E", NULL);
    assert_int_equal(t->nca, 2);
    assert_int_equal(t->has_root, 1);
    assert_true(contains(t->ca_der[1], t->ca_len[1], "Contoso Test Root CA"));
    pkiws__template_free(t);
    pkiws__free(xml);

    /* EC: the algorithm OID is id-ecPublicKey; no CA references, no extensions */
    xml = replace(example(), "<ns2:value>1.2.840.113549.1.1.1</ns2:value>",
                  "<ns2:value>1.2.840.10045.2.1</ns2:value>");
    xml = replace(xml, "<ns2:cAReference>1</ns2:cAReference>", "");
    xml = replace(xml, "<ns2:extensions>", "<ns2:extensions xsi:nil=\"true\"/><ns2:old>");
    xml = replace(xml, "</ns2:extensions>", "</ns2:old>");
    t = parse_ok(xml, PROFILE);
    assert_string_equal(t->key_alg_oid, "1.2.840.10045.2.1");
    assert_int_equal(t->key_is_ec, 1);
    assert_int_equal(t->nca, 0);
    assert_int_equal(t->has_root, 0);
    assert_int_equal(t->nattrs, 3);
    assert_int_equal(t->n_fixed_eku, 0);
    pkiws__template_free(t);
    pkiws__free(xml);
}

static void test_template_dup_is_deep(void **state)
{
    (void)state;
    char *xml = example();
    pkiws__template *t = parse_ok(xml, PROFILE), *d = NULL;
    assert_int_equal(pkiws__template_dup(t, &d), PKIWS_OK);
    assert_ptr_not_equal(d->attrs, t->attrs);
    assert_ptr_not_equal(d->ca_der[0], t->ca_der[0]);
    pkiws__template_free(t);
    check_example_template(d);
    pkiws__template_free(d);
    assert_int_equal(pkiws__template_dup(NULL, &d), PKIWS_E_INVALID_ARG);
    assert_null(d);
    pkiws__template_free(NULL);
    pkiws__free(xml);
}

/* attributeNameValueProperty/sourceAttributeName: trimmed, NULL when absent, empty or nil;
 * kept by the deep copy (profiles snapshot templates). */
static void test_template_source_attribute(void **state)
{
    (void)state;
    char *xml = replace(example(), "<ns2:source>userInput</ns2:source>",
                        "<ns2:source>userInput</ns2:source>"
                        "<ns2:sourceAttributeName> mail_email </ns2:sourceAttributeName>");
    xml = replace(xml, "<ns2:source>fixed</ns2:source>",
                  "<ns2:source>fixed</ns2:source><ns2:sourceAttributeName xsi:nil=\"true\"/>");
    pkiws__template *t = parse_ok(xml, PROFILE), *d = NULL;
    assert_string_equal(t->attrs[0].name, "common_name");
    assert_string_equal(t->attrs[0].source_attr, "mail_email");
    assert_string_equal(t->attrs[3].source_attr, "mail_email");
    assert_null(t->attrs[2].source_attr); /* nil */
    assert_int_equal(pkiws__template_dup(t, &d), PKIWS_OK);
    assert_non_null(d->attrs[0].source_attr);
    assert_ptr_not_equal(d->attrs[0].source_attr, t->attrs[0].source_attr);
    assert_string_equal(d->attrs[0].source_attr, "mail_email");
    assert_null(d->attrs[2].source_attr);
    pkiws__template_free(d);
    pkiws__template_free(t);
    pkiws__free(xml);

    xml = replace(example(), "<ns2:source>userInput</ns2:source>",
                  "<ns2:source>userInput</ns2:source><ns2:sourceAttributeName> "
                  "</ns2:sourceAttributeName>");
    t = parse_ok(xml, PROFILE);
    for (size_t i = 0; i < t->nattrs; i++)
        assert_null(t->attrs[i].source_attr); /* blank: absent */
    pkiws__template_free(t);
    pkiws__free(xml);

    t = parse_ok(xml = example(), PROFILE);
    for (size_t i = 0; i < t->nattrs; i++)
        assert_null(t->attrs[i].source_attr); /* the vendor example has none */
    pkiws__template_free(t);
    pkiws__free(xml);
}

static void test_template_xml_errors_pass_through(void **state)
{
    (void)state;
    char *xml = example();
    size_t len = strlen(xml);
    pkiws__template *t;
    pkiws_xml_limits lim = {1000, 0, 0};
    assert_int_equal(pkiws__template_parse(xml, len, PROFILE, &lim, &t), PKIWS_E_LIMIT);
    assert_msg("policy response: ");
    assert_int_equal(pkiws__template_parse(xml, len / 2, PROFILE, NULL, &t), PKIWS_E_PROTOCOL);
    assert_msg("truncated");
    assert_null(t);
    /* another message in the SOAP body */
    char *other = read_example("enrollment-RequestSecurityTokenResponse-issued.xml");
    assert_int_equal(parse_rc(other, PROFILE), PKIWS_E_PROTOCOL);
    assert_msg("expected {" PKIWS_NS_POLICY "}getPoliciesResponse");
    assert_msg("RequestSecurityTokenResponse");
    pkiws__free(other);
    /* the policy namespace is matched by URI: a look-alike namespace is not a policy response */
    xml = replace(xml, "xmlns:ns2=\"http://schemas.verisign.com/pkiservices/2009/07/policy\"",
                  "xmlns:ns2=\"http://schemas.verisign.com/pkiservices/2009/07/policy/\"");
    assert_int_equal(parse_rc(xml, PROFILE), PKIWS_E_PROTOCOL);
    pkiws__free(xml);
}

static void test_template_roles(void **state)
{
    (void)state;
    static const struct {
        const char *type, *name;
        int role;
    } cases[] = {
        {"CN", "x", PKIWS__ROLE_CN},
        {"cn", NULL, PKIWS__ROLE_CN},
        {"E", "common_name", PKIWS__ROLE_SUBJECT_EMAIL}, /* the type wins */
        {"o", NULL, PKIWS__ROLE_SUBJECT_OTHER},
        {"OU", NULL, PKIWS__ROLE_SUBJECT_OTHER},
        {"L", NULL, PKIWS__ROLE_SUBJECT_OTHER},
        {"st", NULL, PKIWS__ROLE_SUBJECT_OTHER},
        {"C", NULL, PKIWS__ROLE_SUBJECT_OTHER},
        {"RFC822NAME", NULL, PKIWS__ROLE_SAN_EMAIL},
        {"dnsname", NULL, PKIWS__ROLE_SAN_DNS},
        {"otherName:" UPN_OID, NULL, PKIWS__ROLE_SAN_UPN},
        {"OTHERNAME:" UPN_OID, "mail", PKIWS__ROLE_SAN_UPN},
        {"otherName:1.2.3.4", "san_upn", PKIWS__ROLE_SAN_OTHERNAME},
        {"string", "common_name", PKIWS__ROLE_CN}, /* unknown type: the alias decides */
        {NULL, "COMMON_NAME", PKIWS__ROLE_CN},
        {NULL, "mail_email", PKIWS__ROLE_SUBJECT_EMAIL},
        {NULL, "emailaddress", PKIWS__ROLE_SUBJECT_EMAIL},
        {NULL, "Mail", PKIWS__ROLE_SUBJECT_EMAIL},
        {NULL, "san_email", PKIWS__ROLE_SAN_EMAIL},
        {NULL, "rfc822Name", PKIWS__ROLE_SAN_EMAIL},
        {NULL, "san_upn", PKIWS__ROLE_SAN_UPN},
        {NULL, "UPN", PKIWS__ROLE_SAN_UPN},
        {NULL, "userprincipalname", PKIWS__ROLE_SAN_UPN},
        {NULL, "san_othername", PKIWS__ROLE_SAN_OTHERNAME},
        {NULL, "OtherName", PKIWS__ROLE_SAN_OTHERNAME},
        {NULL, "mail_firstname", PKIWS__ROLE_GIVEN_NAME},
        {NULL, "mail_lastname", PKIWS__ROLE_FAMILY_NAME},
        {NULL, "seat_id", PKIWS__ROLE_SEAT_ID},
        {"otherName:", "x", PKIWS__ROLE_UNKNOWN},
        {NULL, "corp_company", PKIWS__ROLE_UNKNOWN},
        {"", "", PKIWS__ROLE_UNKNOWN},
        {NULL, NULL, PKIWS__ROLE_UNKNOWN},
    };
    for (size_t i = 0; i < PKIWS_ARRAY_LEN(cases); i++)
        if (pkiws__role_from_type(cases[i].type, cases[i].name) != cases[i].role)
            fail_msg("type %s name %s: role %d, want %d", cases[i].type ? cases[i].type : "NULL",
                     cases[i].name ? cases[i].name : "NULL",
                     pkiws__role_from_type(cases[i].type, cases[i].name), cases[i].role);
    assert_string_equal(pkiws__role_rdn(PKIWS__ROLE_CN), "CN");
    assert_string_equal(pkiws__role_rdn(PKIWS__ROLE_SUBJECT_EMAIL), "E");
    assert_null(pkiws__role_rdn(PKIWS__ROLE_SAN_UPN));
    assert_string_equal(pkiws__role_type_rdn("ou"), "OU");
    assert_string_equal(pkiws__role_type_rdn("St"), "ST");
    assert_null(pkiws__role_type_rdn("rfc822Name"));
    assert_null(pkiws__role_type_rdn(NULL));
    assert_string_equal(pkiws__role_type_othername_oid("othername:1.2.3"), "1.2.3");
    assert_null(pkiws__role_type_othername_oid("other:1.2.3"));
    assert_string_equal(pkiws__role_name(PKIWS__ROLE_SAN_UPN), "san_upn");
    assert_string_equal(pkiws__role_name(PKIWS__ROLE_CN), "cn");
    assert_string_equal(pkiws__role_name(PKIWS__ROLE_SEAT_ID), "seat_id");
    assert_string_equal(pkiws__role_name(999), "unknown");
}

static void test_template_truncated_and_mutated_never_crash(void **state)
{
    (void)state;
    char *xml = example();
    size_t len = strlen(xml);
    for (size_t cut = 0; cut < len - 2; cut += 97) {
        pkiws__template *t = (pkiws__template *)1;
        int rc = pkiws__template_parse(xml, cut, PROFILE, NULL, &t);
        if (rc != PKIWS_E_PROTOCOL)
            fail_msg("cut at %zu: %d %s", cut, rc, pkiws__err_message());
        assert_null(t);
    }
    /* change digits and letters in element text: parse or fail cleanly */
    char *m = pkiws__malloc(len);
    for (size_t i = 0; i < len; i += 7) {
        memcpy(m, xml, len);
        m[i] = m[i] >= '0' && m[i] <= '9' ? 'x' : '7';
        pkiws__template *t = NULL;
        int rc = pkiws__template_parse(m, len, PROFILE, NULL, &t);
        if (rc == PKIWS_OK)
            pkiws__template_free(t);
        else
            assert_true(strlen(pkiws__err_message()) > 10);
    }
    pkiws__free(m);
    pkiws__free(xml);
}

typedef struct worker {
    const char *xml;
    int failures;
    char bad_message[256];
} worker;

static void *worker_run(void *arg)
{
    worker *w = arg;
    char bad[64];
    for (int i = 0; i < 40; i++) {
        pkiws__template *t = NULL;
        if (pkiws__template_parse(w->xml, strlen(w->xml), PROFILE, NULL, &t) || t->nattrs != 5 ||
            t->nca != 2 || strcmp(t->attrs[2].fixed_value, "Contoso Ltd"))
            w->failures++;
        pkiws__template_free(t);
        /* an error on this thread names this thread's input */
        snprintf(bad, sizeof bad, "<r>&bad%d;</r>", i);
        pkiws_xml_doc *doc;
        if (pkiws__xml_parse(bad, strlen(bad), NULL, "worker input", &doc) != PKIWS_E_PROTOCOL)
            w->failures++;
        snprintf(bad, sizeof bad, "'&bad%d;'", i);
        if (!strstr(pkiws__err_message(), bad)) {
            w->failures++;
            snprintf(w->bad_message, sizeof w->bad_message, "%s", pkiws__err_message());
        }
    }
    return NULL;
}

static void test_template_parallel_threads(void **state)
{
    (void)state;
    char *xml = example();
    pthread_t th[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].xml = xml;
        assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        if (w[i].failures)
            fail_msg("thread %d: %d failures (%s)", i, w[i].failures, w[i].bad_message);
    }
    pkiws__free(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_example_parsed),
        cmocka_unit_test(test_template_example_variants),
        cmocka_unit_test(test_template_unknown_oid_lists_offered),
        cmocka_unit_test(test_template_soap_faults),
        cmocka_unit_test(test_template_dangling_references),
        cmocka_unit_test(test_template_bad_values_named),
        cmocka_unit_test(test_template_nil_absent_and_ec),
        cmocka_unit_test(test_template_dup_is_deep),
        cmocka_unit_test(test_template_source_attribute),
        cmocka_unit_test(test_template_xml_errors_pass_through),
        cmocka_unit_test(test_template_roles),
        cmocka_unit_test(test_template_truncated_and_mutated_never_crash),
        cmocka_unit_test(test_template_parallel_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
