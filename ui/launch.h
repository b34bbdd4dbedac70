/* The dashboard's side of launching (SPEC §7, §11): the launch dialog, one job per confirmed
 * launch, job events into the jobs list and log panes, and the jobs of earlier sessions read back
 * from the state file (running ones re-attached). */
#ifndef GPUWARDEN_LAUNCH_H
#define GPUWARDEN_LAUNCH_H

#include "cmd_launch.h"
#include "events.h"
#include "provider.h"
#include "ui.h"

struct launcher {
    struct provider *provider; /* owned: the one jobs clone */
    struct event_queue *q;     /* borrowed */
    struct launch_paths paths; /* the jobs' files */
    int next_id;
};

/* Takes ownership of `p` (a clone of the dashboard's provider). */
void launch_init(struct launcher *l, struct provider *p, struct event_queue *q);

/* Reads the state file: jobs of this provider still running are re-attached, finished ones are
 * listed. A corrupt file is set aside and said so in ui->notice. */
void launch_restore(struct ui *ui, struct launcher *l);

/* L: opens the launch dialog for the selected offer (or says why not in ui->notice). */
void launch_open(struct ui *ui, int key);

/* The launch dialog was confirmed: starts the job for ui->dialog_offer. */
void launch_start(struct ui *ui, struct launcher *l);

/* EVENT_JOB_STEP and EVENT_LOG_LINES. */
void launch_event(struct ui *ui, const struct event *ev);

/* Whether any job is still running (for the redraw timer and the quit dialog). */
bool launch_active(const struct ui *ui);

/* Stops following every job (their instances and remote setups are left running, the state
 * file keeps them for the next dashboard) and frees the jobs and the launcher. */
void launch_shutdown(struct ui *ui, struct launcher *l);

#endif
