/* Command-line parsing shared by the dashboard and the headless commands (SPEC §10). */
#ifndef GPUWARDEN_CLI_H
#define GPUWARDEN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "market.h"
#include "query.h"
#include "rules.h"

enum cli_command { CLI_DASHBOARD, CLI_OFFERS, CLI_CASES };

struct cli_options {
    enum cli_command command;
    const char *provider; /* "vast", "demo", or NULL: vast when a key is found, else demo */
    const char *api_url;  /* --api-url, else VAST_URL, else https://console.vast.ai */
    const char *from;     /* --from FILE */
    struct query query;   /* --query text plus --num-gpus; owned, free with cli_free() */
    const struct market_sort_key *sort;
    bool sort_desc;
    int limit;
    struct requirements req;
    bool json;
    int refresh_s;  /* dashboard: seconds between fetches (default 60, 0 = only Ctrl-R) */
    bool no_color;  /* --no-color, or NO_COLOR set and non-empty */
    bool mouse;     /* --mouse */
    bool help;
    bool version;
    const char *case_id; /* `cases N` */
};

/* Parses argv (argv[0] is the program). On a usage error returns -1 with a one-line sentence
 * in err (kind EXIT_USAGE). Strings point into argv. */
int cli_parse(int argc, char **argv, struct cli_options *o, struct gw_error *err);
void cli_free(struct cli_options *o);

/* The market request the options describe; it points into `o`, which must outlive it. */
struct market_request cli_market_request(const struct cli_options *o);

/* Writes the usage text of a command. */
void cli_usage(enum cli_command cmd, FILE *out);

#endif
