/* The recipe picker overlay (`p`): "(no recipe)" and every recipe with what it needs. */
#ifndef GPUWARDEN_PICKER_H
#define GPUWARDEN_PICKER_H

#include "ui.h"

void picker_draw(const struct ui *ui, int lines, int cols);

#endif
