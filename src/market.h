/* The offer pipeline every front end uses: fetch (provider or dump file) -> parse -> re-check
 * against the query -> rules -> sort -> limit. */
#ifndef GPUWARDEN_MARKET_H
#define GPUWARDEN_MARKET_H

#include <stdbool.h>
#include <time.h>

#include "error.h"
#include "gpus.h"
#include "offer.h"
#include "provider.h"
#include "query.h"
#include "rules.h"

/* A sort column: names accepted by --sort, and the vast field to order by server-side. */
struct market_sort_key {
    const char *name;                           /* "dph", "vram", "verdict", ... */
    const char *vast_field;                     /* NULL when only local sorting is possible */
    double (*value)(const struct offer *o);     /* numeric key; NAN (unknown) sorts last */
    double (*value2)(const struct offer *o);    /* tie-break key, same rules */
    const char *(*text)(const struct offer *o); /* text key; "" (unknown) sorts last */
};

struct market_request {
    const struct query *query;
    const struct market_sort_key *sort; /* NULL: verdict (best first), then $/h */
    bool sort_desc;
    int limit; /* 0: no limit */
    const struct requirements *req;
};

struct market_result {
    struct offer_list offers; /* owned; free with market_result_free() */
    time_t fetched_at;
    struct offer_parse_report report;
    char source[256]; /* where they came from, for messages */
};

/* Finds a --sort key by name ("dph", "dph_total", "gpu_ram", "vram", ...); NULL if unknown. */
const struct market_sort_key *market_sort_key(const char *name);
/* Writes the accepted sort names, comma-separated, for error messages and help. */
void market_sort_names(char *out, size_t size);

/* Fetches from a provider. Returns 0, or -1 with err (a provider/network error or a
 * malformed response, naming the source). */
int market_fetch(struct provider *p, const struct market_request *r, struct market_result *out,
                 struct gw_error *err);

/* Reads a dump (`vastai search offers --raw` or a {"offers": [...]} body), keeping what parses;
 * problems are described in out->report.note. */
int market_load_file(const char *path, const struct market_request *r, struct market_result *out,
                     struct gw_error *err);

/* Parses text already in memory with the same steps (used by both of the above and tests). */
int market_from_text(const char *text, size_t len, enum offer_parse_mode mode,
                     const struct market_request *r, struct market_result *out,
                     struct gw_error *err);

/* Sorts by key (NULL: the default order); ties by id so the order is stable. */
void market_sort(struct offer_list *list, const struct market_sort_key *key, bool desc);

void market_result_free(struct market_result *r);

#endif
