/* `gpuwarden check --offer ID --recipe R [--json]`: the preflight checklist (SPEC §6), headless. */
#ifndef GPUWARDEN_CMD_CHECK_H
#define GPUWARDEN_CMD_CHECK_H

#include "cli.h"
#include "market.h"
#include "preflight.h"
#include "recipe.h"

/* o->req holds the requirements with the recipe applied (see main). Returns 0 when no row FAILs,
 * 1 when one does, 2 for usage/input errors (unknown offer), 3 when the provider fails. */
int cmd_check(const struct cli_options *o, const struct recipe *r);

/* The checklist for offer o->offer_id without printing it (launch refuses on a FAIL row): 0 with
 * *m holding the one offer (caller frees with market_result_free) and rows decided, or -1 with
 * err (EXIT_USAGE: unknown offer; EXIT_PROVIDER). */
int cmd_check_eval(const struct cli_options *o, const struct recipe *r, struct market_result *m,
                   struct preflight_row rows[PREFLIGHT_ROWS], struct gw_error *err);

#endif
