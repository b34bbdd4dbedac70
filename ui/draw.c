/* Drawing helpers shared by the views. Widths are display columns: a CJK character takes two,
 * a combining mark none, an ASCII byte one; text is never cut inside a UTF-8 sequence. */
#include "draw.h"

#include <curses.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void draw_text(int y, int x, const char *text, int cols)
{
    mvaddnstr(y, x, text, textwidth_fit(text, cols));
}

/* The one word-wrapping walk: draws when `draw`, else only counts the rows. */
static void wrap(int *y, int x, int w, int bottom, const char *text, bool draw)
{
    const char *p = text;
    while (*p && *y < bottom && w > 0) {
        int take = textwidth_line(p, w);
        if (draw)
            mvaddnstr(*y, x, p, take);
        p += take;
        while (*p == ' ')
            p++;
        (*y)++;
    }
}

void draw_wrap(int *y, int x, int w, int bottom, const char *text, int attr)
{
    attron(attr);
    wrap(y, x, w, bottom, text, true);
    attroff(attr);
}

int draw_wrap_rows(int w, const char *text)
{
    int y = 0;
    wrap(&y, 0, w, 1 << 20, text, false);
    return y;
}

void draw_box(int y, int x, int h, int w, const char *title)
{
    for (int r = y; r < y + h; r++)
        mvhline(r, x, ' ', w);
    mvhline(y, x + 1, ACS_HLINE, w - 2);
    mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
    mvvline(y + 1, x, ACS_VLINE, h - 2);
    mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
    mvaddch(y, x, ACS_ULCORNER);
    mvaddch(y, x + w - 1, ACS_URCORNER);
    mvaddch(y + h - 1, x, ACS_LLCORNER);
    mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
    if (title && *title)
        draw_text(y, x + 2, title, w - 4);
}
