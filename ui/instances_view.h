/* View 4: the account's instances joined with gpuwarden's jobs (SPEC §8, §11), the selection that
 * S and D act on, and the formatting the gate dialogs share with the table. Owns ui->fleet and
 * the inst_* fields of struct ui. */
#ifndef GPUWARDEN_INSTANCES_VIEW_H
#define GPUWARDEN_INSTANCES_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "instance.h"
#include "keys.h"
#include "ui.h"

/* EVENT_INSTANCES_READY: rebuilds the rows from `list` (borrowed) and the jobs in the state file
 * under `state_dir` ("" for none), keeping the selection on its instance. */
void instances_view_replace(struct ui *ui, const struct instance_list *list, const char *state_dir);

/* EVENT_INSTANCES_ERROR: the rows stay, the line above them says why they are old. */
void instances_view_error(struct ui *ui, const char *text);

/* The selected row, or NULL when the view has none. */
const struct fleet_row *instances_view_selected(const struct ui *ui);

/* The movement keys of view 4; false for any other action. */
bool instances_view_key(struct ui *ui, enum action a);

/* A job reported instance `id`: true, once per id, when the rows do not have it yet, so the
 * caller asks for a refresh and the new instance shows without waiting for the next tick. */
bool instances_view_wants_refresh(struct ui *ui, int64_t id);

void instances_view_draw(struct ui *ui, int y, int x, int h, int w);

/* The job of this session (ui->jobs) on instance `id`, or NULL. */
const struct ui_job *instances_job(const struct ui *ui, int64_t id);

/* The request in flight for instance `id`, or NULL. */
const struct ui_gate_flight *instances_flight(const struct ui *ui, int64_t id);

#endif
