/* The offers command: choose a provider, run the market pipeline, print a table or JSON. */
#include "cmd_offers.h"

#include <cJSON.h>
#include <langinfo.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "i18n.h"
#include "jsonarena.h"
#include "rules.h"

#define DEFAULT_API_URL "https://console.vast.ai"

struct provider *cmd_offers_provider(const struct cli_options *o, struct gw_error *err)
{
    if (o->provider && !strcmp(o->provider, "demo"))
        return provider_demo_new();
    char *key = NULL;
    char source[4096];
    int found = config_api_key(&key, source, sizeof source, err);
    if (found < 0)
        return NULL;
    if (!found && o->provider == NULL) {
        fprintf(stderr, _("gpuwarden: no vast.ai API key found; showing the built-in demo market "
                          "(nothing is rented)\n"));
        return provider_demo_new();
    }
    const char *url = o->api_url ? o->api_url : getenv("VAST_URL");
    struct provider *p = provider_vast_new(url && *url ? url : DEFAULT_API_URL, key);
    if (key) {
        memset(key, 0, strlen(key));
        free(key);
    }
    return p;
}

void cmd_offers_print_table(FILE *out, const struct offer_list *list,
                            const struct requirements *req, bool utf8)
{
    /* not translated: column headers, which scripts and the columns below rely on */
    fprintf(out, OFFER_ROW_FMT "%-7s  %s\n", "ID", "GPU", "N", "VRAM", "CC", "$/H", "REL", "HOST",
            "CTRY", "NET", "VERDICT", "REASONS");
    for (size_t i = 0; i < list->count; i++) {
        const struct offer *o = &list->items[i];
        char row[256], why[256];
        offer_format_row(o, row, sizeof row);
        rules_reasons(o, req, gpus_builtin(), why, sizeof why);
        /* ✓ and ✗ take 3 bytes for one column: pad by display width */
        const char *mark = level_marker((enum level)o->verdict, utf8);
        int pad = 7 - (int)(strlen(mark) - (utf8 && o->verdict != LEVEL_WARN ? 2 : 0));
        fprintf(out, "%s%s%*s  %s\n", row, mark, pad > 0 ? pad : 0, "", why);
    }
}

/* v as cJSON prints it when that is plain digits (1000064, 1967.5, 0.9944), in buf (>= 32 bytes).
 * cJSON prints every number with sprintf "%1.15g" checked by sscanf, most of the time
 * `offers --json` takes. Here v * 10^k (0 <= k <= 6) rounds to a whole number below 10^15, written
 * with k decimals and checked with strtod: a text of at most 15 significant digits that reads
 * back as v, with v in the fixed-notation range of %g, is the text "%1.15g" gives. False
 * otherwise (-0, tiny, huge or long values): cJSON prints those. */
static bool plain_number(double v, char *buf, size_t size)
{
    double a = fabs(v), scale = 1;
    if (size < 32 || (v == 0 && signbit(v)))
        return false;
    if (v == 0) {
        memcpy(buf, "0", 2);
        return true;
    }
    if (!(a >= 1e-4 && a < 1e15))
        return false;
    for (int k = 0; k <= 6; k++, scale *= 10) {
        double n = round(a * scale);
        if (n >= 1e15)
            return false;
        if (fabs(a * scale - n) > n * 1e-15)
            continue;
        long long whole = (long long)n, unit = (long long)scale;
        long long ip = whole / unit, fp = whole % unit;
        int digits = k;
        for (; digits > 0 && fp % 10 == 0; fp /= 10)
            digits--;
        char *p = buf + size - 1; /* written backwards from the end, then moved */
        *p = '\0';
        for (int d = 0; d < digits; d++, fp /= 10)
            *--p = (char)('0' + fp % 10);
        if (digits > 0)
            *--p = '.';
        do
            *--p = (char)('0' + ip % 10);
        while ((ip /= 10) > 0);
        if (v < 0)
            *--p = '-';
        memmove(buf, p, (size_t)(buf + size - p));
        return strtod(buf, NULL) == v;
    }
    return false;
}

void cmd_offers_json_number(struct cJSON *obj, const char *key, double v)
{
    char text[40];
    if (isnan(v))
        cJSON_AddNullToObject(obj, key);
    else if (plain_number(v, text, sizeof text))
        cJSON_AddRawToObject(obj, key, text);
    else
        cJSON_AddNumberToObject(obj, key, v);
}

static cJSON *region_array(const char list[][4], size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(list[i]));
    return a;
}

static cJSON *offer_json(const struct offer *o, const struct requirements *req)
{
    cJSON *j = cJSON_CreateObject();
    cmd_offers_json_number(j, "id", (double)o->id);
    if (o->gpu_name[0])
        cJSON_AddStringToObject(j, "gpu_name", o->gpu_name);
    else
        cJSON_AddNullToObject(j, "gpu_name");
    cmd_offers_json_number(j, "num_gpus", o->num_gpus ? (double)o->num_gpus : (double)NAN);
    cmd_offers_json_number(j, "vram_gb", round(o->gpu_ram_mib / 1024.0 * 100) / 100);
    cmd_offers_json_number(j, "compute_cap", o->compute_cap);
    cmd_offers_json_number(j, "reliability", o->reliability);
    cmd_offers_json_number(j, "dph_total", o->dph_total);
    if (o->country[0])
        cJSON_AddStringToObject(j, "country", o->country);
    else
        cJSON_AddNullToObject(j, "country");
    cmd_offers_json_number(j, "inet_down", o->inet_down);
    cmd_offers_json_number(j, "inet_up", o->inet_up);
    cJSON_AddStringToObject(j, "host", offer_host_name(o->host));
    cmd_offers_json_number(j, "cuda_max_good", o->cuda_max_good);
    cmd_offers_json_number(j, "disk_space", o->disk_space);
    struct finding f[RULE_COUNT];
    enum level verdict = rules_eval(o, req, gpus_builtin(), f);
    cJSON_AddStringToObject(j, "verdict", level_name(verdict));
    cJSON *findings = cJSON_AddArrayToObject(j, "findings");
    for (int r = 0; r < RULE_COUNT; r++) {
        cJSON *fj = cJSON_CreateObject();
        cJSON_AddStringToObject(fj, "rule", rule_name(f[r].rule));
        cJSON_AddStringToObject(fj, "level", level_name(f[r].level));
        cJSON_AddStringToObject(fj, "message", f[r].message);
        if (f[r].case_id)
            cmd_offers_json_number(fj, "case", f[r].case_id);
        else
            cJSON_AddNullToObject(fj, "case");
        cJSON_AddItemToArray(findings, fj);
    }
    return j;
}

void cmd_offers_print_json(FILE *out, const struct market_result *m, const char *provider,
                           const struct requirements *req)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "provider", provider);
    char when[32];
    struct tm tm;
    gmtime_r(&m->fetched_at, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(root, "fetched_at", when);
    cJSON *r = cJSON_AddObjectToObject(root, "requirements");
    cmd_offers_json_number(r, "min_vram_gb", req->min_vram_gb);
    cmd_offers_json_number(r, "max_dph", req->max_dph);
    cmd_offers_json_number(r, "min_reliability", req->min_reliability);
    cJSON_AddItemToObject(r, "block_regions", region_array(req->block_regions, req->nblock));
    cJSON_AddItemToObject(r, "prefer_regions", region_array(req->prefer_regions, req->nprefer));
    cmd_offers_json_number(r, "min_inet_mbps", req->min_inet_mbps);
    cmd_offers_json_number(r, "min_cuda", req->min_cuda);
    cmd_offers_json_number(r, "min_disk_gb", req->min_disk_gb);
    /* the header as one tree; the offers streamed one small tree at a time, one per line, so
     * a large market is neither held twice in memory nor slow to print */
    char *head = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    head[strlen(head) - 1] = '\0'; /* reopen the object to append "offers" */
    /* not translated: JSON */
    fprintf(out, "%s,\"offers\":[", head);
    free(head);
    struct json_arena arena;
    json_arena_begin(&arena);
    for (size_t i = 0; i < m->offers.count; i++) {
        cJSON *o = offer_json(&m->offers.items[i], req);
        char *text = cJSON_PrintUnformatted(o);
        fprintf(out, "%s\n%s", i ? "," : "", text);
        json_arena_reset(&arena);
    }
    json_arena_end(&arena);
    fputs("\n]}\n", out);
}

bool cmd_offers_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
}

int cmd_offers(const struct cli_options *o)
{
    struct gw_error err = {0};
    if (o->query.warnings[0])
        fprintf(stderr, _("gpuwarden: warning: %s\n"), o->query.warnings);
    struct market_request req = cli_market_request(o);
    struct market_result m;
    const char *provider = "file";
    int rc;
    if (o->from) {
        rc = market_load_file(o->from, &req, &m, &err);
    } else {
        struct provider *p = cmd_offers_provider(o, &err);
        if (p == NULL) {
            fprintf(stderr, "gpuwarden: %s\n", err.msg);
            return err.kind ? (int)err.kind : EXIT_USAGE;
        }
        provider = provider_name(p);
        rc = market_fetch(p, &req, &m, &err);
        if (rc == 0 && m.report.filtered > 0 && strcmp(provider, "demo") != 0)
            fprintf(stderr,
                    _("gpuwarden: warning: %s returned %zu offers that do not match the query; "
                      "they are not shown\n"),
                    m.source, m.report.filtered);
        provider_free(p);
    }
    if (rc < 0) {
        fprintf(stderr, "gpuwarden: %s\n", err.msg);
        market_result_free(&m);
        return err.kind ? (int)err.kind : EXIT_PROVIDER;
    }
    if (m.report.note[0])
        fprintf(stderr, _("gpuwarden: warning: %s: %s\n"), m.source, m.report.note);
    if (m.report.skipped)
        fprintf(stderr, _("gpuwarden: warning: %s: skipped %zu entries without an offer id\n"),
                m.source, m.report.skipped);
    if (o->json)
        cmd_offers_print_json(stdout, &m, provider, &o->req);
    else
        cmd_offers_print_table(stdout, &m.offers, &o->req, cmd_offers_utf8());
    market_result_free(&m);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "gpuwarden: %s\n", _("cannot write the output"));
        return EXIT_PROVIDER;
    }
    return EXIT_OK;
}
