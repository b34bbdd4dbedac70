/* The worker -> UI event queue: a locked list plus a self-pipe (see events.h). */
#include "events.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "textwidth.h"
#include "xalloc.h"

struct event_queue {
    pthread_mutex_t lock;
    struct event *head, *tail;
    /* A byte sits in the pipe exactly while this is set. It is set by the post that finds the
     * queue empty and cleared by the drain that empties it, so it also means "non-empty". */
    bool signalled;
    int wake_rd, wake_wr;
};

/* A plain pipe rather than eventfd or pipe2(), which would need _GNU_SOURCE. */
static int wake_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        int fl = fcntl(fds[i], F_GETFL);
        if (fl < 0 || fcntl(fds[i], F_SETFL, fl | O_NONBLOCK) != 0 ||
            fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0) {
            close(fds[0]);
            close(fds[1]);
            return -1;
        }
    }
    return 0;
}

struct event_queue *events_new(void)
{
    int fds[2];
    if (wake_pipe(fds) != 0)
        return NULL;
    struct event_queue *q = xcalloc(1, sizeof *q);
    if (pthread_mutex_init(&q->lock, NULL) != 0) {
        close(fds[0]);
        close(fds[1]);
        free(q);
        return NULL;
    }
    q->wake_rd = fds[0];
    q->wake_wr = fds[1];
    return q;
}

void events_free(struct event_queue *q)
{
    if (q == NULL)
        return;
    struct event *ev = q->head;
    while (ev) {
        struct event *next = ev->next;
        event_free(ev);
        ev = next;
    }
    pthread_mutex_destroy(&q->lock);
    close(q->wake_rd);
    close(q->wake_wr);
    free(q);
}

struct event *event_new(enum event_type type)
{
    struct event *ev = xcalloc(1, sizeof *ev);
    ev->type = type;
    return ev;
}

void event_free(struct event *ev)
{
    if (ev == NULL)
        return;
    if (ev->payload && ev->payload_free)
        ev->payload_free(ev->payload);
    free(ev);
}

void event_set_text(struct event *ev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ev->text, sizeof ev->text, fmt, ap);
    va_end(ap);
    textwidth_repair(ev->text);
}

void events_post(struct event_queue *q, struct event *ev)
{
    if (ev == NULL)
        return;
    ev->next = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->tail)
        q->tail->next = ev;
    else
        q->head = ev;
    q->tail = ev;
    /* Written under the lock so that the byte and the flag never disagree: a drain either sees
     * both or neither. This is one write per empty -> non-empty, not one per event. */
    if (!q->signalled) {
        static const char one = 1;
        ssize_t w;
        do
            w = write(q->wake_wr, &one, 1);
        while (w < 0 && errno == EINTR);
        /* EAGAIN means the pipe already holds bytes, so the consumer wakes anyway. */
        q->signalled = true;
    }
    pthread_mutex_unlock(&q->lock);
}

struct event *events_drain(struct event_queue *q)
{
    pthread_mutex_lock(&q->lock);
    struct event *list = q->head;
    q->head = q->tail = NULL;
    if (q->signalled) {
        char buf[64];
        ssize_t r;
        /* Read until empty: normally one byte, but tolerate strays. */
        do
            r = read(q->wake_rd, buf, sizeof buf);
        while (r > 0 || (r < 0 && errno == EINTR));
        q->signalled = false;
    }
    pthread_mutex_unlock(&q->lock);
    return list;
}

int events_wake_fd(const struct event_queue *q)
{
    return q->wake_rd;
}

/* The length carried for one line: up to lens[i] bytes, stopping at a NUL so that iteration by
 * strlen() sees exactly n lines. */
static size_t carried_len(const char *const *lines, const size_t *lens, size_t i)
{
    if (lens == NULL)
        return strlen(lines[i]);
    const char *nul = memchr(lines[i], '\0', lens[i]);
    return nul ? (size_t)(nul - lines[i]) : lens[i];
}

struct event *events_log_lines(int source, const char *const *lines, const size_t *lens, size_t n)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += carried_len(lines, lens, i) + 1;
    /* The batch header and its text in one block: one malloc and one free per batch. */
    struct log_batch *b = xmalloc(sizeof *b + bytes);
    b->count = n;
    b->bytes = bytes;
    b->data = (char *)(b + 1);
    char *p = b->data;
    for (size_t i = 0; i < n; i++) {
        size_t len = carried_len(lines, lens, i);
        memcpy(p, lines[i], len);
        p[len] = '\0';
        p += len + 1;
    }
    struct event *ev = event_new(EVENT_LOG_LINES);
    ev->source = source;
    ev->payload = b;
    ev->payload_free = free;
    return ev;
}

const char *log_batch_next(const struct log_batch *b, const char *prev)
{
    if (b == NULL || b->count == 0)
        return NULL;
    if (prev == NULL)
        return b->data;
    const char *next = prev + strlen(prev) + 1;
    return next < b->data + b->bytes ? next : NULL;
}
