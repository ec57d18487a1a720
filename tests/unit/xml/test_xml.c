/* SPDX-License-Identifier: MIT */
/* Unit tests of src/xml: reader (namespaces, entities, refusals, limits), queries, writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "pkiws_internal.h"
#include "xml/xml.h"

/* ---- helpers ---- */

static int parse(const char *s, const pkiws_xml_limits *lim, pkiws_xml_doc **doc)
{
    return pkiws__xml_parse(s, strlen(s), lim, "test document", doc);
}

/* Parsing must fail with code and a message containing every needle. */
static void expect_fail(const char *s, int code, const char *needle)
{
    pkiws_xml_doc *doc = (pkiws_xml_doc *)1;
    int rc = parse(s, NULL, &doc);
    if (rc != code || (needle && !strstr(pkiws__err_message(), needle)))
        fail_msg("input <%s>: rc %d (want %d), message: %s", s, rc, code, pkiws__err_message());
    assert_null(doc);
    assert_non_null(strstr(pkiws__err_message(), "test document"));
}

static char *read_example(const char *name, size_t *len)
{
    const char *shared = getenv("PKIWS_SHARED");
    if (!shared)
        fail_msg("PKIWS_SHARED is not set (meson sets it)");
    char path[1024];
    snprintf(path, sizeof path, "%s/wsdl/examples/%s", shared, name);
    pkiws_buf b = PKIWS_BUF_INIT;
    if (pkiws__file_read(path, 0, &b))
        fail_msg("cannot read %s: %s", path, pkiws__err_message());
    /* the example files start with the HTTP response head: keep the body */
    char *body = strstr((char *)b.data, "\n\n");
    assert_non_null(body);
    body += 2;
    char *out = pkiws__strdup(body);
    *len = strlen(out);
    pkiws__buf_dispose(&b);
    return out;
}

/* ---- reader ---- */

static void test_xml_namespaces_resolved_by_uri(void **state)
{
    (void)state;
    const char *s =
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        "<a:root xmlns:a='urn:a' xmlns='urn:default' xmlns:b=\"urn:b\" b:x='1' y='2' xml:lang='en'>"
        "<child/>"
        "<b:child a:z='3'/>"
        "<inner xmlns='urn:other'><deep/></inner>"
        "<plain xmlns=''><bare/></plain>"
        "<a:child xmlns:a='urn:rebound'/>"
        "<a:after/>"
        "</a:root>";
    pkiws_xml_doc *doc;
    assert_int_equal(parse(s, NULL, &doc), PKIWS_OK);
    pkiws_xml_node *r = pkiws__xml_root(doc);
    assert_string_equal(r->ns, "urn:a");
    assert_string_equal(r->local, "root");
    assert_null(r->parent);
    /* namespace declarations are not attributes */
    assert_int_equal(r->nattrs, 3);
    assert_string_equal(pkiws__xml_attr(r, "http://www.w3.org/XML/1998/namespace", "lang"), "en");
    assert_string_equal(pkiws__xml_attr(r, "urn:b", "x"), "1");
    assert_null(pkiws__xml_attr(r, "", "x"));
    assert_string_equal(pkiws__xml_attr(r, "", "y"), "2");
    assert_string_equal(pkiws__xml_attr(r, NULL, "x"), "1");
    assert_null(pkiws__xml_attr(r, "urn:default", "y")); /* no default namespace for attributes */

    pkiws_xml_node *c = r->first_child;
    assert_true(pkiws__xml_is(c, "urn:default", "child"));
    assert_ptr_equal(c->parent, r);
    c = c->next;
    assert_true(pkiws__xml_is(c, "urn:b", "child"));
    assert_string_equal(pkiws__xml_attr(c, "urn:a", "z"), "3");
    c = c->next;
    assert_true(pkiws__xml_is(c, "urn:other", "inner"));
    assert_true(pkiws__xml_is(c->first_child, "urn:other", "deep"));
    c = c->next;
    assert_true(pkiws__xml_is(c, "", "plain"));
    assert_true(pkiws__xml_is(c->first_child, "", "bare"));
    c = c->next;
    assert_true(pkiws__xml_is(c, "urn:rebound", "child"));
    c = c->next;
    assert_true(pkiws__xml_is(c, "urn:a", "after")); /* the rebinding was scoped */
    assert_null(c->next);

    /* matching never uses the prefix */
    assert_false(pkiws__xml_is(r, "a", "root"));
    assert_true(pkiws__xml_is(r, NULL, "root"));
    assert_ptr_equal(pkiws__xml_child(r, "urn:b", "child"), r->first_child->next);
    assert_ptr_equal(pkiws__xml_child(r, NULL, "child"), r->first_child);
    assert_ptr_equal(pkiws__xml_next_named(r->first_child, NULL, "child"), r->first_child->next);
    assert_ptr_equal(pkiws__xml_find(r, "urn:other", "deep"),
                     r->first_child->next->next->first_child);
    assert_null(pkiws__xml_find(r, "urn:a", "root")); /* descendants only */
    pkiws__xml_free(doc);
}

static void test_xml_text_cdata_comments_entities(void **state)
{
    (void)state;
    const char *s = "<r a=\"x &amp; &lt;y&gt; &quot;q&quot; &apos;&#65;&#x42;&#xe9;\">"
                    "  one &amp; <!-- dropped --><?pi dropped?>two <![CDATA[<raw> &amp; ]]>"
                    "&#x20AC;<c> child </c> tail </r>";
    pkiws_xml_doc *doc;
    assert_int_equal(parse(s, NULL, &doc), PKIWS_OK);
    pkiws_xml_node *r = pkiws__xml_root(doc);
    assert_string_equal(pkiws__xml_attr(r, "", "a"), "x & <y> \"q\" 'AB\xc3\xa9");
    assert_string_equal(r->text, "  one & two <raw> &amp; \xe2\x82\xac tail ");
    assert_string_equal(pkiws__xml_text_trim(doc, r), "one & two <raw> &amp; \xe2\x82\xac tail");
    assert_string_equal(r->first_child->text, " child ");
    assert_string_equal(pkiws__xml_text_trim(doc, r->first_child), "child");
    assert_null(r->first_child->next); /* comment and PI are not nodes */
    assert_null(pkiws__xml_text_trim(doc, NULL));
    pkiws__xml_free(doc);
}

static void test_xml_bom_crlf_and_nil(void **state)
{
    (void)state;
    const char *s = "\xEF\xBB\xBF<?xml version=\"1.0\"?>\r\n<r xmlns:xsi=\"" PKIWS_NS_XSI "\">\r\n"
                    "<a xsi:nil=\"true\"/><b xsi:nil=' 1 '/><c xsi:nil=\"false\"/><d nil=\"true\"/>"
                    "<e>\r\n v \r\n</e></r>\r\n";
    pkiws_xml_doc *doc;
    assert_int_equal(parse(s, NULL, &doc), PKIWS_OK);
    pkiws_xml_node *r = pkiws__xml_root(doc);
    assert_true(pkiws__xml_is_nil(pkiws__xml_child(r, NULL, "a")));
    assert_true(pkiws__xml_is_nil(pkiws__xml_child(r, NULL, "b")));
    assert_false(pkiws__xml_is_nil(pkiws__xml_child(r, NULL, "c")));
    assert_false(pkiws__xml_is_nil(pkiws__xml_child(r, NULL, "d")));
    assert_false(pkiws__xml_is_nil(NULL));
    assert_string_equal(pkiws__xml_text_trim(doc, pkiws__xml_child(r, NULL, "e")), "v");
    pkiws__xml_free(doc);
}

static void test_xml_soap_body_child(void **state)
{
    (void)state;
    pkiws_xml_doc *doc;
    assert_int_equal(parse("<e:Envelope xmlns:e='" PKIWS_NS_SOAP "'><e:Header/>"
                           "<e:Body>\n <m:x xmlns:m='urn:m'/></e:Body></e:Envelope>",
                           NULL, &doc),
                     PKIWS_OK);
    assert_true(pkiws__xml_is(pkiws__xml_soap_body_child(doc), "urn:m", "x"));
    pkiws__xml_free(doc);
    assert_int_equal(parse("<m:x xmlns:m='urn:m'/>", NULL, &doc), PKIWS_OK);
    assert_ptr_equal(pkiws__xml_soap_body_child(doc), pkiws__xml_root(doc));
    pkiws__xml_free(doc);
    assert_int_equal(parse("<Envelope xmlns='" PKIWS_NS_SOAP "'><Body/></Envelope>", NULL, &doc),
                     PKIWS_OK);
    assert_null(pkiws__xml_soap_body_child(doc));
    pkiws__xml_free(doc);
    /* an Envelope in another namespace is not SOAP */
    assert_int_equal(parse("<Envelope><Body><x/></Body></Envelope>", NULL, &doc), PKIWS_OK);
    assert_true(pkiws__xml_is(pkiws__xml_soap_body_child(doc), "", "Envelope"));
    pkiws__xml_free(doc);
}

static void test_xml_undeclared_prefix(void **state)
{
    (void)state;
    expect_fail("<p:r/>", PKIWS_E_PROTOCOL, "undeclared namespace prefix in element 'p:r'");
    expect_fail("<r><q:x/></r>", PKIWS_E_PROTOCOL, "'q:x' (under /r)");
    expect_fail("<r q:a='1'/>", PKIWS_E_PROTOCOL, "undeclared namespace prefix in attribute 'q:a'");
    /* a declaration is scoped to its element */
    expect_fail("<r><a xmlns:p='urn:p'/><p:b/></r>", PKIWS_E_PROTOCOL, "'p:b'");
    expect_fail("<r xmlns:p=''/>", PKIWS_E_PROTOCOL, "xmlns:p");
    expect_fail("<r xmlns:='urn:x'/>", PKIWS_E_PROTOCOL, "without a prefix 'xmlns:'");
    expect_fail("<r xmlns:xml='urn:x'/>", PKIWS_E_PROTOCOL, "reserved");
    expect_fail("<r xmlns:a='http://www.w3.org/2000/xmlns/'/>", PKIWS_E_PROTOCOL, "reserved");
    expect_fail("<a:b:c xmlns:a='urn:a'/>", PKIWS_E_PROTOCOL, "invalid element name 'a:b:c'");
    /* two prefixes for one namespace: the same expanded attribute name twice */
    expect_fail("<r xmlns:a='urn:x' xmlns:b='urn:x' a:v='1' b:v='2'/>", PKIWS_E_PROTOCOL,
                "duplicate attribute 'b:v'");
}

static void test_xml_doctype_and_entities_refused(void **state)
{
    (void)state;
    expect_fail("<?xml version='1.0'?><!DOCTYPE r><r/>", PKIWS_E_PROTOCOL, "<!DOCTYPE");
    /* billion laughs */
    expect_fail("<?xml version='1.0'?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
                " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
                " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
                "]>\n<lolz>&lol2;</lolz>",
                PKIWS_E_PROTOCOL, "byte offset 22");
    /* external entity */
    expect_fail("<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>",
                PKIWS_E_PROTOCOL, "DTDs");
    expect_fail("<r><!ENTITY x 'y'></r>", PKIWS_E_PROTOCOL, "markup declaration");
    expect_fail("<r>&x;</r>", PKIWS_E_PROTOCOL, "undefined entity '&x;'");
    expect_fail("<r>&nbsp;</r>", PKIWS_E_PROTOCOL, "'&nbsp;'");
    expect_fail("<r a='&eacute;'/>", PKIWS_E_PROTOCOL, "'&eacute;'");
    expect_fail("<r>a & b</r>", PKIWS_E_PROTOCOL, "'&' that does not start");
    expect_fail("<r>&#0;</r>", PKIWS_E_PROTOCOL, "code point that XML does not allow");
    expect_fail("<r>&#xD800;</r>", PKIWS_E_PROTOCOL, "code point");
    expect_fail("<r>&#x110000;</r>", PKIWS_E_PROTOCOL, "code point");
    expect_fail("<r>&#x1g;</r>", PKIWS_E_PROTOCOL, "non-hex digit 'g'");
}

static void test_xml_invalid_utf8_refused(void **state)
{
    (void)state;
    expect_fail("<r>ab\xff</r>", PKIWS_E_PROTOCOL, "invalid UTF-8 at byte offset 5 (byte 0xFF)");
    /* Latin-1 e-acute */
    expect_fail("<r>J\xe9r\xf4me</r>", PKIWS_E_PROTOCOL, "byte offset 4 (byte 0xE9)");
    expect_fail("<r a='\xc0\xaf'/>", PKIWS_E_PROTOCOL, "byte offset 6");   /* overlong */
    expect_fail("<r>\xed\xa0\x80</r>", PKIWS_E_PROTOCOL, "byte offset 3"); /* surrogate */
    expect_fail("<r>\xc3</r>", PKIWS_E_PROTOCOL, "byte offset 3");
    /* control characters and NUL */
    expect_fail("<r>\x01</r>", PKIWS_E_PROTOCOL, "control character 0x01 at byte offset 3");
    pkiws_xml_doc *doc = NULL;
    assert_int_equal(pkiws__xml_parse("<r>a\0b</r>", 10, NULL, "test document", &doc),
                     PKIWS_E_PROTOCOL);
    assert_non_null(strstr(pkiws__err_message(), "control character 0x00 at byte offset 4"));
    assert_null(doc);
}

static void test_xml_truncated_and_trailing_refused(void **state)
{
    (void)state;
    /* mxml returns a tree without error for this one */
    expect_fail("<r><a>1</a>abc", PKIWS_E_PROTOCOL,
                "element <r> opened at byte offset 0 is not closed");
    expect_fail("<r><a x=\"1", PKIWS_E_PROTOCOL, "truncated");
    expect_fail("<r><!-- c", PKIWS_E_PROTOCOL, "a comment at byte offset 3");
    expect_fail("<r><![CDATA[x", PKIWS_E_PROTOCOL, "CDATA");
    expect_fail("<r></r", PKIWS_E_PROTOCOL, "truncated");
    expect_fail("<r>&am", PKIWS_E_PROTOCOL, "truncated");
    expect_fail("<r/>trailing", PKIWS_E_PROTOCOL,
                "trailing data after the end of the document element at byte offset 4");
    expect_fail("<r/><x/>", PKIWS_E_PROTOCOL, "second element");
    expect_fail("<r/>]]>", PKIWS_E_PROTOCOL, "trailing data");
    expect_fail("<r/>&amp;", PKIWS_E_PROTOCOL, "trailing data");
    expect_fail("text<r/>", PKIWS_E_PROTOCOL, "text before the document element");
    expect_fail("   ", PKIWS_E_PROTOCOL, "no document element");
    expect_fail("", PKIWS_E_PROTOCOL, "empty document");
    expect_fail("<r><a></r>", PKIWS_E_PROTOCOL, "end tag </r> does not match the start tag <a>");
    expect_fail("</r>", PKIWS_E_PROTOCOL, "without a start tag");
    expect_fail("<r a=1/>", PKIWS_E_PROTOCOL, "unquoted");
    expect_fail("<r a='1' a='2'/>", PKIWS_E_PROTOCOL, "duplicate attribute 'a'");
    expect_fail("<r a='<'/>", PKIWS_E_PROTOCOL, "'<' in the value of attribute 'a'");
    expect_fail("<r><!-- a -- b --></r>", PKIWS_E_PROTOCOL, "'--' inside a comment");
    expect_fail("<r><!----></r>", PKIWS_E_PROTOCOL, "empty comment");
    expect_fail("<r/><?xml version='1.0'?>", PKIWS_E_PROTOCOL, "XML declaration");
    expect_fail("<![CDATA[x]]><r/>", PKIWS_E_PROTOCOL, "CDATA section outside");

    /* white space, comments and processing instructions around the root are fine */
    pkiws_xml_doc *doc;
    assert_int_equal(parse(" <!-- a --><?p x?>\n<r/>\n<!-- b --> <?q?>\n", NULL, &doc), PKIWS_OK);
    assert_string_equal(pkiws__xml_root(doc)->local, "r");
    pkiws__xml_free(doc);
}

static void test_xml_truncated_example_every_97th_byte(void **state)
{
    (void)state;
    size_t len;
    char *xml = read_example("policy-getPoliciesResponse.xml", &len);
    pkiws_xml_doc *doc;
    assert_int_equal(pkiws__xml_parse(xml, len, NULL, "test document", &doc), PKIWS_OK);
    pkiws__xml_free(doc);
    /* the document ends with "</S:Envelope>\n": every cut before its '>' must fail */
    const char *end = strstr(xml, "</S:Envelope>");
    assert_non_null(end);
    size_t last = (size_t)(end - xml) + strlen("</S:Envelope>");
    size_t cuts = 0;
    for (size_t cut = 0; cut < last; cut += 97) {
        doc = (pkiws_xml_doc *)1;
        int rc = pkiws__xml_parse(xml, cut, NULL, "test document", &doc);
        if (rc != PKIWS_E_PROTOCOL)
            fail_msg("cut at %zu: rc %d (%s)", cut, rc, pkiws__err_message());
        assert_null(doc);
        if (cut)
            assert_true(strstr(pkiws__err_message(), "truncated") != NULL ||
                        strstr(pkiws__err_message(), "no document element") != NULL);
        cuts++;
    }
    assert_true(cuts > 100);
    /* and every cut of the last 200 bytes */
    for (size_t cut = last - 200; cut < last; cut++) {
        assert_int_equal(pkiws__xml_parse(xml, cut, NULL, "test document", &doc), PKIWS_E_PROTOCOL);
        assert_non_null(strstr(pkiws__err_message(), "truncated"));
    }
    pkiws__free(xml);
}

static void test_xml_limits(void **state)
{
    (void)state;
    pkiws_xml_doc *doc;
    char buf[2048];
    /* depth: 64 by default */
    size_t n = 0;
    for (int i = 0; i < 64; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "<a>");
    for (int i = 0; i < 64; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "</a>");
    assert_int_equal(parse(buf, NULL, &doc), PKIWS_OK);
    pkiws__xml_free(doc);
    n = 0;
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "<a>");
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "</a>");
    assert_int_equal(parse(buf, NULL, &doc), PKIWS_E_LIMIT);
    assert_non_null(strstr(pkiws__err_message(), "deeper than 64 levels"));
    assert_non_null(strstr(pkiws__err_message(), "byte offset 192"));

    pkiws_xml_limits lim = {0, 3, 0};
    assert_int_equal(parse("<a><b><c/></b></a>", &lim, &doc), PKIWS_OK);
    pkiws__xml_free(doc);
    assert_int_equal(parse("<a><b><c><d/></c></b></a>", &lim, &doc), PKIWS_E_LIMIT);

    /* size */
    pkiws_xml_limits small = {16, 0, 0};
    assert_int_equal(parse("<a>0123456789</a>", &small, &doc), PKIWS_E_LIMIT);
    assert_non_null(strstr(pkiws__err_message(), "17 bytes exceed the size limit of 16 bytes"));
    assert_int_equal(parse("<a>012345678</a>", &small, &doc), PKIWS_OK);
    pkiws__xml_free(doc);

    /* nodes: elements and attributes count */
    pkiws_xml_limits nodes = {0, 0, 4};
    assert_int_equal(parse("<a><b/><c x='1'/></a>", &nodes, &doc), PKIWS_OK);
    pkiws__xml_free(doc);
    assert_int_equal(parse("<a><b/><c x='1' y='2'/></a>", &nodes, &doc), PKIWS_E_LIMIT);
    assert_non_null(strstr(pkiws__err_message(), "more than 4 nodes"));

    /* attributes per element */
    pkiws_buf b = PKIWS_BUF_INIT;
    pkiws__buf_puts(&b, "<a");
    for (int i = 0; i <= PKIWS_XML_MAX_ATTRS; i++)
        pkiws__buf_printf(&b, " x%d='%d'", i, i);
    pkiws__buf_puts(&b, "/>");
    assert_int_equal(parse((const char *)b.data, NULL, &doc), PKIWS_E_LIMIT);
    assert_non_null(strstr(pkiws__err_message(), "attributes on one element"));
    pkiws__buf_dispose(&b);

    /* a deep document far beyond the limit is refused before mxml builds anything */
    pkiws__buf_puts(&b, "");
    for (int i = 0; i < 100000; i++)
        pkiws__buf_puts(&b, "<a>");
    assert_int_equal(pkiws__xml_parse((const char *)b.data, b.len, NULL, "test document", &doc),
                     PKIWS_E_LIMIT);
    pkiws__buf_dispose(&b);
}

static void test_xml_mutated_inputs_never_crash(void **state)
{
    (void)state;
    const char *base = "<?xml version='1.0'?><s:E xmlns:s='urn:s' xmlns:x='urn:x'>"
                       "<s:B a=\"1&amp;2\"><x:c>t&#65;<![CDATA[c]]></x:c><!--k--><d x:y='z'/>"
                       "</s:B></s:E>";
    size_t len = strlen(base);
    static const unsigned char subst[] = {0x00, 0xff, '<', '>', '&', '"',  '\'', '/', ':', '!',
                                          '?',  '=',  ' ', 'a', ']', 0x80, 0xc3, ';', '#'};
    char *m = pkiws__malloc(len);
    assert_non_null(m);
    size_t ok = 0, bad = 0;
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k <= PKIWS_ARRAY_LEN(subst); k++) {
            memcpy(m, base, len);
            m[i] = k < PKIWS_ARRAY_LEN(subst) ? (char)subst[k] : (char)(m[i] ^ 0x20);
            pkiws_xml_doc *doc = NULL;
            int rc = pkiws__xml_parse(m, len, NULL, "test document", &doc);
            if (rc == PKIWS_OK) {
                assert_non_null(pkiws__xml_root(doc));
                pkiws__xml_free(doc);
                ok++;
            } else {
                assert_null(doc);
                assert_true(rc == PKIWS_E_PROTOCOL || rc == PKIWS_E_LIMIT);
                assert_true(strlen(pkiws__err_message()) > 20);
                bad++;
            }
        }
        /* and the document cut at i */
        pkiws_xml_doc *doc = NULL;
        assert_int_equal(pkiws__xml_parse(base, i, NULL, "test document", &doc), PKIWS_E_PROTOCOL);
    }
    assert_true(ok > 0);
    assert_true(bad > 0);
    pkiws__free(m);
}

/* ---- writer ---- */

static void test_xml_writer_escaping(void **state)
{
    (void)state;
    pkiws_xml_writer w;
    pkiws_buf out = PKIWS_BUF_INIT;
    pkiws__xmlw_init(&w);
    pkiws__xmlw_start(&w, "p:r");
    pkiws__xmlw_attr(&w, "xmlns:p", "urn:p");
    pkiws__xmlw_attr(&w, "a", "<&>\"'\n\r\t\xc3\xa9");
    pkiws__xmlw_leaf(&w, "p:t", "a<b>&c\"d'e\nf\rg]]>\xe2\x82\xac");
    pkiws__xmlw_leaf(&w, "p:empty", "");
    pkiws__xmlw_start(&w, "p:n");
    pkiws__xmlw_start(&w, "p:m");
    pkiws__xmlw_end(&w);
    pkiws__xmlw_end(&w);
    pkiws__xmlw_end(&w);
    assert_int_equal(pkiws__xmlw_finish(&w, &out), PKIWS_OK);
    assert_string_equal((const char *)out.data,
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                        "<p:r xmlns:p=\"urn:p\" a=\"&lt;&amp;&gt;&quot;'&#10;&#13;&#9;\xc3\xa9\">"
                        "<p:t>a&lt;b&gt;&amp;c\"d'e\nf&#13;g]]&gt;\xe2\x82\xac</p:t>"
                        "<p:empty/><p:n><p:m/></p:n></p:r>");
    pkiws__xmlw_dispose(&w);
    pkiws__buf_dispose(&out);
}

static void test_xml_writer_roundtrip(void **state)
{
    (void)state;
    const char *attr = "q\"uo'te <&> tab\tnl\ncr\r end \xf0\x9f\x98\x80";
    const char *text = " lead <tag> & ]]> \"x\" 'y'\ncr\r\xe2\x82\xac trail ";
    pkiws_xml_writer w;
    pkiws_buf out = PKIWS_BUF_INIT;
    pkiws__xmlw_init(&w);
    pkiws__xmlw_start(&w, "s:Envelope");
    pkiws__xmlw_attr(&w, "xmlns:s", PKIWS_NS_SOAP);
    pkiws__xmlw_start(&w, "s:Body");
    pkiws__xmlw_start(&w, "m:v");
    pkiws__xmlw_attr(&w, "xmlns:m", "urn:m");
    pkiws__xmlw_attr(&w, "val", attr);
    pkiws__xmlw_text(&w, text);
    pkiws__xmlw_end(&w);
    pkiws__xmlw_end(&w);
    pkiws__xmlw_end(&w);
    assert_int_equal(pkiws__xmlw_finish(&w, &out), PKIWS_OK);
    pkiws__xmlw_dispose(&w);

    pkiws_xml_doc *doc;
    assert_int_equal(pkiws__xml_parse((const char *)out.data, out.len, NULL, "test document", &doc),
                     PKIWS_OK);
    pkiws_xml_node *v = pkiws__xml_soap_body_child(doc);
    assert_true(pkiws__xml_is(v, "urn:m", "v"));
    assert_string_equal(pkiws__xml_attr(v, "", "val"), attr);
    assert_string_equal(v->text, text);
    pkiws__xml_free(doc);
    pkiws__buf_dispose(&out);
}

static void test_xml_writer_errors(void **state)
{
    (void)state;
    pkiws_xml_writer w;
    pkiws_buf out = PKIWS_BUF_INIT;

    pkiws__xmlw_init(&w);
    pkiws__xmlw_start(&w, "a");
    pkiws__xmlw_start(&w, "b");
    pkiws__xmlw_end(&w);
    assert_int_equal(pkiws__xmlw_finish(&w, &out), PKIWS_E_INTERNAL);
    assert_non_null(strstr(pkiws__err_message(), "<a> is still open"));
    assert_null(out.data);
    pkiws__xmlw_dispose(&w);

    pkiws__xmlw_init(&w);
    pkiws__xmlw_start(&w, "a");
    pkiws__xmlw_text(&w, "x");
    pkiws__xmlw_attr(&w, "late", "1");
    pkiws__xmlw_end(&w);
    assert_int_equal(pkiws__xmlw_finish(&w, &out), PKIWS_E_INTERNAL);
    assert_non_null(strstr(pkiws__err_message(), "attribute 'late' outside a start tag"));
    pkiws__xmlw_dispose(&w);

    pkiws__xmlw_init(&w);
    pkiws__xmlw_start(&w, "a");
    pkiws__xmlw_start(&w, "bad name");
    assert_int_equal(pkiws__xmlw_finish(&w, &out), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws__err_message(), "invalid element name 'bad name' under <a>"));
    pkiws__xmlw_dispose(&w);

    pkiws__xmlw_init(&w);
    pkiws__xmlw_start(&w, "a");
    pkiws__xmlw_leaf(&w, "b", "ok\xff");
    pkiws__xmlw_end(&w);
    assert_int_equal(pkiws__xmlw_finish(&w, &out), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws__err_message(), "text of <b> has invalid UTF-8"));
    assert_non_null(strstr(pkiws__err_message(), "offset 2"));
    pkiws__xmlw_dispose(&w);

    pkiws__xmlw_init(&w);
    pkiws__xmlw_start(&w, "a");
    pkiws__xmlw_attr(&w, "v", "bell\x07");
    pkiws__xmlw_end(&w);
    assert_int_equal(pkiws__xmlw_finish(&w, &out), PKIWS_E_INVALID_ARG);
    assert_non_null(strstr(pkiws__err_message(), "attribute 'v' on <a>"));
    pkiws__xmlw_dispose(&w);

    pkiws__xmlw_init(&w);
    for (int i = 0; i <= PKIWS_XMLW_MAX_DEPTH; i++)
        pkiws__xmlw_start(&w, "d");
    assert_int_equal(pkiws__xmlw_finish(&w, &out), PKIWS_E_INTERNAL);
    assert_non_null(strstr(pkiws__err_message(), "deeper than 64"));
    pkiws__xmlw_dispose(&w);

    pkiws__xmlw_init(&w);
    pkiws__xmlw_leaf(&w, "a", NULL);
    pkiws__xmlw_leaf(&w, "b", NULL);
    assert_int_equal(pkiws__xmlw_finish(&w, &out), PKIWS_E_INTERNAL);
    assert_non_null(strstr(pkiws__err_message(), "second document element <b>"));
    pkiws__xmlw_dispose(&w);

    pkiws__xmlw_init(&w);
    pkiws__xmlw_end(&w);
    assert_int_equal(pkiws__xmlw_finish(&w, &out), PKIWS_E_INTERNAL);
    pkiws__xmlw_dispose(&w);
    pkiws__xmlw_dispose(&w); /* idempotent */
    assert_null(out.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xml_namespaces_resolved_by_uri),
        cmocka_unit_test(test_xml_text_cdata_comments_entities),
        cmocka_unit_test(test_xml_bom_crlf_and_nil),
        cmocka_unit_test(test_xml_soap_body_child),
        cmocka_unit_test(test_xml_undeclared_prefix),
        cmocka_unit_test(test_xml_doctype_and_entities_refused),
        cmocka_unit_test(test_xml_invalid_utf8_refused),
        cmocka_unit_test(test_xml_truncated_and_trailing_refused),
        cmocka_unit_test(test_xml_truncated_example_every_97th_byte),
        cmocka_unit_test(test_xml_limits),
        cmocka_unit_test(test_xml_mutated_inputs_never_crash),
        cmocka_unit_test(test_xml_writer_escaping),
        cmocka_unit_test(test_xml_writer_roundtrip),
        cmocka_unit_test(test_xml_writer_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
