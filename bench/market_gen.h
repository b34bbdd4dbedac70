/* A deterministic synthetic vast.ai market for the benchmarks: the same offers on every run and
 * machine, shaped like real ones (GPU mix, regions, verification states). Header-only. */
#ifndef GPUWARDEN_MARKET_GEN_H
#define GPUWARDEN_MARKET_GEN_H

#include <stdio.h>
#include <stdlib.h>

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

/* A {"offers": [...]} body of n offers; caller frees. */
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

#endif
