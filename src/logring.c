/* The log pane's bounded line buffer (see logring.h). */
#include "logring.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct logring_slot {
    char *text;
    size_t cap;
};

struct logring {
    struct logring_slot *slots;
    size_t capacity;
    size_t head;  /* slot of the oldest line */
    size_t count; /* lines held */
    unsigned long long dropped, total;
};

struct logring *logring_new(size_t capacity)
{
    struct logring *r = xcalloc(1, sizeof *r);
    r->capacity = capacity ? capacity : 1;
    r->slots = xcalloc(r->capacity, sizeof *r->slots);
    return r;
}

static void free_lines(struct logring *r)
{
    for (size_t i = 0; i < r->capacity; i++) {
        free(r->slots[i].text);
        r->slots[i].text = NULL;
        r->slots[i].cap = 0;
    }
}

void logring_free(struct logring *r)
{
    if (r == NULL)
        return;
    free_lines(r);
    free(r->slots);
    free(r);
}

/* The length to keep: cut at a NUL (the reader sees C strings), strip the line ending, and
 * truncate long lines without splitting a UTF-8 character, which would draw as garbage. */
static size_t kept_len(const char *line, size_t len)
{
    if (len == 0)
        return 0; /* line may then be NULL, which memchr and memcpy must not see */
    const char *nul = memchr(line, '\0', len);
    if (nul)
        len = (size_t)(nul - line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    if (len > LOGRING_LINE_MAX) {
        len = LOGRING_LINE_MAX;
        /* line[len] is the first byte cut; if it continues a character, cut that whole
         * character too. Three steps at most: that is the longest UTF-8 tail. */
        for (int i = 0; i < 3 && ((unsigned char)line[len] & 0xC0) == 0x80; i++)
            len--;
    }
    return len;
}

void logring_push(struct logring *r, const char *line, size_t len)
{
    len = kept_len(line, len);
    size_t slot;
    if (r->count == r->capacity) {
        slot = r->head; /* the oldest line's buffer is reused for the newest */
        r->head = (r->head + 1) % r->capacity;
        r->dropped++;
    } else {
        slot = (r->head + r->count) % r->capacity;
        r->count++;
    }
    r->total++;

    struct logring_slot *s = &r->slots[slot];
    size_t want = (len + 1 + 63) & ~(size_t)63;
    /* Reusing the buffer saves a malloc per line; giving back one far too big for this line
     * keeps memory proportional to what is held, not to the longest line ever seen. */
    if (s->cap < len + 1 || s->cap > 4 * want) {
        free(s->text);
        s->text = xmalloc(want);
        s->cap = want;
    }
    if (len)
        memcpy(s->text, line, len);
    s->text[len] = '\0';
}

size_t logring_capacity(const struct logring *r)
{
    return r->capacity;
}

size_t logring_count(const struct logring *r)
{
    return r->count;
}

unsigned long long logring_dropped(const struct logring *r)
{
    return r->dropped;
}

unsigned long long logring_total(const struct logring *r)
{
    return r->total;
}

const char *logring_get(const struct logring *r, size_t i)
{
    if (i >= r->count)
        return NULL;
    return r->slots[(r->head + i) % r->capacity].text;
}

void logring_clear(struct logring *r)
{
    free_lines(r);
    r->head = r->count = 0;
    r->dropped = r->total = 0;
}
