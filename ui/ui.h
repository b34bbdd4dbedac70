/* The dashboard's state, owned by the UI thread alone (DESIGN §2). Views read it to draw and
 * app.c changes it in response to keys and worker events. */
#ifndef GPUWARDEN_UI_H
#define GPUWARDEN_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dialog.h"
#include "fleet.h"
#include "gate.h"
#include "job.h"
#include "lint.h"
#include "logring.h"
#include "market.h"
#include "metawork.h"
#include "recipe.h"
#include "rules.h"

/* offer.flags bits set by the live table */
#define UI_OFFER_NEW  0x1 /* appeared in the latest refresh */
#define UI_OFFER_GONE 0x2 /* vanished; kept while selected */

enum ui_view { UI_VIEW_OFFERS = 1, UI_VIEW_DETAIL, UI_VIEW_LOGS, UI_VIEW_INSTANCES };

#define UI_MAX_JOBS  16
#define UI_LOG_LINES 10000 /* per job; older lines are dropped and counted */
#define UI_LOG_STAMP 9     /* "HH:MM:SS " in front of every stored line */

/* A launch as the dashboard sees it: the worker (NULL once it has ended, or for a job loaded
 * from the state file) and what its events said. */
struct ui_job {
    struct job *job;
    struct job_status st; /* the latest JOB_STEP payload */
    struct logring *log;  /* step messages and setup output, each with its time stamp */
    bool follow;          /* the pane sticks to the newest line */
    size_t scroll;        /* while paused: lines between the bottom of the pane and the end */
    unsigned long long paused_total; /* logring_total() when the pane was paused */
    int phase_total; /* "=== Phase" lines in the script, for the progress bar; 0 unknown */
    double ended_at; /* wall time of the final event, 0 while running */
};

/* What a confirmed dialog does. */
enum ui_dialog_kind {
    UI_DIALOG_LAUNCH = 1,
    UI_DIALOG_JOB_FAILED,
    UI_DIALOG_STOP,          /* gate_view.c owns the kinds from here on */
    UI_DIALOG_DESTROY,       /* type-to-confirm, Stop instead */
    UI_DIALOG_DESTROY_AGAIN, /* the second confirmation after a long setup */
    UI_DIALOG_QUIT,
};

#define UI_MAX_GATE 8 /* stop / destroy requests in flight at once */

/* What a stop or destroy dialog is about, copied when it opens (SPEC §8): the request goes to
 * this id whatever the table shows by the time the operator confirms. */
struct ui_gate_target {
    int64_t id;
    char label[128];
    char gpu[64];   /* "1x RTX 3060" */
    char host[200]; /* "ssh5.vast.ai:12345, Texas, US", or why it has none */
    char state[24]; /* the provider's actual_status when captured */
    char who[24];   /* fleet_mark_name: the operator sees whose machine it is */
    double dph;     /* NAN unknown */
    double uptime_s;
    double cost_usd;
    double setup_s;
    char typed[24]; /* what the destroy dialog's field held when it was confirmed */
};

/* A confirmed request on its thread; joined when its EVENT_GATE_DONE arrives or at shutdown. */
struct ui_gate_flight {
    struct gate_worker *worker;
    int source; /* the event source that names it */
    int64_t id;
    enum gate_action action;
};

struct ui {
    /* data */
    struct offer_list offers; /* the live market, sorted; may hold one GONE offer */
    time_t fetched_at;        /* 0 before the first answer */
    bool fetching;
    char error[256]; /* the last failure, "" when the last fetch worked */
    const char *provider;
    bool demo;
    const struct requirements *req; /* points at req_now */
    struct requirements req_now;    /* the flags' requirements with the recipe applied */
    struct requirements req_flags;  /* the flags' alone: a recipe change starts from these */

    /* recipe and preflight */
    struct recipe_list recipes;  /* bundled + user, for the picker */
    const struct recipe *recipe; /* chosen, or NULL; points into recipes or at the CLI's */
    struct lint_report lint;     /* of the chosen recipe's setup script */
    struct source_meta sources[METAWORK_MAX]; /* the recipe's image, repo, models */
    size_t nsources;
    bool meta_fetching;     /* waiting for the metadata worker */
    int meta_generation;    /* the request whose answer counts */
    char recipe_error[512]; /* a bad user recipe file, shown in the picker */

    /* jobs */
    struct ui_job jobs[UI_MAX_JOBS];
    size_t njobs;
    size_t job_sel; /* the job whose log the pane shows */
    bool log_wrap;  /* `w` */
    bool log_times; /* `t` */
    bool log_full;  /* `f`: the log pane takes the whole view */
    char log_search[64];
    bool search_editing;
    struct dialog dialog;
    struct offer dialog_offer; /* the offer a launch dialog is about, copied when it opened */
    char notice[256];          /* a one-line message under the status bar ("" none) */

    /* instances (view 4) */
    struct fleet fleet;         /* the account's instances joined with the state file */
    bool fleet_ready;           /* an instance list has arrived */
    char fleet_error[256];      /* why the last list failed, "" when it worked */
    double born;                /* the dashboard's start (the demo's instances end with it) */
    int64_t inst_selected;      /* follows the instance across refreshes; 0 = none */
    size_t inst_row;            /* where the selection was, for when its instance vanishes */
    size_t inst_top;            /* first visible row */
    int inst_height;            /* rows visible, set by the last draw */
    int64_t inst_asked;         /* the last unknown job instance a refresh was asked for */
    struct ui_gate_target gate; /* the open gate dialog's target */
    struct ui_gate_flight flights[UI_MAX_GATE]; /* requests in flight */
    size_t nflights;
    int next_flight;

    /* view */
    size_t *rows; /* indexes into offers.items that pass the filter, in table order */
    size_t nrows, rows_cap;
    int64_t selected_id; /* follows the offer across refreshes and re-sorts; 0 = none */
    size_t top;          /* first visible row */
    int sort_col;        /* index into ui_columns */
    bool sort_desc;
    char filter[64];
    bool filter_editing;
    enum ui_view view;
    bool help;
    int help_page;     /* 0: the keys, 1: the failure cases (Tab switches) */
    bool checklist;    /* the checklist panel replaces the detail panel */
    bool picker;       /* the recipe picker is open */
    size_t picker_sel; /* 0: no recipe, i: recipes.items[i - 1] */
    bool quit;

    /* terminal */
    bool utf8, color, mouse;
    int table_height; /* rows of offers visible, set by the last layout */
    int table_y;      /* screen row of the first offer, for mouse clicks */
};

/* A sortable table column: header text, width, and the market sort key behind it. */
struct ui_column {
    const char *title;
    const char *sort_key;
};

extern const struct ui_column ui_columns[];
extern const int ui_ncolumns;

/* Re-sorts the offers by the current column, then refilters (after new data or a sort change). */
void ui_rows_rebuild(struct ui *ui);
/* Recomputes the filtered row list only (a filter change) and keeps the selection on its offer,
 * or moves it to the first row when the filter hides it. */
void ui_rows_filter(struct ui *ui);
/* The selected offer, or NULL. */
const struct offer *ui_selected(const struct ui *ui);
/* Row index of the selection in ui->rows, or nrows when none. */
size_t ui_selected_row(const struct ui *ui);
/* Moves the selection by delta rows (clamped) and drops a GONE offer it leaves. */
void ui_select_move(struct ui *ui, long delta);

#endif
