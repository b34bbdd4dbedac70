/* The verify step of SPEC §7: parses what `nvidia-smi --query-gpu` printed on the rented host and
 * judges it against what the offer advertised and what the recipe needs (case 7: an "RTX 3060"
 * that is the 8 GB variant). Pure functions, no I/O: the job runs the command over SSH. */
#ifndef GPUWARDEN_SMI_H
#define GPUWARDEN_SMI_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "gpus.h"
#include "offer.h"
#include "rules.h"

/* The query, and the fallback for drivers whose nvidia-smi has no compute_cap (R470). */
#define SMI_QUERY                                                                                  \
    "nvidia-smi --query-gpu=name,memory.total,compute_cap --format=csv,noheader,nounits"
#define SMI_QUERY_OLD "nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits"

#define SMI_MAX_GPUS 16

struct smi_gpu {
    char name[128];
    double vram_mib; /* NAN when "[N/A]" (unified memory) */
    double cc;       /* NAN when not queried or not reported */
};

struct smi_report {
    struct smi_gpu gpus[SMI_MAX_GPUS];
    size_t count;
};

enum smi_status {
    SMI_OK,
    SMI_NEEDS_FALLBACK, /* the driver does not know compute_cap: run SMI_QUERY_OLD */
    SMI_ERROR,          /* no usable output; err says why */
};

/* Parses the output of SMI_QUERY (with_cc) or SMI_QUERY_OLD. Tolerates a csv header line, unit
 * suffixes ("MiB"), "[N/A]"/"[Not Supported]" values, CRLF, and trailing noise lines; any
 * bytes. */
enum smi_status smi_parse(const char *text, size_t len, bool with_cc, struct smi_report *out,
                          struct gw_error *err);

struct smi_verdict {
    enum level level; /* BLOCK fails the job (checklist row 9 FAIL) */
    int case_id;      /* 7 (VRAM/variant/count), 1 (compute capability), 0 */
    char message[320];
};

/* Judges every GPU: fewer GPUs than advertised, VRAM below `required_gb` (NAN: none) or more
 * than 3% below what the offer advertised, or compute capability below sm_70 (from nvidia-smi,
 * else the GPU table by name) block. Unknown VRAM warns. */
void smi_judge(const struct smi_report *r, const struct offer *advertised, double required_gb,
               const struct gpus_table *table, struct smi_verdict *out);

#endif
