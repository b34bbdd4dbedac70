/* The destructive-action gate (SPEC §8): the only road to the provider's stop and destroy.
 *
 * The provider refuses to stop or destroy without a confirmation, an opaque single-use object
 * made here and only by the two places an operator says "yes, that instance": the dashboard's
 * dialogs (gate_confirm_dialog, called from ui/gate_view.c alone) and the headless --confirm check
 * (gate_confirm_cli, called from src/cmd_instances.c alone). It carries the action and the
 * instance id it confirms; a missing, mismatched or already used one is refused and nothing is
 * sent. tests/integration/test_gate_paths.py checks those call sites stay the only ones. */
#ifndef GPUWARDEN_GATE_H
#define GPUWARDEN_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "events.h"

struct provider;

enum gate_action { GATE_STOP, GATE_DESTROY };

/* "stop", "destroy" */
const char *gate_action_name(enum gate_action a);

struct gate_confirmation;

/* Headless: `gpuwarden stop|destroy ID --confirm CONFIRM`. confirm_id 0 means --confirm was not
 * given. NULL with err (EXIT_USAGE, a sentence saying nothing was sent) when it is missing or
 * differs from id. Caller frees with gate_confirmation_free() unless gate_run takes it. */
struct gate_confirmation *gate_confirm_cli(enum gate_action a, int64_t id, long long confirm_id,
                                           struct gw_error *err);

/* Dashboard: the dialog that captured `captured_id` was confirmed. A destroy also needs the text
 * the operator typed, which must be that id; a stop passes typed NULL. NULL with err otherwise. */
struct gate_confirmation *gate_confirm_dialog(enum gate_action a, int64_t captured_id,
                                              const char *typed, struct gw_error *err);

void gate_confirmation_free(struct gate_confirmation *c);

/* For the provider: true when c confirms action a on instance id and has not been used, and
 * marks it used. false with err (EXIT_USAGE) otherwise; c may be NULL. */
bool gate_confirmation_take(struct gate_confirmation *c, enum gate_action a, int64_t id,
                            struct gw_error *err);

/* Where the gate writes: the audit log and the state folder (a destroyed or stopped instance is
 * marked in its job, so the instances view does not call it missing). "" disables either. */
struct gate_files {
    char audit[700];
    char state[600];
};

/* $XDG_STATE_HOME/gpuwarden/audit.jsonl and $XDG_STATE_HOME/gpuwarden. */
void gate_files_default(struct gate_files *f);

/* What a request is about, for the audit log and the messages. */
struct gate_target {
    int64_t id;
    char label[128];
};

enum gate_result {
    GATE_DONE,    /* the provider said success */
    GATE_GONE,    /* the instance no longer exists: "already gone" */
    GATE_FAILED,  /* the provider refused or could not be reached; message says why */
    GATE_REFUSED, /* the confirmation did not hold: nothing was sent */
};

/* One confirmed request, synchronously: a "sent" audit line (fsync'd), the provider call, then
 * the outcome line. An audit log that cannot be written stops the request before it is sent.
 * Takes ownership of c. `via` names the caller in the audit ("dashboard", "command line"). The
 * operator's sentence goes to msg. */
enum gate_result gate_run(struct provider *p, struct gate_confirmation *c,
                          const struct gate_target *t, const struct gate_files *files,
                          const char *via, char *msg, size_t size);

/* An operator said no: one "cancelled" audit line with the reason ("Esc in the dialog", "no
 * --confirm"). 0, or -1 with err. */
int gate_cancelled(enum gate_action a, const struct gate_target *t, const struct gate_files *files,
                   const char *via, const char *reason, struct gw_error *err);

/* The dashboard runs gate_run on a thread of its own so a slow or retried request never blocks
 * the screen. It posts EVENT_GATE_DONE (source: `source`; payload: struct gate_outcome) when
 * the request has returned. Takes ownership of p (a provider clone) and c; NULL with err when
 * the thread cannot start (nothing was sent, c is freed). Join with gate_worker_join(). */
struct gate_outcome {
    enum gate_action action;
    int64_t id;
    enum gate_result result;
    char message[512];
};

struct gate_worker;
struct gate_worker *gate_worker_start(struct provider *p, struct gate_confirmation *c,
                                      const struct gate_target *t, const struct gate_files *files,
                                      struct event_queue *q, int source, struct gw_error *err);
/* Waits for the request to return (it is never cut short: a destroy in flight completes) and
 * frees the worker. NULL-safe. */
void gate_worker_join(struct gate_worker *w);

#endif
