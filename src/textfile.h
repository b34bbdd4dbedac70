/* Reading a whole input file (a recipe, a setup script) with a size cap, so every reader gives
 * the same one-line errors and none can be made to swallow a huge or special file. */
#ifndef GPUWARDEN_TEXTFILE_H
#define GPUWARDEN_TEXTFILE_H

#include <stddef.h>

#include "error.h"

/* Reads `path` (not a directory) into a NUL-terminated buffer; *len is its size. NULL with err
 * (kind EXIT_USAGE) "cannot read PATH: REASON" or "PATH is larger than N KiB|MiB". Caller frees. */
char *textfile_read(const char *path, size_t max, size_t *len, struct gw_error *err);

#endif
