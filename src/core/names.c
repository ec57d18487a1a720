/* SPDX-License-Identifier: MIT */
/* Shapes of identity text: "e-mail shaped" and the characters the CA accepts in names. */
#include "pkiws_internal.h"

#include "core/san_int.h"

/*
 * E-mail shape (product.md §5), decided as follows:
 *  - the text is valid UTF-8 and has exactly one '@';
 *  - the local part (before '@') is not empty and has no white space (ASCII or Unicode space
 *    separators) and no control character; any other character, non-ASCII included, is fine
 *    (SMTPUTF8 local parts exist);
 *  - the domain has two or more labels separated by '.', none empty (so no leading, trailing
 *    or doubled dot); labels hold ASCII letters, digits and '-' only and do not start or end
 *    with '-' (the host-name rule of RFC 1123). Internationalised domains must be given in
 *    their ASCII (xn--) form. Label lengths are not limited here.
 */

static int is_space_cp(uint32_t cp)
{
    return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

static int is_control_cp(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp < 0xA0);
}

static int is_ldh(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

const char *pkiws__san_email_why(const char *s)
{
    if (!s || !*s)
        return "it is empty";
    size_t len = strlen(s);
    if (!pkiws__utf8_valid(s, len, NULL))
        return "it is not valid UTF-8";
    const char *at = strchr(s, '@');
    if (!at)
        return "it has no '@'";
    if (strchr(at + 1, '@'))
        return "it has more than one '@'";
    if (at == s)
        return "the part before '@' is empty";
    for (size_t i = 0; i < (size_t)(at - s);) {
        uint32_t cp;
        size_t n = pkiws__utf8_next(s + i, (size_t)(at - s) - i, &cp);
        if (!n)
            return "it is not valid UTF-8";
        if (is_space_cp(cp))
            return "the part before '@' contains white space";
        if (is_control_cp(cp))
            return "the part before '@' contains a control character";
        i += n;
    }
    const char *d = at + 1;
    if (!*d)
        return "the domain after '@' is empty";
    size_t labels = 0;
    for (;;) {
        const char *dot = strchr(d, '.');
        size_t n = dot ? (size_t)(dot - d) : strlen(d);
        if (!n)
            return "its domain has an empty label (a leading, trailing or doubled '.')";
        for (size_t i = 0; i < n; i++)
            if (!is_ldh((unsigned char)d[i]))
                return "its domain has a character other than ASCII letters, digits, '-' and "
                       "'.'";
        if (d[0] == '-' || d[n - 1] == '-')
            return "a label of its domain starts or ends with '-'";
        labels++;
        if (!dot)
            break;
        d = dot + 1;
    }
    if (labels < 2)
        return "its domain has a single label (no '.')";
    return NULL;
}

int pkiws__is_email_shaped(const char *s)
{
    return pkiws__san_email_why(s) == NULL;
}

int pkiws__san_present(const char *s)
{
    return !pkiws__is_blank(s);
}

/*
 * "Letters of any script" without ICU: a compact table of code point ranges that are letters
 * (Unicode general categories L*, plus the vowel signs and other marks that live inside the
 * blocks of the Brahmic, South-East Asian and kana scripts, because names in those scripts
 * cannot be written without them). Covered: Latin (Basic, Latin-1 letters without U+00D7 ×
 * and U+00F7 ÷, Extended-A/B/C/D/E, IPA, modifier letters such as ʻ ʼ, Extended Additional,
 * fullwidth), Greek and Greek Extended, Cyrillic and its supplements/extensions, Armenian,
 * Hebrew, Arabic (with supplement, Extended-A and presentation forms), Syriac, Thaana,
 * Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam, Sinhala,
 * Thai, Lao, Tibetan, Myanmar, Georgian, Hangul (jamo, compatibility jamo, syllables,
 * halfwidth), Ethiopic, Cherokee, Canadian syllabics, Khmer, Mongolian, Coptic, hiragana,
 * katakana (with phonetic extensions and halfwidth forms), Bopomofo, Yi and the CJK
 * ideographs (URO, extensions A-G, compatibility), with 々 〆 〇. Unassigned code points
 * inside those ranges are accepted too (they do not occur in real names).
 * Digits are the ASCII digits only. Combining diacritical marks (U+0300-036F and the other
 * generic combining blocks) and the Hebrew and Arabic points are accepted after a letter or
 * another mark, so decomposed text ("Ju" U+0308 "rgen") passes. Everything else is refused:
 * punctuation other than . - ' and space, symbols, emoji, controls.
 */
struct cp_range {
    uint32_t lo, hi;
};

static const struct cp_range letters[] = {
    {0x0041, 0x005A},   {0x0061, 0x007A},   {0x00AA, 0x00AA},   {0x00B5, 0x00B5},
    {0x00BA, 0x00BA},   {0x00C0, 0x00D6},   {0x00D8, 0x00F6},   {0x00F8, 0x02C1},
    {0x02C6, 0x02D1},   {0x02E0, 0x02E4},   {0x02EC, 0x02EC},   {0x02EE, 0x02EE},
    {0x0370, 0x0374},   {0x0376, 0x0377},   {0x037A, 0x037D},   {0x037F, 0x037F},
    {0x0386, 0x0386},   {0x0388, 0x038A},   {0x038C, 0x038C},   {0x038E, 0x03A1},
    {0x03A3, 0x03F5},   {0x03F7, 0x0481},   {0x048A, 0x052F},   {0x0531, 0x0556},
    {0x0559, 0x0559},   {0x0560, 0x0588},   {0x05D0, 0x05EA},   {0x05EF, 0x05F2},
    {0x0620, 0x064A},   {0x066E, 0x066F},   {0x0671, 0x06D3},   {0x06D5, 0x06D5},
    {0x06E5, 0x06E6},   {0x06EE, 0x06EF},   {0x06FA, 0x06FC},   {0x06FF, 0x06FF},
    {0x0710, 0x0710},   {0x0712, 0x072F},   {0x074D, 0x07A5},   {0x07B1, 0x07B1},
    {0x07CA, 0x07F5},   {0x08A0, 0x08C9},   {0x0900, 0x0963},   {0x0971, 0x09E3},
    {0x09F0, 0x09F1},   {0x09FC, 0x09FC},   {0x0A01, 0x0A5E},   {0x0A70, 0x0A75},
    {0x0A81, 0x0AE3},   {0x0AF9, 0x0AFF},   {0x0B01, 0x0B63},   {0x0B71, 0x0B71},
    {0x0B82, 0x0BD7},   {0x0C00, 0x0C63},   {0x0C80, 0x0C83},   {0x0C85, 0x0CE3},
    {0x0CF1, 0x0CF3},   {0x0D00, 0x0D4E},   {0x0D54, 0x0D57},   {0x0D5F, 0x0D63},
    {0x0D7A, 0x0D7F},   {0x0D81, 0x0DDF},   {0x0DF2, 0x0DF3},   {0x0E01, 0x0E3A},
    {0x0E40, 0x0E4E},   {0x0E81, 0x0ECE},   {0x0EDC, 0x0EDF},   {0x0F00, 0x0F00},
    {0x0F40, 0x0F6C},   {0x0F71, 0x0F84},   {0x0F88, 0x0FBC},   {0x1000, 0x103F},
    {0x1050, 0x108F},   {0x10A0, 0x10C5},   {0x10C7, 0x10C7},   {0x10CD, 0x10CD},
    {0x10D0, 0x10FA},   {0x10FC, 0x135A},   {0x135D, 0x135F},   {0x1380, 0x138F},
    {0x13A0, 0x13F5},   {0x13F8, 0x13FD},   {0x1401, 0x166C},   {0x166F, 0x167F},
    {0x1780, 0x17D3},   {0x17D7, 0x17D7},   {0x17DC, 0x17DD},   {0x1820, 0x1878},
    {0x1880, 0x18AA},   {0x1950, 0x196D},   {0x1970, 0x1974},   {0x1980, 0x19AB},
    {0x19B0, 0x19C9},   {0x1B00, 0x1B4C},   {0x1B80, 0x1BAF},   {0x1BBA, 0x1BBF},
    {0x1C80, 0x1C88},   {0x1C90, 0x1CBA},   {0x1CBD, 0x1CBF},   {0x1D00, 0x1DBF},
    {0x1E00, 0x1F15},   {0x1F18, 0x1F1D},   {0x1F20, 0x1F45},   {0x1F48, 0x1F4D},
    {0x1F50, 0x1F57},   {0x1F59, 0x1F59},   {0x1F5B, 0x1F5B},   {0x1F5D, 0x1F5D},
    {0x1F5F, 0x1F7D},   {0x1F80, 0x1FB4},   {0x1FB6, 0x1FBC},   {0x1FBE, 0x1FBE},
    {0x1FC2, 0x1FC4},   {0x1FC6, 0x1FCC},   {0x1FD0, 0x1FD3},   {0x1FD6, 0x1FDB},
    {0x1FE0, 0x1FEC},   {0x1FF2, 0x1FF4},   {0x1FF6, 0x1FFC},   {0x2C60, 0x2CE4},
    {0x2D00, 0x2D25},   {0x2D30, 0x2D67},   {0x2D6F, 0x2D6F},   {0x2D80, 0x2DDE},
    {0x3005, 0x3007},   {0x3031, 0x3035},   {0x303B, 0x303C},   {0x3041, 0x3096},
    {0x3099, 0x309A},   {0x309D, 0x309F},   {0x30A1, 0x30FA},   {0x30FC, 0x30FF},
    {0x3105, 0x312F},   {0x3131, 0x318E},   {0x31A0, 0x31BF},   {0x31F0, 0x31FF},
    {0x3400, 0x4DBF},   {0x4E00, 0xA48C},   {0xA500, 0xA60C},   {0xA610, 0xA61F},
    {0xA62A, 0xA62B},   {0xA640, 0xA66E},   {0xA67F, 0xA69D},   {0xA717, 0xA71F},
    {0xA722, 0xA788},   {0xA78B, 0xA7FF},   {0xA960, 0xA97C},   {0xA980, 0xA9C0},
    {0xAB30, 0xAB5A},   {0xAB5C, 0xAB69},   {0xAB70, 0xABEA},   {0xAC00, 0xD7A3},
    {0xD7B0, 0xD7C6},   {0xD7CB, 0xD7FB},   {0xF900, 0xFA6D},   {0xFA70, 0xFAD9},
    {0xFB00, 0xFB06},   {0xFB13, 0xFB17},   {0xFB1D, 0xFB28},   {0xFB2A, 0xFB36},
    {0xFB38, 0xFB3C},   {0xFB3E, 0xFB3E},   {0xFB40, 0xFB41},   {0xFB43, 0xFB44},
    {0xFB46, 0xFBB1},   {0xFBD3, 0xFD3D},   {0xFD50, 0xFD8F},   {0xFD92, 0xFDC7},
    {0xFDF0, 0xFDFB},   {0xFE70, 0xFE74},   {0xFE76, 0xFEFC},   {0xFF21, 0xFF3A},
    {0xFF41, 0xFF5A},   {0xFF66, 0xFFBE},   {0xFFC2, 0xFFC7},   {0xFFCA, 0xFFCF},
    {0xFFD2, 0xFFD7},   {0xFFDA, 0xFFDC},   {0x20000, 0x2A6DF}, {0x2A700, 0x2EBEF},
    {0x2F800, 0x2FA1F}, {0x30000, 0x3134F},
};

/* Combining marks: accepted only right after a letter or another mark. */
static const struct cp_range marks[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF}, {0x05C1, 0x05C2},
    {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F}, {0x0670, 0x0670},
    {0x06D6, 0x06DC}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8}, {0x06EA, 0x06ED}, {0x0711, 0x0711},
    {0x0730, 0x074A}, {0x07A6, 0x07B0}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x20D0, 0x20F0},
    {0x2DE0, 0x2DFF}, {0xA674, 0xA67D}, {0xA69E, 0xA69F}, {0xFE20, 0xFE2F},
};

static int in_ranges(const struct cp_range *r, size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

int pkiws__san_name_chars_find(const char *s, uint32_t *bad, size_t *pos)
{
    uint32_t dummy_cp;
    size_t dummy_pos;
    if (!bad)
        bad = &dummy_cp;
    if (!pos)
        pos = &dummy_pos;
    *bad = 0;
    *pos = 0;
    if (!s)
        return 1;
    size_t len = strlen(s), i = 0, k = 0;
    int after_letter = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = pkiws__utf8_next(s + i, len - i, &cp);
        k++;
        if (!n) {
            *bad = 0xFFFD;
            *pos = k;
            return 0;
        }
        int letter = in_ranges(letters, PKIWS_ARRAY_LEN(letters), cp);
        int mark = !letter && after_letter && in_ranges(marks, PKIWS_ARRAY_LEN(marks), cp);
        if (!letter && !mark && !(cp >= '0' && cp <= '9') && cp != ' ' && cp != '.' && cp != '-' &&
            cp != '\'') {
            *bad = cp;
            *pos = k;
            return 0;
        }
        after_letter = letter || mark;
        i += n;
    }
    return 1;
}

int pkiws__name_chars_ok(const char *s, uint32_t *bad)
{
    return pkiws__san_name_chars_find(s, bad, NULL);
}
