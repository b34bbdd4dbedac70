/* The ten rows of SPEC §6, each decided from the engine's other verdicts. */
#include "preflight.h"
#include "textwidth.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"

/* Translated where preflight_eval() hands them out (the JSON of --json runs stays English). */
static const char *const titles[PREFLIGHT_ROWS] = {
    N_("GPU compute capability >= sm_70 (sm_75+ recommended)"),
    N_("Region outside the Great Firewall"),
    N_("Host reliability > 0.99"),
    N_("VRAM >= weights + extra models + 20%"),
    N_("Image: prebuilt > runtime > devel; size; trust"),
    N_("Setup script has error handling"),
    N_("Model download is verified (existence + size)"),
    N_("Health-check endpoint defined"),
    N_("Real VRAM verified with nvidia-smi after boot"),
    N_("Test generation run and its result fetched"),
};

/* The case each row prevents (SPEC §9). */
static const int row_cases[PREFLIGHT_ROWS] = {1, 2, 4, 9, 10, 3, 3, 8, 7, 8};

const char *check_status_name(enum check_status s)
{
    static const char *const names[] = {"PASS", "WARN", "FAIL", "PENDING", "UNKNOWN"};
    return names[s];
}

static enum check_status from_level(enum level l)
{
    return l == LEVEL_BLOCK ? CHECK_FAIL : l == LEVEL_WARN ? CHECK_WARN : CHECK_PASS;
}

/* How bad a status is, for "worst of": an unknown source never reads as a pass. */
static int severity(enum check_status s)
{
    return s == CHECK_FAIL ? 3 : s == CHECK_WARN ? 2 : s == CHECK_UNKNOWN ? 1 : 0;
}

/* Appends to a NUL-terminated buffer, truncating at its end. */
static void append(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
    textwidth_repair(buf);
}

static void say(struct preflight_row *row, enum check_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(struct preflight_row *row, enum check_status s, const char *fmt, ...)
{
    row->status = s;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(row->reason, sizeof row->reason, fmt, ap);
    va_end(ap);
    textwidth_repair(row->reason);
}

size_t preflight_sources(const struct recipe *r, struct source_meta *out, size_t max)
{
    size_t n = 0;
    if (n < max) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].kind = SOURCE_IMAGE;
        out[n].size_gb = NAN;
        snprintf(out[n].id, sizeof out[n].id, "%s", r->image);
        n++;
    }
    if (n < max && r->official_repo[0]) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].kind = SOURCE_REPO;
        out[n].size_gb = NAN;
        snprintf(out[n].id, sizeof out[n].id, "%s", r->official_repo);
        n++;
    }
    for (size_t i = 0; i < r->nmodels && n < max; i++) {
        memset(&out[n], 0, sizeof out[n]);
        out[n].kind = SOURCE_MODEL;
        out[n].size_gb = NAN;
        snprintf(out[n].id, sizeof out[n].id, "%s", r->models[i]);
        n++;
    }
    return n;
}

/* Row 4: the VRAM rule against the recipe's sum, plus the variant warning (case 7). */
static void row_vram(const struct preflight_input *in, const struct finding *f,
                     struct preflight_row *row)
{
    const struct finding *vram = &f[RULE_VRAM], *variant = &f[RULE_VRAM_VARIANT];
    enum level worst = variant->level > vram->level ? variant->level : vram->level;
    say(row, from_level(worst), _("needs %.1f GB (%zu components + %.0f%%); %s"),
        recipe_required_vram_gb(in->recipe), in->recipe->ncomponents, in->recipe->overhead * 100,
        vram->message);
    if (variant->level != LEVEL_PASS) {
        append(row->reason, sizeof row->reason, "; %s", variant->message);
        if (variant->level > vram->level)
            row->case_id = variant->case_id;
    }
}

/* Row 5: the image's label and checks, the other sources' labels, and whether the host's
 * driver and disk can take the image (CUDA and disk rules). */
static void row_image(const struct preflight_input *in, const struct finding *f,
                      struct preflight_row *row)
{
    enum check_status status = CHECK_PASS;
    char reason[sizeof row->reason] = "";
    int case_id = row->case_id;
    const struct finding *host[] = {&f[RULE_CUDA], &f[RULE_DISK]};
    for (size_t i = 0; i < 2; i++) {
        if (host[i]->level == LEVEL_PASS)
            continue;
        if (severity(from_level(host[i]->level)) > severity(status)) {
            status = from_level(host[i]->level);
            case_id = host[i]->case_id ? host[i]->case_id : case_id;
        }
        append(reason, sizeof reason, "%s; ", host[i]->message);
    }
    if (!in->sources || in->fetching) {
        if (status == CHECK_PASS)
            status = CHECK_UNKNOWN;
        append(reason, sizeof reason, _("%s: fetching source metadata..."), in->recipe->image);
    }
    for (size_t i = 0; in->sources && !in->fetching && i < in->nsources; i++) {
        struct trust_context ctx = {.official_org = in->recipe->official_org,
                                    .image_recommended = in->recipe->image_recommended,
                                    .now = in->now};
        struct trust_verdict v;
        trust_evaluate(&in->sources[i], &ctx, &v);
        enum check_status s = v.label == TRUST_UNKNOWN ? CHECK_UNKNOWN : from_level(v.level);
        if (severity(s) > severity(status)) {
            status = s;
            for (size_t k = 0; k < v.nchecks; k++)
                if (v.checks[k].level == v.level && v.checks[k].case_id)
                    case_id = v.checks[k].case_id;
        }
        /* the image always shows; other sources when they are not OFFICIAL and clean */
        if (i == 0 || s != CHECK_PASS || v.label != TRUST_OFFICIAL)
            append(reason, sizeof reason, "%s%s %s %s", i ? "; " : "",
                   source_kind_name(in->sources[i].kind), in->sources[i].id, v.summary);
        for (size_t k = 0; k < v.nchecks; k++)
            if (v.checks[k].level != LEVEL_PASS)
                append(reason, sizeof reason, " (%s)", v.checks[k].message);
    }
    row->case_id = case_id;
    say(row, status, "%s", reason);
}

/* Row 6: the three block rules of the lint that make a script fail fast. */
static void row_script(const struct preflight_input *in, struct preflight_row *row)
{
    static const enum lint_rule fatal[] = {LINT_NO_ERREXIT, LINT_SWALLOWED_ERROR,
                                           LINT_UNVERIFIED_SUCCESS};
    const struct lint_report *l = in->lint;
    if (!l) {
        say(row, CHECK_UNKNOWN, _("setup script not linted"));
        return;
    }
    for (size_t i = 0; i < l->count; i++) {
        for (size_t k = 0; k < sizeof fatal / sizeof *fatal; k++) {
            if (l->findings[i].rule == fatal[k]) {
                say(row, CHECK_FAIL, _("%s line %d: %s [%s]"), in->recipe->script_name,
                    l->findings[i].line, l->findings[i].message,
                    lint_rule_name(l->findings[i].rule));
                return;
            }
        }
    }
    say(row, CHECK_PASS, _("%s: set -e, no swallowed errors, success only after a check"),
        in->recipe->script_name);
}

/* Row 7: every download is followed by an existence or size check. */
static void row_download(const struct preflight_input *in, struct preflight_row *row)
{
    const struct lint_report *l = in->lint;
    if (!l) {
        say(row, CHECK_UNKNOWN, _("setup script not linted"));
        return;
    }
    for (size_t i = 0; i < l->count; i++) {
        if (l->findings[i].rule == LINT_UNCHECKED_DOWNLOAD) {
            say(row, CHECK_WARN, _("%s line %d: %s"), in->recipe->script_name, l->findings[i].line,
                l->findings[i].message);
            return;
        }
    }
    say(row, CHECK_PASS, _("%s: downloads are checked for existence and size"),
        in->recipe->script_name);
}

/* Row 8: the recipe names a health endpoint and a test request, and the script waits for the
 * service with a bound. */
static void row_health(const struct preflight_input *in, struct preflight_row *row)
{
    const struct recipe *r = in->recipe;
    if (!r->health_path[0]) {
        say(row, CHECK_FAIL, _("the recipe defines no health endpoint"));
        return;
    }
    for (size_t i = 0; in->lint && i < in->lint->count; i++) {
        if (in->lint->findings[i].rule == LINT_NO_HEALTH_WAIT) {
            say(row, CHECK_WARN, _("GET :%d%s defined, but %s line %d: %s"), r->health_port,
                r->health_path, r->script_name, in->lint->findings[i].line,
                in->lint->findings[i].message);
            return;
        }
    }
    say(row, CHECK_PASS, _("GET :%d%s within %d s; test %s %s"), r->health_port, r->health_path,
        r->health_timeout_s, r->test.submit.method, r->test.submit.path);
}

void preflight_eval(const struct preflight_input *in, struct preflight_row rows[PREFLIGHT_ROWS])
{
    for (int i = 0; i < PREFLIGHT_ROWS; i++) {
        rows[i] = (struct preflight_row){
            .item = i + 1, .title = _(titles[i]), .status = CHECK_UNKNOWN, .case_id = row_cases[i]};
    }
    struct finding f[RULE_COUNT];
    rules_eval(in->offer, in->req, in->gpus, f);
    const enum rule_id direct[] = {RULE_COMPUTE_CAPABILITY, RULE_REGION, RULE_RELIABILITY};
    for (size_t i = 0; i < 3; i++)
        say(&rows[i], from_level(f[direct[i]].level), "%s", f[direct[i]].message);
    row_vram(in, f, &rows[3]);
    row_image(in, f, &rows[4]);
    row_script(in, &rows[5]);
    row_download(in, &rows[6]);
    row_health(in, &rows[7]);
    double advertised = in->offer->gpu_ram_mib / 1024.0;
    say(&rows[8], CHECK_PENDING,
        _("after boot: nvidia-smi must show >= %.1f GB (offer says %.1f GB)"),
        recipe_required_vram_gb(in->recipe), advertised);
    say(&rows[9], CHECK_PENDING, _("after the health check: %s %s, result >= %ld bytes fetched"),
        in->recipe->test.submit.method, in->recipe->test.submit.path,
        in->recipe->test.result_min_bytes);
}

bool preflight_failed(const struct preflight_row rows[PREFLIGHT_ROWS])
{
    for (int i = 0; i < PREFLIGHT_ROWS; i++)
        if (rows[i].status == CHECK_FAIL)
            return true;
    return false;
}
