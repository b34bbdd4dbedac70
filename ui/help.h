/* The `?` overlay, generated from the key binding table. */
#ifndef GPUWARDEN_HELP_H
#define GPUWARDEN_HELP_H

void help_draw(int lines, int cols);

#endif
