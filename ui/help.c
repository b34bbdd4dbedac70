/* Help overlay: one line per action, with every key bound to it. */
#include "help.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "cases.h"
#include "draw.h"
#include "i18n.h"
#include "keys.h"
#include "theme.h"

/* Page 1: "Case N: title" and its lesson, word-wrapped, for as many cases as fit. */
static void draw_cases(int y, int bottom, int x0, int w)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cases_all())
    {
        if (y + 1 >= bottom)
            break;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
        int n = cJSON_IsNumber(id) ? id->valueint : 0;
        char line[300];
        snprintf(line, sizeof line, _("Case %d: %s"), n, cases_field(n, "title"));
        attron(A_BOLD);
        draw_text(y++, x0 + 2, line, w - 4);
        attroff(A_BOLD);
        draw_wrap(&y, x0 + 4, w - 6, bottom, cases_field(n, "lesson"), A_NORMAL);
    }
}

void help_draw(int page, int lines, int cols)
{
    int w = cols < 84 ? cols - 4 : 80, h = lines - 4;
    int y0 = (lines - h) / 2, x0 = (cols - w) / 2;
    attron(A_NORMAL);
    for (int y = 0; y < h; y++)
        mvhline(y0 + y, x0, ' ', w);
    draw_text(y0, x0 + 2,
              page == 1
                  ? _("failure cases behind the rules (Tab: keys; gpuwarden cases N: all of one)")
                  : _("gpuwarden keys (Tab: failure cases; Esc or ? closes)"),
              w - 4);
    int y = y0 + 2;
    if (page == 1) {
        draw_cases(y, y0 + h - 1, x0, w);
        y = y0 + h; /* no key lines */
    }
    for (int i = 0; page == 0 && i < keys_count && y < y0 + h - 1; i++) {
        if (keys_table[i].help == NULL)
            continue;
        char keys[64] = "";
        for (int j = i; j < keys_count; j++) {
            if (keys_table[j].action != keys_table[i].action)
                continue;
            size_t used = strlen(keys);
            snprintf(keys + used, sizeof keys - used, "%s%s", used ? " " : "", keys_table[j].name);
        }
        char line[400];
        snprintf(line, sizeof line, "%-18s %s", keys, _(keys_table[i].help));
        draw_text(y++, x0 + 2, line, w - 4);
    }
    attron(theme_attr(THEME_HEADER));
    draw_text(y0 + h - 1, x0 + 2,
              _("verdicts: PASS, WARN, BLOCK are written out, never colour alone"), w - 4);
    attroff(theme_attr(THEME_HEADER));
    /* a frame so the overlay reads as one */
    attron(A_BOLD);
    mvhline(y0 - 1, x0, ACS_HLINE, w);
    mvhline(y0 + h, x0, ACS_HLINE, w);
    mvvline(y0, x0 - 1, ACS_VLINE, h);
    mvvline(y0, x0 + w, ACS_VLINE, h);
    attroff(A_BOLD);
}
