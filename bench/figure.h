/* The benchmarks' shared bits: one `FIGURE` line per figure (bench/run.sh prints them), medians
 * and a monotonic clock in milliseconds. Header-only. */
#ifndef GPUWARDEN_BENCH_FIGURE_H
#define GPUWARDEN_BENCH_FIGURE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of this process in milliseconds: beside the wall clock it shows how much of a run
 * the shared machine's other work took. */
static inline double bench_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v[0..n) in place and returns its median. */
static inline double bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The q-quantile (0..1) of v[0..n), already sorted. */
static inline double bench_quantile(const double *v, size_t n, double q)
{
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

/* `FIGURE name value unit target <op> T unit ok|over`, columns fixed; bench/procbench.py's
 * figure() writes the same format. op is "<=" or ">=". */
static inline void bench_figure(const char *name, double value, int precision, const char *unit,
                                const char *op, double target)
{
    char v[32], t[64];
    snprintf(v, sizeof v, "%.*f", precision, value);
    snprintf(t, sizeof t, "%s %.10g %s", op, target, unit);
    bool ok = strcmp(op, "<=") == 0 ? value <= target : value >= target;
    printf("FIGURE %-44s %12s %-8s target %-24s %s\n", name, v, unit, t, ok ? "ok" : "over");
}

#endif
