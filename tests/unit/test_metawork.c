/* Tests the metadata worker (src/metawork.c): it answers each request with an EVENT_META_READY
 * carrying the generation asked for, offline answers say so, an unreachable hub gives unfetched
 * sources (never a crash or a hang), and it stops cleanly. Runs under ThreadSanitizer too. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jsonarena.h"
#include "metawork.h"

/* Waits (bounded, ~10 s) for the next EVENT_META_READY; NULL on timeout. */
static struct event *wait_meta(struct event_queue *q)
{
    for (int round = 0; round < 100; round++) {
        for (struct event *ev = events_drain(q), *next; ev; ev = next) {
            next = ev->next;
            if (ev->type == EVENT_META_READY) {
                for (struct event *rest = next, *n2; rest; rest = n2) {
                    n2 = rest->next;
                    event_free(rest);
                }
                ev->next = NULL;
                return ev;
            }
            event_free(ev);
        }
        struct pollfd p = {events_wake_fd(q), POLLIN, 0};
        poll(&p, 1, 100);
    }
    return NULL;
}

static size_t two_sources(struct source_meta *s)
{
    memset(s, 0, 2 * sizeof *s);
    s[0].kind = SOURCE_IMAGE;
    snprintf(s[0].id, sizeof s[0].id, "nvidia/cuda:12.8.1-runtime-ubuntu22.04");
    s[1].kind = SOURCE_REPO;
    snprintf(s[1].id, sizeof s[1].id, "ace-step/ACE-Step-1.5");
    return 2;
}

static void test_offline_answers_with_generation(void **state)
{
    (void)state;
    struct event_queue *q = events_new();
    struct hub_config cfg;
    hub_config_default(&cfg);
    cfg.cache_dir[0] = '\0';
    struct gw_error err = {0};
    struct metawork *w = metawork_start(&cfg, true, q, &err);
    assert_non_null(w);
    struct source_meta s[2];
    metawork_request(w, s, two_sources(s), 7);
    struct event *ev = wait_meta(q);
    assert_non_null(ev);
    assert_int_equal(ev->source, 7);
    const struct meta_batch *b = ev->payload;
    assert_int_equal(b->count, 2);
    assert_string_equal(b->items[1].id, "ace-step/ACE-Step-1.5");
    for (size_t i = 0; i < b->count; i++) {
        assert_false(b->items[i].fetched);
        assert_non_null(strstr(b->items[i].error, "offline"));
    }
    event_free(ev);
    metawork_stop(w);
    events_free(q);
}

/* A loopback port nobody listens on: bind, note the port, close. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_unreachable_hub_gives_unfetched_sources(void **state)
{
    (void)state;
    setenv("GPUWARDEN_HTTP_BACKOFF_MS", "1", 1);
    struct event_queue *q = events_new();
    struct hub_config cfg;
    hub_config_default(&cfg);
    cfg.cache_dir[0] = '\0';
    int port = closed_port();
    snprintf(cfg.docker_url, sizeof cfg.docker_url, "http://127.0.0.1:%d", port);
    snprintf(cfg.github_url, sizeof cfg.github_url, "http://127.0.0.1:%d", port);
    snprintf(cfg.hf_url, sizeof cfg.hf_url, "http://127.0.0.1:%d", port);
    struct gw_error err = {0};
    struct metawork *w = metawork_start(&cfg, false, q, &err);
    assert_non_null(w);
    struct source_meta s[2];
    size_t n = two_sources(s);
    /* two requests in a row: the answer to the last one must come, with its generation */
    metawork_request(w, s, n, 1);
    metawork_request(w, s, n, 2);
    struct event *ev = wait_meta(q);
    assert_non_null(ev);
    if (ev->source == 1) { /* the first was already being fetched: its answer comes first */
        event_free(ev);
        ev = wait_meta(q);
        assert_non_null(ev);
    }
    assert_int_equal(ev->source, 2);
    const struct meta_batch *b = ev->payload;
    assert_int_equal(b->count, 2);
    for (size_t i = 0; i < b->count; i++) {
        assert_false(b->items[i].fetched);
        assert_true(b->items[i].error[0] != '\0');
    }
    event_free(ev);
    metawork_stop(w);
    events_free(q);
}

static void test_stop_without_requests(void **state)
{
    (void)state;
    struct event_queue *q = events_new();
    struct hub_config cfg;
    hub_config_default(&cfg);
    struct gw_error err = {0};
    struct metawork *w = metawork_start(&cfg, false, q, &err);
    assert_non_null(w);
    metawork_stop(w);
    metawork_stop(NULL);
    assert_null(events_drain(q));
    events_free(q);
}

int main(void)
{
    json_arena_install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offline_answers_with_generation),
        cmocka_unit_test(test_unreachable_hub_gives_unfetched_sources),
        cmocka_unit_test(test_stop_without_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
