/* The preflight checklist (SPEC §6): ten rows for one (offer, recipe), evaluated from the offer
 * rules, the setup-script lint, the recipe itself and the sources' trust labels. Rows 9 and 10
 * stay PENDING until the launch pipeline decides them. Pure functions, no I/O. */
#ifndef GPUWARDEN_PREFLIGHT_H
#define GPUWARDEN_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "gpus.h"
#include "lint.h"
#include "offer.h"
#include "recipe.h"
#include "rules.h"
#include "trust.h"

enum check_status { CHECK_PASS, CHECK_WARN, CHECK_FAIL, CHECK_PENDING, CHECK_UNKNOWN };

#define PREFLIGHT_ROWS 10

struct preflight_row {
    int item;          /* 1..10, SPEC §6's numbering */
    const char *title; /* static */
    enum check_status status;
    char reason[480];
    int case_id; /* the failure case the row prevents */
};

/* Everything the rows are decided from. Pointers are borrowed for the call. */
struct preflight_input {
    const struct offer *offer;
    const struct requirements *req; /* with the recipe applied (recipe_apply) */
    const struct gpus_table *gpus;
    const struct recipe *recipe;
    const struct lint_report *lint; /* of the recipe's setup script */
    /* the recipe's sources, image first (preflight_sources() lists them); NULL or fetching
     * while their metadata is on its way */
    const struct source_meta *sources;
    size_t nsources;
    bool fetching; /* metadata requests still in flight: row 5 says so */
    time_t now;    /* for "last push older than a year" */
};

/* The recipe's sources to judge: its image, its official repository, its models. Writes at most
 * `max` entries with kind and id set, returns how many. */
size_t preflight_sources(const struct recipe *r, struct source_meta *out, size_t max);

/* Decides the ten rows. */
void preflight_eval(const struct preflight_input *in, struct preflight_row rows[PREFLIGHT_ROWS]);

/* True when any row FAILs: launch is refused (SPEC §6). */
bool preflight_failed(const struct preflight_row rows[PREFLIGHT_ROWS]);

const char *check_status_name(enum check_status s); /* "PASS", "WARN", "FAIL", ... */

#endif
