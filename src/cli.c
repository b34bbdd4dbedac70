/* Option parsing: every value is validated here so the commands only see good input. */
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "hub.h"
#include "i18n.h"
#include "textwidth.h"

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
    OPT_SSH_KEY,
    OPT_SSH_USER,
    OPT_THEME,
    OPT_NO_MOUSE,
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
    {"ssh-key", required_argument, NULL, OPT_SSH_KEY},
    {"ssh-user", required_argument, NULL, OPT_SSH_USER},
    {"theme", required_argument, NULL, OPT_THEME},
    {"no-mouse", no_argument, NULL, OPT_NO_MOUSE},
    {NULL, 0, NULL, 0},
};

static const char *const command_names[] = {
    [CLI_DASHBOARD] = "",      [CLI_OFFERS] = "offers",       [CLI_CASES] = "cases",
    [CLI_LINT] = "lint",       [CLI_RECIPES] = "recipes",     [CLI_CHECK] = "check",
    [CLI_LAUNCH] = "launch",   [CLI_INSTANCES] = "instances", [CLI_STOP] = "stop",
    [CLI_DESTROY] = "destroy", [CLI_AUDIT] = "audit",         [CLI_CONFIG] = "config",
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
        error_set(err, EXIT_USAGE, _("--%s needs a number, got '%s'"), option_name(code), arg);
        return -1;
    }
    if (v < min || v > max) {
        error_set(err, EXIT_USAGE, _("--%s must be between %g and %g, got '%s'"), option_name(code),
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
        error_set(err, EXIT_USAGE, _("--%s needs a whole number, got '%s'"), option_name(code),
                  arg);
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
        error_set(err, EXIT_USAGE, _("--sort: unknown field '%s' (one of: %s)"), name, names);
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
            error_set(err, EXIT_USAGE, _("--provider must be 'vast' or 'demo', got '%s'"), arg);
            return -1;
        }
        o->provider = arg;
        return 0;
    case OPT_API_URL:
    case OPT_HUB_URL:
    case OPT_GITHUB_URL:
    case OPT_HF_URL:
        if (strncmp(arg, "http://", 7) != 0 && strncmp(arg, "https://", 8) != 0) {
            error_set(err, EXIT_USAGE, _("--%s must start with http:// or https://, got '%s'"),
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
            error_set(err, EXIT_USAGE, _("--recipe needs a recipe name or a .json file"));
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
            error_set(err, EXIT_USAGE, _("--%s needs an id (a whole number), got '%s'"),
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
            /* not translated: the flag's name before a message query.c has translated */
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
    case OPT_THEME:
        if (strcmp(arg, "default") != 0 && strcmp(arg, "mono") != 0) {
            error_set(err, EXIT_USAGE, _("--theme must be 'default' or 'mono', got '%s'"), arg);
            return -1;
        }
        o->no_color = !strcmp(arg, "mono");
        return 0;
    case OPT_MOUSE: o->mouse = true; return 0;
    case OPT_NO_MOUSE: o->mouse = false; return 0;
    case OPT_SSH_KEY:
    case OPT_SSH_USER:
        if (!*arg) {
            error_set(err, EXIT_USAGE, _("--%s needs a value"), option_name(code));
            return -1;
        }
        *(code == OPT_SSH_KEY ? &o->ssh_key : &o->ssh_user) = arg;
        return 0;
    case OPT_HELP: o->help = true; return 0;
    case OPT_VERSION: o->version = true; return 0;
    default: break;
    }
    return 0;
}

/* The settings: a config key, the flag that sets the same thing, and the environment variable
 * that does (NULL: none). Booleans take yes/no in the file. */
static const struct setting {
    const char *key;
    int code;
    const char *env;
    const char *what; /* for `gpuwarden config`, marked N_() unless a name or a unit */
} settings[] = {
    {"provider", OPT_PROVIDER, NULL, N_("vast or demo")},
    {"api_url", OPT_API_URL, "VAST_URL", N_("vast.ai base URL")},
    {"recipe", OPT_RECIPE, NULL, N_("default recipe")},
    {"min_vram", OPT_MIN_VRAM, NULL, N_("GB per GPU")},
    {"max_dph", OPT_MAX_DPH, NULL, N_("maximum $/hour")},
    {"min_reliability", OPT_MIN_RELIABILITY, NULL, N_("blocks at or below")},
    {"block_regions", OPT_BLOCK_REGIONS, NULL, N_("country codes")},
    {"prefer_regions", OPT_PREFER_REGIONS, NULL, N_("country codes; others warn")},
    {"min_inet", OPT_MIN_INET, NULL, N_("Mbps; slower warns")},
    {"min_cuda", OPT_MIN_CUDA, NULL, N_("CUDA the image needs")},
    {"min_disk", OPT_MIN_DISK, NULL, "GB"},
    {"refresh", OPT_REFRESH, NULL, N_("seconds between fetches")},
    {"ssh_key", OPT_SSH_KEY, "GPUWARDEN_SSH_KEY", N_("private key for launches")},
    {"ssh_user", OPT_SSH_USER, "GPUWARDEN_SSH_USER", N_("SSH user on the instance")},
    {"theme", OPT_THEME, "NO_COLOR", N_("default or mono (--no-color: mono)")},
    {"mouse", OPT_MOUSE, NULL, N_("yes or no (--no-mouse: no)")},
    {"hub_url", OPT_HUB_URL, "GPUWARDEN_HUB_URL", "Docker Hub API"},
    {"github_url", OPT_GITHUB_URL, "GPUWARDEN_GITHUB_URL", "GitHub API"},
    {"hf_url", OPT_HF_URL, "GPUWARDEN_HF_URL", "Hugging Face"},
};
_Static_assert(sizeof settings / sizeof *settings <= CLI_SETTINGS, "CLI_SETTINGS too small");

static int setting_of(int code)
{
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
        if (settings[i].code == code || (code == OPT_NO_COLOR && settings[i].code == OPT_THEME) ||
            (code == OPT_NO_MOUSE && settings[i].code == OPT_MOUSE))
            return (int)i;
    return -1;
}

static void note_origin(struct cli_options *o, int code, const char *fmt, const char *detail)
{
    int i = setting_of(code);
    if (i >= 0)
        snprintf(o->origin[i], sizeof o->origin[i], fmt, detail);
}

/* A yes/no setting of the file, as its flag: "yes" sets it, "no" clears it. */
static int apply_bool(struct cli_options *o, int code, const char *value, struct gw_error *err)
{
    bool yes = !strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "on");
    bool no = !strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "off");
    if (!yes && !no) {
        /* TRANSLATORS: a yes/no setting of the config file; "FILE:LINE: key: " comes before */
        error_set(err, EXIT_USAGE, _("needs yes or no, got '%s'"), value);
        return -1;
    }
    if (code == OPT_MOUSE)
        o->mouse = yes;
    return 0;
}

/* The file first, then the environment over it; flags come after, over both. */
static int apply_config(struct cli_options *o, struct gw_error *err)
{
    if (config_file_load(&o->config, err) < 0)
        return -1;
    for (size_t i = 0; i < o->config.count; i++) {
        const struct config_line *l = &o->config.lines[i];
        const struct setting *s = NULL;
        for (size_t k = 0; k < sizeof settings / sizeof *settings && !s; k++)
            if (!strcmp(settings[k].key, l->key))
                s = &settings[k];
        struct gw_error verr = {0};
        if (s == NULL) {
            /* TRANSLATORS: FILE:LINE: of the config file */
            error_set(err, EXIT_USAGE, _("%s:%d: unknown key '%s' (see gpuwarden config)"),
                      o->config.path, l->line, l->key);
            return -1;
        }
        int rc = s->code == OPT_MOUSE ? apply_bool(o, s->code, l->value, &verr)
                                      : apply(o, s->code, l->value, &verr);
        if (rc < 0) {
            error_set(err, EXIT_USAGE, "%s:%d: %s: %s", o->config.path, l->line, l->key, verr.msg);
            return -1;
        }
        char where[32];
        snprintf(where, sizeof where, "line %d", l->line);
        /* not translated: the origin column of `gpuwarden config`, which scripts read */
        note_origin(o, s->code, "config file, %s", where);
    }
    for (size_t k = 0; k < sizeof settings / sizeof *settings; k++) {
        const char *v = settings[k].env ? getenv(settings[k].env) : NULL;
        if (v == NULL || !*v)
            continue;
        if (settings[k].code == OPT_THEME) {
            o->no_color = true; /* NO_COLOR: any non-empty value means monochrome */
        } else {
            struct gw_error verr = {0};
            if (apply(o, settings[k].code, v, &verr) < 0) {
                error_set(err, EXIT_USAGE, "%s: %s", settings[k].env, verr.msg);
                return -1;
            }
        }
        /* not translated: the origin column of `gpuwarden config`, which scripts read */
        note_origin(o, settings[k].code, "environment, %s", settings[k].env);
    }
    return 0;
}

int cli_parse(int argc, char **argv, struct cli_options *o, struct gw_error *err)
{
    memset(o, 0, sizeof *o);
    requirements_default(&o->req);
    o->refresh_s = 60;
    for (size_t k = 0; k < sizeof settings / sizeof *settings; k++)
        snprintf(o->origin[k], sizeof o->origin[k], "default");
    /* a broken config file is reported after the flags are read, so --help still works */
    struct gw_error config_err = {0};
    bool config_bad = apply_config(o, &config_err) < 0;
    int first = 1;
    if (argc > 1 && argv[1][0] != '-') {
        for (size_t i = 1; i < sizeof command_names / sizeof *command_names; i++)
            if (!strcmp(argv[1], command_names[i]))
                o->command = (enum cli_command)i;
        if (o->command == CLI_DASHBOARD) {
            error_set(err, EXIT_USAGE, _("unknown command '%s' (try: gpuwarden --help)"), argv[1]);
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
            /* TRANSLATORS: the second and third %s are the command and a space, or nothing */
            error_set(err, EXIT_USAGE, _("unknown option '%s' (try: gpuwarden %s%s--help)"), bad,
                      cli_command_name(o->command), o->command == CLI_DASHBOARD ? "" : " ");
            return -1;
        }
        if (code == ':') {
            error_set(err, EXIT_USAGE, _("option '%s' needs a value"), gargv[optind - 1]);
            return -1;
        }
        if (apply(o, code, optarg, err) < 0)
            return -1;
        /* not translated: the origin column of `gpuwarden config`, which scripts read */
        note_origin(o, code, "flag%s", "");
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
        error_set(err, EXIT_USAGE, _("unexpected argument '%s'"), gargv[optind]);
        return -1;
    }
    o->flag_req = o->req;
    /* the launch code reads these two from the environment: give it the winning value */
    if (o->ssh_key)
        setenv("GPUWARDEN_SSH_KEY", o->ssh_key, 1);
    if (o->ssh_user)
        setenv("GPUWARDEN_SSH_USER", o->ssh_user, 1);
    if (o->help || o->version)
        return 0;
    if (config_bad) {
        *err = config_err;
        return -1;
    }
    if (o->command == CLI_LINT && !o->file) {
        error_set(err, EXIT_USAGE, _("lint needs a FILE (usage: gpuwarden lint FILE [--json])"));
        return -1;
    }
    if (o->command == CLI_STOP || o->command == CLI_DESTROY) {
        const char *name = command_names[o->command];
        char *end = NULL;
        long long id = o->file ? strtoll(o->file, &end, 10) : 0;
        if (o->file == NULL) {
            /* TRANSLATORS: %s is the command, stop or destroy (twice) */
            error_set(err, EXIT_USAGE,
                      _("%s needs an instance id (usage: gpuwarden %s ID --confirm ID); "
                        "nothing was sent"),
                      name, name);
            return -1;
        }
        if (end == o->file || *end || id <= 0) {
            /* TRANSLATORS: the command (stop or destroy), what was given, the command again */
            error_set(err, EXIT_USAGE,
                      _("%s needs an instance id, got '%s' (usage: gpuwarden %s ID --confirm ID); "
                        "nothing was sent"),
                      name, o->file, name);
            return -1;
        }
        o->instance_id = id;
        o->file = NULL;
    }
    if (o->command == CLI_LAUNCH && (!o->offer_id || !o->recipe || !o->confirm_id)) {
        error_set(err, EXIT_USAGE,
                  _("launch needs --offer ID, --recipe NAME and --confirm ID (usage: gpuwarden "
                    "launch --offer ID --recipe NAME|FILE --confirm ID [--follow]); nothing was "
                    "rented"));
        return -1;
    }
    if (o->command == CLI_LAUNCH && o->confirm_id != o->offer_id) {
        error_set(err, EXIT_USAGE,
                  _("--confirm %lld does not match --offer %lld: --confirm must repeat the offer "
                    "id you mean to rent; nothing was rented"),
                  o->confirm_id, o->offer_id);
        return -1;
    }
    if (o->command == CLI_CHECK && (!o->offer_id || !o->recipe)) {
        error_set(err, EXIT_USAGE,
                  _("check needs --offer ID and --recipe NAME (usage: gpuwarden check --offer "
                    "ID --recipe NAME|FILE [--json])"));
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

/* A setting's effective value as text. */
static void setting_value(const struct cli_options *o, int code, char *out, size_t size)
{
    const char *s = NULL;
    switch (code) {
    case OPT_PROVIDER:
        s = o->provider ? o->provider : "vast when an API key is found, else demo";
        break;
    case OPT_API_URL: s = o->api_url ? o->api_url : "https://console.vast.ai"; break;
    case OPT_RECIPE: s = o->recipe ? o->recipe : "none"; break;
    case OPT_SSH_KEY:
        s = o->ssh_key ? o->ssh_key : "ssh-agent, ~/.ssh/id_ed25519, ~/.ssh/id_rsa";
        break;
    case OPT_SSH_USER: s = o->ssh_user ? o->ssh_user : "root"; break;
    case OPT_THEME: s = o->no_color ? "mono" : "default"; break;
    case OPT_MOUSE: s = o->mouse ? "yes" : "no"; break;
    case OPT_HUB_URL: s = o->hub_url ? o->hub_url : "https://hub.docker.com"; break;
    case OPT_GITHUB_URL: s = o->github_url ? o->github_url : "https://api.github.com"; break;
    case OPT_HF_URL: s = o->hf_url ? o->hf_url : "https://huggingface.co"; break;
    default: break;
    }
    if (s) {
        snprintf(out, size, "%s", s);
        return;
    }
    const struct requirements *r = &o->flag_req;
    double v = NAN;
    switch (code) {
    case OPT_MIN_VRAM: v = r->min_vram_gb; break;
    case OPT_MAX_DPH: v = r->max_dph; break;
    case OPT_MIN_RELIABILITY: v = r->min_reliability; break;
    case OPT_MIN_INET: v = r->min_inet_mbps; break;
    case OPT_MIN_CUDA: v = r->min_cuda; break;
    case OPT_MIN_DISK: v = r->min_disk_gb; break;
    case OPT_REFRESH: v = o->refresh_s; break;
    case OPT_BLOCK_REGIONS:
    case OPT_PREFER_REGIONS: {
        bool block = code == OPT_BLOCK_REGIONS;
        size_t n = block ? r->nblock : r->nprefer, used = 0;
        out[0] = '\0';
        for (size_t i = 0; i < n && used < size; i++)
            used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "," : "",
                                     block ? r->block_regions[i] : r->prefer_regions[i]);
        if (n == 0)
            snprintf(out, size, "none");
        return;
    }
    default: break;
    }
    if (isnan(v))
        snprintf(out, size, "none");
    else
        snprintf(out, size, "%g", v);
}

void cli_print_config(const struct cli_options *o, FILE *out)
{
    /* TRANSLATORS: instead of the config file's path when $HOME is not set */
    const char *path = o->config.path[0] ? o->config.path : _("no home folder");
    fprintf(out,
            o->config.found ? _("# config file: %s (read)\n")
                            : _("# config file: %s (not present)\n"),
            path);
    /* TRANSLATORS: flag, environment, config file and default are the words of the origin
       column, which stays English */
    fputs(_("# precedence: flag > environment > config file > default\n"), out);
    /* the key, value and origin columns stay English (scripts read them); the description is
       translated; the value is padded by display columns */
    for (size_t k = 0; k < sizeof settings / sizeof *settings; k++) {
        char value[600];
        setting_value(o, settings[k].code, value, sizeof value);
        fprintf(out, "%-16s = ", settings[k].key);
        textwidth_print(out, value, 34);
        /* not translated: the origin column, which scripts read (only the description is) */
        fprintf(out, " # %s; from %s", _(settings[k].what), o->origin[k]);
        if (settings[k].env)
            /* not translated: the variable and flag that set it, which scripts read */
            fprintf(out, " (env %s, flag --%s)\n", settings[k].env, option_name(settings[k].code));
        else
            /* not translated: the flag that sets it, which scripts read */
            fprintf(out, " (flag --%s)\n", option_name(settings[k].code));
    }
    char *key = NULL, source[4096];
    struct gw_error err = {0};
    int found = config_api_key(&key, source, sizeof source, &err);
    if (key) {
        memset(key, 0, strlen(key));
        free(key);
    }
    /* TRANSLATORS: %s is where the key was read from (a variable or a file), or a sentence */
    fprintf(out, _("# API key: %s (never shown)\n"),
            found > 0    ? source
            : found == 0 ? _("none found: the demo market is used")
                         : err.msg);
}

static const char *const usage_cases =
    N_("usage: gpuwarden cases [N] [--json]\n"
       "Prints the ten failure cases the guardrails come from (all, or case N).\n");

static const char *const usage_lint =
    N_("usage: gpuwarden lint FILE [--json]\n\n"
       "Checks a shell setup script for the failure patterns of SPEC §5 (errors swallowed with\n"
       "|| true, success printed without a check, unchecked downloads, services without a bounded\n"
       "health wait, insecure or keepalive-less SSH, destructive commands).\n\n"
       "exit status: 0 no block finding, 1 block findings, 2 usage error or unreadable file\n");

static const char *const usage_recipes =
    N_("usage: gpuwarden recipes [--json]\n\n"
       "Lists the bundled recipes and those in ~/.config/gpuwarden/recipes/ with what each needs\n"
       "(VRAM = sum of components x (1 + overhead), compute capability, CUDA, disk, price).\n");

static const char *const usage_check =
    N_("usage: gpuwarden check --offer ID --recipe NAME|FILE [options] [--json]\n\n"
       "The preflight checklist of SPEC §6 for one offer and one recipe: ten rows, each PASS,\n"
       "WARN, FAIL, PENDING (decided after boot) or UNKNOWN, with the failure case it prevents.\n"
       "The offer comes from the provider, or from --from FILE.\n\n"
       "  --hub-url URL            Docker Hub API (default https://hub.docker.com,\n"
       "                           or $GPUWARDEN_HUB_URL)\n"
       "  --github-url URL         GitHub API (default https://api.github.com)\n"
       "  --hf-url URL             Hugging Face (default https://huggingface.co)\n"
       "  --offline                no metadata requests: sources are UNKNOWN (offline)\n\n"
       "exit status: 0 no FAIL row, 1 a row FAILs, 2 usage or input error,\n"
       "3 provider or network error\n\n");

static const char *const usage_launch = N_(
    "usage: gpuwarden launch --offer ID --recipe NAME|FILE --confirm ID [--follow] [options]\n\n"
    "Rents the offer and walks the launch pipeline of SPEC §7: create, boot, connect (SSH, host\n"
    "key trusted on first use), verify the GPU with nvidia-smi, run the recipe's setup detached\n"
    "on the host, wait for its health endpoint, run its test request. Step changes are printed\n"
    "as they happen, each line prefixed with its step; --follow adds the setup's log lines.\n"
    "--confirm must repeat the offer id: renting costs money. The preflight checklist runs\n"
    "first and a FAIL row refuses the launch. A failure leaves the instance as it is.\n\n"
    "  --provider, --api-url, --hub-url, --github-url, --hf-url, --offline   as for check\n\n"
    "  --ssh-key PATH           private key (or GPUWARDEN_SSH_KEY, config ssh_key; default\n"
    "                           ssh-agent, ~/.ssh/id_ed25519, ~/.ssh/id_rsa)\n"
    "  --ssh-user USER          user on the instance (or GPUWARDEN_SSH_USER; default root)\n\n"
    "exit status: 0 READY, 1 a step failed or the checklist FAILs (message on stderr),\n"
    "2 usage or input error, 3 provider or network error before anything was rented\n");

static const char *const usage_instances =
    N_("usage: gpuwarden instances [--json] [--provider vast|demo] [--api-url URL]\n\n"
       "Every instance of the account (all pages of the v1 list), joined with the jobs gpuwarden\n"
       "launched ($XDG_STATE_HOME/gpuwarden/jobs.json): WHO is `gpuwarden` (launched by it: in\n"
       "the state file or labelled gpuwarden:...), `unknown to gpuwarden`, or `missing` (in the\n"
       "state file, gone at the provider). COST is $/h x uptime, an upper estimate.\n"
       "Needs a vast.ai API key (or --provider demo).\n\n"
       "exit status: 0 ok, 2 usage error or no API key, 3 provider or network error\n");

static const char *const usage_stop_destroy =
    N_("usage: gpuwarden stop ID --confirm ID\n"
       "       gpuwarden destroy ID --confirm ID\n\n"
       "stop: the GPU is released; storage is kept and still billed; restart later.\n"
       "destroy: everything on the instance is deleted; this cannot be undone.\n"
       "--confirm must repeat the instance id; there is no --yes. Without it, or with another id,\n"
       "nothing is sent. Every attempt, sent or refused, is recorded in the audit log\n"
       "($XDG_STATE_HOME/gpuwarden/audit.jsonl; `gpuwarden audit` prints it).\n\n"
       "  --provider vast|demo, --api-url URL   as for offers\n\n"
       "exit status: 0 done (destroy: also when the instance was already gone), 1 stop of an\n"
       "instance that is gone, 2 usage error (no or a wrong --confirm: nothing was sent),\n"
       "3 provider or network error after retries\n");

static const char *const usage_audit =
    N_("usage: gpuwarden audit\n\n"
       "Prints the audit log of stop and destroy requests, oldest first: time, action, instance,\n"
       "outcome (cancelled, sent, succeeded, failed), label, where it came from and why.\n"
       "A `sent` line without an outcome means the program ended during the request.\n");

void cli_usage(enum cli_command cmd, FILE *out)
{
    if (cmd == CLI_LAUNCH || cmd == CLI_INSTANCES || cmd == CLI_STOP || cmd == CLI_DESTROY ||
        cmd == CLI_AUDIT) {
        fputs(_(cmd == CLI_LAUNCH      ? usage_launch
                : cmd == CLI_INSTANCES ? usage_instances
                : cmd == CLI_AUDIT     ? usage_audit
                                       : usage_stop_destroy),
              out);
        return;
    }
    if (cmd == CLI_CASES || cmd == CLI_LINT || cmd == CLI_RECIPES) {
        fputs(_(cmd == CLI_CASES  ? usage_cases
                : cmd == CLI_LINT ? usage_lint
                                  : usage_recipes),
              out);
        return;
    }
    if (cmd == CLI_DASHBOARD)
        fputs(_("usage: gpuwarden [COMMAND] [options]\n\n"
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
                "  config     the effective settings and where each came from\n"
                "  lint FILE  check a setup script for the failure patterns\n"
                "  recipes    the recipes and what each needs\n"
                "  cases [N]  the failure cases behind the rules\n"
                "(gpuwarden COMMAND --help for each)\n\n"),
              out);
    else if (cmd == CLI_CHECK)
        fputs(_(usage_check), out);
    else
        fputs(_("usage: gpuwarden offers [options] [--json]\n\n"
                "Lists offers with a verdict from every guardrail rule (SPEC §2).\n\n"),
              out);
    fputs(
        _("options:\n"
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
          "  --num-gpus N             only offers with exactly N GPUs (a filter)\n"),
        out);
    if (cmd == CLI_DASHBOARD)
        fputs(
            _("dashboard:\n"
              "  --refresh SECONDS        fetch offers every SECONDS (default 60, 0: Ctrl-R only)\n"
              "  --no-color, --theme mono monochrome (also when NO_COLOR is set);\n"
              "                           --theme default: colours\n"
              "  --mouse, --no-mouse      clicks select rows (off, the default: terminal\n"
              "                           selection keeps working)\n"
              "  --hub-url, --github-url, --hf-url URL, --offline   metadata sources (see "
              "check --help)\n"),
            out);
    fputs(_("  --ssh-key PATH, --ssh-user USER   SSH identity for launches (see launch --help)\n"
            "  --help, --version\n"
            "settings also come from ~/.config/gpuwarden/config (`key = value`; gpuwarden config\n"
            "lists them): a flag wins over the environment, which wins over the file.\n"),
          out);
    if (cmd != CLI_CHECK)
        fputs(_("\nexit status: 0 ok, 2 usage or input error, 3 provider or network error\n"), out);
}
