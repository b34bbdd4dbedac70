/* Data files from assets/, embedded into the binary at build time (tools/embed.c). */
#ifndef GPUWARDEN_ASSETS_H
#define GPUWARDEN_ASSETS_H

#include <stddef.h>

struct asset_entry {
    const char *name; /* file name under assets/, e.g. "gpus.tsv" */
    const char *data; /* NUL-terminated */
    size_t len;
};

extern const struct asset_entry assets_entries[];
extern const unsigned assets_count;

/* Returns the static contents of asset `name` (never freed) and its length, or NULL. */
const char *assets_get(const char *name, size_t *len);

#endif
