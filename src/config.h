/* Where things live (XDG) and the vast.ai API key, found in the official CLI's order. */
#ifndef GPUWARDEN_CONFIG_H
#define GPUWARDEN_CONFIG_H

#include <stddef.h>

#include "error.h"

/* Looks for the key: VAST_API_KEY, then $XDG_CONFIG_HOME/vastai/vast_api_key, then
 * ~/.vast_api_key. A key file readable by group or others is refused (-1, err names chmod 600).
 * Returns 1 with *key (caller frees) and `source` describing where it came from, 0 when there is
 * none. The key itself never appears in err or source. */
int config_api_key(char **key, char *source, size_t size, struct gw_error *err);

/* "$XDG_<kind>_HOME/gpuwarden" with the XDG fallbacks (~/.config, ~/.local/state, ~/.cache);
 * kind is "CONFIG", "STATE" or "CACHE". Writes "" when no home can be found. */
void config_dir(const char *kind, char *out, size_t size);

#endif
