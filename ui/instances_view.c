/* The instances table. Rows come from fleet_build (the provider's order, then the missing ones);
 * the selection is an instance id, so a refresh that adds or drops rows never moves it to
 * another machine. */
#include "instances_view.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "draw.h"
#include "i18n.h"
#include "state.h"
#include "theme.h"

const struct ui_job *instances_job(const struct ui *ui, int64_t id)
{
    /* the newest: a re-attached job is added after the history entry of the same instance */
    for (size_t i = ui->njobs; id && i-- > 0;)
        if (ui->jobs[i].st.instance_id == id)
            return &ui->jobs[i];
    return NULL;
}

const struct ui_gate_flight *instances_flight(const struct ui *ui, int64_t id)
{
    for (size_t i = 0; i < ui->nflights; i++)
        if (ui->flights[i].id == id)
            return &ui->flights[i];
    return NULL;
}

static size_t selected_row(const struct ui *ui)
{
    for (size_t i = 0; i < ui->fleet.count; i++)
        if (ui->fleet.rows[i].in.id == ui->inst_selected)
            return i;
    return ui->fleet.count;
}

const struct fleet_row *instances_view_selected(const struct ui *ui)
{
    size_t r = selected_row(ui);
    return r < ui->fleet.count ? &ui->fleet.rows[r] : NULL;
}

static void select_row(struct ui *ui, size_t r)
{
    if (ui->fleet.count == 0) {
        ui->inst_selected = 0;
        ui->inst_row = 0;
        return;
    }
    if (r >= ui->fleet.count)
        r = ui->fleet.count - 1;
    ui->inst_selected = ui->fleet.rows[r].in.id;
    ui->inst_row = r;
}

void instances_view_replace(struct ui *ui, const struct instance_list *list, const char *state_dir)
{
    struct state_job *jobs = NULL;
    size_t njobs = 0;
    char note[1300];
    struct gw_error err = {0};
    /* a state file that cannot be read leaves every instance "unknown": the launch side says
     * why in its own notice at start */
    if (state_dir[0] && state_load(state_dir, &jobs, &njobs, note, sizeof note, &err) != 0) {
        jobs = NULL;
        njobs = 0;
    }
    fleet_build(&ui->fleet, list, jobs, njobs, ui->provider, ui->demo ? ui->born : 0,
                (double)time(NULL));
    free(jobs);
    ui->fleet_ready = true;
    ui->fleet_error[0] = '\0';
    /* the same instance if it is still there, else the row where it was */
    size_t r = selected_row(ui);
    select_row(ui, r < ui->fleet.count ? r : ui->inst_row);
}

void instances_view_error(struct ui *ui, const char *text)
{
    snprintf(ui->fleet_error, sizeof ui->fleet_error, "%s", text);
}

bool instances_view_key(struct ui *ui, enum action a)
{
    long page = ui->inst_height > 1 ? ui->inst_height - 1 : 1;
    long n = (long)ui->fleet.count, delta;
    switch (a) {
    case ACT_UP: delta = -1; break;
    case ACT_DOWN: delta = 1; break;
    case ACT_PAGE_UP: delta = -page; break;
    case ACT_PAGE_DOWN: delta = page; break;
    case ACT_TOP: delta = -n; break;
    case ACT_BOTTOM: delta = n; break;
    default: return false;
    }
    if (n == 0)
        return true;
    size_t cur = selected_row(ui);
    long r = (cur < ui->fleet.count ? (long)cur : 0) + delta;
    select_row(ui, r < 0 ? 0 : (size_t)r);
    return true;
}

bool instances_view_wants_refresh(struct ui *ui, int64_t id)
{
    if (id <= 0 || id == ui->inst_asked || fleet_find(&ui->fleet, id))
        return false;
    ui->inst_asked = id;
    return true;
}

enum {
    W_ID = 9,
    W_WHO = 20,
    W_STATE = 13,
    W_GPU = 18,
    W_DPH = 6,
    W_UP = 12,
    W_COST = 8,
    W_SETUP = 8
};

static void format_row(const struct ui *ui, const struct fleet_row *r, char *line, size_t size)
{
    char id[24], state[32], gpu[64], dph[24], up[32], cost[32], setup[32], job[64];
    snprintf(id, sizeof id, "%lld", (long long)r->in.id);
    const struct ui_gate_flight *f = instances_flight(ui, r->in.id);
    const char *dots = ui->utf8 ? "\u2026" : "...";
    if (f)
        snprintf(state, sizeof state, "%s%s",
                 f->action == GATE_DESTROY ? _("destroying") : _("stopping"), dots);
    else
        snprintf(state, sizeof state, "%s", r->in.actual_status[0] ? r->in.actual_status : "-");
    fleet_format_gpu(&r->in, gpu, sizeof gpu);
    if (isnan(r->in.dph_total))
        snprintf(dph, sizeof dph, "-");
    else
        snprintf(dph, sizeof dph, "%.3f", r->in.dph_total);
    fleet_format_duration(r->uptime_s, up, sizeof up);
    if (isnan(r->cost_usd))
        snprintf(cost, sizeof cost, "-");
    else
        snprintf(cost, sizeof cost, "%s$%.2f", ui->utf8 ? "\u2248" : "~", r->cost_usd);
    fleet_format_duration(r->setup_s, setup, sizeof setup);
    const struct ui_job *j = instances_job(ui, r->in.id);
    if (j)
        snprintf(job, sizeof job, "#%d %s/%s", j->st.job, job_state_name(j->st.state),
                 job_step_name(j->st.step));
    else if (r->have_job && r->job.state[0])
        snprintf(job, sizeof job, "%s/%s", r->job.state, r->job.step);
    else
        snprintf(job, sizeof job, "-");
    size_t used = textwidth_cell(line, 0, size, id, W_ID, false);
    used = textwidth_cell(line, used, size, fleet_mark_name(r->mark), W_WHO, false);
    used = textwidth_cell(line, used, size, state, W_STATE, false);
    used = textwidth_cell(line, used, size, gpu, W_GPU, false);
    used = textwidth_cell(line, used, size, dph, W_DPH, true);
    used = textwidth_cell(line, used, size, up, W_UP, true);
    used = textwidth_cell(line, used, size, cost, W_COST, true);
    used = textwidth_cell(line, used, size, setup, W_SETUP, true);
    snprintf(line + used, size - used, "%s", job);
}

static void draw_heading(const struct ui *ui, int *y, int x, int w)
{
    char line[300];
    size_t marks[3] = {0, 0, 0};
    for (size_t i = 0; i < ui->fleet.count; i++)
        marks[ui->fleet.rows[i].mark % 3]++;
    if (!ui->fleet_ready)
        snprintf(line, sizeof line, _("INSTANCES: %s"),
                 ui->fleet_error[0] ? _("no list yet") : _("waiting for the instance list"));
    else
        snprintf(line, sizeof line,
                 _("INSTANCES: %zu (%zu gpuwarden, %zu unknown to gpuwarden, %zu missing)   "
                   "S stops, D destroys the selected one"),
                 ui->fleet.count, marks[FLEET_OURS], marks[FLEET_UNKNOWN], marks[FLEET_MISSING]);
    attron(A_BOLD);
    draw_text((*y)++, x, line, w);
    attroff(A_BOLD);
    if (ui->fleet_error[0]) {
        snprintf(line, sizeof line, _("instances: %s"), ui->fleet_error);
        attron(theme_attr(THEME_ERROR));
        mvhline(*y, x, ' ', w);
        draw_text(*y, x, line, w);
        attroff(theme_attr(THEME_ERROR));
        (*y)++;
    }
}

static void keep_visible(struct ui *ui, size_t h)
{
    size_t r = selected_row(ui);
    if (r >= ui->fleet.count)
        r = 0;
    if (r < ui->inst_top)
        ui->inst_top = r;
    else if (r >= ui->inst_top + h)
        ui->inst_top = r - h + 1;
    if (ui->inst_top + h > ui->fleet.count)
        ui->inst_top = ui->fleet.count > h ? ui->fleet.count - h : 0;
}

void instances_view_draw(struct ui *ui, int y, int x, int h, int w)
{
    int bottom = y + h;
    draw_heading(ui, &y, x + 1, w - 1);
    if (!ui->fleet_ready)
        return;
    if (ui->fleet.count == 0) {
        draw_text(y + 1, x + 2, _("no instances"), w - 2);
        return;
    }
    char line[512];
    size_t used = textwidth_cell(line, 0, sizeof line, "ID", W_ID, false);
    used = textwidth_cell(line, used, sizeof line, "WHO", W_WHO, false);
    used = textwidth_cell(line, used, sizeof line, "STATE", W_STATE, false);
    used = textwidth_cell(line, used, sizeof line, "GPU", W_GPU, false);
    used = textwidth_cell(line, used, sizeof line, "$/H", W_DPH, true);
    used = textwidth_cell(line, used, sizeof line, "UPTIME", W_UP, true);
    used = textwidth_cell(line, used, sizeof line, "COST", W_COST, true);
    used = textwidth_cell(line, used, sizeof line, "SETUP", W_SETUP, true);
    snprintf(line + used, sizeof line - used, "JOB");
    attron(theme_attr(THEME_HEADER));
    mvhline(y, x, ' ', w);
    draw_text(y, x + 2, line, w - 2);
    attroff(theme_attr(THEME_HEADER));
    y++;
    ui->inst_height = bottom - y > 1 ? bottom - y : 1;
    keep_visible(ui, (size_t)ui->inst_height);
    for (size_t i = ui->inst_top; i < ui->fleet.count && y < bottom; i++, y++) {
        const struct fleet_row *r = &ui->fleet.rows[i];
        bool sel = r->in.id == ui->inst_selected;
        int attr = theme_attr(sel                        ? THEME_SELECTED
                              : r->mark == FLEET_MISSING ? THEME_DIM
                                                         : THEME_NORMAL);
        format_row(ui, r, line, sizeof line);
        attron(attr);
        mvhline(y, x, ' ', w);
        draw_text(y, x + 2, line, w - 2);
        attroff(attr);
    }
}
