/* The GPU table (assets/gpus.tsv): GPU name -> compute capability, VRAM variants, architecture.
 * Matches both vast.ai short names ("RTX 4090") and nvidia-smi long names
 * ("NVIDIA GeForce RTX 4090"). */
#ifndef GPUWARDEN_GPUS_H
#define GPUWARDEN_GPUS_H

#include <stddef.h>

#include "error.h"

#define GPUS_MAX_VARIANTS 8

struct gpu_model {
    const char *name; /* first alias in the table, e.g. "RTX 3060" */
    double cc;        /* compute capability, e.g. 8.6 */
    int vram_gb[GPUS_MAX_VARIANTS];
    int nvram; /* > 1: sold with several VRAM sizes (the vram_variant rule) */
    const char *arch;
};

struct gpus_table;

/* Parses a table in the gpus.tsv format. Returns NULL with err set on a malformed line.
 * Caller frees with gpus_free(). */
struct gpus_table *gpus_parse(const char *text, size_t len, struct gw_error *err);
void gpus_free(struct gpus_table *t);

/* The table embedded from assets/gpus.tsv, loaded once (thread-safe); never freed.
 * Aborts if the shipped asset is malformed (a build error, caught by the tests). */
const struct gpus_table *gpus_builtin(void);

/* Looks a GPU up by any vast or nvidia-smi name; NULL when unknown. The pointer lives as
 * long as the table. */
const struct gpu_model *gpus_find(const struct gpus_table *t, const char *name);

size_t gpus_count(const struct gpus_table *t);

/* Writes "8/12 GB" for a model's VRAM variants into buf. */
void gpus_format_variants(const struct gpu_model *m, char *buf, size_t size);

#endif
