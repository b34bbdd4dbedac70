/* Benchmark: parse + rules + sort of synthetic vast.ai markets (DESIGN §5: 10,000 offers <= 50 ms,
 * 100,000 <= 500 ms). Prints figures, never pass/fail. `--emit N` writes a market of N offers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figure.h"
#include "market.h"
#include "market_gen.h"

#define MAX_REPS 16

/* The product's own pipeline (market_from_text: streamed parse with the query re-check, rules,
 * sort), timed whole, after one warm-up run; then each stage alone, for the details. */
static void run(size_t n, int reps, const struct requirements *req, const struct query *q)
{
    size_t len;
    char *text = make_market(n, &len);
    double total[MAX_REPS], cpu[MAX_REPS], parse[MAX_REPS], rules[MAX_REPS], sort[MAX_REPS];
    struct market_request mr = {.query = q, .req = req};
    for (int r = -1; r < reps; r++) {
        struct market_result m = {0};
        double c0 = bench_cpu_ms(), t0 = bench_now_ms();
        if (market_from_text(text, len, OFFER_PARSE_STRICT, &mr, &m, NULL) < 0) {
            fprintf(stderr, "bench_offers: the synthetic market does not parse\n");
            exit(1);
        }
        double t1 = bench_now_ms(), c1 = bench_cpu_ms();
        market_result_free(&m);
        if (r >= 0) {
            total[r] = t1 - t0;
            cpu[r] = c1 - c0;
        }
    }
    for (int r = 0; r < reps; r++) {
        struct offer_list list = {0};
        struct offer_parse_report rep;
        double t0 = bench_now_ms();
        offer_list_parse(text, len, OFFER_PARSE_STRICT, NULL, NULL, &list, &rep, NULL);
        double t1 = bench_now_ms();
        rules_apply_list(&list, req, gpus_builtin());
        double t2 = bench_now_ms();
        market_sort(&list, NULL, false);
        double t3 = bench_now_ms();
        offer_list_free(&list);
        parse[r] = t1 - t0;
        rules[r] = t2 - t1;
        sort[r] = t3 - t2;
    }
    double med = bench_median(total, (size_t)reps);
    printf("  %6zu offers (%5.1f MB JSON), median of %d after a warm-up: pipeline %7.2f ms "
           "(min %.2f, max %.2f, %.2f us/offer; CPU time %.2f ms); alone: parse %.2f, rules %.2f, "
           "sort %.2f ms\n",
           n, (double)len / 1e6, reps, med, total[0], total[reps - 1], med * 1000.0 / (double)n,
           bench_median(cpu, (size_t)reps), bench_median(parse, (size_t)reps),
           bench_median(rules, (size_t)reps), bench_median(sort, (size_t)reps));
    char name[64];
    snprintf(name, sizeof name, "parse+rules+sort, %s offers", n == 10000 ? "10,000" : "100,000");
    bench_figure(name, med, 1, "ms", "<=", n == 10000 ? 50 : 500);
    free(text);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--emit")) {
        size_t len;
        char *text = make_market((size_t)strtoul(argv[2], NULL, 10), &len);
        fwrite(text, 1, len, stdout);
        free(text);
        return 0;
    }
    struct requirements req;
    requirements_default(&req);
    req.min_vram_gb = 12;
    struct query q = {0};
    query_parse(&q, "gpu_ram >= 12 geolocation notin [CN] reliability > 0.9", NULL);
    printf("parse + rules + sort: market_from_text with the query 'gpu_ram >= 12 geolocation notin "
           "[CN] reliability > 0.9' re-checked on every offer\n");
    run(10000, 11, &req, &q);
    run(100000, 7, &req, &q);
    query_free(&q);
    return 0;
}
