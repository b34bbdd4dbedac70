/* Tests the worker -> UI event queue (src/events.c): order, wake fd, ownership, log batches. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "xalloc.h"

#define PRODUCERS    8
#define PER_PRODUCER 5000

static int readable(const struct event_queue *q)
{
    struct pollfd p = {.fd = events_wake_fd(q), .events = POLLIN};
    int n = poll(&p, 1, 0);
    assert_true(n >= 0);
    return n > 0 && (p.revents & POLLIN);
}

/* A payload that counts its frees, to prove event_free and events_free call payload_free. */
static int payloads_freed;
struct counted {
    int seq;
};
static void counted_free(void *p)
{
    payloads_freed++;
    free(p);
}

static void test_fifo_one_producer(void **state)
{
    (void)state;
    struct event_queue *q = events_new();
    assert_non_null(q);
    for (int i = 0; i < 100; i++) {
        struct event *ev = event_new(i % 2 ? EVENT_JOB_STEP : EVENT_ERROR);
        ev->source = i;
        event_set_text(ev, "step %d", i);
        events_post(q, ev);
    }
    struct event *list = events_drain(q);
    int n = 0;
    while (list) {
        struct event *next = list->next;
        char want[32];
        snprintf(want, sizeof want, "step %d", n);
        assert_int_equal(list->source, n);
        assert_int_equal(list->type, n % 2 ? EVENT_JOB_STEP : EVENT_ERROR);
        assert_string_equal(list->text, want);
        event_free(list);
        list = next;
        n++;
    }
    assert_int_equal(n, 100);
    assert_null(events_drain(q));
    events_free(q);
}

static void test_event_new_is_zeroed(void **state)
{
    (void)state;
    struct event *ev = event_new(EVENT_QUIT);
    assert_int_equal(ev->type, EVENT_QUIT);
    assert_null(ev->next);
    assert_int_equal(ev->source, 0);
    assert_string_equal(ev->text, "");
    assert_null(ev->payload);
    assert_null(ev->payload_free);
    event_free(ev);
    event_free(NULL);
}

static void test_set_text_truncates(void **state)
{
    (void)state;
    struct event *ev = event_new(EVENT_ERROR);
    char long_text[600];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    event_set_text(ev, "%s", long_text);
    assert_int_equal(strlen(ev->text), sizeof ev->text - 1);
    event_free(ev);
}

static void test_wake_fd(void **state)
{
    (void)state;
    struct event_queue *q = events_new();
    assert_non_null(q);
    assert_false(readable(q));
    assert_null(events_drain(q));
    assert_false(readable(q));

    events_post(q, event_new(EVENT_FETCH_STARTED));
    assert_true(readable(q));
    events_post(q, event_new(EVENT_OFFERS_READY));
    assert_true(readable(q));

    struct event *list = events_drain(q);
    assert_non_null(list);
    assert_non_null(list->next);
    assert_null(list->next->next);
    event_free(list->next);
    event_free(list);
    assert_false(readable(q));

    /* Draining an empty queue leaves the fd quiet; the next post wakes it again. */
    assert_null(events_drain(q));
    assert_false(readable(q));
    events_post(q, event_new(EVENT_QUIT));
    assert_true(readable(q));
    event_free(events_drain(q));
    assert_false(readable(q));
    events_free(q);
}

static void test_payload_freed_by_event_free(void **state)
{
    (void)state;
    payloads_freed = 0;
    struct event *ev = event_new(EVENT_OFFERS_READY);
    ev->payload = xcalloc(1, sizeof(struct counted));
    ev->payload_free = counted_free;
    event_free(ev);
    assert_int_equal(payloads_freed, 1);
}

static void test_free_undrained(void **state)
{
    (void)state;
    payloads_freed = 0;
    struct event_queue *q = events_new();
    assert_non_null(q);
    for (int i = 0; i < 10; i++) {
        struct event *ev = event_new(EVENT_OFFERS_READY);
        ev->payload = xcalloc(1, sizeof(struct counted));
        ev->payload_free = counted_free;
        events_post(q, ev);
    }
    const char *lines[] = {"a", "b"};
    events_post(q, events_log_lines(1, lines, NULL, 2));
    events_free(q); /* LSan reports anything left behind */
    assert_int_equal(payloads_freed, 10);
}

struct producer {
    struct event_queue *q;
    int id;
    int batches; /* post log batches instead of plain events */
};

static void *produce(void *arg)
{
    const struct producer *p = arg;
    if (!p->batches) {
        for (int seq = 0; seq < PER_PRODUCER; seq++) {
            struct event *ev = event_new(EVENT_JOB_STEP);
            ev->source = p->id;
            struct counted *c = xmalloc(sizeof *c);
            c->seq = seq;
            ev->payload = c;
            ev->payload_free = counted_free;
            events_post(p->q, ev);
        }
        return NULL;
    }
    /* Batches of 1..17 lines whose text names the producer and the line's sequence number. */
    char buf[17][32];
    const char *lines[17];
    for (int seq = 0; seq < PER_PRODUCER;) {
        size_t n = (size_t)(seq % 17) + 1;
        if (n > (size_t)(PER_PRODUCER - seq))
            n = (size_t)(PER_PRODUCER - seq);
        for (size_t i = 0; i < n; i++) {
            snprintf(buf[i], sizeof buf[i], "p%d line %d", p->id, seq + (int)i);
            lines[i] = buf[i];
        }
        events_post(p->q, events_log_lines(p->id, lines, NULL, n));
        seq += (int)n;
    }
    return NULL;
}

static void run_producers(int batches)
{
    struct event_queue *q = events_new();
    assert_non_null(q);
    struct producer prod[PRODUCERS];
    pthread_t tid[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        prod[i] = (struct producer){.q = q, .id = i + 1, .batches = batches};
        assert_int_equal(pthread_create(&tid[i], NULL, produce, &prod[i]), 0);
    }

    int next_seq[PRODUCERS + 1] = {0};
    long received = 0, wakeups = 0;
    while (received < (long)PRODUCERS * PER_PRODUCER) {
        struct pollfd pfd = {.fd = events_wake_fd(q), .events = POLLIN};
        int n = poll(&pfd, 1, 10000);
        assert_int_equal(n, 1); /* 0 would mean events were lost or their wake-up was */
        wakeups++;
        struct event *ev = events_drain(q);
        assert_non_null(ev); /* a readable fd always means events are waiting */
        while (ev) {
            struct event *next = ev->next;
            assert_in_range(ev->source, 1, PRODUCERS);
            if (!batches) {
                assert_int_equal(ev->type, EVENT_JOB_STEP);
                const struct counted *c = ev->payload;
                assert_int_equal(c->seq, next_seq[ev->source]);
                next_seq[ev->source]++;
                received++;
            } else {
                assert_int_equal(ev->type, EVENT_LOG_LINES);
                const struct log_batch *b = ev->payload;
                size_t got = 0;
                for (const char *l = log_batch_next(b, NULL); l; l = log_batch_next(b, l)) {
                    char want[32];
                    snprintf(want, sizeof want, "p%d line %d", ev->source, next_seq[ev->source]);
                    assert_string_equal(l, want);
                    next_seq[ev->source]++;
                    got++;
                }
                assert_int_equal(got, b->count);
                received += (long)got;
            }
            event_free(ev);
            ev = next;
        }
    }
    for (int i = 0; i < PRODUCERS; i++)
        assert_int_equal(pthread_join(tid[i], NULL), 0);
    for (int i = 1; i <= PRODUCERS; i++)
        assert_int_equal(next_seq[i], PER_PRODUCER);
    assert_true(wakeups >= 1);
    /* Everything was taken: nothing more arrives and the fd is quiet. */
    assert_false(readable(q));
    assert_null(events_drain(q));
    events_free(q);
}

static void test_many_producers_events(void **state)
{
    (void)state;
    run_producers(0);
}

static void test_many_producers_batches(void **state)
{
    (void)state;
    run_producers(1);
}

static void test_log_batch_roundtrip(void **state)
{
    (void)state;
    const char *lines[] = {"first", "", "third line", "", ""};
    size_t lens[] = {5, 0, 10, 0, 0};
    struct event *ev = events_log_lines(7, lines, lens, 5);
    assert_int_equal(ev->type, EVENT_LOG_LINES);
    assert_int_equal(ev->source, 7);
    const struct log_batch *b = ev->payload;
    assert_int_equal(b->count, 5);
    assert_int_equal(b->bytes, 5 + 1 + 1 + 10 + 1 + 1 + 1);
    size_t i = 0;
    for (const char *l = log_batch_next(b, NULL); l; l = log_batch_next(b, l), i++) {
        assert_true(i < 5);
        assert_string_equal(l, lines[i]);
    }
    assert_int_equal(i, 5);
    event_free(ev);
}

static void test_log_batch_lens_limit_copy(void **state)
{
    (void)state;
    /* lens shorter than the strings: only the prefix travels. A NUL inside ends the line. */
    const char *lines[] = {"abcdef", "xy\0zz", "tail\r\n"};
    size_t lens[] = {3, 5, 6};
    struct event *ev = events_log_lines(0, lines, lens, 3);
    const struct log_batch *b = ev->payload;
    assert_int_equal(b->count, 3);
    const char *l = log_batch_next(b, NULL);
    assert_string_equal(l, "abc");
    l = log_batch_next(b, l);
    assert_string_equal(l, "xy");
    l = log_batch_next(b, l);
    assert_string_equal(l, "tail\r\n"); /* verbatim: the log ring strips line endings */
    assert_null(log_batch_next(b, l));
    event_free(ev);
}

static void test_log_batch_empty_and_many(void **state)
{
    (void)state;
    struct event *ev = events_log_lines(0, NULL, NULL, 0);
    const struct log_batch *b = ev->payload;
    assert_int_equal(b->count, 0);
    assert_null(log_batch_next(b, NULL));
    event_free(ev);
    assert_null(log_batch_next(NULL, NULL));

    enum { N = 1000 };
    char *text[N];
    const char *lines[N];
    for (size_t i = 0; i < N; i++) {
        size_t len = (i * 37) % 200;
        text[i] = xmalloc(len + 1);
        for (size_t j = 0; j < len; j++)
            text[i][j] = (char)('a' + (i + j) % 26);
        text[i][len] = '\0';
        lines[i] = text[i];
    }
    ev = events_log_lines(3, lines, NULL, N);
    b = ev->payload;
    assert_int_equal(b->count, N);
    size_t i = 0;
    for (const char *l = log_batch_next(b, NULL); l; l = log_batch_next(b, l), i++)
        assert_string_equal(l, text[i]);
    assert_int_equal(i, N);
    event_free(ev);
    for (size_t k = 0; k < N; k++)
        free(text[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_one_producer),
        cmocka_unit_test(test_event_new_is_zeroed),
        cmocka_unit_test(test_set_text_truncates),
        cmocka_unit_test(test_wake_fd),
        cmocka_unit_test(test_payload_freed_by_event_free),
        cmocka_unit_test(test_free_undrained),
        cmocka_unit_test(test_many_producers_events),
        cmocka_unit_test(test_many_producers_batches),
        cmocka_unit_test(test_log_batch_roundtrip),
        cmocka_unit_test(test_log_batch_lens_limit_copy),
        cmocka_unit_test(test_log_batch_empty_and_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
