/* Tests the preflight checklist (src/preflight.c): each of the ten rows of SPEC §6 turns on the
 * verdict it is built from, and rows 9 and 10 wait for the launch. */
/* cmocka.h needs these first, in this order */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "preflight.h"

#define NOW         1795000000 /* 2026-11 */
#define MAX_SOURCES 10

struct fixture {
    struct recipe recipe;
    struct requirements req;
    struct offer offer;
    struct lint_report lint;
    struct lint_finding findings[4];
    struct source_meta sources[MAX_SOURCES];
    size_t nsources;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct gw_error err = {0};
    if (recipe_load("ace-step-1.5", NULL, &f->recipe, &err) < 0)
        return -1;
    requirements_default(&f->req);
    recipe_apply(&f->recipe, &f->req);
    struct offer *o = &f->offer;
    o->id = 4242;
    snprintf(o->gpu_name, sizeof o->gpu_name, "RTX 4090");
    o->num_gpus = 1;
    o->gpu_ram_mib = 24564;
    o->compute_cap = 8.9;
    o->reliability = 0.995;
    o->dph_total = 0.4;
    o->inet_down = 800;
    o->cuda_max_good = 12.9;
    o->disk_space = 200;
    snprintf(o->country, sizeof o->country, "US");
    o->host = OFFER_HOST_VERIFIED;
    f->lint.findings = f->findings;
    f->lint.count = 0;
    /* metadata as a healthy fetch would bring it */
    f->nsources = preflight_sources(&f->recipe, f->sources, MAX_SOURCES);
    for (size_t i = 0; i < f->nsources; i++) {
        struct source_meta *m = &f->sources[i];
        m->fetched = true;
        m->fetched_at = NOW;
        m->pulls = 50000000;
        m->stars = 4000;
        m->official_badge = true;
        m->tag_found = true;
        m->size_gb = 3.1;
        m->pushed_at = NOW - 86400;
        m->downloads = 200000;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    recipe_free(&f->recipe);
    free(f);
    return 0;
}

static void eval(struct fixture *f, struct preflight_row rows[PREFLIGHT_ROWS])
{
    struct preflight_input in = {.offer = &f->offer,
                                 .req = &f->req,
                                 .gpus = gpus_builtin(),
                                 .recipe = &f->recipe,
                                 .lint = &f->lint,
                                 .sources = f->sources,
                                 .nsources = f->nsources,
                                 .now = NOW};
    preflight_eval(&in, rows);
}

static void add_lint(struct fixture *f, enum lint_rule rule, enum level level, int line)
{
    struct lint_finding *x = &f->findings[f->lint.count++];
    memset(x, 0, sizeof *x);
    x->rule = rule;
    x->level = level;
    x->line = line;
    snprintf(x->message, sizeof x->message, "%s found", lint_rule_name(rule));
}

static void test_sources_of_a_recipe(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(f->nsources, 3);
    assert_int_equal(f->sources[0].kind, SOURCE_IMAGE);
    assert_string_equal(f->sources[0].id, f->recipe.image);
    assert_int_equal(f->sources[1].kind, SOURCE_REPO);
    assert_string_equal(f->sources[1].id, "ace-step/ACE-Step-1.5");
    assert_int_equal(f->sources[2].kind, SOURCE_MODEL);
}

static void test_good_offer_passes_and_launch_rows_pend(void **state)
{
    struct fixture *f = *state;
    struct preflight_row rows[PREFLIGHT_ROWS];
    eval(f, rows);
    for (int i = 0; i < 8; i++) {
        if (rows[i].status != CHECK_PASS)
            fail_msg("row %d is %s: %s", i + 1, check_status_name(rows[i].status), rows[i].reason);
        assert_int_equal(rows[i].item, i + 1);
        assert_true(rows[i].case_id > 0);
    }
    assert_int_equal(rows[8].status, CHECK_PENDING);
    assert_int_equal(rows[9].status, CHECK_PENDING);
    assert_non_null(strstr(rows[8].reason, "11.4 GB"));
    assert_non_null(strstr(rows[9].reason, "/release_task"));
    assert_false(preflight_failed(rows));
}

static void test_8gb_card_fails_vram_row(void **state)
{
    struct fixture *f = *state;
    f->offer.gpu_ram_mib = 8192;
    struct preflight_row rows[PREFLIGHT_ROWS];
    eval(f, rows);
    assert_int_equal(rows[3].status, CHECK_FAIL);
    assert_non_null(strstr(rows[3].reason, "needs 11.4 GB"));
    assert_true(preflight_failed(rows));
    f->offer.gpu_ram_mib = 12288;
    eval(f, rows);
    assert_int_equal(rows[3].status, CHECK_PASS);
}

static void test_rows_follow_the_offer_rules(void **state)
{
    struct fixture *f = *state;
    struct preflight_row rows[PREFLIGHT_ROWS];
    snprintf(f->offer.country, sizeof f->offer.country, "CN");
    f->offer.reliability = 0.97;
    f->offer.compute_cap = 6.1;
    eval(f, rows);
    assert_int_equal(rows[0].status, CHECK_FAIL);
    assert_int_equal(rows[1].status, CHECK_FAIL);
    assert_int_equal(rows[2].status, CHECK_FAIL);
    assert_int_equal(rows[0].case_id, 1);
    assert_int_equal(rows[1].case_id, 2);
}

static void test_script_rows_follow_the_lint(void **state)
{
    struct fixture *f = *state;
    struct preflight_row rows[PREFLIGHT_ROWS];
    add_lint(f, LINT_UNCHECKED_DOWNLOAD, LEVEL_WARN, 12);
    eval(f, rows);
    assert_int_equal(rows[5].status, CHECK_PASS);
    assert_int_equal(rows[6].status, CHECK_WARN);
    assert_non_null(strstr(rows[6].reason, "line 12"));
    add_lint(f, LINT_SWALLOWED_ERROR, LEVEL_BLOCK, 30);
    eval(f, rows);
    assert_int_equal(rows[5].status, CHECK_FAIL);
    assert_non_null(strstr(rows[5].reason, "line 30"));
    assert_non_null(strstr(rows[5].reason, "swallowed-error"));
    assert_int_equal(rows[5].case_id, 3);
    add_lint(f, LINT_NO_HEALTH_WAIT, LEVEL_WARN, 40);
    eval(f, rows);
    assert_int_equal(rows[7].status, CHECK_WARN);
}

static void test_image_row_unknown_while_offline_or_fetching(void **state)
{
    struct fixture *f = *state;
    struct preflight_row rows[PREFLIGHT_ROWS];
    struct preflight_input in = {.offer = &f->offer,
                                 .req = &f->req,
                                 .gpus = gpus_builtin(),
                                 .recipe = &f->recipe,
                                 .lint = &f->lint,
                                 .sources = f->sources,
                                 .nsources = f->nsources,
                                 .fetching = true,
                                 .now = NOW};
    preflight_eval(&in, rows);
    assert_int_equal(rows[4].status, CHECK_UNKNOWN);
    assert_non_null(strstr(rows[4].reason, "fetching"));
    for (size_t i = 0; i < f->nsources; i++) {
        f->sources[i].fetched = false;
        snprintf(f->sources[i].error, sizeof f->sources[i].error, "cannot connect");
    }
    eval(f, rows);
    assert_int_equal(rows[4].status, CHECK_UNKNOWN);
    assert_non_null(strstr(rows[4].reason, "UNKNOWN (offline)"));
    assert_false(preflight_failed(rows));
}

static void test_huge_unverified_image_fails_row_5(void **state)
{
    struct fixture *f = *state;
    struct preflight_row rows[PREFLIGHT_ROWS];
    struct source_meta *img = &f->sources[0];
    snprintf(img->id, sizeof img->id, "valyriantech/ace-step-1.5:latest");
    img->official_badge = false;
    img->pulls = 404;
    img->stars = 0;
    img->size_gb = 173;
    eval(f, rows);
    assert_int_equal(rows[4].status, CHECK_FAIL);
    assert_int_equal(rows[4].case_id, 10);
    assert_non_null(strstr(rows[4].reason, "UNVERIFIED"));
    assert_true(preflight_failed(rows));
}

static void test_old_driver_fails_image_row(void **state)
{
    struct fixture *f = *state;
    struct preflight_row rows[PREFLIGHT_ROWS];
    f->offer.cuda_max_good = 12.2; /* the image needs 12.8 */
    eval(f, rows);
    assert_int_equal(rows[4].status, CHECK_FAIL);
    assert_non_null(strstr(rows[4].reason, "CUDA"));
}

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(check_status_name(CHECK_PASS), "PASS");
    assert_string_equal(check_status_name(CHECK_WARN), "WARN");
    assert_string_equal(check_status_name(CHECK_FAIL), "FAIL");
    assert_string_equal(check_status_name(CHECK_PENDING), "PENDING");
    assert_string_equal(check_status_name(CHECK_UNKNOWN), "UNKNOWN");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_sources_of_a_recipe),
        T(test_good_offer_passes_and_launch_rows_pend),
        T(test_8gb_card_fails_vram_row),
        T(test_rows_follow_the_offer_rules),
        T(test_script_rows_follow_the_lint),
        T(test_image_row_unknown_while_offline_or_fetching),
        T(test_huge_unverified_image_fails_row_5),
        T(test_old_driver_fails_image_row),
        T(test_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
