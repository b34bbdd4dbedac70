/* Small drawing helpers shared by the views. */
#ifndef GPUWARDEN_DRAW_H
#define GPUWARDEN_DRAW_H

#include <stdbool.h>
#include <stddef.h>

#include "textwidth.h" /* widths in display columns, and table cells */

/* Writes `text` word-wrapped (by display columns; a line breaks at a space, or between wide
 * characters) from (*y, x) within width w, stopping before row `bottom`;
 * advances *y past what it wrote. */
void draw_wrap(int *y, int x, int w, int bottom, const char *text, int attr);

/* Rows draw_wrap would take for `text` in width w. */
int draw_wrap_rows(int w, const char *text);

/* mvaddnstr by display columns: as much of `text` as fits in `cols` columns, never cut inside
 * a character (all of it when cols < 0). */
void draw_text(int y, int x, const char *text, int cols);

/* A bordered box of h x w at (y, x), cleared inside, with `title` on its top edge. */
void draw_box(int y, int x, int h, int w, const char *title);

#endif
