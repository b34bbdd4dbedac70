/* Lookup of embedded asset files by name. */
#include "assets.h"

#include <string.h>

const char *assets_get(const char *name, size_t *len)
{
    for (unsigned i = 0; i < assets_count; i++) {
        if (strcmp(assets_entries[i].name, name) == 0) {
            if (len)
                *len = assets_entries[i].len;
            return assets_entries[i].data;
        }
    }
    return NULL;
}
