/* Tests the instances view's join (src/fleet.c): who launched what, unknown and missing
 * instances, history that is not missing, uptime, cost and setup time. */
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
#include <string.h>

#include "fleet.h"

#define NOW 1800000000.0

static struct instance inst(int64_t id, const char *label, double start, double dph)
{
    struct instance in;
    memset(&in, 0, sizeof in);
    in.id = id;
    snprintf(in.label, sizeof in.label, "%s", label);
    snprintf(in.actual_status, sizeof in.actual_status, "running");
    in.start_date = start;
    in.dph_total = dph;
    return in;
}

static struct state_job job(int64_t id, const char *provider, double created, double setup_s)
{
    struct state_job j;
    memset(&j, 0, sizeof j);
    j.instance_id = id;
    snprintf(j.provider, sizeof j.provider, "%s", provider);
    snprintf(j.gpu_name, sizeof j.gpu_name, "RTX 3060");
    snprintf(j.label, sizeof j.label, "gpuwarden:ace");
    j.dph_total = 0.2;
    j.created_at = created;
    j.setup_s = setup_s;
    snprintf(j.state, sizeof j.state, "ready");
    return j;
}

static void test_marks(void **state)
{
    (void)state;
    struct instance items[] = {
        inst(1, "gpuwarden:ace", NOW - 3600, 0.5), /* labelled, not in the state file */
        inst(2, "", NOW - 7200, 1.0),              /* in the state file */
        inst(3, "my own", NOW - 60, 2.0),          /* neither */
    };
    struct instance_list list = {items, 3, 3};
    struct state_job jobs[] = {
        job(2, "vast", NOW - 7300, 1380), job(4, "vast", NOW - 100, NAN), /* the provider lost it */
        job(5, "demo", NOW - 100, NAN),                                   /* another provider's */
    };
    struct fleet f = {0};
    fleet_build(&f, &list, jobs, 3, "vast", 0, NOW);
    assert_int_equal(f.count, 4);
    assert_int_equal(f.rows[0].mark, FLEET_OURS);
    assert_false(f.rows[0].have_job);
    assert_int_equal(f.rows[1].mark, FLEET_OURS);
    assert_true(f.rows[1].have_job);
    assert_true(fabs(f.rows[1].setup_s - 1380) < 1e-9);
    assert_true(fabs(f.rows[1].uptime_s - 7200) < 1e-9);
    assert_true(fabs(f.rows[1].cost_usd - 2.0) < 1e-9);
    assert_int_equal(f.rows[2].mark, FLEET_UNKNOWN);
    assert_string_equal(fleet_mark_name(f.rows[2].mark), "unknown to gpuwarden");
    assert_true(isnan(f.rows[2].setup_s));
    assert_int_equal(f.rows[3].mark, FLEET_MISSING);
    assert_int_equal(f.rows[3].in.id, 4);
    assert_string_equal(f.rows[3].in.gpu_name, "RTX 3060");
    assert_true(isnan(f.rows[3].cost_usd));
    assert_non_null(fleet_find(&f, 3));
    assert_null(fleet_find(&f, 5));
    fleet_free(&f);
    assert_int_equal(f.count, 0);
}

static void test_history_is_not_missing(void **state)
{
    (void)state;
    struct state_job jobs[] = {job(7, "demo", NOW - 500, NAN), job(8, "demo", NOW - 5, NAN),
                               job(9, "demo", NOW - 5, NAN)};
    snprintf(jobs[2].instance_state, sizeof jobs[2].instance_state, "destroyed");
    struct fleet f = {0};
    /* the demo's process started 10 s ago: job 7 belongs to an earlier one */
    fleet_build(&f, NULL, jobs, 3, "demo", NOW - 10, NOW);
    assert_int_equal(f.count, 1);
    assert_int_equal(f.rows[0].in.id, 8);
    assert_int_equal(f.rows[0].mark, FLEET_MISSING);
    /* rebuilding replaces the rows */
    fleet_build(&f, NULL, jobs, 3, "demo", NOW, NOW);
    assert_int_equal(f.count, 0);
    fleet_free(&f);
}

static void test_unknown_times(void **state)
{
    (void)state;
    struct instance items[] = {inst(1, "", NAN, NAN), inst(2, "", NAN, 0.3)};
    struct instance_list list = {items, 2, 2};
    struct state_job jobs[] = {job(2, "vast", NOW - 1800, NAN)};
    struct fleet f = {0};
    fleet_build(&f, &list, jobs, 1, "vast", 0, NOW);
    assert_true(isnan(f.rows[0].uptime_s));
    assert_true(isnan(f.rows[0].cost_usd));
    /* no start_date: the job's creation stands in */
    assert_true(fabs(f.rows[1].uptime_s - 1800) < 1e-9);
    assert_true(fabs(f.rows[1].cost_usd - 0.15) < 1e-9);
    fleet_free(&f);
}

static void test_format_duration(void **state)
{
    (void)state;
    char b[16];
    const struct {
        double s;
        const char *want;
    } cases[] = {{NAN, "-"},       {-1, "-"},        {45, "45s"},
                 {1380, "23 min"}, {11520, "3h12m"}, {187200, "2d04h"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fleet_format_duration(cases[i].s, b, sizeof b);
        assert_string_equal(b, cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marks),
        cmocka_unit_test(test_history_is_not_missing),
        cmocka_unit_test(test_unknown_times),
        cmocka_unit_test(test_format_duration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
