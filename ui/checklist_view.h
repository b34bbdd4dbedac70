/* The preflight checklist panel (SPEC §6): ten rows for the selected offer and the recipe. */
#ifndef GPUWARDEN_CHECKLIST_VIEW_H
#define GPUWARDEN_CHECKLIST_VIEW_H

#include "ui.h"

/* Draws into the rectangle (y, x, h, w). */
void checklist_view_draw(const struct ui *ui, int y, int x, int h, int w);

#endif
