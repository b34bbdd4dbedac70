/* The provider interface: where offers (and later instances) come from. Two implementations:
 * `vast` (the vast.ai REST API through libcurl) and `demo` (a built-in market, nothing rented). */
#ifndef GPUWARDEN_PROVIDER_H
#define GPUWARDEN_PROVIDER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "query.h"

struct search_request {
    const struct query *query; /* the user's filters, exactly as typed; never extended */
    const char *order_field;   /* vast field to order by server-side, or NULL for vast's own */
    bool order_desc;
    int limit; /* 0: no limit sent */
};

struct provider;

struct provider_ops {
    const char *name; /* "vast", "demo" */
    /* Fetches the offers of a search as vast JSON text. *body is the caller's to free().
     * A provider may ignore the filters: the caller re-checks every offer. */
    int (*search)(struct provider *p, const struct search_request *req, char **body, size_t *len,
                  struct gw_error *err);
    void (*destroy)(struct provider *p);
};

struct provider {
    const struct provider_ops *ops;
    char source[256]; /* where offers come from, for messages: a URL or "the demo market" */
    atomic_int cancel; /* set from another thread to abort a request in flight */
    void *impl;
};

/* base_url like "https://console.vast.ai" (a trailing slash is fine); api_key may be NULL
 * (search works without one) and is copied. Caller frees with provider_free(). */
struct provider *provider_vast_new(const char *base_url, const char *api_key);
struct provider *provider_demo_new(void);

int provider_search(struct provider *p, const struct search_request *req, char **body, size_t *len,
                    struct gw_error *err);
const char *provider_name(const struct provider *p);
void provider_free(struct provider *p);

#endif
