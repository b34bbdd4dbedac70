/* Fetch -> parse -> re-check -> rules -> sort -> limit. */
#include "market.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "xalloc.h"

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

static double v_id(const struct offer *o)
{
    return (double)o->id;
}
static double v_num_gpus(const struct offer *o)
{
    return o->num_gpus ? (double)o->num_gpus : (double)NAN;
}
static double v_vram(const struct offer *o)
{
    return o->gpu_ram_mib;
}
static double v_cc(const struct offer *o)
{
    return o->compute_cap;
}
static double v_dph(const struct offer *o)
{
    return o->dph_total;
}
static double v_reliability(const struct offer *o)
{
    return o->reliability;
}
static double v_inet_down(const struct offer *o)
{
    return o->inet_down;
}
static double v_inet_up(const struct offer *o)
{
    return o->inet_up;
}
static double v_cuda(const struct offer *o)
{
    return o->cuda_max_good;
}
static double v_disk(const struct offer *o)
{
    return o->disk_space;
}
static double v_score(const struct offer *o)
{
    return o->score;
}
static double v_host(const struct offer *o)
{
    return o->host == OFFER_HOST_UNKNOWN ? NAN : (double)o->host;
}

static const char *t_gpu(const struct offer *o)
{
    return o->gpu_name;
}
static const char *t_country(const struct offer *o)
{
    return o->country;
}
static double v_verdict(const struct offer *o)
{
    return (double)o->verdict;
}

/* name, vast field, then the local key: a number (NAN unknown), a text ("" unknown), and for
 * verdict a second number. Best verdict first, then cheapest: the order an operator scans. */
static const struct market_sort_key sort_keys[] = {
    {"verdict", NULL, v_verdict, v_dph, NULL},
    {"id", "id", v_id, NULL, NULL},
    {"gpu", "gpu_name", NULL, NULL, t_gpu},
    {"gpu_name", "gpu_name", NULL, NULL, t_gpu},
    {"num_gpus", "num_gpus", v_num_gpus, NULL, NULL},
    {"vram", "gpu_ram", v_vram, NULL, NULL},
    {"gpu_ram", "gpu_ram", v_vram, NULL, NULL},
    {"cc", "compute_cap", v_cc, NULL, NULL},
    {"compute_cap", "compute_cap", v_cc, NULL, NULL},
    {"dph", "dph_total", v_dph, NULL, NULL},
    {"dph_total", "dph_total", v_dph, NULL, NULL},
    {"price", "dph_total", v_dph, NULL, NULL},
    {"reliability", "reliability", v_reliability, NULL, NULL},
    {"reliability2", "reliability", v_reliability, NULL, NULL},
    {"host", NULL, v_host, NULL, NULL},
    {"country", NULL, NULL, NULL, t_country},
    {"net", "inet_down", v_inet_down, NULL, NULL},
    {"inet_down", "inet_down", v_inet_down, NULL, NULL},
    {"inet_up", "inet_up", v_inet_up, NULL, NULL},
    {"cuda", "cuda_max_good", v_cuda, NULL, NULL},
    {"cuda_max_good", "cuda_max_good", v_cuda, NULL, NULL},
    {"cuda_vers", "cuda_max_good", v_cuda, NULL, NULL},
    {"disk", "disk_space", v_disk, NULL, NULL},
    {"disk_space", "disk_space", v_disk, NULL, NULL},
    {"score", "score", v_score, NULL, NULL},
};

#define NKEYS (sizeof sort_keys / sizeof sort_keys[0])

const struct market_sort_key *market_sort_key(const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (!strcasecmp(sort_keys[i].name, name))
            return &sort_keys[i];
    return NULL;
}

void market_sort_names(char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < NKEYS && o < size; i++) {
        int n = snprintf(out + o, size - o, "%s%s", i ? ", " : "", sort_keys[i].name);
        if (n < 0)
            return;
        o += (size_t)n;
    }
}

/* qsort has no context argument: the comparator reads the key through a thread-local. */
static _Thread_local const struct market_sort_key *sort_by;
static _Thread_local int sort_sign;

/* Unknown values (NAN, "") stay last whichever the direction. */
static int compare_num(double x, double y)
{
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return sort_sign * CMP(x, y);
}

static int compare(const void *pa, const void *pb)
{
    const struct offer *a = pa, *b = pb;
    int c = 0;
    if (sort_by->value)
        c = compare_num(sort_by->value(a), sort_by->value(b));
    if (!c && sort_by->value2)
        c = compare_num(sort_by->value2(a), sort_by->value2(b));
    if (sort_by->text) {
        const char *x = sort_by->text(a), *y = sort_by->text(b);
        c = !*x || !*y ? !*x - !*y : (sort_sign < 0 ? strcasecmp(y, x) : strcasecmp(x, y));
    }
    return c ? c : CMP(a->id, b->id);
}

void market_sort(struct offer_list *list, const struct market_sort_key *key, bool desc)
{
    sort_by = key ? key : &sort_keys[0];
    sort_sign = desc ? -1 : 1;
    if (list->count > 1) /* an empty list has no array to hand to qsort */
        qsort(list->items, list->count, sizeof *list->items, compare);
}

static bool recheck(const struct cJSON *obj, void *ctx)
{
    const struct query *q = ctx;
    return q == NULL || query_match(q, obj);
}

int market_from_text(const char *text, size_t len, enum offer_parse_mode mode,
                     const struct market_request *r, struct market_result *out,
                     struct gw_error *err)
{
    if (offer_list_parse(text, len, mode, recheck, (void *)r->query, &out->offers, &out->report,
                         err) < 0)
        return -1;
    rules_apply_list(&out->offers, r->req, gpus_builtin());
    market_sort(&out->offers, r->sort, r->sort_desc);
    if (r->limit > 0 && out->offers.count > (size_t)r->limit)
        out->offers.count = (size_t)r->limit;
    return 0;
}

int market_fetch(struct provider *p, const struct market_request *r, struct market_result *out,
                 struct gw_error *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "%s", p->source);
    struct search_request sr = {
        .query = r->query,
        .order_field = r->sort ? r->sort->vast_field : NULL,
        .order_desc = r->sort_desc,
        .limit = r->limit,
    };
    char *body = NULL;
    size_t len = 0;
    if (provider_search(p, &sr, &body, &len, err) < 0)
        return -1;
    out->fetched_at = time(NULL);
    int rc = market_from_text(body, len, OFFER_PARSE_STRICT, r, out, err);
    free(body);
    if (rc < 0) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        error_set(err, EXIT_PROVIDER, _("malformed response from %s: %s"), p->source, why);
    }
    return rc;
}

int market_load_file(const char *path, const struct market_request *r, struct market_result *out,
                     struct gw_error *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "%s", path);
    FILE *f = !strcmp(path, "-") ? stdin : fopen(path, "rb");
    if (f == NULL) {
        error_set(err, EXIT_USAGE, _("cannot open %s: %s"), path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[65536];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        xgrow((void **)&buf, &cap, len + n + 1, 1);
        memcpy(buf + len, chunk, n);
        len += n;
    }
    int failed = ferror(f);
    if (f != stdin)
        fclose(f);
    if (failed) {
        free(buf);
        error_set(err, EXIT_USAGE, _("cannot read %s"), path);
        return -1;
    }
    out->fetched_at = time(NULL);
    int rc = market_from_text(buf ? buf : "", len, OFFER_PARSE_SALVAGE, r, out, err);
    free(buf);
    if (rc < 0) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        error_set(err, EXIT_USAGE, "%s: %s", path, why);
    }
    return rc;
}

void market_result_free(struct market_result *r)
{
    offer_list_free(&r->offers);
}
