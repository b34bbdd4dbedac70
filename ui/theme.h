/* Semantic colours and attributes; monochrome is one more table (NO_COLOR, --no-color). */
#ifndef GPUWARDEN_THEME_H
#define GPUWARDEN_THEME_H

#include <stdbool.h>

#include "rules.h"

enum theme_element {
    THEME_NORMAL,
    THEME_HEADER,
    THEME_STATUS,
    THEME_SELECTED,
    THEME_PASS,
    THEME_WARN,
    THEME_BLOCK,
    THEME_DIM,
    THEME_BANNER,
    THEME_ERROR,
    THEME_HINT,
    THEME_COUNT
};

/* Sets up colour pairs when the terminal has colours and `color` is true. */
void theme_init(bool color);
/* The curses attribute for an element. */
int theme_attr(enum theme_element e);
enum theme_element theme_level(enum level l);

#endif
