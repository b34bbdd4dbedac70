/* The offer table. Only visible rows are drawn; the filtered row list is rebuilt only when the
 * data, the sort or the filter change, so a 10,000-offer market draws as fast as a small one. */
#include "offers_view.h"

#include <ctype.h>
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "i18n.h"
#include "theme.h"
#include "xalloc.h"

/* The `<` `>` cycle, in screen order; the first is the default (best verdict, then price). */
const struct ui_column ui_columns[] = {
    {"VERDICT", "verdict"}, {"ID", "id"},        {"GPU", "gpu"}, {"N", "num_gpus"},
    {"VRAM", "vram"},       {"CC", "cc"},        {"$/H", "dph"}, {"REL", "reliability"},
    {"HOST", "host"},       {"CTRY", "country"}, {"NET", "net"},
};
const int ui_ncolumns = (int)(sizeof ui_columns / sizeof ui_columns[0]);

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return true;
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return false;
}

/* What the filter matches: id, GPU, country, host label and verdict, as shown. */
static bool row_matches(const struct offer *o, const char *filter)
{
    if (!filter[0])
        return true;
    char hay[160];
    snprintf(hay, sizeof hay, "%lld %s %s %s %s %s", (long long)o->id, o->gpu_name, o->country,
             offer_host_label(o->host), level_name((enum level)o->verdict),
             o->flags & UI_OFFER_GONE ? "gone" : "");
    return contains_ci(hay, filter);
}

size_t ui_selected_row(const struct ui *ui)
{
    for (size_t r = 0; r < ui->nrows; r++)
        if (ui->offers.items[ui->rows[r]].id == ui->selected_id)
            return r;
    return ui->nrows;
}

const struct offer *ui_selected(const struct ui *ui)
{
    size_t r = ui_selected_row(ui);
    return r < ui->nrows ? &ui->offers.items[ui->rows[r]] : NULL;
}

static void keep_visible(struct ui *ui)
{
    size_t r = ui_selected_row(ui);
    size_t h = ui->table_height > 0 ? (size_t)ui->table_height : 1;
    if (r >= ui->nrows)
        r = 0;
    if (r < ui->top)
        ui->top = r;
    else if (r >= ui->top + h)
        ui->top = r - h + 1;
    if (ui->top + h > ui->nrows)
        ui->top = ui->nrows > h ? ui->nrows - h : 0;
}

void ui_rows_filter(struct ui *ui)
{
    xgrow((void **)&ui->rows, &ui->rows_cap, ui->offers.count, sizeof *ui->rows);
    ui->nrows = 0;
    for (size_t i = 0; i < ui->offers.count; i++)
        if (row_matches(&ui->offers.items[i], ui->filter))
            ui->rows[ui->nrows++] = i;
    /* a selection the filter hides moves to the first row that shows */
    if (ui_selected_row(ui) == ui->nrows)
        ui->selected_id = ui->nrows ? ui->offers.items[ui->rows[0]].id : 0;
    keep_visible(ui);
}

void ui_rows_rebuild(struct ui *ui)
{
    const struct market_sort_key *key = market_sort_key(ui_columns[ui->sort_col].sort_key);
    market_sort(&ui->offers, key, ui->sort_desc);
    ui_rows_filter(ui);
}

/* Removes a GONE offer once the selection has left it. */
static void drop_gone(struct ui *ui)
{
    size_t keep = 0;
    bool dropped = false;
    for (size_t i = 0; i < ui->offers.count; i++) {
        const struct offer *o = &ui->offers.items[i];
        if ((o->flags & UI_OFFER_GONE) && o->id != ui->selected_id) {
            dropped = true;
            continue;
        }
        ui->offers.items[keep++] = *o;
    }
    ui->offers.count = keep;
    if (dropped) /* removal keeps the order: refilter, no re-sort */
        ui_rows_filter(ui);
}

void ui_select_move(struct ui *ui, long delta)
{
    if (ui->nrows == 0)
        return;
    size_t r = ui_selected_row(ui);
    if (r == ui->nrows)
        r = 0;
    long target = (long)r + delta;
    if (target < 0)
        target = 0;
    if (target >= (long)ui->nrows)
        target = (long)ui->nrows - 1;
    ui->selected_id = ui->offers.items[ui->rows[target]].id;
    drop_gone(ui);
    keep_visible(ui);
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void offers_view_replace(struct ui *ui, struct market_result *m)
{
    struct offer_list fresh = m->offers;
    memset(&m->offers, 0, sizeof m->offers);
    /* ids of the previous market, sorted, to mark what is new and find what vanished */
    int64_t *old_ids = xmalloc((ui->offers.count + 1) * sizeof *old_ids);
    size_t nold = 0;
    for (size_t i = 0; i < ui->offers.count; i++)
        if (!(ui->offers.items[i].flags & UI_OFFER_GONE))
            old_ids[nold++] = ui->offers.items[i].id;
    qsort(old_ids, nold, sizeof *old_ids, cmp_id);
    bool first = ui->fetched_at == 0;
    bool selected_present = false;
    for (size_t i = 0; i < fresh.count; i++) {
        struct offer *o = &fresh.items[i];
        o->flags = 0;
        if (!first && !bsearch(&o->id, old_ids, nold, sizeof *old_ids, cmp_id))
            o->flags |= UI_OFFER_NEW;
        if (o->id == ui->selected_id)
            selected_present = true;
    }
    free(old_ids);
    if (!selected_present && ui->selected_id) {
        for (size_t i = 0; i < ui->offers.count; i++) {
            if (ui->offers.items[i].id == ui->selected_id) {
                struct offer gone = ui->offers.items[i];
                gone.flags = UI_OFFER_GONE;
                offer_list_push(&fresh, &gone);
                break;
            }
        }
    }
    offer_list_free(&ui->offers);
    ui->offers = fresh;
    ui->fetched_at = m->fetched_at;
    ui_rows_rebuild(ui);
}

static void draw_header(const struct ui *ui, int y, int x, int w)
{
    /* widths of ui_columns (in screen order), and right alignment for numbers */
    static const int width[] = {8, 9, 15, 2, 6, 4, 7, 6, 10, 4, 9};
    static const bool right[] = {false, false, false, true,  true, true,
                                 true,  true,  false, false, false};
    char line[512];
    size_t used = textwidth_cell(line, 0, sizeof line, "", 4, false);
    for (int c = 0; c < ui_ncolumns; c++) {
        char title[24];
        const char *arrow = ui->sort_desc ? "v" : "^";
        snprintf(title, sizeof title, "%s%s", ui_columns[c].title, c == ui->sort_col ? arrow : "");
        used = textwidth_cell(line, used, sizeof line, title, width[c], right[c]);
    }
    snprintf(line + used, sizeof line - used, "REASONS");
    attron(theme_attr(THEME_HEADER));
    mvhline(y, x, ' ', w);
    draw_text(y, x, line, w);
    attroff(theme_attr(THEME_HEADER));
}

/* Flag, verdict, the offer's cells, reasons: the verdict comes first so it shows at any width
 * the table gets (80 columns, or 75 beside the detail pane). */
static void draw_row(const struct ui *ui, const struct offer *o, int y, int x, int w, bool selected)
{
    const char *flag = o->flags & UI_OFFER_GONE ? "GONE" : o->flags & UI_OFFER_NEW ? "NEW" : "";
    bool gone = o->flags & UI_OFFER_GONE;
    int base = theme_attr(selected ? THEME_SELECTED : gone ? THEME_DIM : THEME_NORMAL);
    int right = x + w, col = x + 5;
    attron(base);
    mvhline(y, x, ' ', w);
    mvaddnstr(y, x, flag, w);
    if (col < right) {
        enum level l = (enum level)o->verdict;
        int va = selected ? base : theme_attr(theme_level(l)) | (gone ? theme_attr(THEME_DIM) : 0);
        attroff(base);
        attron(va);
        mvaddnstr(y, col, level_marker(l, ui->utf8), right - col);
        attroff(va);
        attron(base);
        col += 9;
    }
    char row[256], why[256];
    offer_format_row(o, row, sizeof row);
    if (col < right)
        draw_text(y, col, row, right - col);
    col += textwidth_cols(row);
    if (col < right) {
        rules_reasons(o, ui->req, gpus_builtin(), why, sizeof why);
        draw_text(y, col, why, right - col);
    }
    attroff(base);
}

void offers_view_draw(struct ui *ui, int y, int x, int h, int w)
{
    if (h < 2)
        return;
    draw_header(ui, y, x, w);
    ui->table_height = h - 1;
    ui->table_y = y + 1;
    keep_visible(ui);
    if (ui->nrows == 0) {
        const char *msg = ui->fetched_at == 0 ? _("fetching offers...")
                          : ui->filter[0]     ? _("no offer matches the filter (Esc clears it)")
                                              : _("no offers");
        draw_text(y + 2, x + 2, msg, w - 2);
        return;
    }
    for (int i = 0; i < h - 1 && ui->top + (size_t)i < ui->nrows; i++) {
        const struct offer *o = &ui->offers.items[ui->rows[ui->top + (size_t)i]];
        draw_row(ui, o, y + 1 + i, x, w, o->id == ui->selected_id);
    }
}
