/* `gpuwarden cases [N]`: the seed's failure cases, shipped as assets/cases.json (SPEC §9). */
#ifndef GPUWARDEN_CMD_CASES_H
#define GPUWARDEN_CMD_CASES_H

#include "cli.h"

/* Returns the exit code; prints all cases, or case o->case_id, as text or JSON. */
int cmd_cases(const struct cli_options *o);

#endif
