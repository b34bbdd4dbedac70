/* Tests the offer pipeline and sort keys (src/market.c) and API-key lookup (src/config.c). */
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
#include <sys/stat.h>
#include <unistd.h>

#include "assets.h"
#include "config.h"
#include "market.h"

/* --- the demo market through market_from_text --- */

static void load_demo(const struct market_request *r, struct market_result *res)
{
    size_t len = 0;
    const char *text = assets_get("demo-offers.json", &len);
    assert_non_null(text);
    assert_true(len > 0);
    memset(res, 0, sizeof *res);
    struct gw_error err = {0};
    int rc = market_from_text(text, len, OFFER_PARSE_SALVAGE, r, res, &err);
    if (rc != 0) {
        print_error("market_from_text: %s\n", err.msg);
        fail();
    }
}

static void test_demo_default_order(void **state)
{
    (void)state;
    struct requirements req;
    requirements_default(&req);
    struct market_request r = {.req = &req};
    struct market_result res;
    load_demo(&r, &res);
    const struct offer_list *l = &res.offers;
    assert_true(l->count > 60);
    assert_int_equal(res.report.skipped, 0);
    assert_int_equal(res.report.filtered, 0);
    int seen[3] = {0, 0, 0};
    for (size_t i = 0; i < l->count; i++) {
        const struct offer *o = &l->items[i];
        /* the pipeline ran the rules: verdict and masks agree with rules_eval */
        struct finding f[RULE_COUNT];
        enum level v = rules_eval(o, &req, gpus_builtin(), f);
        assert_int_equal(o->verdict, v);
        assert_true(o->verdict <= LEVEL_BLOCK);
        seen[o->verdict]++;
        if (i == 0)
            continue;
        const struct offer *p = &l->items[i - 1];
        if (p->verdict > o->verdict) {
            print_error("offer %zu (id %lld) verdict %d after verdict %d\n", i, (long long)o->id,
                        o->verdict, p->verdict);
            fail();
        }
        if (p->verdict == o->verdict && !isnan(o->dph_total)) {
            assert_true(!(isnan(p->dph_total)));
            if (p->dph_total > o->dph_total) {
                print_error("offer %zu: $%g/h after $%g/h within one verdict\n", i, o->dph_total,
                            p->dph_total);
                fail();
            }
        }
    }
    /* the demo market has something of every level, else the order check proves little */
    assert_true(seen[LEVEL_PASS] > 0);
    assert_true(seen[LEVEL_WARN] > 0);
    assert_true(seen[LEVEL_BLOCK] > 0);
    market_result_free(&res);
    assert_int_equal(res.offers.count, 0);
}

static void test_demo_limit(void **state)
{
    (void)state;
    struct requirements req;
    requirements_default(&req);
    struct market_request r = {.req = &req};
    struct market_result all, five;
    load_demo(&r, &all);
    r.limit = 5;
    load_demo(&r, &five);
    assert_int_equal(five.offers.count, 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(five.offers.items[i].id, all.offers.items[i].id);
    r.limit = 100000;
    struct market_result big;
    load_demo(&r, &big);
    assert_int_equal(big.offers.count, all.offers.count);
    market_result_free(&all);
    market_result_free(&five);
    market_result_free(&big);
}

static void test_demo_query_rechecks(void **state)
{
    (void)state;
    struct requirements req;
    requirements_default(&req);
    struct market_request r = {.req = &req};
    struct market_result all;
    load_demo(&r, &all);
    size_t singles = 0;
    for (size_t i = 0; i < all.offers.count; i++)
        singles += all.offers.items[i].num_gpus == 1;

    struct query q;
    memset(&q, 0, sizeof q);
    struct gw_error err = {0};
    assert_int_equal(query_parse(&q, "num_gpus=1", &err), 0);
    r.query = &q;
    struct market_result one;
    load_demo(&r, &one);
    assert_true(one.offers.count > 0);
    assert_true(one.offers.count < all.offers.count);
    assert_int_equal(one.offers.count, singles);
    assert_int_equal(one.report.filtered, all.offers.count - singles);
    for (size_t i = 0; i < one.offers.count; i++)
        assert_int_equal(one.offers.items[i].num_gpus, 1);

    query_free(&q);
    market_result_free(&all);
    market_result_free(&one);
}

/* A query nothing satisfies keeps nothing and is not an error. Runs last in main(): an empty
 * list reaching qsort(NULL, 0, ...) in market_sort trips UBSan, which aborts the binary. */
static void test_demo_query_matches_nothing(void **state)
{
    (void)state;
    struct requirements req;
    requirements_default(&req);
    struct query q;
    memset(&q, 0, sizeof q);
    struct gw_error err = {0};
    assert_int_equal(query_parse(&q, "num_gpus>=1000", &err), 0);
    struct market_request r = {.req = &req, .query = &q};
    struct market_result none;
    load_demo(&r, &none);
    assert_int_equal(none.offers.count, 0);
    assert_true(none.report.filtered > 60);
    query_free(&q);
    market_result_free(&none);

    /* an empty market as well */
    r.query = NULL;
    memset(&none, 0, sizeof none);
    assert_int_equal(market_from_text("[]", 2, OFFER_PARSE_SALVAGE, &r, &none, &err), 0);
    assert_int_equal(none.offers.count, 0);
    market_result_free(&none);
}

static void test_demo_sort_dph(void **state)
{
    (void)state;
    struct requirements req;
    requirements_default(&req);
    const struct market_sort_key *key = market_sort_key("dph");
    assert_non_null(key);
    assert_non_null(key->value);
    assert_string_equal(key->vast_field, "dph_total");
    struct market_request r = {.req = &req, .sort = key};
    struct market_result asc, desc;
    load_demo(&r, &asc);
    r.sort_desc = true;
    load_demo(&r, &desc);
    assert_int_equal(asc.offers.count, desc.offers.count);
    assert_true(asc.offers.count > 60);
    for (size_t i = 1; i < asc.offers.count; i++) {
        assert_true(asc.offers.items[i - 1].dph_total <= asc.offers.items[i].dph_total);
        assert_true(desc.offers.items[i - 1].dph_total >= desc.offers.items[i].dph_total);
    }
    assert_true(asc.offers.items[0].dph_total < asc.offers.items[asc.offers.count - 1].dph_total);
    assert_float_equal(asc.offers.items[0].dph_total,
                       desc.offers.items[desc.offers.count - 1].dph_total, 1e-12);
    market_result_free(&asc);
    market_result_free(&desc);
}

static struct offer with_dph(int64_t id, double dph)
{
    struct offer o;
    memset(&o, 0, sizeof o);
    o.id = id;
    o.dph_total = dph;
    o.gpu_ram_mib = NAN;
    return o;
}

static void test_sort_unknown_last(void **state)
{
    (void)state;
    const double values[] = {0.5, NAN, 0.2, NAN, 0.9, 0.2};
    struct offer_list list = {0};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        struct offer o = with_dph((int64_t)(i + 1), values[i]);
        offer_list_push(&list, &o);
    }
    const struct market_sort_key *key = market_sort_key("dph");
    assert_non_null(key);

    market_sort(&list, key, false);
    static const int64_t asc_ids[] = {3, 6, 1, 5, 2, 4};
    for (size_t i = 0; i < list.count; i++)
        assert_int_equal(list.items[i].id, asc_ids[i]);

    market_sort(&list, key, true);
    static const int64_t desc_ids[] = {5, 1, 3, 6, 2, 4};
    for (size_t i = 0; i < list.count; i++)
        assert_int_equal(list.items[i].id, desc_ids[i]);

    /* vram: every value unknown, so the order is by id */
    market_sort(&list, market_sort_key("vram"), true);
    for (size_t i = 0; i < list.count; i++)
        assert_int_equal(list.items[i].id, (int64_t)(i + 1));
    offer_list_free(&list);
}

/* Unknown GPU names and countries stay last in both directions, like unknown numbers. */
static void test_sort_unknown_text_last(void **state)
{
    (void)state;
    static const char *const gpus[] = {"RTX 3090", "", "A100 SXM4", "RTX 4090"};
    static const char *const countries[] = {"US", "", "CA", "SE"};
    struct offer_list list = {0};
    for (size_t i = 0; i < 4; i++) {
        struct offer o = with_dph((int64_t)(i + 1), 1.0);
        snprintf(o.gpu_name, sizeof o.gpu_name, "%s", gpus[i]);
        snprintf(o.country, sizeof o.country, "%s", countries[i]);
        offer_list_push(&list, &o);
    }
    const struct market_sort_key *gpu = market_sort_key("gpu");
    const struct market_sort_key *country = market_sort_key("country");
    assert_non_null(gpu);
    assert_non_null(country);

    market_sort(&list, gpu, false);
    static const int64_t gpu_asc[] = {3, 1, 4, 2};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(list.items[i].id, gpu_asc[i]);
    market_sort(&list, country, false);
    static const int64_t country_asc[] = {3, 4, 1, 2};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(list.items[i].id, country_asc[i]);

    market_sort(&list, gpu, true);
    static const int64_t gpu_desc[] = {4, 1, 3, 2};
    for (size_t i = 0; i < 4; i++) {
        if (list.items[i].id != gpu_desc[i]) {
            print_error("--sort gpu --desc: position %zu has id %lld ('%s'), want id %lld\n", i,
                        (long long)list.items[i].id, list.items[i].gpu_name,
                        (long long)gpu_desc[i]);
            offer_list_free(&list);
            fail();
        }
    }
    market_sort(&list, country, true);
    static const int64_t country_desc[] = {1, 4, 3, 2};
    for (size_t i = 0; i < 4; i++) {
        if (list.items[i].id != country_desc[i]) {
            print_error("--sort country --desc: position %zu has id %lld ('%s'), want id %lld\n", i,
                        (long long)list.items[i].id, list.items[i].country,
                        (long long)country_desc[i]);
            offer_list_free(&list);
            fail();
        }
    }
    offer_list_free(&list);
}

static void test_sort_keys(void **state)
{
    (void)state;
    assert_null(market_sort_key("nope"));
    assert_null(market_sort_key(""));
    const struct market_sort_key *k = market_sort_key("dph_total");
    assert_non_null(k);
    assert_ptr_equal(k->value, market_sort_key("dph")->value);
    k = market_sort_key("vram");
    assert_non_null(k);
    assert_string_equal(k->vast_field, "gpu_ram");
    k = market_sort_key("gpu_ram");
    assert_non_null(k);
    assert_string_equal(k->vast_field, "gpu_ram");
    k = market_sort_key("verdict");
    assert_non_null(k);
    assert_null(k->vast_field);
    char names[512];
    market_sort_names(names, sizeof names);
    assert_non_null(strstr(names, "dph"));
    assert_non_null(strstr(names, "vram"));
    assert_null(strstr(names, "nope"));
}

/* --- config_api_key in a scratch HOME --- */

struct scratch {
    char dir[64];
    char xdg[128];
    char vastai[160];
    char xdg_key[200];
    char home_key[128];
};

static int scratch_setup(void **state)
{
    struct scratch *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    snprintf(s->dir, sizeof s->dir, "/tmp/gw-test-config.XXXXXX");
    if (mkdtemp(s->dir) == NULL) {
        free(s);
        return -1;
    }
    snprintf(s->xdg, sizeof s->xdg, "%s/xdg", s->dir);
    snprintf(s->vastai, sizeof s->vastai, "%s/vastai", s->xdg);
    snprintf(s->xdg_key, sizeof s->xdg_key, "%s/vast_api_key", s->vastai);
    snprintf(s->home_key, sizeof s->home_key, "%s/.vast_api_key", s->dir);
    if (mkdir(s->xdg, 0700) != 0 || mkdir(s->vastai, 0700) != 0)
        return -1;
    setenv("HOME", s->dir, 1);
    setenv("XDG_CONFIG_HOME", s->xdg, 1);
    unsetenv("VAST_API_KEY");
    *state = s;
    return 0;
}

static int scratch_teardown(void **state)
{
    struct scratch *s = *state;
    unlink(s->xdg_key);
    unlink(s->home_key);
    rmdir(s->vastai);
    rmdir(s->xdg);
    rmdir(s->dir);
    unsetenv("VAST_API_KEY");
    free(s);
    return 0;
}

static void write_key(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_key_none(void **state)
{
    (void)state;
    char *key = (char *)"sentinel";
    char source[256] = "";
    struct gw_error err = {0};
    assert_int_equal(config_api_key(&key, source, sizeof source, &err), 0);
    assert_null(key);
}

static void test_key_env_wins(void **state)
{
    struct scratch *s = *state;
    write_key(s->xdg_key, "filekey-aaaa\n", 0600);
    write_key(s->home_key, "homekey-bbbb\n", 0644);
    setenv("VAST_API_KEY", "envkey-1234", 1);
    char *key = NULL;
    char source[256] = "";
    struct gw_error err = {0};
    assert_int_equal(config_api_key(&key, source, sizeof source, &err), 1);
    assert_non_null(key);
    assert_string_equal(key, "envkey-1234");
    assert_non_null(strstr(source, "VAST_API_KEY"));
    assert_null(strstr(source, "envkey-1234"));
    free(key);
}

static void test_key_file_0600_trimmed(void **state)
{
    struct scratch *s = *state;
    write_key(s->xdg_key, "  \t filekey-abcdef0123456789 \r\n\n", 0600);
    char *key = NULL;
    char source[256] = "";
    struct gw_error err = {0};
    assert_int_equal(config_api_key(&key, source, sizeof source, &err), 1);
    assert_non_null(key);
    assert_string_equal(key, "filekey-abcdef0123456789");
    assert_non_null(strstr(source, "vast_api_key"));
    assert_null(strstr(source, "filekey-abcdef"));
    free(key);
}

static void test_key_home_file(void **state)
{
    struct scratch *s = *state;
    write_key(s->home_key, "homekey-5678\n", 0600);
    char *key = NULL;
    char source[256] = "";
    struct gw_error err = {0};
    assert_int_equal(config_api_key(&key, source, sizeof source, &err), 1);
    assert_non_null(key);
    assert_string_equal(key, "homekey-5678");
    assert_non_null(strstr(source, ".vast_api_key"));
    free(key);
}

static void test_key_file_0644_refused(void **state)
{
    struct scratch *s = *state;
    write_key(s->xdg_key, "secretkey-0644-zzzz\n", 0644);
    char *key = NULL;
    char source[256] = "";
    struct gw_error err = {0};
    assert_int_equal(config_api_key(&key, source, sizeof source, &err), -1);
    assert_null(key);
    assert_non_null(strstr(err.msg, "chmod 600"));
    assert_null(strstr(err.msg, "secretkey"));
    assert_null(strstr(source, "secretkey"));

    /* group-readable only is refused too, and so is the ~/.vast_api_key fallback */
    unlink(s->xdg_key);
    write_key(s->home_key, "secretkey-0640-yyyy\n", 0640);
    memset(&err, 0, sizeof err);
    assert_int_equal(config_api_key(&key, source, sizeof source, &err), -1);
    assert_null(key);
    assert_non_null(strstr(err.msg, "chmod 600"));
    assert_null(strstr(err.msg, "secretkey"));
}

static void test_key_empty_file(void **state)
{
    struct scratch *s = *state;
    write_key(s->xdg_key, " \n", 0600);
    char *key = NULL;
    char source[256] = "";
    struct gw_error err = {0};
    assert_int_equal(config_api_key(&key, source, sizeof source, &err), 0);
    assert_null(key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_default_order),
        cmocka_unit_test(test_demo_limit),
        cmocka_unit_test(test_demo_query_rechecks),
        cmocka_unit_test(test_demo_sort_dph),
        cmocka_unit_test(test_sort_unknown_last),
        cmocka_unit_test(test_sort_unknown_text_last),
        cmocka_unit_test(test_sort_keys),
        cmocka_unit_test_setup_teardown(test_key_none, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_key_env_wins, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_key_file_0600_trimmed, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_key_home_file, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_key_file_0644_refused, scratch_setup,
                                        scratch_teardown),
        cmocka_unit_test_setup_teardown(test_key_empty_file, scratch_setup, scratch_teardown),
        cmocka_unit_test(test_demo_query_matches_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
