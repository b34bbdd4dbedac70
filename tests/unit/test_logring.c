/* Tests the log pane's bounded line ring (src/logring.c): wrap-around, counters, line cleanup. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logring.h"
#include "xalloc.h"

static void push_str(struct logring *r, const char *s)
{
    logring_push(r, s, strlen(s));
}

static void push_num(struct logring *r, int n)
{
    char buf[32];
    int len = snprintf(buf, sizeof buf, "line %d\n", n);
    logring_push(r, buf, (size_t)len);
}

static void test_empty(void **state)
{
    (void)state;
    struct logring *r = logring_new(4);
    assert_int_equal(logring_capacity(r), 4);
    assert_int_equal(logring_count(r), 0);
    assert_int_equal(logring_dropped(r), 0);
    assert_int_equal(logring_total(r), 0);
    assert_null(logring_get(r, 0));
    logring_free(r);
    logring_free(NULL);
}

static void test_fill_without_wrap(void **state)
{
    (void)state;
    struct logring *r = logring_new(5);
    for (int i = 0; i < 3; i++)
        push_num(r, i);
    assert_int_equal(logring_count(r), 3);
    assert_int_equal(logring_dropped(r), 0);
    assert_int_equal(logring_total(r), 3);
    assert_string_equal(logring_get(r, 0), "line 0");
    assert_string_equal(logring_get(r, 2), "line 2");
    assert_null(logring_get(r, 3));
    logring_free(r);
}

static void test_wrap_keeps_newest_in_order(void **state)
{
    (void)state;
    enum { CAP = 7, PUSHED = 100 };
    struct logring *r = logring_new(CAP);
    for (int i = 0; i < PUSHED; i++) {
        push_num(r, i);
        /* At every step: the newest min(i + 1, CAP) lines, oldest first. */
        size_t held = (size_t)(i + 1 < CAP ? i + 1 : CAP);
        assert_int_equal(logring_count(r), held);
        for (size_t k = 0; k < held; k++) {
            char want[32];
            snprintf(want, sizeof want, "line %d", i + 1 - (int)held + (int)k);
            assert_string_equal(logring_get(r, k), want);
        }
        assert_null(logring_get(r, held));
    }
    assert_int_equal(logring_total(r), PUSHED);
    assert_int_equal(logring_dropped(r), PUSHED - CAP);
    assert_int_equal(logring_dropped(r), logring_total(r) - logring_count(r));
    logring_free(r);
}

static void test_capacity_one(void **state)
{
    (void)state;
    struct logring *r = logring_new(1);
    assert_int_equal(logring_capacity(r), 1);
    push_str(r, "a");
    assert_string_equal(logring_get(r, 0), "a");
    push_str(r, "bb");
    push_str(r, "ccc");
    assert_int_equal(logring_count(r), 1);
    assert_string_equal(logring_get(r, 0), "ccc");
    assert_null(logring_get(r, 1));
    assert_int_equal(logring_total(r), 3);
    assert_int_equal(logring_dropped(r), 2);
    logring_free(r);

    /* Zero is taken as one rather than a ring that can hold nothing. */
    r = logring_new(0);
    assert_int_equal(logring_capacity(r), 1);
    push_str(r, "x");
    push_str(r, "y");
    assert_string_equal(logring_get(r, 0), "y");
    assert_int_equal(logring_dropped(r), 1);
    logring_free(r);
}

static void test_line_endings_stripped(void **state)
{
    (void)state;
    struct logring *r = logring_new(8);
    push_str(r, "crlf\r\n");
    push_str(r, "lf\n");
    push_str(r, "cr\r");
    push_str(r, "none");
    push_str(r, "\r\n");
    push_str(r, "inner\rcr kept\n");
    logring_push(r, "len limits\nhere", 10);
    logring_push(r, NULL, 0);
    assert_string_equal(logring_get(r, 0), "crlf");
    assert_string_equal(logring_get(r, 1), "lf");
    assert_string_equal(logring_get(r, 2), "cr");
    assert_string_equal(logring_get(r, 3), "none");
    assert_string_equal(logring_get(r, 4), "");
    assert_string_equal(logring_get(r, 5), "inner\rcr kept");
    assert_string_equal(logring_get(r, 6), "len limits");
    assert_string_equal(logring_get(r, 7), "");
    assert_int_equal(logring_count(r), 8);
    logring_free(r);
}

static void test_long_line_truncated(void **state)
{
    (void)state;
    struct logring *r = logring_new(2);
    char *big = xmalloc(10000);
    memset(big, 'a', 10000);
    logring_push(r, big, 10000);
    assert_int_equal(logring_count(r), 1);
    assert_int_equal(strlen(logring_get(r, 0)), 4096);
    assert_int_equal(LOGRING_LINE_MAX, 4096);
    assert_true(memcmp(logring_get(r, 0), big, 4096) == 0);

    /* A multi-byte character straddling the limit goes whole: "é" is 0xC3 0xA9 at 4095..4096. */
    big[4095] = (char)0xC3;
    big[4096] = (char)0xA9;
    logring_push(r, big, 10000);
    assert_int_equal(strlen(logring_get(r, 1)), 4095);

    /* Exactly the limit, plus a line ending, is kept whole. */
    memset(big, 'b', 4096);
    big[4096] = '\n';
    logring_push(r, big, 4097);
    assert_int_equal(strlen(logring_get(r, 1)), 4096);
    free(big);
    logring_free(r);
}

static void test_buffers_reused_across_sizes(void **state)
{
    (void)state;
    /* Long and short lines alternating through the same slots: ASan checks every copy fits. */
    struct logring *r = logring_new(3);
    char *big = xmalloc(5000);
    memset(big, 'z', 5000);
    for (size_t i = 0; i < 60; i++) {
        size_t len = (i % 4 == 0) ? 5000 : (i * 13) % 300;
        logring_push(r, big, len);
        size_t want = len > 4096 ? 4096 : len;
        assert_int_equal(strlen(logring_get(r, logring_count(r) - 1)), want);
    }
    free(big);
    logring_free(r);
}

static void test_clear(void **state)
{
    (void)state;
    struct logring *r = logring_new(3);
    for (int i = 0; i < 5; i++)
        push_num(r, i);
    logring_clear(r);
    assert_int_equal(logring_count(r), 0);
    assert_int_equal(logring_dropped(r), 0);
    assert_int_equal(logring_total(r), 0);
    assert_null(logring_get(r, 0));
    push_num(r, 42);
    assert_int_equal(logring_count(r), 1);
    assert_string_equal(logring_get(r, 0), "line 42");
    logring_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_fill_without_wrap),
        cmocka_unit_test(test_wrap_keeps_newest_in_order),
        cmocka_unit_test(test_capacity_one),
        cmocka_unit_test(test_line_endings_stripped),
        cmocka_unit_test(test_long_line_truncated),
        cmocka_unit_test(test_buffers_reused_across_sizes),
        cmocka_unit_test(test_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
