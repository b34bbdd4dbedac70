/* Drawing helpers shared by the views. */
#include "draw.h"

#include <curses.h>
#include <string.h>

void draw_wrap(int *y, int x, int w, int bottom, const char *text, int attr)
{
    const char *p = text;
    attron(attr);
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
        mvaddnstr(*y, x, p, take);
        p += take;
        while (*p == ' ')
            p++;
        (*y)++;
    }
    attroff(attr);
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
