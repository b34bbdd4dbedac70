/* Parsing vast.ai offers. Real dumps carry nulls, wrong types, negative bandwidths and CLI text
 * after the JSON; every such value becomes "unknown" rather than an error. */
#include "offer.h"

#include <cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "jsonarena.h"
#include "xalloc.h"

static double num(const cJSON *v)
{
    /* cJSON_IsNumber(NULL) is false; the NULL test lets the analyzer see it */
    return v != NULL && cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : NAN;
}

/* A value that cannot be negative: garbage like inet_up = -1.79e12 becomes unknown. */
static double nonneg(const cJSON *v)
{
    double d = num(v);
    return d >= 0 ? d : NAN;
}

static double positive(const cJSON *v)
{
    double d = num(v);
    return d > 0 ? d : NAN;
}

static void str(const cJSON *v, char *out, size_t size)
{
    out[0] = '\0';
    if (cJSON_IsString(v) && v->valuestring)
        snprintf(out, size, "%s", v->valuestring);
}

void offer_country(const char *geolocation, char out[4])
{
    out[0] = '\0';
    if (geolocation == NULL)
        return;
    const char *comma = strrchr(geolocation, ',');
    const char *p = comma ? comma + 1 : geolocation;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strlen(p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    if (n != 2 || !isalpha((unsigned char)p[0]) || !isalpha((unsigned char)p[1]))
        return;
    out[0] = (char)toupper((unsigned char)p[0]);
    out[1] = (char)toupper((unsigned char)p[1]);
    out[2] = '\0';
}

static enum offer_host host_of(const char *verification, double hosting_type)
{
    bool deverified = strcmp(verification, "deverified") == 0;
    if (hosting_type == 1 && !deverified)
        return OFFER_HOST_DATACENTER;
    if (strcmp(verification, "verified") == 0)
        return OFFER_HOST_VERIFIED;
    if (strcmp(verification, "unverified") == 0)
        return OFFER_HOST_UNVERIFIED;
    if (deverified)
        return OFFER_HOST_DEVERIFIED;
    return OFFER_HOST_UNKNOWN;
}

/* The fields gpuwarden reads. Real offers carry ~100 keys: one pass over them with this table
 * beats a lookup per field (each a linear scan) by several times. */
enum field {
    F_ID,
    F_ASK_ID,
    F_GPU_NAME,
    F_NUM_GPUS,
    F_GPU_RAM,
    F_COMPUTE_CAP,
    F_RELIABILITY2,
    F_RELIABILITY,
    F_DPH_TOTAL,
    F_INET_DOWN,
    F_INET_UP,
    F_CUDA,
    F_DISK,
    F_SCORE,
    F_GEO,
    F_VERIFICATION,
    F_HOSTING_TYPE,
    F_COUNT
};

static const char *const field_names[F_COUNT] = {
    "id",           "ask_contract_id", "gpu_name",    "num_gpus",  "gpu_ram",
    "compute_cap",  "reliability2",    "reliability", "dph_total", "inet_down",
    "inet_up",      "cuda_max_good",   "disk_space",  "score",     "geolocation",
    "verification", "hosting_type",
};

bool offer_from_json(const cJSON *obj, struct offer *o)
{
    memset(o, 0, sizeof *o);
    if (!cJSON_IsObject(obj))
        return false;
    const cJSON *f[F_COUNT] = {0};
    for (const cJSON *c = obj->child; c; c = c->next) {
        for (int i = 0; i < F_COUNT; i++) {
            if (c->string[0] == field_names[i][0] && !strcmp(c->string, field_names[i])) {
                if (f[i] == NULL) /* the first of duplicate keys, like cJSON's own lookup */
                    f[i] = c;
                break;
            }
        }
    }
    double id = num(f[F_ID]);
    if (isnan(id))
        id = num(f[F_ASK_ID]);
    if (!(id >= 1 && id < 9e15) || id != floor(id))
        return false;
    o->id = (int64_t)id;
    str(f[F_GPU_NAME], o->gpu_name, sizeof o->gpu_name);
    double n = num(f[F_NUM_GPUS]);
    o->num_gpus = n >= 1 && n <= 1024 ? (int)n : 0;
    o->gpu_ram_mib = positive(f[F_GPU_RAM]);
    o->compute_cap = positive(f[F_COMPUTE_CAP]) / 100.0;
    double r = num(f[F_RELIABILITY2]);
    if (isnan(r))
        r = num(f[F_RELIABILITY]);
    o->reliability = r >= 0 && r <= 1 ? r : NAN;
    o->dph_total = nonneg(f[F_DPH_TOTAL]);
    o->inet_down = nonneg(f[F_INET_DOWN]);
    o->inet_up = nonneg(f[F_INET_UP]);
    o->cuda_max_good = positive(f[F_CUDA]);
    o->disk_space = nonneg(f[F_DISK]);
    o->score = num(f[F_SCORE]);
    str(f[F_GEO], o->geolocation, sizeof o->geolocation);
    offer_country(o->geolocation, o->country);
    char verification[16];
    str(f[F_VERIFICATION], verification, sizeof verification);
    o->host = host_of(verification, num(f[F_HOSTING_TYPE]));
    return true;
}

static void cell(char *buf, size_t size, const char *fmt, double v)
{
    if (isnan(v))
        snprintf(buf, size, "?");
    else
        snprintf(buf, size, fmt, v);
}

void offer_format_row(const struct offer *o, char *buf, size_t size)
{
    char id[24], n[12], vram[16], cc[16], dph[16], rel[16], down[16], up[16], net[40];
    snprintf(id, sizeof id, "%lld", (long long)o->id);
    cell(n, sizeof n, "%.0f", o->num_gpus ? (double)o->num_gpus : (double)NAN);
    cell(vram, sizeof vram, "%.1f", o->gpu_ram_mib / 1024.0);
    cell(cc, sizeof cc, "%.1f", o->compute_cap);
    cell(dph, sizeof dph, "%.3f", o->dph_total);
    cell(rel, sizeof rel, "%.4f", o->reliability);
    cell(down, sizeof down, "%.0f", o->inet_down);
    cell(up, sizeof up, "%.0f", o->inet_up);
    snprintf(net, sizeof net, "%s/%s", down, up);
    snprintf(buf, size, OFFER_ROW_FMT, id, o->gpu_name[0] ? o->gpu_name : "?", n, vram, cc, dph,
             rel, offer_host_label(o->host), o->country[0] ? o->country : "?", net);
}

void offer_list_push(struct offer_list *list, const struct offer *o)
{
    xgrow((void **)&list->items, &list->cap, list->count + 1, sizeof *list->items);
    list->items[list->count++] = *o;
}

void offer_list_free(struct offer_list *list)
{
    free(list->items);
    memset(list, 0, sizeof *list);
}

static void take(const cJSON *item, offer_filter_fn filter, void *ctx, struct offer_list *out,
                 struct offer_parse_report *rep)
{
    struct offer o;
    if (!offer_from_json(item, &o)) {
        rep->skipped++;
        return;
    }
    if (filter && !filter(item, ctx)) {
        rep->filtered++;
        return;
    }
    offer_list_push(out, &o);
}

static size_t skip_ws(const char *text, size_t len, size_t pos)
{
    while (pos < len && isspace((unsigned char)text[pos]))
        pos++;
    return pos;
}

/* Reports text after the JSON ("Machine ID 24126 not found ..." in real CLI dumps). */
static void note_trailing(const char *text, size_t len, size_t pos, struct offer_parse_report *rep)
{
    pos = skip_ws(text, len, pos);
    if (pos >= len)
        return;
    rep->trailing_bytes = len - pos;
    if (!rep->note[0]) {
        size_t n = len - pos;
        while (n > 0 && isspace((unsigned char)text[pos + n - 1]))
            n--;
        int shown = (int)(n < 60 ? n : 60);
        snprintf(rep->note, sizeof rep->note,
                 _("ignored %zu bytes of text after the JSON: \"%.*s\""), len - pos, shown,
                 text + pos);
        for (char *c = rep->note; *c; c++)
            if (*c == '\n' || *c == '\r' || *c == '\t')
                *c = ' ';
    }
}

/* Streams the array at text[*pos] == '[' element by element: only one offer's tree is alive
 * at a time, and a salvaged dump cut off mid-way keeps what came before. In strict mode any
 * malformed element is an error (-1). Leaves *pos after the closing ']'. */
static int stream_array(const char *text, size_t len, size_t *pos, enum offer_parse_mode mode,
                        offer_filter_fn filter, void *ctx, struct offer_list *out,
                        struct offer_parse_report *rep, struct gw_error *err)
{
    size_t p = skip_ws(text, len, *pos + 1), index = 0;
    if (p < len && text[p] == ']') {
        *pos = p + 1;
        return 0;
    }
    struct json_arena arena;
    json_arena_begin(&arena);
    for (;;) {
        const char *end = NULL;
        cJSON *item = cJSON_ParseWithLengthOpts(text + p, len - p, &end, 0);
        if (item == NULL)
            break;
        take(item, filter, ctx, out, rep);
        json_arena_reset(&arena); /* offers are plain data: nothing is kept from the tree */
        index++;
        p = skip_ws(text, len, (size_t)(end - text));
        if (p < len && text[p] == ',') {
            p = skip_ws(text, len, p + 1);
            continue;
        }
        if (p < len && text[p] == ']') {
            json_arena_end(&arena);
            *pos = p + 1;
            return 0;
        }
        break;
    }
    json_arena_end(&arena);
    if (mode == OFFER_PARSE_STRICT) {
        error_set(err, EXIT_PROVIDER, _("malformed JSON in offer %zu (byte %zu of %zu)"), index + 1,
                  p, len);
        return -1;
    }
    rep->truncated = true;
    snprintf(rep->note, sizeof rep->note,
             _("the offer list breaks off at offer %zu (byte %zu); kept the %zu offers before it"),
             index + 1, p, out->count);
    *pos = len;
    return 0;
}

/* Walks a {"offers": [...], ...} body key by key, streaming the offers array and keeping an
 * error body's "msg" for the message when there is no array. */
static int stream_envelope(const char *text, size_t len, size_t *pos, enum offer_parse_mode mode,
                           offer_filter_fn filter, void *ctx, struct offer_list *out,
                           struct offer_parse_report *rep, struct gw_error *err)
{
    enum exit_code kind = mode == OFFER_PARSE_STRICT ? EXIT_PROVIDER : EXIT_USAGE;
    char msg[160] = "";
    bool found = false;
    size_t p = skip_ws(text, len, *pos + 1);
    while (!(p < len && text[p] == '}')) {
        const char *end = NULL;
        cJSON *key = p < len && text[p] == '"'
                         ? cJSON_ParseWithLengthOpts(text + p, len - p, &end, 0)
                         : NULL;
        if (key == NULL || !cJSON_IsString(key)) {
            cJSON_Delete(key);
            goto malformed;
        }
        p = skip_ws(text, len, (size_t)(end - text));
        if (p >= len || text[p] != ':') {
            cJSON_Delete(key);
            goto malformed;
        }
        p = skip_ws(text, len, p + 1);
        bool offers = !strcmp(key->valuestring, "offers") && p < len && text[p] == '[';
        bool is_msg = !strcmp(key->valuestring, "msg");
        cJSON_Delete(key);
        if (offers) {
            if (stream_array(text, len, &p, mode, filter, ctx, out, rep, err) < 0)
                return -1;
            found = true;
            if (rep->truncated) {
                *pos = len;
                return 0;
            }
        } else {
            cJSON *value = cJSON_ParseWithLengthOpts(text + p, len - p, &end, 0);
            if (value == NULL)
                goto malformed;
            if (is_msg && cJSON_IsString(value))
                snprintf(msg, sizeof msg, "%s", value->valuestring);
            cJSON_Delete(value);
            p = (size_t)(end - text);
        }
        p = skip_ws(text, len, p);
        if (p < len && text[p] == ',')
            p = skip_ws(text, len, p + 1);
        else if (!(p < len && text[p] == '}'))
            goto malformed;
    }
    *pos = p + 1;
    if (!found) {
        if (msg[0])
            error_set(err, kind, _("no offers in the JSON: %s"), msg);
        else
            error_set(err, kind, _("the JSON has no \"offers\" array"));
        return -1;
    }
    return 0;
malformed:
    error_set(err, kind, _("malformed JSON near byte %zu of %zu"), p, len);
    return -1;
}

int offer_list_parse(const char *text, size_t len, enum offer_parse_mode mode,
                     offer_filter_fn filter, void *ctx, struct offer_list *out,
                     struct offer_parse_report *report, struct gw_error *err)
{
    struct offer_parse_report local = {0};
    struct offer_parse_report *rep = report ? report : &local;
    memset(rep, 0, sizeof *rep);
    size_t pos = skip_ws(text, len, 0);
    if (len - pos >= 3 && memcmp(text + pos, "\xEF\xBB\xBF", 3) == 0)
        pos = skip_ws(text, len, pos + 3);
    if (pos >= len) {
        error_set(err, EXIT_USAGE, _("no offers: the input is empty"));
        return -1;
    }
    if (text[pos] != '[' && text[pos] != '{') {
        error_set(err, mode == OFFER_PARSE_STRICT ? EXIT_PROVIDER : EXIT_USAGE,
                  _("not offer JSON: expected '[' or '{' at byte %zu, found '%c'"), pos,
                  isprint((unsigned char)text[pos]) ? text[pos] : '?');
        return -1;
    }
    int rc = text[pos] == '[' ? stream_array(text, len, &pos, mode, filter, ctx, out, rep, err)
                              : stream_envelope(text, len, &pos, mode, filter, ctx, out, rep, err);
    if (rc < 0 || rep->truncated)
        return rc;
    size_t after = skip_ws(text, len, pos);
    if (after < len && mode == OFFER_PARSE_STRICT) {
        error_set(err, EXIT_PROVIDER, _("malformed JSON: unexpected text at byte %zu of %zu"),
                  after, len);
        return -1;
    }
    note_trailing(text, len, after, rep);
    return 0;
}

const char *offer_host_name(enum offer_host h)
{
    switch (h) {
    case OFFER_HOST_DATACENTER: return "datacenter";
    case OFFER_HOST_VERIFIED: return "verified";
    case OFFER_HOST_UNVERIFIED: return "unverified";
    case OFFER_HOST_DEVERIFIED: return "deverified";
    case OFFER_HOST_UNKNOWN: break;
    }
    return "unknown";
}

const char *offer_host_label(enum offer_host h)
{
    switch (h) {
    case OFFER_HOST_DATACENTER: return "DC";
    case OFFER_HOST_VERIFIED: return "VERIFIED";
    case OFFER_HOST_UNVERIFIED: return "UNVERIFIED";
    case OFFER_HOST_DEVERIFIED: return "DEVERIFIED";
    case OFFER_HOST_UNKNOWN: break;
    }
    return "UNKNOWN";
}
