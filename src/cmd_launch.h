/* `gpuwarden launch --offer ID --recipe R --confirm ID [--follow]`: one launch (SPEC §7),
 * headless, its steps and (with --follow) its setup log printed to stdout as they come. */
#ifndef GPUWARDEN_CMD_LAUNCH_H
#define GPUWARDEN_CMD_LAUNCH_H

#include "cli.h"
#include "job.h"
#include "recipe.h"
#include "ssh.h"

/* o->req holds the requirements with the recipe applied. Returns 0 when the job is READY, 1 when
 * the checklist FAILs or a step failed (stderr says which, why and which case), 2 for usage and
 * input errors, 3 when the provider fails before anything was rented. */
int cmd_launch(const struct cli_options *o, const struct recipe *r);

/* Where jobs keep their files: the state folder (jobs.json), known_hosts, demo sandboxes. */
struct launch_paths {
    char state[600]; /* "" when no home can be found: nothing is persisted */
    char known_hosts[700];
    char demo[700];
};

/* Fills the paths from $XDG_STATE_HOME/gpuwarden. */
void cmd_launch_paths(struct launch_paths *paths);

/* The parts of a job spec every launch shares, headless or from the dashboard: SPEC §7's SSH
 * settings (user GPUWARDEN_SSH_USER, default root; key GPUWARDEN_SSH_KEY, default ssh-agent,
 * ~/.ssh/id_ed25519, ~/.ssh/id_rsa), the step timings and the files under `paths`, which must
 * outlive the job (the spec points into it and into the environment). */
void cmd_launch_defaults(struct job_spec *spec, const struct launch_paths *paths);

#endif
