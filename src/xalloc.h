/* Allocation that never returns NULL: out of memory aborts with a message. */
#ifndef GPUWARDEN_XALLOC_H
#define GPUWARDEN_XALLOC_H

#include <stddef.h>

/* Each returns memory the caller frees with free(). */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows *ptr so it holds at least `need` elements of `size` bytes; *cap tracks capacity. */
void xgrow(void **ptr, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
