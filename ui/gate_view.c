/* Stop / destroy / quit dialogs and the confirmed requests. The dialog copies its target into
 * ui->gate when it opens; every later step reads that copy, never the table's selection, so a
 * refresh that re-sorts or replaces the rows under an open dialog cannot redirect a request. */
#include "gate_view.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "instances_view.h"
#include "provider.h"

#define SETUP_ASK_AGAIN_S 600.0 /* SPEC §8: a setup this long gets a second confirmation */

/* The action as the dialogs and notices name it (the audit log keeps gate_action_name's). */
static const char *what(enum gate_action a)
{
    return a == GATE_DESTROY ? _("destroy") : _("stop");
}

static bool is_stopped(const struct instance *in)
{
    return !strcmp(in->actual_status, "stopped");
}

/* The facts of a listed instance, as the table shows them now. */
static void capture_row(struct ui_gate_target *t, const struct fleet_row *r, const struct ui_job *j)
{
    t->id = r->in.id;
    snprintf(t->label, sizeof t->label, "%s", r->in.label[0] ? r->in.label : r->job.label);
    fleet_format_gpu(&r->in, t->gpu, sizeof t->gpu);
    char host[160];
    int port = 0;
    if (instance_ssh_address(&r->in, host, sizeof host, &port))
        snprintf(t->host, sizeof t->host, "%s:%d", host, port);
    else
        snprintf(t->host, sizeof t->host, "%s",
                 r->in.public_ipaddr[0] ? r->in.public_ipaddr : _("no address yet"));
    if (r->in.geolocation[0]) {
        size_t n = strlen(t->host);
        snprintf(t->host + n, sizeof t->host - n, ", %s", r->in.geolocation);
    }
    snprintf(t->state, sizeof t->state, "%s", r->in.actual_status[0] ? r->in.actual_status : "-");
    snprintf(t->who, sizeof t->who, "%s", fleet_mark_name(r->mark));
    t->dph = r->in.dph_total;
    t->uptime_s = r->uptime_s;
    t->cost_usd = r->cost_usd;
    t->setup_s = r->setup_s;
    if (isnan(t->setup_s) && j)
        t->setup_s = j->st.setup_s; /* finished in this session, before the list caught up */
}

/* The facts a job of this session knows, for an instance the list does not show yet. */
static void capture_job(struct ui_gate_target *t, const struct ui_job *j)
{
    t->id = j->st.instance_id;
    snprintf(t->label, sizeof t->label, "gpuwarden:%s", j->st.recipe);
    snprintf(t->gpu, sizeof t->gpu, "%s", j->st.gpu_name[0] ? j->st.gpu_name : "-");
    snprintf(t->host, sizeof t->host, "%s", _("not in the instance list yet"));
    snprintf(t->state, sizeof t->state, "-");
    snprintf(t->who, sizeof t->who, "%s", fleet_mark_name(FLEET_OURS));
    t->dph = j->st.dph_total;
    double now = (double)time(NULL);
    t->uptime_s = j->st.started_at > 0 && now >= j->st.started_at ? now - j->st.started_at : NAN;
    t->cost_usd = isnan(t->uptime_s) || isnan(t->dph) ? NAN : t->dph * t->uptime_s / 3600.0;
    t->setup_s = j->st.setup_s;
}

/* The lines every gate dialog starts with. */
static void facts(const struct ui *ui, char *buf, size_t size)
{
    const struct ui_gate_target *t = &ui->gate;
    char up[32], took[32], setup[96], dph[24] = "-", cost[32] = "-";
    snprintf(setup, sizeof setup, "%s", _("setup time unknown"));
    fleet_format_duration(t->uptime_s, up, sizeof up);
    if (!isnan(t->setup_s)) {
        fleet_format_duration(t->setup_s, took, sizeof took);
        snprintf(setup, sizeof setup, _("setup took %s"), took);
    }
    if (!isnan(t->dph))
        snprintf(dph, sizeof dph, "$%.3f/h", t->dph);
    if (!isnan(t->cost_usd))
        snprintf(cost, sizeof cost, "%s$%.2f", ui->utf8 ? "\u2248" : "~", t->cost_usd);
    snprintf(buf, size,
             _("Instance %lld, %s, %s (%s)\nGPU: %s at %s\nHost: %s\nUp %s, %s so far; %s"),
             (long long)t->id, t->label[0] ? t->label : _("(no label)"), t->state, t->who, t->gpu,
             dph, t->host, up, cost, setup);
}

static void open_stop(struct ui *ui, int key)
{
    char f[1200];
    facts(ui, f, sizeof f);
    char title[64];
    snprintf(title, sizeof title, _(" stop instance %lld "), (long long)ui->gate.id);
    dialog_open(
        &ui->dialog, UI_DIALOG_STOP, ui->gate.id, key, title, _("Cancel|Stop"),
        _("%s\n\nStop: the GPU stops billing.\nStorage is kept and still billed; restart later."),
        f);
}

static void open_destroy(struct ui *ui, int key)
{
    char f[1200], id[24], hint[160], setup[160] = "";
    facts(ui, f, sizeof f);
    snprintf(id, sizeof id, "%lld", (long long)ui->gate.id);
    if (ui->gate.setup_s >= SETUP_ASK_AGAIN_S) {
        char took[32];
        fleet_format_duration(ui->gate.setup_s, took, sizeof took);
        snprintf(setup, sizeof setup, _("\nSetup took %s: you will be asked again."), took);
    }
    char title[96];
    snprintf(title, sizeof title, _(" destroy instance %s "), id);
    dialog_open(&ui->dialog, UI_DIALOG_DESTROY, ui->gate.id, key, title,
                _("Cancel|Stop instead|Destroy"),
                _("%s\n\nDestroy: everything on the instance is deleted; this cannot be undone.\n"
                  "Stop instead: storage is kept and still billed; restart later.%s"),
                f, setup);
    snprintf(hint, sizeof hint, _("type %s to destroy; nothing was sent"), id);
    dialog_field(&ui->dialog, _("Type the instance id to destroy:"), id, 2, hint);
}

/* SPEC §8: a long setup is work the operator would lose; `key` confirmed the first dialog, so
 * it cannot confirm this one (a double Enter stops here). */
static void open_again(struct ui *ui, int key)
{
    char took[32], f[1200];
    fleet_format_duration(ui->gate.setup_s, took, sizeof took);
    facts(ui, f, sizeof f);
    char title[96];
    snprintf(title, sizeof title, _(" destroy instance %lld: setup took %s "),
             (long long)ui->gate.id, took);
    dialog_open(
        &ui->dialog, UI_DIALOG_DESTROY_AGAIN, ui->gate.id, key, title, _("Cancel|Destroy"),
        _("%s\n\nThe setup on this instance took %s. Destroying it deletes that work; a new "
          "instance needs the whole setup again.\n\nDestroy instance %lld anyway? Move to "
          "Destroy and press %s."),
        f, took, (long long)ui->gate.id, key == 'y' ? "Enter" : "y");
}

void gate_view_open(struct ui *ui, enum gate_action a, int64_t id, int key)
{
    if (ui->dialog.open)
        return;
    const struct fleet_row *r = fleet_find(&ui->fleet, id);
    const struct ui_job *j = instances_job(ui, id);
    const struct ui_gate_flight *f = instances_flight(ui, id);
    if (r && r->mark == FLEET_MISSING) {
        snprintf(ui->notice, sizeof ui->notice,
                 _("instance %lld is missing at the provider: nothing to stop/destroy"),
                 (long long)id);
        return;
    }
    if (f) {
        snprintf(ui->notice, sizeof ui->notice, _("a %s of instance %lld is already under way"),
                 what(f->action), (long long)id);
        return;
    }
    if (r == NULL && j == NULL) {
        snprintf(ui->notice, sizeof ui->notice,
                 _("instance %lld is not in the instance list: Ctrl-R refreshes it"),
                 (long long)id);
        return;
    }
    if (a == GATE_STOP && r && is_stopped(&r->in)) {
        snprintf(ui->notice, sizeof ui->notice,
                 _("instance %lld is already stopped (its storage bills until D destroys it)"),
                 (long long)id);
        return;
    }
    memset(&ui->gate, 0, sizeof ui->gate);
    if (r)
        capture_row(&ui->gate, r, j);
    else
        capture_job(&ui->gate, j);
    if (a == GATE_STOP)
        open_stop(ui, key);
    else
        open_destroy(ui, key);
}

void gate_view_open_selected(struct ui *ui, enum gate_action a, int key)
{
    const struct fleet_row *r = instances_view_selected(ui);
    if (r == NULL) {
        snprintf(ui->notice, sizeof ui->notice, _("no instance selected: nothing to %s"), what(a));
        return;
    }
    gate_view_open(ui, a, r->in.id, key);
}

bool gate_view_owns(const struct ui *ui)
{
    int k = ui->dialog.kind;
    return ui->dialog.open && (k == UI_DIALOG_STOP || k == UI_DIALOG_DESTROY ||
                               k == UI_DIALOG_DESTROY_AGAIN || k == UI_DIALOG_QUIT);
}

static void target_of(const struct ui *ui, struct gate_target *t)
{
    memset(t, 0, sizeof *t);
    t->id = ui->gate.id;
    snprintf(t->label, sizeof t->label, "%s", ui->gate.label);
}

/* A failure before or instead of the request, in the dialog's place. */
static void fail_dialog(struct ui *ui, enum gate_action a, int64_t id, const char *msg)
{
    char title[96];
    snprintf(title, sizeof title, _(" %s failed "), what(a));
    if (ui->dialog.open) /* another dialog is up: do not take its place */
        snprintf(ui->notice, sizeof ui->notice, "%.250s", msg);
    else
        dialog_open(&ui->dialog, 0, id, 0, title, _("Close"), "%s", msg);
}

/* SPEC §8: every "no" is on record, one line per cancelled dialog. */
static void audit_cancel(struct ui *ui, enum gate_action a, const char *reason)
{
    struct gate_target t;
    target_of(ui, &t);
    struct gate_files files;
    gate_files_default(&files);
    struct gw_error err = {0};
    if (gate_cancelled(a, &t, &files, "dashboard", reason, &err) < 0)
        snprintf(ui->notice, sizeof ui->notice, _("%s cancelled; the audit log failed: %.180s"),
                 what(a), err.msg);
    else
        snprintf(ui->notice, sizeof ui->notice,
                 _("%s of instance %lld cancelled: nothing was sent"), what(a), (long long)t.id);
}

static void audit_cancel_key(struct ui *ui, enum gate_action a, int ch, bool again)
{
    const char *key = ch == 27 ? "Esc" : ch == 'n' ? "n" : ch == 'q' ? "q" : "Cancel";
    char reason[96];
    snprintf(reason, sizeof reason, "cancelled %s (%s)",
             again ? "at the second confirmation" : "in the dialog", key);
    audit_cancel(ui, a, reason);
}

/* The operator confirmed `a` on the captured instance: one request on its own thread. */
static void send_request(struct ui *ui, struct launcher *l, enum gate_action a, const char *typed)
{
    int64_t id = ui->gate.id;
    if (ui->nflights == UI_MAX_GATE) {
        fail_dialog(ui, a, id, _("too many requests are under way; nothing was sent"));
        return;
    }
    struct gw_error err = {0};
    struct gate_confirmation *c = gate_confirm_dialog(a, id, typed, &err);
    if (c == NULL) {
        fail_dialog(ui, a, id, err.msg);
        return;
    }
    struct provider *p = provider_clone(l->provider);
    if (p == NULL) {
        gate_confirmation_free(c);
        fail_dialog(ui, a, id, _("this provider cannot stop or destroy: nothing was sent"));
        return;
    }
    struct gate_target t;
    target_of(ui, &t);
    struct gate_files files;
    gate_files_default(&files);
    int source = ++ui->next_flight;
    struct gate_worker *w = gate_worker_start(p, c, &t, &files, l->q, source, &err);
    if (w == NULL) {
        fail_dialog(ui, a, id, err.msg);
        return;
    }
    ui->flights[ui->nflights++] = (struct ui_gate_flight){w, source, id, a};
    snprintf(ui->notice, sizeof ui->notice, _("%s instance %lld: request sent"),
             a == GATE_DESTROY ? _("destroying") : _("stopping"), (long long)id);
}

void gate_view_key(struct ui *ui, struct launcher *l, int ch)
{
    int kind = ui->dialog.kind, button = 0;
    enum dialog_result r = dialog_key(&ui->dialog, ch, &button);
    if (r == DIALOG_OPEN)
        return;
    if (kind == UI_DIALOG_QUIT) {
        ui->quit = r == DIALOG_CHOSEN;
        return;
    }
    enum gate_action a = kind == UI_DIALOG_STOP ? GATE_STOP : GATE_DESTROY;
    if (r == DIALOG_CANCELLED) {
        audit_cancel_key(ui, a, ch, kind == UI_DIALOG_DESTROY_AGAIN);
        return;
    }
    if (kind == UI_DIALOG_STOP || (kind == UI_DIALOG_DESTROY && button == 1)) {
        send_request(ui, l, GATE_STOP, NULL); /* Stop, or Destroy's "Stop instead" */
    } else if (kind == UI_DIALOG_DESTROY) {
        /* what was typed goes along: the second dialog has no field of its own */
        snprintf(ui->gate.typed, sizeof ui->gate.typed, "%s", ui->dialog.typed);
        if (ui->gate.setup_s >= SETUP_ASK_AGAIN_S)
            open_again(ui, ch);
        else
            send_request(ui, l, GATE_DESTROY, ui->gate.typed);
    } else {
        send_request(ui, l, GATE_DESTROY, ui->gate.typed);
    }
}

/* Appends printf text to buf while it has room. */
static void add(char *buf, size_t size, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
    if (*used >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, size - *used, fmt, ap);
    va_end(ap);
    *used = n < 0 ? size : *used + (size_t)n;
}

#define QUIT_LIST_MAX 6 /* instances and jobs named; the rest are counted */

bool gate_view_quit(struct ui *ui, int key)
{
    char body[sizeof ui->dialog.body - 64];
    size_t used = 0, ninst = 0, njobs = 0;
    body[0] = '\0';
    if (ui->demo)
        add(body, sizeof body, &used, "%s",
            _("DEMO: nothing is rented. The demo's instances and setups end with this "
              "dashboard.\n"));
    for (size_t i = 0; i < ui->fleet.count; i++) {
        const struct fleet_row *r = &ui->fleet.rows[i];
        if (r->mark == FLEET_MISSING || is_stopped(&r->in))
            continue;
        if (ninst++ >= QUIT_LIST_MAX)
            continue;
        char gpu[64], dph[24] = "$?/h";
        fleet_format_gpu(&r->in, gpu, sizeof gpu);
        if (!isnan(r->in.dph_total))
            snprintf(dph, sizeof dph, "$%.3f/h", r->in.dph_total);
        add(body, sizeof body, &used, _("Instance %lld (%s, %s, %s)%s\n"), (long long)r->in.id, gpu,
            dph, r->in.actual_status[0] ? r->in.actual_status : _("state unknown"),
            ui->demo ? "" : _(": GPU and storage bill until stopped; storage until destroyed."));
    }
    if (ninst > QUIT_LIST_MAX)
        add(body, sizeof body, &used, _("... and %zu more instances.\n"), ninst - QUIT_LIST_MAX);
    for (size_t i = 0; i < ui->njobs; i++) {
        const struct ui_job *j = &ui->jobs[i];
        if (j->job == NULL)
            continue;
        if (njobs++ >= QUIT_LIST_MAX)
            continue;
        add(body, sizeof body, &used, _("Job #%d (%s on instance %lld, %s): %s\n"), j->st.job,
            j->st.recipe, (long long)j->st.instance_id, job_step_name(j->st.step),
            ui->demo ? _("the demo's setup ends with the dashboard.")
                     : _("setup keeps running on the host; the next dashboard re-attaches."));
    }
    if (njobs > QUIT_LIST_MAX)
        add(body, sizeof body, &used, _("... and %zu more jobs.\n"), njobs - QUIT_LIST_MAX);
    if (ninst == 0 && njobs == 0)
        return false;
    for (size_t i = 0; i < ui->nflights; i++)
        add(body, sizeof body, &used, _("The %s of instance %lld under way completes first.\n"),
            what(ui->flights[i].action), (long long)ui->flights[i].id);
    dialog_open(&ui->dialog, UI_DIALOG_QUIT, 0, key, _(" quit: what keeps running "),
                _("Cancel|Quit"), _("%s\nQuitting stops and destroys nothing."), body);
    return true;
}

void gate_view_done(struct ui *ui, const struct event *ev)
{
    for (size_t i = 0; i < ui->nflights; i++) {
        if (ui->flights[i].source != ev->source)
            continue;
        gate_worker_join(ui->flights[i].worker); /* it has posted: the join is immediate */
        ui->flights[i] = ui->flights[--ui->nflights];
        break;
    }
    const struct gate_outcome *o = ev->payload;
    if (o == NULL)
        return;
    if (o->result == GATE_DONE || o->result == GATE_GONE)
        snprintf(ui->notice, sizeof ui->notice, "%.250s", o->message);
    else
        fail_dialog(ui, o->action, o->id, o->message);
}

void gate_view_shutdown(struct ui *ui)
{
    /* a signal ended the dashboard with a stop or destroy dialog up: that is a "no" too */
    if (gate_view_owns(ui) && ui->dialog.kind != UI_DIALOG_QUIT) {
        ui->dialog.open = false;
        audit_cancel(ui, ui->dialog.kind == UI_DIALOG_STOP ? GATE_STOP : GATE_DESTROY,
                     "the dashboard quit with the dialog open");
    }
    for (size_t i = 0; i < ui->nflights; i++)
        gate_worker_join(ui->flights[i].worker);
    ui->nflights = 0;
}
