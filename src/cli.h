/* Command-line parsing shared by the dashboard and the headless commands (SPEC §10). */
#ifndef GPUWARDEN_CLI_H
#define GPUWARDEN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "error.h"
#include "market.h"
#include "query.h"
#include "rules.h"

enum cli_command {
    CLI_DASHBOARD,
    CLI_OFFERS,
    CLI_CASES,
    CLI_LINT,
    CLI_RECIPES,
    CLI_CHECK,
    CLI_LAUNCH,
    CLI_INSTANCES,
    CLI_STOP,
    CLI_DESTROY,
    CLI_AUDIT,
    CLI_CONFIG,
};

/* Settings that the config file, the environment and a flag can each give (SPEC §10, issue 9):
 * the flag wins over the environment, which wins over the file, which wins over the default. */
#define CLI_SETTINGS 20

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
    struct requirements flag_req; /* from the flags alone, before any recipe is applied */
    bool json;
    int refresh_s; /* dashboard: seconds between fetches (default 60, 0 = only Ctrl-R) */
    bool no_color; /* --no-color, or NO_COLOR set and non-empty */
    bool mouse;    /* --mouse */
    bool help;
    bool version;
    const char *case_id;       /* `cases N` */
    const char *file;          /* `lint FILE` */
    const char *recipe;        /* --recipe NAME|FILE */
    long long offer_id;        /* --offer ID (check), 0 when not given */
    const char *hub_url;       /* --hub-url: Docker Hub base URL, else GPUWARDEN_HUB_URL */
    const char *github_url;    /* --github-url, else GPUWARDEN_GITHUB_URL */
    const char *hf_url;        /* --hf-url, else GPUWARDEN_HF_URL */
    bool offline;              /* --offline: no metadata requests, sources UNKNOWN (offline) */
    long long confirm_id;      /* --confirm ID (launch: must equal --offer), 0 when not given */
    bool follow;               /* --follow (launch): print the setup's log lines too */
    long long instance_id;     /* `stop ID`, `destroy ID` */
    const char *ssh_key;       /* --ssh-key, GPUWARDEN_SSH_KEY, ssh_key; NULL: agent and defaults */
    const char *ssh_user;      /* --ssh-user, GPUWARDEN_SSH_USER, ssh_user; NULL: root */
    struct config_file config; /* what the file said; strings point into it */
    char origin[CLI_SETTINGS][80]; /* where each setting's value came from, for `config` */
};

/* Parses argv (argv[0] is the program). On a usage error returns -1 with a one-line sentence
 * in err (kind EXIT_USAGE). Strings point into argv. */
int cli_parse(int argc, char **argv, struct cli_options *o, struct gw_error *err);
void cli_free(struct cli_options *o);

/* The market request the options describe; it points into `o`, which must outlive it. */
struct market_request cli_market_request(const struct cli_options *o);

/* "offers", "lint", ...; "" for the dashboard. */
const char *cli_command_name(enum cli_command cmd);

/* Metadata sources for trust labels: --hub-url etc., else GPUWARDEN_HUB_URL,
 * GPUWARDEN_GITHUB_URL, GPUWARDEN_HF_URL, else the public hosts. */
struct hub_config;
void cli_hub_config(const struct cli_options *o, struct hub_config *cfg);

/* `gpuwarden config`: every setting's effective value and where it came from. */
void cli_print_config(const struct cli_options *o, FILE *out);

/* Writes the usage text of a command. */
void cli_usage(enum cli_command cmd, FILE *out);

#endif
