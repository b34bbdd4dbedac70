/* Tests display widths and UTF-8 repair (src/textwidth.c) under C.UTF-8, where a CJK character
 * takes two columns: the Japanese messages depend on both. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "textwidth.h"

#define JA "\xe6\x97\xa5\xe6\x9c\xac" /* 日本: two characters, 6 bytes, 4 columns */

static int utf8_locale(void **state)
{
    (void)state;
    return setlocale(LC_ALL, "C.UTF-8") ? 0 : -1;
}

static void test_columns(void **state)
{
    (void)state;
    assert_int_equal(textwidth_cols("abc"), 3);
    assert_int_equal(textwidth_cols(JA), 4);
    assert_int_equal(textwidth_cols("a" JA "b"), 6);
    assert_int_equal(textwidth_cols(""), 0);
    assert_int_equal(textwidth_cols("\xff"), 1); /* a stray byte: one column, no crash */
}

static void test_fit_never_cuts_a_character(void **state)
{
    (void)state;
    assert_int_equal(textwidth_fit(JA, 4), 6);
    assert_int_equal(textwidth_fit(JA, 3), 3); /* half of the second character does not fit */
    assert_int_equal(textwidth_fit(JA, 1), 0);
    assert_int_equal(textwidth_fit("abc", -1), 3);
}

static void test_line_breaks(void **state)
{
    (void)state;
    assert_int_equal(textwidth_line("one two three", 8), 7); /* "one two", the space skipped */
    assert_int_equal(textwidth_line(JA JA, 5), 6); /* 日本 | 日本: between wide characters */
    /* never before closing punctuation: 日本、 breaks as 日 | 本、 */
    assert_int_equal(textwidth_line(JA "\xe3\x80\x81" JA, 5), 3);
    assert_int_equal(textwidth_line("abcdefgh", 3), 3); /* nothing else: anywhere */
}

static void test_cell_pads_by_columns(void **state)
{
    (void)state;
    char line[64] = "";
    size_t n = textwidth_cell(line, 0, sizeof line, JA, 6, false);
    assert_string_equal(line, JA "   "); /* 4 columns + 2 padding + the separator */
    n = textwidth_cell(line, n, sizeof line, "ab", 4, true);
    assert_string_equal(line, JA "     ab ");
    assert_int_equal(n, strlen(line));
    char small[8] = "";
    assert_int_equal(textwidth_cell(small, 0, sizeof small, "abcdefghij", 3, false), 7);
}

static void test_repair(void **state)
{
    (void)state;
    char a[] = "ok " JA;
    textwidth_repair(a);
    assert_string_equal(a, "ok " JA); /* valid text is left alone */
    char cut[] = "ok \xe6\x97\xa5\xe6\x9c";
    textwidth_repair(cut);
    assert_string_equal(cut, "ok \xe6\x97\xa5"); /* a character cut by a full buffer goes */
    char mid[] = "a\xe6\x97.b\xffz\xc0\xafq";
    textwidth_repair(mid);
    assert_string_equal(mid, "a?"
                             "?.b?z?"
                             "?q"); /* elsewhere each bad byte becomes '?' */
    char sur[] = "\xed\xa0\x80x";   /* a UTF-16 surrogate is not UTF-8 */
    textwidth_repair(sur);
    assert_string_equal(sur, "???x");
    /* a Japanese message cut by a buffer too small for it, then repaired: valid UTF-8 */
    char buf[8];
    const char *message = JA JA;
    memcpy(buf, message, sizeof buf - 1); /* what snprintf leaves when the buffer fills */
    buf[sizeof buf - 1] = '\0';
    textwidth_repair(buf);
    assert_string_equal(buf, JA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns),     cmocka_unit_test(test_fit_never_cuts_a_character),
        cmocka_unit_test(test_line_breaks), cmocka_unit_test(test_cell_pads_by_columns),
        cmocka_unit_test(test_repair),
    };
    return cmocka_run_group_tests(tests, utf8_locale, NULL);
}
