/* Where things live (XDG) and the vast.ai API key, found in the official CLI's order. */
#ifndef GPUWARDEN_CONFIG_H
#define GPUWARDEN_CONFIG_H

#include <stdbool.h>
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

/* The config file, $XDG_CONFIG_HOME/gpuwarden/config: `key = value` lines, `#` comments, blank
 * lines. This reads the syntax only; cli.c knows the keys and checks the values. */
#define CONFIG_MAX_LINES 64

struct config_line {
    int line; /* 1-based, for messages */
    char key[32];
    char value[512];
};

struct config_file {
    char path[700]; /* "" when no home can be found */
    bool found;
    struct config_line lines[CONFIG_MAX_LINES];
    size_t count;
};

/* Reads the file at cf->path when set, else at the XDG place (a missing file is no error: found
 * false). -1 with err (EXIT_USAGE, "PATH:LINE: ...") on a line that is not `key = value`, a
 * repeated key, or more than CONFIG_MAX_LINES settings. */
int config_file_load(struct config_file *cf, struct gw_error *err);

#endif
