/* Colour and attribute tables. */
#include "theme.h"

#include <curses.h>

static int attrs[THEME_COUNT];

void theme_init(bool color)
{
    /* monochrome: bold, reverse and dim only */
    attrs[THEME_NORMAL] = A_NORMAL;
    attrs[THEME_HEADER] = A_BOLD | A_UNDERLINE;
    attrs[THEME_STATUS] = A_REVERSE;
    attrs[THEME_SELECTED] = A_REVERSE;
    attrs[THEME_PASS] = A_NORMAL;
    attrs[THEME_WARN] = A_BOLD;
    attrs[THEME_BLOCK] = A_BOLD;
    attrs[THEME_DIM] = A_DIM;
    attrs[THEME_BANNER] = A_BOLD | A_REVERSE;
    attrs[THEME_ERROR] = A_BOLD;
    attrs[THEME_HINT] = A_REVERSE;
    if (!color || !has_colors())
        return;
    start_color();
    use_default_colors(); /* -1 backgrounds keep light terminals readable */
    init_pair(1, COLOR_GREEN, -1);
    init_pair(2, COLOR_YELLOW, -1);
    init_pair(3, COLOR_RED, -1);
    init_pair(4, COLOR_BLACK, COLOR_CYAN);
    init_pair(5, COLOR_WHITE, COLOR_RED);
    init_pair(6, COLOR_BLACK, COLOR_YELLOW);
    attrs[THEME_PASS] = COLOR_PAIR(1);
    attrs[THEME_WARN] = COLOR_PAIR(2) | A_BOLD;
    attrs[THEME_BLOCK] = COLOR_PAIR(3) | A_BOLD;
    attrs[THEME_STATUS] = COLOR_PAIR(4);
    attrs[THEME_HINT] = COLOR_PAIR(4);
    attrs[THEME_ERROR] = COLOR_PAIR(5) | A_BOLD;
    attrs[THEME_BANNER] = COLOR_PAIR(6) | A_BOLD;
}

int theme_attr(enum theme_element e)
{
    return attrs[e];
}

enum theme_element theme_level(enum level l)
{
    return l == LEVEL_BLOCK ? THEME_BLOCK : l == LEVEL_WARN ? THEME_WARN : THEME_PASS;
}
