/* The UI loop (DESIGN §2): poll() stdin and the event queue's wake fd with a timeout equal to
 * the next timer, drain every key and every event, then redraw once, at most ~30 times a
 * second. Nothing else calls curses. */
#include "app.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "checklist_view.h"
#include "cmd_offers.h"
#include "detail_view.h"
#include "dialog.h"
#include "draw.h"
#include "events.h"
#include "gate_view.h"
#include "help.h"
#include "hub.h"
#include "i18n.h"
#include "instances_view.h"
#include "jobs_view.h"
#include "keys.h"
#include "launch.h"
#include "offers_view.h"
#include "picker.h"
#include "preflight.h"
#include "refresh.h"
#include "theme.h"

#define FRAME_MS  33
#define MIN_COLS  80
#define MIN_LINES 24
#define WIDE_COLS 120

static volatile sig_atomic_t quit_signal;
static struct termios saved_termios;
static volatile sig_atomic_t have_termios, curses_active;

static void on_quit_signal(int sig)
{
    (void)sig;
    quit_signal = 1;
}

/* A crash anywhere (a worker included) must not leave the terminal raw and on the alternate
 * screen. Only async-signal-safe calls here: write, tcsetattr, signal, raise. */
static void on_crash(int sig)
{
    static const char restore[] = "\033[0m\033[?1049l\033[?25h\r\n";
    if (curses_active) {
        ssize_t rc = write(STDOUT_FILENO, restore, sizeof restore - 1);
        (void)rc;
        if (have_termios)
            tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void restore_at_exit(void)
{
    if (curses_active && !isendwin())
        endwin();
    curses_active = 0;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_quit_signal; /* no SA_RESTART: poll() must wake with EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_crash;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "12s ago", "4 min ago" */
static void format_age(time_t fetched, char *buf, size_t size)
{
    long age = (long)(time(NULL) - fetched);
    if (age < 0)
        age = 0;
    if (age < 60)
        snprintf(buf, size, _("%lds ago"), age);
    else if (age < 3600)
        snprintf(buf, size, _("%ld min ago"), age / 60);
    else
        snprintf(buf, size, _("%ld h ago"), age / 3600);
}

/* Milliseconds until something on screen changes by itself: the data age or the spinner. */
static int next_timer_ms(const struct ui *ui)
{
    if (ui->fetching || (ui->meta_fetching && ui->checklist))
        return 250;
    if (launch_active(ui))
        return 1000; /* elapsed times tick */
    if (ui->fetched_at == 0)
        return -1;
    long age = (long)(time(NULL) - ui->fetched_at);
    long step = age < 60 ? 1 : 60;
    long wait_s = step - age % step;
    return (int)(wait_s * 1000);
}

static void draw_status(const struct ui *ui, int cols)
{
    size_t verdicts[3] = {0, 0, 0};
    for (size_t i = 0; i < ui->offers.count; i++)
        if (!(ui->offers.items[i].flags & UI_OFFER_GONE))
            verdicts[ui->offers.items[i].verdict % 3]++;
    char age[32] = "", line[320];
    if (ui->fetched_at)
        format_age(ui->fetched_at, age, sizeof age);
    static const char spin[] = "|/-\\";
    char state[48] = "";
    if (ui->fetching)
        snprintf(state, sizeof state, _(" %c refreshing"), spin[(now_ms() / 250) % 4]);
    size_t running = 0;
    for (size_t i = 0; i < ui->njobs; i++)
        running += ui->jobs[i].job != NULL;
    char jobs[48] = "";
    if (ui->njobs)
        snprintf(jobs, sizeof jobs, _(" | jobs %zu running"), running);
    snprintf(line, sizeof line,
             _(" gpuwarden | %s | %zu offers: %zu pass %zu warn %zu block | %s%s%s%s%s%s%s"),
             ui->provider, verdicts[0] + verdicts[1] + verdicts[2], verdicts[0], verdicts[1],
             verdicts[2], ui->fetched_at ? _("updated ") : _("waiting for data"), age, state,
             ui->filter[0] ? _(" | filtered") : "", ui->recipe ? _(" | recipe ") : "",
             ui->recipe ? ui->recipe->name : "", jobs);
    attron(theme_attr(THEME_STATUS));
    mvhline(0, 0, ' ', cols);
    draw_text(0, 0, line, cols);
    attroff(theme_attr(THEME_STATUS));
    if (ui->demo) {
        /* the banner never hides the status: it shortens to "DEMO" on narrow terminals */
        const char *banner =
            ui->utf8 ? _(" DEMO \u2014 nothing is rented ") : _(" DEMO - nothing is rented ");
        int bw = textwidth_cols(banner), text = textwidth_cols(line);
        if (text + bw >= cols) {
            banner = " DEMO ";
            bw = 6;
        }
        attron(theme_attr(THEME_BANNER));
        mvaddstr(0, cols - bw, banner);
        attroff(theme_attr(THEME_BANNER));
    }
}

static void draw_hints(const struct ui *ui, int y, int cols)
{
    attron(theme_attr(THEME_HINT));
    mvhline(y, 0, ' ', cols);
    if (ui->filter_editing || ui->search_editing) {
        char line[128];
        snprintf(line, sizeof line, _(" %s: %s_   (Enter keeps, Esc clears)"),
                 ui->filter_editing ? _("filter") : _("search the log"),
                 ui->filter_editing ? ui->filter : ui->log_search);
        draw_text(y, 0, line, cols);
    } else if (ui->view == UI_VIEW_INSTANCES) {
        draw_text(y, 0,
                  _(" ?:help  q:quit  j/k:move  S:stop  D:destroy  ^R:refresh  1-4:views  "
                    "(each asks first)"),
                  cols);
    } else if (ui->view == UI_VIEW_LOGS) {
        draw_text(y, 0,
                  _(" ?:help  q:quit  j/k:scroll  F/End:follow  w:wrap  t:times  /:search  "
                    "f:fullscreen  [/]:job  1-4:views"),
                  cols);
    } else {
        draw_text(y, 0,
                  _(" ?:help  q:quit  j/k:move  /:filter  </>:sort  Enter:detail  p:recipe  "
                    "c:checklist  L:launch  1-4:views  ^R:refresh"),
                  cols);
    }
    attroff(theme_attr(THEME_HINT));
}

void app_draw(struct ui *ui)
{
    erase();
    int lines = LINES, cols = COLS;
    if (cols < MIN_COLS || lines < MIN_LINES) {
        char msg[96];
        snprintf(msg, sizeof msg, _("terminal too small: %dx%d, need %dx%d"), cols, lines, MIN_COLS,
                 MIN_LINES);
        int len = textwidth_cols(msg);
        draw_text(lines / 2, cols > len ? (cols - len) / 2 : 0, msg, cols);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    draw_status(ui, cols);
    int top = 1;
    if (ui->error[0]) {
        char line[400], age[32] = "";
        if (ui->fetched_at)
            format_age(ui->fetched_at, age, sizeof age);
        snprintf(line, sizeof line, _(" refresh failed: %s%s%s"), ui->error,
                 ui->offers.count ? _("; showing offers from ") : "", ui->offers.count ? age : "");
        attron(theme_attr(THEME_ERROR));
        mvhline(top, 0, ' ', cols);
        draw_text(top, 0, line, cols);
        attroff(theme_attr(THEME_ERROR));
        top++;
    }
    if (ui->notice[0]) {
        attron(theme_attr(THEME_WARN));
        mvhline(top, 0, ' ', cols);
        draw_text(top, 1, ui->notice, cols - 1);
        attroff(theme_attr(THEME_WARN));
        top++;
    }
    int h = lines - 1 - top;
    /* the side panel: the checklist when it is on, else the findings */
    void (*panel)(const struct ui *, int, int, int, int) =
        ui->checklist ? checklist_view_draw : detail_view_draw;
    switch (ui->view) {
    case UI_VIEW_OFFERS:
        if (cols >= WIDE_COLS) {
            int dw = cols / 3 > 44 ? cols / 3 : 44;
            offers_view_draw(ui, top, 0, h, cols - dw - 1);
            mvvline(top, cols - dw - 1, ACS_VLINE, h);
            panel(ui, top, cols - dw, h, dw);
        } else {
            offers_view_draw(ui, top, 0, h, cols);
        }
        break;
    case UI_VIEW_DETAIL: panel(ui, top, 0, h, cols); break;
    case UI_VIEW_LOGS: jobs_view_draw(ui, top, 0, h, cols); break;
    case UI_VIEW_INSTANCES: instances_view_draw(ui, top, 0, h, cols); break;
    }
    draw_hints(ui, lines - 1, cols);
    if (ui->picker)
        picker_draw(ui, lines, cols);
    if (ui->help)
        help_draw(ui->help_page, lines, cols);
    dialog_draw(&ui->dialog, lines, cols);
    wnoutrefresh(stdscr);
    doupdate();
}

static void handle_filter_key(struct ui *ui, int ch)
{
    size_t n = strlen(ui->filter);
    if (ch == 27) {
        ui->filter[0] = '\0';
        ui->filter_editing = false;
    } else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        ui->filter_editing = false;
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (n > 0)
            ui->filter[n - 1] = '\0';
    } else if (ch >= 32 && ch < 127 && n + 1 < sizeof ui->filter) {
        ui->filter[n] = (char)ch;
        ui->filter[n + 1] = '\0';
    } else {
        return;
    }
    ui_rows_filter(ui);
}

static void handle_mouse(struct ui *ui)
{
    MEVENT me;
    if (getmouse(&me) != OK || !(me.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
        return;
    long row = (long)me.y - ui->table_y;
    if (ui->view == UI_VIEW_OFFERS && row >= 0 && row < ui->table_height)
        ui_select_move(ui, (long)(ui->top + (size_t)row) - (long)ui_selected_row(ui));
}

/* Workers the keys talk to. */
struct workers {
    struct refresh *refresh;
    struct metawork *meta;
    struct launcher *launch;
};

/* Makes `r` (or no recipe) the one in force: requirements re-derived from the flags, the table
 * re-judged at once, the refresh worker told, the script linted, metadata requested. */
static void recipe_select(struct ui *ui, const struct workers *w, const struct recipe *r)
{
    ui->recipe = r;
    ui->req_now = ui->req_flags;
    if (r)
        recipe_apply(r, &ui->req_now);
    rules_apply_list(&ui->offers, &ui->req_now, gpus_builtin());
    ui_rows_rebuild(ui);
    refresh_set_requirements(w->refresh, &ui->req_now);
    lint_report_free(&ui->lint);
    ui->nsources = 0;
    ui->meta_fetching = false;
    ui->meta_generation++;
    if (!r)
        return;
    lint_text(r->script, r->script_len, &ui->lint);
    ui->nsources = preflight_sources(r, ui->sources, METAWORK_MAX);
    ui->meta_fetching = true;
    metawork_request(w->meta, ui->sources, ui->nsources, ui->meta_generation);
    ui->checklist = true;
}

static void handle_search_key(struct ui *ui, int ch)
{
    size_t n = strlen(ui->log_search);
    if (ch == 27) {
        ui->log_search[0] = '\0';
        ui->search_editing = false;
    } else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        ui->search_editing = false;
        if (!jobs_log_find(ui))
            snprintf(ui->notice, sizeof ui->notice, _("'%s' is not in this log"), ui->log_search);
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (n > 0)
            ui->log_search[n - 1] = '\0';
    } else if (ch >= 32 && ch < 127 && n + 1 < sizeof ui->log_search) {
        ui->log_search[n] = (char)ch;
        ui->log_search[n + 1] = '\0';
    }
}

static void handle_dialog_key(struct ui *ui, const struct workers *w, int ch)
{
    if (gate_view_owns(ui)) {
        gate_view_key(ui, w->launch, ch);
        return;
    }
    int button = 0;
    int kind = ui->dialog.kind;
    int64_t target = ui->dialog.target;
    if (dialog_key(&ui->dialog, ch, &button) != DIALOG_CHOSEN)
        return;
    if (kind == UI_DIALOG_LAUNCH)
        launch_start(ui, w->launch);
    else if (kind == UI_DIALOG_JOB_FAILED) /* Stop... or Destroy...: the gate's dialog asks */
        gate_view_open(ui, button == 1 ? GATE_STOP : GATE_DESTROY, target, ch);
}

/* The log view's keys: scrolling pauses, F/End follow, w t f toggle, [ ] pick the job. */
static bool handle_log_key(struct ui *ui, enum action a, long page)
{
    switch (a) {
    case ACT_UP: jobs_log_scroll(ui, -1); return true;
    case ACT_DOWN: jobs_log_scroll(ui, 1); return true;
    case ACT_PAGE_UP: jobs_log_scroll(ui, -page); return true;
    case ACT_PAGE_DOWN: jobs_log_scroll(ui, page); return true;
    case ACT_TOP: jobs_log_scroll(ui, -(long)UI_LOG_LINES); return true;
    case ACT_BOTTOM:
    case ACT_FOLLOW: jobs_log_follow(ui); return true;
    case ACT_WRAP: ui->log_wrap = !ui->log_wrap; return true;
    case ACT_TIMESTAMPS: ui->log_times = !ui->log_times; return true;
    case ACT_FULLSCREEN: ui->log_full = !ui->log_full; return true;
    case ACT_JOB_PREV:
    case ACT_JOB_NEXT:
        if (ui->njobs)
            ui->job_sel = (ui->job_sel + (a == ACT_JOB_NEXT ? 1 : ui->njobs - 1)) % ui->njobs;
        return true;
    case ACT_FILTER: ui->search_editing = true; return true;
    default: return false;
    }
}

static void handle_picker_key(struct ui *ui, const struct workers *w, int ch)
{
    size_t n = ui->recipes.count + 1;
    enum action a = keys_action(ch);
    if (a == ACT_ESCAPE || a == ACT_QUIT || a == ACT_RECIPE) {
        ui->picker = false;
    } else if (a == ACT_UP) {
        ui->picker_sel = (ui->picker_sel + n - 1) % n;
    } else if (a == ACT_DOWN) {
        ui->picker_sel = (ui->picker_sel + 1) % n;
    } else if (a == ACT_DETAIL) {
        ui->picker = false;
        recipe_select(ui, w, ui->picker_sel ? &ui->recipes.items[ui->picker_sel - 1] : NULL);
    }
}

static void handle_key(struct ui *ui, const struct workers *w, int ch)
{
    if (ch == KEY_RESIZE)
        return;
    if (ch == KEY_MOUSE) {
        handle_mouse(ui);
        return;
    }
    if (ui->filter_editing) {
        handle_filter_key(ui, ch);
        return;
    }
    if (ui->search_editing) {
        handle_search_key(ui, ch);
        return;
    }
    /* refreshing and redrawing change nothing an open dialog asks about (it acts on what it
     * captured), so they work under one too */
    if (keys_action(ch) == ACT_REFRESH) {
        refresh_now(w->refresh);
        return;
    }
    if (keys_action(ch) == ACT_REDRAW) {
        clearok(curscr, TRUE);
        return;
    }
    if (ui->dialog.open) {
        handle_dialog_key(ui, w, ch);
        return;
    }
    if (ui->picker) {
        handle_picker_key(ui, w, ch);
        return;
    }
    ui->notice[0] = '\0'; /* a notice lasts until the next key */
    enum action act = keys_action(ch);
    if (ui->help && (act == ACT_FOCUS_NEXT || act == ACT_FOCUS_PREV)) {
        ui->help_page = !ui->help_page; /* the overlay's two pages: keys, failure cases */
        return;
    }
    long page = ui->table_height > 1 ? ui->table_height - 1 : 1;
    if (ui->view == UI_VIEW_LOGS &&
        handle_log_key(ui, keys_action(ch), LINES > 12 ? LINES - 12 : 1))
        return;
    if (ui->view == UI_VIEW_INSTANCES && instances_view_key(ui, keys_action(ch)))
        return;
    switch (keys_action(ch)) {
    case ACT_HELP: ui->help = !ui->help; break;
    case ACT_QUIT: ui->quit = !gate_view_quit(ui, ch); break;
    case ACT_ESCAPE:
        if (ui->help)
            ui->help = false;
        else if (ui->view != UI_VIEW_OFFERS)
            ui->view = UI_VIEW_OFFERS;
        else if (ui->filter[0]) {
            ui->filter[0] = '\0';
            ui_rows_filter(ui);
        }
        break;
    case ACT_FOCUS_NEXT: ui->view = ui->view % 4 + 1; break;
    case ACT_FOCUS_PREV: ui->view = (ui->view + 2) % 4 + 1; break;
    case ACT_VIEW_OFFERS: ui->view = UI_VIEW_OFFERS; break;
    case ACT_VIEW_DETAIL: ui->view = UI_VIEW_DETAIL; break;
    case ACT_VIEW_LOGS: ui->view = UI_VIEW_LOGS; break;
    case ACT_VIEW_INSTANCES: ui->view = UI_VIEW_INSTANCES; break;
    case ACT_UP: ui_select_move(ui, -1); break;
    case ACT_DOWN: ui_select_move(ui, 1); break;
    case ACT_PAGE_UP: ui_select_move(ui, -page); break;
    case ACT_PAGE_DOWN: ui_select_move(ui, page); break;
    case ACT_TOP: ui_select_move(ui, -(long)ui->nrows); break;
    case ACT_BOTTOM: ui_select_move(ui, (long)ui->nrows); break;
    case ACT_FILTER:
        ui->view = UI_VIEW_OFFERS;
        ui->filter_editing = true;
        break;
    case ACT_SORT_PREV:
    case ACT_SORT_NEXT: {
        int step = keys_action(ch) == ACT_SORT_NEXT ? 1 : ui_ncolumns - 1;
        ui->sort_col = (ui->sort_col + step) % ui_ncolumns;
        ui->sort_desc = false;
        ui_rows_rebuild(ui);
        break;
    }
    case ACT_REVERSE:
        ui->sort_desc = !ui->sort_desc;
        ui_rows_rebuild(ui);
        break;
    case ACT_DETAIL: ui->view = ui->view == UI_VIEW_DETAIL ? UI_VIEW_OFFERS : UI_VIEW_DETAIL; break;
    case ACT_RECIPE:
        /* the cursor starts on the recipe in force */
        ui->picker = true;
        ui->picker_sel = 0;
        for (size_t i = 0; ui->recipe && i < ui->recipes.count; i++)
            if (!strcmp(ui->recipes.items[i].name, ui->recipe->name))
                ui->picker_sel = i + 1;
        break;
    case ACT_CHECKLIST:
        /* narrow terminals have no side panel: `c` shows the checklist full screen */
        if (COLS < WIDE_COLS && ui->view != UI_VIEW_DETAIL) {
            ui->checklist = true;
            ui->view = UI_VIEW_DETAIL;
        } else {
            ui->checklist = !ui->checklist;
        }
        break;
    case ACT_LAUNCH: launch_open(ui, ch); break;
    case ACT_STOP:
    case ACT_DESTROY:
        if (ui->view != UI_VIEW_INSTANCES)
            snprintf(ui->notice, sizeof ui->notice, "%s",
                     _("S and D act on the instances view (4)"));
        else
            gate_view_open_selected(ui, keys_action(ch) == ACT_STOP ? GATE_STOP : GATE_DESTROY, ch);
        break;
    case ACT_FOLLOW:
    case ACT_WRAP:
    case ACT_TIMESTAMPS:
    case ACT_FULLSCREEN:
    case ACT_JOB_PREV:
    case ACT_JOB_NEXT: /* log keys: only in the logs view */
    case ACT_REFRESH:
    case ACT_REDRAW: /* handled above */
    case ACT_NONE: break;
    }
}

static void apply_events(struct ui *ui, struct event_queue *q, const struct workers *w)
{
    for (struct event *ev = events_drain(q), *next; ev; ev = next) {
        next = ev->next;
        switch (ev->type) {
        case EVENT_FETCH_STARTED: ui->fetching = true; break;
        case EVENT_OFFERS_READY:
            ui->fetching = false;
            ui->error[0] = '\0';
            offers_view_replace(ui, ev->payload);
            break;
        case EVENT_ERROR:
            ui->fetching = false;
            snprintf(ui->error, sizeof ui->error, "%s", ev->text);
            break;
        case EVENT_JOB_STEP:
            /* a new instance shows in view 4 now, not at the next refresh tick */
            if (ev->payload && instances_view_wants_refresh(
                                   ui, ((const struct job_status *)ev->payload)->instance_id))
                refresh_now(w->refresh);
            launch_event(ui, ev);
            break;
        case EVENT_LOG_LINES: launch_event(ui, ev); break;
        case EVENT_INSTANCES_READY:
            instances_view_replace(ui, ev->payload, w->launch->paths.state);
            break;
        case EVENT_INSTANCES_ERROR: instances_view_error(ui, ev->text); break;
        case EVENT_GATE_DONE:
            gate_view_done(ui, ev);
            refresh_now(w->refresh);
            break;
        case EVENT_META_READY:
            /* an answer to an older recipe choice is dropped */
            if (ev->source == ui->meta_generation) {
                const struct meta_batch *b = ev->payload;
                ui->nsources = b->count;
                memcpy(ui->sources, b->items, b->count * sizeof *b->items);
                ui->meta_fetching = false;
            }
            break;
        default: break;
        }
        event_free(ev);
    }
}

static int initial_column(const struct cli_options *o)
{
    for (int c = 0; o->sort && c < ui_ncolumns; c++)
        if (market_sort_key(ui_columns[c].sort_key) == o->sort)
            return c;
    return 0;
}

/* Whether a tick of the data-age timer changes only the status bar here: the offer table and the
 * detail pane do not move with time, and no spinner, job clock, overlay or error line is up. */
static bool age_tick_only(const struct ui *ui)
{
    return (ui->view == UI_VIEW_OFFERS || ui->view == UI_VIEW_DETAIL) && !ui->checklist &&
           !ui->help && !ui->picker && !ui->dialog.open && !ui->fetching && !ui->error[0] &&
           !launch_active(ui) && COLS >= MIN_COLS && LINES >= MIN_LINES;
}

static void loop(struct ui *ui, struct event_queue *q, const struct workers *w)
{
    long last_draw = 0;
    bool dirty = true;
    while (!ui->quit && !quit_signal) {
        int timeout = next_timer_ms(ui);
        long since = now_ms() - last_draw;
        if (dirty && since < FRAME_MS)
            timeout = timeout < 0 || timeout > FRAME_MS - since ? (int)(FRAME_MS - since) : timeout;
        else if (dirty)
            timeout = 0;
        if (dirty && timeout == 0) {
            app_draw(ui);
            last_draw = now_ms();
            dirty = false;
            continue;
        }
        struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {events_wake_fd(q), POLLIN, 0}};
        int n = poll(fds, 2, timeout);
        if (n < 0 && errno != EINTR)
            break;
        if (n == 0 && !dirty && age_tick_only(ui)) {
            /* the idle dashboard's once-a-second tick: one line, not the whole screen */
            draw_status(ui, COLS);
            wnoutrefresh(stdscr);
            doupdate();
            last_draw = now_ms();
            continue;
        }
        if (n == 0) {
            dirty = true; /* a timer: the age or the spinner moved */
            continue;
        }
        /* after EINTR too: SIGWINCH is read back as KEY_RESIZE */
        int ch;
        while ((ch = getch()) != ERR) {
            handle_key(ui, w, ch);
            dirty = true;
        }
        if (n > 0 && (fds[1].revents & POLLIN)) {
            apply_events(ui, q, w);
            dirty = true;
        }
        if (n > 0 && (fds[0].revents & (POLLHUP | POLLERR)))
            break; /* the terminal went away */
    }
}

/* The recipe list for the picker; the CLI's recipe is selected when it is in the list (a recipe
 * given as a file is used as it is). */
static void recipes_init(struct ui *ui, const struct recipe *cli_recipe)
{
    char dir[600];
    struct gw_error err = {0};
    recipe_user_dir(dir, sizeof dir);
    if (recipe_list_load(dir, &ui->recipes, &err) < 0)
        snprintf(ui->recipe_error, sizeof ui->recipe_error, "%s", err.msg);
    for (size_t i = 0; cli_recipe && i < ui->recipes.count; i++)
        if (!strcmp(ui->recipes.items[i].name, cli_recipe->name))
            ui->picker_sel = i + 1;
}

int app_run(const struct cli_options *o, const struct recipe *recipe)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "gpuwarden: the dashboard needs a terminal; use `gpuwarden offers` in "
                        "scripts\n");
        return EXIT_USAGE;
    }
    if (o->from) {
        fprintf(stderr, "gpuwarden: --from is for `gpuwarden offers`; the dashboard shows a live "
                        "provider\n");
        return EXIT_USAGE;
    }
    struct gw_error err = {0};
    struct provider *p = cmd_offers_provider(o, &err);
    if (p == NULL) {
        fprintf(stderr, "gpuwarden: %s\n", err.msg);
        return EXIT_USAGE;
    }
    struct event_queue *q = events_new();
    if (q == NULL) {
        fprintf(stderr, "gpuwarden: cannot create the event queue\n");
        provider_free(p);
        return EXIT_PROVIDER;
    }
    struct ui ui;
    memset(&ui, 0, sizeof ui);
    ui.provider = provider_name(p);
    ui.demo = !strcmp(ui.provider, "demo");
    ui.req_flags = o->flag_req;
    ui.req_now = o->req;
    ui.req = &ui.req_now;
    recipes_init(&ui, recipe);
    ui.view = UI_VIEW_OFFERS;
    ui.sort_col = initial_column(o);
    ui.sort_desc = o->sort_desc;
    ui.mouse = o->mouse;
    ui.utf8 = cmd_offers_utf8();
    ui.born = (double)time(NULL);
    struct market_request req = cli_market_request(o);
    req.req = &ui.req_now;

    if (tcgetattr(STDIN_FILENO, &saved_termios) == 0)
        have_termios = 1;
    install_signals();
    atexit(restore_at_exit);
    /* box lines as Unicode in a UTF-8 locale: some terminals (and tmux with a borrowed TERM)
     * show the ACS alternate charset as letters ("x" for a vertical line) */
    if (ui.utf8)
        setenv("NCURSES_NO_UTF8_ACS", "1", 0);
    set_escdelay(25);
    initscr();
    curses_active = 1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    if (ui.mouse)
        mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
    theme_init(!o->no_color);

    struct launcher launcher;
    launch_init(&launcher, provider_clone(p), q);
    struct refresh *refresh = refresh_start(p, &req, o->refresh_s, q, &err);
    if (refresh == NULL) {
        launch_shutdown(&ui, &launcher);
        restore_at_exit();
        fprintf(stderr, "gpuwarden: %s\n", err.msg);
        events_free(q);
        return EXIT_PROVIDER;
    }
    struct hub_config hub;
    cli_hub_config(o, &hub);
    struct workers w = {.refresh = refresh, .meta = metawork_start(&hub, o->offline, q, &err)};
    if (w.meta == NULL) {
        refresh_stop(refresh);
        launch_shutdown(&ui, &launcher);
        restore_at_exit();
        fprintf(stderr, "gpuwarden: %s\n", err.msg);
        events_free(q);
        return EXIT_PROVIDER;
    }
    w.launch = &launcher;
    if (recipe)
        recipe_select(&ui, &w, recipe);
    launch_restore(&ui, &launcher);
    loop(&ui, q, &w);
    gate_view_shutdown(&ui); /* a request under way completes, on the provider it cloned */
    launch_shutdown(&ui, &launcher);
    metawork_stop(w.meta);
    refresh_stop(refresh);
    restore_at_exit();
    events_free(q); /* with whatever the workers posted last */
    offer_list_free(&ui.offers);
    free(ui.rows);
    fleet_free(&ui.fleet);
    lint_report_free(&ui.lint);
    recipe_list_free(&ui.recipes);
    return EXIT_OK;
}
