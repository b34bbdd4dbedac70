/* Tests the refresh worker (src/refresh.c) with the demo provider: it posts started/ready events,
 * honours refresh_now, and stops cleanly. Runs under ThreadSanitizer in `make test`. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "jsonarena.h"
#include "refresh.h"

/* Waits (bounded) for the next event of `type`, freeing others; NULL on timeout. */
static struct event *wait_for(struct event_queue *q, enum event_type type, struct event **rest)
{
    for (int round = 0; round < 100; round++) {
        struct event *ev = *rest ? *rest : events_drain(q);
        *rest = NULL;
        while (ev) {
            struct event *next = ev->next;
            if (ev->type == type) {
                *rest = next;
                ev->next = NULL;
                return ev;
            }
            event_free(ev);
            ev = next;
        }
        struct pollfd p = {events_wake_fd(q), POLLIN, 0};
        poll(&p, 1, 100);
    }
    return NULL;
}

static void free_list(struct event *ev)
{
    while (ev) {
        struct event *next = ev->next;
        event_free(ev);
        ev = next;
    }
}

static void test_fetch_now_and_stop(void **state)
{
    (void)state;
    struct event_queue *q = events_new();
    assert_non_null(q);
    struct requirements req;
    requirements_default(&req);
    struct query query = {0};
    assert_int_equal(query_parse(&query, "num_gpus = 1", NULL), 0);
    struct market_request mr = {.query = &query, .req = &req};
    struct gw_error err = {0};
    struct refresh *r = refresh_start(provider_demo_new(), &mr, 0, q, &err);
    assert_non_null(r);

    struct event *rest = NULL;
    struct event *started = wait_for(q, EVENT_FETCH_STARTED, &rest);
    assert_non_null(started);
    event_free(started);
    struct event *ready = wait_for(q, EVENT_OFFERS_READY, &rest);
    assert_non_null(ready);
    const struct market_result *m = ready->payload;
    assert_true(m->offers.count > 30);
    for (size_t i = 0; i < m->offers.count; i++)
        assert_int_equal(m->offers.items[i].num_gpus, 1);
    event_free(ready);
    /* then the account's instances, for view 4: the demo's new account has none */
    struct event *inst = wait_for(q, EVENT_INSTANCES_READY, &rest);
    assert_non_null(inst);
    assert_int_equal(((const struct instance_list *)inst->payload)->count, 0);
    event_free(inst);

    /* interval 0: nothing more until asked */
    free_list(rest);
    rest = NULL;
    struct pollfd p = {events_wake_fd(q), POLLIN, 0};
    assert_int_equal(poll(&p, 1, 200), 0);
    refresh_now(r);
    ready = wait_for(q, EVENT_OFFERS_READY, &rest);
    assert_non_null(ready);
    event_free(ready);
    free_list(rest);

    refresh_stop(r);
    events_free(q);
    query_free(&query);
}

static void test_error_is_posted(void **state)
{
    (void)state;
    struct event_queue *q = events_new();
    struct requirements req;
    requirements_default(&req);
    struct query query = {0};
    struct market_request mr = {.query = &query, .req = &req};
    struct gw_error err = {0};
    /* port 9 on loopback: nothing listens, the connection is refused at once */
    setenv("GPUWARDEN_HTTP_BACKOFF_MS", "1", 1);
    struct refresh *r =
        refresh_start(provider_vast_new("http://127.0.0.1:9", NULL), &mr, 0, q, &err);
    assert_non_null(r);
    struct event *rest = NULL;
    struct event *e = wait_for(q, EVENT_ERROR, &rest);
    assert_non_null(e);
    assert_non_null(strstr(e->text, "127.0.0.1:9"));
    event_free(e);
    /* the instance list needs a key: said on its own line, the offers' error untouched */
    e = wait_for(q, EVENT_INSTANCES_ERROR, &rest);
    assert_non_null(e);
    assert_non_null(strstr(e->text, "API key"));
    event_free(e);
    free_list(rest);
    refresh_stop(r);
    events_free(q);
}

int main(void)
{
    json_arena_install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fetch_now_and_stop),
        cmocka_unit_test(test_error_is_posted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
