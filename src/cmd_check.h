/* `gpuwarden check --offer ID --recipe R [--json]`: the preflight checklist (SPEC §6), headless. */
#ifndef GPUWARDEN_CMD_CHECK_H
#define GPUWARDEN_CMD_CHECK_H

#include "cli.h"
#include "recipe.h"

/* o->req holds the requirements with the recipe applied (see main). Returns 0 when no row FAILs,
 * 1 when one does, 2 for usage/input errors (unknown offer), 3 when the provider fails. */
int cmd_check(const struct cli_options *o, const struct recipe *r);

#endif
