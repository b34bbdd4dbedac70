/* `gpuwarden launch --offer ID --recipe R --confirm ID [--follow]`: one launch (SPEC §7),
 * headless, its steps and (with --follow) its setup log printed to stdout as they come. */
#ifndef GPUWARDEN_CMD_LAUNCH_H
#define GPUWARDEN_CMD_LAUNCH_H

#include "cli.h"
#include "recipe.h"
#include "ssh.h"

/* o->req holds the requirements with the recipe applied. Returns 0 when the job is READY, 1 when
 * the checklist FAILs or a step failed (stderr says which, why and which case), 2 for usage and
 * input errors, 3 when the provider fails before anything was rented. */
int cmd_launch(const struct cli_options *o, const struct recipe *r);

/* SSH settings for jobs: SPEC §7's defaults, user GPUWARDEN_SSH_USER (default root) and key
 * GPUWARDEN_SSH_KEY (default: ssh-agent, ~/.ssh/id_ed25519, ~/.ssh/id_rsa). The strings point
 * into the environment. */
void cmd_launch_ssh_config(struct ssh_config *cfg);

#endif
