/* The ten offer rules with SPEC §2's exact thresholds. Each rule computes its level always and
 * its sentence only when asked, so whole-market passes stay cheap. */
#include "rules.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"

static const char *const rule_names[RULE_COUNT] = {
    "compute_capability",
    "region",
    "reliability",
    "vram",
    "vram_variant",
    "network",
    "price",
    "host",
    "cuda",
    "disk",
};

/* Failure case each rule prevents (SPEC §2 table; 0 = none). */
static const int rule_cases[RULE_COUNT] = {1, 2, 0, 8, 7, 5, 0, 0, 0, 0};

const char *rule_name(enum rule_id rule)
{
    return rule < RULE_COUNT ? rule_names[rule] : "?";
}

const char *level_name(enum level level)
{
    return level == LEVEL_BLOCK ? "block" : level == LEVEL_WARN ? "warn" : "pass";
}

const char *level_marker(enum level level, bool utf8)
{
    if (level == LEVEL_BLOCK)
        return utf8 ? "\u2717 BLOCK" : "x BLOCK";
    if (level == LEVEL_WARN)
        return "! WARN";
    return utf8 ? "\u2713 PASS" : "+ PASS";
}

int requirements_set_regions(char list[][4], size_t *count, const char *csv, struct gw_error *err)
{
    /* parsed aside, so a bad code leaves the caller's list as it was */
    char parsed[RULES_MAX_REGIONS][4];
    size_t n = 0;
    const char *p = csv;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, ", ");
        if (len != 2 || !isalpha((unsigned char)p[0]) || !isalpha((unsigned char)p[1])) {
            error_set(err, EXIT_USAGE, _("'%.*s' is not a two-letter country code"), (int)len, p);
            return -1;
        }
        if (n == RULES_MAX_REGIONS) {
            error_set(err, EXIT_USAGE, _("more than %d regions"), RULES_MAX_REGIONS);
            return -1;
        }
        parsed[n][0] = (char)toupper((unsigned char)p[0]);
        parsed[n][1] = (char)toupper((unsigned char)p[1]);
        parsed[n][2] = '\0';
        n++;
        p += len;
    }
    memcpy(list, parsed, n * sizeof parsed[0]);
    *count = n;
    return 0;
}

void requirements_default(struct requirements *req)
{
    memset(req, 0, sizeof *req);
    req->min_vram_gb = NAN;
    req->max_dph = NAN;
    req->min_reliability = 0.99;
    req->min_inet_mbps = 100;
    req->min_cuda = NAN;
    req->min_disk_gb = NAN;
    req->min_cc = NAN;
    requirements_set_regions(req->block_regions, &req->nblock, "CN", NULL);
    requirements_set_regions(req->prefer_regions, &req->nprefer, "US,CA,DE,NL,SE,FI,JP", NULL);
}

static bool in_list(const char list[][4], size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], code) == 0)
            return true;
    return false;
}

/* The finding being built; msg/brief are NULL when only the level is wanted. */
struct out {
    enum level level;
    char *msg;
    char *brief;
};

#define SAY(o, ...)   ((o)->msg ? (void)snprintf((o)->msg, 160, __VA_ARGS__) : (void)0)
#define BRIEF(o, ...) ((o)->brief ? (void)snprintf((o)->brief, 24, __VA_ARGS__) : (void)0)

static void rule_compute_capability(const struct offer *o, const struct requirements *req,
                                    const struct gpu_model *m, struct out *f)
{
    double cc = o->compute_cap;
    bool from_table = false;
    if (isnan(cc) && m) {
        cc = m->cc;
        from_table = true;
    }
    /* translated only when a sentence is wanted: whole-market passes skip gettext */
    /* TRANSLATORS: appended to "sm_86" and the sentences after it when the offer did not say
       its compute capability and the built-in GPU table supplied it */
#define FROM (from_table ? _(" (from the GPU table)") : "")
    if (isnan(cc)) {
        f->level = LEVEL_WARN;
        SAY(f, _("compute capability unknown for '%s': verify after boot"), o->gpu_name);
        /* TRANSLATORS: this and the other short texts of the offers table's REASONS column
           ("%s blocked", "rel %.3f", ...) must fit in 23 bytes of UTF-8 once formatted */
        BRIEF(f, _("CC unknown"));
        return;
    }
    /* compare in hundredths: 7.5 is not exactly representable */
    long cc100 = lround(cc * 100);
    int major = (int)(cc100 / 100), minor = (int)(cc100 % 100 / 10);
    long need100 = isnan(req->min_cc) ? 0 : lround(req->min_cc * 100);
    if (cc100 < 700) {
        f->level = LEVEL_BLOCK;
        SAY(f, _("sm_%d%d%s: PyTorch 2.x needs sm_70+"), major, minor, FROM);
    } else if (cc100 < need100) {
        f->level = LEVEL_BLOCK;
        SAY(f, _("sm_%d%d%s: the recipe needs sm_%ld%ld+"), major, minor, FROM, need100 / 100,
            need100 % 100 / 10);
    } else if (cc100 < 750) {
        f->level = LEVEL_WARN;
        SAY(f, _("sm_%d%d%s: minimum line; sm_75+ recommended"), major, minor, FROM);
    } else {
        f->level = LEVEL_PASS;
        SAY(f, "sm_%d%d%s", major, minor, FROM);
    }
    BRIEF(f, "sm_%d%d", major, minor);
#undef FROM
}

static void rule_region(const struct offer *o, const struct requirements *req, struct out *f)
{
    if (o->country[0] && in_list(req->block_regions, req->nblock, o->country)) {
        f->level = LEVEL_BLOCK;
        /* the reason behind the default list (case 2); a region the operator blocked is theirs */
        if (!strcmp(o->country, "CN"))
            SAY(f, _("%s is in the block list (Great Firewall: GitHub, Hugging Face and pip fail)"),
                o->country);
        else
            SAY(f, _("%s is in the block list"), o->country);
        /* TRANSLATORS: a few words for the offers table's REASONS column (23 bytes at most,
           UTF-8); %s is a country code such as CN */
        BRIEF(f, _("%s blocked"), o->country);
    } else if (o->country[0] && in_list(req->prefer_regions, req->nprefer, o->country)) {
        f->level = LEVEL_PASS;
        SAY(f, _("%s is a preferred region"), o->country);
    } else if (o->country[0]) {
        f->level = LEVEL_WARN;
        SAY(f, _("%s is not a preferred region"), o->country);
        BRIEF(f, _("%s region"), o->country);
    } else {
        f->level = LEVEL_WARN;
        SAY(f, _("no country code in the geolocation"));
        BRIEF(f, _("region unknown"));
    }
}

static void rule_reliability(const struct offer *o, const struct requirements *req, struct out *f)
{
    if (isnan(o->reliability)) {
        f->level = LEVEL_WARN;
        SAY(f, _("reliability unknown"));
        BRIEF(f, _("rel unknown"));
    } else if (o->reliability > req->min_reliability) {
        f->level = LEVEL_PASS;
        SAY(f, _("reliability %.4f > %g"), o->reliability, req->min_reliability);
    } else {
        f->level = LEVEL_BLOCK;
        SAY(f, _("reliability %.4f <= %g: the host drops instances too often"), o->reliability,
            req->min_reliability);
        BRIEF(f, _("rel %.3f"), o->reliability);
    }
}

static void rule_vram(const struct offer *o, const struct requirements *req, struct out *f)
{
    double gb = o->gpu_ram_mib / 1024.0;
    if (isnan(req->min_vram_gb)) {
        f->level = LEVEL_PASS;
        if (isnan(gb))
            SAY(f, _("VRAM unknown (no requirement set)"));
        else
            SAY(f, _("%.2f GB per GPU (no requirement set)"), gb);
    } else if (isnan(gb)) {
        f->level = LEVEL_WARN;
        SAY(f, _("VRAM unknown; %g GB required"), req->min_vram_gb);
        BRIEF(f, _("VRAM unknown"));
    } else if (gb >= req->min_vram_gb) {
        f->level = LEVEL_PASS;
        SAY(f, _("%.2f GB per GPU >= %g GB required"), gb, req->min_vram_gb);
    } else {
        f->level = LEVEL_BLOCK;
        SAY(f, _("%.2f GB per GPU < %g GB required: the workload will not fit"), gb,
            req->min_vram_gb);
        BRIEF(f, "%.0fGB<%g", gb, req->min_vram_gb);
    }
}

static void rule_vram_variant(const struct gpu_model *m, struct out *f)
{
    if (m && m->nvram > 1) {
        char sizes[48];
        gpus_format_variants(m, sizes, sizeof sizes);
        f->level = LEVEL_WARN;
        SAY(f, _("%s ships as %s; verify with nvidia-smi after boot"), m->name, sizes);
        BRIEF(f, _("VRAM variant"));
    } else {
        f->level = LEVEL_PASS;
        if (m)
            SAY(f, _("%s ships in one VRAM size"), m->name);
        else
            SAY(f, _("not a known multi-VRAM model"));
    }
}

static void rule_network(const struct offer *o, const struct requirements *req, struct out *f)
{
    double min = req->min_inet_mbps;
    if (isnan(o->inet_down) || isnan(o->inet_up)) {
        f->level = LEVEL_WARN;
        if (isnan(o->inet_down))
            SAY(f, _("download speed unknown or invalid"));
        else
            SAY(f, _("upload speed unknown or invalid"));
        BRIEF(f, _("net unknown"));
    } else if (o->inet_down > min && o->inet_up > min) {
        f->level = LEVEL_PASS;
        SAY(f, _("%.0f/%.0f Mbps down/up > %g"), o->inet_down, o->inet_up, min);
    } else {
        double slow = o->inet_down <= min ? o->inet_down : o->inet_up;
        f->level = LEVEL_WARN;
        if (o->inet_down <= min)
            SAY(f, _("download %.0f Mbps <= %g: slow image pulls and downloads"), slow, min);
        else
            SAY(f, _("upload %.0f Mbps <= %g: slow image pulls and downloads"), slow, min);
        BRIEF(f, _("net %.0f"), slow);
    }
}

static void rule_price(const struct offer *o, const struct requirements *req, struct out *f)
{
    if (isnan(req->max_dph)) {
        f->level = LEVEL_PASS;
        if (isnan(o->dph_total))
            SAY(f, _("price unknown (no maximum set)"));
        else
            SAY(f, _("$%.3f/h (no maximum set)"), o->dph_total);
    } else if (isnan(o->dph_total)) {
        f->level = LEVEL_WARN;
        SAY(f, _("price unknown; maximum $%g/h"), req->max_dph);
        BRIEF(f, _("price unknown"));
    } else if (o->dph_total <= req->max_dph) {
        f->level = LEVEL_PASS;
        SAY(f, _("$%.3f/h <= $%g/h maximum"), o->dph_total, req->max_dph);
    } else {
        f->level = LEVEL_BLOCK;
        SAY(f, _("$%.3f/h > $%g/h maximum"), o->dph_total, req->max_dph);
        BRIEF(f, "$%.2f>max", o->dph_total);
    }
}

static void rule_host(const struct offer *o, struct out *f)
{
    switch (o->host) {
    case OFFER_HOST_DATACENTER:
        f->level = LEVEL_PASS;
        SAY(f, _("certified data center"));
        return;
    case OFFER_HOST_VERIFIED:
        f->level = LEVEL_PASS;
        SAY(f, _("verified host"));
        return;
    case OFFER_HOST_UNVERIFIED:
        f->level = LEVEL_WARN;
        SAY(f, _("unverified host: vast.ai has not checked this machine"));
        BRIEF(f, _("unverified"));
        return;
    case OFFER_HOST_DEVERIFIED:
        f->level = LEVEL_WARN;
        SAY(f, _("deverified host: vast.ai withdrew its verification"));
        BRIEF(f, _("deverified"));
        return;
    case OFFER_HOST_UNKNOWN: break;
    }
    f->level = LEVEL_WARN;
    SAY(f, _("host verification unknown"));
    BRIEF(f, _("host unknown"));
}

/* cuda and disk share one shape: a minimum that, when set, blocks below it. */
static void rule_minimum(double have, double need, const char *what, const char *unit,
                         struct out *f)
{
    if (f->msg || f->brief)
        what = _(what); /* "disk" has a translation; "CUDA" stays as it is */
    if (isnan(need)) {
        f->level = LEVEL_PASS;
        if (isnan(have))
            /* TRANSLATORS: here and in the next four messages %s is "CUDA" or "disk"
               (translated on its own), then come the value and its unit (" GB" or nothing) */
            SAY(f, _("%s unknown (no requirement set)"), what);
        else
            SAY(f, _("%s %g%s (no requirement set)"), what, have, unit);
    } else if (isnan(have)) {
        f->level = LEVEL_WARN;
        SAY(f, _("%s unknown; %g%s required"), what, need, unit);
        /* TRANSLATORS: the offers table's REASONS column (23 bytes at most, UTF-8); %s is
           "CUDA" or "disk" */
        BRIEF(f, _("%s unknown"), what);
    } else if (have >= need) {
        f->level = LEVEL_PASS;
        SAY(f, _("%s %g%s >= %g%s required"), what, have, unit, need, unit);
    } else {
        f->level = LEVEL_BLOCK;
        SAY(f, _("%s %g%s < %g%s required"), what, have, unit, need, unit);
        BRIEF(f, "%s %g%s", what, have, unit);
    }
}

/* Runs all rules; msgs/briefs may be NULL. Returns the verdict and fills the masks. */
static enum level eval(const struct offer *o, const struct requirements *req,
                       const struct gpu_model *m, struct finding *findings, uint16_t *warn,
                       uint16_t *block)
{
    enum level verdict = LEVEL_PASS;
    *warn = *block = 0;
    for (int r = 0; r < RULE_COUNT; r++) {
        struct out f = {LEVEL_PASS, NULL, NULL};
        if (findings) {
            memset(&findings[r], 0, sizeof findings[r]);
            f.msg = findings[r].message;
            f.brief = findings[r].brief;
        }
        switch ((enum rule_id)r) {
        case RULE_COMPUTE_CAPABILITY: rule_compute_capability(o, req, m, &f); break;
        case RULE_REGION: rule_region(o, req, &f); break;
        case RULE_RELIABILITY: rule_reliability(o, req, &f); break;
        case RULE_VRAM: rule_vram(o, req, &f); break;
        case RULE_VRAM_VARIANT: rule_vram_variant(m, &f); break;
        case RULE_NETWORK: rule_network(o, req, &f); break;
        case RULE_PRICE: rule_price(o, req, &f); break;
        case RULE_HOST: rule_host(o, &f); break;
        case RULE_CUDA: rule_minimum(o->cuda_max_good, req->min_cuda, "CUDA", "", &f); break;
        case RULE_DISK:
            /* TRANSLATORS: the disk space of an offer, as in "disk 462 GB >= 100 GB required" */
            rule_minimum(o->disk_space, req->min_disk_gb, N_("disk"), " GB", &f);
            break;
        case RULE_COUNT: break;
        }
        if (findings) {
            findings[r].rule = (enum rule_id)r;
            findings[r].level = f.level;
            findings[r].case_id = rule_cases[r];
        }
        if (f.level == LEVEL_WARN)
            *warn |= (uint16_t)(1u << r);
        if (f.level == LEVEL_BLOCK)
            *block |= (uint16_t)(1u << r);
        if (f.level > verdict)
            verdict = f.level;
    }
    return verdict;
}

enum level rules_eval(const struct offer *o, const struct requirements *req,
                      const struct gpus_table *gpus, struct finding out[RULE_COUNT])
{
    uint16_t warn, block;
    return eval(o, req, gpus_find(gpus, o->gpu_name), out, &warn, &block);
}

void rules_reasons(const struct offer *o, const struct requirements *req,
                   const struct gpus_table *gpus, char *buf, size_t size)
{
    buf[0] = '\0';
    struct finding f[RULE_COUNT];
    if (rules_eval(o, req, gpus, f) == LEVEL_PASS)
        return;
    size_t used = 0;
    for (int pass = 0; pass < 2; pass++) {
        enum level want = pass == 0 ? LEVEL_BLOCK : LEVEL_WARN;
        for (int r = 0; r < RULE_COUNT && used < size; r++) {
            if (f[r].level != want)
                continue;
            int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", f[r].brief);
            used += n > 0 ? (size_t)n : 0;
        }
    }
}

/* Markets repeat a few dozen GPU names many times: remember each name's table row. */
#define MEMO_SLOTS 512
struct memo_slot {
    const char *name; /* points into an offer of the list being processed */
    const struct gpu_model *model;
};

static const struct gpu_model *memo_find(struct memo_slot *memo, const struct gpus_table *gpus,
                                         const char *name)
{
    uint32_t h = 2166136261u;
    for (const char *p = name; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    for (uint32_t i = 0; i < MEMO_SLOTS; i++) {
        struct memo_slot *s = &memo[(h + i) % MEMO_SLOTS];
        if (s->name == NULL) {
            s->name = name;
            s->model = gpus_find(gpus, name);
            return s->model;
        }
        if (strcmp(s->name, name) == 0)
            return s->model;
    }
    return gpus_find(gpus, name); /* table full: more distinct names than slots */
}

void rules_apply_list(struct offer_list *list, const struct requirements *req,
                      const struct gpus_table *gpus)
{
    struct memo_slot memo[MEMO_SLOTS] = {{0}};
    for (size_t i = 0; i < list->count; i++) {
        struct offer *o = &list->items[i];
        const struct gpu_model *m = memo_find(memo, gpus, o->gpu_name);
        o->verdict = (uint8_t)eval(o, req, m, NULL, &o->warn_mask, &o->block_mask);
    }
}
