/* `gpuwarden recipes [--json]`: bundled and user recipes with their requirements (SPEC §4). */
#ifndef GPUWARDEN_CMD_RECIPES_H
#define GPUWARDEN_CMD_RECIPES_H

#include "cli.h"

/* Returns 0, or 2 when a recipe file is bad (the error names file and field). */
int cmd_recipes(const struct cli_options *o);

#endif
