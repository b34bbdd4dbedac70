/* Small drawing helpers shared by the views. */
#ifndef GPUWARDEN_DRAW_H
#define GPUWARDEN_DRAW_H

#include <stdbool.h>
#include <stddef.h>

/* Writes `text` word-wrapped (by display columns; a line breaks at a space, or between wide
 * characters) from (*y, x) within width w, stopping before row `bottom`;
 * advances *y past what it wrote. */
void draw_wrap(int *y, int x, int w, int bottom, const char *text, int attr);

/* Rows draw_wrap would take for `text` in width w. */
int draw_wrap_rows(int w, const char *text);

/* Display columns of UTF-8 `text` (a CJK character takes two). */
int draw_cols(const char *text);

/* mvaddnstr by display columns: as much of `text` as fits in `cols` columns, never cut inside
 * a character (all of it when cols < 0). */
void draw_text(int y, int x, const char *text, int cols);

/* A bordered box of h x w at (y, x), cleared inside, with `title` on its top edge. */
void draw_box(int y, int x, int h, int w, const char *title);

/* Appends `text` to line[used..size) in `width` display columns (UTF-8 aware; right-aligned when
 * `right`) and a space; returns the new length, clamped to the buffer. */
size_t draw_cell(char *line, size_t used, size_t size, const char *text, int width, bool right);

#endif
