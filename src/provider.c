/* Dispatch through the provider interface, and the demo provider: the built-in market and a
 * simulated instance lifecycle (loading with image-pull progress, then running). */
#include "provider.h"

#include <cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assets.h"
#include "gate.h"
#include "i18n.h"
#include "offer.h"
#include "xalloc.h"

int provider_search(struct provider *p, const struct search_request *req, char **body, size_t *len,
                    struct gw_error *err)
{
    return p->ops->search(p, req, body, len, err);
}

/* The provider has no such operation: the sentence names it, its %s is the provider's name. */
#define UNSUPPORTED(p, sentence, err) (error_set((err), EXIT_USAGE, (sentence), (p)->ops->name), -1)

int provider_create(struct provider *p, const struct create_request *req, int64_t *instance_id,
                    struct gw_error *err)
{
    *instance_id = 0;
    if (p->ops->create == NULL)
        return UNSUPPORTED(p, _("the %s provider cannot rent instances"), err);
    return p->ops->create(p, req, instance_id, err);
}

int provider_show(struct provider *p, int64_t id, struct instance *out, struct gw_error *err)
{
    if (p->ops->show == NULL)
        return UNSUPPORTED(p, _("the %s provider cannot show instances"), err);
    return p->ops->show(p, id, out, err);
}

int provider_list(struct provider *p, struct instance_list *out, struct gw_error *err)
{
    if (p->ops->list == NULL)
        return UNSUPPORTED(p, _("the %s provider cannot list instances"), err);
    return p->ops->list(p, out, err);
}

/* The one place the stop and destroy operations are called: the confirmation is checked (and
 * used up) first, so no caller reaches the request without one. */
static int manage(struct provider *p, struct gate_confirmation *c, enum gate_action a, int64_t id,
                  struct gw_error *err)
{
    if (!gate_confirmation_take(c, a, id, err))
        return -1;
    int (*op)(struct provider *, int64_t, struct gw_error *) =
        a == GATE_DESTROY ? p->ops->destroy_instance : p->ops->stop_instance;
    if (op == NULL)
        return UNSUPPORTED(p,
                           a == GATE_DESTROY ? _("the %s provider cannot destroy instances")
                                             : _("the %s provider cannot stop instances"),
                           err);
    return op(p, id, err);
}

int provider_stop(struct provider *p, struct gate_confirmation *c, int64_t id, struct gw_error *err)
{
    return manage(p, c, GATE_STOP, id, err);
}

int provider_destroy_instance(struct provider *p, struct gate_confirmation *c, int64_t id,
                              struct gw_error *err)
{
    return manage(p, c, GATE_DESTROY, id, err);
}

struct provider *provider_clone(const struct provider *p)
{
    return p->ops->clone ? p->ops->clone(p) : NULL;
}

const char *provider_name(const struct provider *p)
{
    return p->ops->name;
}

void provider_free(struct provider *p)
{
    if (p)
        p->ops->destroy(p);
}

/* The demo market is served whole: filtering and sorting happen in the same client-side pass
 * that re-checks a real provider's answer, so the demo exercises the real path. */
static int demo_search(struct provider *p, const struct search_request *req, char **body,
                       size_t *len, struct gw_error *err)
{
    (void)p, (void)req;
    size_t n = 0;
    const char *text = assets_get("demo-offers.json", &n);
    if (text == NULL) {
        error_set(err, EXIT_PROVIDER, _("the demo market is missing from this build"));
        return -1;
    }
    *body = xstrndup(text, n);
    *len = n;
    return 0;
}

/* Demo ids start here: far from the market's offer ids, so the two are never confused. */
#define DEMO_FIRST_ID 90000001
#define DEMO_BOOT_S   4.0
#define DEMO_LAYERS   9
#define DEMO_PULL_MB  1229.0 /* "1.2 GB" */

struct demo_instance {
    int64_t id;
    char label[128];
    char image[256];
    double disk_gb;
    double boot_s;           /* GPUWARDEN_DEMO_BOOT_S when it was created */
    struct timespec created; /* CLOCK_MONOTONIC: boot progress ignores clock jumps */
    double created_wall;     /* unix seconds, for start_date */
    struct offer offer;
    double verify_vram_mib; /* what the machine really has, NAN: as advertised */
    bool stopped;
};

/* The instances of one demo account, shared by a provider and its clones (one per thread). */
struct demo_registry {
    pthread_mutex_t lock;
    int refs;
    int64_t next_id;
    struct demo_instance *items;
    size_t count, cap;
};

/* Finding one offer of the market, and its marker, through offer_list_parse's filter. */
struct demo_find {
    int64_t id;
    double verify_vram_mib;
};

static bool demo_match(const cJSON *obj, void *ctx)
{
    struct demo_find *f = ctx;
    struct offer o;
    if (!offer_from_json(obj, &o) || o.id != f->id)
        return false;
    /* the case-7 machine advertises more VRAM than nvidia-smi will report (SPEC §7) */
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "_demo_verify_gpu_ram");
    if (cJSON_IsNumber(v) && v->valuedouble > 0)
        f->verify_vram_mib = v->valuedouble;
    return true;
}

static double demo_boot_s(void)
{
    const char *v = getenv("GPUWARDEN_DEMO_BOOT_S");
    if (v == NULL || !*v)
        return DEMO_BOOT_S;
    char *end;
    double d = strtod(v, &end);
    return *end == '\0' && d >= 0 && d <= 86400 ? d : DEMO_BOOT_S;
}

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static int demo_create(struct provider *p, const struct create_request *req, int64_t *instance_id,
                       struct gw_error *err)
{
    struct demo_registry *reg = p->impl;
    size_t n = 0;
    const char *text = assets_get("demo-offers.json", &n);
    struct demo_find find = {req->offer_id, NAN};
    struct offer_list found = {0};
    if (text == NULL) {
        error_set(err, EXIT_PROVIDER, _("the demo market is missing from this build"));
        return -1;
    }
    if (offer_list_parse(text, n, OFFER_PARSE_STRICT, demo_match, &find, &found, NULL, err) < 0 ||
        found.count == 0) {
        offer_list_free(&found);
        error_set(err, EXIT_USAGE,
                  _("offer %lld is no longer available (not in the demo market); pick another "
                    "offer"),
                  (long long)req->offer_id);
        return -1;
    }
    struct demo_instance d;
    memset(&d, 0, sizeof d);
    d.offer = found.items[0];
    offer_list_free(&found);
    d.verify_vram_mib = find.verify_vram_mib;
    snprintf(d.label, sizeof d.label, "%s", req->label ? req->label : "");
    snprintf(d.image, sizeof d.image, "%s", req->image ? req->image : "");
    d.disk_gb = req->disk_gb;
    d.boot_s = demo_boot_s();
    clock_gettime(CLOCK_MONOTONIC, &d.created);
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    d.created_wall = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;
    pthread_mutex_lock(&reg->lock);
    d.id = reg->next_id++;
    xgrow((void **)&reg->items, &reg->cap, reg->count + 1, sizeof *reg->items);
    reg->items[reg->count++] = d;
    pthread_mutex_unlock(&reg->lock);
    *instance_id = d.id;
    return 0;
}

/* The instance as vast would report it at this moment. */
static void demo_fill(const struct demo_instance *d, struct instance *in)
{
    memset(in, 0, sizeof *in);
    in->id = d->id;
    snprintf(in->label, sizeof in->label, "%s", d->label);
    snprintf(in->image, sizeof in->image, "%s", d->image);
    snprintf(in->intended_status, sizeof in->intended_status, "running");
    snprintf(in->cur_state, sizeof in->cur_state, "running");
    snprintf(in->gpu_name, sizeof in->gpu_name, "%s", d->offer.gpu_name);
    in->num_gpus = d->offer.num_gpus;
    in->gpu_ram_mib = d->offer.gpu_ram_mib;
    in->dph_total = d->offer.dph_total;
    in->disk_space = d->disk_gb > 0 ? d->disk_gb : NAN;
    in->start_date = d->created_wall;
    snprintf(in->geolocation, sizeof in->geolocation, "%s", d->offer.geolocation);
    double up = seconds_since(&d->created);
    if (d->stopped) {
        snprintf(in->actual_status, sizeof in->actual_status, "stopped");
        snprintf(in->intended_status, sizeof in->intended_status, "stopped");
        snprintf(in->cur_state, sizeof in->cur_state, "stopped");
        snprintf(in->status_msg, sizeof in->status_msg, "Stopped.");
        in->uptime_mins = NAN;
        return;
    }
    if (up < d->boot_s) {
        double frac = up / d->boot_s;
        int layer = 1 + (int)(frac * DEMO_LAYERS);
        snprintf(in->actual_status, sizeof in->actual_status, "loading");
        snprintf(in->status_msg, sizeof in->status_msg, "Pulling fs layer %d/%d: %.0f MB / %.1f GB",
                 layer < DEMO_LAYERS ? layer : DEMO_LAYERS, DEMO_LAYERS, frac * DEMO_PULL_MB,
                 DEMO_PULL_MB / 1024.0);
        in->uptime_mins = NAN;
        return;
    }
    snprintf(in->actual_status, sizeof in->actual_status, "running");
    snprintf(in->status_msg, sizeof in->status_msg, "success, running %.200s/ssh", d->image);
    in->uptime_mins = (up - d->boot_s) / 60.0;
    /* an address that resolves nowhere: the demo host runs locally, never over SSH */
    snprintf(in->ssh_host, sizeof in->ssh_host, "demo.invalid");
    in->ssh_port = 22;
}

static const struct demo_instance *demo_find(const struct demo_registry *reg, int64_t id)
{
    for (size_t i = 0; i < reg->count; i++)
        if (reg->items[i].id == id)
            return &reg->items[i];
    return NULL;
}

static int demo_show(struct provider *p, int64_t id, struct instance *out, struct gw_error *err)
{
    (void)err;
    struct demo_registry *reg = p->impl;
    pthread_mutex_lock(&reg->lock);
    const struct demo_instance *d = demo_find(reg, id);
    if (d)
        demo_fill(d, out);
    else
        memset(out, 0, sizeof *out);
    pthread_mutex_unlock(&reg->lock);
    return d ? 1 : 0;
}

static int demo_list(struct provider *p, struct instance_list *out, struct gw_error *err)
{
    (void)err;
    struct demo_registry *reg = p->impl;
    pthread_mutex_lock(&reg->lock);
    xgrow((void **)&out->items, &out->cap, out->count + reg->count, sizeof *out->items);
    for (size_t i = 0; i < reg->count; i++)
        demo_fill(&reg->items[i], &out->items[out->count++]);
    pthread_mutex_unlock(&reg->lock);
    return 0;
}

/* Stop keeps the instance (stopped); destroy removes it. 0 when the id is unknown. */
static int demo_manage(struct provider *p, int64_t id, bool destroy)
{
    struct demo_registry *reg = p->impl;
    pthread_mutex_lock(&reg->lock);
    size_t i = 0;
    while (i < reg->count && reg->items[i].id != id)
        i++;
    int found = i < reg->count;
    if (found && destroy)
        memmove(&reg->items[i], &reg->items[i + 1], (reg->count - i - 1) * sizeof *reg->items);
    else if (found)
        reg->items[i].stopped = true;
    reg->count -= (size_t)(found && destroy);
    pthread_mutex_unlock(&reg->lock);
    return found;
}

static int demo_stop_instance(struct provider *p, int64_t id, struct gw_error *err)
{
    (void)err;
    return demo_manage(p, id, false);
}

static int demo_destroy_instance(struct provider *p, int64_t id, struct gw_error *err)
{
    (void)err;
    return demo_manage(p, id, true);
}

static const struct provider_ops demo_ops;

static struct provider *demo_wrap(struct demo_registry *reg)
{
    struct provider *p = xcalloc(1, sizeof *p);
    p->ops = &demo_ops;
    p->impl = reg;
    /* TRANSLATORS: where the demo's offers come from, in sentences such as "malformed response
       from %s" and the dashboard's "showing offers from " */
    snprintf(p->source, sizeof p->source, "%s", _("the demo market"));
    return p;
}

static struct provider *demo_clone(const struct provider *p)
{
    struct demo_registry *reg = p->impl;
    pthread_mutex_lock(&reg->lock);
    reg->refs++;
    pthread_mutex_unlock(&reg->lock);
    return demo_wrap(reg);
}

static void demo_destroy(struct provider *p)
{
    struct demo_registry *reg = p->impl;
    pthread_mutex_lock(&reg->lock);
    int last = --reg->refs == 0;
    pthread_mutex_unlock(&reg->lock);
    if (last) {
        pthread_mutex_destroy(&reg->lock);
        free(reg->items);
        free(reg);
    }
    free(p);
}

static const struct provider_ops demo_ops = {
    .name = "demo",
    .search = demo_search,
    .create = demo_create,
    .show = demo_show,
    .list = demo_list,
    .clone = demo_clone,
    .stop_instance = demo_stop_instance,
    .destroy_instance = demo_destroy_instance,
    .destroy = demo_destroy,
};

struct provider *provider_demo_new(void)
{
    struct demo_registry *reg = xcalloc(1, sizeof *reg);
    pthread_mutex_init(&reg->lock, NULL);
    reg->refs = 1;
    reg->next_id = DEMO_FIRST_ID;
    return demo_wrap(reg);
}

bool provider_demo_gpu(const struct provider *p, int64_t instance_id, struct demo_gpu *out)
{
    memset(out, 0, sizeof *out);
    if (p == NULL || p->ops != &demo_ops)
        return false;
    struct demo_registry *reg = p->impl;
    pthread_mutex_lock(&reg->lock);
    const struct demo_instance *d = demo_find(reg, instance_id);
    if (d) {
        snprintf(out->name, sizeof out->name, "%s", d->offer.gpu_name);
        out->count = d->offer.num_gpus;
        out->cc = d->offer.compute_cap;
        out->vram_mib = isnan(d->verify_vram_mib) ? d->offer.gpu_ram_mib : d->verify_vram_mib;
    }
    pthread_mutex_unlock(&reg->lock);
    return d != NULL;
}
