/* A bounded ring of text lines for a job's log pane: the newest lines stay, the oldest fall off
 * and are counted, so a chatty job cannot grow memory without limit (DESIGN §5).
 * Not thread-safe, by design: only the UI thread, which drains EVENT_LOG_LINES, touches it. */
#ifndef GPUWARDEN_LOGRING_H
#define GPUWARDEN_LOGRING_H

#include <stddef.h>

/* Longest line kept, in bytes; longer lines are truncated (at a UTF-8 character boundary). */
#define LOGRING_LINE_MAX 4096u

struct logring;

/* A ring holding up to `capacity` lines (0 is taken as 1). Caller frees with logring_free(). */
struct logring *logring_new(size_t capacity);
void logring_free(struct logring *r);

/* Copies line[0..len): trailing '\r' and '\n' are stripped, the rest is cut at its first NUL
 * and at LOGRING_LINE_MAX bytes. When the ring is full the oldest line is dropped and counted. */
void logring_push(struct logring *r, const char *line, size_t len);

size_t logring_capacity(const struct logring *r);
/* Lines held now. */
size_t logring_count(const struct logring *r);
/* Lines pushed out by newer ones since creation or the last clear. */
unsigned long long logring_dropped(const struct logring *r);
/* Lines ever pushed since creation or the last clear. */
unsigned long long logring_total(const struct logring *r);

/* Line i, where 0 is the oldest held line; NULL when i >= logring_count(). The ring keeps
 * ownership; the string is valid until the next push or clear. */
const char *logring_get(const struct logring *r, size_t i);

/* Forgets every line and resets the counters, giving the memory back: the ring is as new. */
void logring_clear(struct logring *r);

#endif
