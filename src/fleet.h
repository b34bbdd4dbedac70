/* The instances view's rows (SPEC §8, issue 6): every instance of the account joined with the
 * jobs gpuwarden launched (the state file), so the operator sees which machines are ours, which
 * the provider has that gpuwarden never launched ("unknown to gpuwarden") and which the state
 * file has that the provider lost ("missing"). Pure: no I/O. */
#ifndef GPUWARDEN_FLEET_H
#define GPUWARDEN_FLEET_H

#include <stdbool.h>
#include <stddef.h>

#include "instance.h"
#include "state.h"

enum fleet_mark {
    FLEET_OURS,    /* launched by gpuwarden: in the state file or labelled "gpuwarden:" */
    FLEET_UNKNOWN, /* at the provider, not in the state file: "unknown to gpuwarden" */
    FLEET_MISSING, /* in the state file, not at the provider: "missing" */
};

struct fleet_row {
    struct instance in; /* the provider's view; for a missing one only id, label, GPU, $/h */
    bool have_job;
    struct state_job job; /* when have_job */
    enum fleet_mark mark;
    double uptime_s; /* since start_date (or the job's created_at); NAN unknown */
    double cost_usd; /* dph_total x uptime: an upper estimate (a stopped machine bills storage
                        only); NAN unknown */
    double setup_s;  /* from the job, NAN unknown */
};

struct fleet {
    struct fleet_row *rows; /* provider's instances by id, then the missing ones */
    size_t count;
};

/* "gpuwarden", "unknown to gpuwarden", "missing" */
const char *fleet_mark_name(enum fleet_mark m);

/* Joins `list` with the state file's jobs of `provider` ("vast", "demo") at time `now` (unix
 * seconds). Jobs created before `born` cannot be at the provider (the demo's instances end with
 * its process: pass the process start; 0 otherwise) and jobs whose instance was destroyed through
 * gpuwarden (instance_state "destroyed") are history: neither is reported missing. *f is zeroed
 * or built before; its rows are replaced. Free with fleet_free(). */
void fleet_build(struct fleet *f, const struct instance_list *list, const struct state_job *jobs,
                 size_t njobs, const char *provider, double born, double now);

/* The row of instance `id`, or NULL. */
const struct fleet_row *fleet_find(const struct fleet *f, int64_t id);

void fleet_free(struct fleet *f);

/* "1x RTX 3060"; "-" when the provider did not name the GPU. */
void fleet_format_gpu(const struct instance *in, char *out, size_t size);

/* A duration as the instances table shows it: "-" (NAN), "45s", "23 min", "3h12m", "2d04h". */
void fleet_format_duration(double seconds, char *out, size_t size);

#endif
