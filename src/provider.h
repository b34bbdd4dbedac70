/* The provider interface: where offers come from and where instances are rented. Two
 * implementations: `vast` (the vast.ai REST API through libcurl) and `demo` (a built-in market
 * and simulated instances that boot but are never reachable). */
#ifndef GPUWARDEN_PROVIDER_H
#define GPUWARDEN_PROVIDER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "instance.h"
#include "query.h"

struct search_request {
    const struct query *query; /* the user's filters, exactly as typed; never extended */
    const char *order_field;   /* vast field to order by server-side, or NULL for vast's own */
    bool order_desc;
    int limit; /* 0: no limit sent */
};

/* What `create` rents (SPEC §7 step 1). */
struct create_request {
    int64_t offer_id;
    const char *image;
    double disk_gb;
    const char *label;           /* "gpuwarden:<recipe>" */
    const char *const *env_keys; /* env as a JSON object: keys[i] = values[i] */
    const char *const *env_values;
    size_t nenv;
    const int *ports; /* container ports to map, sent as "-p N:N": "1" env keys */
    size_t nports;
};

struct provider;

struct provider_ops {
    const char *name; /* "vast", "demo" */
    /* Fetches the offers of a search as vast JSON text. *body is the caller's to free().
     * A provider may ignore the filters: the caller re-checks every offer. */
    int (*search)(struct provider *p, const struct search_request *req, char **body, size_t *len,
                  struct gw_error *err);
    /* Rents an offer: 0 with *instance_id, -1 with err. An offer that is gone (404/410
     * no_such_ask) is EXIT_USAGE with "offer N is no longer available; pick another offer".
     * On -1, *instance_id is 0 unless the provider created an instance despite the error (vast
     * can leave a stopped contract behind): then it is that id, which bills until destroyed.
     * vast's create is never retried except on 429, so a flaky answer cannot rent twice. */
    int (*create)(struct provider *p, const struct create_request *req, int64_t *instance_id,
                  struct gw_error *err);
    /* One instance: 1 with *out, 0 when the provider says it does not exist, -1 with err. */
    int (*show)(struct provider *p, int64_t id, struct instance *out, struct gw_error *err);
    /* Every instance of the account (all pages), appended to *out: 0, or -1 with err and *out
     * as it was (no partial list). Needs an API key, as do create and show. */
    int (*list)(struct provider *p, struct instance_list *out, struct gw_error *err);
    /* A new provider of the same kind and account for another thread (its own HTTP client);
     * the demo's instances are shared between clones. */
    struct provider *(*clone)(const struct provider *p);
    /* Stop (storage kept) and destroy (everything deleted) one instance: 1 done, 0 the
     * instance does not exist, -1 with err. Called only by provider_stop() and
     * provider_destroy_instance(), after the gate's confirmation has been checked. */
    int (*stop_instance)(struct provider *p, int64_t id, struct gw_error *err);
    int (*destroy_instance)(struct provider *p, int64_t id, struct gw_error *err);
    void (*destroy)(struct provider *p); /* frees the provider itself */
};

struct provider {
    const struct provider_ops *ops;
    char source[256];  /* where offers come from, for messages: a URL or "the demo market" */
    atomic_int cancel; /* set from another thread to abort a request in flight */
    void *impl;
};

/* base_url like "https://console.vast.ai" (a trailing slash is fine); api_key may be NULL
 * (search works without one) and is copied. Caller frees with provider_free(). */
struct provider *provider_vast_new(const char *base_url, const char *api_key);
struct provider *provider_demo_new(void);

/* The demo's simulated instance behind an id, for the demo host (job.c): the GPU the machine
 * really has, which for the case-7 offer is less than advertised. false when unknown. */
struct demo_gpu {
    char name[48];
    int count;
    double vram_mib; /* what nvidia-smi would report */
    double cc;
};
bool provider_demo_gpu(const struct provider *p, int64_t instance_id, struct demo_gpu *out);

int provider_create(struct provider *p, const struct create_request *req, int64_t *instance_id,
                    struct gw_error *err);
int provider_show(struct provider *p, int64_t id, struct instance *out, struct gw_error *err);
int provider_list(struct provider *p, struct instance_list *out, struct gw_error *err);
struct provider *provider_clone(const struct provider *p);

/* Stops / destroys instance `id` (SPEC §8). Nothing is sent unless `c` is a confirmation of that
 * very action on that very id that has not been used yet (gate.h); it is used up either way.
 * 1 done, 0 the instance is already gone, -1 with err. The caller keeps ownership of c. */
struct gate_confirmation;
int provider_stop(struct provider *p, struct gate_confirmation *c, int64_t id,
                  struct gw_error *err);
int provider_destroy_instance(struct provider *p, struct gate_confirmation *c, int64_t id,
                              struct gw_error *err);

int provider_search(struct provider *p, const struct search_request *req, char **body, size_t *len,
                    struct gw_error *err);
const char *provider_name(const struct provider *p);
void provider_free(struct provider *p);

#endif
