/* Headless launch: the checklist, then one job whose events are printed as they come. */
#include "cmd_launch.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_check.h"
#include "cmd_offers.h"
#include "config.h"
#include "events.h"
#include "i18n.h"
#include "job.h"
#include "ssh.h"

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* The checklist's verdict in one line; false when a row FAILs (then each is named on stderr). */
static bool preflight_ok(const struct preflight_row *rows)
{
    int counts[CHECK_UNKNOWN + 1] = {0};
    for (int i = 0; i < PREFLIGHT_ROWS; i++)
        counts[rows[i].status]++;
    /* not translated: the checklist's status names and their counts, a line scripts read */
    printf("[preflight] %d PASS, %d WARN, %d FAIL, %d PENDING, %d UNKNOWN\n", counts[CHECK_PASS],
           counts[CHECK_WARN], counts[CHECK_FAIL], counts[CHECK_PENDING], counts[CHECK_UNKNOWN]);
    for (int i = 0; i < PREFLIGHT_ROWS; i++)
        if (rows[i].status == CHECK_WARN || rows[i].status == CHECK_FAIL)
            fprintf(rows[i].status == CHECK_FAIL ? stderr : stdout,
                    /* TRANSLATORS: [preflight] is a tag and %s a status (WARN, FAIL): both stay
                     * as they are; then the row's number, its title and the reason */
                    _("[preflight] %s row %d (%s): %s\n"), check_status_name(rows[i].status),
                    rows[i].item, rows[i].title, rows[i].reason);
    return counts[CHECK_FAIL] == 0;
}

void cmd_launch_paths(struct launch_paths *paths)
{
    config_dir("STATE", paths->state, sizeof paths->state);
    snprintf(paths->known_hosts, sizeof paths->known_hosts, "%s/known_hosts", paths->state);
    snprintf(paths->demo, sizeof paths->demo, "%s/demo", paths->state);
}

void cmd_launch_defaults(struct job_spec *spec, const struct launch_paths *paths)
{
    ssh_config_default(&spec->ssh);
    const char *user = getenv("GPUWARDEN_SSH_USER");
    const char *key = getenv("GPUWARDEN_SSH_KEY");
    spec->ssh.user = user && *user ? user : "root";
    spec->ssh.key_path = key && *key ? key : NULL;
    spec->ssh.known_hosts = paths->known_hosts;
    job_timing_default(&spec->timing);
    spec->state_dir = paths->state[0] ? paths->state : NULL;
    spec->demo_dir = paths->demo;
}

/* Prints one event; returns the job's final state, or -1 while it runs. */
static int print_event(const struct cli_options *o, const struct event *ev, enum job_step *step)
{
    if (ev->type == EVENT_LOG_LINES) {
        const struct log_batch *b = ev->payload;
        if (o->follow)
            for (const char *l = log_batch_next(b, NULL); l; l = log_batch_next(b, l))
                printf("[%s] %s\n", job_step_name(*step), l);
        return -1;
    }
    if (ev->type != EVENT_JOB_STEP)
        return -1;
    const struct job_status *st = ev->payload;
    *step = st->step;
    if (st->state == JOB_RUNNING || st->state == JOB_READY)
        printf("[%s] %s%s\n", job_step_name(st->step), st->warn ? _("warning: ") : "", st->message);
    if (st->state == JOB_RUNNING)
        return -1;
    if (st->state != JOB_READY) {
        fflush(stdout);
        /* TRANSLATORS: the job's state (failed, cancelled) and the step it ended in (create,
         * boot, connect, verify, setup, health, test) stay English; then why */
        fprintf(stderr, _("gpuwarden: launch %s at %s: %s"), job_state_name(st->state),
                job_step_name(st->step), st->message);
        /* TRANSLATORS: the number of the failure case (gpuwarden cases N) */
        fprintf(stderr, st->case_id ? _(" (case %d)\n") : "\n", st->case_id);
        for (size_t i = 0; i < sizeof st->last_lines / sizeof st->last_lines[0]; i++)
            if (st->last_lines[i][0])
                fprintf(stderr, "  | %s\n", st->last_lines[i]);
        if (st->instance_id)
            fprintf(stderr,
                    /* TRANSLATORS: the instance id, an optional " (its GPU is not what was
                     * advertised...)", then two commands to copy, to be kept as they are */
                    _("gpuwarden: instance %lld is left as it is%s; keep it, or `gpuwarden stop "
                      "%lld --confirm %lld` / `gpuwarden destroy %lld --confirm %lld`\n"),
                    (long long)st->instance_id,
                    st->ask_destroy ? _(" (its GPU is not what was advertised: destroying it is "
                                        "advised)")
                                    : "",
                    (long long)st->instance_id, (long long)st->instance_id,
                    (long long)st->instance_id, (long long)st->instance_id);
    }
    return (int)st->state;
}

int cmd_launch(const struct cli_options *o, const struct recipe *r)
{
    struct gw_error err = {0};
    struct market_result m = {0};
    struct preflight_row rows[PREFLIGHT_ROWS];
    if (cmd_check_eval(o, r, &m, rows, &err) < 0) {
        fprintf(stderr, _("gpuwarden: %s; nothing was rented\n"), err.msg);
        market_result_free(&m);
        return err.kind ? (int)err.kind : EXIT_PROVIDER;
    }
    if (!preflight_ok(rows)) {
        fprintf(stderr, _("gpuwarden: launch refused: the preflight checklist has a FAIL row; "
                          "nothing was rented\n"));
        market_result_free(&m);
        return EXIT_CHECK_FAILED;
    }
    struct provider *p = cmd_offers_provider(o, &err);
    if (p == NULL) {
        fprintf(stderr, "gpuwarden: %s\n", err.msg);
        market_result_free(&m);
        return err.kind ? (int)err.kind : EXIT_USAGE;
    }
    struct job_spec spec = {.id = 1,
                            .provider = p,
                            .offer = m.offers.items[0],
                            .recipe = r,
                            .required_vram_gb = o->req.min_vram_gb};
    struct launch_paths paths;
    cmd_launch_paths(&paths);
    cmd_launch_defaults(&spec, &paths);
    market_result_free(&m);

    struct event_queue *q = events_new();
    struct job *job = q ? job_start(&spec, q, &err) : NULL;
    if (job == NULL) {
        fprintf(stderr, "gpuwarden: %s\n", q ? err.msg : _("cannot create the event queue"));
        events_free(q);
        provider_free(p);
        return EXIT_PROVIDER;
    }
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_interrupt;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int final = -1;
    enum job_step step = JOB_CREATE;
    bool told = false;
    while (final < 0) {
        if (interrupted && !told) {
            told = true;
            fprintf(stderr, _("gpuwarden: interrupted: stopping the job; the instance and any "
                              "setup running on it are left as they are\n"));
            job_cancel(job);
        }
        struct pollfd pfd = {events_wake_fd(q), POLLIN, 0};
        if (poll(&pfd, 1, 200) < 0 && errno != EINTR)
            break;
        for (struct event *ev = events_drain(q), *next; ev; ev = next) {
            next = ev->next;
            int s = print_event(o, ev, &step);
            if (s >= 0)
                final = s;
            event_free(ev);
        }
        fflush(stdout);
    }
    job_free(job);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    events_free(q);
    provider_free(p);
    return final == JOB_READY ? EXIT_OK : EXIT_CHECK_FAILED;
}
