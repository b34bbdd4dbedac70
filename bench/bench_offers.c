/* Benchmark: parse + rules + sort of synthetic vast.ai markets (DESIGN §5: 10k offers <= 50 ms,
 * linear to 100k). Prints figures, never pass/fail. `--emit N` writes a market of N offers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "market.h"
#include "market_gen.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void run(size_t n, const struct requirements *req, const struct query *q)
{
    size_t len;
    char *text = make_market(n, &len);
    double best_parse = 1e9, best_rules = 1e9, best_sort = 1e9, best_total = 1e9;
    int reps = n >= 100000 ? 3 : 7;
    for (int r = 0; r < reps; r++) {
        struct offer_list list = {0};
        struct offer_parse_report rep;
        double t0 = now_ms();
        offer_list_parse(text, len, OFFER_PARSE_STRICT, NULL, NULL, &list, &rep, NULL);
        double t1 = now_ms();
        rules_apply_list(&list, req, gpus_builtin());
        double t2 = now_ms();
        market_sort(&list, NULL, false);
        double t3 = now_ms();
        offer_list_free(&list);
        struct market_request mr = {.query = q, .req = req};
        struct market_result m = {0};
        double t4 = now_ms();
        market_from_text(text, len, OFFER_PARSE_STRICT, &mr, &m, NULL);
        double t5 = now_ms();
        market_result_free(&m);
        best_parse = t1 - t0 < best_parse ? t1 - t0 : best_parse;
        best_rules = t2 - t1 < best_rules ? t2 - t1 : best_rules;
        best_sort = t3 - t2 < best_sort ? t3 - t2 : best_sort;
        best_total = t5 - t4 < best_total ? t5 - t4 : best_total;
    }
    printf("  %7zu offers (%6.1f MB JSON): parse %8.2f ms  rules %7.2f ms  sort %6.2f ms  "
           "pipeline with query re-check %8.2f ms  (%.2f us/offer)\n",
           n, (double)len / 1e6, best_parse, best_rules, best_sort, best_total,
           best_total * 1000.0 / (double)n);
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
    printf("parse + rules + sort (best of several runs; target: 10,000 offers <= 50 ms, linear)\n");
    run(1000, &req, &q);
    run(10000, &req, &q);
    run(100000, &req, &q);
    query_free(&q);
    return 0;
}
