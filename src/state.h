/* The jobs gpuwarden launched, kept in $XDG_STATE_HOME/gpuwarden/jobs.json so a restarted
 * dashboard shows them and re-attaches to setups still running. Every write is whole: a temp file
 * in the same folder, fsync, rename (0600 in a 0700 folder), under an flock so the dashboard and a
 * headless launch can both write. A file that does not parse is set aside, never trusted and
 * never deleted. */
#ifndef GPUWARDEN_STATE_H
#define GPUWARDEN_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* One launched instance, keyed by instance id. Never holds a secret. */
struct state_job {
    int64_t instance_id;
    int64_t offer_id;
    char provider[16]; /* "vast", "demo" */
    char recipe[64];
    char label[96];
    char gpu_name[48];
    int num_gpus;       /* as advertised: verify compares after a re-attach too */
    double gpu_ram_mib; /* per GPU, as advertised; NAN unknown */
    double dph_total;
    double created_at; /* unix time */
    char step[16];     /* job_step_name */
    char state[16];    /* job_state_name */
    char message[400];
    int case_id;
    double setup_s; /* NAN while unknown */
    char ssh[160];  /* "host:port" once known, "" before */
    /* "" as the job left it; "stopped" or "destroyed" once gpuwarden did that to the instance.
     * Sticky: a later state_put of the same instance (same created_at) keeps it. */
    char instance_state[16];
};

/* Reads every job (none when the file is absent). A corrupt or foreign file is renamed to
 * "jobs.json.bad-<unix time>" and reported in *note (size bytes; "" when all was well); the
 * result is then empty and 0 is returned. -1 with err only when the folder cannot be read.
 * *jobs is the caller's to free(). */
int state_load(const char *dir, struct state_job **jobs, size_t *n, char *note, size_t size,
               struct gw_error *err);

/* Inserts or replaces the job with j->instance_id (read-modify-write under the lock). */
int state_put(const char *dir, const struct state_job *j, struct gw_error *err);

/* Records what gpuwarden did to instance `id` ("stopped", "destroyed") in its job, when the file
 * has one (0 and no change otherwise). */
int state_mark_instance(const char *dir, int64_t id, const char *what, struct gw_error *err);

#endif
