/* Drawing helpers shared by the views. */
#include "draw.h"

#include <curses.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The one word-wrapping walk: draws when `draw`, else only counts the rows. */
static void wrap(int *y, int x, int w, int bottom, const char *text, bool draw)
{
    const char *p = text;
    while (*p && *y < bottom && w > 0) {
        int len = (int)strlen(p);
        int take = len <= w ? len : w;
        if (take < len) {
            int space = take;
            while (space > 0 && p[space] != ' ')
                space--;
            if (space > 0)
                take = space;
        }
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
        mvaddnstr(y, x + 2, title, w - 4);
}

size_t draw_cell(char *line, size_t used, size_t size, const char *text, int width, bool right)
{
    int cols = 0;
    for (const char *p = text; *p; p++)
        cols += ((unsigned char)*p & 0xC0) != 0x80;
    int pad = width > cols ? width - cols : 0;
    int n = snprintf(line + used, size - used, "%*s%s%*s ", right ? pad : 0, "", text,
                     right ? 0 : pad, "");
    return n > 0 && used + (size_t)n < size ? used + (size_t)n : size - 1;
}
