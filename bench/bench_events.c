/* Benchmark: log lines through the event queue, 8 producers -> 1 consumer (DESIGN §5: >= 2,000,000
 * log lines/s on a 2-core machine). Prints figures, never pass/fail; about 5 s in all. */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "figure.h"
#include "jobs_view.h"
#include "logring.h"

#define PRODUCERS   8
#define MAX_BATCH   256
#define RUN_SECONDS 0.5
#define FIGURE_RUNS 5
/* Producers pause while this many lines wait, so a slow consumer measures itself rather than a
 * queue growing without bound (real workers are held back by the network the same way). */
#define IN_FLIGHT_LIMIT 200000

struct run {
    struct event_queue *q;
    size_t batch;
    atomic_bool go, stop;
    atomic_long in_flight;
    atomic_int done;
};

struct producer {
    struct run *run;
    int id;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *produce(void *arg)
{
    const struct producer *p = arg;
    struct run *run = p->run;
    /* ~80-byte lines like a training job's output; made once, copied by every post. */
    char text[MAX_BATCH][96];
    const char *lines[MAX_BATCH];
    size_t lens[MAX_BATCH];
    for (int i = 0; i < MAX_BATCH; i++) {
        int n =
            snprintf(text[i], sizeof text[i],
                     "[job %d] step %5d/10000 | loss 0.%04d | lr 3.0e-04 | 1%03d tok/s | gpu 9%d%%",
                     p->id, 100 * i + p->id, 1000 + 37 * i, 13 * i, i % 10);
        lines[i] = text[i];
        lens[i] = (size_t)n;
    }
    while (!atomic_load_explicit(&run->go, memory_order_acquire))
        sched_yield();
    size_t at = 0;
    while (!atomic_load_explicit(&run->stop, memory_order_relaxed)) {
        if (atomic_load_explicit(&run->in_flight, memory_order_relaxed) > IN_FLIGHT_LIMIT) {
            sched_yield();
            continue;
        }
        atomic_fetch_add_explicit(&run->in_flight, (long)run->batch, memory_order_relaxed);
        events_post(run->q, events_log_lines(p->id, lines + at, lens + at, run->batch));
        at = (at + run->batch) % MAX_BATCH;
    }
    atomic_fetch_add_explicit(&run->done, 1, memory_order_release);
    return NULL;
}

/* Runs one configuration and returns lines consumed per second. `jobs` (NULL: none) receive
 * every line through jobs_log_push, time stamp and ring, as the UI thread's log panes do. */
static double measure(size_t batch, struct ui_job *jobs, unsigned long long *bytes_out)
{
    struct run run = {.q = events_new(), .batch = batch};
    if (run.q == NULL) {
        fprintf(stderr, "bench_events: cannot create the event queue\n");
        return 0;
    }
    struct producer prod[PRODUCERS];
    pthread_t tid[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        prod[i] = (struct producer){.run = &run, .id = i};
        pthread_create(&tid[i], NULL, produce, &prod[i]);
    }

    unsigned long long lines = 0, bytes = 0;
    double start = now();
    atomic_store_explicit(&run.go, true, memory_order_release);
    for (;;) {
        bool finished = atomic_load_explicit(&run.done, memory_order_acquire) == PRODUCERS;
        if (!atomic_load_explicit(&run.stop, memory_order_relaxed) && now() - start >= RUN_SECONDS)
            atomic_store_explicit(&run.stop, true, memory_order_relaxed);
        struct pollfd pfd = {.fd = events_wake_fd(run.q), .events = POLLIN};
        poll(&pfd, 1, 10);
        long taken = 0;
        for (struct event *ev = events_drain(run.q), *next; ev; ev = next) {
            next = ev->next;
            const struct log_batch *b = ev->payload;
            for (const char *l = log_batch_next(b, NULL); l; l = log_batch_next(b, l)) {
                size_t len = strlen(l);
                if (jobs)
                    jobs_log_push(&jobs[ev->source], l, len);
                bytes += len;
            }
            taken += (long)b->count;
            event_free(ev);
        }
        lines += (unsigned long long)taken;
        atomic_fetch_sub_explicit(&run.in_flight, taken, memory_order_relaxed);
        /* `finished` was read before this drain, so that drain took the last of it. */
        if (finished)
            break;
    }
    double elapsed = now() - start;
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(tid[i], NULL);
    events_free(run.q);
    *bytes_out = bytes;
    return (double)lines / elapsed;
}

static void report(const char *label, double rate, unsigned long long bytes)
{
    printf("  %-42s %10.0f lines/s  (%.0f MB of text carried)\n", label, rate, (double)bytes / 1e6);
}

int main(void)
{
    printf("event queue, %d producers -> 1 consumer, ~80-byte lines, %.1f s a run:\n", PRODUCERS,
           RUN_SECONDS);
    static const size_t batches[] = {1, 16, 64, 256};
    for (size_t i = 0; i < sizeof batches / sizeof batches[0]; i++) {
        char label[64];
        unsigned long long bytes;
        snprintf(label, sizeof label, "batch %3zu lines per event, queue only:", batches[i]);
        double rate = measure(batches[i], NULL, &bytes);
        report(label, rate, bytes);
    }

    /* The figure: the UI thread's whole per-line cost, queue then the job's log pane (time
     * stamp + ring), as launch.c does it. The job thread posts what one read of the setup's
     * output holds, up to 256 lines (job.c); 64 is a modest such batch. */
    struct ui_job jobs[PRODUCERS];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < PRODUCERS; i++) {
        jobs[i].log = logring_new(UI_LOG_LINES);
        jobs[i].follow = true;
    }
    unsigned long long bytes;
    measure(64, jobs, &bytes); /* warm-up: the rings fill and their buffers are reused after */
    double rates[FIGURE_RUNS];
    for (int r = 0; r < FIGURE_RUNS; r++)
        rates[r] = measure(64, jobs, &bytes);
    double med = bench_median(rates, FIGURE_RUNS);
    char label[96];
    snprintf(label, sizeof label, "batch  64 into 8 log panes, median of %d:", FIGURE_RUNS);
    report(label, med, bytes);
    printf("    (runs: min %.0f, max %.0f lines/s)\n", rates[0], rates[FIGURE_RUNS - 1]);
    bench_figure("event queue 8 -> 1, into 8 log panes", med, 0, "lines/s", ">=", 2000000);
    for (int i = 0; i < PRODUCERS; i++)
        logring_free(jobs[i].log);
    return 0;
}
