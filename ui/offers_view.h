/* The live offer table: rows, selection across refreshes, filter, sort, drawing. */
#ifndef GPUWARDEN_OFFERS_VIEW_H
#define GPUWARDEN_OFFERS_VIEW_H

#include "ui.h"

/* Takes the offers out of `m` (m->offers is left empty), marking NEW offers and keeping the
 * selected offer, dimmed and GONE, when it vanished. */
void offers_view_replace(struct ui *ui, struct market_result *m);

/* Draws the table in the rectangle (y, x, h, w). */
void offers_view_draw(struct ui *ui, int y, int x, int h, int w);

#endif
