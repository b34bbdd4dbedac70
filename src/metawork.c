/* The metadata worker thread: one pending request slot, one hub (curl handle) of its own. */
#include "metawork.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "worker.h"
#include "xalloc.h"

struct metawork {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool quit, pending;        /* guarded by lock */
    struct meta_batch request; /* guarded by lock */
    int generation;            /* guarded by lock */
    atomic_int cancel;
    struct hub_config cfg;
    bool offline;
    struct event_queue *queue;
};

static void answer(struct metawork *w, struct meta_batch *batch, int generation)
{
    struct hub *h = w->offline ? NULL : hub_new(&w->cfg);
    for (size_t i = 0; i < batch->count && !atomic_load(&w->cancel); i++) {
        struct gw_error err = {0};
        if (!h) {
            snprintf(batch->items[i].error, sizeof batch->items[i].error,
                     _("--offline: no metadata requests"));
            continue;
        }
        if (hub_fetch(h, &batch->items[i], &err) < 0 && !batch->items[i].error[0])
            snprintf(batch->items[i].error, sizeof batch->items[i].error, "%.250s", err.msg);
    }
    if (h)
        hub_free(h);
    struct event *ev = event_new(EVENT_META_READY);
    ev->source = generation;
    ev->payload = batch;
    ev->payload_free = free;
    events_post(w->queue, ev);
}

static void *run(void *arg)
{
    struct metawork *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        while (!w->pending && !w->quit)
            pthread_cond_wait(&w->wake, &w->lock);
        if (w->quit) {
            pthread_mutex_unlock(&w->lock);
            return NULL;
        }
        struct meta_batch *batch = xmalloc(sizeof *batch);
        *batch = w->request;
        int generation = w->generation;
        w->pending = false;
        pthread_mutex_unlock(&w->lock);
        answer(w, batch, generation);
    }
}

struct metawork *metawork_start(const struct hub_config *cfg, bool offline, struct event_queue *q,
                                struct gw_error *err)
{
    struct metawork *w = xcalloc(1, sizeof *w);
    w->cfg = *cfg;
    w->cfg.cancel = &w->cancel;
    w->offline = offline;
    w->queue = q;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    int rc = worker_spawn(&w->thread, run, w);
    if (rc != 0) {
        error_set(err, EXIT_PROVIDER, _("cannot start the metadata thread: %s"), strerror(rc));
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        free(w);
        return NULL;
    }
    return w;
}

void metawork_request(struct metawork *w, const struct source_meta *items, size_t n, int generation)
{
    pthread_mutex_lock(&w->lock);
    w->request.count = n < METAWORK_MAX ? n : METAWORK_MAX;
    memcpy(w->request.items, items, w->request.count * sizeof *items);
    w->generation = generation;
    w->pending = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

void metawork_stop(struct metawork *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->quit = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    atomic_store(&w->cancel, 1);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    free(w);
}
