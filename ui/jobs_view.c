/* Jobs list and log pane. The pane reads the ring from the bottom: `scroll` lines up from the
 * newest while paused, the newest at the bottom while following. */
#include "jobs_view.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "draw.h"
#include "i18n.h"
#include "theme.h"

#define LIST_MAX 6 /* job rows shown above the pane */

void jobs_log_push(struct ui_job *j, const char *text, size_t len)
{
    char line[LOGRING_LINE_MAX];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    size_t n = strftime(line, sizeof line, "%H:%M:%S ", &tm);
    if (n != UI_LOG_STAMP)
        n = (size_t)snprintf(line, sizeof line, "--:--:-- ");
    if (len > sizeof line - n - 1)
        len = sizeof line - n - 1;
    memcpy(line + n, text, len);
    logring_push(j->log, line, n + len);
    if (!j->follow && j->scroll < logring_count(j->log))
        j->scroll++; /* a paused pane keeps showing the same lines */
}

static struct ui_job *selected(struct ui *ui)
{
    return ui->njobs ? &ui->jobs[ui->job_sel] : NULL;
}

void jobs_log_scroll(struct ui *ui, long delta)
{
    struct ui_job *j = selected(ui);
    if (j == NULL)
        return;
    size_t count = logring_count(j->log);
    long s = (long)j->scroll - delta;
    if (s <= 0) {
        jobs_log_follow(ui);
        return;
    }
    if ((size_t)s >= count)
        s = count ? (long)count - 1 : 0;
    if (j->follow)
        j->paused_total = logring_total(j->log);
    j->follow = false;
    j->scroll = (size_t)s;
}

void jobs_log_follow(struct ui *ui)
{
    struct ui_job *j = selected(ui);
    if (j) {
        j->follow = true;
        j->scroll = 0;
    }
}

bool jobs_log_find(struct ui *ui)
{
    struct ui_job *j = selected(ui);
    if (j == NULL || !ui->log_search[0])
        return false;
    size_t count = logring_count(j->log);
    for (size_t back = j->scroll; back < count; back++) {
        const char *line = logring_get(j->log, count - 1 - back);
        if (strstr(line + UI_LOG_STAMP, ui->log_search)) {
            if (j->follow)
                j->paused_total = logring_total(j->log);
            j->follow = back == 0 && j->follow;
            j->scroll = back;
            return true;
        }
    }
    return false;
}

static const char *state_label(const struct job_status *st)
{
    return st->state == JOB_RUNNING ? job_step_name(st->step) : job_state_name(st->state);
}

static void format_elapsed(const struct ui_job *j, char *out, size_t size)
{
    double end = j->ended_at > 0 ? j->ended_at : (double)time(NULL);
    long s = (long)(end - j->st.started_at);
    if (s < 0)
        s = 0;
    if (s >= 3600)
        snprintf(out, size, "%ldh%02ldm", s / 3600, s / 60 % 60);
    else
        snprintf(out, size, "%02ld:%02ld", s / 60, s % 60);
}

static void draw_list(const struct ui *ui, int *y, int x, int w, int rows)
{
    attron(theme_attr(THEME_HEADER));
    mvhline(*y, x, ' ', w);
    draw_text((*y)++, x, " JOB  INSTANCE   GPU          RECIPE          STEP      ELAPSED  PHASE",
              w);
    attroff(theme_attr(THEME_HEADER));
    size_t first = ui->job_sel >= (size_t)rows ? ui->job_sel - (size_t)rows + 1 : 0;
    for (size_t i = first; i < ui->njobs && i < first + (size_t)rows; i++) {
        const struct ui_job *j = &ui->jobs[i];
        char line[320], elapsed[32], phase[128] = "";
        format_elapsed(j, elapsed, sizeof elapsed);
        if (j->st.phase)
            snprintf(phase, sizeof phase, "%d%s%.0d %s", j->st.phase, j->phase_total ? "/" : "",
                     j->phase_total, j->st.phase_name);
        snprintf(line, sizeof line, " #%-3d %-10lld %-12.12s %-15.15s %-9s %-8s %s", j->st.job,
                 (long long)j->st.instance_id, j->st.gpu_name, j->st.recipe, state_label(&j->st),
                 elapsed, phase);
        enum theme_element t = j->st.state == JOB_FAILED  ? THEME_BLOCK
                               : j->st.state == JOB_READY ? THEME_PASS
                                                          : THEME_NORMAL;
        int attr = theme_attr(i == ui->job_sel ? THEME_SELECTED : t);
        attron(attr);
        mvhline(*y, x, ' ', w);
        draw_text((*y)++, x, line, w);
        attroff(attr);
    }
}

/* "[#####-----] phase 3/5: Download model" or the step when no phase has started. */
static void progress(const struct ui_job *j, char *out, size_t size)
{
    if (!j->st.phase) {
        snprintf(out, size, "%s", state_label(&j->st));
        return;
    }
    char bar[16] = "";
    if (j->phase_total > 0) {
        int done = j->st.phase * 10 / j->phase_total;
        for (int i = 0; i < 10; i++)
            bar[i] = i < done ? '#' : '-';
        bar[10] = '\0';
    }
    snprintf(out, size, _("%s%s%s phase %d%s%.0d: %s"), bar[0] ? "[" : "", bar, bar[0] ? "]" : "",
             j->st.phase, j->phase_total ? "/" : "", j->phase_total, j->st.phase_name);
}

/* Bytes of the next wrapped piece of a log line: as much as fits in w display columns, and at
 * least one character (a log is hard-wrapped: its text is not prose). */
static int piece_of(const char *text, int w)
{
    int n = textwidth_fit(text, w), cols;
    return n > 0 || !*text ? n : textwidth_next(text, &cols);
}

/* Rows a line takes in the pane. */
static int rows_of(const char *text, int w, bool wrap)
{
    int rows = 1;
    if (wrap)
        for (int off = piece_of(text, w); text[off]; off += piece_of(text + off, w))
            rows++;
    return rows;
}

static void draw_pane(const struct ui *ui, const struct ui_job *j, int y, int x, int h, int w)
{
    char head[400], prog[160], chip[48];
    progress(j, prog, sizeof prog);
    unsigned long long fresh = logring_total(j->log) - j->paused_total;
    if (j->follow)
        snprintf(chip, sizeof chip, "%s", _("FOLLOW"));
    else
        snprintf(chip, sizeof chip, _("PAUSED +%llu"), fresh);
    snprintf(head, sizeof head, _(" LOG #%d instance %lld | %s | %s"), j->st.job,
             (long long)j->st.instance_id, prog, chip);
    size_t n = strlen(head);
    if (logring_dropped(j->log))
        n += (size_t)snprintf(head + n, sizeof head - n, _(" | %llu older lines dropped"),
                              logring_dropped(j->log));
    if (ui->log_search[0] && n < sizeof head)
        snprintf(head + n, sizeof head - n, _(" | search: %s"), ui->log_search);
    attron(theme_attr(THEME_HEADER));
    mvhline(y, x, ' ', w);
    draw_text(y, x, head, w);
    attroff(theme_attr(THEME_HEADER));
    y++;
    h--;
    size_t skip = ui->log_times ? 0 : UI_LOG_STAMP;
    size_t count = logring_count(j->log);
    if (count == 0 || h <= 0) {
        if (h > 0)
            draw_text(y, x + 1, _("(no output yet)"), w - 1);
        return;
    }
    /* find the first line to show: walk up from the bottom line until the pane is full */
    size_t last = count - 1 - (j->scroll < count ? j->scroll : count - 1);
    size_t first = last;
    int used = rows_of(logring_get(j->log, last) + skip, w, ui->log_wrap);
    while (first > 0) {
        int r = rows_of(logring_get(j->log, first - 1) + skip, w, ui->log_wrap);
        if (used + r > h)
            break;
        used += r;
        first--;
    }
    int row = y;
    for (size_t i = first; i <= last && row < y + h; i++) {
        const char *text = logring_get(j->log, i) + skip;
        bool hit = ui->log_search[0] && strstr(text, ui->log_search);
        /* gpuwarden's own step messages ("[setup] ...") stand apart from the script's output */
        const char *body = logring_get(j->log, i) + UI_LOG_STAMP;
        int attr = hit ? (int)A_REVERSE : body[0] == '[' ? theme_attr(THEME_HEADER) : (int)A_NORMAL;
        attron(attr);
        if (!ui->log_wrap) {
            draw_text(row++, x, text, w);
        } else {
            int off = 0;
            do {
                int take = piece_of(text + off, w);
                mvaddnstr(row++, x, text + off, take);
                off += take;
            } while (text[off] && row < y + h);
        }
        attroff(attr);
    }
}

void jobs_view_draw(const struct ui *ui, int y, int x, int h, int w)
{
    if (ui->njobs == 0) {
        draw_text(y + 1, x + 2,
                  _("LOGS: no jobs yet. Select an offer, pick a recipe (p) and press L to launch;"),
                  w - 4);
        draw_text(y + 2, x + 2, _("its setup log streams here."), w - 4);
        return;
    }
    int list = 0;
    if (!ui->log_full) {
        int rows = (int)ui->njobs < LIST_MAX ? (int)ui->njobs : LIST_MAX;
        int top = y;
        draw_list(ui, &top, x, w, rows);
        list = top - y;
        mvhline(top, x, ACS_HLINE, w);
        list++;
    }
    draw_pane(ui, &ui->jobs[ui->job_sel], y + list, x, h - list, w);
}
