/* Headless instances, stop, destroy and audit. */
#include "cmd_instances.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cmd_offers.h"
#include "config.h"
#include "fleet.h"
#include "gate.h"
#include "i18n.h"
#include "provider.h"
#include "state.h"

#define VIA "command line"

/* The account's provider: the demo when asked for, else vast with a key. Unlike the offer table,
 * these commands never fall back to the demo: "no instances" would be a lie about the account. */
static struct provider *account_provider(const struct cli_options *o, struct gw_error *err)
{
    if (o->provider == NULL) {
        char *key = NULL, source[4096];
        int found = config_api_key(&key, source, sizeof source, err);
        if (key) {
            memset(key, 0, strlen(key));
            free(key);
        }
        if (found < 0)
            return NULL;
        if (found == 0) {
            error_set(err, EXIT_USAGE,
                      _("`gpuwarden %s` needs a vast.ai API key (VAST_API_KEY or "
                        "~/.config/vastai/vast_api_key), or --provider demo"),
                      cli_command_name(o->command));
            return NULL;
        }
    }
    return cmd_offers_provider(o, err);
}

static int fail(const struct gw_error *err, enum exit_code fallback)
{
    fprintf(stderr, "gpuwarden: %s\n", err->msg);
    return err->kind ? (int)err->kind : (int)fallback;
}

/* The state file's jobs (none when there is no file); a set-aside file is said on stderr. */
static struct state_job *load_jobs(const char *dir, size_t *n)
{
    struct state_job *jobs = NULL;
    char note[1300] = "";
    struct gw_error err = {0};
    *n = 0;
    if (dir[0] && state_load(dir, &jobs, n, note, sizeof note, &err) < 0)
        fprintf(stderr, _("gpuwarden: warning: %s\n"), err.msg);
    if (note[0])
        fprintf(stderr, _("gpuwarden: warning: %s\n"), note);
    return jobs;
}

static const char *job_state_of(const struct fleet_row *r)
{
    if (!r->have_job)
        return "-";
    return r->job.instance_state[0] ? r->job.instance_state : r->job.state;
}

static void print_table(const struct fleet *f)
{
    /* not translated: column headers, which stay English */
    printf("%-10s  %-20s  %-9s  %-18s  %7s  %8s  %9s  %7s  %-9s  %s\n", "ID", "WHO", "STATE", "GPU",
           "$/H", "UPTIME", "COST", "SETUP", "JOB", "LABEL");
    for (size_t i = 0; i < f->count; i++) {
        const struct fleet_row *r = &f->rows[i];
        char gpu[64], up[16], setup[16], cost[16], dph[16];
        fleet_format_gpu(&r->in, gpu, sizeof gpu);
        fleet_format_duration(r->uptime_s, up, sizeof up);
        fleet_format_duration(r->setup_s, setup, sizeof setup);
        if (isnan(r->cost_usd))
            snprintf(cost, sizeof cost, "-");
        else
            snprintf(cost, sizeof cost, "~$%.2f", r->cost_usd);
        if (isnan(r->in.dph_total))
            snprintf(dph, sizeof dph, "-");
        else
            snprintf(dph, sizeof dph, "%.3f", r->in.dph_total);
        printf("%-10lld  %-20s  %-9s  %-18.18s  %7s  %8s  %9s  %7s  %-9s  %s\n",
               (long long)r->in.id, fleet_mark_name(r->mark),
               r->mark == FLEET_MISSING ? "-"
               : r->in.actual_status[0] ? r->in.actual_status
                                        : "?",
               gpu, dph, up, cost, setup, job_state_of(r), r->in.label[0] ? r->in.label : "-");
    }
}

static void print_json(const struct fleet *f, const char *provider)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "provider", provider);
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(root, "fetched_at", when);
    cJSON *list = cJSON_AddArrayToObject(root, "instances");
    for (size_t i = 0; i < f->count; i++) {
        const struct fleet_row *r = &f->rows[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)r->in.id);
        cJSON_AddStringToObject(o, "label", r->in.label);
        cJSON_AddStringToObject(o, "mark", fleet_mark_name(r->mark));
        cJSON_AddBoolToObject(o, "launched_by_gpuwarden", r->mark != FLEET_UNKNOWN);
        if (r->mark == FLEET_MISSING || !r->in.actual_status[0])
            cJSON_AddNullToObject(o, "state");
        else
            cJSON_AddStringToObject(o, "state", r->in.actual_status);
        cJSON_AddStringToObject(o, "gpu_name", r->in.gpu_name);
        cJSON_AddNumberToObject(o, "num_gpus", r->in.num_gpus);
        cmd_offers_json_number(o, "dph_total", r->in.dph_total);
        cmd_offers_json_number(o, "uptime_s", r->uptime_s);
        cmd_offers_json_number(o, "cost_usd", r->cost_usd);
        cmd_offers_json_number(o, "setup_s", r->setup_s);
        if (r->have_job) {
            cJSON_AddStringToObject(o, "job_state", job_state_of(r));
            cJSON_AddStringToObject(o, "job_step", r->job.step);
            cJSON_AddStringToObject(o, "recipe", r->job.recipe);
        } else {
            cJSON_AddNullToObject(o, "job_state");
            cJSON_AddNullToObject(o, "job_step");
            cJSON_AddNullToObject(o, "recipe");
        }
        cJSON_AddItemToArray(list, o);
    }
    char *text = cJSON_Print(root);
    puts(text);
    cJSON_free(text);
    cJSON_Delete(root);
}

int cmd_instances(const struct cli_options *o)
{
    struct gw_error err = {0};
    struct provider *p = account_provider(o, &err);
    if (p == NULL)
        return fail(&err, EXIT_USAGE);
    struct instance_list list = {0};
    if (provider_list(p, &list, &err) < 0) {
        provider_free(p);
        return fail(&err, EXIT_PROVIDER);
    }
    struct gate_files files;
    gate_files_default(&files);
    size_t njobs = 0;
    struct state_job *jobs = load_jobs(files.state, &njobs);
    struct fleet f = {0};
    /* a new demo process has no instances: its earlier jobs are history, not "missing" */
    bool demo = !strcmp(provider_name(p), "demo");
    fleet_build(&f, &list, jobs, njobs, provider_name(p), demo ? (double)time(NULL) : 0,
                (double)time(NULL));
    if (o->json)
        print_json(&f, provider_name(p));
    else if (f.count == 0)
        printf(_("no instances in this account (%s)\n"), provider_name(p));
    else
        print_table(&f);
    fleet_free(&f);
    free(jobs);
    instance_list_free(&list);
    provider_free(p);
    return EXIT_OK;
}

int cmd_instances_manage(const struct cli_options *o)
{
    enum gate_action a = o->command == CLI_DESTROY ? GATE_DESTROY : GATE_STOP;
    struct gate_files files;
    gate_files_default(&files);
    struct gate_target t = {.id = o->instance_id};
    struct gw_error err = {0};
    struct gate_confirmation *c = gate_confirm_cli(a, o->instance_id, o->confirm_id, &err);
    if (c == NULL) {
        struct gw_error aerr = {0};
        if (gate_cancelled(a, &t, &files, VIA, err.msg, &aerr) < 0)
            fprintf(stderr, _("gpuwarden: warning: %s\n"), aerr.msg);
        return fail(&err, EXIT_USAGE);
    }
    struct provider *p = account_provider(o, &err);
    if (p == NULL) {
        gate_confirmation_free(c);
        return fail(&err, EXIT_USAGE);
    }
    /* what is about to go, said before it goes; and its label for the audit log */
    struct instance in;
    int found = provider_show(p, o->instance_id, &in, &err);
    if (found < 0) {
        gate_confirmation_free(c);
        provider_free(p);
        fprintf(stderr, _("gpuwarden: cannot look up instance %lld: %s; nothing was sent\n"),
                o->instance_id, err.msg);
        return err.kind ? (int)err.kind : EXIT_PROVIDER;
    }
    if (found) {
        snprintf(t.label, sizeof t.label, "%s", in.label);
        /* TRANSLATORS: 2x RTX 4090, its state (running, stopped, ...), its price, then ", label "
           and its label, or nothing */
        printf(a == GATE_DESTROY ? _("destroying instance %lld: %dx %s, %s, $%.3f/h%s%s\n")
                                 : _("stopping instance %lld: %dx %s, %s, $%.3f/h%s%s\n"),
               o->instance_id, in.num_gpus ? in.num_gpus : 1, in.gpu_name[0] ? in.gpu_name : "?",
               in.actual_status[0] ? in.actual_status : _("state unknown"), in.dph_total,
               /* TRANSLATORS: see "destroying instance %lld: ..." */
               in.label[0] ? _(", label ") : "", in.label);
        fflush(stdout);
    }
    char msg[700];
    enum gate_result r = gate_run(p, c, &t, &files, VIA, msg, sizeof msg);
    provider_free(p);
    switch (r) {
    case GATE_DONE: printf("%s\n", msg); return EXIT_OK;
    case GATE_GONE:
        /* the wanted end state of a destroy holds; a stop of nothing did not happen */
        fprintf(a == GATE_DESTROY ? stdout : stderr, "%s%s\n",
                a == GATE_DESTROY ? "" : "gpuwarden: ", msg);
        return a == GATE_DESTROY ? EXIT_OK : EXIT_CHECK_FAILED;
    case GATE_REFUSED: fprintf(stderr, "gpuwarden: %s\n", msg); return EXIT_USAGE;
    case GATE_FAILED: break;
    }
    fprintf(stderr, "gpuwarden: %s\n", msg);
    return EXIT_PROVIDER;
}

int cmd_instances_audit(const struct cli_options *o)
{
    (void)o;
    char path[700];
    audit_path(path, sizeof path);
    struct gw_error err = {0};
    if (!path[0]) {
        fprintf(stderr, _("gpuwarden: no audit log: set HOME or XDG_STATE_HOME\n"));
        return EXIT_USAGE;
    }
    if (audit_print(path, stdout, &err) < 0)
        return fail(&err, EXIT_USAGE);
    return EXIT_OK;
}
