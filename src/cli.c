/* Option parsing: every value is validated here so the commands only see good input. */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "hub.h"

enum {
    OPT_PROVIDER = 256,
    OPT_API_URL,
    OPT_QUERY,
    OPT_FROM,
    OPT_SORT,
    OPT_LIMIT,
    OPT_MIN_VRAM,
    OPT_MAX_DPH,
    OPT_MIN_RELIABILITY,
    OPT_BLOCK_REGIONS,
    OPT_PREFER_REGIONS,
    OPT_MIN_INET,
    OPT_MIN_CUDA,
    OPT_MIN_DISK,
    OPT_NUM_GPUS,
    OPT_JSON,
    OPT_REFRESH,
    OPT_NO_COLOR,
    OPT_MOUSE,
    OPT_HELP,
    OPT_VERSION,
    OPT_RECIPE,
    OPT_OFFER,
    OPT_HUB_URL,
    OPT_GITHUB_URL,
    OPT_HF_URL,
    OPT_OFFLINE,
    OPT_CONFIRM,
    OPT_FOLLOW,
};

static const struct option long_options[] = {
    {"provider", required_argument, NULL, OPT_PROVIDER},
    {"api-url", required_argument, NULL, OPT_API_URL},
    {"query", required_argument, NULL, OPT_QUERY},
    {"from", required_argument, NULL, OPT_FROM},
    {"sort", required_argument, NULL, OPT_SORT},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"min-vram", required_argument, NULL, OPT_MIN_VRAM},
    {"max-dph", required_argument, NULL, OPT_MAX_DPH},
    {"min-reliability", required_argument, NULL, OPT_MIN_RELIABILITY},
    {"block-regions", required_argument, NULL, OPT_BLOCK_REGIONS},
    {"prefer-regions", required_argument, NULL, OPT_PREFER_REGIONS},
    {"min-inet", required_argument, NULL, OPT_MIN_INET},
    {"min-cuda", required_argument, NULL, OPT_MIN_CUDA},
    {"min-disk", required_argument, NULL, OPT_MIN_DISK},
    {"num-gpus", required_argument, NULL, OPT_NUM_GPUS},
    {"json", no_argument, NULL, OPT_JSON},
    {"refresh", required_argument, NULL, OPT_REFRESH},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"mouse", no_argument, NULL, OPT_MOUSE},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {"recipe", required_argument, NULL, OPT_RECIPE},
    {"offer", required_argument, NULL, OPT_OFFER},
    {"hub-url", required_argument, NULL, OPT_HUB_URL},
    {"github-url", required_argument, NULL, OPT_GITHUB_URL},
    {"hf-url", required_argument, NULL, OPT_HF_URL},
    {"offline", no_argument, NULL, OPT_OFFLINE},
    {"confirm", required_argument, NULL, OPT_CONFIRM},
    {"follow", no_argument, NULL, OPT_FOLLOW},
    {NULL, 0, NULL, 0},
};

static const char *const command_names[] = {
    [CLI_DASHBOARD] = "",      [CLI_OFFERS] = "offers",       [CLI_CASES] = "cases",
    [CLI_LINT] = "lint",       [CLI_RECIPES] = "recipes",     [CLI_CHECK] = "check",
    [CLI_LAUNCH] = "launch",   [CLI_INSTANCES] = "instances", [CLI_STOP] = "stop",
    [CLI_DESTROY] = "destroy", [CLI_AUDIT] = "audit",
};

const char *cli_command_name(enum cli_command cmd)
{
    return command_names[cmd];
}

static const char *option_name(int code)
{
    for (const struct option *o = long_options; o->name; o++)
        if (o->val == code)
            return o->name;
    return "?";
}

/* A number in [min, max]; the option's name goes into the error. */
static int number(int code, const char *arg, double min, double max, double *out,
                  struct gw_error *err)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !isfinite(v)) {
        error_set(err, EXIT_USAGE, "--%s needs a number, got '%s'", option_name(code), arg);
        return -1;
    }
    if (v < min || v > max) {
        error_set(err, EXIT_USAGE, "--%s must be between %g and %g, got '%s'", option_name(code),
                  min, max, arg);
        return -1;
    }
    *out = v;
    return 0;
}

static int integer(int code, const char *arg, int min, int max, int *out, struct gw_error *err)
{
    double v;
    if (number(code, arg, min, max, &v, err) < 0)
        return -1;
    if (v != floor(v)) {
        error_set(err, EXIT_USAGE, "--%s needs a whole number, got '%s'", option_name(code), arg);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int set_sort(struct cli_options *o, const char *arg, struct gw_error *err)
{
    char name[64];
    snprintf(name, sizeof name, "%s", arg);
    size_t n = strlen(name);
    o->sort_desc = false;
    if (n > 0 && (name[n - 1] == '-' || name[n - 1] == '+')) {
        o->sort_desc = name[n - 1] == '-';
        name[n - 1] = '\0';
    }
    o->sort = market_sort_key(name);
    if (o->sort == NULL) {
        char names[512];
        market_sort_names(names, sizeof names);
        error_set(err, EXIT_USAGE, "--sort: unknown field '%s' (one of: %s)", name, names);
        return -1;
    }
    return 0;
}

static int apply(struct cli_options *o, int code, const char *arg, struct gw_error *err)
{
    struct gw_error qerr;
    switch (code) {
    case OPT_PROVIDER:
        if (strcmp(arg, "vast") != 0 && strcmp(arg, "demo") != 0) {
            error_set(err, EXIT_USAGE, "--provider must be 'vast' or 'demo', got '%s'", arg);
            return -1;
        }
        o->provider = arg;
        return 0;
    case OPT_API_URL:
    case OPT_HUB_URL:
    case OPT_GITHUB_URL:
    case OPT_HF_URL:
        if (strncmp(arg, "http://", 7) != 0 && strncmp(arg, "https://", 8) != 0) {
            error_set(err, EXIT_USAGE, "--%s must start with http:// or https://, got '%s'",
                      option_name(code), arg);
            return -1;
        }
        if (http_url_allowed(arg, err) < 0) {
            size_t n = strlen(err->msg);
            snprintf(err->msg + n, sizeof err->msg - n, " (--%s)", option_name(code));
            return -1;
        }
        *(code == OPT_API_URL   ? &o->api_url
          : code == OPT_HUB_URL ? &o->hub_url
          : code == OPT_HF_URL  ? &o->hf_url
                                : &o->github_url) = arg;
        return 0;
    case OPT_RECIPE:
        if (!*arg) {
            error_set(err, EXIT_USAGE, "--recipe needs a recipe name or a .json file");
            return -1;
        }
        o->recipe = arg;
        return 0;
    case OPT_OFFER:
    case OPT_CONFIRM: {
        double id;
        if (number(code, arg, 1, 9e15, &id, err) < 0)
            return -1;
        if (id != floor(id)) {
            error_set(err, EXIT_USAGE, "--%s needs an id (a whole number), got '%s'",
                      option_name(code), arg);
            return -1;
        }
        *(code == OPT_OFFER ? &o->offer_id : &o->confirm_id) = (long long)id;
        return 0;
    }
    case OPT_FOLLOW: o->follow = true; return 0;
    case OPT_OFFLINE: o->offline = true; return 0;
    case OPT_QUERY:
        if (query_parse(&o->query, arg, &qerr) < 0) {
            error_set(err, EXIT_USAGE, "--query: %s", qerr.msg);
            return -1;
        }
        return 0;
    case OPT_FROM: o->from = arg; return 0;
    case OPT_SORT: return set_sort(o, arg, err);
    case OPT_LIMIT: return integer(code, arg, 1, 100000, &o->limit, err);
    case OPT_MIN_VRAM: return number(code, arg, 0, 4096, &o->req.min_vram_gb, err);
    case OPT_MAX_DPH: return number(code, arg, 0, 10000, &o->req.max_dph, err);
    case OPT_MIN_RELIABILITY: return number(code, arg, 0, 1, &o->req.min_reliability, err);
    case OPT_MIN_INET: return number(code, arg, 0, 1e6, &o->req.min_inet_mbps, err);
    case OPT_MIN_CUDA: return number(code, arg, 1, 99, &o->req.min_cuda, err);
    case OPT_MIN_DISK: return number(code, arg, 0, 1e6, &o->req.min_disk_gb, err);
    case OPT_BLOCK_REGIONS:
    case OPT_PREFER_REGIONS: {
        bool block = code == OPT_BLOCK_REGIONS;
        if (requirements_set_regions(block ? o->req.block_regions : o->req.prefer_regions,
                                     block ? &o->req.nblock : &o->req.nprefer, arg, &qerr) < 0) {
            error_set(err, EXIT_USAGE, "--%s: %s", option_name(code), qerr.msg);
            return -1;
        }
        return 0;
    }
    case OPT_NUM_GPUS: {
        int n;
        if (integer(code, arg, 1, 64, &n, err) < 0)
            return -1;
        query_add_number(&o->query, "num_gpus", QOP_EQ, n);
        return 0;
    }
    case OPT_JSON: o->json = true; return 0;
    case OPT_REFRESH: return integer(code, arg, 0, 86400, &o->refresh_s, err);
    case OPT_NO_COLOR: o->no_color = true; return 0;
    case OPT_MOUSE: o->mouse = true; return 0;
    case OPT_HELP: o->help = true; return 0;
    case OPT_VERSION: o->version = true; return 0;
    default: break;
    }
    return 0;
}

int cli_parse(int argc, char **argv, struct cli_options *o, struct gw_error *err)
{
    memset(o, 0, sizeof *o);
    requirements_default(&o->req);
    o->refresh_s = 60;
    const char *no_color = getenv("NO_COLOR");
    o->no_color = no_color && *no_color;
    int first = 1;
    if (argc > 1 && argv[1][0] != '-') {
        for (size_t i = 1; i < sizeof command_names / sizeof *command_names; i++)
            if (!strcmp(argv[1], command_names[i]))
                o->command = (enum cli_command)i;
        if (o->command == CLI_DASHBOARD) {
            error_set(err, EXIT_USAGE, "unknown command '%s' (try: gpuwarden --help)", argv[1]);
            return -1;
        }
        first = 2;
    }
    /* getopt_long over argv[first-1..]: it treats its argv[0] as the program name */
    int gargc = argc - first + 1;
    char **gargv = argv + first - 1;
    opterr = 0;
    optind = 0; /* 0 also resets GNU getopt's internal state between calls */
    int code;
    while ((code = getopt_long(gargc, gargv, ":", long_options, NULL)) != -1) {
        if (code == '?') {
            const char *bad = gargv[optind - 1];
            error_set(err, EXIT_USAGE, "unknown option '%s' (try: gpuwarden %s%s--help)", bad,
                      cli_command_name(o->command), o->command == CLI_DASHBOARD ? "" : " ");
            return -1;
        }
        if (code == ':') {
            error_set(err, EXIT_USAGE, "option '%s' needs a value", gargv[optind - 1]);
            return -1;
        }
        if (apply(o, code, optarg, err) < 0)
            return -1;
    }
    if (optind < gargc) {
        if (o->command == CLI_CASES && optind + 1 == gargc) {
            o->case_id = gargv[optind];
            return 0;
        }
        if ((o->command == CLI_LINT || o->command == CLI_STOP || o->command == CLI_DESTROY) &&
            optind + 1 == gargc && !o->file) {
            o->file = gargv[optind++];
        }
    }
    if (optind < gargc) {
        error_set(err, EXIT_USAGE, "unexpected argument '%s'", gargv[optind]);
        return -1;
    }
    o->flag_req = o->req;
    if (o->help || o->version)
        return 0;
    if (o->command == CLI_LINT && !o->file) {
        error_set(err, EXIT_USAGE, "lint needs a FILE (usage: gpuwarden lint FILE [--json])");
        return -1;
    }
    if (o->command == CLI_STOP || o->command == CLI_DESTROY) {
        const char *name = command_names[o->command];
        char *end = NULL;
        long long id = o->file ? strtoll(o->file, &end, 10) : 0;
        if (o->file == NULL || end == o->file || *end || id <= 0) {
            error_set(err, EXIT_USAGE,
                      "%s needs an instance id%s%s%s (usage: gpuwarden %s ID --confirm ID); "
                      "nothing was sent",
                      name, o->file ? ", got '" : "", o->file ? o->file : "", o->file ? "'" : "",
                      name);
            return -1;
        }
        o->instance_id = id;
        o->file = NULL;
    }
    if (o->command == CLI_LAUNCH && (!o->offer_id || !o->recipe || !o->confirm_id)) {
        error_set(err, EXIT_USAGE,
                  "launch needs --offer ID, --recipe NAME and --confirm ID (usage: gpuwarden "
                  "launch --offer ID --recipe NAME|FILE --confirm ID [--follow]); nothing was "
                  "rented");
        return -1;
    }
    if (o->command == CLI_LAUNCH && o->confirm_id != o->offer_id) {
        error_set(err, EXIT_USAGE,
                  "--confirm %lld does not match --offer %lld: --confirm must repeat the offer id "
                  "you mean to rent; nothing was rented",
                  o->confirm_id, o->offer_id);
        return -1;
    }
    if (o->command == CLI_CHECK && (!o->offer_id || !o->recipe)) {
        error_set(err, EXIT_USAGE,
                  "check needs --offer ID and --recipe NAME (usage: gpuwarden check --offer ID "
                  "--recipe NAME|FILE [--json])");
        return -1;
    }
    return 0;
}

void cli_free(struct cli_options *o)
{
    query_free(&o->query);
}

struct market_request cli_market_request(const struct cli_options *o)
{
    return (struct market_request){
        .query = &o->query,
        .sort = o->sort,
        .sort_desc = o->sort_desc,
        .limit = o->limit,
        .req = &o->req,
    };
}

void cli_hub_config(const struct cli_options *o, struct hub_config *cfg)
{
    hub_config_default(cfg);
    const struct {
        const char *flag, *env;
        char *out;
    } urls[] = {
        {o->hub_url, "GPUWARDEN_HUB_URL", cfg->docker_url},
        {o->github_url, "GPUWARDEN_GITHUB_URL", cfg->github_url},
        {o->hf_url, "GPUWARDEN_HF_URL", cfg->hf_url},
    };
    for (size_t i = 0; i < sizeof urls / sizeof *urls; i++) {
        const char *v = urls[i].flag ? urls[i].flag : getenv(urls[i].env);
        if (v && *v) {
            snprintf(urls[i].out, sizeof cfg->docker_url, "%s", v);
            size_t n = strlen(urls[i].out);
            while (n > 0 && urls[i].out[n - 1] == '/')
                urls[i].out[--n] = '\0';
        }
    }
}

static const char usage_cases[] =
    "usage: gpuwarden cases [N] [--json]\n"
    "Prints the ten failure cases the guardrails come from (all, or case N).\n";

static const char usage_lint[] =
    "usage: gpuwarden lint FILE [--json]\n\n"
    "Checks a shell setup script for the failure patterns of SPEC §5 (errors swallowed with\n"
    "|| true, success printed without a check, unchecked downloads, services without a bounded\n"
    "health wait, insecure or keepalive-less SSH, destructive commands).\n\n"
    "exit status: 0 no block finding, 1 block findings, 2 usage error or unreadable file\n";

static const char usage_recipes[] =
    "usage: gpuwarden recipes [--json]\n\n"
    "Lists the bundled recipes and those in ~/.config/gpuwarden/recipes/ with what each needs\n"
    "(VRAM = sum of components x (1 + overhead), compute capability, CUDA, disk, price).\n";

static const char usage_check[] =
    "usage: gpuwarden check --offer ID --recipe NAME|FILE [options] [--json]\n\n"
    "The preflight checklist of SPEC §6 for one offer and one recipe: ten rows, each PASS,\n"
    "WARN, FAIL, PENDING (decided after boot) or UNKNOWN, with the failure case it prevents.\n"
    "The offer comes from the provider, or from --from FILE.\n\n"
    "  --hub-url URL            Docker Hub API (default https://hub.docker.com,\n"
    "                           or $GPUWARDEN_HUB_URL)\n"
    "  --github-url URL         GitHub API (default https://api.github.com)\n"
    "  --hf-url URL             Hugging Face (default https://huggingface.co)\n"
    "  --offline                no metadata requests: sources are UNKNOWN (offline)\n\n"
    "exit status: 0 no FAIL row, 1 a row FAILs, 2 usage or input error,\n"
    "3 provider or network error\n\n";

static const char usage_launch[] =
    "usage: gpuwarden launch --offer ID --recipe NAME|FILE --confirm ID [--follow] [options]\n\n"
    "Rents the offer and walks the launch pipeline of SPEC §7: create, boot, connect (SSH, host\n"
    "key trusted on first use), verify the GPU with nvidia-smi, run the recipe's setup detached\n"
    "on the host, wait for its health endpoint, run its test request. Step changes are printed\n"
    "as they happen, each line prefixed with its step; --follow adds the setup's log lines.\n"
    "--confirm must repeat the offer id: renting costs money. The preflight checklist runs\n"
    "first and a FAIL row refuses the launch. A failure leaves the instance as it is.\n\n"
    "  --provider, --api-url, --hub-url, --github-url, --hf-url, --offline   as for check\n\n"
    "environment: GPUWARDEN_SSH_KEY (private key; default ssh-agent, ~/.ssh/id_ed25519,\n"
    "~/.ssh/id_rsa), GPUWARDEN_SSH_USER (default root)\n\n"
    "exit status: 0 READY, 1 a step failed or the checklist FAILs (message on stderr),\n"
    "2 usage or input error, 3 provider or network error before anything was rented\n";

static const char usage_instances[] =
    "usage: gpuwarden instances [--json] [--provider vast|demo] [--api-url URL]\n\n"
    "Every instance of the account (all pages of the v1 list), joined with the jobs gpuwarden\n"
    "launched ($XDG_STATE_HOME/gpuwarden/jobs.json): WHO is `gpuwarden` (launched by it: in\n"
    "the state file or labelled gpuwarden:...), `unknown to gpuwarden`, or `missing` (in the\n"
    "state file, gone at the provider). COST is $/h x uptime, an upper estimate.\n"
    "Needs a vast.ai API key (or --provider demo).\n\n"
    "exit status: 0 ok, 2 usage error or no API key, 3 provider or network error\n";

static const char usage_stop_destroy[] =
    "usage: gpuwarden stop ID --confirm ID\n"
    "       gpuwarden destroy ID --confirm ID\n\n"
    "stop: the GPU is released; storage is kept and still billed; restart later.\n"
    "destroy: everything on the instance is deleted; this cannot be undone.\n"
    "--confirm must repeat the instance id; there is no --yes. Without it, or with another id,\n"
    "nothing is sent. Every attempt, sent or refused, is recorded in the audit log\n"
    "($XDG_STATE_HOME/gpuwarden/audit.jsonl; `gpuwarden audit` prints it).\n\n"
    "  --provider vast|demo, --api-url URL   as for offers\n\n"
    "exit status: 0 done (destroy: also when the instance was already gone), 1 stop of an\n"
    "instance that is gone, 2 usage error (no or a wrong --confirm: nothing was sent),\n"
    "3 provider or network error after retries\n";

static const char usage_audit[] =
    "usage: gpuwarden audit\n\n"
    "Prints the audit log of stop and destroy requests, oldest first: time, action, instance,\n"
    "outcome (cancelled, sent, succeeded, failed), label, where it came from and why.\n"
    "A `sent` line without an outcome means the program ended during the request.\n";

void cli_usage(enum cli_command cmd, FILE *out)
{
    if (cmd == CLI_LAUNCH || cmd == CLI_INSTANCES || cmd == CLI_STOP || cmd == CLI_DESTROY ||
        cmd == CLI_AUDIT) {
        fputs(cmd == CLI_LAUNCH      ? usage_launch
              : cmd == CLI_INSTANCES ? usage_instances
              : cmd == CLI_AUDIT     ? usage_audit
                                     : usage_stop_destroy,
              out);
        return;
    }
    if (cmd == CLI_CASES || cmd == CLI_LINT || cmd == CLI_RECIPES) {
        fputs(cmd == CLI_CASES ? usage_cases : cmd == CLI_LINT ? usage_lint : usage_recipes, out);
        return;
    }
    if (cmd == CLI_DASHBOARD)
        fputs("usage: gpuwarden [COMMAND] [options]\n\n"
              "Rent cloud GPUs without repeating the classic failures.\n\n"
              "commands:\n"
              "  (none)     the dashboard: live offer table, verdicts, findings, checklist\n"
              "  offers     offer table with guardrail verdicts\n"
              "  check      preflight checklist for one offer and one recipe\n"
              "  launch     rent an offer and set it up, logs to stdout\n"
              "  instances  the account's instances, marked when gpuwarden launched them\n"
              "  stop ID    stop an instance (--confirm ID)\n"
              "  destroy ID destroy an instance (--confirm ID)\n"
              "  audit      the log of stop and destroy requests\n"
              "  lint FILE  check a setup script for the failure patterns\n"
              "  recipes    the recipes and what each needs\n"
              "  cases [N]  the failure cases behind the rules\n"
              "(gpuwarden COMMAND --help for each)\n\n",
              out);
    else if (cmd == CLI_CHECK)
        fputs(usage_check, out);
    else
        fputs("usage: gpuwarden offers [options] [--json]\n\n"
              "Lists offers with a verdict from every guardrail rule (SPEC §2).\n\n",
              out);
    fputs("options:\n"
          "  --provider vast|demo     where offers come from (default: vast when an API key\n"
          "                           is found in VAST_API_KEY or ~/.config/vastai/vast_api_key,\n"
          "                           else the built-in demo market)\n"
          "  --api-url URL            vast.ai base URL (default $VAST_URL or\n"
          "                           https://console.vast.ai)\n"
          "  --from FILE              offers from a `vastai search offers --raw` dump or a\n"
          "                           {\"offers\": [...]} body ('-' reads stdin)\n"
          "  --query 'TEXT'           vastai query syntax, e.g.\n"
          "                           'gpu_ram >= 12 geolocation notin [CN] num_gpus = 1'\n"
          "  --sort FIELD[-]          sort (trailing '-' descending): verdict (default), dph,\n"
          "                           vram, cc, reliability, net, cuda, disk, gpu, id, score...\n"
          "  --limit N                show at most N offers\n"
          "  --json                   machine-readable output (SPEC §10 schema)\n"
          "requirements (rules judge every offer against them):\n"
          "  --recipe NAME|FILE       a recipe's needs: VRAM (components + 20%), compute\n"
          "                           capability, CUDA of its image, disk, price\n"
          "                           (explicit flags below win over the recipe)\n"
          "  --min-vram GB            VRAM per GPU (blocks smaller cards)\n"
          "  --max-dph USD            maximum $/hour (blocks dearer offers)\n"
          "  --min-reliability R      default 0.99 (blocks at or below)\n"
          "  --block-regions CC,..    default CN\n"
          "  --prefer-regions CC,..   default US,CA,DE,NL,SE,FI,JP (others warn)\n"
          "  --min-inet MBPS          default 100 (slower warns)\n"
          "  --min-cuda X.Y           CUDA the image needs (blocks older drivers)\n"
          "  --min-disk GB            disk the workload needs\n"
          "  --num-gpus N             only offers with exactly N GPUs (a filter)\n",
          out);
    if (cmd == CLI_DASHBOARD)
        fputs("dashboard:\n"
              "  --refresh SECONDS        fetch offers every SECONDS (default 60, 0: Ctrl-R only)\n"
              "  --no-color               monochrome (also when NO_COLOR is set)\n"
              "  --mouse                  clicks select rows (off: terminal selection keeps "
              "working)\n"
              "  --hub-url, --github-url, --hf-url URL, --offline   metadata sources (see "
              "check --help)\n",
              out);
    fputs("  --help, --version\n", out);
    if (cmd != CLI_CHECK)
        fputs("\nexit status: 0 ok, 2 usage or input error, 3 provider or network error\n", out);
}
