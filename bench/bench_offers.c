/* Benchmark: parse + rules + sort of synthetic vast.ai markets (DESIGN §5: 10k offers <= 50 ms,
 * linear to 100k). Prints figures, never pass/fail. `--emit N` writes a market of N offers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "market.h"
#include "xalloc.h"

/* Deterministic generator: the same market on every run and machine. */
static unsigned long long seed = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (unsigned)(seed % n);
}

static const struct {
    const char *name;
    int ram, cc;
} gpus[] = {
    {"RTX 4090", 24564, 890},   {"RTX 3090", 24576, 860},    {"RTX 3060", 12288, 860},
    {"RTX 3060", 8192, 860},    {"A100 SXM4", 81920, 800},   {"H100 SXM", 81559, 900},
    {"Tesla V100", 16384, 700}, {"Tesla P40", 24576, 610},   {"RTX A6000", 49140, 860},
    {"L40S", 46068, 890},       {"RTX 4060 Ti", 16380, 890}, {"RTX 5090", 32607, 1200},
};
static const char *const places[] = {"Quebec, CA", "Texas, US", "Bavaria, DE", "Guangdong, CN",
                                     "Seoul, KR",  "Tokyo, JP", ", US",        "Stockholm, SE"};
static const char *const verif[] = {"verified", "unverified", "deverified"};

static char *make_market(size_t n, size_t *len)
{
    size_t cap = n * 700 + 64, used = 0;
    char *buf = xmalloc(cap);
    used += (size_t)snprintf(buf, cap, "{\"offers\": [");
    for (size_t i = 0; i < n; i++) {
        unsigned g = rnd(sizeof gpus / sizeof gpus[0]);
        int num = 1 << rnd(4);
        used += (size_t)snprintf(
            buf + used, cap - used,
            "%s{\"id\": %zu, \"ask_contract_id\": %zu, \"gpu_name\": \"%s\", \"num_gpus\": %d, "
            "\"gpu_ram\": %d, \"gpu_total_ram\": %d, \"compute_cap\": %d, "
            "\"reliability\": 0.%04u, \"reliability2\": 0.%04u, \"dph_total\": %u.%03u, "
            "\"geolocation\": \"%s\", \"inet_down\": %u.5, \"inet_up\": %u.25, "
            "\"verification\": \"%s\", \"hosting_type\": %u, \"cuda_max_good\": 12.%u, "
            "\"disk_space\": %u.75, \"score\": %u.125, \"driver_version\": \"550.54.15\", "
            "\"cpu_name\": \"AMD EPYC 7713 64-Core Processor\", \"cpu_cores\": 128, "
            "\"rentable\": true, \"rented\": false, \"external\": null}",
            i ? ", " : "", 1000000 + i, 1000000 + i, gpus[g].name, num, gpus[g].ram,
            gpus[g].ram * num, gpus[g].cc, 9000 + rnd(1000), 9000 + rnd(1000), rnd(4), rnd(1000),
            places[rnd(8)], 20 + rnd(5000), 10 + rnd(3000), verif[rnd(3)], rnd(2), rnd(9),
            50 + rnd(2000), rnd(500));
    }
    used += (size_t)snprintf(buf + used, cap - used, "]}");
    *len = used;
    return buf;
}

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
