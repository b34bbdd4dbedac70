/* The offer refresh worker: fetches the market every N seconds (or on request) on its own
 * thread and posts the result to the UI's event queue (DESIGN §2). */
#ifndef GPUWARDEN_REFRESH_H
#define GPUWARDEN_REFRESH_H

#include "events.h"
#include "market.h"
#include "provider.h"

struct refresh;

/* Starts the worker, which fetches at once and then every interval_s seconds (0: only on
 * request). Takes ownership of `p`; `req` is copied, its requirements too, but its query must
 * outlive the worker.
 * Posts EVENT_FETCH_STARTED, then EVENT_OFFERS_READY (payload: struct market_result *) or
 * EVENT_ERROR (text: the provider's sentence); then, when the provider can list instances,
 * EVENT_INSTANCES_READY (payload: struct instance_list *) or EVENT_INSTANCES_ERROR (text). Signals
 * are blocked in the thread. Returns NULL with err set when the thread cannot start. Stop with
 * refresh_stop(). */
struct refresh *refresh_start(struct provider *p, const struct market_request *req, int interval_s,
                              struct event_queue *q, struct gw_error *err);

/* Asks for a fetch now (Ctrl-R); ignored while one is running. */
void refresh_now(struct refresh *r);

/* Judges later fetches by these requirements (a recipe was picked); copied. */
void refresh_set_requirements(struct refresh *r, const struct requirements *req);

/* Cancels a fetch in flight, joins the thread and frees everything. NULL-safe. */
void refresh_stop(struct refresh *r);

/* Frees an EVENT_OFFERS_READY payload (a struct market_result). */
void refresh_result_free(void *payload);

#endif
