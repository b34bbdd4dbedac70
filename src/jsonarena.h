/* A bump allocator behind cJSON's hooks for short-lived trees: parsing one offer at a time
 * out of a market of thousands makes millions of tiny allocations, which malloc handles slowly
 * (and whose fastbins then stall the next large malloc). Inside a scope, cJSON allocates from
 * the calling thread's arena; outside, it uses malloc as usual. */
#ifndef GPUWARDEN_JSONARENA_H
#define GPUWARDEN_JSONARENA_H

#include <stddef.h>

struct json_arena_chunk;

struct json_arena {
    struct json_arena_chunk *chunks; /* newest first; a reset keeps only the newest */
};

/* Routes cJSON's allocations through the arena hooks. Idempotent and thread-safe; call once in
 * main before threads start (offer parsing also calls it). */
void json_arena_install(void);

/* Every cJSON node this thread allocates between begin and end comes from `a` and must be
 * deleted (or abandoned) before end: nothing may outlive the scope. */
void json_arena_begin(struct json_arena *a);
/* Drops everything allocated so far in the scope, keeping the memory for reuse. */
void json_arena_reset(struct json_arena *a);
void json_arena_end(struct json_arena *a);

#endif
