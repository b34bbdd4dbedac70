/* Checklist panel: the rows come from preflight_eval() at draw time, so a new selection, a new
 * recipe or newly arrived metadata shows at once without any cached state to go stale. */
#include "checklist_view.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "draw.h"
#include "i18n.h"
#include "preflight.h"
#include "theme.h"

static enum theme_element status_theme(enum check_status s)
{
    return s == CHECK_PASS   ? THEME_PASS
           : s == CHECK_WARN ? THEME_WARN
           : s == CHECK_FAIL ? THEME_BLOCK
                             : THEME_DIM;
}

static const char *status_mark(enum check_status s, bool utf8)
{
    switch (s) {
    case CHECK_PASS: return utf8 ? "\u2713" : "+";
    case CHECK_WARN: return "!";
    case CHECK_FAIL: return utf8 ? "\u2717" : "x";
    case CHECK_PENDING: return utf8 ? "\u2026" : ".";
    case CHECK_UNKNOWN: return "?";
    }
    return "?";
}

void checklist_eval(const struct ui *ui, const struct offer *o,
                    struct preflight_row rows[PREFLIGHT_ROWS])
{
    struct preflight_input in = {.offer = o,
                                 .req = ui->req,
                                 .gpus = gpus_builtin(),
                                 .recipe = ui->recipe,
                                 .lint = &ui->lint,
                                 .sources = ui->nsources ? ui->sources : NULL,
                                 .nsources = ui->nsources,
                                 .fetching = ui->meta_fetching,
                                 .now = time(NULL)};
    preflight_eval(&in, rows);
}

void checklist_view_draw(const struct ui *ui, int y, int x, int h, int w)
{
    int bottom = y + h;
    const struct offer *o = ui_selected(ui);
    char line[400];
    snprintf(line, sizeof line, _("CHECKLIST %s"), ui->recipe ? ui->recipe->name : "");
    attron(theme_attr(THEME_HEADER));
    mvhline(y, x, ' ', w);
    draw_text(y, x, line, w);
    attroff(theme_attr(THEME_HEADER));
    y++;
    if (!ui->recipe) {
        draw_wrap(&y, x + 1, w - 1, bottom, _("no recipe chosen: press p to pick one"), A_NORMAL);
        return;
    }
    if (!o) {
        draw_wrap(&y, x + 1, w - 1, bottom, _("no offer selected"), A_NORMAL);
        return;
    }
    struct preflight_row rows[PREFLIGHT_ROWS];
    checklist_eval(ui, o, rows);
    snprintf(line, sizeof line, _("offer %lld %s: %s"), (long long)o->id, o->gpu_name,
             preflight_failed(rows) ? _("launch refused (a row FAILs)") : _("no row FAILs"));
    draw_wrap(&y, x + 1, w - 1, bottom, line, A_BOLD);
    /* one line per row first, so all ten show even when there is no room for reasons */
    int room = bottom - y - PREFLIGHT_ROWS;
    static const char spin[] = "|/-\\";
    for (int i = 0; i < PREFLIGHT_ROWS && y < bottom; i++) {
        const struct preflight_row *r = &rows[i];
        snprintf(line, sizeof line, "%s %-7s %2d %s", status_mark(r->status, ui->utf8),
                 check_status_name(r->status), r->item, r->title);
        if (r->item == 5 && ui->meta_fetching) {
            size_t n = strlen(line);
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            snprintf(line + n, sizeof line - n, " %c", spin[(ts.tv_nsec / 250000000) % 4]);
        }
        attron(theme_attr(status_theme(r->status)));
        draw_text(y++, x + 1, line, w - 1);
        attroff(theme_attr(status_theme(r->status)));
        if (room > 0 && y < bottom) {
            snprintf(line, sizeof line, _("%s%s case %d"), r->reason, *r->reason ? ";" : "",
                     r->case_id);
            int before = y;
            /* at most two lines of reason per row, fewer when space is short */
            int limit = y + (room >= PREFLIGHT_ROWS * 2 ? 2 : 1);
            draw_wrap(&y, x + 3, w - 3, limit < bottom ? limit : bottom, line,
                      theme_attr(THEME_DIM));
            room -= y - before;
        }
    }
}
