/* The preflight checklist panel (SPEC §6): ten rows for the selected offer and the recipe. */
#ifndef GPUWARDEN_CHECKLIST_VIEW_H
#define GPUWARDEN_CHECKLIST_VIEW_H

#include "preflight.h"
#include "ui.h"

/* The ten rows for offer `o` with the recipe, lint and metadata in force (ui->recipe set). */
void checklist_eval(const struct ui *ui, const struct offer *o,
                    struct preflight_row rows[PREFLIGHT_ROWS]);

/* Draws into the rectangle (y, x, h, w). */
void checklist_view_draw(const struct ui *ui, int y, int x, int h, int w);

#endif
