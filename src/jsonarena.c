/* Arena allocation for cJSON (see jsonarena.h for why). */
#include "jsonarena.h"

#include <cJSON.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "xalloc.h"

#define CHUNK_SIZE ((size_t)64 * 1024)

struct json_arena_chunk {
    struct json_arena_chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

static _Thread_local struct json_arena *current;

static struct json_arena_chunk *chunk_new(size_t size)
{
    struct json_arena_chunk *c = xmalloc(sizeof *c + size);
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

static bool owns(const struct json_arena *a, const void *p)
{
    for (const struct json_arena_chunk *c = a->chunks; c; c = c->next)
        if ((const unsigned char *)p >= c->data && (const unsigned char *)p < c->data + c->size)
            return true;
    return false;
}

static void *hook_malloc(size_t n)
{
    struct json_arena *a = current;
    if (a == NULL)
        return malloc(n);
    n = (n + 15) & ~(size_t)15;
    struct json_arena_chunk *c = a->chunks; /* the head is the chunk being filled */
    if (c == NULL || c->size - c->used < n) {
        /* doubling keeps the chunk count (and owns()'s walk) logarithmic in the tree size */
        size_t size = c ? c->size * 2 : CHUNK_SIZE;
        struct json_arena_chunk *fresh = chunk_new(size > n ? size : n);
        fresh->next = c;
        a->chunks = c = fresh;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

static void hook_free(void *p)
{
    struct json_arena *a = current;
    if (a && owns(a, p))
        return; /* released in bulk by json_arena_reset/end */
    free(p);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void install(void)
{
    cJSON_Hooks hooks = {hook_malloc, hook_free};
    cJSON_InitHooks(&hooks);
}

void json_arena_install(void)
{
    pthread_once(&once, install);
}

void json_arena_begin(struct json_arena *a)
{
    json_arena_install();
    a->chunks = NULL;
    current = a;
}

void json_arena_reset(struct json_arena *a)
{
    if (a->chunks == NULL)
        return;
    /* keep the newest (largest) chunk for the next tree, free the rest */
    struct json_arena_chunk *c = a->chunks->next;
    while (c) {
        struct json_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->chunks->next = NULL;
    a->chunks->used = 0;
}

void json_arena_end(struct json_arena *a)
{
    json_arena_reset(a);
    free(a->chunks);
    a->chunks = NULL;
    current = NULL;
}
