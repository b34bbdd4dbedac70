/* make bench's speed check: a fixed integer loop, 200,000 number round trips through snprintf and
 * strtod (libc code like the parser's) and a 64 MiB copy, medians of 5, so that a reader can tell
 * a slow run from a busy machine: on a shared host the figures move with these. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"

#define STEPS (20 * 1000 * 1000L)
#define BYTES (64u << 20)

int main(void)
{
    double alu[5], copy[5], libc[5];
    char *a = malloc(BYTES), *b = malloc(BYTES);
    if (a == NULL || b == NULL)
        return 1;
    memset(a, 1, BYTES);
    memset(b, 2, BYTES);
    volatile unsigned long long x = 1;
    for (int r = 0; r < 5; r++) {
        double t0 = bench_now_ms();
        for (long i = 0; i < STEPS; i++)
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        double t1 = bench_now_ms();
        memcpy(r % 2 ? a : b, r % 2 ? b : a, BYTES);
        double t2 = bench_now_ms();
        double sum = 0;
        for (int i = 0; i < 200000; i++) {
            char num[32];
            snprintf(num, sizeof num, "%.4f", (double)i / 7.0);
            sum += strtod(num, NULL);
        }
        double t3 = bench_now_ms();
        x += (unsigned long long)sum;
        alu[r] = t1 - t0;
        copy[r] = t2 - t1;
        libc[r] = t3 - t2;
    }
    double c = bench_median(copy, 5);
    printf("speed check (medians of 5): %ld dependent multiply-adds %.1f ms, 200,000 "
           "snprintf+strtod %.1f ms, 64 MiB memcpy %.1f ms\n",
           STEPS, bench_median(alu, 5), bench_median(libc, 5), c);
    free(a);
    free(b);
    return 0;
}
