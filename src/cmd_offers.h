/* `gpuwarden offers`: the headless offer table and its JSON (SPEC §10). */
#ifndef GPUWARDEN_CMD_OFFERS_H
#define GPUWARDEN_CMD_OFFERS_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "market.h"

/* Runs the command; returns the exit code. Messages go to stderr, results to stdout. */
int cmd_offers(const struct cli_options *o);

/* Builds the provider the options ask for (vast when a key is found, else demo, said on
 * stderr). NULL with err when the key file is refused. Caller frees with provider_free(). */
struct provider *cmd_offers_provider(const struct cli_options *o, struct gw_error *err);

/* True when the locale's character set is UTF-8 (the markers can use ✓ and ✗). */
bool cmd_offers_utf8(void);

/* Prints an aligned table; `utf8` picks ✓ ! ✗ or + ! x markers. */
void cmd_offers_print_table(FILE *out, const struct offer_list *list,
                            const struct requirements *req, bool utf8);

/* Adds `key`: a number, or null when v is NAN (unknown), as every JSON output does. */
struct cJSON;
void cmd_offers_json_number(struct cJSON *obj, const char *key, double v);

/* Prints the SPEC §10 JSON document. */
void cmd_offers_print_json(FILE *out, const struct market_result *m, const char *provider,
                           const struct requirements *req);

#endif
