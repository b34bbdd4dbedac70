/* Drawing helpers shared by the views. Widths are display columns: a CJK character takes two,
 * a combining mark none, an ASCII byte one; text is never cut inside a UTF-8 sequence. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* wcwidth */
#endif
#include "draw.h"

#include <curses.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* The next character of s: its length in bytes (>= 1) and, in *cols, its display width. A byte
 * that starts no valid character counts as one byte, one column. */
static int next_char(const char *s, int *cols, bool *space)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
    *space = *s == ' ';
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *cols = 1;
        return 1;
    }
    int w = wcwidth(wc);
    *cols = w < 0 ? 1 : w;
    return (int)n;
}

int draw_cols(const char *text)
{
    int cols = 0, w;
    bool space;
    for (const char *p = text; *p;) {
        p += next_char(p, &w, &space);
        cols += w;
    }
    return cols;
}

/* Bytes of the longest prefix of text that fits in `cols` columns (all of it when cols < 0). */
static int fit(const char *text, int cols)
{
    if (cols < 0)
        return (int)strlen(text);
    int used = 0, off = 0, w;
    bool space;
    while (text[off]) {
        int n = next_char(text + off, &w, &space);
        if (used + w > cols)
            break;
        used += w;
        off += n;
    }
    return off;
}

void draw_text(int y, int x, const char *text, int cols)
{
    mvaddnstr(y, x, text, fit(text, cols));
}

/* Japanese punctuation that must not start a line. */
static bool closing_punct(const char *s)
{
    static const char *const marks[] = {"\u3001", "\u3002", "\uff0c", "\uff0e", "\uff09",
                                        "\u300d", "\u300f", "\u3011", "\uff01", "\uff1f",
                                        "\u30fc", "\u30fb", "\u2026"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (!strncmp(s, marks[i], strlen(marks[i])))
            return true;
    return false;
}

/* Bytes of the next wrapped line of p in w columns: breaks at a space (the space is left out),
 * or between two characters either of which is wide (not before closing punctuation); else,
 * when nothing else can, anywhere. */
static int line_bytes(const char *p, int w)
{
    int col = 0, off = 0, brk = 0, cw;
    bool space, prev_wide = false;
    while (p[off]) {
        int n = next_char(p + off, &cw, &space);
        bool wide = cw > 1;
        if (off > 0 && (space || ((wide || prev_wide) && !closing_punct(p + off))))
            brk = off; /* a break may come before this character */
        if (col + cw > w) {
            if (space)
                return off;
            if (brk > 0)
                return brk;
            return off > 0 ? off : n; /* a character wider than the line goes alone */
        }
        col += cw;
        off += n;
        prev_wide = wide;
    }
    return off;
}

/* The one word-wrapping walk: draws when `draw`, else only counts the rows. */
static void wrap(int *y, int x, int w, int bottom, const char *text, bool draw)
{
    const char *p = text;
    while (*p && *y < bottom && w > 0) {
        int take = line_bytes(p, w);
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

size_t draw_cell(char *line, size_t used, size_t size, const char *text, int width, bool right)
{
    int cols = draw_cols(text);
    int pad = width > cols ? width - cols : 0;
    int n = snprintf(line + used, size - used, "%*s%s%*s ", right ? pad : 0, "", text,
                     right ? 0 : pad, "");
    return n > 0 && used + (size_t)n < size ? used + (size_t)n : size - 1;
}
