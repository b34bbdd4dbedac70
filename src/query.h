/* The vastai CLI query language (`gpu_ram >= 12 geolocation notin [CN]`): parsed into terms that
 * become the vast.ai JSON body AND a local predicate that re-checks every returned offer, since
 * providers have silently dropped filters (vast-cli #502, SkyPilot #9892). */
#ifndef GPUWARDEN_QUERY_H
#define GPUWARDEN_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct cJSON;

enum query_op { QOP_EQ, QOP_NEQ, QOP_GT, QOP_GTE, QOP_LT, QOP_LTE, QOP_IN, QOP_NOTIN };

enum query_value_type { QV_NUMBER, QV_STRING, QV_BOOL, QV_NULL };

struct query_value {
    enum query_value_type type;
    double num;
    bool boolean;
    char *str; /* owned */
};

struct query_term {
    char *field; /* owned; vast wire name after aliases (dph -> dph_total) */
    enum query_op op;
    struct query_value *values; /* owned; one value, or the list of in/notin */
    size_t nvalues;
};

struct query {
    struct query_term *terms;
    size_t count, cap;
    char warnings[256]; /* e.g. "unrecognized field 'foo' (sent anyway)"; "" when none */
};

/* Parses `text` and merges its terms into `q` (a later term on the same field and operator
 * replaces the earlier one; `field=any` removes the field). On error returns -1 with a sentence
 * naming the problem and q unchanged. q must be zero-initialised or previously used. */
int query_parse(struct query *q, const char *text, struct gw_error *err);

/* Adds one numeric term (for requirement flags such as --num-gpus). */
void query_add_number(struct query *q, const char *field, enum query_op op, double value);

void query_free(struct query *q);

/* The vast.ai search body for the terms (filters only). Caller frees with cJSON_Delete(). */
struct cJSON *query_to_json(const struct query *q);

/* True when the offer object satisfies every term, with vast's semantics (country codes for
 * geolocation, hosting_type for datacenter, units already applied). Null values never match. */
bool query_match(const struct query *q, const struct cJSON *offer);

/* Maps a field name through the CLI's aliases (dph -> dph_total); returns a static string. */
const char *query_alias(const char *field);

const char *query_op_name(enum query_op op); /* "gte", "notin", ... */

#endif
