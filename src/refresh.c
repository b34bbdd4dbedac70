/* The refresh worker thread. */
#include "refresh.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "worker.h"
#include "xalloc.h"

struct refresh {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool now, quit; /* guarded by lock */
    int interval_s;
    struct provider *provider;
    struct market_request req; /* its `req` pointer is replaced per fetch */
    struct requirements reqs;  /* guarded by lock: refresh_set_requirements() changes it */
    struct event_queue *queue;
};

void refresh_result_free(void *payload)
{
    struct market_result *m = payload;
    market_result_free(m);
    free(m);
}

static void post_text(struct refresh *r, enum event_type type, const char *text)
{
    struct event *ev = event_new(type);
    event_set_text(ev, "%s", text);
    events_post(r->queue, ev);
}

static void fetch(struct refresh *r)
{
    post_text(r, EVENT_FETCH_STARTED, r->provider->source);
    struct market_result *m = xcalloc(1, sizeof *m);
    struct gw_error err = {0};
    /* a private copy: the UI may change the requirements while this fetch runs */
    struct requirements reqs;
    pthread_mutex_lock(&r->lock);
    reqs = r->reqs;
    pthread_mutex_unlock(&r->lock);
    struct market_request req = r->req;
    req.req = &reqs;
    if (market_fetch(r->provider, &req, m, &err) < 0) {
        refresh_result_free(m);
        post_text(r, EVENT_ERROR, err.msg);
        return;
    }
    struct event *ev = event_new(EVENT_OFFERS_READY);
    ev->payload = m;
    ev->payload_free = refresh_result_free;
    events_post(r->queue, ev);
}

/* Waits until the next tick, a refresh request or quit; true when a fetch is due. */
static bool wait_turn(struct refresh *r)
{
    pthread_mutex_lock(&r->lock);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += r->interval_s;
    while (!r->now && !r->quit) {
        int rc = r->interval_s > 0 ? pthread_cond_timedwait(&r->wake, &r->lock, &deadline)
                                   : pthread_cond_wait(&r->wake, &r->lock);
        if (rc == ETIMEDOUT)
            break;
    }
    bool go = !r->quit;
    r->now = false;
    pthread_mutex_unlock(&r->lock);
    return go;
}

static void instance_list_event_free(void *payload)
{
    instance_list_free(payload);
    free(payload);
}

/* The account's instances for view 4, fetched with the offers so both are equally fresh. */
static void list_instances(struct refresh *r)
{
    if (r->provider->ops->list == NULL)
        return;
    struct instance_list *l = xcalloc(1, sizeof *l);
    struct gw_error err = {0};
    if (provider_list(r->provider, l, &err) < 0) {
        instance_list_event_free(l);
        post_text(r, EVENT_INSTANCES_ERROR, err.msg);
        return;
    }
    struct event *ev = event_new(EVENT_INSTANCES_READY);
    ev->payload = l;
    ev->payload_free = instance_list_event_free;
    events_post(r->queue, ev);
}

static void *run(void *arg)
{
    struct refresh *r = arg;
    do {
        fetch(r);
        list_instances(r);
    } while (wait_turn(r));
    return NULL;
}

struct refresh *refresh_start(struct provider *p, const struct market_request *req, int interval_s,
                              struct event_queue *q, struct gw_error *err)
{
    struct refresh *r = xcalloc(1, sizeof *r);
    r->provider = p;
    r->req = *req;
    r->reqs = *req->req;
    r->interval_s = interval_s;
    r->queue = q;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->wake, NULL);
    int rc = worker_spawn(&r->thread, run, r);
    if (rc != 0) {
        error_set(err, EXIT_PROVIDER, _("cannot start the refresh thread: %s"), strerror(rc));
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->wake);
        provider_free(p);
        free(r);
        return NULL;
    }
    return r;
}

void refresh_now(struct refresh *r)
{
    pthread_mutex_lock(&r->lock);
    r->now = true;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
}

void refresh_set_requirements(struct refresh *r, const struct requirements *req)
{
    pthread_mutex_lock(&r->lock);
    r->reqs = *req;
    pthread_mutex_unlock(&r->lock);
}

void refresh_stop(struct refresh *r)
{
    if (r == NULL)
        return;
    pthread_mutex_lock(&r->lock);
    r->quit = true;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
    atomic_store(&r->provider->cancel, 1);
    pthread_join(r->thread, NULL);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->wake);
    provider_free(r->provider);
    free(r);
}
