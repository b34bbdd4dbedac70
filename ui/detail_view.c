/* Findings of one offer, with the case each warning or block prevents (SPEC §9). */
#include "detail_view.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "cases.h"
#include "draw.h"
#include "i18n.h"
#include "theme.h"

void detail_view_draw(const struct ui *ui, int y, int x, int h, int w)
{
    int bottom = y + h;
    const struct offer *o = ui_selected(ui);
    attron(theme_attr(THEME_HEADER));
    mvhline(y, x, ' ', w);
    draw_text(y, x, _("DETAIL"), w);
    attroff(theme_attr(THEME_HEADER));
    y++;
    if (o == NULL) {
        draw_text(y + 1, x + 1, _("no offer selected"), w - 1);
        return;
    }
    char line[256];
    snprintf(line, sizeof line, "%lld  %dx %s  %s%s", (long long)o->id, o->num_gpus, o->gpu_name,
             o->geolocation[0] ? o->geolocation : _("location unknown"),
             o->flags & UI_OFFER_GONE ? _("  (GONE: no longer offered)") : "");
    draw_wrap(&y, x + 1, w - 1, bottom, line, A_BOLD);
    struct finding f[RULE_COUNT];
    enum level verdict = rules_eval(o, ui->req, gpus_builtin(), f);
    snprintf(line, sizeof line, _("verdict %s"), level_marker(verdict, ui->utf8));
    draw_wrap(&y, x + 1, w - 1, bottom, line, theme_attr(theme_level(verdict)));
    y++;
    /* blocks and warnings first: they are what the operator must read */
    for (int pass = 0; pass < 3; pass++) {
        enum level want = pass == 0 ? LEVEL_BLOCK : pass == 1 ? LEVEL_WARN : LEVEL_PASS;
        for (int r = 0; r < RULE_COUNT && y < bottom; r++) {
            if (f[r].level != want)
                continue;
            snprintf(line, sizeof line, "%s %s: %s", level_marker(f[r].level, ui->utf8),
                     rule_name(f[r].rule), f[r].message);
            draw_wrap(&y, x + 1, w - 1, bottom, line, theme_attr(theme_level(f[r].level)));
            if (f[r].level != LEVEL_PASS && f[r].case_id) {
                snprintf(line, sizeof line, _("case %d, %s: %s"), f[r].case_id,
                         cases_field(f[r].case_id, "title"), cases_field(f[r].case_id, "lesson"));
                draw_wrap(&y, x + 3, w - 3, bottom, line, A_NORMAL);
            }
        }
    }
}
