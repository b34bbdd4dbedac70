/* The metadata worker: fetches a recipe's source metadata (hub) on its own thread and posts it
 * to the UI's event queue, so the dashboard never waits on Docker Hub, GitHub or Hugging Face. */
#ifndef GPUWARDEN_METAWORK_H
#define GPUWARDEN_METAWORK_H

#include <stddef.h>

#include "events.h"
#include "hub.h"
#include "trust.h"

#define METAWORK_MAX 10

/* The payload of EVENT_META_READY; ev->source is the request's generation. */
struct meta_batch {
    size_t count;
    struct source_meta items[METAWORK_MAX];
};

struct metawork;

/* Starts the worker (cfg copied; offline: answers every request at once with "offline"
 * sources). NULL with err when the thread cannot start. Stop with metawork_stop(). */
struct metawork *metawork_start(const struct hub_config *cfg, bool offline, struct event_queue *q,
                                struct gw_error *err);

/* Asks for these sources (kind and id set; copied, at most METAWORK_MAX). A request still
 * waiting is replaced; one being fetched finishes and is answered with its own generation, so
 * the UI drops answers older than the generation it asked for last. */
void metawork_request(struct metawork *w, const struct source_meta *items, size_t n,
                      int generation);

/* Cancels a fetch in flight, joins the thread, frees everything. NULL-safe. */
void metawork_stop(struct metawork *w);

#endif
