/* Benchmark: one full dashboard frame, 200x60, 10,000 offers and 4 busy log panes (DESIGN §5:
 * <= 5 ms), drawn by app_draw into a real curses screen on a pseudo-terminal whose other end a
 * thread reads, as a terminal would. Prints figures, never pass/fail. */
#include <curses.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "figure.h"
#include "jobs_view.h"
#include "market_gen.h"
#include "offers_view.h"
#include "theme.h"

#define COLS_W    200
#define LINES_H   60
#define JOBS      4
#define WARMUP    30
#define FRAMES    300
#define PER_FRAME 100 /* new lines per job per frame: 3,000 lines/s each at 30 fps */

/* The terminal's side: reads everything the screen writes, counting bytes. */
struct reader {
    int fd;
    atomic_bool stop;
    atomic_ullong bytes;
};

static void *drain(void *arg)
{
    struct reader *r = arg;
    char buf[65536];
    while (!atomic_load(&r->stop)) {
        ssize_t n = read(r->fd, buf, sizeof buf);
        if (n > 0)
            atomic_fetch_add(&r->bytes, (unsigned long long)n);
        else if (n < 0)
            break;
    }
    return NULL;
}

/* A training loop's line, ~80 bytes, numbered per job. */
static void push_line(struct ui_job *j, unsigned long long n)
{
    char line[160];
    int len = snprintf(line, sizeof line,
                       "step %7llu/1000000 | loss %.4f | lr 3.0e-04 | %5llu tok/s | gpu 97%% | "
                       "mem 21.3G",
                       n, 2.0 / (1.0 + (double)n / 5000.0), 40000 + n % 997);
    jobs_log_push(j, line, (size_t)len);
}

static void add_jobs(struct ui *ui)
{
    for (int i = 0; i < JOBS; i++) {
        struct ui_job *j = &ui->jobs[i];
        memset(j, 0, sizeof *j);
        j->log = logring_new(UI_LOG_LINES);
        j->follow = true;
        j->st.job = i + 1;
        j->st.instance_id = 7000001 + i;
        j->st.offer_id = 1000000 + i;
        snprintf(j->st.recipe, sizeof j->st.recipe, "bench-chatter");
        snprintf(j->st.gpu_name, sizeof j->st.gpu_name, "RTX 4090");
        j->st.step = JOB_SETUP;
        j->st.state = JOB_RUNNING;
        j->st.phase = 3;
        snprintf(j->st.phase_name, sizeof j->st.phase_name, "Train");
        j->st.started_at = (double)time(NULL) - 600;
        j->st.setup_s = NAN;
        j->phase_total = 5;
        for (unsigned long long n = 1; n <= UI_LOG_LINES; n++)
            push_line(j, n);
    }
    ui->njobs = JOBS;
    ui->job_sel = 0;
}

enum scene { SCENE_OFFERS, SCENE_LOGS, SCENE_LOGS_WRAP, SCENE_SWITCH, SCENES };

static const char *const scene_names[SCENES] = {
    "offers view (10,000 offers), selection moving",
    "logs view, 4 busy jobs, following",
    "logs view, 4 busy jobs, wrap + time stamps",
    "offers <-> logs every frame (whole screen)",
};

struct result {
    double median, p95, worst, push_ms;
    unsigned long long bytes;
};

/* One scene: WARMUP frames, then FRAMES timed ones. Every frame the 4 jobs first receive
 * PER_FRAME lines each (timed apart: that is event handling, not drawing). */
static struct result run_scene(struct ui *ui, enum scene s, struct reader *rd,
                               unsigned long long *line_no)
{
    static double t[FRAMES];
    double push = 0;
    ui->log_wrap = ui->log_times = s == SCENE_LOGS_WRAP;
    ui->view = s == SCENE_OFFERS ? UI_VIEW_OFFERS : UI_VIEW_LOGS;
    unsigned long long bytes0 = 0;
    for (int i = -WARMUP; i < FRAMES; i++) {
        if (i == 0)
            bytes0 = atomic_load(&rd->bytes);
        double p0 = bench_now_ms();
        for (int k = 0; k < PER_FRAME; k++, (*line_no)++)
            for (int j = 0; j < JOBS; j++)
                push_line(&ui->jobs[j], *line_no);
        double p1 = bench_now_ms();
        if (s == SCENE_OFFERS)
            ui_select_move(ui, i % 50 < 25 ? 1 : -1);
        if (s == SCENE_SWITCH)
            ui->view = ui->view == UI_VIEW_OFFERS ? UI_VIEW_LOGS : UI_VIEW_OFFERS;
        double f0 = bench_now_ms();
        app_draw(ui);
        double f = bench_now_ms() - f0;
        if (i >= 0) {
            t[i] = f;
            push += p1 - p0;
        }
    }
    struct result r = {.median = bench_median(t, FRAMES)};
    r.p95 = bench_quantile(t, FRAMES, 0.95);
    r.worst = t[FRAMES - 1];
    r.push_ms = push / FRAMES;
    r.bytes = (atomic_load(&rd->bytes) - bytes0) / FRAMES;
    return r;
}

int main(void)
{
    struct requirements req;
    requirements_default(&req);
    struct query q = {0};
    struct market_request mr = {.query = &q, .req = &req};
    size_t len;
    char *text = make_market(10000, &len);
    struct market_result m = {0};
    if (market_from_text(text, len, OFFER_PARSE_STRICT, &mr, &m, NULL) < 0)
        return 1;
    free(text);
    m.fetched_at = time(NULL);

    /* the pseudo-terminal: curses writes to the slave, the reader thread drains the master */
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        perror("bench_frame: posix_openpt");
        return 1;
    }
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    if (slave < 0) {
        perror("bench_frame: open the pty");
        return 1;
    }
    struct winsize ws = {.ws_row = LINES_H, .ws_col = COLS_W};
    ioctl(slave, TIOCSWINSZ, &ws);
    struct reader rd = {.fd = master};
    pthread_t tid;
    pthread_create(&tid, NULL, drain, &rd);
    FILE *out = fdopen(slave, "w"), *in = fdopen(dup(slave), "r");
    setenv("TERM", "xterm-256color", 1);
    setenv("NCURSES_NO_UTF8_ACS", "1", 1);
    SCREEN *screen = newterm(NULL, out, in);
    if (screen == NULL)
        return 1;
    resizeterm(LINES_H, COLS_W);
    curs_set(0);
    theme_init(true);

    struct ui ui;
    memset(&ui, 0, sizeof ui);
    ui.provider = "demo";
    ui.demo = true;
    ui.req = &req;
    ui.view = UI_VIEW_OFFERS;
    ui.utf8 = true;
    offers_view_replace(&ui, &m);
    market_result_free(&m);
    add_jobs(&ui);

    printf(
        "dashboard frame, %dx%d, on a pty (xterm-256color, colours): 10,000 offers, %d jobs each "
        "with a full %d-line log ring and %d new lines per job per frame; %d frames timed after "
        "%d\n",
        COLS_W, LINES_H, JOBS, UI_LOG_LINES, PER_FRAME, FRAMES, WARMUP);
    unsigned long long line_no = UI_LOG_LINES + 1;
    double figure = 0;
    for (int s = 0; s < SCENES; s++) {
        struct result r = run_scene(&ui, (enum scene)s, &rd, &line_no);
        printf("  %-46s median %5.2f ms  p95 %5.2f  worst %5.2f  (%5llu bytes to the terminal; "
               "%.2f ms to push the lines)\n",
               scene_names[s], r.median, r.p95, r.worst, r.bytes, r.push_ms);
        figure = r.median > figure ? r.median : figure;
    }
    endwin();
    delscreen(screen);
    fclose(out);
    fclose(in);
    atomic_store(&rd.stop, true);
    close(master); /* wakes the reader */
    pthread_join(tid, NULL);
    bench_figure("frame 200x60, 10,000 offers + 4 busy logs", figure, 2, "ms", "<=", 5);
    for (int i = 0; i < JOBS; i++)
        logring_free(ui.jobs[i].log);
    offer_list_free(&ui.offers);
    free(ui.rows);
    return 0;
}
