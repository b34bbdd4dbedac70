/* The account's machines from the command line (SPEC §8, §10): `gpuwarden instances [--json]`,
 * `gpuwarden stop ID --confirm ID`, `gpuwarden destroy ID --confirm ID` and `gpuwarden audit`.
 * Stop and destroy go through the gate (gate.h) like the dashboard's dialogs: without --confirm,
 * or with another id, nothing is sent, the refusal is audited, and the exit status is 2. */
#ifndef GPUWARDEN_CMD_INSTANCES_H
#define GPUWARDEN_CMD_INSTANCES_H

#include "cli.h"

/* Each returns the exit code: 0 done; 1 stop of an instance that is gone; 2 usage (no or a wrong
 * --confirm, no API key); 3 provider or network error after retries. */
int cmd_instances(const struct cli_options *o);
int cmd_instances_manage(const struct cli_options *o);
int cmd_instances_audit(const struct cli_options *o);

#endif
