/* Instances joined with the state file's jobs. */
#include "fleet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define FLEET_LABEL_PREFIX "gpuwarden:"

const char *fleet_mark_name(enum fleet_mark m)
{
    switch (m) {
    case FLEET_OURS: return "gpuwarden";
    case FLEET_UNKNOWN: return "unknown to gpuwarden";
    case FLEET_MISSING: return "missing";
    }
    return "?";
}

/* The newest job of the instance: ids are the provider's, so one instance has one job. */
static const struct state_job *job_of(const struct state_job *jobs, size_t n, const char *provider,
                                      int64_t id)
{
    const struct state_job *found = NULL;
    for (size_t i = 0; i < n; i++)
        if (jobs[i].instance_id == id && !strcmp(jobs[i].provider, provider) &&
            (found == NULL || jobs[i].created_at > found->created_at))
            found = &jobs[i];
    return found;
}

static void set_times(struct fleet_row *r, double now)
{
    double start = r->in.start_date;
    if (!(start > 0) && r->have_job)
        start = r->job.created_at;
    r->uptime_s = start > 0 && now >= start ? now - start : NAN;
    r->cost_usd = isnan(r->uptime_s) || !(r->in.dph_total >= 0)
                      ? NAN
                      : r->in.dph_total * r->uptime_s / 3600.0;
    r->setup_s = r->have_job ? r->job.setup_s : NAN;
}

void fleet_build(struct fleet *f, const struct instance_list *list, const struct state_job *jobs,
                 size_t njobs, const char *provider, double born, double now)
{
    fleet_free(f);
    size_t cap = 0;
    for (size_t i = 0; list && i < list->count; i++) {
        xgrow((void **)&f->rows, &cap, f->count + 1, sizeof *f->rows);
        struct fleet_row *r = &f->rows[f->count++];
        memset(r, 0, sizeof *r);
        r->in = list->items[i];
        const struct state_job *j = job_of(jobs, njobs, provider, r->in.id);
        r->have_job = j != NULL;
        if (j)
            r->job = *j;
        bool labelled = !strncmp(r->in.label, FLEET_LABEL_PREFIX, strlen(FLEET_LABEL_PREFIX));
        r->mark = j || labelled ? FLEET_OURS : FLEET_UNKNOWN;
        set_times(r, now);
    }
    for (size_t i = 0; i < njobs; i++) {
        const struct state_job *j = &jobs[i];
        if (strcmp(j->provider, provider) != 0 ||
            job_of(jobs, njobs, provider, j->instance_id) != j ||
            !strcmp(j->instance_state, "destroyed") || j->created_at < born)
            continue;
        bool listed = false;
        for (size_t k = 0; list && k < list->count && !listed; k++)
            listed = list->items[k].id == j->instance_id;
        if (listed)
            continue;
        xgrow((void **)&f->rows, &cap, f->count + 1, sizeof *f->rows);
        struct fleet_row *r = &f->rows[f->count++];
        memset(r, 0, sizeof *r);
        r->in.id = j->instance_id;
        snprintf(r->in.label, sizeof r->in.label, "%s", j->label);
        snprintf(r->in.gpu_name, sizeof r->in.gpu_name, "%s", j->gpu_name);
        r->in.num_gpus = j->num_gpus;
        r->in.dph_total = j->dph_total;
        r->in.gpu_ram_mib = j->gpu_ram_mib;
        r->in.start_date = NAN;
        r->in.uptime_mins = NAN;
        r->have_job = true;
        r->job = *j;
        r->mark = FLEET_MISSING;
        r->uptime_s = NAN;
        r->cost_usd = NAN;
        r->setup_s = j->setup_s;
    }
}

const struct fleet_row *fleet_find(const struct fleet *f, int64_t id)
{
    for (size_t i = 0; i < f->count; i++)
        if (f->rows[i].in.id == id)
            return &f->rows[i];
    return NULL;
}

void fleet_free(struct fleet *f)
{
    free(f->rows);
    f->rows = NULL;
    f->count = 0;
}

void fleet_format_gpu(const struct instance *in, char *out, size_t size)
{
    if (!in->gpu_name[0])
        snprintf(out, size, "-");
    else
        snprintf(out, size, "%dx %s", in->num_gpus > 0 ? in->num_gpus : 1, in->gpu_name);
}

void fleet_format_duration(double seconds, char *out, size_t size)
{
    if (isnan(seconds) || seconds < 0) {
        snprintf(out, size, "-");
        return;
    }
    long s = (long)seconds;
    if (s < 60)
        snprintf(out, size, "%lds", s);
    else if (s < 3600)
        snprintf(out, size, "%ld min", s / 60);
    else if (s < 86400)
        snprintf(out, size, "%ldh%02ldm", s / 3600, s % 3600 / 60);
    else
        snprintf(out, size, "%ldd%02ldh", s / 86400, s % 86400 / 3600);
}
