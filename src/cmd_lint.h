/* `gpuwarden lint FILE [--json]`: the setup-script lint of SPEC §5, headless. */
#ifndef GPUWARDEN_CMD_LINT_H
#define GPUWARDEN_CMD_LINT_H

#include "cli.h"

/* Returns 0 (no block finding), 1 (block findings) or 2 (unreadable file). */
int cmd_lint(const struct cli_options *o);

#endif
