/* The dashboard's side of the destructive-action gate (SPEC §8, issue 6): the stop, destroy,
 * second-confirmation and quit dialogs, the audit line of every cancel, and the confirmed
 * requests' worker threads. The only caller of gate_confirm_dialog (src/gate.h). Owns ui->gate
 * (the captured target) and ui->flights (requests in flight). */
#ifndef GPUWARDEN_GATE_VIEW_H
#define GPUWARDEN_GATE_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "events.h"
#include "gate.h"
#include "launch.h"
#include "ui.h"

/* S / D in view 4: the dialog for the selected instance, or a notice saying why there is none. */
void gate_view_open_selected(struct ui *ui, enum gate_action a, int key);

/* The stop / destroy dialog for instance `id`, its facts copied now from the instances view, or
 * from this session's job on it when the view does not list it yet. `key` (the one that asked)
 * cannot confirm it. A missing or busy instance gets a notice instead. */
void gate_view_open(struct ui *ui, enum gate_action a, int64_t id, int key);

/* Whether the open dialog is one of this module's. */
bool gate_view_owns(const struct ui *ui);

/* A key for this module's dialog. A cancel writes its audit line; a confirmation starts the
 * request for the captured id on a clone of l's provider, answering on l's queue. */
void gate_view_key(struct ui *ui, struct launcher *l, int ch);

/* q: opens the quit dialog when instances bill or jobs run and returns true; false when there is
 * nothing to warn about (the caller quits at once). */
bool gate_view_quit(struct ui *ui, int key);

/* EVENT_GATE_DONE: joins its worker and says the outcome (a notice, or an error dialog in the
 * dialog's place when the request failed). The caller refreshes the instances. */
void gate_view_done(struct ui *ui, const struct event *ev);

/* Waits for every request in flight (each completes: a destroy is never cut short) and records a
 * stop or destroy dialog still open (a signal quit) as cancelled. Call before the provider they
 * were cloned from is freed. */
void gate_view_shutdown(struct ui *ui);

#endif
