/* The destructive-action gate: confirmations, the audited request, and its worker thread. */
#include "gate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "config.h"
#include "i18n.h"
#include "provider.h"
#include "state.h"
#include "textwidth.h"
#include "worker.h"
#include "xalloc.h"

/* Only this file knows the layout, so only its constructors can make one. */
struct gate_confirmation {
    enum gate_action action;
    int64_t id;
    bool used;
};

const char *gate_action_name(enum gate_action a)
{
    return a == GATE_DESTROY ? "destroy" : "stop";
}

/* The action in a sentence (the audit log and the command names keep gate_action_name's). */
static const char *action_word(enum gate_action a)
{
    /* TRANSLATORS: the action as it fills %s in "refused to %s instance %lld: ..." and
       "nothing to %s": a noun suits the Japanese sentences */
    return a == GATE_DESTROY ? _("destroy") : _("stop");
}

static struct gate_confirmation *confirmation_new(enum gate_action a, int64_t id)
{
    struct gate_confirmation *c = xcalloc(1, sizeof *c);
    c->action = a;
    c->id = id;
    return c;
}

struct gate_confirmation *gate_confirm_cli(enum gate_action a, int64_t id, long long confirm_id,
                                           struct gw_error *err)
{
    const char *name = gate_action_name(a);
    if (id <= 0) {
        /* TRANSLATORS: both %s are the command's name, "stop" or "destroy" */
        error_set(err, EXIT_USAGE,
                  _("%s needs an instance id (usage: gpuwarden %s ID --confirm ID)"), name, name);
        return NULL;
    }
    if (confirm_id == 0) {
        error_set(err, EXIT_USAGE,
                  /* TRANSLATORS: %s is the command's name, "stop" or "destroy" */
                  _("nothing was sent: %s needs --confirm %lld (the instance id typed again); "
                    "there is no --yes"),
                  name, (long long)id);
        return NULL;
    }
    if (confirm_id != id) {
        error_set(err, EXIT_USAGE,
                  a == GATE_DESTROY
                      ? _("nothing was sent: --confirm %lld does not match instance %lld; "
                          "--confirm must repeat the id of the instance to destroy")
                      : _("nothing was sent: --confirm %lld does not match instance %lld; "
                          "--confirm must repeat the id of the instance to stop"),
                  confirm_id, (long long)id);
        return NULL;
    }
    return confirmation_new(a, id);
}

struct gate_confirmation *gate_confirm_dialog(enum gate_action a, int64_t captured_id,
                                              const char *typed, struct gw_error *err)
{
    if (captured_id <= 0) {
        error_set(err, EXIT_USAGE, _("the dialog has no instance to %s"), action_word(a));
        return NULL;
    }
    if (a == GATE_DESTROY) {
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)captured_id);
        if (typed == NULL || strcmp(typed, want) != 0) {
            error_set(err, EXIT_USAGE, _("type %s to destroy instance %s: nothing was sent"), want,
                      want);
            return NULL;
        }
    }
    return confirmation_new(a, captured_id);
}

void gate_confirmation_free(struct gate_confirmation *c)
{
    free(c);
}

bool gate_confirmation_take(struct gate_confirmation *c, enum gate_action a, int64_t id,
                            struct gw_error *err)
{
    const char *name = action_word(a);
    if (c == NULL) {
        error_set(err, EXIT_USAGE, _("refused to %s instance %lld: it was not confirmed"), name,
                  (long long)id);
        return false;
    }
    if (c->used) {
        error_set(err, EXIT_USAGE,
                  _("refused to %s instance %lld: that confirmation was already used"), name,
                  (long long)id);
        return false;
    }
    if (c->action != a || c->id != id) {
        error_set(err, EXIT_USAGE,
                  _("refused to %s instance %lld: the confirmation is for %s instance %lld"), name,
                  (long long)id, action_word(c->action), (long long)c->id);
        return false;
    }
    c->used = true;
    return true;
}

void gate_files_default(struct gate_files *f)
{
    config_dir("STATE", f->state, sizeof f->state);
    audit_path(f->audit, sizeof f->audit);
}

static int audit(const struct gate_files *files, enum gate_action a, const struct gate_target *t,
                 enum audit_outcome outcome, const char *via, const char *reason,
                 struct gw_error *err)
{
    struct audit_entry e = {.action = gate_action_name(a),
                            .instance_id = t->id,
                            .label = t->label,
                            .outcome = outcome,
                            .reason = reason,
                            .via = via};
    return audit_append(files->audit, &e, err);
}

int gate_cancelled(enum gate_action a, const struct gate_target *t, const struct gate_files *files,
                   const char *via, const char *reason, struct gw_error *err)
{
    return audit(files, a, t, AUDIT_CANCELLED, via, reason, err);
}

enum gate_result gate_run(struct provider *p, struct gate_confirmation *c,
                          const struct gate_target *t, const struct gate_files *files,
                          const char *via, char *msg, size_t size)
{
    enum gate_action a = c ? c->action : GATE_DESTROY;
    const char *name = action_word(a);
    long long id = (long long)t->id;
    struct gw_error err = {0};
    if (c == NULL || c->used || c->id != t->id) {
        snprintf(msg, size,
                 _("refused to %s instance %lld: it was not confirmed; nothing was sent"), name,
                 id);
        /* a fixed reason, English in the audit log like "already gone" (docs/decisions.md) */
        audit(files, a, t, AUDIT_FAILED, via, "not confirmed: nothing was sent", NULL);
        gate_confirmation_free(c);
        return GATE_REFUSED;
    }
    /* the line goes to disk before the request goes out: no request without its record */
    if (audit(files, a, t, AUDIT_SENT, via, NULL, &err) < 0) {
        /* TRANSLATORS: %s is why the audit log could not be written */
        snprintf(msg, size, _("%s; nothing was sent"), err.msg);
        gate_confirmation_free(c);
        return GATE_FAILED;
    }
    int rc = a == GATE_DESTROY ? provider_destroy_instance(p, c, t->id, &err)
                               : provider_stop(p, c, t->id, &err);
    bool refused = rc < 0 && !c->used; /* the provider sent nothing */
    gate_confirmation_free(c);
    enum gate_result result;
    char reason[600];
    if (rc > 0) {
        result = GATE_DONE;
        reason[0] = '\0';
        snprintf(msg, size,
                 a == GATE_DESTROY ? _("instance %lld destroyed") : _("instance %lld stopped"), id);
    } else if (rc == 0) {
        result = GATE_GONE;
        /* the audit log's fixed reason (docs/decisions.md), English like its other tokens */
        snprintf(reason, sizeof reason, "already gone");
        snprintf(msg, size, _("instance %lld is already gone: nothing to %s"), id, name);
    } else {
        result = refused ? GATE_REFUSED : GATE_FAILED;
        snprintf(reason, sizeof reason, "%s", err.msg);
        snprintf(msg, size, _("%s instance %lld failed: %s"), name, id, err.msg);
    }
    struct gw_error aerr = {0};
    if (audit(files, a, t, rc > 0 ? AUDIT_SUCCEEDED : AUDIT_FAILED, via, reason, &aerr) < 0) {
        size_t n = strlen(msg);
        /* TRANSLATORS: appended to the outcome; %s: why the audit log could not be written */
        snprintf(msg + n, size - n, _(" (and %s)"), aerr.msg);
    }
    textwidth_repair(msg);
    /* the instances view must not call a machine we removed "missing" */
    if (files->state[0] && (rc > 0 || (rc == 0 && a == GATE_DESTROY)))
        state_mark_instance(files->state, t->id, a == GATE_DESTROY ? "destroyed" : "stopped", NULL);
    return result;
}

struct gate_worker {
    pthread_t thread;
    struct provider *provider;
    struct gate_confirmation *c;
    struct gate_target target;
    struct gate_files files;
    struct event_queue *q;
    int source;
};

static void outcome_free(void *payload)
{
    free(payload);
}

static void *gate_thread(void *arg)
{
    struct gate_worker *w = arg;
    struct gate_outcome *out = xcalloc(1, sizeof *out);
    out->action = w->c->action;
    out->id = w->target.id;
    out->result = gate_run(w->provider, w->c, &w->target, &w->files, "dashboard", out->message,
                           sizeof out->message);
    w->c = NULL;
    struct event *ev = event_new(EVENT_GATE_DONE);
    ev->source = w->source;
    ev->payload = out;
    ev->payload_free = outcome_free;
    events_post(w->q, ev);
    return NULL;
}

struct gate_worker *gate_worker_start(struct provider *p, struct gate_confirmation *c,
                                      const struct gate_target *t, const struct gate_files *files,
                                      struct event_queue *q, int source, struct gw_error *err)
{
    struct gate_worker *w = xcalloc(1, sizeof *w);
    w->provider = p;
    w->c = c;
    w->target = *t;
    w->files = *files;
    w->q = q;
    w->source = source;
    int rc = c ? worker_spawn(&w->thread, gate_thread, w) : EINVAL;
    if (rc != 0) {
        /* TRANSLATORS: the first %s is "stop", "destroy" or "destructive", the second the
           system's reason */
        error_set(err, EXIT_PROVIDER, _("cannot start the %s request: %s; nothing was sent"),
                  c ? action_word(c->action) : _("destructive"), strerror(rc));
        gate_confirmation_free(c);
        provider_free(p);
        free(w);
        return NULL;
    }
    return w;
}

void gate_worker_join(struct gate_worker *w)
{
    if (w == NULL)
        return;
    pthread_join(w->thread, NULL);
    provider_free(w->provider);
    free(w);
}
