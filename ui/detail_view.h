/* The detail pane: every finding of the selected offer and the failure case behind it. */
#ifndef GPUWARDEN_DETAIL_VIEW_H
#define GPUWARDEN_DETAIL_VIEW_H

#include "ui.h"

void detail_view_draw(const struct ui *ui, int y, int x, int h, int w);

#endif
