/* One rentable machine from a provider's market, parsed garbage-tolerantly from vast.ai JSON. */
#ifndef GPUWARDEN_OFFER_H
#define GPUWARDEN_OFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct cJSON;

/* How far the host can be trusted (SPEC §2 `host`). */
enum offer_host {
    OFFER_HOST_UNKNOWN,
    OFFER_HOST_DATACENTER, /* hosting_type 1 (certified data center), not deverified */
    OFFER_HOST_VERIFIED,
    OFFER_HOST_UNVERIFIED,
    OFFER_HOST_DEVERIFIED,
};

/* Unknown numbers are NAN (test with isnan); unknown strings are "". */
struct offer {
    int64_t id;
    char gpu_name[48];
    int num_gpus;              /* 0 when unknown */
    double gpu_ram_mib;        /* per GPU */
    double compute_cap;        /* as reported, e.g. 8.9 (vast sends 890) */
    double reliability;        /* reliability2, else reliability (0-1) */
    double dph_total;          /* $/h including storage */
    double inet_down, inet_up; /* Mbps */
    double cuda_max_good;
    double disk_space; /* GB */
    double score;      /* vast's default ordering */
    char country[4];   /* ISO code from geolocation, upper-case */
    char geolocation[48];
    enum offer_host host;

    /* filled by rules_apply_list() */
    uint8_t verdict;     /* enum level */
    uint16_t warn_mask;  /* bit per rule id at warn */
    uint16_t block_mask; /* bit per rule id at block */
    /* set by the live table: seen last refresh, gone, new */
    uint8_t flags;
};

struct offer_list {
    struct offer *items;
    size_t count, cap;
};

/* Decides whether a parsed offer (its raw JSON object) is kept; ctx is the caller's. */
typedef bool (*offer_filter_fn)(const struct cJSON *obj, void *ctx);

enum offer_parse_mode {
    OFFER_PARSE_STRICT,  /* provider responses: any malformed JSON is an error */
    OFFER_PARSE_SALVAGE, /* dumps from files: keep what parses, report the rest */
};

/* What a parse skipped or ignored, for warnings on stderr. */
struct offer_parse_report {
    size_t skipped;        /* array elements that were not offers (no id, not an object) */
    size_t filtered;       /* offers the filter dropped */
    size_t trailing_bytes; /* non-JSON text after the data (salvage) */
    bool truncated;        /* the array broke off mid-way (salvage) */
    char note[160];        /* a sentence about the first problem, or "" */
};

/* Parses a `{"offers": [...]}` body or a bare array (`vastai search offers --raw`), appending
 * offers that pass `filter` (NULL keeps all) to `out`. Returns 0, or -1 with err set.
 * The caller owns `out` and frees it with offer_list_free(). */
int offer_list_parse(const char *text, size_t len, enum offer_parse_mode mode,
                     offer_filter_fn filter, void *ctx, struct offer_list *out,
                     struct offer_parse_report *report, struct gw_error *err);

/* Fills `o` from one vast.ai offer object; false when it has no usable id. */
bool offer_from_json(const struct cJSON *obj, struct offer *o);

/* Country code: last comma-separated token of a vast geolocation ("Quebec, CA" -> "CA"). */
void offer_country(const char *geolocation, char out[4]);

/* The columns both offer tables show, fixed width, "?" for unknown values:
 * ID, GPU, N, VRAM (GB), CC, $/H, REL, HOST, CTRY, NET (down/up Mbps), each followed by a space. */
#define OFFER_ROW_FMT "%-9s %-15.15s %2s %6s %4s %7s %6s %-10s %-4s %-9s "
void offer_format_row(const struct offer *o, char *buf, size_t size);

void offer_list_push(struct offer_list *list, const struct offer *o);
void offer_list_free(struct offer_list *list);

const char *offer_host_name(enum offer_host h);  /* "datacenter", "verified", ... */
const char *offer_host_label(enum offer_host h); /* "DC", "VERIFIED", ... */

#endif
