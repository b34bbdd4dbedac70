/* Finds the offer, lints the recipe's script, fetches its sources' metadata, prints the rows. */
#include "cmd_check.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd_offers.h"
#include "hub.h"
#include "i18n.h"
#include "lint.h"
#include "market.h"
#include "preflight.h"
#include "textwidth.h"

#define MAX_SOURCES (2 + RECIPE_MAX_MODELS)

/* The one offer with this id, from the dump or the provider. */
static int find_offer(const struct cli_options *o, const struct requirements *req,
                      struct market_result *m, struct gw_error *err)
{
    struct query q = {0};
    query_add_number(&q, "id", QOP_EQ, (double)o->offer_id);
    struct market_request mr = {.query = &q, .req = req};
    int rc;
    if (o->from) {
        rc = market_load_file(o->from, &mr, m, err);
    } else {
        struct provider *p = cmd_offers_provider(o, err);
        rc = p ? market_fetch(p, &mr, m, err) : -1;
        if (p)
            provider_free(p);
    }
    query_free(&q);
    if (rc == 0 && m->offers.count == 0) {
        error_set(err, EXIT_USAGE, _("offer %lld not found in %s (rented or withdrawn?)"),
                  o->offer_id, m->source);
        rc = -1;
    }
    return rc;
}

static void fetch_sources(const struct cli_options *o, struct source_meta *s, size_t n)
{
    if (o->offline) {
        for (size_t i = 0; i < n; i++)
            snprintf(s[i].error, sizeof s[i].error, _("--offline: no metadata requests"));
        return;
    }
    struct hub_config cfg;
    cli_hub_config(o, &cfg);
    struct hub *h = hub_new(&cfg);
    for (size_t i = 0; i < n; i++) {
        struct gw_error err = {0};
        if (hub_fetch(h, &s[i], &err) < 0 && !s[i].error[0]) {
            snprintf(s[i].error, sizeof s[i].error, "%.250s", err.msg);
            textwidth_repair(s[i].error);
        }
    }
    hub_free(h);
}

static void print_json(const struct cli_options *o, const struct recipe *r,
                       const struct preflight_row *rows)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "offer", (double)o->offer_id);
    cJSON_AddStringToObject(root, "recipe", r->name);
    cJSON *list = cJSON_AddArrayToObject(root, "rows");
    for (int i = 0; i < PREFLIGHT_ROWS; i++) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "item", rows[i].item);
        cJSON_AddStringToObject(j, "title", rows[i].title);
        cJSON_AddStringToObject(j, "status", check_status_name(rows[i].status));
        cJSON_AddStringToObject(j, "reason", rows[i].reason);
        cJSON_AddNumberToObject(j, "case", rows[i].case_id);
        cJSON_AddItemToArray(list, j);
    }
    char *text = cJSON_Print(root);
    puts(text);
    cJSON_free(text);
    cJSON_Delete(root);
}

static void print_text(const struct cli_options *o, const struct recipe *r,
                       const struct offer *offer, const struct preflight_row *rows)
{
    /* TRANSLATORS: the offer id, its GPU, its country code, the recipe's name */
    printf(_("Preflight: offer %lld (%s, %s) for recipe %s\n"), o->offer_id, offer->gpu_name,
           offer->country[0] ? offer->country : "??", r->name);
    for (int i = 0; i < PREFLIGHT_ROWS; i++) {
        /* the status stays English (PASS, WARN, ...); the title is padded by display width */
        printf("%2d. %-8s ", rows[i].item, check_status_name(rows[i].status));
        textwidth_print(stdout, rows[i].title, 52);
        putchar(' ');
        /* TRANSLATORS: after a preflight row's title: the failure case the row prevents */
        printf(_("case %d"), rows[i].case_id);
        printf("\n    %s\n", rows[i].reason);
    }
    fputs(preflight_failed(rows) ? _("Launch refused: a row FAILs (override only in the "
                                     "dashboard's dialog, written to the audit log).\n")
                                 : _("No row FAILs; rows 9 and 10 are decided after boot.\n"),
          stdout);
}

int cmd_check_eval(const struct cli_options *o, const struct recipe *r, struct market_result *m,
                   struct preflight_row rows[PREFLIGHT_ROWS], struct gw_error *err)
{
    if (find_offer(o, &o->req, m, err) < 0)
        return -1;
    struct lint_report lint;
    lint_text(r->script, r->script_len, &lint);
    struct source_meta sources[MAX_SOURCES];
    size_t n = preflight_sources(r, sources, MAX_SOURCES);
    fetch_sources(o, sources, n);
    struct preflight_input in = {.offer = &m->offers.items[0],
                                 .req = &o->req,
                                 .gpus = gpus_builtin(),
                                 .recipe = r,
                                 .lint = &lint,
                                 .sources = sources,
                                 .nsources = n,
                                 .now = time(NULL)};
    preflight_eval(&in, rows);
    lint_report_free(&lint);
    return 0;
}

int cmd_check(const struct cli_options *o, const struct recipe *r)
{
    struct gw_error err = {0};
    struct market_result m = {0};
    struct preflight_row rows[PREFLIGHT_ROWS];
    if (cmd_check_eval(o, r, &m, rows, &err) < 0) {
        fprintf(stderr, "gpuwarden: %s\n", err.msg);
        market_result_free(&m);
        return err.kind ? (int)err.kind : EXIT_PROVIDER;
    }
    if (o->json)
        print_json(o, r, rows);
    else
        print_text(o, r, &m.offers.items[0], rows);
    market_result_free(&m);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "gpuwarden: %s\n", _("cannot write the output"));
        return EXIT_USAGE;
    }
    return preflight_failed(rows) ? EXIT_CHECK_FAILED : EXIT_OK;
}
