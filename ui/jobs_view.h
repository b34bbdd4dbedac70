/* View 3: the jobs list (step, elapsed time, phase, state) and the selected job's log pane. */
#ifndef GPUWARDEN_JOBS_VIEW_H
#define GPUWARDEN_JOBS_VIEW_H

#include "ui.h"

void jobs_view_draw(const struct ui *ui, int y, int x, int h, int w);

/* Appends one line to a job's log with the current time stamp. */
void jobs_log_push(struct ui_job *j, const char *text, size_t len);

/* Scrolls the selected job's pane by delta lines (negative: up, which pauses following);
 * reaching the bottom again resumes following. */
void jobs_log_scroll(struct ui *ui, long delta);
/* Resumes following (F, End). */
void jobs_log_follow(struct ui *ui);
/* Pauses on the newest line matching ui->log_search at or above the current position; false
 * when none matches. */
bool jobs_log_find(struct ui *ui);

#endif
