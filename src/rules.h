/* Offer rules of SPEC §2: each rule turns one offer + the requirements into a finding; the
 * verdict is the worst level. Pure functions, no I/O. */
#ifndef GPUWARDEN_RULES_H
#define GPUWARDEN_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "gpus.h"
#include "offer.h"

enum level { LEVEL_PASS, LEVEL_WARN, LEVEL_BLOCK };

/* In SPEC §2's table order, which is also the order of findings in JSON output. */
enum rule_id {
    RULE_COMPUTE_CAPABILITY,
    RULE_REGION,
    RULE_RELIABILITY,
    RULE_VRAM,
    RULE_VRAM_VARIANT,
    RULE_NETWORK,
    RULE_PRICE,
    RULE_HOST,
    RULE_CUDA,
    RULE_DISK,
    RULE_COUNT
};

#define RULES_MAX_REGIONS 64

/* What the workload needs. NAN means "no requirement set". */
struct requirements {
    double min_vram_gb;
    double max_dph;
    double min_reliability;
    double min_inet_mbps;
    double min_cuda;
    double min_disk_gb;
    double min_cc; /* a recipe's minimum compute capability, on top of SPEC §2's sm_70 */
    char block_regions[RULES_MAX_REGIONS][4];
    size_t nblock;
    char prefer_regions[RULES_MAX_REGIONS][4];
    size_t nprefer;
};

struct finding {
    enum rule_id rule;
    enum level level;
    int case_id;       /* failure case it prevents (SPEC §9), 0 for none */
    char message[160]; /* a sentence for the detail view and JSON */
    char brief[24];    /* a few words for the table's reasons column */
};

/* SPEC defaults: block CN; prefer US CA DE NL SE FI JP; reliability 0.99; network 100 Mbps. */
void requirements_default(struct requirements *req);

/* Parses "CN,VN" into a region list (upper-cased, 2 letters each). -1 with err on a bad code. */
int requirements_set_regions(char list[][4], size_t *count, const char *csv, struct gw_error *err);

/* Evaluates every rule on `o`, writing RULE_COUNT findings in rule order. `gpus` may be NULL
 * (no table fallback). Returns the verdict. */
enum level rules_eval(const struct offer *o, const struct requirements *req,
                      const struct gpus_table *gpus, struct finding out[RULE_COUNT]);

/* The short reasons of an offer's verdict, blocks first, then warnings ("CN blocked, rel 0.97");
 * "" for a pass. */
void rules_reasons(const struct offer *o, const struct requirements *req,
                   const struct gpus_table *gpus, char *buf, size_t size);

/* Sets verdict, warn_mask and block_mask of every offer in the list (no messages kept). */
void rules_apply_list(struct offer_list *list, const struct requirements *req,
                      const struct gpus_table *gpus);

const char *rule_name(enum rule_id rule); /* "compute_capability", ... */
const char *level_name(enum level level); /* "pass", "warn", "block" */
/* "✓ PASS", "! WARN", "✗ BLOCK" (ASCII "+", "!", "x" when !utf8): text, never colour alone. */
const char *level_marker(enum level level, bool utf8);

#endif
