/* Launch dialog, jobs and their events, on the UI thread. */
#include "launch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assets.h"
#include "checklist_view.h"
#include "cmd_launch.h"
#include "i18n.h"
#include "jobs_view.h"
#include "state.h"

void launch_init(struct launcher *l, struct provider *p, struct event_queue *q)
{
    memset(l, 0, sizeof *l);
    l->provider = p;
    l->q = q;
    l->next_id = 1;
    cmd_launch_paths(&l->paths);
}

/* "=== Phase" lines in the script that will run, for the progress bar's length. */
static int count_phases(const struct ui *ui, const struct recipe *r)
{
    size_t len = r->script_len;
    const char *s = r->script;
    if (ui->demo)
        s = assets_get("demo/setup.sh", &len);
    int n = 0;
    for (const char *p = s; p && (p = strstr(p, "=== Phase ")) && p < s + len; p++)
        n++;
    return n;
}

static struct ui_job *add_job(struct ui *ui)
{
    if (ui->njobs == UI_MAX_JOBS) {
        /* the oldest finished job makes room; running ones are never dropped */
        size_t victim = UI_MAX_JOBS;
        for (size_t i = 0; i < ui->njobs && victim == UI_MAX_JOBS; i++)
            if (ui->jobs[i].job == NULL && ui->jobs[i].st.state != JOB_RUNNING)
                victim = i;
        if (victim == UI_MAX_JOBS)
            return NULL;
        logring_free(ui->jobs[victim].log);
        memmove(&ui->jobs[victim], &ui->jobs[victim + 1],
                (ui->njobs - victim - 1) * sizeof ui->jobs[0]);
        ui->njobs--;
    }
    struct ui_job *j = &ui->jobs[ui->njobs++];
    memset(j, 0, sizeof *j);
    j->log = logring_new(UI_LOG_LINES);
    j->follow = true;
    return j;
}

static void start(struct ui *ui, struct launcher *l, const struct offer *offer,
                  const struct recipe *r, int64_t instance_id, double created_at)
{
    struct ui_job *uj = add_job(ui);
    if (uj == NULL) {
        snprintf(ui->notice, sizeof ui->notice, _("%d jobs are running: no room for another"),
                 UI_MAX_JOBS);
        return;
    }
    struct job_spec spec = {.id = l->next_id++,
                            .provider = l->provider,
                            .offer = *offer,
                            .recipe = r,
                            .required_vram_gb = ui->req_now.min_vram_gb,
                            .instance_id = instance_id,
                            .created_at = created_at};
    cmd_launch_defaults(&spec, &l->paths);
    uj->st.job = spec.id;
    uj->st.instance_id = instance_id;
    uj->st.offer_id = offer->id;
    snprintf(uj->st.recipe, sizeof uj->st.recipe, "%s", r->name);
    snprintf(uj->st.gpu_name, sizeof uj->st.gpu_name, "%s", offer->gpu_name);
    uj->st.started_at = created_at > 0 ? created_at : (double)time(NULL);
    uj->st.setup_s = NAN;
    uj->phase_total = count_phases(ui, r);
    struct gw_error err = {0};
    uj->job = job_start(&spec, l->q, &err);
    if (uj->job == NULL) {
        uj->st.state = JOB_FAILED;
        snprintf(uj->st.message, sizeof uj->st.message, "%.390s", err.msg);
    }
    ui->job_sel = (size_t)(uj - ui->jobs);
}

void launch_restore(struct ui *ui, struct launcher *l)
{
    struct state_job *jobs = NULL;
    size_t n = 0;
    char note[1300];
    struct gw_error err = {0};
    if (!l->paths.state[0] || state_load(l->paths.state, &jobs, &n, note, sizeof note, &err) != 0) {
        snprintf(ui->notice, sizeof ui->notice, "%.250s", err.msg);
        return;
    }
    if (note[0])
        snprintf(ui->notice, sizeof ui->notice, "%.250s", note);
    for (size_t i = 0; i < n; i++) {
        const struct state_job *s = &jobs[i];
        if (strcmp(s->provider, provider_name(l->provider)) != 0)
            continue;
        /* the recipe by name: a bundled or user one, or the one given as a file (--recipe) */
        const struct recipe *r = recipe_list_find(&ui->recipes, s->recipe);
        if (r == NULL && ui->recipe && !strcmp(ui->recipe->name, s->recipe))
            r = ui->recipe;
        /* the demo's instances live in its process: an old demo job can only be history */
        bool reattach = !strcmp(s->state, "running") && r && !ui->demo;
        if (reattach) {
            struct offer o = {.id = s->offer_id,
                              .num_gpus = s->num_gpus,
                              .gpu_ram_mib = s->gpu_ram_mib,
                              .dph_total = s->dph_total,
                              .compute_cap = NAN};
            snprintf(o.gpu_name, sizeof o.gpu_name, "%s", s->gpu_name);
            start(ui, l, &o, r, s->instance_id, s->created_at);
            continue;
        }
        struct ui_job *uj = add_job(ui);
        if (uj == NULL)
            break;
        uj->st.job = l->next_id++;
        uj->st.instance_id = s->instance_id;
        uj->st.offer_id = s->offer_id;
        snprintf(uj->st.recipe, sizeof uj->st.recipe, "%s", s->recipe);
        snprintf(uj->st.gpu_name, sizeof uj->st.gpu_name, "%s", s->gpu_name);
        uj->st.started_at = s->created_at;
        uj->ended_at = s->created_at;
        uj->st.state = !strcmp(s->state, "ready")    ? JOB_READY
                       : !strcmp(s->state, "failed") ? JOB_FAILED
                                                     : JOB_CANCELLED;
        for (int k = 0; k < JOB_STEPS; k++)
            if (!strcmp(s->step, job_step_name((enum job_step)k)))
                uj->st.step = (enum job_step)k;
        snprintf(uj->st.message, sizeof uj->st.message, "%s", s->message);
        char line[600];
        snprintf(line, sizeof line, _("[%s] from an earlier session: %s%s"), s->step, s->message,
                 !strcmp(s->state, "running") ? _(" (not re-attached: the demo's instances end "
                                                  "with its process, or the recipe is gone)")
                                              : "");
        jobs_log_push(uj, line, strlen(line));
    }
    free(jobs);
}

void launch_open(struct ui *ui, int key)
{
    const struct offer *o = ui_selected(ui);
    if (o == NULL || (o->flags & UI_OFFER_GONE)) {
        snprintf(ui->notice, sizeof ui->notice, "%s", _("select an offer to launch"));
        return;
    }
    if (ui->recipe == NULL) {
        snprintf(ui->notice, sizeof ui->notice, "%s",
                 _("pick a recipe first (p): it says what to set up and how to test it"));
        return;
    }
    struct preflight_row rows[PREFLIGHT_ROWS];
    checklist_eval(ui, o, rows);
    int counts[CHECK_UNKNOWN + 1] = {0};
    char failing[1200] = "";
    size_t used = 0;
    for (int i = 0; i < PREFLIGHT_ROWS; i++) {
        counts[rows[i].status]++;
        if (rows[i].status == CHECK_FAIL && used < sizeof failing)
            used += (size_t)snprintf(failing + used, sizeof failing - used, "\nFAIL %d %s: %s",
                                     rows[i].item, rows[i].title, rows[i].reason);
    }
    ui->dialog_offer = *o;
    if (counts[CHECK_FAIL]) {
        dialog_open(&ui->dialog, 0, o->id, key, _(" launch refused "), _("Close"),
                    _("Offer %lld (%s) cannot be launched with %s: the checklist has a FAIL "
                      "row.\n%s\n\nPick another offer or another recipe."),
                    (long long)o->id, o->gpu_name, ui->recipe->name, failing);
        return;
    }
    dialog_open(&ui->dialog, UI_DIALOG_LAUNCH, o->id, key, _(" launch: this rents a machine "),
                _("Cancel|Launch"),
                _("Offer %lld: %d x %s, %.1f GB VRAM, %s, $%.3f/h (storage is billed from "
                  "creation, the GPU once it runs).\nRecipe %s: image %s.\n\nChecklist: %d PASS, "
                  "%d WARN, %d PENDING, %d UNKNOWN, no FAIL. Rows 9 and 10 are decided on the "
                  "machine.\n\nThe job creates the instance, waits for it to boot, connects over "
                  "SSH, checks the GPU, runs the setup and tests the service. A failure leaves the "
                  "instance as it is."),
                (long long)o->id, o->num_gpus ? o->num_gpus : 1, o->gpu_name,
                o->gpu_ram_mib / 1024.0, o->country[0] ? o->country : "??", o->dph_total,
                ui->recipe->name, ui->recipe->image, counts[CHECK_PASS], counts[CHECK_WARN],
                counts[CHECK_PENDING], counts[CHECK_UNKNOWN]);
}

void launch_start(struct ui *ui, struct launcher *l)
{
    if (ui->recipe == NULL)
        return;
    start(ui, l, &ui->dialog_offer, ui->recipe, 0, 0);
    ui->view = UI_VIEW_LOGS;
    snprintf(ui->notice, sizeof ui->notice, _("launching offer %lld: job #%d"),
             (long long)ui->dialog_offer.id, ui->jobs[ui->job_sel].st.job);
}

static struct ui_job *find(struct ui *ui, int id)
{
    for (size_t i = 0; i < ui->njobs; i++)
        if (ui->jobs[i].st.job == id)
            return &ui->jobs[i];
    return NULL;
}

/* A failed job asks what to do with its instance; case 7 says destroying is advised. */
static void failure_dialog(struct ui *ui, const struct ui_job *j)
{
    if (ui->dialog.open || j->st.state != JOB_FAILED)
        return;
    char lines[1400] = "";
    size_t used = 0;
    for (size_t i = 0; i < 6 && j->st.last_lines[i][0] && used < sizeof lines; i++)
        used +=
            (size_t)snprintf(lines + used, sizeof lines - used, "\n  | %s", j->st.last_lines[i]);
    char instance[400];
    snprintf(instance, sizeof instance, "%s", _("Nothing was rented."));
    if (j->st.instance_id)
        snprintf(instance, sizeof instance,
                 _("Instance %lld is left as it is and keeps billing until you stop or destroy "
                   "it: Keep leaves it (instances view, 4); Stop and Destroy ask again, in their "
                   "own dialog."),
                 (long long)j->st.instance_id);
    /* the choices go through the gate's own dialogs (app.c opens them): nothing here sends */
    const char *buttons = !j->st.instance_id ? _("Keep")
                          : ui->utf8         ? _("Keep|Stop\u2026|Destroy\u2026")
                                             : _("Keep|Stop...|Destroy...");
    dialog_open(&ui->dialog, UI_DIALOG_JOB_FAILED, j->st.instance_id, 0, _(" launch failed "),
                buttons, _("Job #%d failed at %s%s%.0d: %s%s\n\n%s%s"), j->st.job,
                job_step_name(j->st.step), j->st.case_id ? _(", case ") : "", j->st.case_id,
                j->st.message, lines, instance,
                j->st.ask_destroy ? _("\n\nThe GPU is not what the offer advertised (case 7): "
                                      "destroying this instance and picking another offer is "
                                      "advised.")
                                  : "");
}

void launch_event(struct ui *ui, const struct event *ev)
{
    struct ui_job *j = find(ui, ev->source);
    if (j == NULL)
        return;
    if (ev->type == EVENT_LOG_LINES) {
        const struct log_batch *b = ev->payload;
        for (const char *l = log_batch_next(b, NULL); l; l = log_batch_next(b, l))
            jobs_log_push(j, l, strlen(l));
        return;
    }
    const struct job_status *st = ev->payload;
    j->st = *st;
    char line[600];
    snprintf(line, sizeof line, "[%s] %s%s", job_step_name(st->step),
             st->warn ? _("warning: ") : "", st->message);
    jobs_log_push(j, line, strlen(line));
    if (st->state != JOB_RUNNING) {
        j->ended_at = (double)time(NULL);
        job_free(j->job); /* its thread has posted its last event: the join is immediate */
        j->job = NULL;
        failure_dialog(ui, j);
    }
}

bool launch_active(const struct ui *ui)
{
    for (size_t i = 0; i < ui->njobs; i++)
        if (ui->jobs[i].job)
            return true;
    return false;
}

void launch_shutdown(struct ui *ui, struct launcher *l)
{
    for (size_t i = 0; i < ui->njobs; i++) {
        job_free(ui->jobs[i].job);
        logring_free(ui->jobs[i].log);
    }
    ui->njobs = 0;
    provider_free(l->provider);
    l->provider = NULL;
}
