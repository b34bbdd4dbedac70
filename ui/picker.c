/* Recipe picker: a centred list; the keys are handled in app.c. */
#include "picker.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>

#include "draw.h"
#include "i18n.h"
#include "theme.h"

void picker_draw(const struct ui *ui, int lines, int cols)
{
    int n = (int)ui->recipes.count + 1;
    int w = cols < 84 ? cols - 4 : 80;
    int h = n + 4 + (ui->recipe_error[0] ? 2 : 0);
    if (h > lines - 2)
        h = lines - 2;
    int y0 = (lines - h) / 2, x0 = (cols - w) / 2;
    draw_box(y0, x0, h, w, _(" recipe: Enter picks, Esc cancels "));
    int y = y0 + 1;
    if (ui->recipe_error[0])
        draw_wrap(&y, x0 + 2, w - 4, y0 + 3, ui->recipe_error, theme_attr(THEME_ERROR));
    for (int i = 0; i < n && y < y0 + h - 1; i++, y++) {
        char line[256];
        if (i == 0) {
            snprintf(line, sizeof line, "%s", _("(no recipe)  judge by the flags alone"));
        } else {
            const struct recipe *r = &ui->recipes.items[i - 1];
            char cc[16] = "";
            if (!isnan(r->min_cc))
                snprintf(cc, sizeof cc, " sm_%.0f+", r->min_cc * 10);
            snprintf(line, sizeof line, "%-16s %5.1f GB VRAM%s  %s", r->name,
                     recipe_required_vram_gb(r), cc, r->title);
        }
        bool sel = (size_t)i == ui->picker_sel;
        if (sel)
            attron(theme_attr(THEME_SELECTED));
        mvhline(y, x0 + 1, ' ', w - 2);
        draw_text(y, x0 + 2, line, w - 4);
        if (sel)
            attroff(theme_attr(THEME_SELECTED));
    }
}
